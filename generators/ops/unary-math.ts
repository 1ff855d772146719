/**
 * Elementwise unary math: Abs, Neg, Exp, Log, Sqrt, Reciprocal, trigonometric and hyperbolic functions, Erf,
 * Floor, Ceil, Round, Sign (one tight family built on `unaryOp`).
 *
 * dtypes are ONNX's type constraints restricted to what onnxruntime-node's CPU provider implements: the
 * inverse-trigonometric, hyperbolic and Tan/Erf kernels exist for float32 only (ONNX also allows float64).
 */
import type * as tfjs from '@tensorflow/tfjs-core';
import type { DType } from '../../src/ir/index.js';
import { FLOAT_DTYPES, NUMERIC_DTYPES } from '../../src/ir/index.js';
import { unaryOp } from './elementwise.js';
import { withRange } from './ranges.js';
import type { DomainConstraint, Interval, OpSpec, TfjsLowering } from './spec.js';
import { defineOp, exactOp, UNBOUNDED } from './spec.js';

// ORT CPU registers these only for float ("Could not find an implementation for Tan(7)" on double)
const FLOAT32_ONLY: readonly DType[] = ['float32'];

type TfUnaryName =
  | 'abs' | 'neg' | 'exp' | 'log' | 'sqrt' | 'reciprocal' | 'sin' | 'cos' | 'tan' | 'asin' | 'acos' | 'atan'
  | 'sinh' | 'cosh' | 'asinh' | 'acosh' | 'atanh' | 'erf' | 'floor' | 'ceil' | 'round' | 'sign';

/**
 * Lowers onto the tfjs op of the same meaning, which keeps the input's dtype and has a registered gradient
 * (zero for floor, ceil, round and sign, whose search gradient is a proxy anyway).
 */
function tfOp(name: TfUnaryName): TfjsLowering {
  return { lower: (tf, inputs) => [(tf[name] as (x: tfjs.Tensor) => tfjs.Tensor)(inputs[0]!)] };
}

/** ln(float32 max) is ~88.7; 80 keeps exp-like results finite in float32 with room for rounding upstream. */
const EXP_LIMIT = 80;

/**
 * Abs and Neg of the most negative int32 overflow; C++ kernels wrap around (two's complement), so the
 * reference wraps int32 results too. `unaryOp`'s scalar function does not see the dtype, hence the wrapper.
 */
function wrapsInt32(spec: OpSpec): OpSpec {
  return defineOp({
    ...spec,
    reference: (inputs, attrs, opset) =>
      spec.reference(inputs, attrs, opset).map((t) => (t.dtype === 'int32' ? { ...t, data: t.data.map((v) => v | 0) } : t)),
  });
}

// tfjs's int32 Abs and Neg store into an Int32Array, which wraps INT32_MIN to itself like the reference
export const Abs = exactOp(wrapsInt32(unaryOp({ onnx: 'Abs', since: 13, dtypes: NUMERIC_DTYPES, fn: (x) => Math.abs(x), tfjs: tfOp('abs') })));

export const Neg = exactOp(wrapsInt32(unaryOp({ onnx: 'Neg', since: 13, dtypes: NUMERIC_DTYPES, fn: (x) => -x, tfjs: tfOp('neg') })));

export const Exp = unaryOp({
  onnx: 'Exp',
  since: 13,
  dtypes: FLOAT_DTYPES,
  tfjs: tfOp('exp'),
  fn: (x) => Math.exp(x),
  domain: () => [{ input: 0, rel: 'le', value: EXP_LIMIT }],
});

export const Log = unaryOp({
  onnx: 'Log',
  since: 13,
  dtypes: FLOAT_DTYPES,
  tfjs: tfOp('log'),
  fn: (x) => Math.log(x),
  domain: () => [{ input: 0, rel: 'gt', value: 0 }],
});

