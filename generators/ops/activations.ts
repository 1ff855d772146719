/**
 * Activation functions: Relu, LeakyRelu, Elu, Selu, Sigmoid, HardSigmoid, Tanh, Softplus, Softsign, HardSwish,
 * Celu, ThresholdedRelu (elementwise, via `unaryOp`) and PRelu (a slope broadcast unidirectionally to X).
 * Gelu is left out: it enters the default domain at opset 20.
 *
 * dtypes are ONNX's type constraints restricted to what onnxruntime-node's CPU provider implements.
 */
import type * as tfjs from '@tensorflow/tfjs-core';
import * as fc from 'fast-check';
import type { Attrs, DType } from '../../src/ir/index.js';
import { FLOAT_DTYPES, NUMERIC_DTYPES, broadcastShapes, numel, sameShape } from '../../src/ir/index.js';
import { MAX_DIM, floatAttrArb } from '../arb.js';
import { broadcastMap, unaryOp } from './elementwise.js';
import type { Instance, Interval, TfjsLowering } from './spec.js';
import { defineOp, exactOp, UNBOUNDED } from './spec.js';
import { hull, mulRange } from './ranges.js';

// ORT CPU registers these only for float ("Could not find an implementation for Elu(6)" on double)
const FLOAT32_ONLY: readonly DType[] = ['float32'];

/** Each attribute independently present (a drawn value) or left out (the interpreter fills the default). */
function optionalAttrs(fields: Readonly<Record<string, fc.Arbitrary<number>>>): fc.Arbitrary<Attrs> {
  return fc
    .record(fields, { requiredKeys: [] })
    .map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as Attrs);
}

/** A float attribute as the kernels see it: the default when the node leaves it out. */
const num = (attrs: Attrs, name: string, dflt: number): number => (typeof attrs[name] === 'number' ? (attrs[name] as number) : dflt);

type TF = typeof tfjs;
type T = tfjs.Tensor;

/** A unary map's lowering from a function of the input and the (defaulted) attributes. */
function tfMap(f: (tf: TF, x: T, attrs: Attrs) => T): TfjsLowering {
  return { lower: (tf, inputs, attrs) => [f(tf, inputs[0]!, attrs)] };
}

/**
 * max(x, 0) + alpha·(e^(min(x, 0)/scale) − 1): Elu (scale 1), Celu (scale alpha: its negative branch is taken
 * where x < 0 whatever alpha's sign) and Selu. Taking e^ of min(x, 0) only, it never overflows on the
 * positive side (where a zero gradient times an infinite one would give NaN), and every piece has a tfjs
 * gradient (a tf.where would need a comparison, which has none).
 */
function expLinearTf(tf: TF, x: T, alpha: number, scale = 1): T {
  // tf.minimum rather than -relu(-x): the same values, but tfjs passes Minimum's gradient to x at a tie, where Relu's
  // is 0 (an input search at exactly 0, a HardSigmoid's floor below it, would find no direction)
  const below = tf.minimum(x, 0);
  const neg = tf.mul(tf.sub(tf.exp(scale === 1 ? below : tf.div(below, scale)), 1), alpha);
  return tf.add(tf.relu(x), neg);
}

// ONNX allows int8..int64 too; ORT CPU has no int64 kernel ("Could not find an implementation for Relu(14)")
export const Relu = exactOp(unaryOp({
  proxyGrad: true,
  onnx: 'Relu',
  since: 14,
  dtypes: ['float32', 'float64', 'int32'],
  // Math.max propagates NaN, as max(0, x) in the spec does
  fn: (x) => Math.max(0, x),
  tfjs: tfMap((tf, x) => tf.relu(x)),
}));

export const LeakyRelu = unaryOp({
  // alpha 0 makes it a Relu (see Elu)
  proxyGrad: (a) => (num(a, 'alpha', 0.01) === 0 ? 1 : 0),
  onnx: 'LeakyRelu',
  since: 16,
  dtypes: FLOAT_DTYPES,
  attributes: { alpha: { type: 'float', default: 0.01 } },
  attrs: optionalAttrs({ alpha: floatAttrArb(-2, 2, [0, 0.01, 1]) }),
  fn: (x, a) => (x < 0 ? num(a, 'alpha', 0.01) * x : x),
  // tfjs's LeakyRelu is x < 0 ? alpha·x : x (not max(x, alpha·x)), right for alpha > 1 and alpha < 0 too
  tfjs: tfMap((tf, x, a) => tf.leakyRelu(x, num(a, 'alpha', 0.01))),
});

