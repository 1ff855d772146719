/**
 * Resize (opset 13 form: X, roi, scales, sizes; opset 18 adds the `axes` attribute). The kernel is separable:
 * every resized axis maps each output index to a few (input index, weight) taps, and an output element is the
 * weighted sum over the product of its axes' taps.
 *
 * The generator keeps to what onnxruntime's CPU kernel implements (linear: 2-D, 3-D, NCHW/NHWC 4-D, NC..5-D;
 * cubic: 2-D and NCHW 4-D; nearest: any rank) and to scales whose float32 arithmetic is exact (dyadic ratios),
 * so nearest-neighbour rounding never sits on a float32-vs-float64 knife edge.
 */
import type * as tfjs from '@tensorflow/tfjs-core';
import * as fc from 'fast-check';
import type { Attrs, DType, Tensor } from '../../src/ir/index.js';
import { numel, strides } from '../../src/ir/index.js';
import { ctxInputs, geometrySupports, tfTake } from './slice.js';
import type { InferInput, Instance, Operand, OpSpec, TfjsLowering } from './spec.js';
import { attrInt, attrInts, attrString, defineOp, passRange, UNBOUNDED } from './spec.js';

type In = InferInput | Tensor | undefined;
type Coord = 'half_pixel' | 'pytorch_half_pixel' | 'align_corners' | 'asymmetric' | 'tf_half_pixel_for_nn' | 'tf_crop_and_resize';
type Mode = 'nearest' | 'linear' | 'cubic';
type NearestMode = 'round_prefer_floor' | 'round_prefer_ceil' | 'floor' | 'ceil';

const COORDS: readonly string[] = ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_half_pixel_for_nn', 'tf_crop_and_resize'];
const MODES: readonly string[] = ['nearest', 'linear', 'cubic'];
const NEAREST: readonly string[] = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];

function values(t: In): number[] | undefined {
  const d = (t as { data?: ArrayLike<number> } | undefined)?.data;
  return d === undefined ? undefined : Array.from(d);
}

/** Optional inputs count as absent when omitted or empty (opset 11 wrote an empty scales tensor). */
function present(t: In): t is InferInput | Tensor {
  return t !== undefined && numel(t.shape) > 0;
}

function str(attrs: Attrs, name: string, def: string): string {
  return attrs[name] === undefined ? def : attrString(attrs, name);
}
function num(attrs: Attrs, name: string, def: number): number {
  return attrs[name] === undefined ? def : attrInt(attrs, name);
}

interface Plan {
  readonly outShape: number[];
  /** Per axis: the scale the coordinate transform divides by. */
  readonly scales: number[];
  /**
   * Per axis: the resized length the coordinate transforms read: the size when sizes are given, else
   * scale x input length (the ONNX reference's choice; it need not be an integer).
   */
  readonly lenOut: number[];
  readonly mode: Mode;
  readonly coord: Coord;
  readonly nearest: NearestMode;
  readonly roi?: number[];
}

