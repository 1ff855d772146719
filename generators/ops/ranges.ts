/**
 * Interval arithmetic for operators' `range` declarations. Bounds must contain every value the reference can
 * produce (the generator drops graphs whose domains no value within them satisfies); loose is fine, tight helps
 * the generator and the input search's sampling hints.
 */
import type { Attrs, DType, Graph, Node, TensorType } from '../../src/ir/index.js';
import { isInt, numel } from '../../src/ir/index.js';
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

/**
 * Products of elements from `a` and `b`. An infinite end stands for finite values without bound (a valid graph holds
 * no infinities), so an infinite end times an exact 0 is 0: Clip(Softplus(x), max 0) is exactly 0, and PRelu of a
 * non-positive input by it is 0 however large the input, not anything at all.
 */
export function mulRange(a: Interval, b: Interval): Interval {
  const c = [a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1]].map((v) => (Number.isNaN(v) ? 0 : v));
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
 * Elementwise operators (multidirectional or unidirectional broadcasting): each output element reads one of each input
 * (Clip's bounds are scalars every element reads).
 */
export const ELEMENTWISE_MAPS: ReadonlySet<string> = new Set([
  'Abs', 'Neg', 'Exp', 'Log', 'Sqrt', 'Reciprocal', 'Sin', 'Cos', 'Tan', 'Asin', 'Acos', 'Atan', 'Sinh', 'Cosh', 'Asinh',
  'Acosh', 'Atanh', 'Erf', 'Floor', 'Ceil', 'Round', 'Sign', 'Relu', 'LeakyRelu', 'Elu', 'Selu', 'Sigmoid', 'HardSigmoid',
  'Tanh', 'Softplus', 'Softsign', 'HardSwish', 'Celu', 'ThresholdedRelu', 'PRelu', 'Cast', 'Clip', 'Add', 'Sub', 'Mul', 'Div',
  'Pow', 'Mod', 'Max', 'Min', 'Sum', 'Mean', 'Equal', 'Greater', 'Less', 'GreaterOrEqual', 'LessOrEqual', 'And', 'Or',
  'Xor', 'Not', 'Where',
]);

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
  'ThresholdedRelu', 'PRelu', 'Cast', 'Clip', 'Add', 'Sub', 'Mul', 'Mod', 'Max', 'Min', 'Sum', 'Mean',
  'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Transpose', 'Expand', 'Tile', 'Concat',
]);

type Shaped = readonly ({ readonly shape: readonly number[]; readonly dtype?: DType } | undefined)[];

function axisLength(types: Shaped, attrs: Attrs, fallback: number): number | undefined {
  const shape = types[0]?.shape;
  if (!shape || shape.length === 0) return undefined;
  const a = typeof attrs['axis'] === 'number' ? attrs['axis'] : fallback;
  return shape[a < 0 ? a + shape.length : a];
}

/**
 * Bounds of a Softmax (or LogSoftmax) element over a lane of n > 1 elements within [lo, hi]: an element is largest
 * when it sits at hi and the other n - 1 at lo, smallest the other way round, so a narrow input interval keeps every
 * probability near 1/n (six logits within [1, 1.5] give at most 0.25, a LogSoftmax of at most -1.39).
 */
function softmaxRange(log: boolean, n: number, x: Interval): Interval {
  const d = x[1] - x[0];
  if (!(d >= 0) || !Number.isFinite(d)) return log ? [-Infinity, 0] : [0, 1];
  // -log(1 + (n - 1) e^(+-d)), a hair wider than the float64 evaluation of either end
  const lower = -Math.log1p((n - 1) * Math.exp(d));
  const upper = -Math.log1p((n - 1) * Math.exp(-d));
  const slack = 1e-12 * (1 + Math.abs(lower));
  return log ? [lower - slack, Math.min(0, upper + 1e-12 * (1 + Math.abs(upper)))] : [Math.max(0, Math.exp(lower) - 1e-12), Math.min(1, Math.exp(upper) + 1e-12)];
}

