/** Conv and ConvTranspose: 1-D to 3-D, groups (depthwise included), strides, dilations, pads, auto_pad, bias. */
import type * as tfjs from '@tensorflow/tfjs-core';
import * as fc from 'fast-check';
import type { Attrs, DType, Tensor, TensorType } from '../../src/ir/index.js';
import { numel } from '../../src/ir/index.js';
import type { AutoPad, Keep, Window } from './conv-geometry.js';
import {
  autoPadArb,
  autoPadOf,
  axisDrawsArb,
  channelsLastPaddings,
  dilateFilter,
  divisors,
  effKernel,
  fitBackward,
  fitForward,
  intOr,
  intsOr,
  keepArb,
  liftWindow,
  toChannelsFirst,
  toChannelsLast,
  transposeGeometry,
  windowAttrs,
  windowGeometry,
  windowOffsets,
} from './conv-geometry.js';
import type { InferInput, Instance, Operand, OpSpec, TfjsLowering } from './spec.js';
import { defineOp } from './spec.js';

// onnxruntime's CPU provider registers Conv and ConvTranspose for float only
const DTYPES: readonly DType[] = ['float32'];

const WINDOW_ATTRS = {
  auto_pad: { type: 'string', default: 'NOTSET' },
  dilations: { type: 'ints' },
  group: { type: 'int', default: 1 },
  kernel_shape: { type: 'ints' },
  pads: { type: 'ints' },
  strides: { type: 'ints' },
} as const;

type GroupMode = 'one' | 'depthwise' | 'any';
const groupArb = fc.record({ mode: fc.constantFrom<GroupMode>('one', 'depthwise', 'any'), pick: fc.nat(), keep: fc.boolean() });

/** A group count from `allowed` (divisors of the channel count that fit the budget; 1 is always there). */
function pickGroup(allowed: readonly number[], channels: number, mode: GroupMode, pick: number): number {
  if (mode === 'depthwise' && allowed.includes(channels)) return channels;
  if (mode === 'any') return allowed[pick % allowed.length]!;
  return 1;
}

/** The kernel shape the attributes and W agree on, or a message. */
function kernelOf(w: readonly number[], attrs: Attrs, n: number): number[] | string {
  if (attrs.kernel_shape === undefined) return w.slice(2);
  const k = intsOr(attrs, 'kernel_shape', n, 1);
  if (typeof k === 'string') return k;
  if (k.some((v, i) => v !== w[i + 2])) return `kernel_shape [${k.join(',')}] differs from W's spatial dims [${w.slice(2).join(',')}]`;
  return k;
}

/** The window attributes Conv and ConvTranspose share, for an n-D window over W's kernel; or a message. */
function commonWindowAttrs(w: readonly number[], attrs: Attrs, n: number): { kernel: number[]; strides: number[]; dilations: number[]; pads: number[] } | string {
  const kernel = kernelOf(w, attrs, n);
  if (typeof kernel === 'string') return kernel;
  const strides = intsOr(attrs, 'strides', n, 1);
  if (typeof strides === 'string') return strides;
  const dilations = intsOr(attrs, 'dilations', n, 1);
  if (typeof dilations === 'string') return dilations;
  const pads = intsOr(attrs, 'pads', 2 * n, 0);
  if (typeof pads === 'string') return pads;
  return { kernel, strides, dilations, pads };
}

function convWindow(x: readonly number[], w: readonly number[], attrs: Attrs): Window | string {
  const a = commonWindowAttrs(w, attrs, x.length - 2);
  if (typeof a === 'string') return a;
  const autoPad = autoPadOf(attrs);
  if (!autoPad) return `unknown auto_pad ${JSON.stringify(attrs.auto_pad)}`;
  return windowGeometry(x.slice(2), a.kernel, a.strides, a.dilations, a.pads, autoPad);
}

