/** Broadcasting arithmetic: Add, Sub, Mul, Div, Pow, Mod, Max, Min, Sum, Mean. */
import type * as tfjs from '@tensorflow/tfjs-core';
import * as fc from 'fast-check';
import type { DType, TensorType } from '../../src/ir/index.js';
import { FLOAT_DTYPES, INT_DTYPES, NUMERIC_DTYPES, broadcastShapes, isFloat, isInt, wrapInt } from '../../src/ir/index.js';
import { allowed, broadcastPartnerArb } from '../arb.js';
import { binaryOp, broadcastMap, tfBroadcast } from './elementwise.js';
import type { DomainConstraint, Instance, Interval, OpSpec, TfjsLowering } from './spec.js';
import { UNBOUNDED } from './spec.js';
import { defineOp, exactOp } from './spec.js';
import { addRange, bounded, hull, mulRange, subRange, withRange } from './ranges.js';

type TF = typeof tfjs;
type T = tfjs.Tensor;

/** A lowering to one broadcasting tfjs binary op (tfjs broadcasts like ONNX's multidirectional broadcasting). */
function tfBinary(f: (tf: TF, a: T, b: T) => T): TfjsLowering {
  return { lower: (tf, inputs) => [f(tf, inputs[0]!, inputs[1]!)] };
}

// int32 tf.add/tf.sub wrap around on tfjs-cpu and tfjs-wasm, as ORT's int32 kernels do
export const Add = withRange(
  binaryOp({
    onnx: 'Add',
    since: 14,
    dtypes: NUMERIC_DTYPES,
    fn: (a, b, t) => wrapInt(a + b, t),
    tfjs: tfBinary((tf, a, b) => tf.add(a, b)),
  }),
  ([a = UNBOUNDED, b = UNBOUNDED]) => [addRange(a, b)],
);

export const Sub = withRange(
  binaryOp({
    onnx: 'Sub',
    since: 14,
    dtypes: NUMERIC_DTYPES,
    fn: (a, b, t) => wrapInt(a - b, t),
    tfjs: tfBinary((tf, a, b) => tf.sub(a, b)),
  }),
  ([a = UNBOUNDED, b = UNBOUNDED]) => [subRange(a, b)],
);

// a float64 product of two int32 values can exceed 2^53 and lose the low bits that int32 wrap-around keeps
export const Mul = withRange(
  binaryOp({
    onnx: 'Mul',
    since: 14,
    dtypes: NUMERIC_DTYPES,
    fn: (a, b, t) => (t === 'int32' ? Math.imul(a, b) : wrapInt(a * b, t)),
    tfjs: tfBinary((tf, a, b) => tf.mul(a, b)),
  }),
  ([a = UNBOUNDED, b = UNBOUNDED]) => [mulRange(a, b)],
);

/** Integer division truncates toward zero (C semantics, as ONNX Runtime implements it). */
function divide(a: number, b: number, t: DType): number {
  return isInt(t) ? wrapInt(Math.trunc(a / b), t) : a / b;
}

/**
 * A divisor away from zero. For integers the dividend also stays above the type's minimum: ORT checks for a zero
 * divisor but not for MIN / -1, which overflows and kills the process with SIGFPE.
 */
function divisorDomain(t: DType): DomainConstraint[] {
  if (!isInt(t)) return [{ input: 1, rel: 'abs-ge', value: 1e-3 }];
  return [
    { input: 1, rel: 'abs-ge', value: 1 },
    { input: 0, rel: 'gt', value: t === 'int32' ? -(2 ** 31) : -(2 ** 63) },
  ];
}

/** Where a floor-rounded integer result differs from the truncated one: a remainder, and operands of opposite signs. */
function floorIsNotTrunc(tf: TF, a: T, b: T): T {
  return tf.logicalAnd(tf.notEqual(tf.mod(a, b), 0), tf.notEqual(tf.less(a, 0), tf.less(b, 0)));
}

/**
 * tf.div on int32 floors (it is tf.floorDiv); ONNX integer division truncates: the floored quotient is one too low
 * exactly where the floor-modulus is non-zero and the operands' signs differ.
 */
function divTfjs(tf: TF, a: T, b: T): T {
  if (a.dtype !== 'int32') return tf.div(a, b);
  return tf.add(tf.floorDiv(a, b), tf.cast(floorIsNotTrunc(tf, a, b), 'int32'));
}

