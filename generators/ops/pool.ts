/** MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool */
import type { OpSpec } from './spec.js';

/** This family's operators, in registry order. */
export const poolOps: readonly OpSpec[] = [];
