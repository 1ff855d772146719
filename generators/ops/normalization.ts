/** BatchNormalization (inference and training forms), LayerNormalization, InstanceNormalization. */
import type * as tfjs from '@tensorflow/tfjs-core';
import * as fc from 'fast-check';
import type { DType, Tensor, TensorType } from '../../src/ir/index.js';
import { broadcastIndex, broadcastShapes, normAxis, numel } from '../../src/ir/index.js';
import { axisArb, floatAttrArb } from '../arb.js';
import type { Instance, Operand, OpSpec, TfjsLowering } from './spec.js';
import { attrFloat, attrInt, defineOp } from './spec.js';

/** An epsilon attribute: omitted (default 1e-5) or drawn across several decades. */
const epsilonArb: fc.Arbitrary<Record<string, number>> = fc.oneof(
  fc.constant({}),
  floatAttrArb(1e-6, 0.1, [1e-5, 1e-3]).map((epsilon) => ({ epsilon })),
);

const vec = (dtype: DType, c: number, fresh = false): Operand => ({ kind: 'tensor', type: { dtype, shape: [c] }, ...(fresh ? { fresh } : {}) });

/** Mean and biased variance of each (outer index) group of `inner` consecutive elements along `mid`. */
function channelStats(x: Tensor, outer: number, mid: number, inner: number): { mean: Float64Array; variance: Float64Array } {
  const mean = new Float64Array(mid);
  const variance = new Float64Array(mid);
  const count = outer * inner;
  for (let c = 0; c < mid; c++) {
    let s = 0;
    for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) s += x.data[(o * mid + c) * inner + i]!;
    const m = s / count;
    let v = 0;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const d = x.data[(o * mid + c) * inner + i]! - m;
        v += d * d;
      }
    }
    mean[c] = m;
    variance[c] = v / count;
  }
  return { mean, variance };
}

type TfTensor = tfjs.Tensor;

/**
 * BatchNormalization on tfjs: X (N, C, ...) as (N, inner, C) so that tf.batchNorm's per-channel parameters run
 * along the last axis (the layout its kernels broadcast 1-D parameters over). Training mode normalises with the
 * batch statistics (biased variance) and also returns the running statistics ONNX defines.
 */
const batchNormTfjs: TfjsLowering = {
  lower(tf, inputs, attrs, ctx) {
    const [x, scale, bias, mean, variance] = inputs as TfTensor[];
    const [N, C] = x!.shape as [number, number];
    const eps = attrFloat(attrs, 'epsilon');
    const rows = tf.transpose(tf.reshape(x!, [N, C, -1]), [0, 2, 1]);
    const training = attrInt(attrs, 'training_mode') === 1;
    const stats = training ? tf.moments(rows, [0, 1]) : { mean: mean!, variance: variance! };
    const y = tf.batchNorm(rows, stats.mean, stats.variance, bias!, scale!, eps);
    const out: TfTensor[] = [tf.reshape(tf.transpose(y, [0, 2, 1]), x!.shape)];
    if (training) {
      const mom = attrFloat(attrs, 'momentum');
      const mix = (prev: TfTensor, cur: TfTensor): TfTensor => tf.add(tf.mul(prev, mom), tf.mul(cur, 1 - mom));
      out.push(mix(mean!, stats.mean), mix(variance!, stats.variance));
    }
    return out.slice(0, ctx.outputTypes.length);
  },
};

/**
 * LayerNormalization on tfjs: moments over axes [axis, rank) (kept, so Mean and InvStdDev have ONNX's shapes);
 * Scale and B broadcast from the right as ONNX's unidirectional broadcast does.
 */
const layerNormTfjs: TfjsLowering = {
  lower(tf, inputs, attrs, ctx) {
    const [x, scale, bias] = inputs as [TfTensor, TfTensor, TfTensor | undefined];
    const axis = normAxis(attrInt(attrs, 'axis'), x.rank);
    const axes = Array.from({ length: x.rank - axis }, (_, i) => axis + i);
    const { mean, variance } = tf.moments(x, axes, true);
    const inv = tf.rsqrt(tf.add(variance, attrFloat(attrs, 'epsilon')));
    let y = tf.mul(tf.mul(tf.sub(x, mean), inv), scale);
    if (bias) y = tf.add(y, bias);
    return [y, mean, inv].slice(0, ctx.outputTypes.length);
  },
};

const BN_DTYPES: readonly DType[] = ['float32', 'float64'];

