/**
 * Squeeze and Unsqueeze: remove or insert dims of size 1. Axes became an input in opset 13; the attribute form of
 * older models stays readable.
 */
import * as fc from 'fast-check';
import type { Attrs, Tensor } from '../../src/ir/index.js';
import { DTYPES } from '../../src/ir/index.js';
import type { InferInput, Instance, TfjsLowering } from './spec.js';
import { attrInts, defineOp, passRange } from './spec.js';

/** Largest rank Unsqueeze produces (ORT handles more; the rest of the graph rarely wants more). */
const MAX_OUT_RANK = 6;

function constInts(t: InferInput | Tensor | undefined): number[] | undefined {
  const d = (t as { data?: ArrayLike<number> }).data;
  return d === undefined ? undefined : Array.from(d);
}

function copyAs(x: Tensor, shape: readonly number[]): Tensor {
  return { dtype: x.dtype, shape: [...shape], data: Float64Array.from(x.data) };
}

/**
 * tfjs lowering of an operator that only relabels the shape (Reshape, Flatten, Squeeze, Unsqueeze): a reshape to
 * the node's inferred output shape, which already encodes 0/-1 targets, axis forms and the opset-11 attributes.
 */
export const reshapeToOutput: TfjsLowering = {
  lower: (tf, inputs, _attrs, ctx) => [tf.reshape(inputs[0]!, [...ctx.outputTypes[0]!.shape])],
};

/** Axes as the node gives them: the opset-13 input, the older attribute, or undefined when omitted. */
function axesOf(inputs: readonly (InferInput | Tensor | undefined)[], attrs: Attrs, opset: number): number[] | undefined | string {
  if (opset < 13) return attrInts(attrs, 'axes') ? [...attrInts(attrs, 'axes')!] : undefined;
  const a = inputs[1];
  if (!a) return undefined;
  if (a.dtype !== 'int64' || a.shape.length !== 1) return 'axes must be a 1-D int64 tensor';
  return constInts(a) ?? 'axes must be a constant';
}

function normAxes(axes: readonly number[], rank: number, op: string): number[] | string {
  const out: number[] = [];
  for (const ax of axes) {
    if (ax < -rank || ax >= rank) return `${op}: axis ${ax} out of range for rank ${rank}`;
    const a = ax < 0 ? ax + rank : ax;
    if (out.includes(a)) return `${op}: axis ${ax} repeated`;
    out.push(a);
  }
  return out;
}

function squeezeShape(shape: readonly number[], axes: readonly number[] | undefined): number[] | string {
  if (axes === undefined) return shape.filter((d) => d !== 1);
  const norm = normAxes(axes, shape.length, 'Squeeze');
  if (typeof norm === 'string') return norm;
  for (const a of norm) if (shape[a] !== 1) return `Squeeze: axis ${a} has size ${shape[a]}, not 1`;
  return shape.filter((_, i) => !norm.includes(i));
}

