/** MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool: 1-D to 3-D windows over (N, C, spatial...). */
import type * as tfjs from '@tensorflow/tfjs-core';
import * as fc from 'fast-check';
import type { Attrs, DType, Tensor, TensorType } from '../../src/ir/index.js';
import { numel } from '../../src/ir/index.js';
import type { AutoPad, AxisDraw, Keep, Window } from './conv-geometry.js';
import {
  autoPadArb,
  autoPadOf,
  axisDrawsArb,
  channelsLastPaddings,
  cropSpatial,
  effKernel,
  dilatedStride1,
  fitBackward,
  fitForward,
  intOr,
  intsOr,
  keepArb,
  liftWindow,
  subsample,
  toChannelsFirst,
  toChannelsLast,
  unravel,
  windowAttrs,
  windowGeometry,
  windowOffsets,
} from './conv-geometry.js';
import type { InferInput, Instance, OpSpec, TfjsLowering } from './spec.js';
import { defineOp, exactOp, passRange, UNBOUNDED } from './spec.js';
import { hull } from './ranges.js';

const MAX_DTYPES: readonly DType[] = ['float32', 'float64'];
// onnxruntime's CPU provider has no double kernel for AveragePool or the global pools (MaxPool has one)
const AVG_DTYPES: readonly DType[] = ['float32'];
const GLOBAL_DTYPES: readonly DType[] = ['float32'];

/** The resolved window of a pooling node, or a message; `dilated` is false for AveragePool before opset 19. */
function poolWindow(x: readonly number[], attrs: Attrs, dilated: boolean): Window | string {
  const n = x.length - 2;
  if (attrs.kernel_shape === undefined) return 'kernel_shape is required';
  const kernel = intsOr(attrs, 'kernel_shape', n, 1);
  if (typeof kernel === 'string') return kernel;
  const strides = intsOr(attrs, 'strides', n, 1);
  if (typeof strides === 'string') return strides;
  const dilations = dilated ? intsOr(attrs, 'dilations', n, 1) : new Array<number>(n).fill(1);
  if (typeof dilations === 'string') return dilations;
  const pads = intsOr(attrs, 'pads', 2 * n, 0);
  if (typeof pads === 'string') return pads;
  const autoPad = autoPadOf(attrs);
  if (!autoPad) return `unknown auto_pad ${JSON.stringify(attrs.auto_pad)}`;
  return windowGeometry(x.slice(2), kernel, strides, dilations, pads, autoPad, intOr(attrs, 'ceil_mode', 0) === 1);
}

function inferPool(op: string, dtypes: readonly DType[], x: InferInput | undefined, attrs: Attrs, dilated: boolean): TensorType[] | string {
  if (!x) return `${op}: missing input`;
  if (!dtypes.includes(x.dtype)) return `${op}: dtype ${x.dtype} not supported`;
  if (x.shape.length < 3) return `${op}: input must be (N,C,spatial...)`;
  const w = poolWindow(x.shape, attrs, dilated);
  if (typeof w === 'string') return `${op}: ${w}`;
  if (w.out.some((o) => o < 1)) return `${op}: empty output`;
  return [{ dtype: x.dtype, shape: [x.shape[0]!, x.shape[1]!, ...w.out] }];
}

type TF = typeof tfjs;
type TfTensor = tfjs.Tensor;
type Explicit2d = [[number, number], [number, number], [number, number], [number, number]];
type Pad = 'same' | 'valid' | Explicit2d;

/** Padding past the end padding that ceil_mode's last window reaches, per axis (0 without ceil_mode). */
function ceilOverhang(inSp: readonly number[], w: Window): number[] {
  const n = inSp.length;
  return inSp.map((x, i) => Math.max(0, (w.out[i]! - 1) * w.strides[i]! + (w.kernel[i]! - 1) * w.dilations[i]! + 1 - (x + w.pads[i]! + w.pads[i + n]!)));
}

/**
 * A tfjs window reduction (max or avg) over a channels-last tensor already padded as needed: the native
 * kernel with 'valid' (or the padding given); dilations by space-to-batch at stride 1, then every stride-th result.
 */
