/**
 * Structural ties: elements that hold the same value whatever the graph's inputs and weights hold, because the graph
 * computes them the same way from the same elements (an Expand of a scalar, a Softmax of a lane of such copies, a
 * Tile). Interval and known-value reasoning cannot see them: the values are unknown, only their equality is fixed.
 *
 * An ArgMax or ArgMin lane whose elements all tie picks its first (or last) index in the reference, and the stability
 * check (search/violations.ts) asks whether the rounding a backend may do changes that. Where some operator between the
 * copying and the ArgMax rounds by position (perturbOutput: a transcendental kernel's vectorised body and tail round
 * equal inputs differently), the perturbed values of the lane differ and the tie breaks elsewhere: no input or weight
 * value helps, so the graph is infeasible. Ties that only copies and operators that round once lie on stay ties.
 * Comparisons of floats tie the same way: x against a CumSum of x along an axis of one element, a bias against a
 * LayerNormalization of one-element lanes (which gives that bias), compared element by element.
 *
 * The perturbation leaves whole numbers alone, which a saturated kernel can give (Sigmoid's 1): graphs whose ties only
 * such values would keep are given up too.
 *
 * Every element gets two value numbers (hash-consed keys of how it is computed): `u` for the exact evaluation and `p`
 * for the perturbed one, which also keys on the output position's class (positionClass) wherever perturbOutput does. Equal numbers
 * mean equal values; different numbers say nothing (every unknown operator gives fresh numbers).
 */
import type { Graph, Initializer, Node, Tensor, TensorType } from '../src/ir/index.js';
import { broadcastIndex, isFloat, normAxis, numel } from '../src/ir/index.js';
import { keepsZeros, nodeRoundsNothing, positionClass, ROUNDED_ONCE, withDefaults } from '../src/reference/interpreter.js';
import { scatter } from './known.js';
import { findOp } from './ops/index.js';
import { ELEMENTWISE_MAPS, integralTensors } from './ops/ranges.js';
import { reducedAxes } from './ops/reduce.js';

/**
 * Value numbers of every element of one tensor, exact and perturbed. `distinct`: every element has a number of its own
 * that only copies share (a leaf, or what an elementwise operator computes from such tensors of its own shape), so the
 * pass need not key each element (the costly part): operators give such outputs fresh numbers. It misses only ties
 * between two nodes that compute the same thing from the same elements.
 */
interface Numbers {
  readonly u: Int32Array;
  readonly p: Int32Array;
  readonly distinct?: boolean;
}

/** Operators whose outputs only copy elements of their data inputs (Concat: every input; the rest: input 0). */
export const MOVES: ReadonlySet<string> = new Set([
  'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Transpose', 'Expand', 'Tile', 'Concat', 'Split', 'Slice', 'Gather',
  'Identity', 'Resize',
]);

/** Operators computing one value per lane of the reduced axes (keepdims or not, the output order is the lanes'). */
export const LANE_REDUCTIONS: ReadonlySet<string> = new Set([
  'ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum',
  'ReduceLogSumExp', 'ReduceSumSquare', 'ArgMax', 'ArgMin', 'GlobalAveragePool', 'GlobalMaxPool',
]);

/** Elementwise operators of any number of inputs, which copy a single one. */
const VARIADIC: ReadonlySet<string> = new Set(['Sum', 'Mean', 'Max', 'Min']);

/** Reductions that give the element itself over a lane of one. */
const COPYING_ONE: ReadonlySet<string> = new Set([
  'ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'GlobalAveragePool', 'GlobalMaxPool',
]);

/** Fresh numbers start here, above any interned one, and stay below 2^24 (whole numbers float32 kernels keep). */
const FRESH = 2 ** 23;

class Numbering {
  private readonly ids = new Map<string, number>();
  private next = FRESH;

