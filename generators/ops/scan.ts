/**
 * CumSum (opset 14: axis as a constant input, `exclusive`, `reverse`) and Trilu (opset 14: keep the upper or
 * lower triangle of the last two dims, shifted by an optional constant diagonal offset k).
 */
import * as fc from 'fast-check';
import type { Attrs, DType, TensorType } from '../../src/ir/index.js';
import { DTYPES, INT_DTYPES, NUMERIC_DTYPES, normAxis, strides, wrapInt } from '../../src/ir/index.js';
import { axisArb } from '../arb.js';
import type { InferInput, Instance, Operand, OpSpec, TfjsContext } from './spec.js';
import { defineOp, UNBOUNDED } from './spec.js';
import { hull, sumRange } from './ranges.js';

function flag(attrs: Attrs, name: string, dflt: number): number {
  const v = attrs[name];
  return v === undefined ? dflt : (v as number);
}

/** A 0/1 attribute, sometimes left to its default. */
const flagArb = fc.constantFrom<number | undefined>(undefined, 0, 1);

function setFlags(attrs: Record<string, number>, flags: Readonly<Record<string, number | undefined>>): Attrs {
  for (const [k, v] of Object.entries(flags)) if (v !== undefined) attrs[k] = v;
  return attrs;
}

/** The scalar an axis/k input holds, or why it is unusable. */
function scalarInput(op: string, what: string, t: InferInput, dtypes: readonly DType[]): number | string {
  if (!dtypes.includes(t.dtype)) return `${op}: ${what} must be ${dtypes.join(' or ')}, got ${t.dtype}`;
  // ONNX says 0-D; ORT also takes a one-element 1-D tensor and so do we
  if (!(t.shape.length === 0 || (t.shape.length === 1 && t.shape[0] === 1))) return `${op}: ${what} must be a scalar`;
  if (!t.data || t.data.length !== 1) return `${op}: ${what} must be a constant`;
  return t.data[0]!;
}

/** Operands of one CumSum instance around `data`. */
function cumsumArb(data: Operand, rank: number): fc.Arbitrary<Instance> {
  return fc
    .record({
      axis: axisArb(rank),
      axisDtype: fc.constantFrom<DType>(...INT_DTYPES),
      oneD: fc.boolean(),
      exclusive: flagArb,
      reverse: flagArb,
    })
    .map(({ axis, axisDtype, oneD, exclusive, reverse }) => ({
      inputs: [data, { kind: 'const', dtype: axisDtype, shape: oneD ? [1] : [], data: [axis] }],
      attrs: setFlags({}, { exclusive, reverse }),
    }));
}

export const CumSum = defineOp({
  onnx: 'CumSum',
  since: 14,
  dtypes: NUMERIC_DTYPES,
  ranks: [1, 5],
  attributes: { exclusive: { type: 'int', default: 0 }, reverse: { type: 'int', default: 0 } },
  // partial sums keep the elements' sign; an exclusive sum starts at zero
  range: ([x = UNBOUNDED], attrs) => [attrs['exclusive'] === 1 ? hull(sumRange(x), [0, 0]) : sumRange(x)],
  build(anchor) {
    return cumsumArb({ kind: 'anchor' }, anchor.shape.length);
  },
  backward(out) {
    if (!NUMERIC_DTYPES.includes(out.dtype) || out.shape.length === 0) return undefined;
    return cumsumArb({ kind: 'tensor', type: out }, out.shape.length);
  },
  infer(inputs) {
    const [x, a] = inputs;
    if (!x || !a) return 'CumSum: needs x and axis';
    if (!NUMERIC_DTYPES.includes(x.dtype)) return `CumSum: dtype ${x.dtype} not supported`;
    const r = x.shape.length;
    if (r === 0) return 'CumSum: input rank must be >= 1';
    const axis = scalarInput('CumSum', 'axis', a, INT_DTYPES);
    if (typeof axis === 'string') return axis;
    if (!Number.isInteger(axis) || axis < -r || axis >= r) return `CumSum: axis ${axis} out of range for rank ${r}`;
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  reference(inputs, attrs) {
    const x = inputs[0]!;
    const axis = normAxis(inputs[1]!.data[0]!, x.shape.length);
    const exclusive = flag(attrs, 'exclusive', 0) === 1;
    const reverse = flag(attrs, 'reverse', 0) === 1;
    const n = x.shape[axis]!;
    const stride = strides(x.shape)[axis]!;
    const out = new Float64Array(x.data.length);
    const outer = x.data.length / Math.max(1, n * stride);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < stride; i++) {
        const base = o * n * stride + i;
        let acc = 0;
        for (let step = 0; step < n; step++) {
          const at = base + (reverse ? n - 1 - step : step) * stride;
          const v = x.data[at]!;
          if (!exclusive) acc += v;
          out[at] = wrapInt(acc, x.dtype);
          if (exclusive) acc += v;
        }
      }
    }
    return [{ dtype: x.dtype, shape: [...x.shape], data: out }];
  },
  tfjs: {
    supports(_attrs, ctx) {
      return ctx.constants[1]?.length === 1 ? undefined : 'axis must be a constant scalar';
    },
    lower(tf, inputs, attrs, ctx) {
      const x = inputs[0]!;
      const axis = normAxis(ctx.constants[1]![0]!, x.rank);
      return [tf.cumsum(x, axis, flag(attrs, 'exclusive', 0) === 1, flag(attrs, 'reverse', 0) === 1)];
    },
  },
});