function tfjsPool(tf: TF, x: TfTensor, w: Window, kind: 'max' | 'avg', pad: Pad): TfTensor {
  const n = w.kernel.length;
  const native = (t: TfTensor, strides: readonly number[], p: Pad): TfTensor => {
    if (n === 2) {
      const k = w.kernel as [number, number];
      const s = strides as [number, number];
      return kind === 'max' ? tf.maxPool(t as tfjs.Tensor4D, k, s, p) : tf.avgPool(t as tfjs.Tensor4D, k, s, p);
    }
    const k = w.kernel as [number, number, number];
    const s = strides as [number, number, number];
    const q = p as 'same' | 'valid';
    return kind === 'max' ? tf.maxPool3d(t as tfjs.Tensor5D, k, s, q) : tf.avgPool3d(t as tfjs.Tensor5D, k, s, q);
  };
  if (w.dilations.every((d) => d === 1)) return native(x, w.strides, pad);
  // tfjs pools take no dilations (tf.pool does, in 2-D only and at stride 1)
  let y = n === 2 ? tf.pool(x as tfjs.Tensor4D, w.kernel as [number, number], kind, 'valid', w.dilations as [number, number], 1) : dilatedStride1(tf, x, w.dilations, (t) => native(t, w.kernel.map(() => 1), 'valid'));
  for (let i = 0; i < n; i++) y = subsample(tf, y, i + 1, w.strides[i]!, w.out[i]!);
  return y;
}

/**
 * MaxPool on tfjs: 2-D windows without dilation or ceil overhang take ONNX's pads natively (explicit, or 'same' for
 * SAME_UPPER); otherwise the input is padded with -Infinity (which never wins) and pooled 'valid'. The Indices
 * output, when asked for, is computed apart (tfjs's maxPoolWithArgmax takes no explicit pads).
 */
const maxPoolTfjs: TfjsLowering = {
  lower(tf, inputs, attrs, ctx) {
    const x = inputs[0]!;
    const w0 = poolWindow(x.shape, attrs, true);
    if (typeof w0 === 'string') throw new Error(`MaxPool: ${w0}`);
    const w = liftWindow(w0);
    const n = w.kernel.length;
    const xl = toChannelsLast(tf, x);
    const inSp = xl.shape.slice(1, n + 1);
    const over = ceilOverhang(inSp, w);
    const plain = w.dilations.every((d) => d === 1) && over.every((v) => v === 0);
    const padded = (t: TfTensor, value: number): TfTensor => tf.pad(t, channelsLastPaddings(w.pads.slice(0, n), w.pads.slice(n).map((p, i) => p + over[i]!)), value);
    let y: TfTensor;
    if (plain && autoPadOf(attrs) === 'SAME_UPPER') y = tfjsPool(tf, xl, w, 'max', 'same');
    else if (plain && n === 2) y = tfjsPool(tf, xl, w, 'max', channelsLastPaddings(w.pads.slice(0, n), w.pads.slice(n)) as Explicit2d);
    else y = tfjsPool(tf, padded(xl, -Infinity), w, 'max', 'valid');
    const out = [toChannelsFirst(tf, cropSpatial(tf, y, w.out), x.rank)];
    if (ctx.outputTypes.length > 1) out.push(toChannelsFirst(tf, maxIndices(tf, padded(xl, -Infinity), padded(toChannelsLast(tf, positions(tf, x.shape, attrs.storage_order === 1)), -1), w), x.rank));
    return out;
  },
};

/** Each element's ONNX Indices value: its flat NC(spatial) index, the spatial part column-major with storage_order 1. */
function positions(tf: TF, shape: readonly number[], colMajor: boolean): TfTensor {
  const sp = shape.slice(2);
  const size = numel(sp);
  const data = new Int32Array(numel(shape));
  const idx = new Array<number>(sp.length).fill(0);
  for (let f = 0; f < size; f++) {
    unravel(f, sp, idx);
    let v = f;
    if (colMajor) {
      v = 0;
      for (let i = sp.length - 1; i >= 0; i--) v = v * sp[i]! + idx[i]!;
    }
    for (let p = 0; p < data.length / size; p++) data[p * size + f] = p * size + v;
  }
  return tf.tensor(data, [...shape], 'int32');
}

/**
 * MaxPool's Indices: the window scanned offset by offset over the padded values and their positions (-1 in the
 * padding), keeping the first maximum as the reference does.
 */
