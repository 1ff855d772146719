/** Gather: picks entries along one axis by an index tensor of any rank. Type-agnostic data, int32/int64 indices. */
import type { Tensor1D } from '@tensorflow/tfjs-core';
import * as fc from 'fast-check';
import type { Attrs, DType } from '../../src/ir/index.js';
import { DTYPES, numel } from '../../src/ir/index.js';
import { clampDims } from '../arb.js';
import { gatherAxes } from './slice.js';
import type { InferInput, Instance, Operand, OpSpec } from './spec.js';
import { attrInt, defineOp, passRange } from './spec.js';

function axisOf(attrs: Attrs, rank: number): number | string {
  const axis = attrs['axis'] === undefined ? 0 : attrInt(attrs, 'axis');
  if (axis < -rank || axis >= rank) return `Gather: axis ${axis} out of range for rank ${rank}`;
  return axis < 0 ? axis + rank : axis;
}

function gatherShape(x: InferInput, idx: InferInput, attrs: Attrs): { a: number; shape: number[] } | string {
  if (idx.dtype !== 'int32' && idx.dtype !== 'int64') return `Gather: indices must be int32 or int64, not ${idx.dtype}`;
  const a = axisOf(attrs, x.shape.length);
  if (typeof a === 'string') return a;
  const d = x.shape[a]!;
  if (idx.data?.some((v) => v < -d || v >= d)) return `Gather: an index lies outside [-${d}, ${d - 1}]`;
  return { a, shape: [...x.shape.slice(0, a), ...idx.shape, ...x.shape.slice(a + 1)] };
}

/**
 * The indices operand: a constant of the given shape whose values (raw draws) land in [-d, d-1], so negative
 * indices appear as often as positive ones.
 */
function indicesOperand(dtype: 'int32' | 'int64', shape: readonly number[], raw: readonly number[], d: number): Operand {
  return { kind: 'const', dtype, shape: [...shape], data: raw.slice(0, numel(shape)).map((v) => (v % (2 * d)) - d) };
}

function axisAttrs(a: number, r: number, form: number): Attrs {
  if (form === 0 && a === 0) return {};
  return { axis: form === 1 ? a - r : a };
}

const idxDims = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 2 });
const rawValues = fc.array(fc.nat(), { minLength: 16, maxLength: 16 });
/** Index types: int64 first (exporters' choice), int32 where the user allows it. */
function idxDtype(allowedTypes: readonly DType[]): fc.Arbitrary<'int32' | 'int64'> {
  return allowedTypes.includes('int32') ? fc.constantFrom<'int32' | 'int64'>('int64', 'int64', 'int32') : fc.constant('int64');
}

export const Gather = defineOp({
  // moves or selects input values: the output stays within their bounds
  range: passRange(),
  onnx: 'Gather',
  exact: true,
  since: 13,
  dtypes: DTYPES,
  ranks: [1, 5],
  attributes: { axis: { type: 'int', default: 0 } },
  build(anchor, ctx) {
    const r = anchor.shape.length;
    return fc
      .record({ a: fc.integer({ min: 0, max: r - 1 }), form: fc.nat(2), dims: idxDims, raw: rawValues, dtype: idxDtype(ctx.dtypes) })
      .map(({ a, form, dims, raw, dtype }): Instance => {
        const d = anchor.shape[a]!;
        // the output holds numel/d rows per index; that bounds how many indices fit in maxElems
        const room = Math.floor(ctx.maxElems / Math.max(1, numel(anchor.shape) / d));
        const shape = clampDims(dims, Math.min(room, 16));
        return { inputs: [{ kind: 'anchor' }, indicesOperand(dtype, shape, raw, d)], attrs: axisAttrs(a, r, form) };
      });
  },
  backward(out, ctx) {
    const q0 = out.shape.length;
    return fc
      .record({
        q: fc.integer({ min: 0, max: Math.min(2, q0) }),
        at: fc.nat(),
        d: fc.integer({ min: 1, max: 8 }),
        form: fc.nat(2),
        raw: rawValues,
        dtype: idxDtype(ctx.dtypes),
      })
      .map(({ q, at, d, form, raw, dtype }): Instance => {
        // the output is data[:a] + indices.shape + data[a+1:]; any q consecutive output dims can be the indices
        const a = at % (q0 - q + 1);
        const pre = out.shape.slice(0, a);
        const ishape = out.shape.slice(a, a + q);
        const post = out.shape.slice(a + q);
        const dim = Math.max(1, Math.min(d, Math.floor(ctx.maxElems / Math.max(1, numel(pre) * numel(post)))));
        const data = [...pre, dim, ...post];
        // more than 16 indices: reuse the draws cyclically
        const vals = Array.from({ length: numel(ishape) }, (_, i) => raw[i % raw.length]! + i);
        return {
          inputs: [{ kind: 'tensor', type: { dtype: out.dtype, shape: data } }, indicesOperand(dtype, ishape, vals, dim)],
          attrs: axisAttrs(a, data.length, form),
        };
      });
  },
  tfjs: {
    // indices of any rank (0 included) gather flattened, then the result takes the output's shape
    lower(tf, inputs, attrs, ctx) {
      const x = inputs[0]!;
      const a = axisOf(attrs, x.rank);
      if (typeof a === 'string') throw new Error(a);
      const d = x.shape[a]!;
      const c = ctx.constants[1];
      let idx: Tensor1D;
      if (c) idx = tf.tensor1d(c.map((v) => (v < 0 ? v + d : v)), 'int32');
      else {
        const flat = tf.reshape(inputs[1]!, [-1]) as Tensor1D;
        idx = tf.add(flat, tf.mul(tf.cast(tf.less(flat, 0), 'int32'), tf.scalar(d, 'int32')));
      }
      return [tf.reshape(tf.gather(x, idx, a), [...ctx.outputTypes[0]!.shape])];
    },
  },
  infer(inputs, attrs) {
    const [x, idx] = inputs;
    if (!x || !idx) return 'Gather: needs data and indices';
    const s = gatherShape(x, idx, attrs);
    return typeof s === 'string' ? s : [{ dtype: x.dtype, shape: s.shape }];
  },
  reference(inputs, attrs) {
    const x = inputs[0]!;
    const idx = inputs[1]!;
    const s = gatherShape({ dtype: x.dtype, shape: x.shape }, { dtype: idx.dtype, shape: idx.shape, data: Array.from(idx.data) }, attrs);
    if (typeof s === 'string') throw new Error(s);
    const d = x.shape[s.a]!;
    // gather along the axis with the flattened indices, then give the result its real shape
    const maps = x.shape.map((n, ax) => (ax === s.a ? Array.from(idx.data, (v) => (v < 0 ? v + d : v)) : Array.from({ length: n }, (_, i) => i)));
    const t = gatherAxes(x, maps, 0);
    return [{ dtype: x.dtype, shape: s.shape, data: t.data }];
  },
});

/** This family's operators, in registry order. */
export const gatherOps: readonly OpSpec[] = [Gather];