/** BatchNormalization (opset 15 form). Generated in inference mode; the reference also runs training mode. */
export const BatchNormalization = defineOp({
  onnx: 'BatchNormalization',
  since: 15,
  dtypes: BN_DTYPES,
  ranks: [2, 5],
  attributes: {
    epsilon: { type: 'float', default: 1e-5 },
    momentum: { type: 'float', default: 0.9 },
    training_mode: { type: 'int', default: 0 },
  },
  build: (anchor) => bnInstance({ kind: 'anchor' }, anchor),
  backward(out) {
    if (!BN_DTYPES.includes(out.dtype) || out.shape.length < 2) return undefined;
    return bnInstance({ kind: 'tensor', type: out }, out);
  },
  infer(inputs, attrs) {
    const [x, ...params] = inputs;
    if (!x) return 'BatchNormalization: missing X';
    if (!BN_DTYPES.includes(x.dtype)) return `BatchNormalization: dtype ${x.dtype} not supported`;
    if (x.shape.length < 2) return 'BatchNormalization: X must be (N,C,...)';
    const C = x.shape[1]!;
    if (params.length !== 4) return 'BatchNormalization: needs scale, B, input_mean and input_var';
    for (const p of params) {
      if (!p || p.dtype !== x.dtype || p.shape.length !== 1 || p.shape[0] !== C) return `BatchNormalization: scale, B, mean and var must be ${x.dtype}[${C}]`;
    }
    if ((attrs.training_mode ?? 0) === 1) {
      return [x, { dtype: x.dtype, shape: [C] }, { dtype: x.dtype, shape: [C] }];
    }
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  domain: () => [{ input: 4, rel: 'ge', value: 0 }],
  tfjs: batchNormTfjs,
  reference(inputs, attrs) {
    const [x, scale, bias, inMean, inVar] = inputs as Tensor[];
    const C = x!.shape[1]!;
    const outer = x!.shape[0]!;
    const inner = numel(x!.shape.slice(2));
    const eps = attrFloat(attrs, 'epsilon');
    const training = attrInt(attrs, 'training_mode') === 1;
    const stats = training ? channelStats(x!, outer, C, inner) : { mean: inMean!.data, variance: inVar!.data };
    const y = new Float64Array(x!.data.length);
    for (let o = 0; o < outer; o++) {
      for (let c = 0; c < C; c++) {
        const k = scale!.data[c]! / Math.sqrt(stats.variance[c]! + eps);
        for (let i = 0; i < inner; i++) {
          const at = (o * C + c) * inner + i;
          y[at] = (x!.data[at]! - stats.mean[c]!) * k + bias!.data[c]!;
        }
      }
    }
    const out: Tensor[] = [{ dtype: x!.dtype, shape: x!.shape, data: y }];
    if (training) {
      // running statistics: input_stat * momentum + batch_stat * (1 - momentum), the batch variance biased
      const mom = attrFloat(attrs, 'momentum');
      const mix = (prev: Float64Array, cur: Float64Array): Float64Array => prev.map((p, c) => p * mom + cur[c]! * (1 - mom));
      out.push({ dtype: x!.dtype, shape: [C], data: mix(inMean!.data, stats.mean) });
      out.push({ dtype: x!.dtype, shape: [C], data: mix(inVar!.data, stats.variance) });
    }
    return out;
  },
});

function bnInstance(x: Operand, type: TensorType): fc.Arbitrary<Instance> {
  const c = type.shape[1]!;
  return fc
    .record({
      eps: epsilonArb,
      momentum: fc.option(floatAttrArb(0, 1, [0.9]), { nil: undefined }),
      explicitMode: fc.boolean(),
    })
    .map(({ eps, momentum, explicitMode }) => ({
      // var gets a fresh placeholder so the input search can keep it >= 0
      inputs: [x, vec(type.dtype, c), vec(type.dtype, c), vec(type.dtype, c), vec(type.dtype, c, true)],
      attrs: { ...eps, ...(momentum === undefined ? {} : { momentum }), ...(explicitMode ? { training_mode: 0 } : {}) },
    }));
}

const LN_DTYPES: readonly DType[] = ['float32', 'float64'];

/**
 * LayerNormalization and InstanceNormalization square their inputs to get a lane's variance, in float32 on every
 * backend: a lane holding 2.8e18 (a CumSum of Celu's exponential branch) overflows there, every backend then gives the
 * bias, and the float64 reference does not (two harness bugs in a default campaign). Squares of elements within 1e17
 * sum to at most 1e34 per element, finite for lanes of up to 34,000 elements (the generator's tensors hold 512 at most).
 */
const LANE_SQUARES = { input: 0, rel: 'abs-le', value: 1e17 } as const;

/** LayerNormalization (opset 17): normalises over axes [axis, rank); outputs Y, Mean, InvStdDev. */
export const LayerNormalization = defineOp({
  onnx: 'LayerNormalization',
  since: 17,
  // stash_type 1 (the default) computes the mean and variance in float32 even for float64 inputs
  precision: (attrs) => ((attrs.stash_type ?? 1) === 1 ? 'float32' : undefined),
  dtypes: LN_DTYPES,
  ranks: [1, 5],
  attributes: {
    axis: { type: 'int', default: -1 },
    epsilon: { type: 'float', default: 1e-5 },
    stash_type: { type: 'int', default: 1 },
  },
  build: (anchor) => lnInstance({ kind: 'anchor' }, anchor),
  domain: () => [LANE_SQUARES],
  backward(out) {
    if (!LN_DTYPES.includes(out.dtype) || out.shape.length < 1) return undefined;
    return lnInstance({ kind: 'tensor', type: out }, out);
  },
  infer(inputs, attrs) {
    const [x, scale, bias] = inputs;
    if (!x) return 'LayerNormalization: missing X';
    if (!LN_DTYPES.includes(x.dtype)) return `LayerNormalization: dtype ${x.dtype} not supported`;
    const r = x.shape.length;
    const axis = (attrs.axis ?? -1) as number;
    if (r === 0 || axis < -r || axis >= r) return `LayerNormalization: axis ${axis} out of range for rank ${r}`;
    const norm = x.shape.slice(normAxis(axis, r));
    for (const p of [scale, bias]) {
      if (!p) continue;
      if (p.dtype !== x.dtype) return 'LayerNormalization: Scale and B must share X dtype';
      const b = broadcastShapes(norm, p.shape);
      if (!b || b.length !== norm.length || b.some((d, i) => d !== norm[i])) return `LayerNormalization: [${p.shape.join(',')}] does not broadcast to [${norm.join(',')}]`;
    }
    if (!scale) return 'LayerNormalization: missing Scale';
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  tfjs: layerNormTfjs,
  reference(inputs, attrs) {
    const [x, scale, bias] = inputs;
    const r = x!.shape.length;
    const axis = normAxis(attrInt(attrs, 'axis'), r);
    const eps = attrFloat(attrs, 'epsilon');
    const norm = x!.shape.slice(axis);
    const outer = numel(x!.shape.slice(0, axis));
    const size = numel(norm);
    const sIdx = broadcastIndex(scale!.shape, norm);
    const bIdx = bias ? broadcastIndex(bias.shape, norm) : undefined;
    const y = new Float64Array(x!.data.length);
    const mean = new Float64Array(outer);
    const inv = new Float64Array(outer);
    for (let o = 0; o < outer; o++) {
      const base = o * size;
      let s = 0;
      for (let i = 0; i < size; i++) s += x!.data[base + i]!;
      const m = s / size;
      let v = 0;
      for (let i = 0; i < size; i++) v += (x!.data[base + i]! - m) ** 2;
      const k = 1 / Math.sqrt(v / size + eps);
      mean[o] = m;
      inv[o] = k;
      for (let i = 0; i < size; i++) {
        const b = bias && bIdx ? bias.data[bIdx[i]!]! : 0;
        y[base + i] = (x!.data[base + i]! - m) * k * scale!.data[sIdx[i]!]! + b;
      }
    }
    // Mean and InvStdDev keep X's rank with the normalised axes reduced to 1; their type U is float (stash_type 1)
    const statShape = [...x!.shape.slice(0, axis), ...norm.map(() => 1)];
    return [
      { dtype: x!.dtype, shape: x!.shape, data: y },
      { dtype: 'float32', shape: statShape, data: mean },
      { dtype: 'float32', shape: statShape, data: inv },
    ];
  },
});

/** A shape that broadcasts unidirectionally to `norm`: leading axes dropped, some axes set to 1, or `norm` itself. */
function paramShapeArb(norm: readonly number[]): fc.Arbitrary<number[]> {
  const n = norm.length;
  const broadcast = fc
    .record({ drop: fc.nat(n), ones: fc.array(fc.boolean(), { minLength: n, maxLength: n }) })
    .map(({ drop, ones }) => norm.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)));
  return fc.oneof({ weight: 3, arbitrary: fc.constant<number[]>([...norm]) }, { weight: 1, arbitrary: broadcast });
}

