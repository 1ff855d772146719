/**
 * Slice: strided windows with ONNX's clamping of out-of-range starts and ends. Its geometry (and Pad's) reduces to
 * a per-axis map from output index to input index, so one gather kernel (`gatherAxes`) serves Slice, Pad, Tile and
 * Gather.
 */
import type * as tfjs from '@tensorflow/tfjs-core';
import * as fc from 'fast-check';
import type { DType, Tensor } from '../../src/ir/index.js';
import { DTYPES, numel, strides } from '../../src/ir/index.js';
import type { InferInput, Instance, Operand, TfjsContext, TfjsLowering } from './spec.js';
import { defineOp, passRange } from './spec.js';

/** An operator input as inference (types, constant values) or the kernel (tensors) sees it. */
export type In = InferInput | Tensor | undefined;

/** Values of a constant integer input; undefined when the input is not a constant. */
export function constInts(t: In): number[] | undefined {
  const d = (t as { data?: ArrayLike<number> } | undefined)?.data;
  return d === undefined ? undefined : Array.from(d);
}

/** Index types for Slice's constants: int64 first (exporters' choice), int32 where the user allows it. */
export function indexDtypes(allowedTypes: readonly DType[]): ('int32' | 'int64')[] {
  return allowedTypes.includes('int32') ? ['int64', 'int64', 'int32'] : ['int64'];
}

/** A 1-D integer constant operand. */
export function intConst(dtype: 'int32' | 'int64', data: readonly number[]): Operand {
  return { kind: 'const', dtype, shape: [data.length], data: [...data] };
}

/**
 * Output element k reads input element `src(k)` (row-major), where each axis maps its output index through
 * `maps[axis]` (-1: outside the input, so `fill`). Shared by the separable index maps of Slice, Pad, Tile and
 * Gather.
 */
export function gatherAxes(x: Tensor, maps: readonly (readonly number[])[], fill: number): Tensor {
  const shape = maps.map((m) => m.length);
  const n = numel(shape);
  const st = strides(x.shape);
  const out = new Float64Array(n);
  const rank = shape.length;
  const idx = new Array<number>(rank).fill(0);
  for (let k = 0; k < n; k++) {
    let src = 0;
    for (let ax = 0; ax < rank && src >= 0; ax++) {
      const j = maps[ax]![idx[ax]!]!;
      src = j < 0 ? -1 : src + j * st[ax]!;
    }
    out[k] = src < 0 ? fill : x.data[src]!;
    for (let ax = rank - 1; ax >= 0; ax--) {
      if (++idx[ax]! < shape[ax]!) break;
      idx[ax] = 0;
    }
  }
  return { dtype: x.dtype, shape, data: out };
}

/**
 * A tfjs node's inputs as inference sees them: the ONNX types with the values of constant inputs. Given the
 * tensors, the geometry inputs (every input after the first: Slice starts, Pad pads, Resize scales) that the graph
 * computes are read back too: tfjs runs eagerly, and ONNX's node tests feed them as graph inputs.
 */
export function ctxInputs(ctx: TfjsContext, inputs?: readonly (tfjs.Tensor | undefined)[]): In[] {
  return ctx.inputTypes.map((t, i) => {
    const computed = i > 0 ? inputs?.[i] : undefined;
    const data = ctx.constants[i] ?? (computed ? Array.from(computed.dataSync() as ArrayLike<number>) : undefined);
    return t && data ? { ...t, data } : t;
  });
}

/**
 * Why a node with geometry inputs cannot be lowered, judged by `check` when every geometry input is a constant;
 * computed ones are read when the node runs, so the node is accepted.
 */
export function geometrySupports(ctx: TfjsContext, check: (ins: In[]) => string | undefined): string | undefined {
  const known = ctx.inputTypes.every((t, i) => i === 0 || !t || ctx.constants[i] !== undefined);
  return known ? check(ctxInputs(ctx)) : undefined;
}

/** Picks entries `idx` (in range) of axis `a` on tfjs. */
export function tfTake(tf: typeof tfjs, t: tfjs.Tensor, a: number, idx: readonly number[]): tfjs.Tensor {
  return tf.gather(t, tf.tensor1d([...idx], 'int32'), a);
}

