/** ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd, ... */
import type { OpSpec } from './spec.js';

/** This family's operators, in registry order. */
export const reduceOps: readonly OpSpec[] = [];
