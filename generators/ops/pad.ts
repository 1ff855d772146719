/** Pad: constant, reflect, edge (and, in the reference, opset 19 wrap) borders; negative pads crop. */
import * as fc from 'fast-check';
import type { Attrs, DType } from '../../src/ir/index.js';
import { DTYPES, isFloat, numel } from '../../src/ir/index.js';
import type { In } from './slice.js';
import { axesList, constInts, ctxInputs, gatherAxes, geometrySupports, intConst, tfTake } from './slice.js';
import type { Instance, Operand, TfjsLowering } from './spec.js';
import { attrString, defineOp, passRange } from './spec.js';

type PadMode = 'constant' | 'reflect' | 'edge' | 'wrap';

/**
 * Index map for one axis: negative pads crop first, then positive pads extend the cropped range (the ONNX
 * reference order); -1 marks constant fill.
 */
function padAxisMap(d: number, pb: number, pe: number, mode: PadMode): number[] {
  const lo = Math.max(0, -pb);
  const c = d - lo - Math.max(0, -pe);
  const before = Math.max(0, pb);
  const out: number[] = [];
  for (let i = 0; i < Math.max(0, d + pb + pe); i++) {
    let t = i - before;
    if (t < 0 || t >= c) {
      if (mode === 'constant') {
        out.push(-1);
        continue;
      }
      if (mode === 'edge') t = Math.min(Math.max(t, 0), c - 1);
      else if (mode === 'wrap') t = ((t % c) + c) % c;
      else if (c === 1) t = 0;
      else {
        const period = 2 * (c - 1);
        t = ((t % period) + period) % period;
        if (t >= c) t = period - t;
      }
    }
    out.push(lo + t);
  }
  return out;
}

function padPlan(inputs: readonly In[], attrs: Attrs, opset: number): { maps: number[][]; fill: number } | string {
  const [x, p, cv, ax] = inputs;
  if (!x || !p) return 'Pad: needs data and pads';
  if (p.dtype !== 'int64' || p.shape.length !== 1) return 'Pad: pads must be a 1-D int64 tensor';
  const mode = (attrs['mode'] === undefined ? 'constant' : attrString(attrs, 'mode')) as PadMode;
  if (!['constant', 'reflect', 'edge', 'wrap'].includes(mode) || (mode === 'wrap' && opset < 19)) return `Pad: mode '${mode}' not supported`;
  const pads = constInts(p);
  if (!pads) return 'Pad: pads must be a constant';
  const r = x.shape.length;
  if (ax && opset < 18) return 'Pad: the axes input needs opset 18';
  const axes = axesList(ax, pads.length / 2, r, 'Pad');
  if (typeof axes === 'string') return axes;
  if (pads.length !== 2 * axes.length) return `Pad: ${pads.length} pads for ${axes.length} axes`;
  let fill = 0;
  if (cv) {
    if (cv.dtype !== x.dtype || numel(cv.shape) !== 1) return 'Pad: constant_value must be one value of the data type';
    const v = constInts(cv);
    if (v !== undefined) fill = v[0]!;
  }
  const maps = x.shape.map((d) => Array.from({ length: d }, (_, i) => i));
  for (const [i, a] of axes.entries()) {
    const d = x.shape[a]!;
    const pb = pads[i]!;
    const pe = pads[i + axes.length]!;
    const c = d + Math.min(pb, 0) + Math.min(pe, 0);
    if (d + pb + pe < 0) return `Pad: axis ${a} of size ${d} cropped below 0`;
    if (mode !== 'constant' && (pb > 0 || pe > 0) && c < 1) return `Pad: ${mode} padding of an empty axis ${a}`;
    maps[a] = padAxisMap(d, pb, pe, mode);
  }
  return { maps, fill };
}

/**
 * Pad on tfjs: negative pads crop first (tf.slice), then the positive ones grow the cropped tensor: tf.pad for
 * constant, tf.mirrorPad for reflect (when every pad is below the cropped size, as tfjs requires), and otherwise
 * (edge, wrap, reflect past one period) a gather along each grown axis with the reference's index map.
 */
