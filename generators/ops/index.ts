/**
 * The one explicit operator registry. A spec file that is not listed here is not used (a test checks that every
 * file under generators/ops is registered).
 */
import type { OpSpec } from './spec.js';
import { unaryMathOps } from './unary-math.js';
import { binaryArithOps } from './binary-arith.js';

/** Every operator spec, in a fixed order (generation draws by index, so order is part of determinism). */
export const OPS: readonly OpSpec[] = [
  ...unaryMathOps,
  ...binaryArithOps,
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
