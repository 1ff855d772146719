/** Concat and Split: joining tensors along an axis and cutting one apart again. Type-agnostic. */
import * as fc from 'fast-check';
import type { Attrs, DType, Tensor } from '../../src/ir/index.js';
import { DTYPES, numel } from '../../src/ir/index.js';
import type { InferInput, Instance, Operand, OpSpec } from './spec.js';
import { attrInt, defineOp, passRange } from './spec.js';

/** An int attribute with its default (inference sees attributes as written, without defaults). */
function intOr(attrs: Attrs, name: string, def: number): number {
  return attrs[name] === undefined ? def : attrInt(attrs, name);
}

function normAxis(axis: number, rank: number, op: string): number | string {
  if (axis < -rank || axis >= rank) return `${op}: axis ${axis} out of range for rank ${rank}`;
  return axis < 0 ? axis + rank : axis;
}

/** An axis written positive or negative (`neg`), for a normalised axis `a` of a rank-`r` tensor. */
function writeAxis(a: number, r: number, neg: boolean): number {
  return neg ? a - r : a;
}

/** Elements before and after axis `a`: the outer loop count and the contiguous inner block. */
function outerInner(shape: readonly number[], a: number): [number, number] {
  return [numel(shape.slice(0, a)), numel(shape.slice(a + 1))];
}

/**
 * Cuts `total` into 1..maxParts positive sizes at random cut points (so uneven sizes are the rule and equal
 * ones happen), keeping the order the cut points give.
 */
