/** Cast (between every pair of onnxsmith element types) and Clip (opset 11+ form: optional scalar bound inputs). */
import type * as tfjs from '@tensorflow/tfjs-core';
import * as fc from 'fast-check';
import type { DType, TensorType } from '../../src/ir/index.js';
import { DTYPES, NUMERIC_DTYPES, castValue, isFloat, isInt, numel } from '../../src/ir/index.js';
import { DTYPE_TO_ONNX } from '../../src/onnx/tensor-proto.js';
import { allowed, floatAttrArb } from '../arb.js';
import type { DomainConstraint, InferInput, Instance, Operand, TfjsContext } from './spec.js';
import { defineOp, UNBOUNDED } from './spec.js';
import { bounded } from './ranges.js';

/** The tfjs dtype holding an ONNX element type (float64 never reaches tfjs; int64 travels as int32). */
function tfDtypeOf(t: DType): 'float32' | 'int32' | 'bool' {
  return t === 'bool' ? 'bool' : isFloat(t) ? 'float32' : 'int32';
}

/** The element type a Cast `to` code (ONNX TensorProto.DataType: FLOAT=1, INT32=6, INT64=7, BOOL=9, DOUBLE=11) names. */
function dtypeOfCode(code: unknown): DType | undefined {
  return DTYPES.find((d) => DTYPE_TO_ONNX[d] === code);
}

// largest float32 values below 2^31 and 2^63: float -> int conversion of anything beyond is undefined behaviour
const F32_BELOW_2_31 = 2147483520;
const F32_BELOW_2_63 = 9223371487098961920;
const F32_MAX = 3.4028234663852886e38;

/**
 * Cast-13 (the form through opset 18; opset 19 adds `saturate`). Float to integer truncates toward zero,
 * anything to bool is "nonzero"; out-of-range float to integer conversions are excluded by the domain.
 */
export const Cast = defineOp({
  onnx: 'Cast',
  since: 13,
  dtypes: DTYPES,
  ranks: [0, 5],
  attributes: { to: { type: 'int', required: true } },
  // truncation toward zero and float rounding are monotone: the ends map to the ends (rounded outward)
  range([x = UNBOUNDED], attrs) {
    const to = dtypeOfCode(attrs['to']);
    if (to === 'bool') return [[0, 1]];
    if (to && isInt(to)) return [bounded(Math.trunc(x[0]), Math.trunc(x[1]))];
    if (to === 'float32') return [[x[0] - Math.abs(x[0]) * 2 ** -23, x[1] + Math.abs(x[1]) * 2 ** -23]];
    return [x];
  },
  build(anchor, ctx) {
    const targets = allowed(DTYPES, ctx.dtypes);
    return fc
      .constantFrom(...(targets.length > 0 ? targets : [anchor.dtype]))
      .map((to): Instance => ({ inputs: [{ kind: 'anchor' }], attrs: { to: DTYPE_TO_ONNX[to] } }));
  },
  backward(out, ctx) {
    const sources = allowed(DTYPES, ctx.dtypes);
    return fc.constantFrom(...(sources.length > 0 ? sources : [out.dtype])).map((dtype) => ({
      inputs: [{ kind: 'tensor', type: { dtype, shape: out.shape } }],
      attrs: { to: DTYPE_TO_ONNX[out.dtype] },
    }));
  },
  infer(inputs, attrs) {
    const x = inputs[0];
    if (!x) return 'Cast: missing input';
    const to = dtypeOfCode(attrs['to']);
    if (!to) return `Cast: target type code ${JSON.stringify(attrs['to'])} not supported`;
    return [{ dtype: to, shape: x.shape }];
  },
  domain(types, attrs): DomainConstraint[] {
    const from = types[0]?.dtype;
    const to = dtypeOfCode(attrs['to']);
    if (!from || !isFloat(from) || !to) return [];
    if (to === 'int32') return [{ input: 0, rel: 'abs-le', value: F32_BELOW_2_31 }];
    if (to === 'int64') return [{ input: 0, rel: 'abs-le', value: F32_BELOW_2_63 }];
    if (from === 'float64' && to === 'float32') return [{ input: 0, rel: 'abs-le', value: F32_MAX }];
    return [];
  },
  reference(inputs, attrs) {
    const x = inputs[0]!;
    const to = dtypeOfCode(attrs['to']);
    if (!to) throw new Error(`Cast: target type code ${JSON.stringify(attrs['to'])} not supported`);
    // a cast to the type a tensor already has changes nothing on a backend; here, a computed float32 tensor holds
    // float64 values, and rounding them would make Greater(x, Cast(x)) true where every backend says false
    if (to === x.dtype) return [{ dtype: to, shape: x.shape, data: Float64Array.from(x.data) }];
    return [{ dtype: to, shape: x.shape, data: x.data.map((v) => castValue(v, to)) }];
  },
  tfjs: {
    // tf.cast truncates float -> int32 toward zero and maps nonzero to true, as ONNX does
    lower: (tf, inputs, _attrs, ctx) => [tf.cast(inputs[0]!, tfDtypeOf(ctx.outputTypes[0]!.dtype))],
  },
});

/** numeric_limits<T>::lowest() and max(): Clip's bounds when min or max is left out. */
function limits(t: DType): readonly [number, number] {
  switch (t) {
    case 'float32':
      return [-F32_MAX, F32_MAX];
    case 'float64':
      return [-Number.MAX_VALUE, Number.MAX_VALUE];
    case 'int32':
      return [-2147483648, 2147483647];
    default:
      return [-9223372036854775808, 9223372036854775807];
  }
}

