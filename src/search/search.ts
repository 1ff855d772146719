/**
 * Input and weight search: find values for a graph's inputs and weights such that every intermediate tensor
 * is finite under the float64 reference and every operator's domain holds.
 *
 * Gradient search starts from values sampled within hints that interval reasoning derives from the domains
 * downstream (generators/values.ts leafHints), then alternates two moves, keeping progress between them:
 * - an Adam step (tfjs autodiff through the operators' own lowerings) on the float leaves upstream of the first
 *   offending node, minimising the domain violations of every node up to it, each bound with a margin; operators
 *   whose true gradient is zero or missing get a straight-through proxy. A node that is unstable (values at a
 *   discontinuity: Floor's input at an integer, an ArgMax tie, a Sqrt of a computed zero) gets a loss that moves
 *   its inputs off the discontinuity where one is known (stabilityLoss), and that loss also measures the progress
 *   of a step there, where counting the elements that still move often sees none. A step that breaks an earlier
 *   node is retried with ten times wider margins on the earlier nodes' bounds (GUARD), then with the leaves feeding
 *   that node held still;
 * - where no gradient reaches (integer or bool paths, Where's condition) or the gradient stalls, a local
 *   mutation: some elements of one leaf feeding the offending node are redrawn, and the change is kept only when
 *   the graph is no worse off (the first violation moves later, or fewer elements break it). Every few mutations
 *   the gradient gets another try from where they left the values (rounded values sit on plateaus).
 * A run that stops improving starts over from fresh draws (RESTART). Every leaf stays within what interval reasoning
 * proves it must hold (generators/values.ts leafNeeds: Sqrt(w) and Sqrt(Neg(w)) leave w exactly 0).
 * Sampling, the baseline, redraws every leaf feeding the offending node from the leaves' own constraints.
 * All randomness comes from the seed.
 */
import type * as tfjs from '@tensorflow/tfjs-core';
import type * as fc from 'fast-check';
import { randomFromSeed } from '../../generators/graph.js';
import { findOp } from '../../generators/ops/index.js';
import { reducedAxes } from '../../generators/ops/reduce.js';
import type { DomainConstraint, OpSpec } from '../../generators/ops/spec.js';
import { intervalFor, leafConstraints, leafHints, leafNeeds, sampleTensor } from '../../generators/values.js';
import { evalTfjsNodes, leafTensors, type LoweringWrap } from '../backends/tfjs.js';
import type { Graph, Initializer, Node, Tensor, TensorType } from '../ir/index.js';
import { castValue, isFloat, numel } from '../ir/index.js';
import { FLOAT32_TINY, withDefaults } from '../reference/interpreter.js';
import { leafIndexMap } from './influence.js';
import { firstViolation, holds, nodeConstraints, type Violation } from './violations.js';

export type SearchMethod = 'gradient' | 'sampling';

export interface SearchOptions {
  readonly method?: SearchMethod;
  /** Evaluations of the reference before giving up (default 256). */
  readonly maxIterations?: number;
  /** Adam step size, in units of the input range (default 0.5). */
  readonly learningRate?: number;
}

export interface SearchResult {
  readonly ok: boolean;
  readonly method: SearchMethod;
  readonly iterations: number;
  /** Gradient iterations that fell back to a mutation (no gradient reaches the offending node, or it stalled). */
  readonly fallbacks: number;
  readonly ms: number;
  /** The graph with the searched weight values. */
  readonly graph: Graph;
  readonly feeds: Record<string, Tensor>;
  /** Where the last attempt still failed. */
  readonly failure?: { readonly node: string; readonly op: string; readonly reason: string };
}

type TF = typeof tfjs;
type Constraint = Omit<DomainConstraint, 'input'>;

/** tfjs variable names must be unique per process; a counter keeps them deterministic. */
let variableNo = 0;

/** Gradient steps without progress at one node before a mutation is tried instead. */
const STALL = 4;
/** Mutations after the gradient stalled before it gets two more steps from where they left the values. */
const RETRY = 4;
/**
 * Evaluations without a better score than the run's best before the search starts over from fresh draws (weights
 * included): a run that has settled where its steps cannot leave (a weight driven to the value that zeroes a
 * product, Adam steps overshooting a narrow band) rarely recovers, and a fresh start often lands elsewhere.
 */
const RESTART = 40;
/** Iterations at one node after which leaves no gradient reaches get redrawn every few steps, progress or not. */
const SLOW = 24;
/**
 * Gradient steps in a row that leave the score exactly as it was (a saturated HardSigmoid or Relu between the leaves
 * and the offending node: only the straight-through gradient sees the leaves move) that count as crossing the flat
 * region rather than as a stall.
 */
const PLATEAU = 12;
/** Largest magnitude a gradient step may move a leaf to: far past the sampling range, short of overflow. */
const STEP_LIMIT = 1e3;

/** Leaves (graph inputs and initializers) that feed `target`, transitively. */
function upstreamLeaves(graph: Graph, target: Node): Set<string> {
  const producer = new Map<string, Node>();
  for (const n of graph.nodes) for (const o of n.outputs) producer.set(o, n);
  const leaves = new Set<string>();
  const seen = new Set<Node>();
  const stack = [target];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    for (const i of n.inputs) {
      if (i === '') continue;
      const p = producer.get(i);
      if (p) stack.push(p);
      else leaves.add(i);
    }
  }
  return leaves;
}

/**
 * Per-element loss for a constraint: zero well inside the domain, growing with the distance outside it. Every bound
 * gets a margin (closed ones too): a value right at a bound is one rounding away from breaking it, and a node that
 * holds with no room to spare is what the next step for a later node breaks.
 */
function constraintLoss(tf: TF, c: DomainConstraint, v: tfjs.Tensor, widen = 1): tfjs.Tensor {
  const margin = 1e-2 * widen * Math.max(1, Math.abs(c.value));
  const x = v.toFloat();
  switch (c.rel) {
    case 'gt':
    case 'ge':
      return tf.relu(tf.sub(c.value + margin, x));
    case 'lt':
    case 'le':
      return tf.relu(tf.sub(x, c.value - margin));
    case 'abs-le':
      return tf.relu(tf.sub(tf.abs(x), Math.max(c.value - margin, c.value / 2)));
    case 'abs-ge':
      // |x| has no gradient at 0, where quantised values (Floor, Round, Relu's zero branch) often sit: the side is
      // fixed per element (non-negative values move up), so the loss pulls zeros off zero
      return awayFromZero(tf, x, c.value + margin);
  }
}

/**
 * How much wider the margins of the nodes before the offending one are in a step retried after one that broke such a
 * node: elements close to an earlier bound get pulled in while the rest move on (Adam moves every element by about
 * the step size, so one pushed toward a bound it sits near crosses it).
 */
const GUARD = 10;

