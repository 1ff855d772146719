/** Equal, Greater, Less, GreaterOrEqual, LessOrEqual, And, Or, Xor, Not */
import type { OpSpec } from './spec.js';

/** This family's operators, in registry order. */
export const compareLogicOps: readonly OpSpec[] = [];
