/**
 * Sliding-window arithmetic shared by convolution and pooling: ONNX's output-size and auto_pad rules, the
 * constructive choice of kernel/stride/dilation/pads around a given input (forward) or output (backward), and
 * a small n-d index helper for the reference kernels.
 */
import type * as tfjs from '@tensorflow/tfjs-core';
import * as fc from 'fast-check';
import type { Attrs } from '../../src/ir/index.js';
import { numel } from '../../src/ir/index.js';

export type AutoPad = 'NOTSET' | 'SAME_UPPER' | 'SAME_LOWER' | 'VALID';
export const AUTO_PADS: readonly AutoPad[] = ['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'];

export function isAutoPad(s: unknown): s is AutoPad {
  return typeof s === 'string' && (AUTO_PADS as readonly string[]).includes(s);
}

/** Span of a dilated kernel. */
export function effKernel(k: number, d: number): number {
  return (k - 1) * d + 1;
}

/** Resolved window parameters per spatial axis; `pads` is ONNX order (all begins, then all ends). */
export interface Window {
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  readonly pads: readonly number[];
  readonly out: readonly number[];
}

/** An ints attribute of length `n`, or `fill` repeated when absent; a message when the length is wrong. */
export function intsOr(attrs: Attrs, name: string, n: number, fill: number): number[] | string {
  const v = attrs[name];
  if (v === undefined) return new Array<number>(n).fill(fill);
  if (!Array.isArray(v) || v.length !== n || v.some((x) => typeof x !== 'number' || !Number.isInteger(x))) {
    return `attribute '${name}' must be ${n} ints, got ${JSON.stringify(v)}`;
  }
  return [...(v as number[])];
}

/**
 * Output size and pads of a strided window over `inSp` (Conv, MaxPool, AveragePool). With ceil_mode, a last
 * window that would start in the end padding is dropped (ONNX MaxPool text; onnxruntime does the same).
 */
export function windowGeometry(
  inSp: readonly number[],
  kernel: readonly number[],
  strides: readonly number[],
  dilations: readonly number[],
  explicitPads: readonly number[],
  autoPad: AutoPad,
  ceilMode = false,
): Window | string {
  const n = inSp.length;
  const pads = new Array<number>(2 * n).fill(0);
  const out = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    const x = inSp[i]!;
    const s = strides[i]!;
    const dk = effKernel(kernel[i]!, dilations[i]!);
    if (s < 1 || kernel[i]! < 1 || dilations[i]! < 1) return `axis ${i}: kernel, stride and dilation must be >= 1`;
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      out[i] = Math.ceil(x / s);
      // ONNX's shape inference clamps the total at 0 when the last window overshoots the input; onnxruntime
      // pads negatively there instead (it crops the head), so generation avoids the case
      const total = Math.max(0, (out[i]! - 1) * s + dk - x);
      const small = Math.floor(total / 2);
      pads[i] = autoPad === 'SAME_UPPER' ? small : total - small;
      pads[i + n] = total - pads[i]!;
      continue;
    }
    const pb = autoPad === 'VALID' ? 0 : explicitPads[i]!;
    const pe = autoPad === 'VALID' ? 0 : explicitPads[i + n]!;
    if (pb < 0 || pe < 0) return `axis ${i}: negative pads`;
    pads[i] = pb;
    pads[i + n] = pe;
    const room = x + pb + pe - dk;
    if (room < 0) return `axis ${i}: kernel span ${dk} exceeds padded input ${x + pb + pe}`;
    // ceil_mode only matters with explicit pads: for VALID both roundings give floor((x - dk) / s) + 1
    const ceil = ceilMode && autoPad === 'NOTSET';
    let o = (ceil ? Math.ceil(room / s) : Math.floor(room / s)) + 1;
    if (ceil && (o - 1) * s >= x + pb) o--;
    out[i] = o;
  }
  return { kernel, strides, dilations, pads, out };
}