function maxIndices(tf: TF, xp: TfTensor, pp: TfTensor, w: Window): TfTensor {
  const n = w.kernel.length;
  const at = (t: TfTensor, off: readonly number[]): TfTensor => {
    const start = [0, ...off.map((o, i) => o * w.dilations[i]!), 0];
    let u = tf.slice(t, start, t.shape.map((v, j) => v - start[j]!));
    for (let i = 0; i < n; i++) u = subsample(tf, u, i + 1, w.strides[i]!, w.out[i]!);
    return u;
  };
  const off = new Array<number>(n).fill(0);
  let best = at(xp, off);
  let idx = at(pp, off);
  for (let k = 1; k < numel(w.kernel); k++) {
    unravel(k, w.kernel, off);
    const v = at(xp, off);
    const up = tf.greater(v, best);
    best = tf.where(up, v, best);
    idx = tf.where(up, at(pp, off), idx);
  }
  return idx;
}

/**
 * AveragePool on tfjs. tfjs averages over the real cells of a window (count_include_pad 0): 2-D windows with
 * count_include_pad 0 take ONNX's pads natively, ceil overhang included as further end padding. Otherwise the
 * input is zero-padded, averaged 'valid' (sum / kernel size) and rescaled by kernel size / ONNX's divisor.
 */
const averagePoolTfjs: TfjsLowering = {
  lower(tf, inputs, attrs) {
    const x = inputs[0]!;
    const w0 = poolWindow(x.shape, attrs, false);
    if (typeof w0 === 'string') throw new Error(`AveragePool: ${w0}`);
    const w = liftWindow(w0);
    const n = w.kernel.length;
    let xl = toChannelsLast(tf, x);
    const inSp = xl.shape.slice(1, n + 1);
    const over = ceilOverhang(inSp, w);
    const includePad = attrs.count_include_pad === 1;
    const ends = w.pads.slice(n).map((p, i) => p + over[i]!);
    if (!includePad && n === 2) {
      const pad = channelsLastPaddings(w.pads.slice(0, n), ends) as Explicit2d;
      return [toChannelsFirst(tf, cropSpatial(tf, tfjsPool(tf, xl, w, 'avg', pad), w.out), x.rank)];
    }
    if (!includePad && over.every((v) => v === 0) && autoPadOf(attrs) === 'SAME_UPPER') {
      return [toChannelsFirst(tf, cropSpatial(tf, tfjsPool(tf, xl, w, 'avg', 'same'), w.out), x.rank)];
    }
    xl = tf.pad(xl, channelsLastPaddings(w.pads.slice(0, n), ends));
    let y = cropSpatial(tf, tfjsPool(tf, xl, w, 'avg', 'valid'), w.out);
    // ONNX's divisor per output position, a product over axes: the window's real cells (count_include_pad 0),
    // or its cells up to the end padding (count_include_pad 1)
    const perAxis = w.out.map((o, i) =>
      Array.from({ length: o }, (_, j) => {
        const start = j * w.strides[i]! - w.pads[i]!;
        const stop = start + w.kernel[i]!;
        return includePad ? Math.min(stop, inSp[i]! + w.pads[i + n]!) - start : Math.min(stop, inSp[i]!) - Math.max(start, 0);
      }),
    );
    const kSize = numel(w.kernel);
    if (perAxis.some((c, i) => c.some((v) => v !== w.kernel[i]))) {
      const outSize = numel(w.out);
      const scale = new Float32Array(outSize);
      const idx = new Array<number>(n).fill(0);
      for (let f = 0; f < outSize; f++) {
        unravel(f, w.out, idx);
        scale[f] = kSize / idx.reduce((acc, j, i) => acc * perAxis[i]![j]!, 1);
      }
      y = tf.mul(y, tf.tensor(scale, [1, ...w.out, 1], 'float32'));
    }
    return [toChannelsFirst(tf, y, x.rank)];
  },
};

interface PoolDraw {
  readonly autoPad: AutoPad;
  readonly ceil: boolean;
  readonly draws: AxisDraw[];
  readonly keep: Keep;
  readonly keepCeil: boolean;
  /** the operator's own attribute: 0 omitted, 1 and 2 two explicit forms */
  readonly extra: 0 | 1 | 2;
}