const padTfjs: TfjsLowering = {
  supports(attrs, ctx) {
    return geometrySupports(ctx, (ins) => {
      const plan = padPlan(ins, attrs, ctx.opset);
      return typeof plan === 'string' ? plan : undefined;
    });
  },
  lower(tf, inputs, attrs, ctx) {
    const ins = ctxInputs(ctx, inputs);
    const x = inputs[0]!;
    const mode = attrString(attrs, 'mode') as PadMode;
    const pads = constInts(ins[1])!;
    const axes = axesList(ins[3], pads.length / 2, x.rank, 'Pad');
    if (typeof axes === 'string') throw new Error(axes);
    const pb = x.shape.map(() => 0);
    const pe = x.shape.map(() => 0);
    axes.forEach((a, i) => {
      pb[a] = pads[i]!;
      pe[a] = pads[i + axes.length]!;
    });
    const begin = pb.map((p) => Math.max(0, -p));
    const size = x.shape.map((d, a) => d - begin[a]! - Math.max(0, -pe[a]!));
    const t = tf.slice(x, begin, size);
    const grow = pb.map((p, a): [number, number] => [Math.max(0, p), Math.max(0, pe[a]!)]);
    if (mode === 'constant') return [tf.pad(t, grow, constInts(ins[2])?.[0] ?? 0)];
    if (mode === 'reflect' && grow.every(([b, e], a) => Math.max(b, e) < size[a]!)) return [tf.mirrorPad(t, grow, 'reflect')];
    let y = t;
    grow.forEach(([b, e], a) => {
      if (b > 0 || e > 0) y = tfTake(tf, y, a, padAxisMap(size[a]!, b, e, mode));
    });
    return [y];
  },
};

const padAxisArb = fc.record({ pb: fc.nat(), pe: fc.nat(), kb: fc.nat(4), ke: fc.nat(4) });

/**
 * Pads for one axis of size `d`: kind 0 keeps the side at 0, 1 crops (negative), else pads outward. Crops leave at
 * least one element; reflect pads stay below the cropped size.
 */
function padPair(d: number, mode: PadMode, r: { pb: number; pe: number; kb: number; ke: number }): [number, number] {
  const crop = (raw: number, room: number): number => (room > 0 ? -(1 + (raw % room)) : 0);
  let pb = r.kb === 1 ? crop(r.pb, d - 1) : 0;
  let pe = r.ke === 1 ? crop(r.pe, d - 1 + pb) : 0;
  const c = d + pb + pe;
  const maxOut = mode === 'reflect' ? c - 1 : 3;
  if (r.kb >= 2 && maxOut > 0) pb = 1 + (r.pb % maxOut);
  if (r.ke >= 2 && maxOut > 0) pe = 1 + (r.pe % maxOut);
  return [pb, pe];
}

function padValue(dtype: DType, k: number): number {
  if (dtype === 'bool') return k % 2;
  const vals = isFloat(dtype) ? [0, 1.5, -2.25, 7] : [0, 3, -4, 100];
  return vals[k % vals.length]!;
}