/** Output size and effective pads of ConvTranspose (explicit pads, output_shape, or auto_pad). */
export function transposeGeometry(
  inSp: readonly number[],
  kernel: readonly number[],
  strides: readonly number[],
  dilations: readonly number[],
  explicitPads: readonly number[],
  outputPadding: readonly number[],
  outputShape: readonly number[] | undefined,
  autoPad: AutoPad,
): Window | string {
  const n = inSp.length;
  const pads = new Array<number>(2 * n).fill(0);
  const out = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    const full = strides[i]! * (inSp[i]! - 1) + outputPadding[i]! + effKernel(kernel[i]!, dilations[i]!);
    let target: number | undefined;
    if (outputShape) target = outputShape[i]!;
    // SAME aims at input * stride, but never pads negatively: when stride exceeds the kernel span plus
    // output_padding the output stays at the full size (ONNX's shape inference and onnxruntime both clamp)
    else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') target = Math.min(full, inSp[i]! * strides[i]!);
    if (target !== undefined) {
      // the spec's split: SAME_UPPER puts the odd unit at the end, everything else at the start
      const total = full - target;
      const half = Math.floor(total / 2);
      pads[i] = autoPad === 'SAME_UPPER' ? half : total - half;
      pads[i + n] = total - pads[i]!;
      out[i] = target;
    } else {
      if (autoPad === 'NOTSET') {
        pads[i] = explicitPads[i]!;
        pads[i + n] = explicitPads[i + n]!;
      }
      out[i] = full - pads[i]! - pads[i + n]!;
    }
    if (out[i]! < 1) return `axis ${i}: output size ${out[i]} < 1`;
  }
  return { kernel, strides, dilations, pads, out };
}

/** Whether every window position of an axis reads at least one real (unpadded) element. */
export function windowsNonEmpty(x: number, k: number, s: number, d: number, pb: number, out: number): boolean {
  for (let o = 0; o < out; o++) {
    let hit = false;
    for (let j = 0; j < k && !hit; j++) {
      const p = o * s - pb + j * d;
      hit = p >= 0 && p < x;
    }
    if (!hit) return false;
  }
  return true;
}

/** Raw per-axis draws; the fitting functions below turn them into a valid window around a shape. */
export interface AxisDraw {
  readonly k: number;
  readonly s: number;
  readonly d: number;
  readonly pb: number;
  readonly pe: number;
  /** extra input beyond the minimum (backward: the input size a floor division maps to the same output) */
  readonly r: number;
}

export interface DrawLimits {
  readonly maxK: number;
  readonly maxS: number;
  readonly maxD: number;
  readonly maxPad: number;
}

/** Raw window draws for `n` axes: small values, zero pads and unit strides/dilations favoured. */
export function axisDrawsArb(n: number, lim: DrawLimits): fc.Arbitrary<AxisDraw[]> {
  const small = (max: number, min: number): fc.Arbitrary<number> =>
    max <= min ? fc.constant(min) : fc.oneof({ weight: 2, arbitrary: fc.constant(min) }, { weight: 3, arbitrary: fc.integer({ min, max }) });
  const axis = fc.record({
    k: fc.integer({ min: 1, max: lim.maxK }),
    s: small(lim.maxS, 1),
    d: small(lim.maxD, 1),
    pb: small(lim.maxPad, 0),
    pe: small(lim.maxPad, 0),
    r: fc.nat(7),
  });
  return fc.array(axis, { minLength: n, maxLength: n });
}

/**
 * Window fitting never draws dilations > 1 with auto_pad SAME_*: onnxruntime rejects them for Conv
 * ("Dilation not supported for AutoPadType::SAME_UPPER or AutoPadType::SAME_LOWER") and computes MaxPool's
 * SAME padding from the undilated kernel, so its output size departs from ONNX's ceil(in / stride).
 */
