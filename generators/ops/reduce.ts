/**
 * The Reduce family: ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd, ReduceL1, ReduceL2,
 * ReduceLogSum, ReduceLogSumExp, ReduceSumSquare.
 *
 * Two ONNX forms exist: axes as an `axes` attribute (opset 13 schemas) and axes as an optional int64 input with
 * `noop_with_empty_axes` (ReduceSum since 13, every other reduction since 18). build() writes the form of
 * ctx.opset; infer and reference take either, because imported models and ONNX's node tests use both.
 */
import type * as tfjs from '@tensorflow/tfjs-core';
import * as fc from 'fast-check';
import type { Attrs, DType, Tensor, TensorType } from '../../src/ir/index.js';
import { FLOAT_DTYPES, NUMERIC_DTYPES, broadcastIndex, isInt, numel, wrapInt } from '../../src/ir/index.js';
import { MAX_DIM } from '../arb.js';
import type { DomainConstraint, InferInput, Instance, Interval, Operand, OpSpec, TfjsContext, TfjsLowering } from './spec.js';
import { defineOp, exactOp, UNBOUNDED } from './spec.js';
import { prodRange, sumRange } from './ranges.js';

const MAX_RANK = 5;

interface ReduceDecl {
  readonly onnx: string;
  readonly dtypes: readonly DType[];
  /** Opset from which axes travel as an input instead of an attribute. */
  readonly axesInputSince: number;
  /** Aggregate of the values of one output slot, in float64 (the dtype's rounding comes after). */
  readonly agg: (vals: readonly number[]) => number;
  /** Per-element constraints on the data given how many elements one output slot reduces. */
  readonly domain?: (dtype: DType, count: number) => DomainConstraint[];
  /** Bounds of the result given the bounds of the data (any number of elements, at least one). */
  readonly range?: (data: Interval) => Interval;
  readonly tfjs: TfReduce;
}

type TF = typeof tfjs;
type T = tfjs.Tensor;

/**
 * How tfjs computes one reduction: an elementwise step, the reduction over the (non-empty) axes, and an
 * elementwise step after. With no axis to reduce (noop_with_empty_axes, a scalar input) only the elementwise
 * steps run, which is what ONNX asks for: |x| for L1, x² for SumSquare, x for Sum/Mean/LogSumExp…
 */
interface TfReduce {
  readonly pre?: (tf: TF, x: T) => T;
  readonly reduce: (tf: TF, x: T, axes: number[], keep: boolean) => T;
  readonly post?: (tf: TF, y: T) => T;
}

/** Which axes a node reduces: normalised and sorted, or null (none: noop_with_empty_axes), or why the node is invalid. */
export function reducedAxes(
  op: string,
  rank: number,
  axesInput: InferInput | undefined,
  attrs: Attrs,
): readonly number[] | null | string {
  let list: readonly number[] | undefined;
  if (axesInput) {
    if (axesInput.dtype !== 'int64') return `${op}: axes input must be int64, got ${axesInput.dtype}`;
    if (axesInput.shape.length !== 1) return `${op}: axes input must be 1-D, got rank ${axesInput.shape.length}`;
    if (!axesInput.data) return `${op}: axes input must be a constant`;
    list = axesInput.data;
  } else {
    const a = attrs.axes;
    if (a !== undefined && !Array.isArray(a)) return `${op}: axes must be a list of ints`;
    list = a as readonly number[] | undefined;
  }
  if (list === undefined || list.length === 0) {
    if (attrs.noop_with_empty_axes === 1) return null;
    return Array.from({ length: rank }, (_, i) => i);
  }
  const seen = new Set<number>();
  for (const a of list) {
    if (!Number.isInteger(a) || a < -rank || a >= rank) return `${op}: axis ${a} out of range for rank ${rank}`;
    const n = a < 0 ? a + rank : a;
    if (seen.has(n)) return `${op}: axis ${a} repeats axis ${n}`;
    seen.add(n);
  }
  return [...seen].sort((x, y) => x - y);
}