export const Sqrt = unaryOp({
  onnx: 'Sqrt',
  since: 13,
  dtypes: FLOAT_DTYPES,
  tfjs: tfOp('sqrt'),
  fn: (x) => Math.sqrt(x),
  domain: () => [{ input: 0, rel: 'ge', value: 0 }],
});

// probes cannot see the pole: an interval holding zero maps onto both infinite ends
export const Reciprocal = withRange(
  unaryOp({
    onnx: 'Reciprocal',
    since: 13,
    dtypes: FLOAT_DTYPES,
    tfjs: tfOp('reciprocal'),
    fn: (x) => 1 / x,
    domain: () => [{ input: 0, rel: 'abs-ge', value: 1e-3 }],
  }),
  ([x = UNBOUNDED]) => [x[0] > 0 || x[1] < 0 ? [1 / x[1], 1 / x[0]] : UNBOUNDED],
);

/** float32 arguments beyond this lose so many bits that Sin/Cos results differ past the float32 tolerance. */
const periodicArgument = (): DomainConstraint[] => [{ input: 0, rel: 'abs-le', value: 1e3 }];

/**
 * sin over [a, b], exactly: the ends, and +-1 wherever a crest or trough lies between them (probes would miss one
 * inside an interval narrower than their spacing).
 */
function sinRange([a, b]: Interval): Interval {
  if (!(Number.isFinite(a) && Number.isFinite(b)) || b - a >= 2 * Math.PI) return [-1, 1];
  const holds = (phase: number): boolean => Math.ceil((a - phase) / (2 * Math.PI)) <= Math.floor((b - phase) / (2 * Math.PI));
  return [holds(-Math.PI / 2) ? -1 : Math.min(Math.sin(a), Math.sin(b)), holds(Math.PI / 2) ? 1 : Math.max(Math.sin(a), Math.sin(b))];
}

export const Sin = withRange(
  unaryOp({ onnx: 'Sin', since: 7, dtypes: FLOAT_DTYPES, fn: (x) => Math.sin(x), domain: periodicArgument, tfjs: tfOp('sin') }),
  ([x = UNBOUNDED]) => [sinRange(x)],
);

// cos(x) = sin(x + pi/2)
export const Cos = withRange(
  unaryOp({ onnx: 'Cos', since: 7, dtypes: FLOAT_DTYPES, fn: (x) => Math.cos(x), domain: periodicArgument, tfjs: tfOp('cos') }),
  ([x = UNBOUNDED]) => [sinRange([x[0] + Math.PI / 2, x[1] + Math.PI / 2])],
);

// Constraints are intervals, so "away from every pole" cannot be said; the principal branch (|x| <= 1.5,
// pi/2 ~ 1.5708) keeps |tan| <= 14.1 and the result well conditioned.
export const Tan = unaryOp({
  onnx: 'Tan',
  since: 7,
  dtypes: FLOAT32_ONLY,
  tfjs: tfOp('tan'),
  fn: (x) => Math.tan(x),
  domain: () => [{ input: 0, rel: 'abs-le', value: 1.5 }],
});

// a computed input a hair inside 1 in float64 can round past it in float32 (asin(1.0000001) is NaN): keep a margin
const unitInterval = (): DomainConstraint[] => [{ input: 0, rel: 'abs-le', value: 1 - 1e-3 }];


export const Asin = unaryOp({ onnx: 'Asin', since: 7, dtypes: FLOAT32_ONLY, fn: (x) => Math.asin(x), domain: unitInterval, tfjs: tfOp('asin') });

export const Acos = unaryOp({ onnx: 'Acos', since: 7, dtypes: FLOAT32_ONLY, fn: (x) => Math.acos(x), domain: unitInterval, tfjs: tfOp('acos') });

export const Atan = unaryOp({ onnx: 'Atan', since: 7, dtypes: FLOAT32_ONLY, fn: (x) => Math.atan(x), tfjs: tfOp('atan') });

const expRange = (): DomainConstraint[] => [{ input: 0, rel: 'abs-le', value: EXP_LIMIT }];