export const Elu = unaryOp({
  // alpha 0 makes it a Relu, flat below 0: the search passes the gradient straight through there, as for Relu
  proxyGrad: (a) => (num(a, 'alpha', 1) === 0 ? 1 : 0),
  onnx: 'Elu',
  since: 6,
  dtypes: FLOAT32_ONLY,
  attributes: { alpha: { type: 'float', default: 1 } },
  attrs: optionalAttrs({ alpha: floatAttrArb(-2, 3, [0, 1]) }),
  fn: (x, a) => (x < 0 ? num(a, 'alpha', 1) * Math.expm1(x) : x),
  // tf.elu has alpha 1
  tfjs: tfMap((tf, x, a) => (num(a, 'alpha', 1) === 1 ? tf.elu(x) : expLinearTf(tf, x, num(a, 'alpha', 1)))),
});

// the defaults are the float32 values ONNX writes in the schema
const SELU_ALPHA = 1.67326319217681884765625;
const SELU_GAMMA = 1.05070102214813232421875;

export const Selu = unaryOp({
  // alpha or gamma 0 leaves it flat below 0 (gamma 0: everywhere, which no proxy direction helps)
  proxyGrad: (a) => (num(a, 'alpha', SELU_ALPHA) === 0 && num(a, 'gamma', SELU_GAMMA) !== 0 ? Math.sign(num(a, 'gamma', SELU_GAMMA)) : 0),
  onnx: 'Selu',
  since: 6,
  dtypes: FLOAT32_ONLY,
  attributes: { alpha: { type: 'float', default: SELU_ALPHA }, gamma: { type: 'float', default: SELU_GAMMA } },
  attrs: optionalAttrs({ alpha: floatAttrArb(-2, 3, [0, SELU_ALPHA]), gamma: floatAttrArb(-2, 3, [0, SELU_GAMMA]) }),
  fn: (x, a) => {
    const g = num(a, 'gamma', SELU_GAMMA);
    return x > 0 ? g * x : g * num(a, 'alpha', SELU_ALPHA) * Math.expm1(x);
  },
  // tf.selu has the default constants (to float32 precision)
  tfjs: tfMap((tf, x, a) => {
    const alpha = num(a, 'alpha', SELU_ALPHA);
    const gamma = num(a, 'gamma', SELU_GAMMA);
    if (alpha === SELU_ALPHA && gamma === SELU_GAMMA) return tf.selu(x);
    return tf.mul(expLinearTf(tf, x, alpha), gamma);
  }),
});

// 1/(1+e^-x) saturates to 0 when e^-x overflows: finite for every finite x
export const Sigmoid = unaryOp({
  onnx: 'Sigmoid',
  since: 13,
  dtypes: FLOAT_DTYPES,
  fn: (x) => 1 / (1 + Math.exp(-x)),
  tfjs: tfMap((tf, x) => tf.sigmoid(x)),
  slope: (tf, _x, y) => tf.mul(y, tf.sub(1, y)),
});

const hardSigmoid = (x: number, alpha: number, beta: number): number => Math.max(0, Math.min(1, alpha * x + beta));

const hardSigmoidTf = (tf: TF, x: T, alpha: number, beta: number): T => tf.clipByValue(tf.add(tf.mul(x, alpha), beta), 0, 1);

export const HardSigmoid = unaryOp({
  // the slope's sign: a negative alpha falls as x rises
  proxyGrad: (a) => Math.sign(num(a, 'alpha', 0.2)),
  onnx: 'HardSigmoid',
  since: 6,
  dtypes: FLOAT32_ONLY,
  attributes: { alpha: { type: 'float', default: 0.2 }, beta: { type: 'float', default: 0.5 } },
  attrs: optionalAttrs({ alpha: floatAttrArb(-2, 2, [0, 0.2]), beta: floatAttrArb(-2, 2, [0, 0.5, 1]) }),
  fn: (x, a) => hardSigmoid(x, num(a, 'alpha', 0.2), num(a, 'beta', 0.5)),
  tfjs: tfMap((tf, x, a) => hardSigmoidTf(tf, x, num(a, 'alpha', 0.2), num(a, 'beta', 0.5))),
});

