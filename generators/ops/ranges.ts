/**
 * Interval arithmetic for operators' `range` declarations. Bounds must contain every value the reference can
 * produce (the generator drops graphs whose domains no value within them satisfies); loose is fine, tight helps
 * the generator and the input search's sampling hints.
 */
import type { Attrs } from '../../src/ir/index.js';
import type { Interval, OpSpec } from './spec.js';
import { defineOp, UNBOUNDED } from './spec.js';

/** Integer results wrap past this magnitude; bounds beyond it say nothing. */
const WRAP = 2 ** 31;

/** An interval from computed ends: NaN ends (infinity times zero, infinity minus infinity) give no bound. */
export function bounded(lo: number, hi: number): Interval {
  if (Number.isNaN(lo) || Number.isNaN(hi) || lo > hi) return UNBOUNDED;
  // integer operators wrap around; a float interval this wide bounds nothing useful either
  if (Number.isFinite(lo) && Number.isFinite(hi) && (lo <= -WRAP || hi >= WRAP)) return UNBOUNDED;
  return [lo, hi];
}

export function addRange(a: Interval, b: Interval): Interval {
  return bounded(a[0] + b[0], a[1] + b[1]);
}

export function subRange(a: Interval, b: Interval): Interval {
  return bounded(a[0] - b[1], a[1] - b[0]);
}

export function mulRange(a: Interval, b: Interval): Interval {
  const c = [a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1]];
  if (c.some(Number.isNaN)) return UNBOUNDED;
  return bounded(Math.min(...c), Math.max(...c));
}

/** The convex hull of intervals (a value taken from any one of them). */
export function hull(...xs: readonly Interval[]): Interval {
  if (xs.length === 0) return UNBOUNDED;
  return bounded(Math.min(...xs.map((x) => x[0])), Math.max(...xs.map((x) => x[1])));
}

/**
 * Sum or product of any positive number of elements drawn from `r`, by sign alone: non-negative elements add up to
 * at least the smallest of them, non-positive ones to at most the largest.
 */
export function sumRange(r: Interval): Interval {
  if (r[0] === 0 && r[1] === 0) return [0, 0];
  if (r[0] >= 0) return [r[0], Infinity];
  if (r[1] <= 0) return [-Infinity, r[1]];
  return UNBOUNDED;
}

export function prodRange(r: Interval): Interval {
  const m = Math.max(Math.abs(r[0]), Math.abs(r[1]));
  if (r[0] >= 0) return [r[0] >= 1 ? r[0] : 0, m <= 1 ? m : Infinity];
  return m <= 1 ? [-m, m] : UNBOUNDED;
}

/** The spec with a `range` declaration added (for operators built by shared constructors). */
export function withRange(spec: OpSpec, range: (inputs: readonly Interval[], attrs: Attrs) => Interval[]): OpSpec {
  return defineOp({ ...spec, range });
}

/**
 * Operators whose every output element is a function of one element of each input (broadcasting allowed) or a copy
 * of one, and whose every input element reaches some output element: a bound that every output element must meet
 * then bounds every input element, through `range` over pieces of the input's interval alone. The unary maps
 * estimate theirs from probes, which is exact where the function is monotone between probes (Sin and Cos, which are
 * not, declare exact ranges).
 */
export const ELEMENTWISE: ReadonlySet<string> = new Set([
  'Abs', 'Neg', 'Exp', 'Log', 'Sqrt', 'Reciprocal', 'Sin', 'Cos', 'Tan', 'Asin', 'Acos', 'Atan', 'Sinh', 'Cosh', 'Asinh', 'Acosh',
  'Atanh', 'Erf', 'Floor', 'Ceil', 'Round', 'Sign',
  'Relu', 'LeakyRelu', 'Elu', 'Selu', 'Sigmoid', 'HardSigmoid', 'Tanh', 'Softplus', 'Softsign', 'HardSwish', 'Celu',
  'ThresholdedRelu', 'PRelu', 'Cast', 'Clip', 'Add', 'Sub', 'Mul', 'Max', 'Min', 'Sum', 'Mean',
  'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Transpose', 'Expand', 'Tile', 'Concat',
]);

type Shaped = readonly ({ readonly shape: readonly number[] } | undefined)[];