/** Shared input checks: dtypes, ranks, groups and bias; returns [C, M] (input and output channels) or a message. */
function checkChannels(op: string, inputs: readonly (InferInput | undefined)[], attrs: Attrs, transpose: boolean): [number, number] | string {
  const [x, w, b] = inputs;
  if (!x || !w) return `${op}: needs X and W`;
  if (!DTYPES.includes(x.dtype)) return `${op}: dtype ${x.dtype} not supported`;
  if (w.dtype !== x.dtype || (b && b.dtype !== x.dtype)) return `${op}: X, W and B must share a dtype`;
  if (x.shape.length < 3 || w.shape.length !== x.shape.length) return `${op}: X must be (N,C,spatial...) and W of the same rank`;
  const g = intOr(attrs, 'group', 1);
  const C = x.shape[1]!;
  if (g < 1 || C % g !== 0) return `${op}: group ${g} does not divide C=${C}`;
  let M: number;
  if (transpose) {
    if (w.shape[0] !== C) return `${op}: W.shape[0]=${w.shape[0]} must equal C=${C}`;
    M = w.shape[1]! * g;
  } else {
    if (w.shape[1]! * g !== C) return `${op}: W.shape[1]*group=${w.shape[1]! * g} must equal C=${C}`;
    M = w.shape[0]!;
    if (M % g !== 0) return `${op}: group ${g} does not divide M=${M}`;
  }
  if (b && (b.shape.length !== 1 || b.shape[0] !== M)) return `${op}: B must have shape [${M}]`;
  return [C, M];
}

/** What tells Conv and ConvTranspose apart where they share code. */
interface ConvKind {
  readonly op: 'Conv' | 'ConvTranspose';
  /** W is (C, M/group, k...) rather than (M, C/group, k...). */
  readonly transpose: boolean;
  /** The window from X's and W's shapes and the attributes, or a message. */
  readonly window: (x: readonly number[], w: readonly number[], attrs: Attrs) => Window | string;
}

const CONV: ConvKind = { op: 'Conv', transpose: false, window: convWindow };

/** Shape inference of a Conv or ConvTranspose node: Y is (N, M, the window's output), or a message. */
function inferConv(kind: ConvKind, inputs: readonly (InferInput | undefined)[], attrs: Attrs): TensorType[] | string {
  const ch = checkChannels(kind.op, inputs, attrs, kind.transpose);
  if (typeof ch === 'string') return ch;
  const x = inputs[0]!;
  const win = kind.window(x.shape, inputs[1]!.shape, attrs);
  if (typeof win === 'string') return `${kind.op}: ${win}`;
  return [{ dtype: x.dtype, shape: [x.shape[0]!, ch[1], ...win.out] }];
}

/** X, W, the optional B and the window of a Conv or ConvTranspose node (reference or tfjs tensors); throws when the attributes do not fit. */
function convOperands<T extends { readonly shape: readonly number[] }>(kind: ConvKind, inputs: readonly (T | undefined)[], attrs: Attrs): { x: T; w: T; b: T | undefined; win: Window } {
  const [x, w, b] = inputs as [T, T, T | undefined];
  const win = kind.window(x.shape, w.shape, attrs);
  if (typeof win === 'string') throw new Error(`${kind.op}: ${win}`);
  return { x, w, b, win };
}

function weightOperands(dtype: DType, wShape: number[], m: number, bias: boolean): Operand[] {
  const w: Operand = { kind: 'tensor', type: { dtype, shape: wShape } };
  return bias ? [w, { kind: 'tensor', type: { dtype, shape: [m] } }] : [w];
}

function convAttrs(win: Window, autoPad: AutoPad, keep: Keep, g: number, keepGroup: boolean): Attrs {
  const a: Record<string, string | number | number[]> = windowAttrs(win, autoPad, keep);
  if (g !== 1 || keepGroup) a.group = g;
  return a;
}

type TF = typeof tfjs;
type TfTensor = tfjs.Tensor;
/** tfjs's explicit padding of a 4-D channels-last tensor. */
type Explicit2d = [[number, number], [number, number], [number, number], [number, number]];

/** W (out, in, k1..kn) as a tfjs filter (k1..kn, in, out); 1-D kernels get a height-1 axis. */
function tfjsFilter(tf: TF, w: TfTensor): TfTensor {
  const t = w.rank === 3 ? tf.expandDims(w, 2) : w;
  return tf.transpose(t, [...Array.from({ length: t.rank - 2 }, (_, i) => i + 2), 1, 0]);
}

/** `f` on each of `g` channel groups (last axis of input and filter alike), the results concatenated. */
function perGroup(tf: TF, g: number, x: TfTensor, f: TfTensor, run: (x: TfTensor, f: TfTensor) => TfTensor): TfTensor {
  if (g === 1) return run(x, f);
  const xs = tf.split(x, g, x.rank - 1);
  const fs = tf.split(f, g, f.rank - 1);
  return tf.concat(xs.map((xg, i) => run(xg, fs[i]!)), x.rank - 1);
}