  intern(key: string): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.ids.size + 1;
      this.ids.set(key, id);
    }
    return id;
  }

  /** The number of a constant value (an initializer's element, an exact 0 an operator writes). */
  constant(v: number): number {
    return this.intern(`k${v}`);
  }

  /** Numbers shared with nothing else. */
  fresh(n: number): Numbers {
    const u = new Int32Array(n);
    for (let k = 0; k < n; k++) u[k] = this.next++;
    return { u, p: u, distinct: true };
  }
}

/** Flat indices of each lane over `axes` of `shape`, lanes in the order of the positions left. */
export function lanesOf(shape: readonly number[], axes: readonly number[]): number[][] {
  const n = numel(shape);
  const rank = shape.length;
  const keptStride = new Array<number>(rank).fill(0);
  let s = 1;
  for (let a = rank - 1; a >= 0; a--) {
    if (axes.includes(a)) continue;
    keptStride[a] = s;
    s *= shape[a]!;
  }
  const lanes: number[][] = Array.from({ length: s }, () => []);
  const idx = new Array<number>(rank).fill(0);
  for (let k = 0; k < n; k++) {
    let l = 0;
    for (let a = 0; a < rank; a++) l += idx[a]! * keptStride[a]!;
    lanes[l]!.push(k);
    for (let a = rank - 1; a >= 0; a--) {
      if (++idx[a]! < shape[a]!) break;
      idx[a] = 0;
    }
  }
  return lanes;
}

/**
 * Where each output element of a copying operator (MOVES) comes from: its own kernel runs once on 1-based indices into
 * its data inputs taken one after the other (Concat: all of them; the rest: input 0), so an output element holding k
 * copies element k - 1 of that concatenation (0: none). Shapes, indices and axes must be constants; a Resize that is
 * not nearest-neighbour, or that writes an extrapolation value, copies nothing. Undefined when it cannot tell.
 */
export function copySources(
  node: Node,
  opset: number,
  types: ReadonlyMap<string, TensorType>,
  constants: ReadonlyMap<string, Initializer>,
): Int32Array[] | undefined {
  const spec = findOp(node.op);
  if (!spec || !MOVES.has(node.op)) return undefined;
  const attrs = withDefaults(node);
  if (node.op === 'Resize' && ((attrs['mode'] ?? 'nearest') !== 'nearest' || attrs['coordinate_transformation_mode'] === 'tf_crop_and_resize')) {
    return undefined;
  }
  const args: (Tensor | undefined)[] = [];
  let offset = 0;
  for (const [i, x] of node.inputs.entries()) {
    const t = types.get(x);
    if (x === '' || !t) {
      args.push(undefined);
      continue;
    }
    if (node.op === 'Concat' || i === 0) {
      // indices are small whole numbers, which float and integer kernels copy as they are (bool ones would not)
      const data = Float64Array.from({ length: numel(t.shape) }, (_, k) => offset + k + 1);
      offset += data.length;
      args.push({ dtype: t.dtype === 'bool' ? 'int32' : t.dtype, shape: [...t.shape], data });
      continue;
    }
    const c = constants.get(x);
    if (!c) return undefined;
    args.push({ dtype: c.dtype, shape: [...c.shape], data: Float64Array.from(c.data) });
  }
  return spec.reference(args, attrs, opset, node.outputs.length).map((t) => Int32Array.from(t.data, (v) => (Number.isInteger(v) && v > 0 ? v : 0)));
}

/**
 * The axes a LANE_REDUCTIONS node reduces over an input of `rank` (ArgMax/ArgMin: its axis; a global pool: the spatial
 * ones); undefined when unknown.
 */
export function laneAxes(node: Node, rank: number, constants: ReadonlyMap<string, Initializer>): readonly number[] | undefined {
  const attrs = withDefaults(node);
  if (node.op === 'ArgMax' || node.op === 'ArgMin') return [normAxis((attrs['axis'] as number | undefined) ?? 0, rank)];
  // every spatial axis, past batch and channel
  if (node.op === 'GlobalAveragePool' || node.op === 'GlobalMaxPool') return rank < 3 ? undefined : Array.from({ length: rank - 2 }, (_, i) => i + 2);
  const a = node.inputs[1] ? constants.get(node.inputs[1]) : undefined;
  if (node.inputs[1] && !a) return undefined;
  const axes = reducedAxes(node.op, rank, a ? { dtype: a.dtype, shape: [...a.shape], data: a.data } : undefined, attrs);
  return axes === null || typeof axes === 'string' ? undefined : axes;
}