function keepdimsOf(attrs: Attrs): number {
  const k = attrs.keepdims;
  return k === undefined ? 1 : (k as number);
}

function reducedShape(shape: readonly number[], axes: readonly number[], keep: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keep) out.push(1);
  });
  return out;
}

/** Elements one output slot aggregates; when the axes are an input, types alone do not tell, so assume all. */
function reducedCount(x: TensorType, attrs: Attrs): number {
  const a = attrs.axes;
  if (!Array.isArray(a) || a.length === 0) return Math.max(1, numel(x.shape));
  const r = x.shape.length;
  let n = 1;
  for (const ax of a as readonly number[]) n *= x.shape[ax < 0 ? ax + r : ax] ?? 1;
  return Math.max(1, n);
}

/** Largest integer magnitude whose `count`-fold product (or sum of squares) stays below `limit`. */
function intBound(limit: number, count: number, power: boolean): number {
  const b = power ? Math.floor(Math.pow(limit, 1 / count)) : Math.floor(Math.sqrt(limit / count));
  return Math.max(1, b);
}

/**
 * Integer results must stay below these. int64 as int32 too: tfjs computes int64 tensors as int32 (backends/tfjs.ts),
 * so a product past 2^31 wraps there while onnxruntime gets it right (a ReduceProd of 48 twos was a false alarm).
 */
const INT_LIMIT: Readonly<Record<string, number>> = { int32: 2 ** 31 - 1, int64: 2 ** 31 - 1 };

function sum(v: readonly number[]): number {
  let s = 0;
  for (const x of v) s += x;
  return s;
}
function sumSquares(v: readonly number[]): number {
  let s = 0;
  for (const x of v) s += x * x;
  return s;
}

/** Output slot of every input element (a reduced axis maps onto the size-1 dim of the keepdims shape). */
function reduceKernel(x: Tensor, axes: readonly number[], keep: boolean, agg: (v: readonly number[]) => number): Tensor {
  const keepShape = reducedShape(x.shape, axes, true);
  const slots = numel(keepShape);
  const groups: number[][] = Array.from({ length: slots }, () => []);
  const idx = broadcastIndex(keepShape, x.shape);
  for (let k = 0; k < x.data.length; k++) groups[idx[k]!]!.push(x.data[k]!);
  const data = new Float64Array(slots);
  for (let s = 0; s < slots; s++) {
    const v = agg(groups[s]!);
    data[s] = isInt(x.dtype) ? wrapInt(Math.trunc(v), x.dtype) : v;
  }
  return { dtype: x.dtype, shape: reducedShape(x.shape, axes, keep), data };
}

interface Plan {
  readonly inShape: readonly number[];
  /** Normalised reduced axes; undefined means "no axes given" (all of them, or none with noop_with_empty_axes). */
  readonly axes: readonly number[] | undefined;
  readonly keepdims: number | undefined;
  readonly noop: boolean;
}

/** Axis subsets, signs, keepdims and how "no axes" is written, drawn independently of the rank's details. */
const formArb = fc.record({
  mode: fc.constantFrom('subset', 'subset', 'subset', 'all', 'noop'),
  keepdims: fc.constantFrom<number | undefined>(undefined, 0, 1, 1),
  neg: fc.array(fc.boolean(), { minLength: MAX_RANK + 1, maxLength: MAX_RANK + 1 }),
  // how an input-form node says "no axes": input left off, written as '', or an empty constant
  empty: fc.constantFrom('omit', 'absent', 'const'),
  explicitNoop0: fc.boolean(),
});
type Form = typeof formArb extends fc.Arbitrary<infer F> ? F : never;