/**
 * Bounds of the real quotient a / b: none where b's interval reaches zero. Integer division truncates toward zero,
 * past these bounds: outputRanges widens them for integer types.
 */
export function divRange(a: Interval, b: Interval): Interval {
  if (!(b[0] > 0 || b[1] < 0)) return UNBOUNDED;
  const c = [a[0] / b[0], a[0] / b[1], a[1] / b[0], a[1] / b[1]];
  if (c.some(Number.isNaN)) return UNBOUNDED;
  return bounded(Math.min(...c), Math.max(...c));
}

export const Div = withRange(
  binaryOp({
    onnx: 'Div',
    since: 14,
    dtypes: NUMERIC_DTYPES,
    fn: divide,
    domain: divisorDomain,
    freshInputs: (t) => (isInt(t) ? [1] : []),
    tfjs: tfBinary(divTfjs),
  }),
  ([a = UNBOUNDED, b = UNBOUNDED]) => [divRange(a, b)],
);

/**
 * Bounds of a remainder: below |b| in magnitude; fmod=1 takes the dividend's sign and is no larger than it, fmod=0
 * (integers) takes the divisor's.
 */
export function modRange(a: Interval, b: Interval, fmod: number): Interval {
  const m = Math.max(Math.abs(b[0]), Math.abs(b[1]));
  if (fmod === 1) return bounded(a[0] >= 0 ? 0 : Math.max(a[0], -m), a[1] <= 0 ? 0 : Math.min(a[1], m));
  if (b[0] > 0) return bounded(0, b[1]);
  if (b[1] < 0) return bounded(b[0], 0);
  return bounded(-m, m);
}

/**
 * fmod=1 is C fmod (sign of the dividend; JS `%`); fmod=0 is the integer-only Python-style modulus whose result
 * takes the divisor's sign. ONNX requires fmod=1 for floating-point inputs.
 */
function modulo(a: number, b: number, t: DType, fmod: number): number {
  const r = a % b;
  if (fmod === 1 || r === 0 || r < 0 === b < 0) return wrapInt(r, t);
  return wrapInt(r + b, t);
}

/**
 * tf.mod is the floor-modulus (the divisor's sign): ONNX fmod=0 for integers. C fmod (fmod=1) takes the
 * dividend's sign. Floats: sign(a)·mod(|a|, |b|), exact since the remainder of non-negatives needs no rounding.
 * Integers: the floor-modulus minus b where the two differ (|MIN| would overflow in the float form).
 */
function modTfjs(tf: TF, a: T, b: T, fmod: number): T {
  if (fmod !== 1) return tf.mod(a, b);
  if (a.dtype !== 'int32') return tf.mul(tf.sign(a), tf.mod(tf.abs(a), tf.abs(b)));
  const r = tf.mod(a, b);
  return tf.sub(r, tf.mul(b, tf.cast(floorIsNotTrunc(tf, a, b), 'int32')));
}

const modBase = binaryOp({
  onnx: 'Mod',
  since: 13,
  dtypes: NUMERIC_DTYPES,
  attributes: { fmod: { type: 'int', default: 0 } },
  fn: (a, b, t, attrs) => modulo(a, b, t, attrs['fmod'] as number),
  attrs: (t) => (isFloat(t) ? fc.constant({ fmod: 1 }) : fc.oneof(fc.constant({}), fc.constantFrom({ fmod: 0 }, { fmod: 1 }))),
  domain: divisorDomain,
  freshInputs: (t) => (isInt(t) ? [1] : []),
  tfjs: { lower: (tf, inputs, attrs) => [modTfjs(tf, inputs[0]!, inputs[1]!, attrs['fmod'] as number)] },
});

export const Mod = defineOp({
  ...modBase,
  range: ([a = UNBOUNDED, b = UNBOUNDED], attrs) => [modRange(a, b, attrs['fmod'] === 1 ? 1 : 0)],
  infer(inputs, attrs, opset) {
    const x = inputs[0];
    if (x && isFloat(x.dtype) && attrs['fmod'] !== 1) return `Mod: fmod must be 1 for ${x.dtype} inputs`;
    return modBase.infer(inputs, attrs, opset);
  },
});

