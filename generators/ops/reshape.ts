/** Reshape, Flatten, Squeeze, Unsqueeze */
import type { OpSpec } from './spec.js';

/** This family's operators, in registry order. */
export const reshapeOps: readonly OpSpec[] = [];