/** The ONNX inputs and attributes of a plan in the form of `opset`. */
function instanceOf(decl: ReduceDecl, plan: Plan, form: Form, data: Operand, opset: number): Instance {
  const rank = plan.inShape.length;
  const asInput = opset >= decl.axesInputSince;
  const attrs: Record<string, number | number[]> = {};
  if (plan.keepdims !== undefined) attrs.keepdims = plan.keepdims;
  const written = plan.axes?.map((a, i) => (form.neg[i] ? a - rank : a));
  const inputs: Operand[] = [data];
  if (asInput) {
    if (plan.noop) attrs.noop_with_empty_axes = 1;
    else if (form.explicitNoop0) attrs.noop_with_empty_axes = 0;
    if (written) inputs.push({ kind: 'const', dtype: 'int64', shape: [written.length], data: written });
    else if (form.empty === 'absent') inputs.push({ kind: 'absent' });
    else if (form.empty === 'const') inputs.push({ kind: 'const', dtype: 'int64', shape: [0], data: [] });
  } else if (written) attrs.axes = written;
  return { inputs, attrs };
}

/** The axes a node reduces, from its attribute or its constant input (what infer reads, given values). */
function tfjsAxes(op: string, rank: number, attrs: Attrs, ctx: TfjsContext): readonly number[] | null | string {
  const t = ctx.inputTypes[1];
  if (t && !ctx.constants[1]) return 'axes must be a constant input';
  return reducedAxes(op, rank, t ? { ...t, data: ctx.constants[1] } : undefined, attrs);
}

function reduceTfjs(decl: ReduceDecl): TfjsLowering {
  return {
    supports(attrs, ctx) {
      const axes = tfjsAxes(decl.onnx, ctx.inputTypes[0]?.shape.length ?? 0, attrs, ctx);
      return typeof axes === 'string' ? axes : undefined;
    },
    lower(tf, inputs, attrs, ctx) {
      const x = inputs[0]!;
      const axes = tfjsAxes(decl.onnx, x.rank, attrs, ctx);
      if (typeof axes === 'string') throw new Error(axes);
      const { pre, reduce, post } = decl.tfjs;
      let y = pre ? pre(tf, x) : x;
      if (axes && axes.length > 0) y = reduce(tf, y, [...axes], keepdimsOf(attrs) === 1);
      return [post ? post(tf, y) : y];
    },
  };
}

/** Integer division rounding toward zero, as ONNX integer means do (tf.mean of int32 is a float32 mean). */
function truncDiv(tf: TF, a: T, n: number): T {
  return tf.mul(tf.sign(a), tf.floorDiv(tf.abs(a), tf.scalar(n, 'int32')));
}

/**
 * floor(sqrt(s)) for int32 `s` >= 0: the float32 square root may land one off once s passes 2^24; the remainder
 * s - r², exact even where r² wraps, says which way to correct.
 */
function intSqrt(tf: TF, s: T): T {
  const r = tf.cast(tf.floor(tf.sqrt(tf.cast(s, 'float32'))), 'int32');
  const d = tf.sub(s, tf.mul(r, r));
  const down = tf.cast(tf.less(d, 0), 'int32');
  const up = tf.cast(tf.greaterEqual(d, tf.add(tf.mul(r, 2), 1)), 'int32');
  return tf.add(tf.sub(r, down), up);
}

const TF_SUM: TfReduce['reduce'] = (tf, x, axes, keep) => tf.sum(x, axes, keep);
const square = (tf: TF, x: T): T => tf.mul(x, x);