/** Exponent types the generator pairs with a base type (ONNX's T1 allows more; these keep results exact). */
function powExponentDtypes(base: DType): readonly DType[] {
  return isFloat(base) ? NUMERIC_DTYPES : INT_DTYPES;
}

/**
 * b^e over a positive base's interval: exp(e ln b) is monotone in e ln b, whose extremes over the box lie at its
 * corners. A base that may be 0 or negative (outside the float domain, or an integer base) bounds nothing. An integer
 * result, ORT's truncation of the real power, is at most one below it (outputRanges floors the low end).
 */
function powRange(b: Interval, e: Interval): Interval {
  if (!(b[0] > 0) || !Number.isFinite(b[1]) || !Number.isFinite(e[0]) || !Number.isFinite(e[1])) return UNBOUNDED;
  const logs = [Math.log(b[0]) * e[0], Math.log(b[0]) * e[1], Math.log(b[1]) * e[0], Math.log(b[1]) * e[1]];
  return [Math.exp(Math.min(...logs)), Math.exp(Math.max(...logs))];
}

/**
 * Pow has two type variables: the base T (also the output) and the exponent T1. Integer results are
 * ORT's cast of the real power; a fresh exponent kept in [0, 4] keeps them exact and defined (0^-1 is not).
 */
export const Pow = defineOp({
  onnx: 'Pow',
  since: 15,
  dtypes: NUMERIC_DTYPES,
  ranks: [0, 5],
  attributes: {},
  build(anchor, ctx) {
    // as the exponent the anchor needs a float base: an integer base needs a fresh exponent the domain controls
    const bases = allowed(FLOAT_DTYPES, ctx.dtypes);
    return fc
      .record({
        partner: broadcastPartnerArb(anchor.shape, ctx.maxElems),
        anchorIsBase: bases.length === 0 ? fc.constant(true) : fc.boolean(),
        baseDtype: fc.constantFrom(...(bases.length === 0 ? [anchor.dtype] : bases)),
        expDtype: fc.constantFrom(...allowed(powExponentDtypes(anchor.dtype), ctx.dtypes), anchor.dtype),
      })
      .map(({ partner, anchorIsBase, baseDtype, expDtype }): Instance => {
        if (anchorIsBase) {
          const e = { kind: 'tensor' as const, type: { dtype: expDtype, shape: partner }, fresh: isInt(anchor.dtype) };
          return { inputs: [{ kind: 'anchor' }, e], attrs: {} };
        }
        return { inputs: [{ kind: 'tensor', type: { dtype: baseDtype, shape: partner } }, { kind: 'anchor' }], attrs: {} };
      });
  },
  backward(out, ctx) {
    if (!NUMERIC_DTYPES.includes(out.dtype)) return undefined;
    const exps = allowed(powExponentDtypes(out.dtype), ctx.dtypes);
    return fc
      .record({ shapes: broadcastSourcesArb(out.shape, 2), expDtype: fc.constantFrom(...(exps.length ? exps : [out.dtype])) })
      .map(({ shapes, expDtype }) => ({
        inputs: [
          { kind: 'tensor', type: { dtype: out.dtype, shape: shapes[0]! } },
          { kind: 'tensor', type: { dtype: expDtype, shape: shapes[1]! }, fresh: isInt(out.dtype) },
        ],
        attrs: {},
      }));
  },
  infer(inputs) {
    const [x, y] = inputs;
    if (!x || !y) return 'Pow: needs two inputs';
    if (!NUMERIC_DTYPES.includes(x.dtype) || !NUMERIC_DTYPES.includes(y.dtype)) return `Pow: dtypes ${x.dtype}, ${y.dtype} not supported`;
    const shape = broadcastShapes(x.shape, y.shape);
    if (!shape) return `Pow: shapes [${x.shape.join(',')}] and [${y.shape.join(',')}] do not broadcast`;
    return [{ dtype: x.dtype, shape }];
  },
  domain(types): DomainConstraint[] {
    // float: a positive base keeps real results; |y| <= 4 with base in (0, 1e9] stays within float32
    if (isFloat(types[0]!.dtype)) {
      return [
        { input: 0, rel: 'gt', value: 0 },
        { input: 0, rel: 'le', value: 1e9 },
        { input: 1, rel: 'abs-le', value: 4 },
      ];
    }
    // integer: 100^4 fits int32; negative exponents would give fractions ORT truncates (and 0^-1 is undefined)
    return [
      { input: 0, rel: 'abs-le', value: 100 },
      { input: 1, rel: 'ge', value: 0 },
      { input: 1, rel: 'le', value: 4 },
    ];
  },
  range: ([b = UNBOUNDED, e = UNBOUNDED]) => [powRange(b, e)],
  reference(inputs) {
    const x = inputs[0]!;
    const y = inputs[1]!;
    return [broadcastMap([x, y], x.dtype, (v) => (isInt(x.dtype) ? wrapInt(Math.trunc(v[0]! ** v[1]!), x.dtype) : v[0]! ** v[1]!))];
  },
  tfjs: {
    // the output takes the base's type: tf.pow would promote an integer base with a float exponent to float32,
    // and ORT casts that real power back (truncating, as tf.cast does)
    lower(tf, inputs) {
      const x = inputs[0]!;
      const y = inputs[1]!;
      if (x.dtype === 'float32') return [tf.pow(x, tf.cast(y, 'float32'))];
      if (y.dtype === 'int32') return [tf.pow(x, y)];
      return [tf.cast(tf.pow(tf.cast(x, 'float32'), tf.cast(y, 'float32')), 'int32')];
    },
  },
});

