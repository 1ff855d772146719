/**
 * The one explicit operator registry. A spec file that is not listed here is not used (a test checks that every
 * file under generators/ops is registered).
 */
import type { OpSpec } from './spec.js';
import { unaryMathOps } from './unary-math.js';
import { activationOps } from './activations.js';
import { castClipOps } from './cast-clip.js';
import { binaryArithOps } from './binary-arith.js';
import { compareLogicOps } from './compare-logic.js';
import { whereOps } from './where.js';
import { matmulOps } from './matmul.js';
import { convOps } from './conv.js';
import { poolOps } from './pool.js';
import { normalizationOps } from './normalization.js';
import { softmaxOps } from './softmax.js';
import { reduceOps } from './reduce.js';
import { argOps } from './arg.js';
import { scanOps } from './scan.js';
import { reshapeOps } from './reshape.js';
import { transposeOps } from './transpose.js';
import { concatSplitOps } from './concat-split.js';
import { slicePadOps } from './slice-pad.js';
import { expandTileOps } from './expand-tile.js';
import { gatherOps } from './gather.js';
import { resizeOps } from './resize.js';

/** Every operator spec, in a fixed order (generation draws by index, so order is part of determinism). */
export const OPS: readonly OpSpec[] = [
  ...unaryMathOps,
  ...activationOps,
  ...castClipOps,
  ...binaryArithOps,
  ...compareLogicOps,
  ...whereOps,
  ...matmulOps,
  ...convOps,
  ...poolOps,
  ...normalizationOps,
  ...softmaxOps,
  ...reduceOps,
  ...argOps,
  ...scanOps,
  ...reshapeOps,
  ...transposeOps,
  ...concatSplitOps,
  ...slicePadOps,
  ...expandTileOps,
  ...gatherOps,
  ...resizeOps,
];

const byName = new Map(OPS.map((op) => [op.onnx, op]));
if (byName.size !== OPS.length) throw new Error('operator registry: duplicate op names');

/** The spec for an ONNX op_type, or undefined. */
export function findOp(name: string): OpSpec | undefined {
  return byName.get(name);
}

export function opNames(): string[] {
  return OPS.map((op) => op.onnx);
}

export type { OpSpec } from './spec.js';