function poolDrawArb(n: number, dilated: boolean): fc.Arbitrary<PoolDraw> {
  return fc
    .record({
      autoPad: autoPadArb,
      ceil: fc.boolean(),
      draws: axisDrawsArb(n, { maxK: 4, maxS: 3, maxD: dilated ? 3 : 1, maxPad: 3 }),
      keep: keepArb,
      keepCeil: fc.boolean(),
      extra: fc.constantFrom<0 | 1 | 2>(0, 1, 2),
    })
    .map((d) => ({ ...d, ceil: d.ceil && d.autoPad === 'NOTSET' }));
}

/** Window attributes of a pooling node (kernel_shape is required, so always written). */
function poolAttrs(w: Window, d: PoolDraw, dilated: boolean): Record<string, string | number | number[]> {
  const a: Record<string, string | number | number[]> = windowAttrs(w, d.autoPad, { ...d.keep, kernel: true, dilations: d.keep.dilations && dilated });
  if (d.ceil || d.keepCeil) a.ceil_mode = d.ceil ? 1 : 0;
  return a;
}

/** Builders shared by MaxPool and AveragePool; `extraAttrs` adds the operator's own attributes. */
function windowPoolArbs(dilated: boolean, extraAttrs: (d: PoolDraw) => Record<string, number>) {
  return {
    build(anchor: TensorType, ctx: { maxElems: number }): fc.Arbitrary<Instance> {
      const [N, C] = anchor.shape as [number, number];
      const sp = anchor.shape.slice(2);
      return poolDrawArb(sp.length, dilated).map((draw): Instance => {
        const fit = (ceilMode: boolean): Window =>
          fitForward(sp, draw.draws, { autoPad: draw.autoPad, maxOut: Math.floor(ctx.maxElems / (N * C)), maxKernel: Infinity, pool: true, ceilMode });
        let d = draw;
        let w = fit(d.ceil);
        // ceil_mode whose last window would start in the end padding: newer ONNX drops that window, older shape
        // inference (onnxruntime-web's) keeps it, so the generator stays out of the disagreement
        if (d.ceil && w.out.some((o, i) => o !== Math.ceil((sp[i]! + w.pads[i]! + w.pads[i + sp.length]! - effKernel(w.kernel[i]!, w.dilations[i]!)) / w.strides[i]!) + 1)) {
          d = { ...d, ceil: false };
          w = fit(false);
        }
        return { inputs: [{ kind: 'anchor' }], attrs: { ...poolAttrs(w, d, dilated), ...extraAttrs(d) } };
      });
    },
    backward(out: TensorType, ctx: { maxElems: number }, dtypes: readonly DType[]): fc.Arbitrary<Instance> | undefined {
      if (!dtypes.includes(out.dtype) || out.shape.length < 3 || numel(out.shape) === 0) return undefined;
      const [N, C] = out.shape as [number, number];
      const outSp = out.shape.slice(2);
      return poolDrawArb(outSp.length, dilated).map((raw): Instance => {
        const d = { ...raw, ceil: false };
        const { window: w, inSp } = fitBackward(outSp, d.draws, { autoPad: d.autoPad, maxIn: Math.floor(ctx.maxElems / (N * C)), maxKernel: Infinity, pool: true });
        return {
          inputs: [{ kind: 'tensor', type: { dtype: out.dtype, shape: [N, C, ...inSp] } }],
          attrs: { ...poolAttrs(w, d, dilated), ...extraAttrs(d) },
        };
      });
    },
  };
}

const maxArbs = windowPoolArbs(true, (d): Record<string, number> => (d.extra === 0 ? {} : { storage_order: 0 }));