/**
 * `gatherAxes` on tfjs for maps whose entries are in range: each axis is cut to the span its map covers
 * (tf.slice), then read backwards (tf.reverse) or picked (tf.gather) where the map is not that span in order.
 * tf.stridedSlice is avoided: tfjs has no gradient for it with steps, and on tfjs-wasm it returns int32 and bool
 * inputs as float32 bit patterns. tf.reverse of bool tensors is broken on tfjs-wasm, so bool goes through gather.
 */
export function tfGatherAxes(tf: typeof tfjs, x: tfjs.Tensor, maps: readonly (readonly number[])[]): tfjs.Tensor {
  if (maps.some((m) => m.length === 0)) return tf.reshape(tf.slice(x, maps.map(() => 0), maps.map(() => 0)), maps.map((m) => m.length));
  const lo = maps.map((m) => Math.min(...m));
  const span = maps.map((m, a) => Math.max(...m) - lo[a]! + 1);
  let t = tf.slice(x, lo, span);
  const reverse: number[] = [];
  maps.forEach((m, a) => {
    if (m.every((v, i) => v === lo[a]! + i) && m.length === span[a]) return;
    if (x.dtype !== 'bool' && m.length === span[a] && m.every((v, i) => v === lo[a]! + span[a]! - 1 - i)) reverse.push(a);
    else t = tfTake(tf, t, a, m.map((v) => v - lo[a]!));
  });
  return reverse.length > 0 ? tf.reverse(t, reverse) : t;
}

/** Axes given as an input (possibly negative), normalised; default: 0..count-1. */
export function axesList(axesIn: In, count: number, rank: number, op: string): number[] | string {
  if (!axesIn) return Array.from({ length: count }, (_, i) => i);
  const raw = constInts(axesIn);
  if (!raw) return `${op}: axes must be a constant`;
  if (raw.length !== count) return `${op}: ${raw.length} axes for ${count} entries`;
  const out: number[] = [];
  for (const a of raw) {
    if (a < -rank || a >= rank) return `${op}: axis ${a} out of range for rank ${rank}`;
    const n = a < 0 ? a + rank : a;
    if (out.includes(n)) return `${op}: axis ${a} repeated`;
    out.push(n);
  }
  return out;
}

/** Per-axis index maps of a Slice, following the ONNX clamping rules for out-of-range starts and ends. */
function sliceMaps(inputs: readonly In[]): number[][] | string {
  const [x, st, en, ax, sp] = inputs;
  if (!x || !st || !en) return 'Slice: needs data, starts and ends';
  for (const t of [st, en, ax, sp]) {
    if (t && ((t.dtype !== 'int64' && t.dtype !== 'int32') || t.shape.length !== 1)) return 'Slice: starts/ends/axes/steps must be 1-D int32 or int64';
  }
  const starts = constInts(st);
  const ends = constInts(en);
  if (!starts || !ends) return 'Slice: starts and ends must be constants';
  const r = x.shape.length;
  const axes = axesList(ax, starts.length, r, 'Slice');
  if (typeof axes === 'string') return axes;
  const steps = sp ? constInts(sp) : starts.map(() => 1);
  if (!steps) return 'Slice: steps must be a constant';
  if (ends.length !== starts.length || steps.length !== starts.length) return 'Slice: starts, ends and steps differ in length';
  const maps = x.shape.map((d) => Array.from({ length: d }, (_, i) => i));
  axes.forEach((a, i) => {
    const d = x.shape[a]!;
    const step = steps[i]!;
    let s = starts[i]!;
    let e = ends[i]!;
    if (s < 0) s += d;
    if (e < 0) e += d;
    if (step > 0) {
      s = Math.min(Math.max(s, 0), d);
      e = Math.min(Math.max(e, 0), d);
    } else {
      s = Math.min(Math.max(s, 0), d - 1);
      e = Math.min(Math.max(e, -1), d - 1);
    }
    const len = step === 0 ? 0 : Math.max(0, Math.ceil((e - s) / step));
    maps[a] = Array.from({ length: len }, (_, k) => s + k * step);
  });
  if (steps.includes(0)) return 'Slice: a step is 0';
  return maps;
}

