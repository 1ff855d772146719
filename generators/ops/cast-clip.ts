/** Cast, Clip */
import type { OpSpec } from './spec.js';

/** This family's operators, in registry order. */
export const castClipOps: readonly OpSpec[] = [];