/**
 * Conv on tfjs: channels-last conv2d/conv3d, depthwiseConv2d for one group per channel (2-D), a conv per group
 * otherwise. SAME_UPPER is tfjs's 'same'; other padding goes to conv2d as explicit pads, or through tf.pad for
 * conv3d (which takes none). Dilations are spread into the filter (zeros between taps).
 */
const convTfjs: TfjsLowering = {
  lower(tf, inputs, attrs) {
    const { x, w, b, win: w0 } = convOperands(CONV, inputs, attrs);
    const win = liftWindow(w0);
    const n = win.kernel.length;
    const g = attrs.group as number;
    const C = x.shape[1]!;
    const M = w.shape[0]!;
    let xl = toChannelsLast(tf, x);
    const strides = [...win.strides];
    // the filter carries the dilation: tfjs refuses strides and dilations > 1 together, and its conv gradients
    // refuse dilations > 1 (the input search differentiates this lowering)
    const dil = win.dilations.map(() => 1);
    const filter = (f: TfTensor): TfTensor => dilateFilter(tf, f, win.dilations);
    let pad: 'same' | 'valid' | Explicit2d;
    const padsAt = channelsLastPaddings(win.pads.slice(0, n), win.pads.slice(n));
    if (autoPadOf(attrs) === 'SAME_UPPER') pad = 'same';
    else if (win.pads.every((v) => v === 0)) pad = 'valid';
    else if (n === 2) pad = padsAt as Explicit2d;
    else {
      xl = tf.pad(xl, padsAt);
      pad = 'valid';
    }
    let y: TfTensor;
    if (g > 1 && g === C && n === 2) {
      // depthwise: W (C*mult, 1, kh, kw) → (kh, kw, C, mult); tfjs output channel c*mult + j is ONNX channel m
      const t = w.rank === 3 ? tf.expandDims(w, 2) : w;
      const f = filter(tf.transpose(tf.reshape(t, [C, M / C, ...t.shape.slice(2)]), [2, 3, 0, 1]));
      y = tf.depthwiseConv2d(xl as tfjs.Tensor4D, f as tfjs.Tensor4D, strides as [number, number], pad, 'NHWC', dil as [number, number]);
    } else {
      y = perGroup(tf, g, xl, filter(tfjsFilter(tf, w)), (xg, fg) =>
        n === 2
          ? tf.conv2d(xg as tfjs.Tensor4D, fg as tfjs.Tensor4D, strides as [number, number], pad, 'NHWC', dil as [number, number])
          : tf.conv3d(xg as tfjs.Tensor5D, fg as tfjs.Tensor5D, strides as [number, number, number], pad as 'same' | 'valid', 'NDHWC', dil as [number, number, number]),
      );
    }
    if (b) y = tf.add(y, b);
    return [toChannelsFirst(tf, y, x.rank)];
  },
};