/** Large bounds that ONNX clamps: int64 forms as exporters write them (-2^63 is exact; 2^63-1 is not in float64). */
const BIG: Readonly<Record<'int32' | 'int64', { pos: number[]; neg: number[] }>> = {
  int64: { pos: [2 ** 62, Number.MAX_SAFE_INTEGER, 1000], neg: [-(2 ** 63), -(2 ** 62), -1000] },
  int32: { pos: [2147483647, 1000], neg: [-2147483648, -1000] },
};

interface SliceAxisDraw {
  readonly step: number;
  readonly start: number;
  readonly len: number;
  readonly end: number;
  readonly encS: number;
  readonly encE: number;
}

const sliceAxisArb: fc.Arbitrary<SliceAxisDraw> = fc.record({
  step: fc.constantFrom(1, 1, 1, 2, 3, -1, -1, -2, -3),
  start: fc.nat(),
  len: fc.nat(),
  end: fc.nat(),
  encS: fc.nat(3),
  encE: fc.nat(3),
});

/** Raw (start, end, step) for one axis of size `d` whose slice is non-empty, written in one of the clamped forms. */
function sliceBounds(d: number, r: SliceAxisDraw, tind: 'int32' | 'int64'): [number, number, number] {
  const m = Math.abs(r.step);
  const a = r.start % d;
  const maxLen = r.step > 0 ? Math.ceil((d - a) / m) : Math.floor(a / m) + 1;
  return encodeBounds(d, a, 1 + (r.len % maxLen), r, tind);
}

/** Writes the slice of `len` elements from index `a` with step `r.step` as raw (start, end, step). */
function encodeBounds(d: number, a: number, len: number, r: SliceAxisDraw, tind: 'int32' | 'int64'): [number, number, number] {
  const big = BIG[tind];
  const step = r.step;
  const m = Math.abs(step);
  const last = a + (len - 1) * step;
  // any end strictly past `last` and no further than one more step gives `len` elements
  const lo = step > 0 ? last + 1 : Math.max(last - m, -1);
  const hi = step > 0 ? Math.min(last + m, d) : last - 1;
  const e = lo + (r.end % (hi - lo + 1));
  let start = a;
  if (r.encS === 1) start = a - d;
  else if (r.encS === 2 && step > 0 && a === 0) start = big.neg[r.start % big.neg.length]!;
  else if (r.encS === 2 && step < 0 && a === d - 1) start = big.pos[r.start % big.pos.length]!;
  let end = e;
  if (e === d) end = r.encE >= 2 ? big.pos[r.end % big.pos.length]! : d;
  else if (e === -1) end = r.encE >= 2 ? big.neg[r.end % big.neg.length]! : -d - 1;
  else if (r.encE === 1) end = e - d;
  return [start, end, step];
}

/** Slice's optional inputs: axes when given (else '' if steps follow), steps unless all are 1 and implied. */
function sliceInputs(
  first: Operand,
  tind: 'int32' | 'int64',
  b: readonly [number, number, number][],
  axes: readonly number[] | null,
  explicitSteps: boolean,
): Operand[] {
  const steps = b.map((x) => x[2]);
  const inputs: Operand[] = [first, intConst(tind, b.map((x) => x[0])), intConst(tind, b.map((x) => x[1]))];
  const needSteps = explicitSteps || steps.some((v) => v !== 1);
  if (axes) inputs.push(intConst(tind, axes));
  else if (needSteps) inputs.push({ kind: 'absent' });
  if (needSteps) inputs.push(intConst(tind, steps));
  return inputs;
}

/** Slice on tfjs: the index maps of the reference (ONNX clamping done in JS from the constant inputs). */
const sliceTfjs: TfjsLowering = {
  supports(_attrs, ctx) {
    return geometrySupports(ctx, (ins) => {
      const maps = sliceMaps(ins);
      return typeof maps === 'string' ? maps : undefined;
    });
  },
  lower(tf, inputs, _attrs, ctx) {
    const maps = sliceMaps(ctxInputs(ctx, inputs));
    if (typeof maps === 'string') throw new Error(maps);
    return [tfGatherAxes(tf, inputs[0]!, maps)];
  },
};

