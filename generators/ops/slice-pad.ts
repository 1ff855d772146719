/** Slice and Pad: strided windows and borders (one file per operator; this module is the family's entry). */
import { Pad } from './pad.js';
import { Slice } from './slice.js';
import type { OpSpec } from './spec.js';

export { Pad } from './pad.js';
export { gatherAxes, Slice } from './slice.js';

/** This family's operators, in registry order. */
export const slicePadOps: readonly OpSpec[] = [Slice, Pad];