/**
 * Smooth maps whose output moves far under a rounding of a large input (Sin of 120, Exp of 27, Atanh next to 1): an
 * unstable one is steadied by bringing its input toward 0, where each is well conditioned.
 */
const AMPLIFYING: ReadonlySet<string> = new Set(['Sin', 'Cos', 'Tan', 'Exp', 'Sinh', 'Cosh', 'Asin', 'Acos', 'Atanh']);

/** The magnitude beyond which an unstable Mod's dividend is pulled down. */
const MOD_DIVIDEND = 8;

/** Operators whose instability (values at a discontinuity) has a loss that moves their inputs off it. */
const STABILISED: ReadonlySet<string> = new Set([
  'Floor', 'Ceil', 'Round', 'Sign', 'Sqrt', 'Log', 'Reciprocal', 'Cast', 'Mod', 'Less', 'LessOrEqual', 'Greater',
  'GreaterOrEqual', 'Equal', 'ArgMax', 'ArgMin', 'LayerNormalization', 'InstanceNormalization', ...AMPLIFYING,
]);

/** The side of zero each element lies on (+1 at zero itself), a constant: what a one-sided margin pushes along. */
function side(tf: TF, d: tfjs.Tensor): tfjs.Tensor {
  return tf.sub(tf.mul(tf.cast(tf.greaterEqual(d, 0), 'float32'), 2), 1);
}

/** A copy of `t` off the tape: a constant of the step, which no gradient flows through. */
function offTape(tf: TF, t: tfjs.Tensor): tfjs.Tensor {
  return tf.tensor(t.dataSync(), t.shape, t.dtype);
}

/**
 * Per-element loss pushing `d` at least `margin` away from zero, on the side it already lies on; where it is exactly
 * zero, on the side `tie` gives (+1 without one).
 */
function awayFromZero(tf: TF, d: tfjs.Tensor, margin: number, tie?: tfjs.Tensor): tfjs.Tensor {
  // which elements sit on zero is a constant of the step (tfjs has no gradient for Equal)
  const s = tie ? tf.where(offTape(tf, tf.equal(d, 0)), tie, side(tf, d)) : side(tf, d);
  return tf.relu(tf.sub(margin, tf.mul(d, s)));
}

/**
 * The side toward zero of each element (+1 at zero itself), a constant: a whole number that a rounding operator's input
 * sits on exactly is most often a saturated bound (Erf or Tanh at 1, Sigmoid at 0 or 1, a Clip's bound), which only
 * the inside of the range can leave.
 */
function inward(tf: TF, f: tfjs.Tensor): tfjs.Tensor {
  return offTape(tf, tf.sub(1, tf.mul(tf.cast(tf.greater(f, 0), 'float32'), 2)));
}

/**
 * A loss that moves the inputs of an unstable node off the discontinuity its perturbed evaluation crossed, at the
 * output elements that moved (`moved`, flat indices of its first output; all when empty): Floor's input away from
 * the nearest integer, a comparison's operands apart, every value of an ArgMax lane near its largest down from it, a
 * normalisation lane's values apart (or its scale toward 0), a Sqrt's input up from zero, an amplifying map's input
 * toward zero. Its value on the reference's values is also how far the search scores an unstable node from stable
 * (instability). Undefined for operators without one (the search then mutates).
 */
function stabilityLoss(tf: TF, node: Node, ins: readonly (tfjs.Tensor | undefined)[], moved: readonly number[]): tfjs.Tensor | undefined {
  const x = ins[0];
  if (!x || !STABILISED.has(node.op)) return undefined;
  const attrs = withDefaults(node);
  const f = x.toFloat();
  let per: tfjs.Tensor | undefined;
  switch (node.op) {
    case 'Floor':
    case 'Ceil':
      per = awayFromZero(tf, tf.sub(f, tf.round(f)), 0.25, inward(tf, f));
      break;
    case 'Round':
      per = awayFromZero(tf, tf.sub(f, tf.add(tf.floor(f), 0.5)), 0.25);
      break;
    case 'Sign':
    case 'Reciprocal':
      per = awayFromZero(tf, f, 1e-2);
      break;
    case 'Sqrt':
    case 'Log':
      per = tf.relu(tf.sub(1e-2, f));
      break;
    case 'Cast': {
      const to = attrs['to'];
      // float to float has no step of its own (ONNX FLOAT, FLOAT16, DOUBLE, BFLOAT16)
      if (x.dtype !== 'float32' || to === 1 || to === 10 || to === 11 || to === 16) return undefined;
      // to bool: zero against anything else; to an integer type: truncation's steps
      per = to === 9 ? awayFromZero(tf, f, 1e-2) : awayFromZero(tf, tf.sub(f, tf.round(f)), 0.25, inward(tf, f));
      break;
    }
    case 'Mod': {
      const y = ins[1];
      if (!y || x.dtype !== 'float32') return undefined;
      const q = tf.div(f, y.toFloat());
      const near = awayFromZero(tf, tf.sub(q, tf.round(q)), 0.1);
      // a remainder carries its dividend's rounding whole (fmod(1240, 1.15) moves by 1240's rounding, a thousandth of
      // the remainder): where the quotient is clear of whole numbers and the remainder still moves, a large dividend is
      // pulled down
      const long = tf.relu(tf.sub(tf.abs(f), MOD_DIVIDEND));
      per = tf.where(offTape(tf, tf.greater(near, 0)), near, long);
      break;
    }
    case 'Less':
    case 'LessOrEqual':
    case 'Greater':
    case 'GreaterOrEqual':
    case 'Equal': {
      const y = ins[1];
      if (!y || x.dtype !== 'float32') return undefined;
      per = awayFromZero(tf, tf.sub(f, y.toFloat()), 1e-2);
      break;
    }
    case 'LayerNormalization':
    case 'InstanceNormalization': {
      if (x.dtype !== 'float32' || x.rank < (node.op === 'LayerNormalization' ? 1 : 3)) return undefined;
      const from = node.op === 'LayerNormalization' ? (((attrs['axis'] as number) % x.rank) + x.rank) % x.rank : 2;
      const axes = Array.from({ length: x.rank - from }, (_, i) => from + i);
      // a lane of nearly equal values (spread small against their offset) amplifies every rounding of them: the
      // loss spreads it
      const { mean, variance } = tf.moments(f, axes, true);
      const ratio = tf.div(variance, tf.add(tf.add(tf.square(mean), variance), 1e-6));
      per = tf.relu(tf.sub(0.1, ratio));
      // a lane of exactly equal values (the zeros of a Relu or a Round below it) has no gradient of its variance:
      // every other element is also pushed up from the mean, against the lane's own size (pushing the rest down as
      // well breaks what a Log or Sqrt before needs as often as it helps)
      const center = offTape(tf, mean);
      const size = tf.add(tf.add(tf.abs(center), tf.sqrt(offTape(tf, variance))), 1e-3);
      const pushed = tf.tensor(Float32Array.from({ length: f.size }, (_, k) => (k % 2 === 0 ? 1 : -1)), f.shape, 'float32');
      const apart = tf.relu(tf.sub(0.5, tf.div(tf.mul(pushed, tf.sub(f, center)), size)));
      const narrow = offTape(tf, tf.cast(tf.less(ratio, 0.1), 'float32'));
      per = tf.add(per, tf.mul(tf.sum(apart, axes, true), narrow));
      // a lane nothing can spread (copies a Tile made, zeros of a Pad, a Cast of pinned integers) is stable with a
      // small scale instead: the normalised noise times the scale falls under the tolerance (the output is the bias)
      const scale = ins[1];
      if (scale && scale.dtype === 'float32') {
        const mag =
          node.op === 'InstanceNormalization'
            ? tf.reshape(tf.abs(scale), x.shape.map((d, i) => (i === 1 ? d : 1)))
            : tf.sum(tf.abs(scale));
        per = tf.add(per, tf.mul(mag, narrow));
      }
      break;
    }
    case 'ArgMax':
    case 'ArgMin': {
      if (x.dtype !== 'float32' || x.rank === 0) return undefined;
      const v = node.op === 'ArgMin' ? tf.neg(f) : f;
      const axis = ((attrs['axis'] as number) + x.rank) % x.rank;
      const n = x.shape[axis]!;
      if (n < 2) return undefined;
      // the largest value of each lane against every other value within the margin of it, all at once: a lane of
      // quantised values (Round, Relu's zeros) ties many ways, and pushing only the runner-up clears one a step
      const top = tf.max(v, axis, true);
      const iota = tf.reshape(tf.range(0, n, 1, 'int32'), x.shape.map((d, i) => (i === axis ? n : 1)));
      // which position is first is a constant of the step (a copy off the tape: tfjs has no gradient for Equal)
      const at = tf.argMax(v, axis);
      const first = tf.cast(tf.equal(iota, tf.expandDims(offTape(tf, at), axis)), 'float32');
      // the first stays where it is (a constant): raising it can break what earlier nodes need of it
      const others = tf.mul(tf.relu(tf.sub(1e-2, tf.sub(offTape(tf, top), v))), tf.sub(1, first));
      per = tf.sum(others, axis, true);
      break;
    }
    default:
      if (AMPLIFYING.has(node.op)) per = tf.abs(f);
  }
  if (!per) return undefined;
  const flat = tf.reshape(per, [-1]);
  const size = flat.shape[0]!;
  if (moved.length === 0 || moved.some((k) => k >= size)) return tf.sum(flat);
  const mask = new Float32Array(size);
  for (const k of moved) mask[k] = 1;
  return tf.sum(tf.mul(flat, tf.tensor1d(mask)));
}

