/**
 * Shared construction for elementwise operators: unary maps and multidirectional-broadcast binary maps.
 * Operator files declare only what differs (the scalar function, dtypes, domain, attributes).
 */
import * as fc from 'fast-check';
import type * as tfjs from '@tensorflow/tfjs-core';
import type { Attrs, AttrValue, DType, Tensor, TensorType } from '../../src/ir/index.js';
import { broadcastIndex, broadcastShapes, numel } from '../../src/ir/index.js';
import { allowed, broadcastPartnerArb } from '../arb.js';
import type { AttrSchema, DomainConstraint, InferInput, Instance, Interval, OpSpec } from './spec.js';
import { defineOp, UNBOUNDED } from './spec.js';

export interface UnaryDecl {
  readonly onnx: string;
  readonly since: number;
  readonly dtypes: readonly DType[];
  /** Scalar function on float64; attributes arrive with defaults filled in. */
  readonly fn: (x: number, attrs: Attrs, dtype: DType) => number;
  readonly attributes?: Readonly<Record<string, AttrSchema>>;
  /** Attribute arbitrary (independent of the input type for elementwise maps). */
  readonly attrs?: fc.Arbitrary<Attrs>;
  readonly domain?: (attrs: Attrs) => DomainConstraint[];
  /** Output element type when it differs from the input's (Not keeps bool; IsNaN gives bool). */
  readonly outDtype?: DType;
  readonly tfjs?: OpSpec['tfjs'];
  /** See OpSpec.proxyGrad. */
  readonly proxyGrad?: OpSpec['proxyGrad'];
  /** See OpSpec.slope. */
  readonly slope?: OpSpec['slope'];
}

const noAttrs: fc.Arbitrary<Attrs> = fc.constant({});

/** Sample points for estimating a scalar function's range over an interval (dense near 0, sparse far out). */
const RANGE_PROBES = (() => {
  const xs: number[] = [0];
  for (let i = 1; i <= 60; i++) xs.push(i / 10, -i / 10);
  for (const m of [20, 50, 100, 1e3, 1e4, 1e6, 1e9]) xs.push(m, -m);
  return xs;
})();

/**
 * The range of an elementwise function over an input interval, estimated from the endpoints and probes inside it:
 * exact for the monotone and periodic functions the unary operators are, and only a guide to the generator.
 */
export function unaryRange(fn: (x: number) => number, r: Interval): Interval {
  const lo = Math.max(r[0], -1e12);
  const hi = Math.min(r[1], 1e12);
  let min = Infinity;
  let max = -Infinity;
  // finite ends past the probes count as they are (an int64 input may reach 1e16)
  const ends = [r[0], r[1]].filter((x) => Number.isFinite(x) && Math.abs(x) > 1e12);
  for (const x of [lo, hi, ...ends, ...RANGE_PROBES.filter((p) => p > lo && p < hi)]) {
    const y = fn(x);
    if (Number.isNaN(y)) continue;
    min = Math.min(min, y);
    max = Math.max(max, y);
  }
  if (min > max) return UNBOUNDED;
  // an open end of the input may keep growing past the last probe
  const grows = (x: number, far: number): boolean => Math.abs(fn(far)) > Math.abs(fn(x)) * 1.0001 + 1e-12;
  if (r[1] === Infinity && grows(1e9, 1e12)) max = fn(1e12) > 0 ? Infinity : max;
  if (r[0] === -Infinity && grows(-1e9, -1e12)) min = fn(-1e12) < 0 ? -Infinity : min;
  return [min, max];
}

function withAttrDefaults(schema: Readonly<Record<string, AttrSchema>>, attrs: Attrs): Attrs {
  const out: Record<string, AttrValue> = {};
  for (const [k, s] of Object.entries(schema)) if (s.default !== undefined) out[k] = s.default;
  return { ...out, ...attrs };
}