/**
 * Shapes for `count` more operands that broadcast with `shape` and with each other: each partner is drawn
 * against the broadcast of everything before it, so a dim one partner grows the others can only match or keep 1.
 */
export function broadcastPartnersArb(shape: readonly number[], count: number, maxElems: number): fc.Arbitrary<number[][]> {
  if (count === 0) return fc.constant([]);
  return broadcastPartnerArb(shape, maxElems).chain((p) =>
    broadcastPartnersArb(broadcastShapes(shape, p)!, count - 1, maxElems).map((rest) => [p, ...rest]),
  );
}

/**
 * `count` shapes whose multidirectional broadcast is exactly `out`: every axis has a carrier operand holding the
 * full dim (the first axis's carrier keeps full rank), the others hold the dim or 1, or drop leading axes they
 * do not carry.
 */
export function broadcastSourcesArb(out: readonly number[], count: number): fc.Arbitrary<number[][]> {
  const r = out.length;
  return fc
    .record({
      carriers: fc.array(fc.nat({ max: count - 1 }), { minLength: r, maxLength: r }),
      keep: fc.array(fc.array(fc.boolean(), { minLength: r, maxLength: r }), { minLength: count, maxLength: count }),
      drops: fc.array(fc.nat({ max: r }), { minLength: count, maxLength: count }),
    })
    .map(({ carriers, keep, drops }) =>
      Array.from({ length: count }, (_, j) => {
        const firstCarried = carriers.indexOf(j);
        const drop = Math.min(drops[j]!, firstCarried < 0 ? r : firstCarried);
        return out.slice(drop).map((d, k) => (carriers[k + drop] === j || keep[j]![k + drop] ? d : 1));
      }),
    );
}

interface VariadicDecl {
  readonly onnx: string;
  readonly since: number;
  readonly dtypes: readonly DType[];
  /** Folds the broadcast values of all inputs into one. */
  readonly fn: (vals: readonly number[], dtype: DType) => number;
  /** The same fold on tfjs tensors already broadcast to the output shape. */
  readonly tfjs: (tf: TF, xs: readonly T[]) => T;
}

/**
 * Every input is broadcast to the output shape first: the fold then never broadcasts, which also keeps clear of
 * tfjs-cpu's wrong gradient shape for tf.maximum/tf.minimum with broadcasting.
 */
function variadicTfjs(fold: VariadicDecl['tfjs']): TfjsLowering {
  return {
    lower(tf, inputs, _attrs, ctx) {
      const shape = [...ctx.outputTypes[0]!.shape];
      return [fold(tf, inputs.map((t) => tfBroadcast(tf, t!, shape)))];
    },
  };
}

/** Pairwise left fold (one input: a copy of it). */
function foldWith(f: (tf: TF, a: T, b: T) => T): VariadicDecl['tfjs'] {
  return (tf, xs) => xs.slice(1).reduce((acc, x) => f(tf, acc, x), tf.clone(xs[0]!));
}