export interface FitOptions {
  readonly autoPad: AutoPad;
  /** Largest allowed product of output spatial sizes. */
  readonly maxOut: number;
  /** Largest allowed product of kernel sizes (a weight tensor's budget). */
  readonly maxKernel: number;
  /** Pooling: pads stay below the kernel size and no window may be all padding. */
  readonly pool?: boolean;
  readonly ceilMode?: boolean;
}

/**
 * Forward fitting: a window over input `inSp` whose output sizes are >= 1 and within the budgets. Fallbacks
 * are deterministic (drop an axis's pads, shrink its kernel, unit dilation) so nothing is filtered.
 */
export function fitForward(inSp: readonly number[], draws: readonly AxisDraw[], o: FitOptions): Window {
  const n = inSp.length;
  const k = new Array<number>(n);
  const s = draws.map((a) => a.s);
  const same = o.autoPad === 'SAME_UPPER' || o.autoPad === 'SAME_LOWER';
  const d = draws.map((a) => (same ? 1 : a.d));
  const pads = new Array<number>(2 * n).fill(0);
  let kBudget = Math.max(1, o.maxKernel);
  for (let i = 0; i < n; i++) {
    const a = draws[i]!;
    const x = inSp[i]!;
    let pb = o.autoPad === 'NOTSET' && !o.pool ? a.pb : 0;
    let pe = o.autoPad === 'NOTSET' && !o.pool ? a.pe : 0;
    // the kernel span fits the padded input (SAME pads whatever is needed, so only keep it modest there)
    const room = same ? x + 2 : x + pb + pe;
    let ki = Math.min(a.k, Math.floor((room - 1) / d[i]!) + 1, Math.floor(kBudget));
    ki = Math.max(1, ki);
    if (o.pool && o.autoPad === 'NOTSET') {
      pb = Math.min(a.pb, ki - 1);
      pe = Math.min(a.pe, ki - 1);
    }
    k[i] = ki;
    kBudget /= ki;
    pads[i] = pb;
    pads[i + n] = pe;
    // SAME with the last window overshooting the input would need negative padding, which ONNX leaves
    // undefined (onnxruntime crops the head, the ONNX reference floors differently); a stride no larger than
    // the kernel span always needs padding >= 0
    if (same && (Math.ceil(x / s[i]!) - 1) * s[i]! + effKernel(ki, d[i]!) < x) s[i] = effKernel(ki, d[i]!);
  }
  const geom = (): Window => {
    const g = windowGeometry(inSp, k, s, d, pads, o.autoPad, o.ceilMode ?? false);
    if (typeof g === 'string') throw new Error(`fitForward: ${g}`);
    return g;
  };
  let g = geom();
  if (o.pool) {
    // a contiguous window with pads below its size always reads a real element
    for (let i = 0; i < n; i++) {
      if (!windowsNonEmpty(inSp[i]!, k[i]!, s[i]!, d[i]!, g.pads[i]!, g.out[i]!)) {
        d[i] = 1;
        g = geom();
      }
    }
  }
  // without pads the output never outgrows the input (and windows start on real elements)
  for (let i = 0; i < n && numel(g.out) > o.maxOut; i++) {
    pads[i] = 0;
    pads[i + n] = 0;
    k[i] = Math.min(k[i]!, Math.floor((inSp[i]! - 1) / d[i]!) + 1);
    g = geom();
  }
  return g;
}

/**
 * Backward fitting: a window and an input size whose output is exactly `outSp`, with the input's spatial
 * product within `maxIn` and the kernel product within `maxKernel`.
 */