/** Output shape and per-axis scales, following the opset 13 (and 18 `axes`) rules; a message when invalid. */
function plan(inputs: readonly In[], attrs: Attrs, opset: number): Plan | string {
  const [x, roiIn, scalesIn, sizesIn] = inputs;
  if (!x) return 'Resize: missing input';
  const r = x.shape.length;
  const mode = str(attrs, 'mode', 'nearest');
  const coord = str(attrs, 'coordinate_transformation_mode', 'half_pixel');
  const nearest = str(attrs, 'nearest_mode', 'round_prefer_floor');
  if (!MODES.includes(mode)) return `Resize: mode '${mode}' not supported`;
  if (!COORDS.includes(coord)) return `Resize: coordinate_transformation_mode '${coord}' not supported`;
  if (!NEAREST.includes(nearest)) return `Resize: nearest_mode '${nearest}' not supported`;
  const axesAttr = attrInts(attrs, 'axes');
  if (axesAttr && opset < 18) return 'Resize: the axes attribute needs opset 18';
  const axes = (axesAttr ?? Array.from({ length: r }, (_, i) => i)).map((a) => (a < 0 ? a + r : a));
  if (axes.some((a) => a < 0 || a >= r) || new Set(axes).size !== axes.length) return `Resize: bad axes [${axesAttr?.join(',')}]`;
  const hasScales = present(scalesIn);
  const hasSizes = present(sizesIn);
  if (hasScales === hasSizes) return 'Resize: exactly one of scales and sizes must be given';
  const scales = new Array<number>(r).fill(1);
  const outShape = [...x.shape];
  const lenOut = [...x.shape];
  if (hasScales) {
    if (scalesIn.dtype !== 'float32' || scalesIn.shape.length !== 1) return 'Resize: scales must be a 1-D float32 tensor';
    const s = values(scalesIn);
    if (!s) return 'Resize: scales must be a constant';
    if (s.length !== axes.length) return `Resize: ${s.length} scales for ${axes.length} axes`;
    for (const [i, a] of axes.entries()) {
      if (!(s[i]! > 0)) return `Resize: scale ${s[i]} is not positive`;
      scales[a] = s[i]!;
      lenOut[a] = x.shape[a]! * s[i]!;
      outShape[a] = Math.floor(lenOut[a]!);
    }
  } else {
    if (sizesIn!.dtype !== 'int64' || sizesIn!.shape.length !== 1) return 'Resize: sizes must be a 1-D int64 tensor';
    const s = values(sizesIn);
    if (!s) return 'Resize: sizes must be a constant';
    if (s.length !== axes.length) return `Resize: ${s.length} sizes for ${axes.length} axes`;
    for (const [i, a] of axes.entries()) {
      if (!(s[i]! >= 0)) return `Resize: size ${s[i]} is negative`;
      outShape[a] = s[i]!;
      lenOut[a] = s[i]!;
      scales[a] = s[i]! / x.shape[a]!;
    }
  }
  let roi: number[] | undefined;
  if (coord === 'tf_crop_and_resize') {
    const rv = present(roiIn) ? values(roiIn) : undefined;
    if (!rv || rv.length !== 2 * axes.length) return 'Resize: tf_crop_and_resize needs a constant roi of 2 x (resized axes) values';
    // roi lists the starts, then the ends, of the resized axes; other axes keep the full range
    roi = [...new Array<number>(r).fill(0), ...new Array<number>(r).fill(1)];
    axes.forEach((a, i) => {
      roi![a] = rv[i]!;
      roi![a + r] = rv[i + axes.length]!;
    });
  }
  if (num(attrs, 'antialias', 0) !== 0) return 'Resize: antialias=1 is not implemented';
  return { outShape, scales, lenOut, mode: mode as Mode, coord: coord as Coord, nearest: nearest as NearestMode, ...(roi ? { roi } : {}) };
}

/** The input coordinate an output index maps to (ONNX's coordinate_transformation_mode). */
function sourceCoord(p: Plan, axis: number, o: number, lenIn: number, rank: number): number {
  const s = p.scales[axis]!;
  const lenOut = p.lenOut[axis]!;
  switch (p.coord) {
    case 'half_pixel':
      return (o + 0.5) / s - 0.5;
    case 'pytorch_half_pixel':
      return lenOut > 1 ? (o + 0.5) / s - 0.5 : 0;
    case 'align_corners':
      return lenOut === 1 ? 0 : (o * (lenIn - 1)) / (lenOut - 1);
    case 'asymmetric':
      return o / s;
    case 'tf_half_pixel_for_nn':
      return (o + 0.5) / s;
    case 'tf_crop_and_resize': {
      const start = p.roi![axis]!;
      const end = p.roi![axis + rank]!;
      return lenOut > 1 ? start * (lenIn - 1) + (o * (end - start) * (lenIn - 1)) / (lenOut - 1) : (0.5 * (start + end) * (lenIn - 1));
    }
  }
}

function roundNearest(x: number, m: NearestMode): number {
  switch (m) {
    case 'floor':
      return Math.floor(x);
    case 'ceil':
      return Math.ceil(x);
    case 'round_prefer_floor':
      return x - Math.floor(x) === 0.5 ? Math.floor(x) : Math.round(x);
    case 'round_prefer_ceil':
      return x - Math.floor(x) === 0.5 ? Math.ceil(x) : Math.round(x);
  }
}