/**
 * Bounds of a node's outputs: the operator's `range` (unbounded without one), tightened where the input shapes tell
 * more (ArgMax indexes an axis of n elements; Softmax over one element is exactly 1, LogSoftmax exactly 0).
 */
export function outputRanges(spec: OpSpec | undefined, inputs: readonly Interval[], types: Shaped, attrs: Attrs, count: number, outTypes?: Shaped): Interval[] {
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
    case 'LogSoftmax': {
      const n = axisLength(types, attrs, -1);
      if (n === 1) out[0] = spec.onnx === 'Softmax' ? [1, 1] : [0, 0];
      else if (n !== undefined && n > 1) out[0] = softmaxRange(spec.onnx === 'LogSoftmax', n, inputs[0] ?? UNBOUNDED);
      break;
    }
    case 'Clip': {
      // an omitted bound clips nothing: -Infinity below, Infinity above (the declared range, which sees no types,
      // takes it as a tensor that may hold anything)
      const x = inputs[0] ?? UNBOUNDED;
      const lo: Interval = types[1] ? (inputs[1] ?? UNBOUNDED) : [-Infinity, -Infinity];
      const hi: Interval = types[2] ? (inputs[2] ?? UNBOUNDED) : [Infinity, Infinity];
      out[0] = [Math.min(Math.max(x[0], lo[0]), hi[0]), Math.min(Math.max(x[1], lo[1]), hi[1])];
      break;
    }
    case 'LayerNormalization':
    case 'InstanceNormalization':
      if (givesBias(spec.onnx, types, attrs, inputs[0] ?? UNBOUNDED)) out[0] = types[2] ? (inputs[2] ?? UNBOUNDED) : [0, 0];
      break;
    case 'Div': {
      // integer division truncates toward zero: a quotient bound away from zero moves to the whole number below it
      const r = out[0]!;
      const dt = types[0]?.dtype;
      if (dt === undefined || isInt(dt)) out[0] = bounded(r[0] > 0 ? Math.floor(r[0]) : r[0], r[1] < 0 ? Math.ceil(r[1]) : r[1]);
      break;
    }
    case 'Pow': {
      // an integer power is the real one truncated
      const r = out[0]!;
      const dt = types[0]?.dtype;
      if (dt === undefined || isInt(dt)) out[0] = bounded(Math.floor(r[0]), r[1]);
      break;
    }
    case 'MatMul':
    case 'Gemm':
    case 'Conv':
    case 'ConvTranspose': {
      const r = linearRange(spec.onnx, inputs, types, attrs);
      if (r) out[0] = meetOr(out[0]!, r);
      break;
    }
    default: {
      // sums of at most as many terms as the input holds, or of exactly as many as a lane holds where the shapes
      // tell: bounded where the terms are (sign alone says less)
      const n = types[0] ? numel(types[0].shape) : undefined;
      const r = inputs[0];
      if (n === undefined || n < 1 || !r) break;
      const sum = termsRange(spec.onnx, r, n, attrs, laneLength(spec.onnx, inputs, types, outTypes), types[0]?.dtype);
      if (sum) out[0] = meetOr(out[0]!, sum);
    }
  }
  return out;
}

/** outputRanges for a graph node, its input and output types looked up by name in `types`. */
export function nodeRanges(spec: OpSpec | undefined, n: Node, inputs: readonly Interval[], types: ReadonlyMap<string, TensorType>): Interval[] {
  return outputRanges(spec, inputs, n.inputs.map((x) => types.get(x)), n.attrs, n.outputs.length, n.outputs.map((x) => types.get(x)));
}

/** Operators whose output bounds come from their input shapes alone (outputRanges), without a declared `range`. */
export const SHAPE_RANGED: ReadonlySet<string> = new Set(['MatMul', 'Gemm', 'Conv', 'ConvTranspose']);

/** A sum of k terms within `r`, k from kMin to kMax. */
function sumOf(r: Interval, kMin: number, kMax: number): Interval {
  if (kMax === 0) return [0, 0];
  return bounded(r[0] >= 0 ? kMin * r[0] : kMax * r[0], r[1] <= 0 ? kMin * r[1] : kMax * r[1]);
}