export const Sinh = unaryOp({ onnx: 'Sinh', since: 9, dtypes: FLOAT32_ONLY, fn: (x) => Math.sinh(x), domain: expRange, tfjs: tfOp('sinh') });

export const Cosh = unaryOp({ onnx: 'Cosh', since: 9, dtypes: FLOAT32_ONLY, fn: (x) => Math.cosh(x), domain: expRange, tfjs: tfOp('cosh') });

export const Asinh = unaryOp({ onnx: 'Asinh', since: 9, dtypes: FLOAT32_ONLY, fn: (x) => Math.asinh(x), tfjs: tfOp('asinh') });

export const Acosh = unaryOp({
  onnx: 'Acosh',
  since: 9,
  dtypes: FLOAT32_ONLY,
  tfjs: tfOp('acosh'),
  fn: (x) => Math.acosh(x),
  domain: () => [{ input: 0, rel: 'ge', value: 1 }],
});

// atanh(+-1) is infinite: the open interval (-1, 1)
export const Atanh = unaryOp({
  onnx: 'Atanh',
  since: 9,
  dtypes: FLOAT32_ONLY,
  tfjs: tfOp('atanh'),
  fn: (x) => Math.atanh(x),
  domain: () => [
    { input: 0, rel: 'gt', value: -1 },
    { input: 0, rel: 'lt', value: 1 },
  ],
});

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * The error function in float64 (JavaScript has none): the Maclaurin series where its cancellation is mild,
 * the continued fraction of erfc further out, and +-1 beyond 6 where erfc(6) ~ 2e-17 is below float64's ulp.
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  const s = x < 0 ? -1 : 1;
  if (ax < 2.5) {
    // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
    const x2 = ax * ax;
    let power = ax;
    let sum = ax;
    for (let n = 1; n < 100; n++) {
      power *= -x2 / n;
      const term = power / (2 * n + 1);
      sum += term;
      if (Math.abs(term) <= 1e-17 * Math.abs(sum)) break;
    }
    return x === 0 ? x : s * TWO_OVER_SQRT_PI * sum;
  }
  if (ax >= 6) return s;
  // erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), evaluated from the tail
  let f = ax;
  for (let k = 80; k >= 1; k--) f = ax + k / 2 / f;
  return s * (1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f);
}

export const Erf = unaryOp({ onnx: 'Erf', since: 13, dtypes: FLOAT32_ONLY, fn: erf, tfjs: tfOp('erf') });

export const Floor = unaryOp({ proxyGrad: true, onnx: 'Floor', since: 13, dtypes: FLOAT_DTYPES, fn: (x) => Math.floor(x), tfjs: tfOp('floor') });

export const Ceil = unaryOp({ proxyGrad: true, onnx: 'Ceil', since: 13, dtypes: FLOAT_DTYPES, fn: (x) => Math.ceil(x), tfjs: tfOp('ceil') });

/** Rounds to the nearest integer, halves to the even neighbour (ONNX Round; Math.round rounds halves up). */
export function roundHalfEven(x: number): number {
  if (!Number.isFinite(x)) return x;
  const f = Math.floor(x);
  const d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

// tf.round rounds halves to even (TensorFlow's Round), as ONNX does
export const Round = unaryOp({ proxyGrad: true, onnx: 'Round', since: 11, dtypes: FLOAT_DTYPES, fn: roundHalfEven, tfjs: tfOp('round') });

export const Sign = unaryOp({ proxyGrad: true, onnx: 'Sign', since: 13, dtypes: NUMERIC_DTYPES, fn: (x) => Math.sign(x), tfjs: tfOp('sign') });

/** This family's operators, in registry order. */
export const unaryMathOps = [
  Abs,
  Neg,
  Exp,
  Log,
  Sqrt,
  Reciprocal,
  Sin,
  Cos,
  Tan,
  Asin,
  Acos,
  Atan,
  Sinh,
  Cosh,
  Asinh,
  Acosh,
  Atanh,
  Erf,
  Floor,
  Ceil,
  Round,
  Sign,
];