function partsArb(total: number, maxParts: number): fc.Arbitrary<number[]> {
  const cuts = Array.from({ length: Math.max(0, total - 1) }, (_, i) => i + 1);
  return fc.subarray(cuts, { minLength: 0, maxLength: Math.min(maxParts - 1, cuts.length) }).map((cs) => {
    const pts = [0, ...cs, total];
    return pts.slice(1).map((p, i) => p - pts[i]!);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Concat

export const Concat = defineOp({
  // moves or selects input values: the output stays within their bounds
  range: passRange([0, 1, 2, 3, 4, 5, 6, 7]),
  onnx: 'Concat',
  exact: true,
  since: 13,
  dtypes: DTYPES,
  ranks: [1, 5],
  attributes: { axis: { type: 'int', required: true } },
  build(anchor, ctx) {
    const r = anchor.shape.length;
    return fc
      .record({
        a: fc.integer({ min: 0, max: r - 1 }),
        neg: fc.boolean(),
        extra: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 0, maxLength: 3 }),
        at: fc.nat(),
      })
      .map(({ a, neg, extra, at }) => {
        const [outer, inner] = outerInner(anchor.shape, a);
        // the joined axis may hold at most this many entries before the output exceeds maxElems
        let room = Math.floor(ctx.maxElems / Math.max(1, outer * inner)) - anchor.shape[a]!;
        const inputs: Operand[] = [];
        for (const d of extra) {
          const len = Math.min(d, room);
          if (len < 1) break;
          room -= len;
          const shape = anchor.shape.map((s, i) => (i === a ? len : s));
          inputs.push({ kind: 'tensor', type: { dtype: anchor.dtype, shape } });
        }
        inputs.splice(at % (inputs.length + 1), 0, { kind: 'anchor' });
        return { inputs, attrs: { axis: writeAxis(a, r, neg) } };
      });
  },
  backward(out) {
    const r = out.shape.length;
    if (r === 0) return undefined;
    return fc
      .record({ a: fc.integer({ min: 0, max: r - 1 }), neg: fc.boolean() })
      .chain(({ a, neg }) =>
        partsArb(out.shape[a]!, 4).map((parts) => ({
          inputs: parts.map((p) => ({ kind: 'tensor' as const, type: { dtype: out.dtype, shape: out.shape.map((s, i) => (i === a ? p : s)) } })),
          attrs: { axis: writeAxis(a, r, neg) },
        })),
      );
  },
  tfjs: {
    lower(tf, inputs, attrs) {
      const xs = inputs.map((x) => x!);
      const a = normAxis(attrInt(attrs, 'axis'), xs[0]!.rank, 'Concat');
      if (typeof a === 'string') throw new Error(a);
      return [tf.concat(xs, a)];
    },
  },
  infer(inputs, attrs) {
    const xs = inputs.filter((t): t is InferInput => t !== undefined);
    if (xs.length === 0 || xs.length !== inputs.length) return 'Concat: needs one or more inputs';
    const first = xs[0]!;
    const r = first.shape.length;
    if (attrs['axis'] === undefined) return 'Concat: axis is required';
    const a = normAxis(attrInt(attrs, 'axis'), r, 'Concat');
    if (typeof a === 'string') return a;
    let total = 0;
    for (const x of xs) {
      if (x.dtype !== first.dtype) return `Concat: dtypes differ (${first.dtype} vs ${x.dtype})`;
      if (x.shape.length !== r || x.shape.some((d, i) => i !== a && d !== first.shape[i])) {
        return `Concat: [${x.shape.join(',')}] does not match [${first.shape.join(',')}] off axis ${a}`;
      }
      total += x.shape[a]!;
    }
    return [{ dtype: first.dtype, shape: first.shape.map((d, i) => (i === a ? total : d)) }];
  },
  reference(inputs, attrs) {
    const xs = inputs as readonly Tensor[];
    const first = xs[0]!;
    const a = normAxis(attrInt(attrs, 'axis'), first.shape.length, 'Concat');
    if (typeof a === 'string') throw new Error(a);
    const total = xs.reduce((s, x) => s + x.shape[a]!, 0);
    const shape = first.shape.map((d, i) => (i === a ? total : d));
    const [outer, inner] = outerInner(shape, a);
    const out = new Float64Array(numel(shape));
    let o = 0;
    for (let i = 0; i < outer; i++) {
      for (const x of xs) {
        const block = x.shape[a]! * inner;
        out.set(x.data.subarray(i * block, (i + 1) * block), o);
        o += block;
      }
    }
    return [{ dtype: first.dtype, shape, data: out }];
  },
});

// ---------------------------------------------------------------------------------------------------------------
// Split

/**
 * The sizes a Split node cuts into: the `split` input when given, else `num_outputs` (opset 18: chunks of
 * ceil(d/n), the last one smaller), else equal parts, one per node output (`nOutputs`).
 */
function splitSizes(
  inputs: readonly (InferInput | Tensor | undefined)[],
  attrs: Attrs,
  opset: number,
  nOutputs: number | undefined,
): { a: number; sizes: number[] } | string {
  const x = inputs[0];
  if (!x) return 'Split: missing input';
  const a = normAxis(intOr(attrs, 'axis', 0), x.shape.length, 'Split');
  if (typeof a === 'string') return a;
  const d = x.shape[a]!;
  const s = inputs[1];
  const num = attrs['num_outputs'];
  if (s) {
    if (s.dtype !== 'int64' || s.shape.length !== 1) return 'Split: split must be a 1-D int64 tensor';
    if (num !== undefined) return 'Split: split and num_outputs are exclusive';
    const data = (s as { data?: ArrayLike<number> }).data;
    if (data === undefined) return 'Split: split must be a constant';
    const sizes = Array.from(data);
    if (sizes.some((v) => v < 0) || sizes.reduce((p, v) => p + v, 0) !== d) {
      return `Split: sizes [${sizes.join(',')}] do not add up to dim ${d}`;
    }
    return { a, sizes };
  }
  if (num !== undefined && opset >= 18) {
    const n = attrInt(attrs, 'num_outputs');
    if (n < 1) return `Split: num_outputs ${n} < 1`;
    const chunk = Math.ceil(d / n);
    const last = d - chunk * (n - 1);
    if (last < 0) return `Split: dim ${d} cannot be cut into ${n} chunks of ${chunk}`;
    return { a, sizes: [...new Array<number>(n - 1).fill(chunk), last] };
  }
  if (nOutputs === undefined) return 'Split: without split (or num_outputs) the output count must be known';
  if (nOutputs < 1 || d % nOutputs !== 0) return `Split: dim ${d} does not split into ${nOutputs} equal parts`;
  return { a, sizes: new Array<number>(nOutputs).fill(d / nOutputs) };
}

function sizesOperand(sizes: readonly number[]): Operand {
  return { kind: 'const', dtype: 'int64', shape: [sizes.length], data: [...sizes] };
}

/** num_outputs values n (up to 4) whose ceil(d/n) chunks leave a last chunk of at least 1. */
function validNumOutputs(d: number): number[] {
  return [1, 2, 3, 4].filter((n) => n <= d && d - Math.ceil(d / n) * (n - 1) >= 1);
}

function divisorsUpTo4(d: number): number[] {
  return [1, 2, 3, 4].filter((n) => d % n === 0);
}

function axisAttrs(a: number, r: number, form: number): Attrs {
  if (form === 0 && a === 0) return {};
  return { axis: writeAxis(a, r, form === 1) };
}

export const Split: OpSpec = defineOp({
  // moves or selects input values: the output stays within their bounds
  range: passRange(),
  onnx: 'Split',
  exact: true,
  since: 13,
  dtypes: DTYPES,
  ranks: [1, 5],
  attributes: { axis: { type: 'int', default: 0 }, num_outputs: { type: 'int' } },
  build(anchor, ctx) {
    const r = anchor.shape.length;
    return fc
      .record({ a: fc.integer({ min: 0, max: r - 1 }), axisForm: fc.integer({ min: 0, max: 2 }), form: fc.integer({ min: 0, max: 3 }) })
      .chain(({ a, axisForm, form }): fc.Arbitrary<Instance> => {
        const d = anchor.shape[a]!;
        const attrs = axisAttrs(a, r, axisForm);
        // opset 18's num_outputs (ceil-sized chunks, the last one smaller) takes the place of the sizes input
        if (ctx.opset >= 18 && form === 3) {
          return fc.constantFrom(...validNumOutputs(d)).map((n) => ({ inputs: [{ kind: 'anchor' }], attrs: { ...attrs, num_outputs: n } }));
        }
        if (form === 2 && ctx.opset < 18) {
          // no sizes at all: equal parts, one per node output (opset 18 requires num_outputs instead)
          return fc.constantFrom(...divisorsUpTo4(d)).map((n) => ({ inputs: [{ kind: 'anchor' }], attrs, outputs: n }));
        }
        return partsArb(d, 4).map((s) => ({ inputs: [{ kind: 'anchor' }, sizesOperand(s)], attrs }));
      });
  },
  backward(out, ctx) {
    const r = out.shape.length;
    if (r === 0) return undefined;
    return fc
      .record({
        a: fc.integer({ min: 0, max: r - 1 }),
        axisForm: fc.integer({ min: 0, max: 2 }),
        more: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 0, maxLength: 3 }),
      })
      .map(({ a, axisForm, more }) => {
        const [outer, inner] = outerInner(out.shape, a);
        let room = Math.floor(ctx.maxElems / Math.max(1, outer * inner)) - out.shape[a]!;
        const sizes = [out.shape[a]!];
        for (const m of more) {
          const len = Math.min(m, room);
          if (len < 1) break;
          room -= len;
          sizes.push(len);
        }
        const shape = out.shape.map((s, i) => (i === a ? sizes.reduce((p, v) => p + v, 0) : s));
        return {
          inputs: [{ kind: 'tensor', type: { dtype: out.dtype as DType, shape } }, sizesOperand(sizes)],
          attrs: axisAttrs(a, r, axisForm),
        };
      });
  },
  tfjs: {
    // the output types already hold the sizes of every form (split input, num_outputs, equal parts by count)
    lower(tf, inputs, attrs, ctx) {
      const x = inputs[0]!;
      const a = normAxis(attrInt(attrs, 'axis'), x.rank, 'Split');
      if (typeof a === 'string') throw new Error(a);
      // tfjs's gradient of a one-piece tf.split fails ("Pass at least one tensor to concat"), and the input
      // search differentiates lowerings: one piece is a copy
      if (ctx.outputTypes.length === 1) return [tf.clone(x)];
      return tf.split(x, ctx.outputTypes.map((t) => t.shape[a]!), a);
    },
  },
  infer(inputs, attrs, opset, nOutputs) {
    const s = splitSizes(inputs, attrs, opset, nOutputs);
    if (typeof s === 'string') return s;
    const x = inputs[0]!;
    return s.sizes.map((len) => ({ dtype: x.dtype, shape: x.shape.map((d, i) => (i === s.a ? len : d)) }));
  },
  reference(inputs, attrs, opset, nOutputs) {
    const s = splitSizes(inputs, attrs, opset, nOutputs);
    if (typeof s === 'string') throw new Error(s);
    const x = inputs[0]!;
    const [outer, inner] = outerInner(x.shape, s.a);
    const rowBlock = x.shape[s.a]! * inner;
    let offset = 0;
    return s.sizes.map((len) => {
      const shape = x.shape.map((d, i) => (i === s.a ? len : d));
      const out = new Float64Array(numel(shape));
      const block = len * inner;
      for (let i = 0; i < outer; i++) out.set(x.data.subarray(i * rowBlock + offset, i * rowBlock + offset + block), i * block);
      offset += block;
      return { dtype: x.dtype, shape, data: out };
    });
  },
});

/** This family's operators, in registry order. */
export const concatSplitOps: readonly OpSpec[] = [Concat, Split];