function scaled(r: Interval, c: number): Interval {
  return mulRange(r, [c, c]);
}

/**
 * Bounds of a sum of products: MatMul and Gemm sum K products of an element of each operand (K the shared
 * dimension), Conv and ConvTranspose at most K (input channels per group times the kernel; fewer where padding or
 * strides leave positions out, none at all in places) plus the bias.
 */
function linearRange(op: string, inputs: readonly Interval[], types: Shaped, attrs: Attrs): Interval | undefined {
  const [a, b, c] = inputs;
  const sa = types[0]?.shape;
  const sb = types[1]?.shape;
  if (!a || !b || !sa || !sb) return undefined;
  const prod = mulRange(a, b);
  switch (op) {
    case 'MatMul': {
      const k = sa[sa.length - 1];
      return k === undefined ? undefined : sumOf(prod, k, k);
    }
    case 'Gemm': {
      const k = attrs['transA'] === 1 ? sa[0] : sa[1];
      if (k === undefined) return undefined;
      const alpha = typeof attrs['alpha'] === 'number' ? attrs['alpha'] : 1;
      const beta = typeof attrs['beta'] === 'number' ? attrs['beta'] : 1;
      const ab = scaled(sumOf(prod, k, k), alpha);
      return c && types[2] ? addRange(ab, scaled(c, beta)) : ab;
    }
    case 'Conv':
    case 'ConvTranspose': {
      const group = typeof attrs['group'] === 'number' && attrs['group'] > 0 ? attrs['group'] : 1;
      const k = op === 'Conv' ? numel(sb.slice(1)) : Math.ceil((sa[1] ?? 1) / group) * numel(sb.slice(2));
      const pads = attrs['pads'];
      const auto = attrs['auto_pad'];
      const full = op === 'Conv' && !(typeof auto === 'string' && auto.startsWith('SAME')) && !(Array.isArray(pads) && pads.some((p) => p !== 0));
      const sum = sumOf(prod, full ? k : 0, k);
      return c && types[2] ? addRange(sum, c) : sum;
    }
    default:
      return undefined;
  }
}

/** The intersection of two intervals that both bound the same values (the first when they do not meet). */
function meetOr(a: Interval, b: Interval): Interval {
  const lo = Math.max(a[0], b[0]);
  const hi = Math.min(a[1], b[1]);
  return lo <= hi ? [lo, hi] : a;
}

/**
 * How many elements each lane of a reduction or scan holds, where the shapes say: a reduction's input over its output
 * (every lane alike), a CumSum's axis when the axis is a known constant. Undefined otherwise.
 */
function laneLength(op: string, inputs: readonly Interval[], types: Shaped, outTypes: Shaped | undefined): number | undefined {
  const shape = types[0]?.shape;
  if (!shape) return undefined;
  if (op === 'CumSum') {
    const a = inputs[1];
    if (!a || a[0] !== a[1] || !Number.isInteger(a[0])) return undefined;
    return shape[a[0] < 0 ? a[0] + shape.length : a[0]];
  }
  const out = outTypes?.[0]?.shape;
  if (!op.startsWith('Reduce') || !out) return undefined;
  const n = numel(shape);
  const m = numel(out);
  return m > 0 && n > 0 && n % m === 0 ? n / m : undefined;
}

/**
 * Bounds of a sum-like reduction or scan over at most `n` elements within `r` (n: the input's element count, which
 * bounds every lane), or over exactly `lane` elements (a scan: 1 to `lane`) where that is known; undefined for other
 * operators.
 */