/** Sums `dy` down to `shape` (undoing broadcasting), for straight-through gradients. */
function reduceTo(tf: TF, dy: tfjs.Tensor, shape: readonly number[]): tfjs.Tensor {
  let g = dy;
  while (g.rank > shape.length) g = tf.sum(g, 0);
  for (let ax = 0; ax < shape.length; ax++) if (shape[ax] === 1 && g.shape[ax] !== 1) g = tf.sum(g, ax, true);
  return g.shape.length === shape.length && g.shape.every((d, i) => d === shape[i]) ? g : tf.zeros([...shape]);
}

/** `value(x)`, differentiated as `grad(dy)` with respect to x (the node's other inputs held constant). */
function withGradient(tf: TF, x: tfjs.Tensor, value: (xs: tfjs.Tensor) => tfjs.Tensor, grad: (dy: tfjs.Tensor) => tfjs.Tensor): tfjs.Tensor {
  const body = (...args: unknown[]): { value: tfjs.Tensor; gradFunc: (dy: tfjs.Tensor) => tfjs.Tensor[] } => ({ value: value(args[0] as tfjs.Tensor), gradFunc: (dy) => [grad(dy)] });
  return tf.customGrad(body as unknown as Parameters<TF['customGrad']>[0])(x);
}

/**
 * CumSum with its true gradient (a cumulative sum of dy the other way along the axis): tfjs 4.22's registered one
 * transposes the result for every axis but the last, which gives wrong values (or a shape error) there.
 */
function cumsumWithGrad(tf: TF, node: Node, lower: (inputs: readonly (tfjs.Tensor | undefined)[]) => tfjs.Tensor[]) {
  return (inputs: readonly (tfjs.Tensor | undefined)[]): tfjs.Tensor[] => {
    const x = inputs[0];
    const a = inputs[1];
    if (!x || x.dtype !== 'float32' || !a) return lower(inputs);
    const attrs = withDefaults(node);
    const raw = a.dataSync()[0] ?? 0;
    const axis = raw < 0 ? raw + x.rank : raw;
    const exclusive = attrs['exclusive'] === 1;
    const reverse = attrs['reverse'] === 1;
    return [withGradient(tf, x, (xs) => lower([xs, ...inputs.slice(1)])[0]!, (dy) => tf.cumsum(dy, axis, exclusive, !reverse))];
  };
}

/**
 * Trilu with its gradient: the same mask applied to dy (tfjs has none for the ops its lowering uses on some shapes:
 * "Argument tensors passed to stack must be a Tensor[]", which would leave every graph holding a Trilu to mutations).
 */
function triluWithGrad(tf: TF, lower: (inputs: readonly (tfjs.Tensor | undefined)[]) => tfjs.Tensor[]) {
  return (inputs: readonly (tfjs.Tensor | undefined)[]): tfjs.Tensor[] => {
    const x = inputs[0];
    if (!x || x.dtype !== 'float32') return lower(inputs);
    const rest = inputs.slice(1);
    return [withGradient(tf, x, (xs) => lower([xs, ...rest])[0]!, (dy) => lower([dy, ...rest])[0]!)];
  };
}

/**
 * ReduceProd differentiated in log space. Its true gradient, the product of the lane's other elements, underflows
 * float32 to 0 as soon as the lane's product does (480 factors near 0.2), and a Mod or Reciprocal that needs the
 * product away from zero then gets no direction. Each element gets the sign of the others' product and its size from
 * a sum of logarithms, floored at SATURATED_SLOPE; zeros count as tiny positive factors.
 */