/** Declares one reduction over the shared axes handling. */
function reduceOp(decl: ReduceDecl): OpSpec {
  return defineOp({
    onnx: decl.onnx,
    since: 13,
    dtypes: decl.dtypes,
    ranks: [0, MAX_RANK],
    attributes: {
      axes: { type: 'ints' },
      keepdims: { type: 'int', default: 1 },
      noop_with_empty_axes: { type: 'int', default: 0 },
    },
    build(anchor, ctx) {
      const rank = anchor.shape.length;
      const asInput = ctx.opset >= decl.axesInputSince;
      const all = Array.from({ length: rank }, (_, i) => i);
      return fc.record({ form: formArb, subset: fc.shuffledSubarray(all, { minLength: Math.min(1, rank) }) }).map(({ form, subset }) => {
        // rank 0 has no axis to name, and only the input form can ask for the identity
        const mode = form.mode === 'noop' && !asInput ? 'all' : rank === 0 && form.mode === 'subset' ? 'all' : form.mode;
        const plan: Plan = { inShape: anchor.shape, axes: mode === 'subset' ? subset : undefined, keepdims: form.keepdims, noop: mode === 'noop' };
        return instanceOf(decl, plan, form, { kind: 'anchor' }, ctx.opset);
      });
    },
    backward(out, ctx) {
      if (!decl.dtypes.includes(out.dtype)) return undefined;
      const r = out.shape.length;
      const asInput = ctx.opset >= decl.axesInputSince;
      const ones = out.shape.flatMap((d, i) => (d === 1 ? [i] : []));
      const budget = Math.max(1, Math.floor(ctx.maxElems / Math.max(1, numel(out.shape))));
      const modes: string[] = [];
      if (ones.length > 0) modes.push('keep');
      if (r < MAX_RANK) modes.push('drop');
      if (ones.length === r) modes.push('all-keep');
      if (r === 0) modes.push('all-drop');
      if (asInput) modes.push('noop');
      // a full-rank target without size-1 dims cannot come out of a reduction in the attribute form
      if (modes.length === 0) return undefined;
      return fc
        .record({
          mode: fc.constantFrom(...modes),
          form: formArb,
          keepSet: fc.shuffledSubarray(ones, { minLength: Math.min(1, ones.length) }),
          extra: fc.integer({ min: 1, max: Math.max(1, MAX_RANK - r) }),
          positions: fc.array(fc.nat(), { minLength: MAX_RANK, maxLength: MAX_RANK }),
          dims: fc.array(fc.integer({ min: 1, max: MAX_DIM }), { minLength: MAX_RANK, maxLength: MAX_RANK }),
          allRank: fc.integer({ min: 0, max: MAX_RANK }),
        })
        .map(({ mode, form, keepSet, extra, positions, dims, allRank }) => {
          let left = budget;
          const grow = (i: number): number => {
            const d = Math.max(1, Math.min(dims[i]!, Math.floor(left)));
            left /= d;
            return d;
          };
          let plan: Plan;
          if (mode === 'keep') {
            const inShape = out.shape.map((d, i) => (keepSet.includes(i) ? grow(i) : d));
            plan = { inShape, axes: [...keepSet].sort((a, b) => a - b), keepdims: form.keepdims === 0 ? 1 : form.keepdims, noop: false };
          } else if (mode === 'drop') {
            // insert `extra` new dims at drawn positions of the growing input shape
            const inShape = [...out.shape];
            const isNew: boolean[] = out.shape.map(() => false);
            for (let j = 0; j < extra; j++) {
              const p = positions[j]! % (inShape.length + 1);
              inShape.splice(p, 0, grow(j));
              isNew.splice(p, 0, true);
            }
            const axes = isNew.flatMap((n, i) => (n ? [i] : []));
            plan = { inShape, axes, keepdims: 0, noop: false };
          } else if (mode === 'all-keep') {
            plan = { inShape: out.shape.map((_, i) => grow(i)), axes: undefined, keepdims: form.keepdims === 0 ? 1 : form.keepdims, noop: false };
          } else if (mode === 'all-drop') {
            plan = { inShape: Array.from({ length: allRank }, (_, i) => grow(i)), axes: undefined, keepdims: 0, noop: false };
          } else {
            plan = { inShape: out.shape, axes: undefined, keepdims: form.keepdims, noop: true };
          }
          const data: Operand = { kind: 'tensor', type: { dtype: out.dtype, shape: plan.inShape } };
          return instanceOf(decl, plan, form, data, ctx.opset);
        });
    },
    infer(inputs, attrs) {
      const x = inputs[0];
      if (!x) return `${decl.onnx}: missing data input`;
      if (!decl.dtypes.includes(x.dtype)) return `${decl.onnx}: dtype ${x.dtype} not supported`;
      const keep = keepdimsOf(attrs);
      if (keep !== 0 && keep !== 1) return `${decl.onnx}: keepdims must be 0 or 1, got ${keep}`;
      const axes = reducedAxes(decl.onnx, x.shape.length, inputs[1], attrs);
      if (typeof axes === 'string') return axes;
      if (axes === null) return [{ dtype: x.dtype, shape: x.shape }];
      return [{ dtype: x.dtype, shape: reducedShape(x.shape, axes, keep === 1) }];
    },
    ...(decl.range ? { range: (inputs: readonly Interval[]) => [decl.range!(inputs[0] ?? UNBOUNDED)] } : {}),
    ...(decl.domain
      ? { domain: (types: readonly TensorType[], attrs: Attrs) => decl.domain!(types[0]!.dtype, reducedCount(types[0]!, attrs)) }
      : {}),
    reference(inputs, attrs) {
      const x = inputs[0]!;
      const a = inputs[1];
      const axes = reducedAxes(decl.onnx, x.shape.length, a ? { ...a, data: Array.from(a.data) } : undefined, attrs);
      if (typeof axes === 'string') throw new Error(axes);
      // noop_with_empty_axes reduces every element on its own: the identity for Sum/Mean/Max/Min/Prod, but
      // L1, L2, SumSquare, LogSum and LogSumExp still apply their per-element functions (ONNX #6103, #7394)
      return [reduceKernel(x, axes ?? [], keepdimsOf(attrs) === 1, decl.agg)];
    },
    tfjs: reduceTfjs(decl),
  });
}