/** Conv (opset 11 form): X (N,C,D1..Dn), W (M, C/group, k1..kn), optional B (M). */
export const Conv = defineOp({
  onnx: 'Conv',
  since: 11,
  dtypes: DTYPES,
  ranks: [3, 5],
  attributes: WINDOW_ATTRS,
  build(anchor, ctx) {
    const [N, C] = anchor.shape as [number, number];
    const sp = anchor.shape.slice(2);
    return fc
      .record({
        autoPad: autoPadArb,
        draws: axisDrawsArb(sp.length, { maxK: 4, maxS: 4, maxD: 3, maxPad: 2 }),
        group: groupArb,
        m: fc.integer({ min: 1, max: 3 }),
        bias: fc.boolean(),
        keep: keepArb,
      })
      .map(({ autoPad, draws, group, m, bias, keep }): Instance => {
        const win = fitForward(sp, draws, { autoPad, maxOut: Math.floor(ctx.maxElems / N), maxKernel: Math.floor(ctx.maxElems / C) });
        const plane = N * numel(win.out);
        const g = pickGroup(divisors(C).filter((d) => d * plane <= ctx.maxElems), C, group.mode, group.pick);
        const mm = Math.max(1, Math.min(m, Math.floor(ctx.maxElems / (g * plane)), Math.floor(ctx.maxElems / (C * numel(win.kernel)))));
        const M = g * mm;
        return {
          inputs: [{ kind: 'anchor' }, ...weightOperands(anchor.dtype, [M, C / g, ...win.kernel], M, bias)],
          attrs: convAttrs(win, autoPad, keep, g, group.keep),
        };
      });
  },
  backward(out, ctx) {
    if (!DTYPES.includes(out.dtype) || out.shape.length < 3 || numel(out.shape) === 0) return undefined;
    const [N, M] = out.shape as [number, number];
    const outSp = out.shape.slice(2);
    return fc
      .record({
        autoPad: autoPadArb,
        draws: axisDrawsArb(outSp.length, { maxK: 4, maxS: 3, maxD: 3, maxPad: 2 }),
        group: groupArb,
        cpg: fc.integer({ min: 1, max: 3 }),
        bias: fc.boolean(),
        keep: keepArb,
      })
      .map(({ autoPad, draws, group, cpg, bias, keep }): Instance => {
        const g = pickGroup(divisors(M), M, group.mode, group.pick);
        const { window: win, inSp } = fitBackward(outSp, draws, {
          autoPad,
          maxIn: Math.floor(ctx.maxElems / (N * g)),
          maxKernel: Math.floor(ctx.maxElems / M),
        });
        const c = Math.max(1, Math.min(cpg, Math.floor(ctx.maxElems / (N * g * numel(inSp))), Math.floor(ctx.maxElems / (M * numel(win.kernel)))));
        const x: Operand = { kind: 'tensor', type: { dtype: out.dtype, shape: [N, g * c, ...inSp] } };
        return {
          inputs: [x, ...weightOperands(out.dtype, [M, c, ...win.kernel], M, bias)],
          attrs: convAttrs(win, autoPad, keep, g, group.keep),
        };
      });
  },
  tfjs: convTfjs,
  infer(inputs, attrs) {
    return inferConv(CONV, inputs, attrs);
  },
  reference(inputs, attrs) {
    const { x, w, b, win } = convOperands(CONV, inputs, attrs);
    const [N, C] = x.shape as [number, number];
    const M = w.shape[0]!;
    const g = attrs.group as number;
    const cpg = C / g;
    const mpg = M / g;
    const inSp = x.shape.slice(2);
    const inSize = numel(inSp);
    const outSize = numel(win.out);
    const kSize = numel(win.kernel);
    const table = windowOffsets(win.out, inSp, win);
    const y = new Float64Array(N * M * outSize);
    for (let n = 0; n < N; n++) {
      for (let m = 0; m < M; m++) {
        const grp = Math.floor(m / mpg);
        for (let o = 0; o < outSize; o++) {
          let acc = b ? b.data[m]! : 0;
          for (let c = 0; c < cpg; c++) {
            const xBase = (n * C + grp * cpg + c) * inSize;
            const wBase = (m * cpg + c) * kSize;
            for (let k = 0; k < kSize; k++) {
              const off = table[o * kSize + k]!;
              if (off >= 0) acc += x.data[xBase + off]! * w.data[wBase + k]!;
            }
          }
          y[(n * M + m) * outSize + o] = acc;
        }
      }
    }
    return [{ dtype: x.dtype, shape: [N, M, ...win.out], data: y }];
  },
});

function transposeWindow(x: readonly number[], w: readonly number[], attrs: Attrs): Window | string {
  const n = x.length - 2;
  const a = commonWindowAttrs(w, attrs, n);
  if (typeof a === 'string') return a;
  const outPad = intsOr(attrs, 'output_padding', n, 0);
  if (typeof outPad === 'string') return outPad;
  const autoPad = autoPadOf(attrs);
  if (!autoPad) return `unknown auto_pad ${JSON.stringify(attrs.auto_pad)}`;
  let outShape: number[] | undefined;
  if (attrs.output_shape !== undefined) {
    // ONNX accepts the spatial sizes alone or the full output shape
    const len = Array.isArray(attrs.output_shape) ? attrs.output_shape.length : 0;
    const os = intsOr(attrs, 'output_shape', len === n + 2 ? n + 2 : n, 0);
    if (typeof os === 'string') return os;
    outShape = os.slice(os.length - n);
  }
  return transposeGeometry(x.slice(2), a.kernel, a.strides, a.dilations, a.pads, outPad, outShape, autoPad);
}