function prodWithGrad(tf: TF, node: Node, lower: (inputs: readonly (tfjs.Tensor | undefined)[]) => tfjs.Tensor[]) {
  return (inputs: readonly (tfjs.Tensor | undefined)[]): tfjs.Tensor[] => {
    const x = inputs[0];
    if (!x || x.dtype !== 'float32') return lower(inputs);
    const a = inputs[1];
    const axesInput = a ? { dtype: 'int64' as const, shape: [...a.shape], data: Array.from(a.dataSync()) } : undefined;
    const axes = reducedAxes('ReduceProd', x.rank, axesInput, withDefaults(node));
    if (axes === null || typeof axes === 'string' || axes.length === 0) return lower(inputs);
    const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const rest = inputs.slice(1);
    return [
      withGradient(tf, x, (xs) => lower([xs, ...rest])[0]!, (dy) => {
        const sides = side(tf, x);
        const logs = tf.log(tf.maximum(tf.abs(x), FLOAT32_TINY));
        const others = tf.clipByValue(tf.sub(tf.sum(logs, [...axes], true), logs), -80, 80);
        const size = tf.maximum(tf.exp(others), SATURATED_SLOPE);
        return tf.mul(tf.mul(tf.reshape(dy, kept), tf.mul(tf.prod(sides, [...axes], true), sides)), size);
      }),
    ];
  };
}

/**
 * A float Mod (C fmod: the dividend's sign) differentiated through its average over a tooth of the saw. The true
 * derivatives, 1 in the dividend and -trunc(a / b) in the divisor, point into the nearest tooth: a step along them
 * wraps the remainder around (or, moving a and b alike as Adam's steps do, leaves a - |b| where it is), and
 * Acosh(fmod(a, b)) with |b| just under |a| never finds that any |b| beyond |a| gives a itself. Averaged, |fmod| is
 * |b| / 2 while |b| < |a|, whatever a, and a itself beyond: short of |a| the divisor gets half the output gradient
 * (signed by a and b) and the dividend none; past it the dividend gets all of it and the divisor none.
 */
function modWithGrad(tf: TF, lower: (inputs: readonly (tfjs.Tensor | undefined)[]) => tfjs.Tensor[]) {
  return (inputs: readonly (tfjs.Tensor | undefined)[]): tfjs.Tensor[] => {
    const [a, b] = inputs;
    if (!a || !b || a.dtype !== 'float32' || b.dtype !== 'float32') return lower(inputs);
    const body = (...args: unknown[]): { value: tfjs.Tensor; gradFunc: (dy: tfjs.Tensor) => tfjs.Tensor[] } => {
      const [x, y] = args as [tfjs.Tensor, tfjs.Tensor];
      const gradFunc = (dy: tfjs.Tensor): tfjs.Tensor[] => {
        // from the node's own inputs (the tensors customGrad hands the forward function are gone by now)
        const short = tf.cast(tf.less(tf.abs(b), tf.abs(a)), 'float32');
        const slope = tf.mul(tf.mul(tf.sign(a), tf.sign(b)), tf.mul(short, 0.5));
        return [reduceTo(tf, tf.mul(dy, tf.sub(1, short)), a.shape), reduceTo(tf, tf.mul(dy, slope), b.shape)];
      };
      return { value: lower([x, y])[0]!, gradFunc };
    };
    return [tf.customGrad(body as unknown as Parameters<TF['customGrad']>[0])(a, b)];
  };
}

/** The least slope a saturating operator passes back (OpSpec.slope): below any float32 resolves there, above Adam's epsilon. */
export const SATURATED_SLOPE = 1e-9;

/** A saturating operator differentiated through its own slope, floored at SATURATED_SLOPE. */
function saturatingWithGrad(tf: TF, slope: NonNullable<OpSpec['slope']>, lower: (inputs: readonly (tfjs.Tensor | undefined)[]) => tfjs.Tensor[]) {
  return (inputs: readonly (tfjs.Tensor | undefined)[]): tfjs.Tensor[] => {
    const x = inputs[0];
    if (!x || x.dtype !== 'float32') return lower(inputs);
    let y: tfjs.Tensor | undefined;
    const value = (xs: tfjs.Tensor): tfjs.Tensor => (y = lower([xs])[0]!);
    return [withGradient(tf, x, value, (dy) => tf.mul(dy, tf.maximum(slope(tf, x, y!), SATURATED_SLOPE)))];
  };
}

/** Straight-through proxies for operators that ask for them (and true gradients tfjs gets wrong or lacks). */
export function proxyWrap(tf: TF): LoweringWrap {
  return (node, lower) => {
    if (node.op === 'CumSum') return cumsumWithGrad(tf, node, lower);
    if (node.op === 'Trilu') return triluWithGrad(tf, lower);
    if (node.op === 'ReduceProd') return prodWithGrad(tf, node, lower);
    if (node.op === 'Mod') return modWithGrad(tf, lower);
    const spec = findOp(node.op);
    if (spec?.slope) return saturatingWithGrad(tf, spec.slope, lower);
    const proxy = spec?.proxyGrad;
    if (!proxy) return lower;
    const direction = typeof proxy === 'function' ? proxy(withDefaults(node)) : 1;
    // these attributes leave the true gradient pointing the right way
    if (direction === 0) return lower;
    return (inputs) => {
      const present = inputs.filter((t): t is tfjs.Tensor => t !== undefined && t.dtype === 'float32');
      if (present.length === 0) return lower(inputs);
      const body = (...args: unknown[]): { value: tfjs.Tensor; gradFunc: (dy: tfjs.Tensor) => tfjs.Tensor[] } => {
        // customGrad passes a `save` function after the tensors
        const xs = args.slice(0, present.length) as tfjs.Tensor[];
        let k = 0;
        const value = lower(inputs.map((t) => (t !== undefined && t.dtype === 'float32' ? xs[k++]! : t)))[0]!;
        const g = direction === 1 ? (dy: tfjs.Tensor): tfjs.Tensor => dy : (dy: tfjs.Tensor): tfjs.Tensor => tf.mul(dy, direction);
        return { value, gradFunc: (dy) => xs.map((a) => reduceTo(tf, g(dy), a.shape)) };
      };
      const f = tf.customGrad(body as unknown as Parameters<TF['customGrad']>[0]);
      return [f(...present)];
    };
  };
}

/** A searchable leaf: a graph input or a weight (constants are part of the graph's meaning and never move). */
interface Leaf {
  readonly name: string;
  readonly type: TensorType;
  readonly isInput: boolean;
  /** What it is drawn within: its readers' constraints, narrowed by hints for the gradient search. */
  readonly draw: readonly Constraint[];
  /** Where a gradient step may take it: its readers' own constraints only, over a wide range. */
  readonly lo: number;
  readonly hi: number;
}

/** Adam moments of one leaf, reset whenever the leaf is redrawn. */
interface Moments {
  m: Float64Array;
  v: Float64Array;
  t: number;
}

/** Mutable search state: current leaf values. */
class State {
  constructor(
    readonly graph: Graph,
    readonly values: Map<string, Float64Array>,
  ) {}

  clone(): State {
    return new State(this.graph, new Map(this.values));
  }

