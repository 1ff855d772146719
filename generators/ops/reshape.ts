/**
 * Reshape, Flatten, Squeeze, Unsqueeze: operators that change only the shape; the row-major data is copied
 * unchanged, so every element type works and every kernel is a copy. Squeeze and Unsqueeze live in squeeze.ts.
 */
import * as fc from 'fast-check';
import type { Attrs, Tensor } from '../../src/ir/index.js';
import { DTYPES, numel } from '../../src/ir/index.js';
import type { InferInput, Instance, OpSpec } from './spec.js';
import { reshapeToOutput, Squeeze, Unsqueeze } from './squeeze.js';
import { attrInt, defineOp, passRange } from './spec.js';

/** Largest rank a shape operator here produces (ORT handles more; the rest of the graph rarely wants more). */
const MAX_OUT_RANK = 6;

function primeFactors(n: number): number[] {
  const out: number[] = [];
  let m = n;
  for (let p = 2; p * p <= m; p++) {
    while (m % p === 0) {
      out.push(p);
      m /= p;
    }
  }
  if (m > 1) out.push(m);
  return out;
}

/**
 * A shape holding exactly `n` elements with rank in [minRank, maxRank]: the prime factors of `n` land in random
 * slots, so both coarse ([n]) and fine factorisations appear, with dims of 1 wherever a slot stays empty.
 */
export function factorShapeArb(n: number, minRank: number, maxRank: number): fc.Arbitrary<number[]> {
  const primes = primeFactors(n);
  const lo = Math.max(minRank, primes.length > 0 ? 1 : 0);
  const hi = Math.max(lo, maxRank);
  return fc
    .record({
      rank: fc.integer({ min: lo, max: hi }),
      slots: fc.array(fc.nat(), { minLength: primes.length, maxLength: primes.length }),
    })
    .map(({ rank, slots }) => {
      const dims = new Array<number>(rank).fill(1);
      primes.forEach((p, i) => {
        const k = slots[i]! % rank;
        dims[k] = dims[k]! * p;
      });
      return dims;
    });
}

/** Values of a constant integer input, or undefined when the input is not a constant. */
function constInts(t: InferInput | Tensor | undefined): number[] | undefined {
  if (!t) return undefined;
  const d = (t as { data?: ArrayLike<number> }).data;
  return d === undefined ? undefined : Array.from(d);
}

/** An int attribute with its default (inference sees attributes as written, without defaults). */
function intOr(attrs: Attrs, name: string, def: number): number {
  return attrs[name] === undefined ? def : attrInt(attrs, name);
}

function copyAs(x: Tensor, shape: readonly number[]): Tensor {
  return { dtype: x.dtype, shape: [...shape], data: Float64Array.from(x.data) };
}

function int64(data: readonly number[]): { kind: 'const'; dtype: 'int64'; shape: number[]; data: number[] } {
  return { kind: 'const', dtype: 'int64', shape: [data.length], data: [...data] };
}

// ---------------------------------------------------------------------------------------------------------------
// Reshape

/** The shape Reshape produces for `target` (0 copies the input dim unless allowzero, -1 is inferred). */
function reshapeShape(inShape: readonly number[], target: readonly number[], allowzero: number): number[] | string {
  const n = numel(inShape);
  const dims: number[] = [];
  let inferAt = -1;
  for (let i = 0; i < target.length; i++) {
    const v = target[i]!;
    if (v === -1) {
      if (inferAt >= 0) return 'Reshape: more than one -1 in the target shape';
      inferAt = i;
      dims.push(1);
    } else if (v === 0 && allowzero === 0) {
      if (i >= inShape.length) return `Reshape: 0 at position ${i} copies a dim the rank-${inShape.length} input lacks`;
      dims.push(inShape[i]!);
    } else if (v < 0 || !Number.isInteger(v)) {
      return `Reshape: invalid target entry ${v}`;
    } else dims.push(v);
  }
  if (inferAt >= 0) {
    if (allowzero !== 0 && target.includes(0)) return 'Reshape: allowzero=1 forbids 0 and -1 together';
    const known = numel(dims);
    if (known === 0 || n % known !== 0) return `Reshape: cannot infer -1 for ${n} elements from [${target.join(',')}]`;
    dims[inferAt] = n / known;
  }
  if (numel(dims) !== n) return `Reshape: [${inShape.join(',')}] has ${n} elements, target [${dims.join(',')}] has ${numel(dims)}`;
  return dims;
}

/**
 * Writes `target` as a Reshape shape input: entries equal to the input's dim at the same position may become 0
 * (copy), and one entry may become -1 (inferred).
 */
function encodeTarget(inShape: readonly number[], target: readonly number[], copy: readonly boolean[], inferPos: number): number[] {
  const enc = target.map((d, i) => (copy[i] && i < inShape.length && inShape[i] === d ? 0 : d));
  if (inferPos < enc.length && enc[inferPos] !== 0) enc[inferPos] = -1;
  return enc;
}

const reshapeEncodingArb = fc.record({
  copy: fc.array(fc.boolean(), { minLength: MAX_OUT_RANK, maxLength: MAX_OUT_RANK }),
  inferPos: fc.integer({ min: 0, max: MAX_OUT_RANK + 2 }),
  allowzero: fc.constantFrom('omit', 'zero', 'one'),
});