export function fitBackward(
  outSp: readonly number[],
  draws: readonly AxisDraw[],
  o: { autoPad: AutoPad; maxIn: number; maxKernel: number; pool?: boolean },
): { window: Window; inSp: number[] } {
  const n = outSp.length;
  const k = new Array<number>(n);
  const s = draws.map((a) => a.s);
  const same = o.autoPad === 'SAME_UPPER' || o.autoPad === 'SAME_LOWER';
  const d = draws.map((a) => (same ? 1 : a.d));
  const pads = new Array<number>(2 * n).fill(0);
  const inSp = new Array<number>(n);
  let kBudget = Math.max(1, o.maxKernel);
  const sizeOf = (i: number): number => {
    const r = draws[i]!.r % s[i]!;
    // SAME: keep the last window within reach without negative padding (see fitForward)
    if (same) return (outSp[i]! - 1) * s[i]! + 1 + Math.min(r, effKernel(k[i]!, d[i]!) - 1);
    return (outSp[i]! - 1) * s[i]! + effKernel(k[i]!, d[i]!) - pads[i]! - pads[i + n]! + r;
  };
  for (let i = 0; i < n; i++) {
    const a = draws[i]!;
    k[i] = Math.max(1, Math.min(a.k, Math.floor(kBudget)));
    kBudget /= k[i]!;
    if (o.autoPad === 'NOTSET') {
      pads[i] = o.pool ? Math.min(a.pb, k[i]! - 1) : a.pb;
      pads[i + n] = o.pool ? Math.min(a.pe, k[i]! - 1) : a.pe;
    }
    inSp[i] = sizeOf(i);
    if (inSp[i]! < 1) {
      pads[i] = 0;
      pads[i + n] = 0;
      inSp[i] = sizeOf(i);
    }
  }
  // an identity axis (unit kernel, stride and dilation, no pads) maps an input to the same size
  const identityAxis = (i: number): void => {
    k[i] = 1;
    s[i] = 1;
    d[i] = 1;
    pads[i] = 0;
    pads[i + n] = 0;
    inSp[i] = outSp[i]!;
  };
  for (let i = 0; i < n && numel(inSp) > o.maxIn; i++) identityAxis(i);
  const g = windowGeometry(inSp, k, s, d, pads, o.autoPad);
  if (typeof g === 'string') throw new Error(`fitBackward: ${g}`);
  if (o.pool) {
    for (let i = 0; i < n; i++) if (!windowsNonEmpty(inSp[i]!, k[i]!, s[i]!, d[i]!, g.pads[i]!, g.out[i]!)) identityAxis(i);
  }
  const w = windowGeometry(inSp, k, s, d, pads, o.autoPad);
  if (typeof w === 'string' || w.out.some((v, i) => v !== outSp[i])) throw new Error('fitBackward: output size mismatch');
  return { window: w, inSp };
}

/** Attributes describing a window, each optionally omitted when it equals the ONNX default. */
export function windowAttrs(
  w: Window,
  autoPad: AutoPad,
  keep: Keep,
): Record<string, string | number[]> {
  const out: Record<string, string | number[]> = {};
  const allEq = (xs: readonly number[], v: number): boolean => xs.every((x) => x === v);
  if (keep.kernel) out.kernel_shape = [...w.kernel];
  if (keep.strides || !allEq(w.strides, 1)) out.strides = [...w.strides];
  if (keep.dilations || !allEq(w.dilations, 1)) out.dilations = [...w.dilations];
  if (autoPad === 'NOTSET' && (keep.pads || !allEq(w.pads, 0))) out.pads = [...w.pads];
  if (autoPad !== 'NOTSET' || keep.autoPad) out.auto_pad = autoPad;
  return out;
}

/** Divisors of n, ascending. */
export function divisors(n: number): number[] {
  const out: number[] = [];
  for (let i = 1; i <= n; i++) if (n % i === 0) out.push(i);
  return out;
}

/** Row-major multi-index of a flat index (written into `idx`). */
export function unravel(flat: number, shape: readonly number[], idx: number[]): void {
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i]!;
    idx[i] = flat % d;
    flat = Math.floor(flat / d);
  }
}

/**
 * For each (grid position, kernel position) pair, the flat offset it reaches in `target` (or -1 when outside):
 * position_i = grid_i * stride_i - padBegin_i + kernel_i * dilation_i. Conv and pooling gather over it with
 * grid = output, target = input; ConvTranspose scatters with grid = input, target = output.
 */