export const ReduceSum = reduceOp({ onnx: 'ReduceSum', dtypes: NUMERIC_DTYPES, axesInputSince: 13, agg: sum, range: sumRange, tfjs: { reduce: TF_SUM } });

const within = (r: Interval): Interval => r;

/** Integer means truncate toward zero (ORT divides in the integer type; numpy's mean then astype agrees). */
export const ReduceMean = reduceOp({
  onnx: 'ReduceMean',
  dtypes: NUMERIC_DTYPES,
  axesInputSince: 18,
  agg: (v) => sum(v) / v.length,
  range: within,
  tfjs: {
    reduce: (tf, x, axes, keep) => {
      if (x.dtype !== 'int32') return tf.mean(x, axes, keep);
      const count = axes.reduce((n, a) => n * x.shape[a]!, 1);
      return truncDiv(tf, tf.sum(x, axes, keep), count);
    },
  },
});

export const ReduceMax = exactOp(reduceOp({
  onnx: 'ReduceMax',
  dtypes: NUMERIC_DTYPES,
  axesInputSince: 18,
  agg: (v) => Math.max(...v),
  range: within,
  tfjs: { reduce: (tf, x, axes, keep) => tf.max(x, axes, keep) },
}));

export const ReduceMin = exactOp(reduceOp({
  onnx: 'ReduceMin',
  dtypes: NUMERIC_DTYPES,
  axesInputSince: 18,
  agg: (v) => Math.min(...v),
  range: within,
  tfjs: { reduce: (tf, x, axes, keep) => tf.min(x, axes, keep) },
}));

/** Magnitudes are bounded so that the product of every reduced slot stays finite (and exact for integers). */
export const ReduceProd = reduceOp({
  onnx: 'ReduceProd',
  dtypes: NUMERIC_DTYPES,
  axesInputSince: 18,
  agg: (v) => v.reduce((p, x) => p * x, 1),
  range: prodRange,
  tfjs: { reduce: (tf, x, axes, keep) => tf.prod(x, axes, keep) },
  domain: (dtype, n) => [
    { input: 0, rel: 'abs-le', value: isInt(dtype) ? Math.min(2, intBound(INT_LIMIT[dtype]!, n, true)) : Math.min(2, Math.pow(1e30, 1 / n)) },
  ],
});