  /** The graph with the current weight values and the feeds for its inputs. */
  materialise(leaves: ReadonlyMap<string, Leaf>): { graph: Graph; feeds: Record<string, Tensor> } {
    const feeds: Record<string, Tensor> = {};
    for (const i of this.graph.inputs) feeds[i.name] = { dtype: i.dtype, shape: [...i.shape], data: this.values.get(i.name)! };
    const initializers = this.graph.initializers.map((i): Initializer => {
      const v = leaves.has(i.name) ? this.values.get(i.name) : undefined;
      return v ? { ...i, data: Array.from(v) } : i;
    });
    return { graph: { ...this.graph, initializers }, feeds };
  }
}

/**
 * How far from valid an evaluation is, compared lexicographically: the first offending node as late as possible
 * (instability counts as later than any domain violation: every domain already holds), then the fewest offending
 * elements there, then the smallest total distance outside the domain.
 */
interface Score {
  readonly at: number;
  readonly count: number;
  readonly dist: number;
}

function better(a: Score, b: Score): boolean {
  if (a.at !== b.at) return a.at > b.at;
  if (a.count !== b.count) return a.count < b.count;
  return a.dist < b.dist;
}

function distance(c: Constraint, v: number): number {
  if (Number.isNaN(v)) return 1e6;
  switch (c.rel) {
    case 'gt':
    case 'ge':
      return Math.min(1e6, c.value - v);
    case 'lt':
    case 'le':
      return Math.min(1e6, v - c.value);
    case 'abs-le':
      return Math.min(1e6, Math.abs(v) - c.value);
    case 'abs-ge':
      // in orders of magnitude: a divisor that is a product of many factors climbs from 1e-8 toward 1e-3 by factors,
      // and each of them is progress
      return Math.log(c.value / Math.max(Math.abs(v), 1e-300));
  }
}

interface Evaluation {
  readonly violation?: Violation;
  readonly score: Score;
  /** Flat indices of the offending elements (in the tensor the violation is about) and that tensor's size. */
  readonly offending: readonly number[];
  readonly size: number;
  /** The tensor the offending indices are about. */
  readonly tensor?: string;
}

/**
 * How far an unstable node's inputs are from clearing its discontinuity: its stability loss on the reference's values
 * (0 without tfjs or a loss for the operator). Steps that widen an ArgMax gap or move a Floor's input off an integer are
 * progress even while the same elements still move.
 */
function instability(tf: TF | undefined, v: Violation, env: ReadonlyMap<string, Tensor>): number {
  if (!tf || !STABILISED.has(v.node.op)) return 0;
  let dist = 0;
  tf.tidy(() => {
    const ins = v.node.inputs.map((x) => {
      const t = x === '' ? undefined : env.get(x);
      if (!t) return undefined;
      const data = isFloat(t.dtype) ? Float32Array.from(t.data) : Int32Array.from(t.data);
      return tf.tensor(data, [...t.shape], isFloat(t.dtype) ? 'float32' : 'int32');
    });
    const st = stabilityLoss(tf, v.node, ins, v.moved ?? []);
    const d = st ? st.dataSync()[0]! : 0;
    dist = Number.isFinite(d) ? d : 0;
  });
  return dist;
}

function evaluate(state: State, leaves: ReadonlyMap<string, Leaf>, tf?: TF): Evaluation {
  const { graph, feeds } = state.materialise(leaves);
  const { violation: v, env } = firstViolation(graph, feeds);
  const n = graph.nodes.length;
  if (!v) return { score: { at: 2 * n + 1, count: 0, dist: 0 }, offending: [], size: 0 };
  if (v.unstable) {
    const moved = v.moved ?? [];
    const size = v.node.outputs.reduce((m, o) => Math.max(m, env.get(o)?.data.length ?? 0), 0);
    const dist = instability(tf, v, env);
    return { violation: v, score: { at: n + v.nodeIndex, count: Math.max(1, moved.length), dist }, offending: moved, size, tensor: v.node.outputs[0] };
  }
  let count = 0;
  let dist = 0;
  let size = 0;
  const offending = new Set<number>();
  let tensor: string | undefined;
  for (const c of v.constraints) {
    const t = env.get(v.node.inputs[c.input]!);
    if (!t) continue;
    size = Math.max(size, t.data.length);
    t.data.forEach((x, k) => {
      if (holds(c, x)) return;
      count++;
      dist += distance(c, x);
      offending.add(k);
      tensor ??= v.node.inputs[c.input];
    });
  }
  if (v.constraints.length === 0) {
    for (const o of v.node.outputs) {
      const t = env.get(o);
      if (!t) continue;
      size = Math.max(size, t.data.length);
      t.data.forEach((x, k) => {
        if (Math.abs(x) < 1e30) return;
        count++;
        offending.add(k);
        tensor ??= o;
      });
    }
  }
  return { violation: v, score: { at: v.nodeIndex, count, dist }, offending: [...offending], size, ...(tensor ? { tensor } : {}) };
}

/** The float leaves a gradient can move, given the violation. */
function floatLeavesFeeding(graph: Graph, leaves: ReadonlyMap<string, Leaf>, v: Violation): Leaf[] {
  return [...upstreamLeaves(graph, v.node)].flatMap((name) => {
    const l = leaves.get(name);
    return l && isFloat(l.type.dtype) ? [l] : [];
  });
}

/**
 * Frees what tfjs keeps when a gradient computation throws (an operator without a gradient, a missing loss): the
 * tensors its tape saved for the backward pass stay kept and the tape stays set, so every failed step leaked them
 * (20,000 tensors and 57 MB of heap after 3,000 searches; a campaign's memory and pace drifted with it).
 */
function releaseTape(tf: TF): void {
  const state = (tf.engine() as unknown as { state: { gradientDepth: number; activeTape: { saved?: tfjs.Tensor[] }[] | null } }).state;
  if (state.gradientDepth !== 0 || !state.activeTape) return;
  for (const node of state.activeTape) for (const t of node.saved ?? []) t.dispose();
  state.activeTape = null;
}

/**
 * One Adam step on the float leaves upstream of the violation, minimising the domain violations of every node up
 * to it (fixing one node must not break an earlier one). Returns the moved state, or undefined when no useful
 * gradient exists (a lowering is missing, tfjs has no gradient for an operator on the path, or it vanishes).
 */