/** MaxPool (opset 12 form); the optional Indices output is computed by the reference but not generated. */
export const MaxPool = defineOp({
  // moves or selects input values: the output stays within their bounds
  range: passRange(),
  onnx: 'MaxPool',
  exact: true,
  since: 12,
  dtypes: MAX_DTYPES,
  ranks: [3, 5],
  attributes: {
    auto_pad: { type: 'string', default: 'NOTSET' },
    ceil_mode: { type: 'int', default: 0 },
    dilations: { type: 'ints' },
    kernel_shape: { type: 'ints', required: true },
    pads: { type: 'ints' },
    storage_order: { type: 'int', default: 0 },
    strides: { type: 'ints' },
  },
  build: (anchor, ctx) => maxArbs.build(anchor, ctx),
  backward: (out, ctx) => maxArbs.backward(out, ctx, MAX_DTYPES),
  infer: (inputs, attrs) => inferPool('MaxPool', MAX_DTYPES, inputs[0], attrs, true),
  tfjs: maxPoolTfjs,
  reference(inputs, attrs) {
    const x = inputs[0]!;
    const w = poolWindow(x.shape, attrs, true);
    if (typeof w === 'string') throw new Error(`MaxPool: ${w}`);
    const inSp = x.shape.slice(2);
    const planes = x.shape[0]! * x.shape[1]!;
    const inSize = numel(inSp);
    const outSize = numel(w.out);
    const kSize = numel(w.kernel);
    const table = windowOffsets(w.out, inSp, w);
    const y = new Float64Array(planes * outSize);
    const idx = new Float64Array(planes * outSize);
    // storage_order 1 numbers the spatial positions column-major (planes stay row-major, as onnxruntime does)
    const colMajor = attrs.storage_order === 1;
    const pos = new Array<number>(inSp.length).fill(0);
    const spatialIndex = (off: number): number => {
      if (!colMajor) return off;
      unravel(off, inSp, pos);
      let v = 0;
      for (let i = inSp.length - 1; i >= 0; i--) v = v * inSp[i]! + pos[i]!;
      return v;
    };
    for (let p = 0; p < planes; p++) {
      for (let o = 0; o < outSize; o++) {
        let best = -Infinity;
        let at = -1;
        for (let k = 0; k < kSize; k++) {
          const off = table[o * kSize + k]!;
          if (off >= 0 && (at < 0 || x.data[p * inSize + off]! > best)) {
            best = x.data[p * inSize + off]!;
            at = off;
          }
        }
        y[p * outSize + o] = best;
        idx[p * outSize + o] = at < 0 ? -1 : p * inSize + spatialIndex(at);
      }
    }
    const shape = [x.shape[0]!, x.shape[1]!, ...w.out];
    return [
      { dtype: x.dtype, shape, data: y },
      { dtype: 'int64', shape, data: idx },
    ];
  },
});

const avgArbs = windowPoolArbs(false, (d): Record<string, number> => (d.extra === 0 ? {} : { count_include_pad: d.extra === 1 ? 1 : 0 }));

/** AveragePool (opset 11 form: no dilations until opset 19). */
export const AveragePool = defineOp({
  onnx: 'AveragePool',
  since: 11,
  dtypes: AVG_DTYPES,
  ranks: [3, 5],
  // an average of input elements, and of zeros where pad cells count (padding, SAME, or windows ceil_mode lets past
  // the end)
  range: ([x = UNBOUNDED], attrs) => {
    const pads = attrs['pads'];
    const padded =
      (Array.isArray(pads) && pads.some((p) => p !== 0)) || (typeof attrs['auto_pad'] === 'string' && attrs['auto_pad'].startsWith('SAME')) || attrs['ceil_mode'] === 1;
    return [attrs['count_include_pad'] === 1 && padded ? hull(x, [0, 0]) : x];
  },
  attributes: {
    auto_pad: { type: 'string', default: 'NOTSET' },
    ceil_mode: { type: 'int', default: 0 },
    count_include_pad: { type: 'int', default: 0 },
    kernel_shape: { type: 'ints', required: true },
    pads: { type: 'ints' },
    strides: { type: 'ints' },
  },
  build: (anchor, ctx) => avgArbs.build(anchor, ctx),
  backward: (out, ctx) => avgArbs.backward(out, ctx, AVG_DTYPES),
  infer: (inputs, attrs) => inferPool('AveragePool', AVG_DTYPES, inputs[0], attrs, false),
  tfjs: averagePoolTfjs,
  reference(inputs, attrs) {
    const x = inputs[0]!;
    const w = poolWindow(x.shape, attrs, false);
    if (typeof w === 'string') throw new Error(`AveragePool: ${w}`);
    const inSp = x.shape.slice(2);
    const n = inSp.length;
    const planes = x.shape[0]! * x.shape[1]!;
    const inSize = numel(inSp);
    const outSize = numel(w.out);
    const kSize = numel(w.kernel);
    const table = windowOffsets(w.out, inSp, w);
    const includePad = attrs.count_include_pad === 1;
    // with count_include_pad the divisor counts pad cells but not window cells past the end padding (ceil_mode)
    const padded = new Float64Array(outSize);
    const o = new Array<number>(n).fill(0);
    for (let f = 0; f < outSize; f++) {
      unravel(f, w.out, o);
      let c = 1;
      for (let i = 0; i < n; i++) {
        const start = o[i]! * w.strides[i]! - w.pads[i]!;
        c *= Math.min(start + w.kernel[i]!, inSp[i]! + w.pads[i + n]!) - start;
      }
      padded[f] = c;
    }
    const y = new Float64Array(planes * outSize);
    for (let p = 0; p < planes; p++) {
      for (let f = 0; f < outSize; f++) {
        let sum = 0;
        let cnt = 0;
        for (let k = 0; k < kSize; k++) {
          const off = table[f * kSize + k]!;
          if (off >= 0) {
            sum += x.data[p * inSize + off]!;
            cnt++;
          }
        }
        y[p * outSize + f] = sum / (includePad ? padded[f]! : cnt);
      }
    }
    return [{ dtype: x.dtype, shape: [x.shape[0]!, x.shape[1]!, ...w.out], data: y }];
  },
});