function unsqueezeShape(shape: readonly number[], axes: readonly number[]): number[] | string {
  const rank = shape.length + axes.length;
  const norm = normAxes(axes, rank, 'Unsqueeze');
  if (typeof norm === 'string') return norm;
  const out: number[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(norm.includes(i) ? 1 : shape[k++]!);
  return out;
}

/** Axes (positions in a rank-`rank` shape) written in random order, each positive or negative. */
function axesOperand(positions: readonly number[], negative: readonly boolean[], rank: number): Instance['inputs'][number] {
  const data = positions.map((p, i) => (negative[i] ? p - rank : p));
  return { kind: 'const', dtype: 'int64', shape: [data.length], data };
}

const signsArb = fc.array(fc.boolean(), { minLength: MAX_OUT_RANK, maxLength: MAX_OUT_RANK });

function onesOf(shape: readonly number[]): number[] {
  return shape.flatMap((d, i) => (d === 1 ? [i] : []));
}

export const Squeeze = defineOp({
  // moves or selects input values: the output stays within their bounds
  range: passRange(),
  onnx: 'Squeeze',
  exact: true,
  since: 13,
  dtypes: DTYPES,
  ranks: [1, 5],
  attributes: { axes: { type: 'ints' } },
  accepts: (anchor) => anchor.shape.includes(1),
  build(anchor) {
    const ones = onesOf(anchor.shape);
    const r = anchor.shape.length;
    return fc
      .record({ omit: fc.boolean(), pick: fc.shuffledSubarray(ones, { minLength: 1, maxLength: ones.length }), neg: signsArb })
      .map(({ omit, pick, neg }) => ({
        inputs: omit ? [{ kind: 'anchor' }] : [{ kind: 'anchor' }, axesOperand(pick, neg, r)],
        attrs: {},
      }));
  },
  backward(out) {
    const r = out.shape.length;
    // the omitted-axes form removes every 1, so it can only rebuild an output that has none
    const canOmit = !out.shape.includes(1);
    return fc
      .integer({ min: 1, max: Math.max(1, Math.min(2, MAX_OUT_RANK - r)) })
      .chain((k) => {
        const all = Array.from({ length: r + k }, (_, i) => i);
        return fc.record({ pick: fc.shuffledSubarray(all, { minLength: k, maxLength: k }), omit: fc.boolean(), neg: signsArb });
      })
      .map(({ pick, omit, neg }) => {
        const rank = r + pick.length;
        const inShape: number[] = [];
        let j = 0;
        for (let i = 0; i < rank; i++) inShape.push(pick.includes(i) ? 1 : out.shape[j++]!);
        const data = { kind: 'tensor' as const, type: { dtype: out.dtype, shape: inShape } };
        return { inputs: omit && canOmit ? [data] : [data, axesOperand(pick, neg, rank)], attrs: {} };
      });
  },
  tfjs: reshapeToOutput,
  infer(inputs, attrs, opset) {
    const x = inputs[0];
    if (!x) return 'Squeeze: missing input';
    const axes = axesOf(inputs, attrs, opset);
    if (typeof axes === 'string') return `Squeeze: ${axes}`;
    const dims = squeezeShape(x.shape, axes);
    return typeof dims === 'string' ? dims : [{ dtype: x.dtype, shape: dims }];
  },
  reference(inputs, attrs, opset) {
    const x = inputs[0]!;
    const axes = axesOf(inputs, attrs, opset);
    if (typeof axes === 'string') throw new Error(`Squeeze: ${axes}`);
    const dims = squeezeShape(x.shape, axes);
    if (typeof dims === 'string') throw new Error(dims);
    return [copyAs(x, dims)];
  },
});

export const Unsqueeze = defineOp({
  // moves or selects input values: the output stays within their bounds
  range: passRange(),
  onnx: 'Unsqueeze',
  exact: true,
  since: 13,
  dtypes: DTYPES,
  ranks: [0, 5],
  attributes: { axes: { type: 'ints' } },
  build(anchor) {
    const r = anchor.shape.length;
    const maxK = Math.max(1, Math.min(3, MAX_OUT_RANK - r));
    return fc
      .integer({ min: 1, max: maxK })
      .chain((k) => {
        const all = Array.from({ length: r + k }, (_, i) => i);
        return fc.record({ pick: fc.shuffledSubarray(all, { minLength: k, maxLength: k }), neg: signsArb }).map(({ pick, neg }) => ({
          inputs: [{ kind: 'anchor' as const }, axesOperand(pick, neg, r + k)],
          attrs: {},
        }));
      });
  },
  backward(out) {
    const ones = onesOf(out.shape);
    if (ones.length === 0) return undefined;
    return fc
      .record({ pick: fc.shuffledSubarray(ones, { minLength: 1, maxLength: ones.length }), neg: signsArb })
      .map(({ pick, neg }) => ({
        inputs: [
          { kind: 'tensor', type: { dtype: out.dtype, shape: out.shape.filter((_, i) => !pick.includes(i)) } },
          axesOperand(pick, neg, out.shape.length),
        ],
        attrs: {},
      }));
  },
  tfjs: reshapeToOutput,
  infer(inputs, attrs, opset) {
    const x = inputs[0];
    if (!x) return 'Unsqueeze: missing input';
    const axes = axesOf(inputs, attrs, opset);
    if (typeof axes === 'string') return `Unsqueeze: ${axes}`;
    if (!axes || axes.length === 0) return 'Unsqueeze: axes are required';
    const dims = unsqueezeShape(x.shape, axes);
    return typeof dims === 'string' ? dims : [{ dtype: x.dtype, shape: dims }];
  },
  reference(inputs, attrs, opset) {
    const x = inputs[0]!;
    const axes = axesOf(inputs, attrs, opset);
    if (typeof axes === 'string' || !axes) throw new Error(`Unsqueeze: ${axes ?? 'axes are required'}`);
    const dims = unsqueezeShape(x.shape, axes);
    if (typeof dims === 'string') throw new Error(dims);
    return [copyAs(x, dims)];
  },
});