const CONV_TRANSPOSE: ConvKind = { op: 'ConvTranspose', transpose: true, window: transposeWindow };

/**
 * tf.conv3dTranspose with 'valid' padding and gradients, which tfjs 4.22 lacks (no gradient for
 * Conv3DBackpropInputV2: the input search could not step through a 3-D ConvTranspose). A transposed convolution is
 * the adjoint of the convolution with the same filter and strides, so dL/dx is conv3d(dy, f) and dL/df is that
 * convolution's filter gradient taken against x.
 */
function conv3dTranspose(tf: TF, x: TfTensor, f: TfTensor, shape: [number, number, number, number, number], strides: [number, number, number]): TfTensor {
  type Body = { value: TfTensor; gradFunc: (dy: TfTensor, saved: TfTensor[]) => TfTensor[] };
  const body = (...args: unknown[]): Body => {
    const [xs, fs, save] = args as [tfjs.Tensor5D, tfjs.Tensor5D, (ts: TfTensor[]) => void];
    // the inputs are intermediates of the caller's tape, gone by the time gradients run unless saved
    save([xs, fs]);
    return {
      value: tf.conv3dTranspose(xs, fs, shape, strides, 'valid'),
      gradFunc: (dy, [xv, fv]) => [
        tf.conv3d(dy as tfjs.Tensor5D, fv as tfjs.Tensor5D, strides, 'valid'),
        // the filter gradient of conv3d(dy, f) against x (the kernel tfjs's own Conv3D gradient runs; not exported)
        tf.engine().runKernel('Conv3DBackpropFilterV2', { x: dy, dy: xv! }, { strides, pad: 'valid', filterShape: fv!.shape }) as TfTensor,
      ],
    };
  };
  return tf.customGrad(body as unknown as Parameters<TF['customGrad']>[0])(x, f);
}

/**
 * ConvTranspose on tfjs: conv2dTranspose/conv3dTranspose (which take no dilations: the filter carries them) to
 * the full transposed size with 'valid' padding, one call per group; then the ONNX window is cut out of it
 * (pads at the start, output_padding and output_shape as zeros past the end, where no input reaches).
 */
const convTransposeTfjs: TfjsLowering = {
  lower(tf, inputs, attrs) {
    const { x, w, b, win: w0 } = convOperands(CONV_TRANSPOSE, inputs, attrs);
    const win = liftWindow(w0);
    const n = win.kernel.length;
    const g = attrs.group as number;
    const xl = toChannelsLast(tf, x);
    // W (C, M/group, k...) is the forward conv's filter: tfjs wants (k..., M/group, C)
    const f = dilateFilter(tf, tfjsFilter(tf, w), win.dilations);
    const N = x.shape[0]!;
    const mpg = w.shape[1]!;
    const inSp = xl.shape.slice(1, n + 1);
    const full = inSp.map((v, i) => win.strides[i]! * (v - 1) + f.shape[i]!);
    let y = perGroup(tf, g, xl, f, (xg, fg) =>
      n === 2
        ? tf.conv2dTranspose(xg as tfjs.Tensor4D, fg as tfjs.Tensor4D, [N, full[0]!, full[1]!, mpg], win.strides as [number, number], 'valid')
        : conv3dTranspose(tf, xg, fg, [N, full[0]!, full[1]!, full[2]!, mpg], win.strides as [number, number, number]),
    );
    const begin = win.pads.slice(0, n);
    const front = begin.map((p) => Math.max(0, -p));
    const back = begin.map((p, i) => Math.max(0, p + win.out[i]! - full[i]!));
    if (front.some((v) => v > 0) || back.some((v) => v > 0)) y = tf.pad(y, channelsLastPaddings(front, back));
    y = tf.slice(y, [0, ...begin.map((p, i) => p + front[i]!), 0], [N, ...win.out, y.shape[y.rank - 1]!]);
    if (b) y = tf.add(y, b);
    return [toChannelsFirst(tf, y, x.rank)];
  },
};

type TransposeMode = 'pads' | 'output_shape' | AutoPad;