function gradientStep(
  tf: TF,
  state: State,
  leaves: ReadonlyMap<string, Leaf>,
  moments: Map<string, Moments>,
  v: Violation,
  lr: number,
  frozen: ReadonlySet<string>,
  guarded = false,
): State | undefined {
  const movable = floatLeavesFeeding(state.graph, leaves, v).filter((l) => !frozen.has(l.name));
  if (movable.length === 0) return undefined;
  const { graph: current, feeds } = state.materialise(leaves);
  const typeOf = new Map([...current.inputs, ...current.initializers, ...current.valueInfo, ...current.outputs].map((t) => [t.name, t]));
  const grads = new Map<string, Float32Array>();
  try {
    tf.tidy(() => {
      const env = leafTensors(tf, current, feeds);
      const vars = movable.map((l) => tf.variable(env.get(l.name)!.toFloat(), true, `search_${l.name}_${variableNo++}`));
      try {
        const { value, grads: g } = tf.variableGrads(() => {
          const local = new Map(env);
          movable.forEach((l, i) => local.set(l.name, vars[i]!));
          evalTfjsNodes(tf, current, current.nodes.slice(0, v.nodeIndex), local, proxyWrap(tf));
          let loss: tfjs.Tensor = tf.scalar(0);
          for (const [k, n] of current.nodes.slice(0, v.nodeIndex + 1).entries()) {
            const ins = n.inputs.map((x) => (x === '' ? undefined : local.get(x)));
            const types = n.inputs.map((x) => (x === '' ? undefined : typeOf.get(x)));
            const guard = guarded && k < v.nodeIndex;
            for (const c of nodeConstraints(n, types)) {
              const t = ins[c.input];
              if (t && t.dtype === 'float32') loss = tf.add(loss, tf.sum(constraintLoss(tf, c, t, guard ? GUARD : 1)));
            }
          }
          if (v.unstable) {
            const ins = v.node.inputs.map((x) => (x === '' ? undefined : local.get(x)));
            const st = stabilityLoss(tf, v.node, ins, v.moved ?? []);
            // without one (an input type or form it does not cover), a step has nothing to aim at
            if (!st) throw new Error(`no stability loss for ${v.node.op}`);
            loss = tf.add(loss, st);
          } else if (v.constraints.length === 0) {
            // an overflow with no declared domain: pull the node's float inputs toward moderate magnitudes
            for (const x of v.node.inputs) {
              const t = x === '' ? undefined : local.get(x);
              if (t && t.dtype === 'float32') loss = tf.add(loss, tf.mean(tf.square(t)));
            }
          }
          return loss as tfjs.Scalar;
        }, vars);
        if (!Number.isFinite(value.dataSync()[0]!)) return;
        movable.forEach((l, i) => {
          const gi = g[vars[i]!.name];
          if (gi) grads.set(l.name, gi.dataSync() as Float32Array);
        });
      } finally {
        for (const x of vars) x.dispose();
      }
    });
  } catch {
    releaseTape(tf);
    return undefined;
  }
  const next = state.clone();
  let moved = false;
  const b1 = 0.8;
  const b2 = 0.95;
  for (const l of movable) {
    const g = grads.get(l.name);
    if (!g || !g.some((x) => Number.isFinite(x) && x !== 0)) continue;
    const cur = state.values.get(l.name)!;
    let mo = moments.get(l.name);
    if (!mo || mo.m.length !== cur.length) {
      mo = { m: new Float64Array(cur.length), v: new Float64Array(cur.length), t: 0 };
      moments.set(l.name, mo);
    }
    mo.t++;
    const c1 = 1 - Math.pow(b1, mo.t);
    const c2 = 1 - Math.pow(b2, mo.t);
    const out = new Float64Array(cur.length);
    for (let k = 0; k < cur.length; k++) {
      const gk = Number.isFinite(g[k]!) ? g[k]! : 0;
      mo.m[k] = b1 * mo.m[k]! + (1 - b1) * gk;
      mo.v[k] = b2 * mo.v[k]! + (1 - b2) * gk * gk;
      const step = mo.v[k]! > 0 ? (lr * (mo.m[k]! / c1)) / (Math.sqrt(mo.v[k]! / c2) + 1e-12) : 0;
      out[k] = castValue(Math.min(Math.max(cur[k]! - step, l.lo), l.hi), l.type.dtype);
    }
    next.values.set(l.name, out);
    moved = true;
  }
  return moved ? next : undefined;
}

/** Leaf element maps (leafIndexMap) by leaf and offending tensor, computed once per search. */
type IndexMaps = Map<string, Int32Array | null>;

/**
 * Redraws part of one leaf feeding the violation. Mostly the elements at the offending positions: the element of the
 * leaf each offending element reads (leafIndexMap: through broadcasts, copies and reduction lanes), or where that is
 * not known, the same flat index modulo the leaf's size (right along elementwise paths and reshapes). Otherwise a
 * single element, a share of them, or all of them.
 */
function mutate(
  rng: fc.Random,
  state: State,
  leaves: ReadonlyMap<string, Leaf>,
  e: Evaluation,
  moments: Map<string, Moments>,
  maps: IndexMaps,
  only: (l: Leaf) => boolean = () => true,
): State | undefined {
  const candidates = [...upstreamLeaves(state.graph, e.violation!.node)].flatMap((name) => leaves.get(name) ?? []).filter(only);
  if (candidates.length === 0) return undefined;
  // a leaf the size of the offending tensor most likely maps onto it element for element: three times the chance
  const weight = (l: Leaf): number => (e.offending.length > 0 && numel(l.type.shape) === e.size ? 3 : 1);
  let pick = rng.nextInt(0, candidates.reduce((s, l) => s + weight(l), 0) - 1);
  const leaf = candidates.find((l) => (pick -= weight(l)) < 0)!;
  const cur = state.values.get(leaf.name)!;
  const drawn = sampleTensor(rng, leaf.type, leaf.draw).data;
  // whole numbers also step one toward zero instead of a redraw, a third of the time: sums of their magnitudes or
  // squares (a ReduceL2 as Pow's exponent, which must stay within 4) shrink step by step where redraws rarely land
  const shrink = leaf.type.dtype !== 'bool' && !isFloat(leaf.type.dtype) && rng.nextInt(0, 2) === 0;
  const fresh = shrink ? cur.map((v) => Math.min(Math.max(v - Math.sign(v), leaf.lo), leaf.hi)) : drawn;
  const n = cur.length;
  const out = Float64Array.from(cur);
  let changed = 0;
  const mode = rng.nextInt(0, 5);
  const map = mode < 3 && e.tensor ? indexMap(state, leaf.name, e.tensor, maps) : undefined;
  if (map) {
    for (const k of e.offending) {
      const i = (map[k] ?? 0) - 1;
      if (i < 0) continue;
      out[i] = fresh[i]!;
      changed++;
    }
  } else if (mode < 3 && e.offending.length > 0 && n <= e.size) {
    for (const k of e.offending) {
      out[k % n] = fresh[k % n]!;
      changed++;
    }
  } else {
    // small changes keep most of what earlier steps achieved; a full redraw escapes a bad region
    const share = mode === 3 ? 1 / Math.max(1, n) : mode === 4 ? 0.2 : 1;
    for (let k = 0; k < n; k++) {
      if (share < 1 && rng.nextDouble() >= share) continue;
      out[k] = fresh[k]!;
      changed++;
    }
  }
  if (changed === 0 && n > 0) {
    const k = rng.nextInt(0, n - 1);
    out[k] = fresh[k]!;
  }
  const next = state.clone();
  next.values.set(leaf.name, out);
  moments.delete(leaf.name);
  return next;
}