export const Tanh = unaryOp({
  onnx: 'Tanh',
  since: 13,
  dtypes: FLOAT_DTYPES,
  fn: (x) => Math.tanh(x),
  tfjs: tfMap((tf, x) => tf.tanh(x)),
  slope: (tf, _x, y) => tf.sub(1, tf.square(y)),
});

// ln(e^x + 1) written so that e^x cannot overflow: the result is finite (about x) for every finite x
export const Softplus = unaryOp({
  onnx: 'Softplus',
  since: 1,
  dtypes: FLOAT32_ONLY,
  fn: (x) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))),
  tfjs: tfMap((tf, x) => tf.softplus(x)),
});

export const Softsign = unaryOp({
  onnx: 'Softsign',
  since: 1,
  dtypes: FLOAT32_ONLY,
  fn: (x) => x / (1 + Math.abs(x)),
  tfjs: tfMap((tf, x) => tf.div(x, tf.add(tf.abs(x), 1))),
});

// ORT runs HardSwish(double) through its function body, whose HardSigmoid(double) has no kernel
export const HardSwish = unaryOp({
  proxyGrad: true,
  onnx: 'HardSwish',
  since: 14,
  dtypes: FLOAT32_ONLY,
  fn: (x) => x * hardSigmoid(x, 1 / 6, 0.5),
  tfjs: tfMap((tf, x) => tf.mul(x, hardSigmoidTf(tf, x, 1 / 6, 0.5))),
});

/**
 * Celu divides by alpha, so alpha 0 is excluded. A negative alpha is legal; then the negative branch is
 * alpha * (e^(x/alpha) - 1) with x/alpha > 0, which the domain keeps within exp's finite range.
 */
export const Celu = unaryOp({
  onnx: 'Celu',
  since: 12,
  dtypes: FLOAT32_ONLY,
  attributes: { alpha: { type: 'float', default: 1 } },
  attrs: optionalAttrs({ alpha: fc.oneof(floatAttrArb(0.05, 3, [1]), floatAttrArb(-3, -0.05)) }),
  fn: (x, a) => {
    const alpha = num(a, 'alpha', 1);
    return Math.max(0, x) + Math.min(0, alpha * Math.expm1(x / alpha));
  },
  domain: (a) => {
    const alpha = num(a, 'alpha', 1);
    return alpha < 0 ? [{ input: 0, rel: 'ge', value: 80 * alpha }] : [];
  },
  tfjs: tfMap((tf, x, a) => {
    const alpha = num(a, 'alpha', 1);
    return alpha === 1 ? tf.elu(x) : expLinearTf(tf, x, alpha, alpha);
  }),
});

export const ThresholdedRelu = exactOp(unaryOp({
  proxyGrad: true,
  onnx: 'ThresholdedRelu',
  since: 10,
  dtypes: FLOAT32_ONLY,
  attributes: { alpha: { type: 'float', default: 1 } },
  attrs: optionalAttrs({ alpha: floatAttrArb(-3, 3, [0, 1]) }),
  fn: (x, a) => (x > num(a, 'alpha', 1) ? x : 0),
  // step(x − alpha) is x > alpha (float subtraction keeps the sign and yields 0 only for equal values) and, unlike
  // a comparison, has a gradient, so the rest of the graph stays differentiable
  tfjs: tfMap((tf, x, a) => tf.mul(x, tf.step(tf.sub(x, num(a, 'alpha', 1))))),
}));

/**
 * A slope shape that broadcasts unidirectionally to `x`: a suffix of x's dims (leading axes dropped), each
 * kept or set to 1. Never larger than x, so within any element limit x respects.
 */
function slopeShapeArb(x: readonly number[]): fc.Arbitrary<number[]> {
  const r = x.length;
  return fc
    .record({
      drop: fc.integer({ min: 0, max: r }),
      ones: fc.array(fc.boolean(), { minLength: r, maxLength: r }),
    })
    .map(({ drop, ones }) => x.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)));
}

/**
 * An X shape the given slope broadcasts to: up to two new leading axes, and slope dims of 1 possibly grown,
 * within `maxElems` and rank 5.
 */
function xShapeForSlopeArb(slope: readonly number[], maxElems: number): fc.Arbitrary<number[]> {
  const extraMax = Math.max(0, Math.min(2, 5 - slope.length));
  return fc
    .record({
      lead: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: extraMax }),
      grow: fc.array(fc.integer({ min: 1, max: MAX_DIM }), { minLength: slope.length, maxLength: slope.length }),
    })
    .map(({ lead, grow }) => {
      let budget = maxElems / Math.max(1, numel(slope));
      const out: number[] = [];
      for (const d of lead) {
        const g = Math.max(1, Math.min(d, Math.floor(budget)));
        out.push(g);
        budget /= g;
      }
      slope.forEach((d, i) => {
        if (d !== 1) return void out.push(d);
        const g = Math.max(1, Math.min(grow[i]!, Math.floor(budget)));
        out.push(g);
        budget /= g;
      });
      return out;
    });
}

