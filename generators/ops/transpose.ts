/** Transpose: permutes axes; the default (perm omitted) reverses them. Type-agnostic. */
import * as fc from 'fast-check';
import type { Attrs, Tensor } from '../../src/ir/index.js';
import { DTYPES, numel, strides } from '../../src/ir/index.js';
import type { Instance, OpSpec } from './spec.js';
import { attrInts, defineOp, passRange } from './spec.js';

/** The permutation a node applies: its perm attribute or, when omitted, the reversal. */
function permOf(attrs: Attrs, rank: number): number[] | string {
  const p = attrInts(attrs, 'perm');
  if (p === undefined) return Array.from({ length: rank }, (_, i) => rank - 1 - i);
  if (p.length !== rank) return `Transpose: perm [${p.join(',')}] has ${p.length} entries for rank ${rank}`;
  const seen = new Set(p);
  if (seen.size !== rank || p.some((a) => !Number.isInteger(a) || a < 0 || a >= rank)) {
    return `Transpose: perm [${p.join(',')}] is not a permutation of 0..${rank - 1}`;
  }
  return [...p];
}

/** Transposes `x` by `perm` (output axis i is input axis perm[i]). */
export function transposeTensor(x: Tensor, perm: readonly number[]): Tensor {
  const rank = perm.length;
  const shape = perm.map((a) => x.shape[a]!);
  const inStr = strides(x.shape);
  const srcStr = perm.map((a) => inStr[a]!);
  const n = numel(shape);
  const out = new Float64Array(n);
  const idx = new Array<number>(rank).fill(0);
  let src = 0;
  for (let k = 0; k < n; k++) {
    out[k] = x.data[src]!;
    for (let ax = rank - 1; ax >= 0; ax--) {
      idx[ax]!++;
      src += srcStr[ax]!;
      if (idx[ax]! < shape[ax]!) break;
      src -= srcStr[ax]! * idx[ax]!;
      idx[ax] = 0;
    }
  }
  return { dtype: x.dtype, shape, data: out };
}

/** A random permutation of 0..rank-1, or undefined (the attribute omitted: reverse). */
function permArb(rank: number): fc.Arbitrary<number[] | undefined> {
  const all = Array.from({ length: rank }, (_, i) => i);
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 4, arbitrary: fc.shuffledSubarray(all, { minLength: rank, maxLength: rank }) },
  );
}

export const Transpose = defineOp({
  // moves or selects input values: the output stays within their bounds
  range: passRange(),
  onnx: 'Transpose',
  exact: true,
  since: 13,
  dtypes: DTYPES,
  ranks: [1, 5],
  attributes: { perm: { type: 'ints' } },
  build(anchor) {
    return permArb(anchor.shape.length).map((perm): Instance => ({ inputs: [{ kind: 'anchor' }], attrs: perm ? { perm } : {} }));
  },
  backward(out) {
    const rank = out.shape.length;
    if (rank === 0) return undefined;
    return permArb(rank).map((perm): Instance => {
      const p = perm ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
      // output axis i is input axis p[i], so the input holds out.shape[i] at position p[i]
      const inShape = new Array<number>(rank);
      p.forEach((a, i) => (inShape[a] = out.shape[i]!));
      return { inputs: [{ kind: 'tensor', type: { dtype: out.dtype, shape: inShape } }], attrs: perm ? { perm } : {} };
    });
  },
  tfjs: {
    lower(tf, inputs, attrs) {
      const x = inputs[0]!;
      const perm = permOf(attrs, x.rank);
      if (typeof perm === 'string') throw new Error(perm);
      return [tf.transpose(x, perm)];
    },
  },
  infer(inputs, attrs) {
    const x = inputs[0];
    if (!x) return 'Transpose: missing input';
    const perm = permOf(attrs, x.shape.length);
    if (typeof perm === 'string') return perm;
    return [{ dtype: x.dtype, shape: perm.map((a) => x.shape[a]!) }];
  },
  reference(inputs, attrs) {
    const x = inputs[0]!;
    const perm = permOf(attrs, x.shape.length);
    if (typeof perm === 'string') throw new Error(perm);
    return [transposeTensor(x, perm)];
  },
});

/** This family's operators, in registry order. */
export const transposeOps: readonly OpSpec[] = [Transpose];