function indexMap(state: State, leaf: string, tensor: string, maps: IndexMaps): Int32Array | undefined {
  const key = `${leaf}\u0000${tensor}`;
  let m = maps.get(key);
  if (m === undefined) {
    const g = state.graph;
    const types = new Map([...g.inputs, ...g.initializers, ...g.valueInfo, ...g.outputs].map((t) => [t.name, t]));
    m = leafIndexMap(g, types, leaf, tensor) ?? null;
    maps.set(key, m);
  }
  return m ?? undefined;
}

/** Sampling: redraws every leaf feeding the violation. */
function resample(rng: fc.Random, state: State, leaves: ReadonlyMap<string, Leaf>, v: Violation): State {
  const targets = upstreamLeaves(state.graph, v.node);
  const next = state.clone();
  for (const l of leaves.values()) if (targets.has(l.name)) next.values.set(l.name, sampleTensor(rng, l.type, l.draw).data);
  return next;
}

function describe(v: Violation): string {
  if (v.unstable) return 'values at a discontinuity (unstable under float32 rounding)';
  if (v.constraints.length > 0) return `domain ${v.constraints.map((c) => `input ${c.input} ${c.rel} ${c.value}`).join(', ')}`;
  return 'non-finite output';
}

function searchableLeaves(graph: Graph, hinted: boolean): Map<string, Leaf> {
  const own = leafConstraints(graph);
  const draw = hinted ? leafHints(graph) : own;
  const needs = hinted ? leafNeeds(graph) : new Map<string, readonly [number, number]>();
  const leaves = new Map<string, Leaf>();
  const add = (t: TensorType & { name: string }, isInput: boolean): void => {
    const c = own.get(t.name) ?? [];
    const iv = intervalFor(t.dtype, c);
    const base = intervalFor(t.dtype, []);
    const need = needs.get(t.name);
    // intervalFor caps at the sampling range; only the readers' own bounds, and what the graph downstream proves the
    // leaf must hold, limit a gradient step
    const lo = representable(Math.max(iv.lo > base.lo ? iv.lo : -STEP_LIMIT, need?.[0] ?? -Infinity), t.dtype, 1);
    const hi = representable(Math.min(iv.hi < base.hi ? iv.hi : STEP_LIMIT, need?.[1] ?? Infinity), t.dtype, -1);
    let d = draw.get(t.name) ?? c;
    if (need) {
      const bounds: Omit<DomainConstraint, 'input'>[] = [];
      if (need[0] > -Infinity) bounds.push({ rel: 'ge', value: lo });
      if (need[1] < Infinity) bounds.push({ rel: 'le', value: hi });
      const h = intervalFor(t.dtype, d);
      // hints that leave what the leaf must hold give way to it, as do hints that only touch it (a hint of (0, 0.5]
      // against a need of [0.5, 80] would pin the leaf to 0.5, where Round's tie to even gives the 0 a Reciprocal
      // after it cannot take), unless the need is one value
      d = (lo < hi ? h.lo < hi && h.hi > lo : h.lo <= hi && h.hi >= lo) ? [...d, ...bounds] : [...c, ...bounds];
    }
    leaves.set(t.name, { name: t.name, type: t, isInput, draw: d, lo: Math.min(lo, hi), hi });
  };
  for (const i of graph.inputs) add(i, true);
  for (const w of graph.initializers) if (w.kind === 'weight') add(w, false);
  return leaves;
}

/**
 * The value of `dtype` nearest `x` on the side `toward` points to (a bound of 0.999 is 0.99900001 in float32,
 * outside the domain it came from).
 */
function representable(x: number, dtype: TensorType['dtype'], toward: 1 | -1): number {
  if (dtype !== 'float32' || !Number.isFinite(x)) return x;
  const f = Math.fround(x);
  if (f === x || (toward > 0 ? f > x : f < x)) return f;
  const bits = new Float32Array([f]);
  const u = new Int32Array(bits.buffer);
  // one ulp further in the direction wanted: integer steps of the bit pattern, whose sign flips the direction
  u[0] = u[0]! + ((f > 0) === toward > 0 ? 1 : -1);
  return bits[0]!;
}

/** Whether every element lies within the interval the leaf is drawn from. */
function withinDraw(leaf: Leaf, data: ArrayLike<number>): boolean {
  const iv = intervalFor(leaf.type.dtype, leaf.draw);
  for (let k = 0; k < data.length; k++) {
    const x = data[k]!;
    if (x < iv.lo || x > iv.hi || Math.abs(x) < iv.gap) return false;
  }
  return true;
}

/**
 * Searches values for `graph`'s inputs and weights. `tf` is a tfjs module with gradients registered
 * (see loadSearchTf); without it, or with method 'sampling', only resampling is used.
 */