/** slope * x with int32 wrap-around (a float64 product of int32 values may exceed 2^53). */
function times(s: number, x: number, t: DType): number {
  if (t === 'int32') return Math.imul(s, x);
  if (t === 'int64') return Math.trunc(s * x);
  return s * x;
}

// ONNX also allows uint32/uint64 and the 16-bit floats; ORT serves the non-float32 types via the function body
const PRELU_DTYPES = NUMERIC_DTYPES;

/** PRelu: y = slope * x where x < 0, else x; slope broadcasts unidirectionally to x's shape. */
export const PRelu = defineOp({
  onnx: 'PRelu',
  since: 16,
  dtypes: PRELU_DTYPES,
  ranks: [0, 5],
  attributes: {},
  // x where x >= 0, slope * x below: the two pieces' bounds together
  range([x = UNBOUNDED, slope = UNBOUNDED]) {
    const pieces: Interval[] = [];
    if (x[1] >= 0) pieces.push([Math.max(x[0], 0), x[1]]);
    if (x[0] < 0) pieces.push(mulRange([x[0], Math.min(x[1], 0)], slope));
    return [hull(...pieces)];
  },
  build(anchor, ctx) {
    // the anchor is X (the slope a new weight) or the slope (X a new tensor grown around it)
    return fc.boolean().chain((anchorIsX): fc.Arbitrary<Instance> => {
      if (anchorIsX) {
        return slopeShapeArb(anchor.shape).map((shape) => ({
          inputs: [{ kind: 'anchor' }, { kind: 'tensor', type: { dtype: anchor.dtype, shape } }],
          attrs: {},
        }));
      }
      return xShapeForSlopeArb(anchor.shape, ctx.maxElems).map((shape) => ({
        inputs: [{ kind: 'tensor', type: { dtype: anchor.dtype, shape } }, { kind: 'anchor' }],
        attrs: {},
      }));
    });
  },
  backward(out) {
    if (!PRELU_DTYPES.includes(out.dtype)) return undefined;
    return slopeShapeArb(out.shape).map((shape) => ({
      inputs: [
        { kind: 'tensor', type: out },
        { kind: 'tensor', type: { dtype: out.dtype, shape } },
      ],
      attrs: {},
    }));
  },
  infer(inputs) {
    const [x, slope] = inputs;
    if (!x || !slope) return 'PRelu: needs X and slope';
    if (x.dtype !== slope.dtype) return `PRelu: input dtypes differ (${x.dtype} vs ${slope.dtype})`;
    if (!PRELU_DTYPES.includes(x.dtype)) return `PRelu: dtype ${x.dtype} not supported`;
    const b = broadcastShapes(x.shape, slope.shape);
    if (!b || !sameShape(b, x.shape)) {
      return `PRelu: slope [${slope.shape.join(',')}] does not broadcast unidirectionally to X [${x.shape.join(',')}]`;
    }
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  reference(inputs) {
    const x = inputs[0]!;
    const slope = inputs[1]!;
    return [broadcastMap([x, slope], x.dtype, ([v, s]) => (v! < 0 ? times(s!, v!, x.dtype) : v!))];
  },
  tfjs: {
    // tf.prelu broadcasts the slope (trailing-aligned, as ONNX's unidirectional broadcast) but is a float op:
    // tfjs-cpu returns float32 for int32 inputs, so integers take where/mul (int32 mul wraps like ORT's kernel)
    lower(tf, inputs) {
      const x = inputs[0]!;
      const slope = inputs[1]!;
      if (x.dtype === 'float32') return [tf.prelu(x, slope)];
      return [tf.where(tf.less(x, 0), tf.mul(x, slope), x)];
    },
  },
});

/** This family's operators, in registry order. */
export const activationOps = [
  Relu,
  LeakyRelu,
  Elu,
  Selu,
  Sigmoid,
  HardSigmoid,
  Tanh,
  Softplus,
  Softsign,
  HardSwish,
  Celu,
  ThresholdedRelu,
  PRelu,
];