export function windowOffsets(grid: readonly number[], target: readonly number[], w: Window): Int32Array {
  const n = grid.length;
  const gSize = numel(grid);
  const kSize = numel(w.kernel);
  const tStr = new Array<number>(n);
  let acc = 1;
  for (let i = n - 1; i >= 0; i--) {
    tStr[i] = acc;
    acc *= target[i]!;
  }
  const table = new Int32Array(gSize * kSize);
  const gi = new Array<number>(n).fill(0);
  const ki = new Array<number>(n).fill(0);
  for (let g = 0; g < gSize; g++) {
    unravel(g, grid, gi);
    for (let k = 0; k < kSize; k++) {
      unravel(k, w.kernel, ki);
      let off = 0;
      for (let i = 0; i < n && off >= 0; i++) {
        const p = gi[i]! * w.strides[i]! - w.pads[i]! + ki[i]! * w.dilations[i]!;
        off = p >= 0 && p < target[i]! ? off + p * tStr[i]! : -1;
      }
      table[g * kSize + k] = off;
    }
  }
  return table;
}

/** An int attribute, or `dflt` when absent (inference sees attributes without defaults filled in). */
export function intOr(attrs: Attrs, name: string, dflt: number): number {
  const v = attrs[name];
  return typeof v === 'number' ? v : dflt;
}

/** The auto_pad attribute (NOTSET when absent), or undefined when it is not one of the four values. */
export function autoPadOf(attrs: Attrs): AutoPad | undefined {
  const v = attrs.auto_pad ?? 'NOTSET';
  return isAutoPad(v) ? v : undefined;
}

/** Which window attributes to write even when they equal the ONNX default. */
export interface Keep {
  readonly kernel: boolean;
  readonly strides: boolean;
  readonly dilations: boolean;
  readonly pads: boolean;
  readonly autoPad: boolean;
}

/** Attributes equal to their default are sometimes written, sometimes omitted. */
export const keepArb: fc.Arbitrary<Keep> = fc.record({
  kernel: fc.boolean(),
  strides: fc.boolean(),
  dilations: fc.boolean(),
  pads: fc.boolean(),
  autoPad: fc.boolean(),
});

/** auto_pad draws: explicit padding most of the time, every automatic form sometimes. */
export const autoPadArb: fc.Arbitrary<AutoPad> = fc.oneof(
  { weight: 5, arbitrary: fc.constant<AutoPad>('NOTSET') },
  { weight: 1, arbitrary: fc.constant<AutoPad>('VALID') },
  { weight: 1, arbitrary: fc.constant<AutoPad>('SAME_UPPER') },
  { weight: 1, arbitrary: fc.constant<AutoPad>('SAME_LOWER') },
);

// ---- tfjs lowering helpers (conv, pooling) -------------------------------------------------------------------

type TF = typeof tfjs;
type TfTensor = tfjs.Tensor;

/**
 * A 1-D window as a 2-D one over a height-1 image (tfjs has no 1-D conv or pooling kernels that take every
 * attribute); 2-D and 3-D windows are returned unchanged.
 */
export function liftWindow(w: Window): Window {
  if (w.kernel.length !== 1) return w;
  return {
    kernel: [1, w.kernel[0]!],
    strides: [1, w.strides[0]!],
    dilations: [1, w.dilations[0]!],
    pads: [0, w.pads[0]!, 0, w.pads[1]!],
    out: [1, w.out[0]!],
  };
}

/** ONNX (N, C, spatial...) to tfjs channels-last (N, spatial..., C); 1-D data gets a height-1 axis first. */
export function toChannelsLast(tf: TF, x: TfTensor): TfTensor {
  const t = x.rank === 3 ? tf.expandDims(x, 2) : x;
  const r = t.rank;
  return tf.transpose(t, [0, ...Array.from({ length: r - 2 }, (_, i) => i + 2), 1]);
}