export function searchInputs(graph: Graph, seed: number, tf: TF | undefined, o: SearchOptions = {}): SearchResult {
  const t0 = performance.now();
  const method: SearchMethod = o.method ?? (tf ? 'gradient' : 'sampling');
  const gradient = method === 'gradient';
  // the search differentiates on tfjs-cpu; another tfjs backend loaded in this process must not take over
  if (tf && tf.getBackend() !== 'cpu') void tf.setBackend('cpu');
  const maxIterations = o.maxIterations ?? 256;
  const rng = randomFromSeed(seed ^ 0x5eed);
  const leaves = searchableLeaves(graph, gradient);
  // the gradient search measures how far an unstable node is from stable; sampling only counts
  const scorer = gradient ? tf : undefined;
  const draw = (restart: boolean): State => {
    const values = new Map<string, Float64Array>();
    for (const l of leaves.values()) {
      if (l.isInput || restart) values.set(l.name, sampleTensor(rng, l.type, l.draw).data);
      else {
        const w = graph.initializers.find((i) => i.name === l.name)!;
        // the generated weight stands unless the hints downstream rule it out
        values.set(l.name, gradient && !withinDraw(l, w.data) ? sampleTensor(rng, l.type, l.draw).data : Float64Array.from(w.data));
      }
    }
    return new State(graph, values);
  };
  let state = draw(false);
  let cur = evaluate(state, leaves, scorer);
  // the best state of every run so far (what a failed search returns), and when the current run last beat its own
  let kept = { state, cur };
  let runBest = cur.score;
  let gainAt = 0;
  const moments = new Map<string, Moments>();
  const maps: IndexMaps = new Map();
  const lr0 = o.learningRate ?? 0.5;
  let lr = lr0;
  let stall = 0;
  let plateau = 0;
  // the node the search is at and since when (slow progress there lets discrete leaves be redrawn)
  let nodeAt = cur.score.at;
  let nodeSince = 0;
  // leaves a step must leave alone: moving them broke a node before the offending one
  const frozen = new Set<string>();
  // the next step keeps clear of the bounds of nodes before the offending one (a step just broke one)
  let guarded = false;
  let sinceGradient = 0;
  let fallbacks = 0;
  // the fewest offending elements and the least distance seen at the current node, each on its own: a step that
  // beats neither is no progress, however the two trade (oscillating around a plateau is a stall)
  let best = cur.score;
  const progress = (s: Score): boolean => s.at > best.at || (s.at === best.at && (s.count < best.count || s.dist < 0.98 * best.dist));
  // a step that broke an earlier node, with nothing left to hold still: every leaf may move again, at half the step
  const failedStep = (): void => {
    frozen.clear();
    stall++;
    lr = Math.max(lr * 0.5, 0.02);
  };
  const record = (s: Score): void => {
    best = s.at > best.at ? s : { at: s.at, count: Math.min(s.count, best.count), dist: Math.min(s.dist, best.dist) };
  };
  let it = 1;
  for (; it < maxIterations && cur.violation; it++) {
    if (better(cur.score, kept.cur.score)) kept = { state, cur };
    if (better(cur.score, runBest)) {
      runBest = cur.score;
      gainAt = it;
    }
    // a run that has stopped improving starts over, while enough budget is left for a new one to get somewhere
    if (gradient && it - gainAt >= RESTART && maxIterations - it >= RESTART / 2) {
      state = draw(true);
      cur = evaluate(state, leaves, scorer);
      moments.clear();
      lr = lr0;
      stall = 0;
      frozen.clear();
      sinceGradient = 0;
      best = cur.score;
      runBest = cur.score;
      gainAt = it;
      continue;
    }
    const v = cur.violation;
    if (!gradient) {
      state = resample(rng, state, leaves, v);
      cur = evaluate(state, leaves, scorer);
      continue;
    }
    if (cur.score.at !== nodeAt) {
      nodeAt = cur.score.at;
      nodeSince = it;
    }
    // a gradient that keeps making progress at one node for long may be closing in on a bound it never reaches (a
    // Sigmoid toward 1 for Acosh) while a leaf no gradient reaches decides the matter (Where's condition): every few
    // steps, such a leaf gets a redraw
    const slow = it - nodeSince >= SLOW && (it - nodeSince) % 4 === 0;
    const discrete = slow ? mutate(rng, state, leaves, cur, moments, maps, (l) => !isFloat(l.type.dtype)) : undefined;
    if (discrete) {
      const next = evaluate(discrete, leaves, scorer);
      if (better(next.score, cur.score)) {
        record(next.score);
        state = discrete;
        cur = next;
      }
      continue;
    }
    const stepped = (!v.unstable || STABILISED.has(v.node.op)) && stall < STALL && tf ? gradientStep(tf, state, leaves, moments, v, lr, frozen, guarded) : undefined;
    if (stepped) {
      const next = evaluate(stepped, leaves, scorer);
      // a step may trade elements at the node for distance, but never an earlier node for this one
      if (next.score.at >= cur.score.at) {
        // fewer offending elements or less distance than the best seen at this node (either alone counts: a scale
        // shrinking every product at once may bring all closer while more cross the bound)
        const moved = progress(next.score);
        const flat = !moved && next.score.at === cur.score.at && next.score.count === cur.score.count && next.score.dist === cur.score.dist;
        plateau = flat ? plateau + 1 : 0;
        const crossing = flat && plateau <= PLATEAU;
        stall = moved || crossing ? 0 : stall + 1;
        if (next.score.at > cur.score.at) {
          // a new node to fix: fresh step size and moments
          lr = lr0;
          moments.clear();
        } else if (!moved && !crossing) lr = Math.max(lr * 0.7, 0.02);
        record(next.score);
        // held for one step only: the next one may need them
        frozen.clear();
        guarded = false;
        state = stepped;
        cur = next;
      } else {
        // the step broke an earlier node: first a step that keeps clear of the earlier bounds (GUARD), then the
        // leaves feeding that node hold still while the others try again (a scale that only the offending node reads
        // fixes it without touching what an earlier domain needs)
        if (!guarded) {
          guarded = true;
          continue;
        }
        const before = frozen.size;
        const feeding = upstreamLeaves(state.graph, next.violation!.node);
        const open = floatLeavesFeeding(state.graph, leaves, v).filter((l) => !frozen.has(l.name));
        if (open.some((l) => !feeding.has(l.name))) for (const l of feeding) frozen.add(l);
        else if (open.length > 1) {
          // every leaf left feeds the broken node too: the one with the fewest elements holds still (a bias broadcast
          // over a whole column moves every element of it at once; the elements on their own can move apart)
          frozen.add(open.reduce((a, b) => (numel(b.type.shape) < numel(a.type.shape) ? b : a)).name);
        }
        if (frozen.size === before) failedStep();
      }
      continue;
    }
    fallbacks++;
    // the leaves left movable had no gradient: the step that broke an earlier node failed after all, and the next one
    // may move every leaf again
    if (frozen.size > 0) failedStep();
    if (stall >= STALL && (!v.unstable || STABILISED.has(v.node.op))) {
      // every few mutations, the gradient gets another chance from where they left the values (a plateau of rounded
      // values, or a step size decayed too far, is not a dead end)
      if (++sinceGradient >= RETRY) {
        sinceGradient = 0;
        frozen.clear();
        stall = STALL - 2;
        lr = lr0 / 2;
        moments.clear();
      }
    }
    const mutated = mutate(rng, state, leaves, cur, moments, maps);
    if (!mutated) break;
    const next = evaluate(mutated, leaves, scorer);
    if (!better(cur.score, next.score)) {
      if (better(next.score, cur.score)) {
        stall = 0;
        lr = lr0;
      }
      record(next.score);
      state = mutated;
      cur = next;
    }
  }
  // a failure reports the best any run reached
  if (cur.violation && better(kept.cur.score, cur.score)) ({ state, cur } = kept);
  const { graph: searched, feeds } = state.materialise(leaves);
  const ms = performance.now() - t0;
  if (!cur.violation) return { ok: true, method, iterations: it, fallbacks, ms, graph: searched, feeds };
  const last = cur.violation;
  return {
    ok: false,
    method,
    iterations: it,
    fallbacks,
    ms,
    graph: searched,
    feeds,
    failure: { node: last.node.name, op: last.node.op, reason: describe(last) },
  };
}

let searchTf: Promise<TF> | undefined;

/** tfjs on its CPU backend with every gradient registered (the union package registers them). */
export function loadSearchTf(): Promise<TF> {
  searchTf ??= (async () => {
    const tf = (await import('@tensorflow/tfjs-core')) as TF;
    await import('@tensorflow/tfjs-backend-cpu');
    await import('@tensorflow/tfjs');
    await tf.setBackend('cpu');
    return tf;
  })();
  return searchTf;
}
