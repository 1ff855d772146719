/** Expand, Tile */
import type { OpSpec } from './spec.js';

/** This family's operators, in registry order. */
export const expandTileOps: readonly OpSpec[] = [];