/** The inverse of `toChannelsLast` for an ONNX tensor of rank `onnxRank`. */
export function toChannelsFirst(tf: TF, y: TfTensor, onnxRank: number): TfTensor {
  const r = y.rank;
  const t = tf.transpose(y, [0, r - 1, ...Array.from({ length: r - 2 }, (_, i) => i + 1)]);
  return onnxRank === 3 ? tf.squeeze(t, [2]) : t;
}

/**
 * A channels-last filter (k1..kn, in, out) with its taps spread `dilations` apart (zeros between them), for
 * kernels that take no dilation or not together with strides. Built from pad and reshape so it keeps a gradient.
 */
export function dilateFilter(tf: TF, f: TfTensor, dilations: readonly number[]): TfTensor {
  let t = f;
  dilations.forEach((d, i) => {
    if (d === 1) return;
    const shape = t.shape;
    const k = shape[i]!;
    const col = tf.expandDims(t, i + 1);
    const spread = tf.pad(col, col.shape.map((_, j): [number, number] => (j === i + 1 ? [0, d - 1] : [0, 0])));
    const merged = tf.reshape(spread, [...shape.slice(0, i), k * d, ...shape.slice(i + 1)]);
    t = tf.slice(merged, shape.map(() => 0), shape.map((v, j) => (j === i ? (k - 1) * d + 1 : v)));
  });
  return t;
}

/**
 * Elements 0, s, 2s, ... (`count` of them) along `axis`, built from pad, reshape and slice (strided slices have
 * no tfjs gradient).
 */
export function subsample(tf: TF, t: TfTensor, axis: number, s: number, count: number): TfTensor {
  const shape = t.shape;
  const len = shape[axis]!;
  const need = count * s;
  let u = t;
  if (len < need) u = tf.pad(u, shape.map((_, j): [number, number] => (j === axis ? [0, need - len] : [0, 0])));
  else if (len > need) u = tf.slice(u, shape.map(() => 0), shape.map((v, j) => (j === axis ? need : v)));
  if (s === 1) return u;
  const split = tf.reshape(u, [...shape.slice(0, axis), count, s, ...shape.slice(axis + 1)]);
  const first = tf.slice(split, split.shape.map(() => 0), split.shape.map((v, j) => (j === axis + 1 ? 1 : v)));
  return tf.reshape(first, [...shape.slice(0, axis), count, ...shape.slice(axis + 1)]);
}

/** tfjs paddings of a channels-last tensor: nothing on batch and channels, `[begin, end]` per spatial axis. */
export function channelsLastPaddings(begin: readonly number[], end: readonly number[]): [number, number][] {
  return [[0, 0], ...begin.map((b, i): [number, number] => [b, end[i]!]), [0, 0]];
}

/** The first `out` positions of each spatial axis of a channels-last tensor. */
export function cropSpatial(tf: TF, t: TfTensor, out: readonly number[]): TfTensor {
  if (out.every((o, i) => t.shape[i + 1] === o)) return t;
  return tf.slice(t, t.shape.map(() => 0), [t.shape[0]!, ...out, t.shape[t.rank - 1]!]);
}

/**
 * A stride-1 'valid' window reduction with dilations over a channels-last tensor, done as tfjs's own `tf.pool`
 * does it for 2-D: residues modulo the dilation go to the batch (spaceToBatchND), an undilated window runs there,
 * and batchToSpaceND interleaves the results. `pool` is the undilated stride-1 'valid' reduction.
 */
export function dilatedStride1(tf: TF, x: TfTensor, dilations: readonly number[], pool: (t: TfTensor) => TfTensor): TfTensor {
  const sp = x.shape.slice(1, x.rank - 1);
  const extra = sp.map((v, i) => (dilations[i]! - (v % dilations[i]!)) % dilations[i]!);
  const crops = extra.map((e): [number, number] => [0, e]);
  const batched = tf.spaceToBatchND(x, [...dilations], crops);
  return tf.batchToSpaceND(pool(batched), [...dilations], crops);
}
