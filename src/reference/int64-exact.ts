/**
 * Exact int64 in the reference. Kernels compute in float64, which holds every integer only up to 2^53; a tensor whose
 * int64 values go beyond carries them exactly in its `exact` companion (src/ir/tensor.ts). The interpreter sends a node
 * here only when an input has that companion, or when an int64 result of a rounding operator reaches 2^53:
 * operators that move or select data run their own kernel on element indices, so exact values follow the indices; exact
 * integer arithmetic (Add, Sub, Mul, Neg, Abs, Max, Min, the comparisons) and Cast are done on BigInt; anything else
 * is refused with ReferenceUnsupported, never computed from rounded values.
 */
import type { Attrs, Node, Tensor } from '../ir/index.js';
import { broadcastIndex, broadcastShapes, EXACT_LIMIT, exactOf, int64Tensor, numel, withoutExact } from '../ir/index.js';
import type { OpSpec } from '../../generators/ops/spec.js';

/** The reference cannot evaluate this graph (an operator or attribute form it does not implement). */
export class ReferenceUnsupported extends Error {
  override readonly name = 'ReferenceUnsupported';
}

/**
 * Operators whose outputs are copies of their data inputs' elements (or a 0 they write), chosen by position and the
 * other inputs, never by the data's values: which inputs are data (undefined: all of them).
 */
const MOVES: ReadonlyMap<string, readonly number[] | undefined> = new Map([
  ['Identity', [0]],
  ['Reshape', [0]],
  ['Flatten', [0]],
  ['Squeeze', [0]],
  ['Unsqueeze', [0]],
  ['Transpose', [0]],
  ['Slice', [0]],
  ['Gather', [0]],
  ['Split', [0]],
  ['Expand', [0]],
  ['Tile', [0]],
  ['Trilu', [0]],
  ['Pad', [0, 2]],
  ['Where', [1, 2]],
  ['Concat', undefined],
]);

const wrap = (b: bigint): bigint => BigInt.asIntN(64, b);

/** Exact elementwise int64 operators: the value of each output element from its operands'. */
const ARITH: ReadonlyMap<string, (v: readonly bigint[]) => bigint> = new Map([
  ['Add', (v: readonly bigint[]) => wrap(v[0]! + v[1]!)],
  ['Sub', (v: readonly bigint[]) => wrap(v[0]! - v[1]!)],
  ['Mul', (v: readonly bigint[]) => wrap(v[0]! * v[1]!)],
  ['Neg', (v: readonly bigint[]) => wrap(-v[0]!)],
  ['Abs', (v: readonly bigint[]) => wrap(v[0]! < 0n ? -v[0]! : v[0]!)],
  ['Max', (v: readonly bigint[]) => v.reduce((a, b) => (b > a ? b : a))],
  ['Min', (v: readonly bigint[]) => v.reduce((a, b) => (b < a ? b : a))],
]);

const COMPARE: ReadonlyMap<string, (a: bigint, b: bigint) => boolean> = new Map([
  ['Equal', (a: bigint, b: bigint) => a === b],
  ['Greater', (a: bigint, b: bigint) => a > b],
  ['Less', (a: bigint, b: bigint) => a < b],
  ['GreaterOrEqual', (a: bigint, b: bigint) => a >= b],
  ['LessOrEqual', (a: bigint, b: bigint) => a <= b],
]);

/** Whether an int64 output of `op` can be beyond 2^53 and rounded: it computes (not a copy, not a Cast, which is exact). */
export function mayRound(spec: OpSpec): boolean {
  return spec.exact !== true && spec.onnx !== 'Cast' && !MOVES.has(spec.onnx);
}

/** Whether a rounding kernel's int64 output reached 2^53, where float64 may have rounded it. */
export function reachesLimit(outs: readonly (Tensor | undefined)[]): boolean {
  for (const t of outs) {
    if (t?.dtype !== 'int64') continue;
    for (const v of t.data) if (v >= EXACT_LIMIT || v <= -EXACT_LIMIT) return true;
  }
  return false;
}

function unsupported(node: Node, why: string): ReferenceUnsupported {
  return new ReferenceUnsupported(`reference: ${node.op} '${node.name}' cannot be computed exactly: ${why} (int64 beyond 2^53 is followed exactly only through data movement, Add, Sub, Mul, Neg, Abs, Max, Min, comparisons and Cast)`);
}