function reshapeInstance(
  data: Instance['inputs'][number],
  inShape: readonly number[],
  target: readonly number[],
  e: { copy: boolean[]; inferPos: number; allowzero: string },
): Instance {
  // allowzero=1 reads a 0 literally, so it appears only when the encoding holds no 0 (then it changes nothing)
  const one = e.allowzero === 'one';
  const enc = encodeTarget(inShape, target, one ? [] : e.copy, e.inferPos);
  const attrs: Attrs = e.allowzero === 'omit' ? {} : { allowzero: one ? 1 : 0 };
  return { inputs: [data, int64(enc)], attrs };
}

export const Reshape = defineOp({
  // moves or selects input values: the output stays within their bounds
  range: passRange(),
  onnx: 'Reshape',
  exact: true,
  since: 14,
  dtypes: DTYPES,
  ranks: [0, 5],
  attributes: { allowzero: { type: 'int', default: 0 } },
  build(anchor, ctx) {
    // keeping a prefix of the input's dims makes 0 (copy) entries possible, and mimics real reshapes
    return fc
      .integer({ min: 0, max: Math.max(0, Math.min(anchor.shape.length, Math.min(MAX_OUT_RANK, ctx.maxElems) - 1)) })
      .chain((keep) => {
        const prefix = anchor.shape.slice(0, keep);
        const rest = numel(anchor.shape.slice(keep));
        // the target is a constant with one entry per output dim, within maxElems like every tensor
        return fc.record({ tail: factorShapeArb(rest, 0, Math.min(MAX_OUT_RANK, ctx.maxElems) - keep), e: reshapeEncodingArb }).map(({ tail, e }) =>
          reshapeInstance({ kind: 'anchor' }, anchor.shape, [...prefix, ...tail], e),
        );
      });
  },
  backward(out) {
    const n = numel(out.shape);
    return fc
      .record({ inShape: factorShapeArb(n, 0, 5), e: reshapeEncodingArb })
      .map(({ inShape, e }) => reshapeInstance({ kind: 'tensor', type: { dtype: out.dtype, shape: inShape } }, inShape, out.shape, e));
  },
  tfjs: reshapeToOutput,
  infer(inputs, attrs) {
    const [x, s] = inputs;
    if (!x || !s) return 'Reshape: needs data and shape';
    if (s.dtype !== 'int64' || s.shape.length !== 1) return 'Reshape: shape must be a 1-D int64 tensor';
    const target = constInts(s);
    if (!target) return 'Reshape: shape must be a constant';
    const dims = reshapeShape(x.shape, target, intOr(attrs, 'allowzero', 0));
    return typeof dims === 'string' ? dims : [{ dtype: x.dtype, shape: dims }];
  },
  reference(inputs, attrs) {
    const x = inputs[0]!;
    const dims = reshapeShape(x.shape, Array.from(inputs[1]!.data), intOr(attrs, 'allowzero', 0));
    if (typeof dims === 'string') throw new Error(dims);
    return [copyAs(x, dims)];
  },
});

// ---------------------------------------------------------------------------------------------------------------
// Flatten

function flattenShape(shape: readonly number[], axis: number): number[] | string {
  const r = shape.length;
  if (axis < -r || axis > r) return `Flatten: axis ${axis} out of range for rank ${r}`;
  const a = axis < 0 ? axis + r : axis;
  return [numel(shape.slice(0, a)), numel(shape.slice(a))];
}

/** Flatten's axis attribute for split point `a` of a rank-`r` input: positive, negative or the default. */
function flattenAttrs(a: number, r: number, form: number): Attrs {
  if (form === 0 && a === 1) return {};
  if (form === 1 && a < r) return { axis: a - r };
  return { axis: a };
}

export const Flatten = defineOp({
  // moves or selects input values: the output stays within their bounds
  range: passRange(),
  onnx: 'Flatten',
  exact: true,
  since: 13,
  dtypes: DTYPES,
  ranks: [0, 5],
  attributes: { axis: { type: 'int', default: 1 } },
  build(anchor) {
    const r = anchor.shape.length;
    return fc
      .record({ a: fc.integer({ min: 0, max: r }), form: fc.integer({ min: 0, max: 2 }) })
      .map(({ a, form }) => ({ inputs: [{ kind: 'anchor' }], attrs: flattenAttrs(a, r, form) }));
  },
  backward(out) {
    if (out.shape.length !== 2) return undefined;
    const [rows, cols] = out.shape as [number, number];
    return fc
      .record({ lead: factorShapeArb(rows, 0, 3), trail: factorShapeArb(cols, 0, 2), form: fc.integer({ min: 0, max: 2 }) })
      .map(({ lead, trail, form }) => {
        const shape = [...lead, ...trail];
        return {
          inputs: [{ kind: 'tensor', type: { dtype: out.dtype, shape } }],
          attrs: flattenAttrs(lead.length, shape.length, form),
        };
      });
  },
  tfjs: reshapeToOutput,
  infer(inputs, attrs) {
    const x = inputs[0];
    if (!x) return 'Flatten: missing input';
    const dims = flattenShape(x.shape, intOr(attrs, 'axis', 1));
    return typeof dims === 'string' ? dims : [{ dtype: x.dtype, shape: dims }];
  },
  reference(inputs, attrs) {
    const x = inputs[0]!;
    const dims = flattenShape(x.shape, intOr(attrs, 'axis', 1));
    if (typeof dims === 'string') throw new Error(dims);
    return [copyAs(x, dims)];
  },
});

/** This family's operators, in registry order. */
export const reshapeOps: readonly OpSpec[] = [Reshape, Flatten, Squeeze, Unsqueeze];