export const Slice = defineOp({
  // moves or selects input values: the output stays within their bounds
  range: passRange(),
  onnx: 'Slice',
  exact: true,
  since: 13,
  dtypes: DTYPES,
  ranks: [1, 5],
  attributes: {},
  // starts and ends hold one entry per axis, and every constant stays within maxElems
  accepts: (anchor, ctx) => anchor.shape.length <= ctx.maxElems,
  build(anchor, ctx) {
    const r = anchor.shape.length;
    const all = Array.from({ length: r }, (_, i) => i);
    return fc
      .record({
        axes: fc.option(fc.shuffledSubarray(all, { minLength: 1, maxLength: r }), { freq: 4 }),
        per: fc.array(sliceAxisArb, { minLength: r, maxLength: r }),
        neg: fc.array(fc.boolean(), { minLength: r, maxLength: r }),
        tind: fc.constantFrom(...indexDtypes(ctx.dtypes)),
        stepsForm: fc.constantFrom('auto', 'explicit'),
      })
      .map(({ axes, per, neg, tind, stepsForm }) => {
        const which = axes ?? all;
        const b = which.map((a, i) => sliceBounds(anchor.shape[a]!, per[i]!, tind));
        const axesData = axes ? axes.map((a, i) => (neg[i] ? a - r : a)) : null;
        return { inputs: sliceInputs({ kind: 'anchor' }, tind, b, axesData, stepsForm === 'explicit'), attrs: {} };
      });
  },
  backward(out, ctx) {
    const r = out.shape.length;
    if (r === 0) return undefined;
    return fc
      .record({
        cut: fc.array(fc.boolean(), { minLength: r, maxLength: r }),
        per: fc.array(sliceAxisArb, { minLength: r, maxLength: r }),
        slack: fc.array(fc.tuple(fc.nat(2), fc.nat(2)), { minLength: r, maxLength: r }),
        withAxes: fc.boolean(),
        neg: fc.array(fc.boolean(), { minLength: r, maxLength: r }),
        tind: fc.constantFrom(...indexDtypes(ctx.dtypes)),
      })
      .map(({ cut, per, slack, withAxes, neg, tind }): Instance => {
        // each cut axis comes from a larger input: `pre` skipped elements, the strided run, `post` more after it
        let room = ctx.maxElems / Math.max(1, numel(out.shape));
        const inShape = [...out.shape];
        const bounds: [number, number, number][] = [];
        const sliced: number[] = [];
        out.shape.forEach((len, i) => {
          if (withAxes && !cut[i]) return;
          const cap = Math.floor(len * room);
          let step = per[i]!.step;
          if ((len - 1) * Math.abs(step) + 1 > cap) step = step > 0 ? 1 : -1;
          const span = (len - 1) * Math.abs(step) + 1;
          const pre = Math.min(slack[i]![0], cap - span);
          const post = Math.min(slack[i]![1], cap - span - pre);
          const d = pre + span + post;
          room /= d / len;
          inShape[i] = d;
          // a negative step walks back from the far end of the run
          const a = step > 0 ? pre : pre + span - 1;
          bounds.push(encodeBounds(d, a, len, { ...per[i]!, step }, tind));
          sliced.push(i);
        });
        if (sliced.length === 0) {
          bounds.push(encodeBounds(out.shape[0]!, 0, out.shape[0]!, { ...per[0]!, step: 1 }, tind));
          sliced.push(0);
        }
        const axesData = withAxes ? sliced.map((a) => (neg[a] ? a - r : a)) : null;
        const data: Operand = { kind: 'tensor', type: { dtype: out.dtype, shape: inShape } };
        return { inputs: sliceInputs(data, tind, bounds, axesData, false), attrs: {} };
      });
  },
  tfjs: sliceTfjs,
  infer(inputs) {
    const maps = sliceMaps(inputs);
    if (typeof maps === 'string') return maps;
    return [{ dtype: inputs[0]!.dtype, shape: maps.map((m) => m.length) }];
  },
  reference(inputs) {
    const maps = sliceMaps(inputs);
    if (typeof maps === 'string') throw new Error(maps);
    return [gatherAxes(inputs[0]!, maps, 0)];
  },
});