/** The Trilu offset k of a node: 0 when the input is left off, undefined when it is not a constant. */
function triluK(ctx: TfjsContext): number | undefined {
  if (!ctx.inputTypes[1]) return 0;
  const k = ctx.constants[1];
  return k?.length === 1 ? k[0] : undefined;
}

/**
 * A diagonal offset for an N x M matrix: mostly one that cuts through it, sometimes just past its edges,
 * and sometimes far outside (every element kept or dropped).
 */
function kArb(rows: number, cols: number): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: -rows, max: cols }) },
    { weight: 2, arbitrary: fc.constantFrom(-rows - 1, cols + 1, 1 - rows, cols - 1) },
    { weight: 1, arbitrary: fc.constantFrom(-(2 ** 40), 2 ** 40, -1000, 1000) },
  );
}

function triluArb(data: Operand, type: TensorType): fc.Arbitrary<Instance> {
  const r = type.shape.length;
  return fc
    .record({ upper: flagArb, k: fc.option(kArb(type.shape[r - 2]!, type.shape[r - 1]!), { nil: undefined, freq: 4 }), absent: fc.boolean() })
    .map(({ upper, k, absent }) => {
      const inputs: Operand[] = [data];
      if (k !== undefined) inputs.push({ kind: 'const', dtype: 'int64', shape: [], data: [k] });
      // a left-off k may also be written as ''
      else if (absent) inputs.push({ kind: 'absent' });
      return { inputs, attrs: setFlags({}, { upper }) };
    });
}

export const Trilu = defineOp({
  onnx: 'Trilu',
  exact: true,
  since: 14,
  dtypes: DTYPES,
  ranks: [2, 5],
  attributes: { upper: { type: 'int', default: 1 } },
  range: ([x = UNBOUNDED]) => [hull(x, [0, 0])],
  build(anchor) {
    return triluArb({ kind: 'anchor' }, anchor);
  },
  backward(out) {
    if (out.shape.length < 2) return undefined;
    return triluArb({ kind: 'tensor', type: out }, out);
  },
  infer(inputs, attrs) {
    const [x, k] = inputs;
    if (!x) return 'Trilu: missing input';
    if (x.shape.length < 2) return 'Trilu: input rank must be >= 2';
    if (k) {
      const v = scalarInput('Trilu', 'k', k, ['int64']);
      if (typeof v === 'string') return v;
    }
    const u = flag(attrs, 'upper', 1);
    if (u !== 0 && u !== 1) return `Trilu: upper must be 0 or 1, got ${u}`;
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  reference(inputs, attrs) {
    const x = inputs[0]!;
    const k = inputs[1]?.data[0] ?? 0;
    const upper = flag(attrs, 'upper', 1) === 1;
    const r = x.shape.length;
    const rows = x.shape[r - 2]!;
    const cols = x.shape[r - 1]!;
    const out = new Float64Array(x.data.length);
    for (let f = 0; f < x.data.length; f++) {
      const j = f % cols;
      const i = Math.floor(f / cols) % rows;
      const keep = upper ? j - i >= k : j - i <= k;
      out[f] = keep ? x.data[f]! : 0;
    }
    return [{ dtype: x.dtype, shape: [...x.shape], data: out }];
  },
  /**
   * linalg.bandPart keeps a band around the main diagonal: that covers upper with k <= 0 and lower with k >= 0
   * (its limits clamped to the matrix, as it requires). The other offsets drop the diagonal itself, which no band
   * expresses: those select through a mask built from k. Booleans are and-ed with the mask instead: on
   * tfjs-wasm 4.22 tf.where (which bandPart uses) with bool operands returns wrong values or fails with
   * 'memory access out of bounds'.
   */
  tfjs: {
    supports(_attrs, ctx) {
      return triluK(ctx) === undefined ? 'k must be a constant scalar' : undefined;
    },
    lower(tf, inputs, attrs, ctx) {
      const x = inputs[0]!;
      const k = triluK(ctx)!;
      const upper = flag(attrs, 'upper', 1) === 1;
      const rows = x.shape[x.rank - 2]!;
      const cols = x.shape[x.rank - 1]!;
      if (x.dtype !== 'bool') {
        if (upper && k <= 0) return [tf.linalg.bandPart(x, Math.min(-k, rows), -1)];
        if (!upper && k >= 0) return [tf.linalg.bandPart(x, -1, Math.min(k, cols))];
      }
      const mask = new Uint8Array(rows * cols);
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) mask[i * cols + j] = (upper ? j - i >= k : j - i <= k) ? 1 : 0;
      const keep = tf.tensor(mask, [rows, cols], 'bool');
      if (x.dtype === 'bool') return [tf.logicalAnd(x, keep)];
      return [tf.where(tf.broadcastTo(keep, x.shape), x, tf.zerosLike(x))];
    },
  },
});

/** This family's operators, in registry order. */
export const scanOps: readonly OpSpec[] = [CumSum, Trilu];