function termsRange(op: string, r: Interval, n: number, attrs: Attrs, lane?: number, dtype?: DType): Interval | undefined {
  const m = Math.max(Math.abs(r[0]), Math.abs(r[1]));
  // the smallest magnitude an element can have (0 when the interval holds it)
  const least = r[0] > 0 ? r[0] : r[1] < 0 ? -r[1] : 0;
  const most = lane ?? n;
  const fewest = lane ?? 1;
  switch (op) {
    case 'ReduceSum':
      return sumOf(r, fewest, most);
    case 'CumSum': {
      // element j of a lane sums its first j + 1 elements (j for an exclusive scan, whose first is 0)
      const inclusive = sumOf(r, 1, most);
      return attrs['exclusive'] === 1 ? (most > 1 ? hull(sumOf(r, 1, most - 1), [0, 0]) : [0, 0]) : inclusive;
    }
    case 'ReduceL1':
      return bounded(fewest * least, most * m);
    case 'ReduceL2': {
      // an integer result is the root truncated
      const low = Math.sqrt(fewest) * least;
      return bounded(dtype !== undefined && isInt(dtype) ? Math.floor(low) : low, Math.sqrt(most) * m);
    }
    case 'ReduceSumSquare':
      return bounded(fewest * least * least, most * m * m);
    case 'ReduceLogSumExp':
      return bounded(r[0] + Math.log(fewest), r[1] + Math.log(most));
    case 'ReduceProd':
      // a product of `lane` factors
      if (lane === undefined) return undefined;
      if (r[0] >= 0) return bounded(r[0] ** lane, r[1] ** lane);
      // factors all at or below 0 (a LogSoftmax): the product's sign is the lane length's parity
      if (r[1] <= 0) return lane % 2 === 0 ? bounded((-r[1]) ** lane, (-r[0]) ** lane) : bounded(-((-r[0]) ** lane), -((-r[1]) ** lane));
      return bounded(-(m ** lane), m ** lane);
    case 'ReduceLogSum': {
      // the log of a sum of positive terms (its domain): at most `most` of them, each at most r[1], so at most
      // log(most * r[1]) (Log(ReduceLogSum) of one Cast bool per lane is at most log 1 = 0); below, `lane` terms of
      // at least r[0] where the lane is known and r[0] positive
      if (r[1] <= 0) return undefined;
      const low = lane !== undefined && r[0] > 0 ? Math.log(lane * r[0]) : -Infinity;
      return bounded(low, Math.log(most * r[1]));
    }
    default:
      return undefined;
  }
}

/**
 * Whether every output element of the node can lie within `need` at once, beyond what per-element bounds say: the n
 * elements of a Softmax lane sum to 1, so their bounds must straddle 1/n (LogSoftmax: -log n); a bound that only
 * touches it leaves a lane of equal inputs as the one solution, which no sample hits. A LayerNormalization lane
 * without a bias sums to 0.
 */
export function jointlyReachable(op: string, need: Interval, types: Shaped, attrs: Attrs): boolean {
  if (op === 'LayerNormalization') {
    // without a bias and with one scale for the whole lane, a lane is a multiple of a zero-mean vector: its elements
    // cannot all lie on one side of 0 (Log of it, or a ReduceLogSum over it, has no valid values)
    const scale = types[1];
    const one = scale !== undefined && scale.shape.every((d) => d === 1);
    return types[2] !== undefined || !one || !(need[0] > 0 || need[1] < 0);
  }
  if (op !== 'Softmax' && op !== 'LogSoftmax') return true;
  const n = axisLength(types, attrs, -1);
  if (n === undefined || n <= 1) return true;
  const mean = op === 'Softmax' ? 1 / n : -Math.log(n);
  const room = 1e-6 * Math.max(1, Math.abs(mean));
  return need[0] < mean - room && need[1] > mean + room;
}

/**
 * What every input element of a reduction must satisfy for its output to lie within `need` (`data`: the input's own
 * bounds): no element exceeds a maximum (a global max pool's, or a log-sum-exp, which is at least the maximum), a sum
 * of non-negative terms bounds each term (its log too). Undefined: nothing follows.
 */