type ClipForm = 'none' | 'min' | 'max' | 'both';

/** A bound value of the input's type, mostly within the sampler's default range so that clipping happens. */
function boundArb(t: DType): fc.Arbitrary<number> {
  return isInt(t) ? fc.integer({ min: -6, max: 6 }) : floatAttrArb(-3.5, 3.5, [0]);
}

/**
 * Which bounds are present (an absent min before a present max is written as ''), with their values. min > max
 * is defined (every output is max) and drawn now and then; min == max comes from the integer draws and edges.
 */
function boundsArb(t: DType): fc.Arbitrary<Operand[]> {
  return fc
    .record({
      form: fc.constantFrom<ClipForm>('none', 'min', 'max', 'both', 'both'),
      a: boundArb(t),
      b: boundArb(t),
      inverted: fc.integer({ min: 0, max: 4 }).map((v) => v === 0),
    })
    .map(({ form, a, b, inverted }) => {
      const lo = inverted ? Math.max(a, b) : Math.min(a, b);
      const hi = inverted ? Math.min(a, b) : Math.max(a, b);
      const scalar = (v: number): Operand => ({ kind: 'const', dtype: t, shape: [], data: [v] });
      switch (form) {
        case 'none':
          return [];
        case 'min':
          return [scalar(a)];
        case 'max':
          return [{ kind: 'absent' }, scalar(b)];
        case 'both':
          return [scalar(lo), scalar(hi)];
      }
    });
}

function checkBound(b: InferInput | undefined, x: TensorType, name: string): string | undefined {
  if (!b) return undefined;
  if (b.dtype !== x.dtype) return `Clip: ${name} dtype ${b.dtype} differs from input ${x.dtype}`;
  // ONNX asks for a scalar (shape []); ORT also takes [1], which exported models often use
  if (numel(b.shape) !== 1 || b.shape.length > 1) return `Clip: ${name} must be a scalar, got shape [${b.shape.join(',')}]`;
  return undefined;
}

/**
 * Clip on tfjs. Constant bounds (the generated form) go to tf.clipByValue, which asks min <= max: with min > max
 * every output is max, i.e. clipping to [max, max] (tfjs then returns tf.fill: NaN becomes max and x leaves the
 * tape, which the search's proxy gradient covers). Bounds computed in the graph take maximum/minimum.
 */
function clipTf(tf: typeof tfjs, inputs: readonly (tfjs.Tensor | undefined)[], ctx: TfjsContext): tfjs.Tensor {
  const x = inputs[0]!;
  const [lowest, highest] = limits(ctx.inputTypes[0]!.dtype);
  const [min, max] = [inputs[1], inputs[2]];
  const minC = ctx.constants[1];
  const maxC = ctx.constants[2];
  if ((min === undefined || minC !== undefined) && (max === undefined || maxC !== undefined)) {
    const lo = minC?.[0] ?? lowest;
    const hi = maxC?.[0] ?? highest;
    return tf.clipByValue(x, Math.min(lo, hi), hi);
  }
  // ORT takes shape [1] bounds too; as a tensor they would make a rank-0 x rank 1
  const lower = min ? tf.maximum(x, tf.reshape(min, [])) : x;
  return max ? tf.minimum(lower, tf.reshape(max, [])) : lower;
}

/** Clip-13: y = min(max, max(x, min)); so min > max gives max everywhere. */
export const Clip = defineOp({
  onnx: 'Clip',
  exact: true,
  proxyGrad: true,
  since: 13,
  dtypes: NUMERIC_DTYPES,
  ranks: [0, 5],
  attributes: {},
  // an omitted bound reads as unbounded here, which only loosens the result
  range: ([x = UNBOUNDED, min = UNBOUNDED, max = UNBOUNDED]) => [[Math.min(Math.max(x[0], min[0]), max[0]), Math.min(Math.max(x[1], min[1]), max[1])]],
  build(anchor) {
    return boundsArb(anchor.dtype).map((bounds): Instance => ({ inputs: [{ kind: 'anchor' }, ...bounds], attrs: {} }));
  },
  backward(out) {
    if (!NUMERIC_DTYPES.includes(out.dtype)) return undefined;
    return boundsArb(out.dtype).map((bounds): Instance => ({ inputs: [{ kind: 'tensor', type: out }, ...bounds], attrs: {} }));
  },
  infer(inputs) {
    const [x, min, max] = inputs;
    if (!x) return 'Clip: missing input';
    if (!NUMERIC_DTYPES.includes(x.dtype)) return `Clip: dtype ${x.dtype} not supported`;
    if (inputs.length > 3) return `Clip: at most 3 inputs, got ${inputs.length}`;
    const bad = checkBound(min, x, 'min') ?? checkBound(max, x, 'max');
    if (bad) return bad;
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  reference(inputs) {
    const [x, min, max] = inputs;
    const [lowest, highest] = limits(x!.dtype);
    const lo = min ? min.data[0]! : lowest;
    const hi = max ? max.data[0]! : highest;
    // Math.max/min propagate NaN, as the spec's Min(max, Max(input, min)) does
    return [{ dtype: x!.dtype, shape: x!.shape, data: x!.data.map((v) => Math.min(hi, Math.max(v, lo))) }];
  },
  tfjs: { lower: (tf, inputs, _attrs, ctx) => [clipTf(tf, inputs, ctx)] },
});

/** This family's operators, in registry order. */
export const castClipOps = [Cast, Clip];
