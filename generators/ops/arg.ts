/**
 * ArgMax and ArgMin (opset 13 form): the int64 index of the extreme element along one `axis` (default 0,
 * negative allowed), `keepdims` (default 1) and `select_last_index` (default 0: the first of equal extremes
 * wins; 1: the last one).
 */
import * as fc from 'fast-check';
import type { Attrs, Tensor } from '../../src/ir/index.js';
import { NUMERIC_DTYPES, normAxis, numel, strides } from '../../src/ir/index.js';
import { MAX_DIM, axisArb } from '../arb.js';
import type { Instance, OpSpec, TfjsLowering } from './spec.js';
import { defineOp } from './spec.js';

const MAX_RANK = 5;

function intAttr(attrs: Attrs, name: string, dflt: number): number {
  const v = attrs[name];
  return v === undefined ? dflt : (v as number);
}

function outShape(shape: readonly number[], axis: number, keep: boolean): number[] {
  return keep ? shape.map((d, i) => (i === axis ? 1 : d)) : shape.filter((_, i) => i !== axis);
}

/** Attributes other than the axis, each sometimes left to its default. */
const flagsArb = fc.record({
  keepdims: fc.constantFrom<number | undefined>(undefined, 0, 1),
  select_last_index: fc.constantFrom<number | undefined>(undefined, 0, 1),
});

function attrsOf(axis: number | undefined, flags: { keepdims: number | undefined; select_last_index: number | undefined }): Attrs {
  const a: Record<string, number> = {};
  if (axis !== undefined) a.axis = axis;
  if (flags.keepdims !== undefined) a.keepdims = flags.keepdims;
  if (flags.select_last_index !== undefined) a.select_last_index = flags.select_last_index;
  return a;
}

/** Index of the extreme of every lane along `axis`; `better(a, b)` says a strictly beats b. */
function argKernel(x: Tensor, attrs: Attrs, better: (a: number, b: number) => boolean): Tensor {
  const axis = normAxis(intAttr(attrs, 'axis', 0), x.shape.length);
  const last = intAttr(attrs, 'select_last_index', 0) === 1;
  const n = x.shape[axis]!;
  const stride = strides(x.shape)[axis]!;
  const shape = outShape(x.shape, axis, intAttr(attrs, 'keepdims', 1) === 1);
  const out = new Float64Array(numel(shape));
  const outer = x.data.length / Math.max(1, n * stride);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < stride; i++) {
      const base = o * n * stride + i;
      let best = 0;
      for (let k = 1; k < n; k++) {
        const v = x.data[base + k * stride]!;
        const b = x.data[base + best * stride]!;
        // ties move the answer only when the last index is asked for
        if (better(v, b) || (last && v === b)) best = k;
      }
      out[o * stride + i] = best;
    }
  }
  return { dtype: 'int64', shape, data: out };
}

/**
 * tf.argMax/argMin return the first of equal extremes (int32, axis dropped): the last one is the first along
 * the reversed axis, counted back from the end.
 */
function argTfjs(max: boolean): TfjsLowering {
  return {
    lower(tf, inputs, attrs) {
      const x = inputs[0]!;
      const axis = normAxis(intAttr(attrs, 'axis', 0), x.rank);
      const arg = (t: typeof x): typeof x => (max ? tf.argMax(t, axis) : tf.argMin(t, axis));
      let idx = intAttr(attrs, 'select_last_index', 0) === 1 ? tf.sub(tf.scalar(x.shape[axis]! - 1, 'int32'), arg(tf.reverse(x, [axis]))) : arg(x);
      if (intAttr(attrs, 'keepdims', 1) === 1) idx = tf.expandDims(idx, axis);
      return [idx];
    },
  };
}

