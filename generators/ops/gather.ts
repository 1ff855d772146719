/** Gather */
import type { OpSpec } from './spec.js';

/** This family's operators, in registry order. */
export const gatherOps: readonly OpSpec[] = [];