export const ReduceL1 = reduceOp({
  onnx: 'ReduceL1',
  dtypes: NUMERIC_DTYPES,
  axesInputSince: 18,
  agg: (v) => v.reduce((s, x) => s + Math.abs(x), 0),
  range: () => [0, Infinity],
  tfjs: { pre: (tf, x) => tf.abs(x), reduce: TF_SUM },
});

/** Squares of integers must not overflow: past that ORT wraps and float64 can no longer say how. */
function squareDomain(dtype: DType, n: number): DomainConstraint[] {
  if (isInt(dtype)) return [{ input: 0, rel: 'abs-le', value: intBound(INT_LIMIT[dtype]!, n, false) }];
  if (dtype === 'float32') return [{ input: 0, rel: 'abs-le', value: Math.sqrt(1e38 / n) }];
  return [];
}

export const ReduceL2 = reduceOp({
  onnx: 'ReduceL2',
  dtypes: NUMERIC_DTYPES,
  axesInputSince: 18,
  agg: (v) => Math.sqrt(sumSquares(v)),
  range: () => [0, Infinity],
  domain: squareDomain,
  tfjs: { pre: square, reduce: TF_SUM, post: (tf, y) => (y.dtype === 'int32' ? intSqrt(tf, y) : tf.sqrt(y)) },
});

export const ReduceSumSquare = reduceOp({
  onnx: 'ReduceSumSquare',
  dtypes: NUMERIC_DTYPES,
  axesInputSince: 18,
  agg: sumSquares,
  range: () => [0, Infinity],
  domain: squareDomain,
  tfjs: { pre: square, reduce: TF_SUM },
});

/**
 * The log needs a positive sum: every element positive is the constructive way to get one. Integer inputs are
 * left out as for ReduceLogSumExp: a log has no integer meaning, and ONNX drops them from the schema (opset 28).
 */
export const ReduceLogSum = reduceOp({
  onnx: 'ReduceLogSum',
  dtypes: FLOAT_DTYPES,
  axesInputSince: 18,
  agg: (v) => Math.log(sum(v)),
  range: (r) => (r[0] > 0 ? [Math.log(r[0]), Infinity] : UNBOUNDED),
  tfjs: { reduce: TF_SUM, post: (tf, y) => tf.log(y) },
  domain: () => [{ input: 0, rel: 'gt', value: 0 }],
});

/**
 * Computed stably (max shifted out); inputs bounded so that naive exp-then-sum backends stay finite too.
 * Integer inputs are left out: ORT truncates every exp(x - max) term to the integer type before summing
 * (not log of the real sum), and ONNX drops integer types from this schema (opset 28).
 */
export const ReduceLogSumExp = reduceOp({
  onnx: 'ReduceLogSumExp',
  dtypes: FLOAT_DTYPES,
  axesInputSince: 18,
  agg: (v) => {
    if (v.length === 0) return -Infinity;
    const m = Math.max(...v);
    let s = 0;
    for (const x of v) s += Math.exp(x - m);
    return m + Math.log(s);
  },
  domain: () => [{ input: 0, rel: 'abs-le', value: 80 }],
  // at least the largest element
  range: (r) => [r[0], Infinity],
  tfjs: { reduce: (tf, x, axes, keep) => tf.logSumExp(x, axes, keep) },
});

/** This family's operators, in registry order. */
export const reduceOps: readonly OpSpec[] = [
  ReduceSum,
  ReduceMean,
  ReduceMax,
  ReduceMin,
  ReduceProd,
  ReduceL1,
  ReduceL2,
  ReduceLogSum,
  ReduceLogSumExp,
  ReduceSumSquare,
];