/** An operator over 1..3 (ONNX: 1..∞) inputs of one type, broadcast together. */
function variadicOp(d: VariadicDecl): OpSpec {
  return defineOp({
    onnx: d.onnx,
    since: d.since,
    dtypes: d.dtypes,
    ranks: [0, 5],
    attributes: {},
    build(anchor, ctx) {
      return fc
        .record({ count: fc.integer({ min: 1, max: 3 }), pos: fc.nat({ max: 2 }) })
        .chain(({ count, pos }) =>
          broadcastPartnersArb(anchor.shape, count - 1, ctx.maxElems).map((partners): Instance => {
            const others = partners.map((shape) => ({ kind: 'tensor' as const, type: { dtype: anchor.dtype, shape } }));
            const at = pos % count;
            return { inputs: [...others.slice(0, at), { kind: 'anchor' }, ...others.slice(at)], attrs: {} };
          }),
        );
    },
    backward(out) {
      if (!d.dtypes.includes(out.dtype)) return undefined;
      return fc
        .integer({ min: 1, max: 3 })
        .chain((count) => broadcastSourcesArb(out.shape, count))
        .map((shapes) => ({ inputs: shapes.map((shape) => ({ kind: 'tensor' as const, type: { dtype: out.dtype, shape } })), attrs: {} }));
    },
    infer(inputs) {
      if (inputs.length === 0) return `${d.onnx}: needs at least one input`;
      const types: TensorType[] = [];
      for (const t of inputs) {
        if (!t) return `${d.onnx}: inputs cannot be omitted`;
        types.push(t);
      }
      const dtype = types[0]!.dtype;
      if (!d.dtypes.includes(dtype)) return `${d.onnx}: dtype ${dtype} not supported`;
      if (types.some((t) => t.dtype !== dtype)) return `${d.onnx}: input dtypes differ (${types.map((t) => t.dtype).join(', ')})`;
      const shape = broadcastShapes(...types.map((t) => t.shape));
      if (!shape) return `${d.onnx}: shapes ${types.map((t) => `[${t.shape.join(',')}]`).join(' ')} do not broadcast`;
      return [{ dtype, shape }];
    },
    reference(inputs) {
      const ts = inputs.map((t) => t!);
      const dtype = ts[0]!.dtype;
      return [broadcastMap(ts, dtype, (v) => d.fn(v, dtype))];
    },
    tfjs: variadicTfjs(d.tfjs),
  });
}

const tfSum = foldWith((tf, a, b) => tf.add(a, b));

// Math.max/min propagate NaN, as ONNX Max/Min do for floating-point inputs (so do tf.maximum/tf.minimum)
export const Max = exactOp(withRange(
  variadicOp({
    onnx: 'Max',
    since: 13,
    dtypes: NUMERIC_DTYPES,
    fn: (v) => Math.max(...v),
    tfjs: foldWith((tf, a, b) => tf.maximum(a, b)),
  }),
  (rs) => [rs.length === 0 ? UNBOUNDED : [Math.max(...rs.map((r) => r[0])), Math.max(...rs.map((r) => r[1]))]],
));
export const Min = exactOp(withRange(
  variadicOp({
    onnx: 'Min',
    since: 13,
    dtypes: NUMERIC_DTYPES,
    fn: (v) => Math.min(...v),
    tfjs: foldWith((tf, a, b) => tf.minimum(a, b)),
  }),
  (rs) => [rs.length === 0 ? UNBOUNDED : [Math.min(...rs.map((r) => r[0])), Math.min(...rs.map((r) => r[1]))]],
));
export const Sum = withRange(
  variadicOp({ onnx: 'Sum', since: 13, dtypes: FLOAT_DTYPES, fn: (v) => v.reduce((s, x) => s + x, 0), tfjs: tfSum }),
  (rs) => [rs.length === 0 ? UNBOUNDED : rs.reduce(addRange)],
);
// ORT CPU has Mean for float32 only ("Could not find an implementation for Mean(13)" on float64)
// the mean of values each within its own bounds lies within the hull of those bounds
export const Mean = withRange(
  variadicOp({
    onnx: 'Mean',
    since: 13,
    dtypes: ['float32'],
    fn: (v) => v.reduce((s, x) => s + x, 0) / v.length,
    tfjs: (tf, xs) => tf.div(tfSum(tf, xs), xs.length),
  }),
  (rs) => [hull(...rs)],
);

/** This family's operators, in registry order. */
export const binaryArithOps = [Add, Sub, Mul, Div, Pow, Mod, Max, Min, Sum, Mean];