function lnInstance(xOp: Operand, x: TensorType): fc.Arbitrary<Instance> {
  const r = x.shape.length;
  return axisArb(r).chain((axis) => {
    const norm = x.shape.slice(normAxis(axis, r));
    return fc
      .record({ scale: paramShapeArb(norm), bias: fc.option(paramShapeArb(norm), { nil: undefined }), eps: epsilonArb, explicitAxis: fc.boolean(), stash: fc.boolean() })
      .map(({ scale, bias, eps, explicitAxis, stash }) => {
        const param = (shape: number[]): Operand => ({ kind: 'tensor', type: { dtype: x.dtype, shape } });
        return {
          inputs: [xOp, param(scale), ...(bias ? [param(bias)] : [])],
          attrs: { ...eps, ...(axis !== -1 || explicitAxis ? { axis } : {}), ...(stash ? { stash_type: 1 } : {}) },
        };
      });
  });
}

// onnxruntime's CPU provider registers InstanceNormalization for float only
const IN_DTYPES: readonly DType[] = ['float32'];

/** InstanceNormalization (opset 6): per (N, C) plane statistics, scale and B of shape [C]. */
export const InstanceNormalization = defineOp({
  onnx: 'InstanceNormalization',
  since: 6,
  dtypes: IN_DTYPES,
  ranks: [3, 5],
  attributes: { epsilon: { type: 'float', default: 1e-5 } },
  domain: () => [LANE_SQUARES],
  build(anchor) {
    const c = anchor.shape[1]!;
    return epsilonArb.map((attrs) => ({ inputs: [{ kind: 'anchor' as const }, vec(anchor.dtype, c), vec(anchor.dtype, c)], attrs }));
  },
  backward(out) {
    if (!IN_DTYPES.includes(out.dtype) || out.shape.length < 3) return undefined;
    const c = out.shape[1]!;
    return epsilonArb.map((attrs) => ({ inputs: [{ kind: 'tensor' as const, type: out }, vec(out.dtype, c), vec(out.dtype, c)], attrs }));
  },
  infer(inputs) {
    const [x, scale, bias] = inputs;
    if (!x) return 'InstanceNormalization: missing input';
    if (!IN_DTYPES.includes(x.dtype)) return `InstanceNormalization: dtype ${x.dtype} not supported`;
    if (x.shape.length < 3) return 'InstanceNormalization: X must be (N,C,spatial...)';
    const C = x.shape[1]!;
    for (const p of [scale, bias]) {
      if (!p || p.dtype !== x.dtype || p.shape.length !== 1 || p.shape[0] !== C) return `InstanceNormalization: scale and B must be ${x.dtype}[${C}]`;
    }
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  tfjs: {
    // per (N, C) plane statistics; scale and B along the channel axis
    lower(tf, inputs, attrs) {
      const [x, scale, bias] = inputs as [TfTensor, TfTensor, TfTensor];
      const axes = Array.from({ length: x.rank - 2 }, (_, i) => i + 2);
      const { mean, variance } = tf.moments(x, axes, true);
      const perChannel = [x.shape[1]!, ...axes.map(() => 1)];
      const k = tf.mul(tf.rsqrt(tf.add(variance, attrFloat(attrs, 'epsilon'))), tf.reshape(scale, perChannel));
      return [tf.add(tf.mul(tf.sub(x, mean), k), tf.reshape(bias, perChannel))];
    },
  },
  reference(inputs, attrs) {
    const [x, scale, bias] = inputs as Tensor[];
    const planes = x!.shape[0]! * x!.shape[1]!;
    const C = x!.shape[1]!;
    const size = numel(x!.shape.slice(2));
    const eps = attrFloat(attrs, 'epsilon');
    const y = new Float64Array(x!.data.length);
    for (let p = 0; p < planes; p++) {
      // one plane is a batch of one, channel of one: BatchNorm's training statistics over it
      const st = channelStats({ ...x!, data: x!.data.subarray(p * size, (p + 1) * size) }, 1, 1, size);
      const k = scale!.data[p % C]! / Math.sqrt(st.variance[0]! + eps);
      for (let i = 0; i < size; i++) y[p * size + i] = (x!.data[p * size + i]! - st.mean[0]!) * k + bias!.data[p % C]!;
    }
    return [{ dtype: x!.dtype, shape: x!.shape, data: y }];
  },
});

/** This family's operators, in registry order. */
export const normalizationOps: readonly OpSpec[] = [BatchNormalization, LayerNormalization, InstanceNormalization];