/** Whether the elements of `lane` all have the same number. */
function same(lane: readonly number[], ids: Int32Array): boolean {
  return lane.every((k) => ids[k] === ids[lane[0]!]);
}

/** Whether `node` sums or averages whole lanes of the Softmax `p` (each lane sums to one). */
function softmaxSum(node: Node, axes: readonly number[], p: Node | undefined, rank: number): boolean {
  if (!p || p.op !== 'Softmax' || !['ReduceSum', 'ReduceMean', 'ReduceL1'].includes(node.op)) return false;
  const a = ((((withDefaults(p)['axis'] as number | undefined) ?? -1) % rank) + rank) % rank;
  return axes.includes(a);
}

/**
 * Whether the perturbed evaluation moves the elements of `node`'s output by position (perturbOutput): float outputs
 * of operators that are neither exact nor round once, unless they hold whole numbers (which it leaves).
 */
function byPosition(node: Node, out: TensorType, integral: ReadonlySet<string>, types: ReadonlyMap<string, TensorType>): boolean {
  return isFloat(out.dtype) && !nodeRoundsNothing(node, types) && !ROUNDED_ONCE.has(node.op) && !integral.has(node.outputs[0] ?? '');
}

/**
 * Why some ArgMax or ArgMin lane ties whatever the inputs and weights hold, in a way the stability check's rounding
 * breaks (see the file comment); undefined when none provably does.
 */
export function structuralTie(graph: Graph, types: ReadonlyMap<string, TensorType>, bounds?: ReadonlyMap<string, readonly [number, number]>): string | undefined {
  const floatIn = (n: Node): boolean => isFloat(types.get(n.inputs[0] ?? '')?.dtype ?? 'bool');
  const lanes = graph.nodes.filter((n) => (n.op === 'ArgMax' || n.op === 'ArgMin') && floatIn(n));
  const pairs = graph.nodes.filter((n) => COMPARISONS.has(n.op) && floatIn(n));
  const targets = [...lanes, ...(pairs.length > 0 ? pairs.filter(sharedSource(graph)) : [])];
  if (targets.length === 0) return undefined;
  // only what feeds an ArgMax, an ArgMin or a comparison matters
  const producer = new Map(graph.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  const needed = new Set<Node>();
  const stack = [...targets];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (needed.has(n)) continue;
    needed.add(n);
    for (const i of n.inputs) {
      const p = producer.get(i);
      if (p) stack.push(p);
    }
  }
  const numbering = new Numbering();
  const integral = integralTensors(graph, types);
  const env = new Map<string, Numbers>();
  const constants = new Map(graph.initializers.filter((c) => c.kind === 'constant').map((c) => [c.name, c]));
  for (const c of constants.values()) {
    const u = Int32Array.from(c.data, (v) => numbering.constant(v));
    env.set(c.name, { u, p: u });
  }
  const of = (name: string): Numbers | undefined => {
    if (name === '') return undefined;
    let x = env.get(name);
    if (!x) {
      // graph inputs, weights, and what an operator this pass does not follow computes
      x = numbering.fresh(numel(types.get(name)?.shape ?? []));
      env.set(name, x);
    }
    return x;
  };
  for (const node of graph.nodes) {
    if (!needed.has(node)) continue;
    if (targets.includes(node)) {
      const why = COMPARISONS.has(node.op) ? tiedPair(node, of, types) : tiedLane(node, of(node.inputs[0]!)!, types);
      if (why) return why;
    }
    let outs: (Numbers | undefined)[] | undefined;
    try {
      outs = numberNode(node, graph.opset, of, types, constants, producer, integral, numbering);
    } catch {
      outs = undefined;
    }
    node.outputs.forEach((o, k) => {
      const x = pointOf(node, o, bounds, types, integral, numbering) ?? outs?.[k];
      if (o !== '' && x) env.set(o, x);
    });
  }
  return undefined;
}