/** An elementwise unary operator: same shape out, `fn` applied to each element. */
export function unaryOp(d: UnaryDecl): OpSpec {
  const rangeCache = new Map<string, Interval>();
  const attrsArb = d.attrs ?? noAttrs;
  const build = (): fc.Arbitrary<Instance> => attrsArb.map((attrs) => ({ inputs: [{ kind: 'anchor' }], attrs }));
  return defineOp({
    onnx: d.onnx,
    since: d.since,
    dtypes: d.dtypes,
    ranks: [0, 5],
    attributes: d.attributes ?? {},
    ...(d.tfjs ? { tfjs: d.tfjs } : {}),
    ...(d.proxyGrad ? { proxyGrad: d.proxyGrad } : {}),
    ...(d.slope ? { slope: d.slope } : {}),
    range(inputs, attrs) {
      const r = inputs[0] ?? UNBOUNDED;
      // the generator asks again and again for the same few intervals: remember the answers
      let key = `${r[0]},${r[1]}`;
      for (const _ in attrs) {
        key += JSON.stringify(attrs);
        break;
      }
      let out = rangeCache.get(key);
      if (!out) {
        const full = withAttrDefaults(d.attributes ?? {}, attrs);
        out = unaryRange((x) => d.fn(x, full, 'float64'), r);
        if (rangeCache.size > 10_000) rangeCache.clear();
        rangeCache.set(key, out);
      }
      return [out];
    },
    build,
    backward(out, ctx) {
      if (!d.dtypes.includes(out.dtype) && d.outDtype === undefined) return undefined;
      if (d.outDtype !== undefined && out.dtype !== d.outDtype) return undefined;
      const inDtypes = d.outDtype === undefined ? [out.dtype] : allowed(d.dtypes, ctx.dtypes);
      if (inDtypes.length === 0) return undefined;
      return fc.record({ dtype: fc.constantFrom(...inDtypes), attrs: attrsArb }).map(({ dtype, attrs }) => ({
        inputs: [{ kind: 'tensor', type: { dtype, shape: out.shape } }],
        attrs,
      }));
    },
    infer(inputs) {
      const x = inputs[0];
      if (!x) return `${d.onnx}: missing input`;
      if (!d.dtypes.includes(x.dtype)) return `${d.onnx}: dtype ${x.dtype} not supported`;
      return [{ dtype: d.outDtype ?? x.dtype, shape: x.shape }];
    },
    ...(d.domain ? { domain: (_types: readonly TensorType[], attrs: Attrs) => d.domain!(attrs) } : {}),
    reference(inputs, attrs) {
      const x = inputs[0]!;
      const out = new Float64Array(x.data.length);
      for (let i = 0; i < out.length; i++) out[i] = d.fn(x.data[i]!, attrs, x.dtype);
      return [{ dtype: d.outDtype ?? x.dtype, shape: x.shape, data: out }];
    },
  });
}

export interface BinaryDecl {
  readonly onnx: string;
  readonly since: number;
  readonly dtypes: readonly DType[];
  /** Scalar function; `dtype` is the input element type (integer division and wrap-around need it). */
  readonly fn: (a: number, b: number, dtype: DType, attrs: Attrs) => number;
  readonly attributes?: Readonly<Record<string, AttrSchema>>;
  readonly attrs?: (dtype: DType) => fc.Arbitrary<Attrs>;
  readonly domain?: (dtype: DType, attrs: Attrs) => DomainConstraint[];
  /** Comparisons and logic produce bool. */
  readonly outDtype?: DType;
  /**
   * Inputs whose values the domain constrains directly (an integer divisor): the generator gives them a fresh
   * placeholder so the input search controls their values.
   */
  readonly freshInputs?: (dtype: DType) => readonly number[];
  readonly tfjs?: OpSpec['tfjs'];
  /** See OpSpec.proxyGrad. */
  readonly proxyGrad?: OpSpec['proxyGrad'];
}