export function reducedElementNeed(op: string, need: Interval, data: Interval): Interval | undefined {
  const [lo, hi] = need;
  switch (op) {
    case 'ReduceMax':
    case 'GlobalMaxPool':
    // a log-sum-exp is at least its largest term
    case 'ReduceLogSumExp':
      return hi < Infinity ? [-Infinity, hi] : undefined;
    case 'ReduceLogSum':
      return data[0] >= 0 && hi < Infinity ? [0, Math.exp(hi)] : undefined;
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

/**
 * Whether a Layer- or InstanceNormalization gives its bias (0 without one) at every element, whatever its scale: its
 * lanes are of one element, each its own mean, or its input `x` is all zeros (a LogSoftmax over one element, a Relu
 * of non-positive values), whose mean is 0; either way x - mean is exactly 0.
 */
export function givesBias(op: string, types: Shaped, attrs: Attrs, x: Interval): boolean {
  if (op !== 'LayerNormalization' && op !== 'InstanceNormalization') return false;
  const shape = types[0]?.shape;
  if (!shape || shape.length < (op === 'InstanceNormalization' ? 3 : 1) || numel(shape) === 0) return false;
  const raw = typeof attrs['axis'] === 'number' ? attrs['axis'] : -1;
  const from = op === 'InstanceNormalization' ? 2 : raw < 0 ? raw + shape.length : raw;
  return numel(shape.slice(from)) === 1 || (x[0] === 0 && x[1] === 0);
}

/**
 * The input that lies within every output lane's span, element for element of its own (undefined: none). A normalised
 * lane is zero-mean, so it holds an element at or below 0 and one at or above; where the scale and the bias are one
 * value each across the lane (InstanceNormalization per channel, LayerNormalization with scalar ones), every lane then
 * holds an output at or below its bias and one at or above, so whatever all outputs must meet the bias must meet too:
 * Acosh of a normalisation with a bias of Log(Cos(x)) <= 0 has no valid values. Lanes of one element are the bias.
 */
export function centredInput(op: string, types: Shaped): number | undefined {
  const one = (t: Shaped[number]): boolean => t !== undefined && t.shape.every((d) => d === 1);
  if (op === 'InstanceNormalization') return types[2] ? 2 : undefined;
  if (op === 'LayerNormalization') return types[2] && one(types[1]) && one(types[2]) ? 2 : undefined;
  return undefined;
}

/** Operators whose outputs are whole numbers whatever the input (a float tensor of them can hit an exact value). */
export const INTEGRAL_OUTPUT: ReadonlySet<string> = new Set(['Floor', 'Ceil', 'Round', 'Sign', 'ArgMax', 'ArgMin']);

/** Operators whose outputs are whole numbers when all their inputs are. */
export const INTEGRAL_PRESERVING: ReadonlySet<string> = new Set([
  'Abs', 'Neg', 'Relu', 'Add', 'Sub', 'Mul', 'Max', 'Min', 'Sum', 'Clip', 'Cast', 'Reshape', 'Flatten', 'Squeeze',
  'Unsqueeze', 'Transpose', 'Expand', 'Tile', 'Concat', 'Split', 'Gather', 'Slice', 'Pad', 'Where', 'MaxPool',
  'GlobalMaxPool', 'ReduceSum', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceSumSquare', 'CumSum', 'Trilu',
]);

/**
 * The tensors of `graph` that hold whole numbers only, whatever its inputs and weights hold: integer and bool tensors,
 * constants of whole numbers, outputs of INTEGRAL_OUTPUT operators, and what INTEGRAL_PRESERVING ones make of them.
 */
export function integralTensors(graph: Graph, types: ReadonlyMap<string, TensorType>): Set<string> {
  const integral = new Set<string>();
  for (const [name, t] of types) if (isInt(t.dtype) || t.dtype === 'bool') integral.add(name);
  for (const c of graph.initializers) if (c.kind === 'constant' && c.data.every(Number.isInteger)) integral.add(c.name);
  for (const n of graph.nodes) {
    const whole = INTEGRAL_OUTPUT.has(n.op) || (INTEGRAL_PRESERVING.has(n.op) && n.inputs.every((x) => x === '' || integral.has(x)));
    if (whole) for (const o of n.outputs) integral.add(o);
  }
  return integral;
}