/**
 * An output whose bounds are one value whatever the inputs hold (a Selu with gamma 0 gives 0): every element is that
 * constant, moved by position by the perturbation where it moves computed values (byPosition; a 0 stays unless the
 * operator cancels, as LogSoftmax over one element does).
 */
function pointOf(
  node: Node,
  name: string,
  bounds: ReadonlyMap<string, readonly [number, number]> | undefined,
  types: ReadonlyMap<string, TensorType>,
  integral: ReadonlySet<string>,
  numbering: Numbering,
): Numbers | undefined {
  const b = bounds?.get(name);
  const t = types.get(name);
  if (!b || !t || b[0] !== b[1] || !Number.isFinite(b[0])) return undefined;
  const c = numbering.constant(b[0]);
  const n = numel(t.shape);
  const u = new Int32Array(n).fill(c);
  const moves = (b[0] !== 0 || !keepsZeros(node.op)) && byPosition(node, t, integral, types);
  return { u, p: moves ? u.map((q, j) => perturbedAt(numbering, q, j)) : u };
}

/** The lanes of an ArgMax or ArgMin whose elements tie exactly but not once perturbed. */
function tiedLane(node: Node, x: Numbers, types: ReadonlyMap<string, TensorType>): string | undefined {
  const t = types.get(node.inputs[0]!);
  if (!t || t.shape.length === 0) return undefined;
  const rank = t.shape.length;
  const axis = ((((withDefaults(node)['axis'] as number | undefined) ?? 0) % rank) + rank) % rank;
  if (t.shape[axis]! < 2) return undefined;
  for (const lane of lanesOf(t.shape, [axis])) {
    if (same(lane, x.u) && !same(lane, x.p)) {
      return `${node.inputs[0]} (input of ${node.op}): every element of a lane along axis ${axis} is the same value whatever the inputs, and rounding by position breaks the tie`;
    }
    if (duplicated(lane, x)) {
      return `${node.inputs[0]} (input of ${node.op}): every value of a lane along axis ${axis} appears twice or more whatever the inputs (a Tile along it), so its largest and smallest tie, and rounding by position breaks the tie`;
    }
  }
  return undefined;
}

/**
 * Whether every value of the lane is held by two or more of its elements, which rounding moves apart (each group of
 * equal exact numbers holds two perturbed ones): wherever the extreme lies, it ties, and under one sign of the
 * perturbation another element of its group beats the one the reference picks.
 */
function duplicated(lane: readonly number[], x: Numbers): boolean {
  const groups = new Map<number, Set<number>>();
  const sizes = new Map<number, number>();
  for (const j of lane) {
    const u = x.u[j]!;
    sizes.set(u, (sizes.get(u) ?? 0) + 1);
    let g = groups.get(u);
    if (!g) groups.set(u, (g = new Set()));
    g.add(x.p[j]!);
  }
  return [...groups].every(([u, ps]) => sizes.get(u)! >= 2 && ps.size >= 2);
}

/** Comparisons whose two float operands, equal at an element whatever the inputs, flip when rounding moves one. */
const COMPARISONS: ReadonlySet<string> = new Set(['Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual']);

/**
 * Whether a comparison's operands both depend on some one input, weight or constant: only then can they be the same
 * value whatever the inputs hold (numbering every comparison's ancestry would cost generation a fifth of its speed).
 */
function sharedSource(graph: Graph): (n: Node) => boolean {
  const sources = new Map<string, Set<string>>();
  const of = (name: string): Set<string> => sources.get(name) ?? new Set(name === '' ? [] : [name]);
  for (const n of graph.nodes) {
    const all = new Set<string>();
    for (const i of n.inputs) for (const x of of(i)) all.add(x);
    for (const o of n.outputs) sources.set(o, all);
  }
  return (n) => {
    const a = of(n.inputs[0] ?? '');
    for (const x of of(n.inputs[1] ?? '')) if (a.has(x)) return true;
    return false;
  };
}