/** Keys' cubic convolution kernel with coefficient A. */
function cubicWeight(t: number, a: number): number {
  const s = Math.abs(t);
  if (s <= 1) return ((a + 2) * s - (a + 3)) * s * s + 1;
  if (s < 2) return ((a * s - 5 * a) * s + 8 * a) * s - 4 * a;
  return 0;
}

/** Taps per output index of one axis; null marks an output that takes the extrapolation value. */
function axisTaps(p: Plan, axis: number, lenIn: number, rank: number, attrs: Attrs): ([number, number][] | null)[] {
  const out: ([number, number][] | null)[] = [];
  const clamp = (i: number): number => Math.min(Math.max(i, 0), lenIn - 1);
  for (let o = 0; o < p.outShape[axis]!; o++) {
    const x = sourceCoord(p, axis, o, lenIn, rank);
    if (p.coord === 'tf_crop_and_resize' && (x < 0 || x > lenIn - 1)) {
      out.push(null);
      continue;
    }
    const f = Math.floor(x);
    const t = x - f;
    if (p.mode === 'nearest') out.push([[clamp(roundNearest(x, p.nearest)), 1]]);
    else if (p.mode === 'linear') out.push([[clamp(f), 1 - t], [clamp(f + 1), t]]);
    else {
      const a = num(attrs, 'cubic_coeff_a', -0.75);
      const exclude = num(attrs, 'exclude_outside', 0) !== 0;
      let taps: [number, number][] = [-1, 0, 1, 2].map((k) => [f + k, cubicWeight(t - k, a)]);
      if (exclude) {
        taps = taps.map(([i, w]) => [i, i < 0 || i >= lenIn ? 0 : w]);
        const sum = taps.reduce((acc, [, w]) => acc + w, 0);
        taps = taps.map(([i, w]) => [i, w / sum]);
      }
      out.push(taps.map(([i, w]) => [clamp(i), w]));
    }
  }
  return out;
}

function resizeKernel(x: Tensor, p: Plan, attrs: Attrs): Tensor {
  const rank = x.shape.length;
  const taps = x.shape.map((d, a) => axisTaps(p, a, d, rank, attrs));
  const st = strides(x.shape);
  const n = numel(p.outShape);
  const out = new Float64Array(n);
  const fill = attrs['extrapolation_value'] === undefined ? 0 : (attrs['extrapolation_value'] as number);
  const idx = new Array<number>(rank).fill(0);
  for (let k = 0; k < n; k++) {
    const per = idx.map((o, a) => taps[a]![o]!);
    if (per.some((t) => t === null)) out[k] = fill;
    else {
      // sum over the product of every axis' taps
      let acc = 0;
      const sel = new Array<number>(rank).fill(0);
      for (;;) {
        let w = 1;
        let src = 0;
        for (let a = 0; a < rank; a++) {
          const [i, wt] = per[a]![sel[a]!]!;
          w *= wt;
          src += i * st[a]!;
        }
        acc += w * x.data[src]!;
        let a = rank - 1;
        while (a >= 0 && ++sel[a]! >= per[a]!.length) sel[a--] = 0;
        if (a < 0) break;
      }
      out[k] = acc;
    }
    for (let a = rank - 1; a >= 0; a--) {
      if (++idx[a]! < p.outShape[a]!) break;
      idx[a] = 0;
    }
  }
  // integer outputs: the ONNX reference computes in floating point and casts (truncation toward zero)
  if (x.dtype === 'int32' || x.dtype === 'int64') for (let k = 0; k < n; k++) out[k] = Math.trunc(out[k]!);
  return { dtype: x.dtype, shape: p.outShape, data: out };
}

/**
 * Resize on tfjs with the reference's taps: tf.image.resizeNearestNeighbor/resizeBilinear cover only some
 * coordinate and rounding modes (and resizeBilinear has no usable gradient), while the taps are known in JS from
 * the shapes and the constant scales or sizes. Each resized axis becomes one gather per tap, weighted and summed
 * (nearest: a single unweighted gather); outputs outside a tf_crop_and_resize roi take the extrapolation value.
 */