/** Runs `spec`'s kernel with data inputs replaced by their element indices, then maps the indices back to exact values. */
function moveExact(spec: OpSpec, data: readonly number[] | undefined, inputs: readonly (Tensor | undefined)[], attrs: Attrs, opset: number, nOutputs: number): Tensor[] {
  const isData = (t: Tensor | undefined, k: number): t is Tensor => t?.dtype === 'int64' && (data === undefined || data.includes(k));
  let total = 1;
  inputs.forEach((t, k) => {
    if (isData(t, k)) total += t.data.length;
  });
  // index 0 stands for the 0 a kernel writes itself (Pad's default fill, Trilu's zeros), so data starts at 1
  const pool = new BigInt64Array(total);
  let next = 1;
  const ins = inputs.map((t, k) => {
    if (!isData(t, k)) return t;
    pool.set(exactOf(t), next);
    const idx = new Float64Array(t.data.length);
    for (let i = 0; i < idx.length; i++) idx[i] = next + i;
    next += idx.length;
    return { dtype: t.dtype, shape: t.shape, data: idx };
  });
  return spec.reference(ins, attrs, opset, nOutputs).map((o) => {
    if (o.dtype !== 'int64') return withoutExact(o);
    const vals = new BigInt64Array(o.data.length);
    for (let i = 0; i < vals.length; i++) vals[i] = pool[o.data[i]!]!;
    return int64Tensor(o.shape, vals);
  });
}

/** Elementwise over broadcast operands, on their exact values. */
function broadcastExact(inputs: readonly Tensor[], fn: (v: bigint[]) => bigint): Tensor {
  const shape = broadcastShapes(...inputs.map((t) => t.shape));
  if (!shape) throw new Error(`shapes ${inputs.map((t) => `[${t.shape.join(',')}]`).join(' ')} do not broadcast`);
  const n = numel(shape);
  const vals = inputs.map(exactOf);
  const idx = inputs.map((t) => broadcastIndex(t.shape, shape));
  const out = new BigInt64Array(n);
  const v = new Array<bigint>(inputs.length);
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < inputs.length; j++) v[j] = vals[j]![idx[j]![k]!]!;
    out[k] = fn(v);
  }
  return int64Tensor(shape, out);
}

/** float32 nearest to `b`, rounded once (Number then Math.fround would round twice and can break a tie wrongly). */
function toFloat32(b: bigint): number {
  const f = Number(b);
  const r = Math.fround(f);
  if (f === r || BigInt(f) === b) return r;
  // f is a float32 tie only if the float32 on its other side is exactly as far: then b's side of f decides
  const other = 2 * f - r;
  if (Math.fround(other) !== other) return r;
  return b > BigInt(f) ? Math.max(r, other) : Math.min(r, other);
}

/** Cast from an int64 tensor with exact values: the kernel's result, each element redone from its exact value. */
function castExact(spec: OpSpec, x: Tensor, attrs: Attrs, opset: number): Tensor {
  const out = withoutExact(spec.reference([x], attrs, opset, 1)[0]!);
  const vals = exactOf(x);
  switch (out.dtype) {
    case 'int64':
      return int64Tensor(out.shape, vals);
    case 'float64':
      return out;
    case 'float32':
      return { ...out, data: Float64Array.from(vals, toFloat32) };
    case 'int32':
      return { ...out, data: Float64Array.from(vals, (b) => Number(BigInt.asIntN(32, b))) };
    case 'bool':
      return { ...out, data: Float64Array.from(vals, (b) => (b !== 0n ? 1 : 0)) };
  }
}

/**
 * Outputs of `node` when an input holds int64 values beyond 2^53 (`exactIn`) or when its float64 kernel gave an int64
 * result from 2^53 on (`!exactIn`, only for operators that mayRound). Throws ReferenceUnsupported where the operator
 * is not one this follows exactly.
 */
export function evalExact(
  node: Node,
  spec: OpSpec,
  inputs: readonly (Tensor | undefined)[],
  attrs: Attrs,
  opset: number,
  nOutputs: number,
  exactIn: boolean,
): Tensor[] {
  const present = inputs.filter((t): t is Tensor => t !== undefined);
  const arith = ARITH.get(node.op);
  if (arith && present.every((t) => t.dtype === 'int64')) return [broadcastExact(present, arith)];
  const cmp = COMPARE.get(node.op);
  if (cmp && present.length === 2 && present.every((t) => t.dtype === 'int64')) {
    const r = broadcastExact(present, (v) => (cmp(v[0]!, v[1]!) ? 1n : 0n));
    return [{ dtype: 'bool', shape: r.shape, data: r.data }];
  }
  if (!exactIn) throw unsupported(node, 'its int64 result reaches 2^53, beyond which float64 rounds');
  if (MOVES.has(node.op)) {
    const data = MOVES.get(node.op);
    // exact values only in other inputs (a Slice end of INT64_MAX): those are clamped or checked, floats do
    if (!inputs.some((t, k) => t?.exact && (data === undefined || data.includes(k)))) return spec.reference(inputs, attrs, opset, nOutputs).map(withoutExact);
    return moveExact(spec, data, inputs, attrs, opset, nOutputs);
  }
  if (node.op === 'Cast' && inputs[0]?.dtype === 'int64') return [castExact(spec, inputs[0], attrs, opset)];
  const k = inputs.findIndex((t) => t?.exact);
  throw unsupported(node, `input '${node.inputs[k] ?? k}' holds int64 values beyond 2^53`);
}
