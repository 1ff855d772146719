/**
 * Softmax and LogSoftmax in their opset-13 form: one `axis` (default -1, negative allowed) along which the
 * normalisation runs; every other axis is independent. (Opsets below 13 flattened to 2-D instead.)
 */
import type * as tfjs from '@tensorflow/tfjs-core';
import * as fc from 'fast-check';
import type { Attrs, Tensor } from '../../src/ir/index.js';
import { FLOAT_DTYPES, normAxis, strides } from '../../src/ir/index.js';
import { axisArb } from '../arb.js';
import type { Instance, OpSpec, TfjsLowering } from './spec.js';
import { defineOp } from './spec.js';

function axisOf(attrs: Attrs): number {
  const a = attrs.axis;
  return a === undefined ? -1 : (a as number);
}

/** An axis attribute, sometimes left to its default (-1) so the default path is exercised too. */
function attrsArb(rank: number): fc.Arbitrary<Attrs> {
  return fc.option(axisArb(rank), { nil: undefined, freq: 4 }).map((axis): Attrs => (axis === undefined ? {} : { axis }));
}

/**
 * Runs `fn` over every 1-D lane of `x` along `axis` (values read and written through the lane's stride), so
 * the kernels only describe what happens inside one lane.
 */
function mapLanes(x: Tensor, axis: number, fn: (lane: Float64Array) => void): Tensor {
  const n = x.shape[axis]!;
  const stride = strides(x.shape)[axis]!;
  const out = new Float64Array(x.data.length);
  const lane = new Float64Array(n);
  const outer = x.data.length / Math.max(1, n * stride);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < stride; i++) {
      const base = o * n * stride + i;
      for (let k = 0; k < n; k++) lane[k] = x.data[base + k * stride]!;
      fn(lane);
      for (let k = 0; k < n; k++) out[base + k * stride] = lane[k]!;
    }
  }
  return { dtype: x.dtype, shape: [...x.shape], data: out };
}

/** Shifts out the lane's max first, so large inputs stay finite (the definition is shift-invariant). */
function softmaxLane(lane: Float64Array, log: boolean): void {
  let m = -Infinity;
  for (const v of lane) if (v > m) m = v;
  let s = 0;
  for (const v of lane) s += Math.exp(v - m);
  const ls = Math.log(s);
  for (let k = 0; k < lane.length; k++) lane[k] = log ? lane[k]! - m - ls : Math.exp(lane[k]! - m) / s;
}

/**
 * tf.softmax / tf.logSoftmax only normalise along the last dimension: another axis is swapped to the end and
 * back (the swap is its own inverse).
 */
function softmaxTfjs(log: boolean): TfjsLowering {
  return {
    lower(tf, inputs, attrs) {
      const x = inputs[0]!;
      const last = x.rank - 1;
      const axis = normAxis(axisOf(attrs), x.rank);
      const f = (t: tfjs.Tensor): tfjs.Tensor => (log ? tf.logSoftmax(t) : tf.softmax(t));
      if (axis === last) return [f(x)];
      const perm = Array.from({ length: x.rank }, (_, i) => (i === axis ? last : i === last ? axis : i));
      return [tf.transpose(f(tf.transpose(x, perm)), perm)];
    },
  };
}

function softmaxFamily(onnx: 'Softmax' | 'LogSoftmax', log: boolean): OpSpec {
  return defineOp({
    onnx,
    since: 13,
    dtypes: FLOAT_DTYPES,
    ranks: [1, 5],
    attributes: { axis: { type: 'int', default: -1 } },
    range: () => [log ? [-Infinity, 0] : [0, 1]],
    build(anchor) {
      return attrsArb(anchor.shape.length).map((attrs): Instance => ({ inputs: [{ kind: 'anchor' }], attrs }));
    },
    backward(out) {
      if (!FLOAT_DTYPES.includes(out.dtype) || out.shape.length === 0) return undefined;
      return attrsArb(out.shape.length).map((attrs): Instance => ({ inputs: [{ kind: 'tensor', type: out }], attrs }));
    },
    infer(inputs, attrs) {
      const x = inputs[0];
      if (!x) return `${onnx}: missing input`;
      if (!FLOAT_DTYPES.includes(x.dtype)) return `${onnx}: dtype ${x.dtype} not supported`;
      const r = x.shape.length;
      const a = axisOf(attrs);
      if (r === 0) return `${onnx}: input rank must be >= 1`;
      if (!Number.isInteger(a) || a < -r || a >= r) return `${onnx}: axis ${a} out of range for rank ${r}`;
      return [{ dtype: x.dtype, shape: x.shape }];
    },
    reference(inputs, attrs) {
      const x = inputs[0]!;
      return [mapLanes(x, normAxis(axisOf(attrs), x.shape.length), (lane) => softmaxLane(lane, log))];
    },
    tfjs: softmaxTfjs(log),
  });
}

export const Softmax = softmaxFamily('Softmax', false);
export const LogSoftmax = softmaxFamily('LogSoftmax', true);

/** This family's operators, in registry order. */
export const softmaxOps: readonly OpSpec[] = [Softmax, LogSoftmax];