export const Pad = defineOp({
  // moves or selects input values: the output stays within their bounds
  range: passRange([0, 2], (attrs) => ((attrs.mode ?? 'constant') === 'constant' ? 0 : undefined)),
  onnx: 'Pad',
  exact: true,
  since: 13,
  dtypes: DTYPES,
  ranks: [1, 5],
  attributes: { mode: { type: 'string', default: 'constant' } },
  accepts: (anchor, ctx) => 2 * anchor.shape.length <= ctx.maxElems,
  build(anchor, ctx) {
    const r = anchor.shape.length;
    const all = Array.from({ length: r }, (_, i) => i);
    return fc
      .record({
        mode: fc.constantFrom<PadMode | 'omit'>('omit', 'constant', 'reflect', 'edge'),
        per: fc.array(padAxisArb, { minLength: r, maxLength: r }),
        value: fc.option(fc.nat(7)),
        axes: ctx.opset >= 18 ? fc.option(fc.shuffledSubarray(all, { minLength: 1, maxLength: r })) : fc.constant(null),
        neg: fc.array(fc.boolean(), { minLength: r, maxLength: r }),
      })
      .map(({ mode, per, value, axes, neg }): Instance => {
        const m: PadMode = mode === 'omit' ? 'constant' : mode;
        const which = axes ?? all;
        const pairs = which.map((a, i) => padPair(anchor.shape[a]!, m, per[i]!));
        // shrink outward pads (largest first) until the output fits; crops never grow it
        const outDims = [...anchor.shape];
        const apply = (): void => which.forEach((a, i) => (outDims[a] = anchor.shape[a]! + pairs[i]![0] + pairs[i]![1]));
        apply();
        while (numel(outDims) > ctx.maxElems) {
          let best = 0;
          pairs.forEach((p, i) => {
            if (Math.max(p[0], p[1]) > Math.max(pairs[best]![0], pairs[best]![1])) best = i;
          });
          const p = pairs[best]!;
          if (p[0] >= p[1]) p[0] = Math.max(0, p[0] - 1);
          else p[1] = Math.max(0, p[1] - 1);
          apply();
        }
        const inputs: Operand[] = [{ kind: 'anchor' }, intConst('int64', [...pairs.map((p) => p[0]), ...pairs.map((p) => p[1])])];
        if (m === 'constant' && value !== null) inputs.push({ kind: 'const', dtype: anchor.dtype, shape: [], data: [padValue(anchor.dtype, value)] });
        if (axes) {
          if (inputs.length === 2) inputs.push({ kind: 'absent' });
          inputs.push(intConst('int64', axes.map((a, i) => (neg[i] ? a - r : a))));
        }
        return { inputs, attrs: mode === 'omit' ? {} : { mode } };
      });
  },
  backward(out, ctx) {
    const r = out.shape.length;
    if (r === 0 || 2 * r > ctx.maxElems) return undefined;
    return fc
      .record({
        mode: fc.constantFrom<PadMode>('constant', 'reflect', 'edge'),
        raw: fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: r, maxLength: r }),
        value: fc.option(fc.nat(7)),
      })
      .map(({ mode, raw, value }): Instance => {
        // each output length O = d + pb + pe with d >= 1; reflect also needs both pads below d
        const pairs = out.shape.map((o, i) => {
          const [u, v] = raw[i]!;
          const dMin = mode === 'reflect' ? Math.ceil((o + 2) / 3) : 1;
          const d = dMin + (u % (o - dMin + 1));
          const total = o - d;
          const pbMin = mode === 'reflect' ? Math.max(0, total - (d - 1)) : 0;
          const pbMax = mode === 'reflect' ? Math.min(d - 1, total) : total;
          const pb = pbMin + (v % (pbMax - pbMin + 1));
          return [d, pb, total - pb] as const;
        });
        const data: Operand = { kind: 'tensor', type: { dtype: out.dtype, shape: pairs.map((p) => p[0]) } };
        const inputs: Operand[] = [data, intConst('int64', [...pairs.map((p) => p[1]), ...pairs.map((p) => p[2])])];
        if (mode === 'constant' && value !== null) inputs.push({ kind: 'const', dtype: out.dtype, shape: [], data: [padValue(out.dtype, value)] });
        return { inputs, attrs: { mode } };
      });
  },
  tfjs: padTfjs,
  infer(inputs, attrs, opset) {
    const plan = padPlan(inputs, attrs, opset);
    if (typeof plan === 'string') return plan;
    return [{ dtype: inputs[0]!.dtype, shape: plan.maps.map((m) => m.length) }];
  },
  reference(inputs, attrs, opset) {
    const plan = padPlan(inputs, attrs, opset);
    if (typeof plan === 'string') throw new Error(plan);
    return [gatherAxes(inputs[0]!, plan.maps, plan.fill)];
  },
});

/** This family's operators, in registry order. */