function axisLength(types: Shaped, attrs: Attrs, fallback: number): number | undefined {
  const shape = types[0]?.shape;
  if (!shape || shape.length === 0) return undefined;
  const a = typeof attrs['axis'] === 'number' ? attrs['axis'] : fallback;
  return shape[a < 0 ? a + shape.length : a];
}

/**
 * Bounds of a node's outputs: the operator's `range` (unbounded without one), tightened where the input shapes tell
 * more (ArgMax indexes an axis of n elements; Softmax over one element is exactly 1, LogSoftmax exactly 0).
 */
export function outputRanges(spec: OpSpec | undefined, inputs: readonly Interval[], types: Shaped, attrs: Attrs, count: number): Interval[] {
  const declared = spec?.range?.(inputs, attrs);
  const out: Interval[] = [];
  for (let k = 0; k < count; k++) out.push(declared?.[k] ?? UNBOUNDED);
  if (!spec || count === 0) return out;
  switch (spec.onnx) {
    case 'ArgMax':
    case 'ArgMin': {
      const n = axisLength(types, attrs, 0);
      if (n !== undefined && n >= 1) out[0] = [0, n - 1];
      break;
    }
    case 'Softmax':
    case 'LogSoftmax':
      if (axisLength(types, attrs, -1) === 1) out[0] = spec.onnx === 'Softmax' ? [1, 1] : [0, 0];
      break;
  }
  return out;
}

/**
 * Whether every output element of the node can lie within `need` at once, beyond what per-element bounds say: the n
 * elements of a Softmax lane sum to 1, so their bounds must straddle 1/n (LogSoftmax: -log n); a bound that only
 * touches it leaves a lane of equal inputs as the one solution, which no sample hits.
 */
export function jointlyReachable(op: string, need: Interval, types: Shaped, attrs: Attrs): boolean {
  if (op !== 'Softmax' && op !== 'LogSoftmax') return true;
  const n = axisLength(types, attrs, -1);
  if (n === undefined || n <= 1) return true;
  const mean = op === 'Softmax' ? 1 / n : -Math.log(n);
  const room = 1e-6 * Math.max(1, Math.abs(mean));
  return need[0] < mean - room && need[1] > mean + room;
}

/**
 * What every input element of a reduction must satisfy for its output to lie within `need` (`data`: the input's own
 * bounds): no element exceeds a maximum, a sum of non-negative terms bounds each term. Undefined: nothing follows.
 */
export function reducedElementNeed(op: string, need: Interval, data: Interval): Interval | undefined {
  const [lo, hi] = need;
  switch (op) {
    case 'ReduceMax':
      return hi < Infinity ? [-Infinity, hi] : undefined;
    case 'ReduceMin':
      return lo > -Infinity ? [lo, Infinity] : undefined;
    case 'ReduceSum':
      if (data[0] >= 0 && hi < Infinity) return [0, Math.max(0, hi)];
      if (data[1] <= 0 && lo > -Infinity) return [Math.min(0, lo), 0];
      return undefined;
    case 'ReduceL1':
    case 'ReduceL2':
      return hi < Infinity ? [-Math.max(0, hi), Math.max(0, hi)] : undefined;
    case 'ReduceSumSquare':
      return hi < Infinity ? [-Math.sqrt(Math.max(0, hi)), Math.sqrt(Math.max(0, hi))] : undefined;
    default:
      return undefined;
  }
}

/** Operators whose outputs are whole numbers whatever the input (a float tensor of them can hit an exact value). */
export const INTEGRAL_OUTPUT: ReadonlySet<string> = new Set(['Floor', 'Ceil', 'Round', 'Sign', 'ArgMax', 'ArgMin']);

/** Operators whose outputs are whole numbers when all their inputs are. */
export const INTEGRAL_PRESERVING: ReadonlySet<string> = new Set([
  'Abs', 'Neg', 'Relu', 'Add', 'Sub', 'Mul', 'Max', 'Min', 'Sum', 'Clip', 'Cast', 'Reshape', 'Flatten', 'Squeeze',
  'Unsqueeze', 'Transpose', 'Expand', 'Tile', 'Concat', 'Split', 'Gather', 'Slice', 'Pad', 'Where', 'MaxPool',
  'GlobalMaxPool', 'ReduceSum', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceSumSquare', 'CumSum', 'Trilu',
]);