/**
 * A Conv or ConvTranspose with a bias run on NaN input and zero bias: the positions no input element reaches (windows
 * wholly in the padding, gaps between strided taps) come out as numbers, the rest NaN. Undefined without a bias, or
 * for a kernel too large to run here.
 */
export function biasOnly(n: Node, opset: number, types: ReadonlyMap<string, TensorType>): Float64Array | undefined {
  const spec = findOp(n.op);
  const [x, w, b] = n.inputs.map((i) => types.get(i));
  if (!spec || !x || !w || !b || numel(x.shape) * numel(w.shape) > 1e5) return undefined;
  const fill = (t: TensorType, v: number): Tensor => ({ dtype: 'float64', shape: [...t.shape], data: new Float64Array(numel(t.shape)).fill(v) });
  try {
    const [y] = spec.reference([fill(x, NaN), fill(w, 1), fill(b, 0)], withDefaults(n), opset);
    return y ? Float64Array.from(y.data) : undefined;
  } catch {
    return undefined;
  }
}

/** An element where a comparison's operands are the same value exactly but not once perturbed. */
function tiedPair(node: Node, of: (name: string) => Numbers | undefined, types: ReadonlyMap<string, TensorType>): string | undefined {
  const [a, b] = node.inputs;
  const out = types.get(node.outputs[0] ?? '');
  if (!a || !b || !out) return undefined;
  const x = of(a);
  const y = of(b);
  // two leaves, or what elementwise operators compute from leaves alone, never tie whatever their values
  if (!x || !y || (x.distinct === true && y.distinct === true && a !== b)) return undefined;
  const ia = broadcastIndex(types.get(a)?.shape ?? [], out.shape);
  const ib = broadcastIndex(types.get(b)?.shape ?? [], out.shape);
  for (let j = 0; j < ia.length; j++) {
    if (x.u[ia[j]!] === y.u[ib[j]!] && x.p[ia[j]!] !== y.p[ib[j]!]) {
      return `${a} and ${b} (inputs of ${node.op}): the same value at an element whatever the inputs, and rounding by position breaks the tie`;
    }
  }
  return undefined;
}

/** The number of a value the perturbed evaluation moves by the class of output position `j` (positionClass). */
function perturbedAt(numbering: Numbering, p: number, j: number): number {
  return numbering.intern(`P${p}|${positionClass(j)}`);
}

/**
 * Numbers of an interpolating Resize (linear, cubic): output elements that weigh the same input elements alike (every
 * output along an axis resized from one element) are equal up to rounding; the kernel runs twice with the input's
 * numbers filled two ways, and equal results in both runs mean the same combination (short of a coincidence of
 * measure zero). The kernel rounds by position like any computed float, so such elements never tie stably.
 */
function interpolated(
  node: Node,
  opset: number,
  of: (name: string) => Numbers | undefined,
  types: ReadonlyMap<string, TensorType>,
  constants: ReadonlyMap<string, Initializer>,
  integral: ReadonlySet<string>,
  numbering: Numbering,
): (Numbers | undefined)[] | undefined {
  const x = types.get(node.inputs[0] ?? '');
  const xs = node.inputs[0] ? of(node.inputs[0]) : undefined;
  const out = types.get(node.outputs[0] ?? '');
  const attrs = withDefaults(node);
  if (!x || !xs || !out || !isFloat(x.dtype) || attrs['coordinate_transformation_mode'] === 'tf_crop_and_resize') return undefined;
  const run = (ids: Int32Array, seed: number): Tensor | undefined => {
    const args: (Tensor | undefined)[] = [{ dtype: x.dtype, shape: [...x.shape], data: Float64Array.from(ids, (q) => scatter(q, seed)) }];
    for (const name of node.inputs.slice(1)) {
      const c = name === '' ? undefined : constants.get(name);
      if (name !== '' && !c) return undefined;
      args.push(c ? { dtype: c.dtype, shape: [...c.shape], data: Float64Array.from(c.data) } : undefined);
    }
    return findOp('Resize')!.reference(args, attrs, opset, 1)[0];
  };
  const [ua, ub, pa, pb] = [run(xs.u, 1), run(xs.u, 2), run(xs.p, 1), run(xs.p, 2)];
  if (!ua || !ub || !pa || !pb || ua.data.length !== numel(out.shape)) return undefined;
  const tag = `Resize${JSON.stringify(attrs)}`;
  const moves = byPosition(node, out, integral, types);
  const u = new Int32Array(ua.data.length);
  const p = new Int32Array(ua.data.length);
  for (let j = 0; j < u.length; j++) {
    // to 12 digits: the kernel sums the same terms in an order of its own at each position, an ulp apart in float64
    // (equal up to rounding ties as surely as equal)
    const d = (t: Tensor): string => t.data[j]!.toPrecision(12);
    u[j] = numbering.intern(`${tag}~${d(ua)}~${d(ub)}`);
    p[j] = numbering.intern(`${tag}~${d(pa)}~${d(pb)}${moves ? `|${positionClass(j)}` : ''}`);
  }
  return [{ u, p }];
}