/** An elementwise binary operator with multidirectional broadcasting. */
export function binaryOp(d: BinaryDecl): OpSpec {
  const attrsOf = (dtype: DType): fc.Arbitrary<Attrs> => (d.attrs ? d.attrs(dtype) : noAttrs);
  const fresh = (dtype: DType, i: number): boolean => (d.freshInputs?.(dtype) ?? []).includes(i);
  return defineOp({
    onnx: d.onnx,
    since: d.since,
    dtypes: d.dtypes,
    ranks: [0, 5],
    attributes: d.attributes ?? {},
    ...(d.tfjs ? { tfjs: d.tfjs } : {}),
    ...(d.proxyGrad ? { proxyGrad: d.proxyGrad } : {}),
    ...(d.outDtype === 'bool' ? { range: (): Interval[] => [[0, 1]] } : {}),
    build(anchor, ctx) {
      return fc
        .record({
          partner: broadcastPartnerArb(anchor.shape, ctx.maxElems),
          anchorFirst: fc.boolean(),
          attrs: attrsOf(anchor.dtype),
        })
        .map(({ partner, anchorFirst, attrs }) => {
          // the anchor (an arbitrary existing tensor) never sits where the domain needs a fresh placeholder
          const first = fresh(anchor.dtype, 1) ? true : fresh(anchor.dtype, 0) ? false : anchorFirst;
          const other = {
            kind: 'tensor' as const,
            type: { dtype: anchor.dtype, shape: partner },
            fresh: fresh(anchor.dtype, first ? 1 : 0),
          };
          return { inputs: first ? [{ kind: 'anchor' as const }, other] : [other, { kind: 'anchor' as const }], attrs };
        });
    },
    backward(out, ctx) {
      const inDtypes = d.outDtype === undefined ? (d.dtypes.includes(out.dtype) ? [out.dtype] : []) : allowed(d.dtypes, ctx.dtypes);
      if (inDtypes.length === 0 || (d.outDtype !== undefined && out.dtype !== d.outDtype)) return undefined;
      // one side carries the full output shape, the other a broadcast-compatible one that never enlarges it
      return fc
        .record({
          dtype: fc.constantFrom(...inDtypes),
          drop: fc.integer({ min: 0, max: out.shape.length }),
          ones: fc.array(fc.boolean(), { minLength: out.shape.length, maxLength: out.shape.length }),
          fullFirst: fc.boolean(),
        })
        .chain(({ dtype, drop, ones, fullFirst }) =>
          attrsOf(dtype).map((attrs) => {
            const small = out.shape.slice(drop).map((s, i) => (ones[i + drop] ? 1 : s));
            const full = { dtype, shape: out.shape };
            const part = { dtype, shape: small };
            const [t0, t1] = fullFirst ? [full, part] : [part, full];
            return {
              inputs: [
                { kind: 'tensor' as const, type: t0, fresh: fresh(dtype, 0) },
                { kind: 'tensor' as const, type: t1, fresh: fresh(dtype, 1) },
              ],
              attrs,
            };
          }),
        );
    },
    infer(inputs) {
      const [a, b] = inputs;
      if (!a || !b) return `${d.onnx}: needs two inputs`;
      if (a.dtype !== b.dtype) return `${d.onnx}: input dtypes differ (${a.dtype} vs ${b.dtype})`;
      if (!d.dtypes.includes(a.dtype)) return `${d.onnx}: dtype ${a.dtype} not supported`;
      const shape = broadcastShapes(a.shape, b.shape);
      if (!shape) return `${d.onnx}: shapes [${a.shape.join(',')}] and [${b.shape.join(',')}] do not broadcast`;
      return [{ dtype: d.outDtype ?? a.dtype, shape }];
    },
    ...(d.domain ? { domain: (types: readonly TensorType[], attrs: Attrs) => d.domain!(types[0]!.dtype, attrs) } : {}),
    reference(inputs, attrs) {
      const a = inputs[0]!;
      const b = inputs[1]!;
      return [broadcastMap([a, b], d.outDtype ?? a.dtype, (v) => d.fn(v[0]!, v[1]!, a.dtype, attrs))];
    },
  });
}

/**
 * tf.broadcastTo for lowerings the input search differentiates: broadcastTo runs tfjs's Tile kernel, which has no
 * gradient above rank 4, so float tensors of higher rank broadcast by adding zeros instead.
 */
export function tfBroadcast(tf: typeof tfjs, t: tfjs.Tensor, shape: readonly number[]): tfjs.Tensor {
  if (t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i])) return t;
  return t.dtype === 'float32' && shape.length > 4 ? tf.add(t, tf.zeros([...shape])) : tf.broadcastTo(t, [...shape]);
}

/** Applies `fn` over the broadcast of `inputs` (any count), producing a tensor of `dtype`. */
export function broadcastMap(inputs: readonly Tensor[], dtype: DType, fn: (vals: number[]) => number): Tensor {
  const shape = broadcastShapes(...inputs.map((t) => t.shape));
  if (!shape) throw new Error(`shapes ${inputs.map((t) => `[${t.shape.join(',')}]`).join(' ')} do not broadcast`);
  const n = numel(shape);
  const idx = inputs.map((t) => broadcastIndex(t.shape, shape));
  const out = new Float64Array(n);
  const vals = new Array<number>(inputs.length);
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < inputs.length; j++) vals[j] = inputs[j]!.data[idx[j]![k]!]!;
    out[k] = fn(vals);
  }
  return { dtype, shape, data: out };
}

/** Type inference for ops whose inputs broadcast together (Where, Sum, Max with many inputs). */
export function inferBroadcast(inputs: readonly (InferInput | undefined)[]): number[] | undefined {
  const present = inputs.filter((t): t is InferInput => t !== undefined);
  return broadcastShapes(...present.map((t) => t.shape));
}