const resizeTfjs: TfjsLowering = {
  supports(attrs, ctx) {
    return geometrySupports(ctx, (ins) => {
      const p = plan(ins, attrs, ctx.opset);
      return typeof p === 'string' ? p : undefined;
    });
  },
  lower(tf, inputs, attrs, ctx) {
    const p = plan(ctxInputs(ctx, inputs), attrs, ctx.opset);
    if (typeof p === 'string') throw new Error(p);
    const x = inputs[0]!;
    const rank = x.rank;
    // integer linear/cubic results are float sums truncated toward zero, as in the reference
    let t = p.mode === 'nearest' ? x : tf.cast(x, 'float32');
    let inside: tfjs.Tensor | undefined;
    const along = (a: number, v: number[], dtype: 'float32' | 'bool'): tfjs.Tensor =>
      tf.reshape(tf.tensor1d(v, dtype), x.shape.map((_, i) => (i === a ? v.length : 1)));
    x.shape.forEach((lenIn, a) => {
      const taps = axisTaps(p, a, lenIn, rank, attrs);
      const identity = taps.length === lenIn && taps.every((tp, o) => tp !== null && tp.every(([i, w]) => (i === o ? w === 1 : w === 0)));
      if (identity) return;
      let acc: tfjs.Tensor | undefined;
      const nTaps = Math.max(...taps.map((tp) => tp?.length ?? 0));
      for (let k = 0; k < nTaps; k++) {
        const g = tfTake(tf, t, a, taps.map((tp) => tp?.[k]?.[0] ?? 0));
        const term = p.mode === 'nearest' ? g : tf.mul(g, along(a, taps.map((tp) => tp?.[k]?.[1] ?? 0), 'float32'));
        acc = acc ? tf.add(acc, term) : term;
      }
      // a roi that maps no output into this axis leaves every output to the extrapolation value
      t = acc ?? tfTake(tf, t, a, taps.map(() => 0));
      if (taps.some((tp) => tp === null)) {
        const m = along(a, taps.map((tp) => (tp === null ? 0 : 1)), 'bool');
        inside = inside ? tf.logicalAnd(inside, m) : m;
      }
    });
    if (inside) {
      const fill = attrs['extrapolation_value'] as number;
      const v = t.dtype === 'int32' ? tf.scalar(Math.trunc(fill), 'int32') : tf.scalar(fill);
      t = tf.where(tf.broadcastTo(inside, t.shape), t, tf.broadcastTo(v, t.shape));
    }
    return [x.dtype === 'int32' && t.dtype !== 'int32' ? tf.cast(t, 'int32') : t];
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Generation

/** Scales exact in float32 whose products with small dims are exact too. */
const SCALES = [0.25, 0.375, 0.5, 0.625, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.5, 3];

/** Whether n/d (reduced) has a power-of-two denominator, i.e. is exact in float32. */
function dyadic(n: number, d: number): boolean {
  let q = d;
  const g = gcd(n, d);
  q /= g;
  while (q % 2 === 0) q /= 2;
  return q === 1;
}
function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Axes that onnxruntime lets `mode` resize for a rank-`r` input (one layout drawn by `layout`). */
function resizableAxes(mode: Mode, r: number, layout: boolean): number[] {
  if (mode === 'nearest' || r === 2 || (mode === 'linear' && r === 3)) return Array.from({ length: r }, (_, i) => i);
  if (r === 4) return mode === 'linear' && layout ? [1, 2] : [2, 3];
  return [2, 3, 4];
}

function modesFor(dtype: DType, r: number): Mode[] {
  // int32 linear/cubic results are truncated float sums: a sum landing a hair under an integer flips them
  if (dtype !== 'float32') return ['nearest'];
  const m: Mode[] = ['nearest'];
  if (r >= 2) m.push('linear');
  if (r === 2 || r === 4) m.push('cubic');
  return m;
}

const GEN_COORDS: readonly Coord[] = ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_half_pixel_for_nn', 'tf_crop_and_resize'];
const ROI_STARTS = [0, 0.125, 0.25, 0.5];
const ROI_ENDS = [0.5, 0.75, 1, 1.25];
const EXTRAPOLATION = [-1.5, 10, 0.25];

/** Output length candidates for one axis of size d: scales (or sizes) the generator may write. */
function candidates(d: number, mode: Mode, coord: Coord, bySizes: boolean): number[] {
  // these modes read the resized length: ONNX takes scale x length, onnxruntime the rounded output length,
  // so keep scale x length an integer where they agree
  const needInt = coord === 'align_corners' || coord === 'pytorch_half_pixel' || coord === 'tf_crop_and_resize';
  if (bySizes) {
    const outs = Array.from({ length: 3 * d }, (_, i) => i + 1);
    return mode === 'nearest' ? outs.filter((o) => dyadic(o, d)) : outs;
  }
  // onnxruntime maps an axis whose length does not change 1:1 even when its scale is not 1; ONNX does not
  return SCALES.filter((s) => d * s >= 1 && (!needInt || Number.isInteger(d * s)) && (s === 1 || Math.floor(d * s) !== d));
}

export const Resize = defineOp({
  onnx: 'Resize',
  since: 13,
  dtypes: ['float32', 'int32'],
  ranks: [1, 5],
  attributes: {
    mode: { type: 'string', default: 'nearest' },
    coordinate_transformation_mode: { type: 'string', default: 'half_pixel' },
    nearest_mode: { type: 'string', default: 'round_prefer_floor' },
    cubic_coeff_a: { type: 'float', default: -0.75 },
    exclude_outside: { type: 'int', default: 0 },
    extrapolation_value: { type: 'float', default: 0 },
    axes: { type: 'ints' },
    antialias: { type: 'int', default: 0 },
  },
  accepts: (anchor, ctx) => anchor.shape.length <= ctx.maxElems,
  build(anchor, ctx) {
    const r = anchor.shape.length;
    const modes = modesFor(anchor.dtype, r);
    return fc
      .record({
        mode: fc.constantFrom(...modes),
        coord: fc.constantFrom(...GEN_COORDS),
        coordOmit: fc.boolean(),
        nearest: fc.option(fc.constantFrom(...(NEAREST as NearestMode[]))),
        cubicA: fc.option(fc.constantFrom(-0.75, -0.5)),
        exclude: fc.option(fc.nat(1)),
        layout: fc.boolean(),
        which: fc.array(fc.boolean(), { minLength: r, maxLength: r }),
        picks: fc.array(fc.nat(), { minLength: r, maxLength: r }),
        bySizes: fc.boolean(),
        roiForm: fc.constantFrom('absent', 'empty'),
        roiPicks: fc.array(fc.nat(), { minLength: 2 * r, maxLength: 2 * r }),
        extrapolation: fc.option(fc.constantFrom(...EXTRAPOLATION)),
        scalesForm: fc.constantFrom('absent', 'empty'),
        useAxes: ctx.opset >= 18 ? fc.boolean() : fc.constant(false),
        order: fc.nat(),
        neg: fc.array(fc.boolean(), { minLength: r, maxLength: r }),
      })
      .map((g): Instance => {
        // tf_half_pixel_for_nn shifts unscaled axes by half a pixel, which onnxruntime skips: nearest only
        let coord: Coord = g.mode !== 'nearest' && g.coord === 'tf_half_pixel_for_nn' ? 'half_pixel' : g.coord;
        // the roi constant holds two entries per axis
        if (coord === 'tf_crop_and_resize' && 2 * r > ctx.maxElems) coord = 'asymmetric';
        const allowed = resizableAxes(g.mode, r, g.layout);
        const resized = allowed.filter((a) => g.which[a]);
        if (resized.length === 0) resized.push(allowed[g.order % allowed.length]!);
        // grow axes one after the other while the output still fits in maxElems
        let room = ctx.maxElems / Math.max(1, numel(anchor.shape));
        const perAxis = anchor.shape.map((d, a) => {
          if (!resized.includes(a)) return g.bySizes ? d : 1;
          const fits = candidates(d, g.mode, coord, g.bySizes).filter((c) => (g.bySizes ? c : Math.floor(d * c)) / d <= room);
          // a resized axis should change: the identity stays only when nothing else fits
          const moving = fits.filter((c) => (g.bySizes ? c !== d : c !== 1));
          const cands = moving.length > 0 ? moving : fits;
          const c = cands.length > 0 ? cands[g.picks[a]! % cands.length]! : g.bySizes ? d : 1;
          room /= (g.bySizes ? c : Math.floor(d * c)) / d;
          return c;
        });
        // opset 18: list only some axes (the resized ones plus maybe others), in any order, maybe negative
        let axes: number[] | undefined;
        if (g.useAxes) {
          const extra = allowed.filter((a) => !resized.includes(a) && g.neg[(a + 1) % r]);
          const list = [...resized, ...extra];
          const rot = g.order % list.length;
          axes = [...list.slice(rot), ...list.slice(0, rot)];
        }
        const listed = axes ?? Array.from({ length: r }, (_, i) => i);
        const data = listed.map((a) => perAxis[a]!);
        let roi: Operand = g.roiForm === 'absent' ? { kind: 'absent' } : { kind: 'const', dtype: 'float32', shape: [0], data: [] };
        if (coord === 'tf_crop_and_resize') {
          // crop only axes whose length changes: onnxruntime maps unchanged axes 1:1 whatever their roi says
          const changes = (a: number): boolean => (g.bySizes ? perAxis[a] !== anchor.shape[a] : perAxis[a] !== 1);
          const starts = listed.map((a, i) => (changes(a) ? ROI_STARTS[g.roiPicks[i]! % ROI_STARTS.length]! : 0));
          const ends = listed.map((a, i) => (changes(a) ? ROI_ENDS[g.roiPicks[i + r]! % ROI_ENDS.length]! : 1));
          roi = { kind: 'const', dtype: 'float32', shape: [2 * listed.length], data: [...starts, ...ends] };
        }
        const inputs: Operand[] = [{ kind: 'anchor' }, roi];
        if (g.bySizes) {
          inputs.push(g.scalesForm === 'absent' ? { kind: 'absent' } : { kind: 'const', dtype: 'float32', shape: [0], data: [] });
          inputs.push({ kind: 'const', dtype: 'int64', shape: [data.length], data });
        } else inputs.push({ kind: 'const', dtype: 'float32', shape: [data.length], data });
        const attrs: Record<string, number | string | number[]> = {};
        if (g.mode !== 'nearest' || g.order % 3 === 0) attrs['mode'] = g.mode;
        if (!g.coordOmit || coord !== 'half_pixel') attrs['coordinate_transformation_mode'] = coord;
        // onnxruntime treats scale-1 axes as identity, which tf_half_pixel_for_nn with a ceiling rounding is not
        const ceilish = g.nearest === 'ceil' || g.nearest === 'round_prefer_ceil';
        if (g.mode === 'nearest' && g.nearest !== null && !(ceilish && coord === 'tf_half_pixel_for_nn')) attrs['nearest_mode'] = g.nearest;
        if (g.mode === 'cubic' && g.cubicA !== null) attrs['cubic_coeff_a'] = g.cubicA;
        if (g.mode === 'cubic' && g.exclude !== null) attrs['exclude_outside'] = g.exclude;
        if (coord === 'tf_crop_and_resize' && g.extrapolation !== null) attrs['extrapolation_value'] = g.extrapolation;
        if (axes) attrs['axes'] = axes.map((a) => (g.neg[a] ? a - r : a));
        return { inputs, attrs };
      });
  },
  tfjs: resizeTfjs,
  range: (inputs, attrs) => {
    // nearest copies input elements and linear takes convex combinations of them (non-negative taps summing to one,
    // clamped to the edges); a tf_crop_and_resize output outside the roi holds the extrapolation value. Cubic taps
    // go negative and overshoot.
    if (str(attrs, 'mode', 'nearest') === 'cubic') return [UNBOUNDED];
    const crop = str(attrs, 'coordinate_transformation_mode', 'half_pixel') === 'tf_crop_and_resize';
    return passRange([0], () => (crop ? ((attrs['extrapolation_value'] as number | undefined) ?? 0) : undefined))(inputs, attrs);
  },
  infer(inputs, attrs, opset) {
    const p = plan(inputs, attrs, opset);
    if (typeof p === 'string') return p;
    return [{ dtype: inputs[0]!.dtype, shape: p.outShape }];
  },
  reference(inputs, attrs, opset) {
    const p = plan(inputs, attrs, opset);
    if (typeof p === 'string') throw new Error(p);
    return [resizeKernel(inputs[0]!, p, attrs)];
  },
});

/** This family's operators, in registry order. */
export const resizeOps: readonly OpSpec[] = [Resize];