/** ConvTranspose (opset 11 form): X (N,C,D1..Dn), W (C, M/group, k1..kn), optional B (M). */
export const ConvTranspose = defineOp({
  onnx: 'ConvTranspose',
  since: 11,
  dtypes: DTYPES,
  ranks: [3, 5],
  attributes: {
    ...WINDOW_ATTRS,
    output_padding: { type: 'ints' },
    output_shape: { type: 'ints' },
  },
  build(anchor, ctx) {
    const [N, C] = anchor.shape as [number, number];
    const sp = anchor.shape.slice(2);
    const n = sp.length;
    return fc
      .record({
        mode: fc.constantFrom<TransposeMode>('pads', 'pads', 'pads', 'output_shape', 'VALID', 'SAME_UPPER', 'SAME_LOWER'),
        draws: axisDrawsArb(n, { maxK: 3, maxS: 3, maxD: 2, maxPad: 2 }),
        outPad: fc.array(fc.nat(2), { minLength: n, maxLength: n }),
        group: groupArb,
        m: fc.integer({ min: 1, max: 3 }),
        bias: fc.boolean(),
        keep: keepArb,
      })
      .map(({ mode, draws, outPad, group, m, bias, keep }): Instance => {
        const autoPad: AutoPad = mode === 'pads' || mode === 'output_shape' ? 'NOTSET' : mode;
        const k: number[] = [];
        const s = draws.map((a) => a.s);
        const d = draws.map((a) => a.d);
        // output_padding with SAME_*: the ONNX text counts it in the total padding, ONNX's shape inference does not
        // (onnxruntime-web rejects what onnxruntime-node accepts), so the generator stays out of that ambiguity
        const op = draws.map((a, i) => (a.s > 1 && autoPad === 'NOTSET' ? outPad[i]! % a.s : 0));
        const pads = new Array<number>(2 * n).fill(0);
        const target = new Array<number>(n).fill(0);
        let kBudget = Math.floor(ctx.maxElems / C);
        for (let i = 0; i < n; i++) {
          k.push(Math.max(1, Math.min(draws[i]!.k, kBudget)));
          kBudget = Math.floor(kBudget / k[i]!);
        }
        const fit = (i: number): void => {
          const dk = effKernel(k[i]!, d[i]!);
          const full = s[i]! * (sp[i]! - 1) + op[i]! + dk;
          const a = draws[i]!;
          pads[i] = mode === 'pads' ? Math.min(a.pb, dk - 1) : 0;
          pads[i + n] = mode === 'pads' ? Math.max(0, Math.min(a.pe, dk - 1, full - pads[i]! - 1)) : 0;
          // output_shape: a total padding in [0, dk-1] is cut off the full transposed result
          target[i] = full - (mode === 'output_shape' ? a.r % dk : 0);
        };
        for (let i = 0; i < n; i++) fit(i);
        const geom = (): Window => {
          const w = transposeGeometry(sp, k, s, d, pads, op, mode === 'output_shape' ? target : undefined, autoPad);
          if (typeof w === 'string') throw new Error(`ConvTranspose build: ${w}`);
          return w;
        };
        let win = geom();
        // an identity axis (unit kernel, stride and dilation) keeps the input size in every mode
        for (let i = 0; i < n && N * numel(win.out) > ctx.maxElems; i++) {
          k[i] = 1;
          s[i] = 1;
          d[i] = 1;
          op[i] = 0;
          fit(i);
          win = geom();
        }
        const plane = N * numel(win.out);
        const g = pickGroup(divisors(C).filter((v) => v * plane <= ctx.maxElems), C, group.mode, group.pick);
        const mm = Math.max(1, Math.min(m, Math.floor(ctx.maxElems / (g * plane)), Math.floor(ctx.maxElems / (C * numel(k)))));
        // with output_shape the pads are derived, so only the explicit-pads mode writes them
        const written = mode === 'pads' ? win : { ...win, pads: pads.map(() => 0) };
        const attrs: Record<string, string | number | number[]> = windowAttrs(written, autoPad, { ...keep, pads: keep.pads && mode === 'pads' });
        if (mode === 'output_shape') attrs.output_shape = [...target];
        if (op.some((v) => v !== 0) || keep.strides) attrs.output_padding = op;
        if (g !== 1 || group.keep) attrs.group = g;
        return { inputs: [{ kind: 'anchor' }, ...weightOperands(anchor.dtype, [C, mm, ...k], g * mm, bias)], attrs };
      });
  },
  backward(out, ctx) {
    if (!DTYPES.includes(out.dtype) || out.shape.length < 3 || numel(out.shape) === 0) return undefined;
    const [N, M] = out.shape as [number, number];
    const o = out.shape.slice(2);
    const n = o.length;
    return fc
      .record({
        viaShape: fc.boolean(),
        draws: axisDrawsArb(n, { maxK: 3, maxS: 3, maxD: 2, maxPad: 2 }),
        outPad: fc.array(fc.nat(2), { minLength: n, maxLength: n }),
        group: groupArb,
        cpg: fc.integer({ min: 1, max: 3 }),
        bias: fc.boolean(),
        keep: keepArb,
      })
      .map(({ viaShape, draws, outPad, group, cpg, bias, keep }): Instance => {
        const k: number[] = [];
        const pads = new Array<number>(2 * n).fill(0);
        const inSp: number[] = [];
        let kBudget = Math.floor(ctx.maxElems / M);
        draws.forEach((a, i) => {
          k.push(Math.max(1, Math.min(a.k, kBudget)));
          kBudget = Math.floor(kBudget / k[i]!);
          const dk = effKernel(k[i]!, a.d);
          const op = a.s > 1 ? outPad[i]! % a.s : 0;
          // the smallest input whose full transposed size reaches o; the excess becomes padding
          inSp.push(Math.max(1, Math.ceil((o[i]! - op - dk) / a.s) + 1));
          const total = a.s * (inSp[i]! - 1) + op + dk - o[i]!;
          pads[i] = Math.min(a.pb, total);
          pads[i + n] = total - pads[i]!;
        });
        const win: Window = { kernel: k, strides: draws.map((a) => a.s), dilations: draws.map((a) => a.d), pads: viaShape ? pads.map(() => 0) : pads, out: o };
        const op = draws.map((a, i) => (a.s > 1 ? outPad[i]! % a.s : 0));
        const plane = N * numel(inSp);
        const g = pickGroup(divisors(M).filter((v) => v * plane <= ctx.maxElems), M, group.mode, group.pick);
        const c = Math.max(1, Math.min(cpg, Math.floor(ctx.maxElems / (g * plane)), Math.floor(ctx.maxElems / (M * numel(k)))));
        const attrs: Record<string, string | number | number[]> = windowAttrs(win, 'NOTSET', keep);
        if (viaShape) attrs.output_shape = [...o];
        if (op.some((v) => v !== 0) || keep.strides) attrs.output_padding = op;
        if (g !== 1 || group.keep) attrs.group = g;
        const x: Operand = { kind: 'tensor', type: { dtype: out.dtype, shape: [N, g * c, ...inSp] } };
        return { inputs: [x, ...weightOperands(out.dtype, [g * c, M / g, ...k], M, bias)], attrs };
      });
  },
  tfjs: convTransposeTfjs,
  infer(inputs, attrs) {
    return inferConv(CONV_TRANSPOSE, inputs, attrs);
  },
  reference(inputs, attrs) {
    const { x, w, b, win } = convOperands(CONV_TRANSPOSE, inputs, attrs);
    const [N, C] = x.shape as [number, number];
    const g = attrs.group as number;
    const mpg = w.shape[1]!;
    const M = mpg * g;
    const cpg = C / g;
    const inSp = x.shape.slice(2);
    const inSize = numel(inSp);
    const outSize = numel(win.out);
    const kSize = numel(win.kernel);
    const table = windowOffsets(inSp, win.out, win);
    const y = new Float64Array(N * M * outSize);
    if (b) for (let i = 0; i < y.length; i++) y[i] = b.data[Math.floor(i / outSize) % M]!;
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < C; c++) {
        const grp = Math.floor(c / cpg);
        const xBase = (n * C + c) * inSize;
        for (let j = 0; j < mpg; j++) {
          const yBase = (n * M + grp * mpg + j) * outSize;
          const wBase = (c * mpg + j) * kSize;
          for (let p = 0; p < inSize; p++) {
            const xv = x.data[xBase + p]!;
            for (let k = 0; k < kSize; k++) {
              const off = table[p * kSize + k]!;
              if (off >= 0) y[yBase + off] = y[yBase + off]! + xv * w.data[wBase + k]!;
            }
          }
        }
      }
    }
    return [{ dtype: x.dtype, shape: [N, M, ...win.out], data: y } satisfies Tensor];
  },
});

/** This family's operators, in registry order. */
export const convOps: readonly OpSpec[] = [Conv, ConvTranspose];