/** A global pool: one value per (N, C) plane. */
function globalPool(
  onnx: string,
  dtypes: readonly DType[],
  init: number,
  fold: (acc: number, v: number) => number,
  finish: (acc: number, count: number) => number,
  tfReduce: (tf: TF, x: TfTensor, axes: number[]) => TfTensor,
): OpSpec {
  return defineOp({
    onnx,
    since: 1,
    dtypes,
    ranks: [3, 5],
    attributes: {},
    range: passRange(),
    build: () => fc.constant({ inputs: [{ kind: 'anchor' }], attrs: {} }),
    backward(out, ctx) {
      if (!dtypes.includes(out.dtype) || out.shape.length < 3 || out.shape.slice(2).some((d) => d !== 1)) return undefined;
      const [N, C] = out.shape as [number, number];
      if (N * C === 0) return undefined;
      const budget = Math.floor(ctx.maxElems / (N * C));
      return fc.array(fc.integer({ min: 1, max: 8 }), { minLength: out.shape.length - 2, maxLength: out.shape.length - 2 }).map((dims): Instance => {
        let left = budget;
        const sp = dims.map((d) => {
          const v = Math.max(1, Math.min(d, left));
          left = Math.floor(left / v);
          return v;
        });
        return { inputs: [{ kind: 'tensor', type: { dtype: out.dtype, shape: [N, C, ...sp] } }], attrs: {} };
      });
    },
    tfjs: { lower: (tf, inputs) => [tfReduce(tf, inputs[0]!, Array.from({ length: inputs[0]!.rank - 2 }, (_, i) => i + 2))] },
    infer(inputs) {
      const x = inputs[0];
      if (!x) return `${onnx}: missing input`;
      if (!dtypes.includes(x.dtype)) return `${onnx}: dtype ${x.dtype} not supported`;
      if (x.shape.length < 3) return `${onnx}: input must be (N,C,spatial...)`;
      return [{ dtype: x.dtype, shape: [x.shape[0]!, x.shape[1]!, ...x.shape.slice(2).map(() => 1)] }];
    },
    reference(inputs) {
      const x = inputs[0]!;
      const planes = x.shape[0]! * x.shape[1]!;
      const size = numel(x.shape.slice(2));
      const y = new Float64Array(planes);
      for (let p = 0; p < planes; p++) {
        let acc = init;
        for (let i = 0; i < size; i++) acc = fold(acc, x.data[p * size + i]!);
        y[p] = finish(acc, size);
      }
      return [{ dtype: x.dtype, shape: [x.shape[0]!, x.shape[1]!, ...x.shape.slice(2).map(() => 1)], data: y } satisfies Tensor];
    },
  });
}

export const GlobalAveragePool = globalPool('GlobalAveragePool', GLOBAL_DTYPES, 0, (a, v) => a + v, (a, n) => a / n, (tf, x, axes) => tf.mean(x, axes, true));
export const GlobalMaxPool = exactOp(globalPool('GlobalMaxPool', GLOBAL_DTYPES, -Infinity, (a, v) => Math.max(a, v), (a) => a, (tf, x, axes) => tf.max(x, axes, true)));

/** This family's operators, in registry order. */
export const poolOps: readonly OpSpec[] = [MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool];