function argOp(onnx: 'ArgMax' | 'ArgMin', better: (a: number, b: number) => boolean, tfjs: TfjsLowering): OpSpec {
  return defineOp({
    onnx,
    since: 13,
    dtypes: NUMERIC_DTYPES,
    ranks: [1, MAX_RANK],
    attributes: {
      axis: { type: 'int', default: 0 },
      keepdims: { type: 'int', default: 1 },
      select_last_index: { type: 'int', default: 0 },
    },
    range: () => [[0, Infinity]],
    build(anchor) {
      const axis = fc.option(axisArb(anchor.shape.length), { nil: undefined, freq: 5 });
      return fc.record({ axis, flags: flagsArb }).map(({ axis, flags }): Instance => ({ inputs: [{ kind: 'anchor' }], attrs: attrsOf(axis, flags) }));
    },
    backward(out, ctx) {
      if (out.dtype !== 'int64') return undefined;
      const r = out.shape.length;
      const ones = out.shape.flatMap((d, i) => (d === 1 ? [i] : []));
      const budget = Math.max(1, Math.floor(ctx.maxElems / Math.max(1, numel(out.shape))));
      const modes = [...(ones.length > 0 ? ['keep'] : []), ...(r < MAX_RANK ? ['drop'] : [])];
      if (modes.length === 0) return undefined;
      return fc
        .record({
          mode: fc.constantFrom(...modes),
          pick: fc.nat(),
          dim: fc.integer({ min: 1, max: Math.min(MAX_DIM, budget) }),
          style: fc.constantFrom('pos', 'neg', 'omit'),
          dtype: fc.constantFrom(...NUMERIC_DTYPES),
          flags: flagsArb,
        })
        .map(({ mode, pick, dim, style, dtype, flags }): Instance => {
          let shape: number[];
          let axis: number;
          if (mode === 'keep') {
            axis = ones[pick % ones.length]!;
            shape = out.shape.map((d, i) => (i === axis ? dim : d));
            flags = { ...flags, keepdims: flags.keepdims === 0 ? 1 : flags.keepdims };
          } else {
            axis = pick % (r + 1);
            shape = [...out.shape.slice(0, axis), dim, ...out.shape.slice(axis)];
            flags = { ...flags, keepdims: 0 };
          }
          // the default axis is 0, so axis 0 may also be left out
          const written = style === 'neg' ? axis - shape.length : style === 'omit' && axis === 0 ? undefined : axis;
          return { inputs: [{ kind: 'tensor', type: { dtype, shape } }], attrs: attrsOf(written, flags) };
        });
    },
    infer(inputs, attrs) {
      const x = inputs[0];
      if (!x) return `${onnx}: missing input`;
      if (!NUMERIC_DTYPES.includes(x.dtype)) return `${onnx}: dtype ${x.dtype} not supported`;
      const r = x.shape.length;
      const a = intAttr(attrs, 'axis', 0);
      if (r === 0) return `${onnx}: input rank must be >= 1`;
      if (!Number.isInteger(a) || a < -r || a >= r) return `${onnx}: axis ${a} out of range for rank ${r}`;
      const k = intAttr(attrs, 'keepdims', 1);
      const s = intAttr(attrs, 'select_last_index', 0);
      if ((k !== 0 && k !== 1) || (s !== 0 && s !== 1)) return `${onnx}: keepdims and select_last_index must be 0 or 1`;
      return [{ dtype: 'int64', shape: outShape(x.shape, a < 0 ? a + r : a, k === 1) }];
    },
    reference(inputs, attrs) {
      return [argKernel(inputs[0]!, attrs, better)];
    },
    picksIndex: (attrs, rank) => normAxis(intAttr(attrs, 'axis', 0), rank),
    tfjs,
  });
}

export const ArgMax = argOp('ArgMax', (a, b) => a > b, argTfjs(true));
export const ArgMin = argOp('ArgMin', (a, b) => a < b, argTfjs(false));

/** This family's operators, in registry order. */
export const argOps: readonly OpSpec[] = [ArgMax, ArgMin];