/** Value numbers of a node's outputs; undefined for an output this pass does not follow (fresh numbers then). */
function numberNode(
  node: Node,
  opset: number,
  of: (name: string) => Numbers | undefined,
  types: ReadonlyMap<string, TensorType>,
  constants: ReadonlyMap<string, Initializer>,
  producer: ReadonlyMap<string, Node>,
  integral: ReadonlySet<string>,
  numbering: Numbering,
): (Numbers | undefined)[] | undefined {
  const spec = findOp(node.op);
  const out = types.get(node.outputs[0] ?? '');
  if (!spec || !out) return undefined;
  const attrs = withDefaults(node);
  const tag = `${node.op}${JSON.stringify(attrs)}`;
  const n = numel(out.shape);
  if (VARIADIC.has(node.op) && node.inputs.length === 1) {
    // one operand: its elements as they are (a Sum or Mean copies them; Max and Min are exact anyway)
    const x = of(node.inputs[0]!);
    if (!x) return undefined;
    const moves = byPosition(node, out, integral, types);
    return [{ u: x.u, p: moves ? x.p.map((q, j) => perturbedAt(numbering, q, j)) : x.p }];
  }
  if (ELEMENTWISE_MAPS.has(node.op)) {
    const ins = node.inputs.map((x) => (x === '' ? undefined : of(x)));
    // distinct elements of the output's own shape (no broadcast) give distinct results
    const plain = node.inputs.every((x, i) => x === '' || (ins[i]?.distinct === true && numel(types.get(x)?.shape ?? []) === n));
    if (plain) return [numbering.fresh(n)];
    const maps = node.inputs.map((x) => (x === '' ? undefined : broadcastIndex(types.get(x)?.shape ?? [], out.shape)));
    const moves = byPosition(node, out, integral, types);
    const u = new Int32Array(n);
    const p = new Int32Array(n);
    for (let j = 0; j < n; j++) {
      let ku = tag;
      let kp = tag;
      ins.forEach((x, i) => {
        const m = maps[i];
        ku += `,${x && m ? x.u[m[j]!] : '-'}`;
        kp += `,${x && m ? x.p[m[j]!] : '-'}`;
      });
      u[j] = numbering.intern(ku);
      p[j] = numbering.intern(moves ? `${kp}|${positionClass(j)}` : `${kp}|p`);
    }
    return [{ u, p }];
  }
  if ((node.op === 'Conv' || node.op === 'ConvTranspose') && node.inputs[2]) {
    // positions no input element reaches (windows wholly in the padding, gaps between a ConvTranspose's strided taps)
    // hold the bias of their channel, rounded by position like any computed value; the rest are fresh
    const b = of(node.inputs[2]);
    const y = biasOnly(node, opset, types);
    if (!b || !y || y.length !== n || out.shape.length < 2 || !y.some((v) => !Number.isNaN(v))) return undefined;
    const fresh = numbering.fresh(n);
    const channels = out.shape[1]!;
    const spatial = n / (out.shape[0]! * channels);
    const moves = byPosition(node, out, integral, types);
    const u = Int32Array.from(fresh.u);
    const p = Int32Array.from(fresh.p);
    for (let j = 0; j < n; j++) {
      if (Number.isNaN(y[j]!)) continue;
      const c = Math.floor(j / spatial) % channels;
      u[j] = b.u[c]!;
      p[j] = moves ? perturbedAt(numbering, b.p[c]!, j) : b.p[c]!;
    }
    return [{ u, p }];
  }
  if (node.op === 'Resize' && !copySources(node, opset, types, constants)) return interpolated(node, opset, of, types, constants, integral, numbering);
  if (MOVES.has(node.op)) {
    const sources = copySources(node, opset, types, constants);
    if (!sources) return undefined;
    // the numbers of the data inputs one after the other, as copySources counts them
    const data = (node.op === 'Concat' ? node.inputs : node.inputs.slice(0, 1)).filter((x) => x !== '').map((x) => of(x)!);
    const u = data.flatMap((d) => Array.from(d.u));
    const p = data.flatMap((d) => Array.from(d.p));
    return sources.map((src) => (src.includes(0) ? undefined : { u: Int32Array.from(src, (k) => u[k - 1]!), p: Int32Array.from(src, (k) => p[k - 1]!) }));
  }
  const x = types.get(node.inputs[0] ?? '');
  const xs = node.inputs[0] ? of(node.inputs[0]) : undefined;
  if (!x || !xs || x.shape.length === 0) return undefined;
  const rank = x.shape.length;
  const key = (lane: readonly number[], which: 'u' | 'p'): string => lane.map((k) => xs[which][k]).join(',');
  if (node.op === 'Softmax' || node.op === 'LogSoftmax') {
    const axis = normAxis((attrs['axis'] as number | undefined) ?? -1, rank);
    const u = new Int32Array(n);
    const p = new Int32Array(n);
    for (const lane of lanesOf(x.shape, [axis])) {
      // a lane of equal values gives 1/n (or -log n) whatever they are: lanes of different values tie too
      const ku = same(lane, xs.u) ? `${node.op}~${lane.length}` : undefined;
      const kp = same(lane, xs.p) ? `${node.op}~${lane.length}` : undefined;
      const lu = `${tag}[${key(lane, 'u')}]`;
      const lp = `${tag}[${key(lane, 'p')}]`;
      // a Softmax over one element is exactly 1, which the perturbed evaluation leaves (a whole number)
      const whole = node.op === 'Softmax' && lane.length === 1;
      for (const j of lane) {
        u[j] = numbering.intern(ku ?? `${lu}${xs.u[j]}`);
        p[j] = whole ? u[j]! : numbering.intern(`${kp ?? `${lp}${xs.p[j]}`}|${positionClass(j)}`);
      }
    }
    return [{ u, p }];
  }
  if (node.op === 'CumSum') {
    // each element from the run of its lane it sums, numbered link by link (equal runs, equal numbers); a run of one
    // element is that element, and an exclusive sum starts at an exact 0 (which the perturbation leaves)
    const a = constants.get(node.inputs[1] ?? '');
    if (!a || a.data.length !== 1) return undefined;
    const axis = normAxis(a.data[0]!, rank);
    const exclusive = attrs['exclusive'] === 1;
    const reverse = attrs['reverse'] === 1;
    const moves = byPosition(node, out, integral, types);
    const zero = numbering.constant(0);
    const u = new Int32Array(n);
    const p = new Int32Array(n);
    for (const lane of lanesOf(x.shape, [axis])) {
      let ru: number | undefined;
      let rp: number | undefined;
      for (const j of reverse ? [...lane].reverse() : lane) {
        const nu = ru === undefined ? xs.u[j]! : numbering.intern(`C${ru},${xs.u[j]}`);
        const np = rp === undefined ? xs.p[j]! : numbering.intern(`C${rp},${xs.p[j]}`);
        const [su, sp] = exclusive ? [ru, rp] : [nu, np];
        u[j] = su ?? zero;
        p[j] = sp === undefined ? zero : moves ? perturbedAt(numbering, sp, j) : sp;
        ru = nu;
        rp = np;
      }
    }
    return [{ u, p }];
  }
  if (node.op === 'LayerNormalization' || node.op === 'InstanceNormalization') {
    // each element from its lane, itself, and its scale and bias elements (per trailing position, or per channel)
    const ln = node.op === 'LayerNormalization';
    const from = ln ? normAxis((attrs['axis'] as number | undefined) ?? -1, rank) : 2;
    if (!ln && rank < 3) return undefined;
    const params = [1, 2].map((i) => (node.inputs[i] ? of(node.inputs[i]!) : undefined));
    const inner = x.shape.slice(from).reduce((a, d) => a * d, 1);
    const per = (j: number): number => (ln ? j % inner : Math.floor(j / inner) % x.shape[1]!);
    const axes = Array.from({ length: rank - from }, (_, i) => from + i);
    const u = new Int32Array(n);
    const p = new Int32Array(n);
    const zero = numbering.constant(0);
    const bias = params[1];
    for (const lane of lanesOf(x.shape, axes)) {
      const ku = `${tag}[${key(lane, 'u')}]`;
      const kp = `${tag}[${key(lane, 'p')}]`;
      // a lane of one value is 0 once its mean is taken off: the output is the bias (or 0) whatever the scale, a
      // value shared with every other such lane (a plane of one element per channel gives B[c] in every image); the
      // perturbed evaluation moves equal values of a longer lane apart first, so only a lane of one stays exact there
      const flat = same(lane, xs.u);
      for (const j of lane) {
        const pu = params.map((q) => (q ? q.u[per(j)] : '-')).join(',');
        const pp = params.map((q) => (q ? q.p[per(j)] : '-')).join(',');
        u[j] = flat ? (bias ? bias.u[per(j)]! : zero) : numbering.intern(`${ku}${xs.u[j]};${pu}`);
        // over a lane of one, a LayerNormalization gives its bias exactly on every backend (interpreter.ts
        // exactOverOne); onnxruntime's InstanceNormalization does not, so its copy of the bias moves by position
        const one = bias ? bias.p[per(j)]! : zero;
        p[j] = lane.length === 1 ? (ln ? one : perturbedAt(numbering, one, j)) : numbering.intern(`${kp}${xs.p[j]};${pp}|${positionClass(j)}`);
      }
    }
    return [{ u, p }];
  }
  if (LANE_REDUCTIONS.has(node.op)) {
    const axes = laneAxes(node, rank, constants);
    if (!axes) return undefined;
    const lanes = lanesOf(x.shape, axes);
    if (lanes.length !== n) return undefined;
    const moves = byPosition(node, out, integral, types);
    // a sum or mean over whole Softmax lanes is their count (over the length): the same whatever the lanes hold
    const lanesSum = softmaxSum(node, axes, producer.get(node.inputs[0]!), rank);
    const u = new Int32Array(n);
    const p = new Int32Array(n);
    lanes.forEach((lane, j) => {
      if (lane.length === 1 && COPYING_ONE.has(node.op)) {
        // a sum, mean, product, maximum or minimum of one element is that element
        u[j] = xs.u[lane[0]!]!;
        p[j] = moves ? perturbedAt(numbering, xs.p[lane[0]!]!, j) : xs.p[lane[0]!]!;
        return;
      }
      const ku = lanesSum ? `${tag}~${lane.length}` : `${tag}[${key(lane, 'u')}]`;
      const kp = lanesSum ? `${tag}~${lane.length}` : `${tag}[${key(lane, 'p')}]`;
      u[j] = numbering.intern(ku);
      p[j] = numbering.intern(`${kp}|${moves ? positionClass(j) : 'p'}`);
    });
    return [{ u, p }];
  }
  return undefined;
}
