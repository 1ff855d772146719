/**
 * Values a graph computes whatever its inputs and weights hold: the zeros Trilu writes, Pad's constant, the first
 * element of an exclusive CumSum, the positions of a ConvTranspose that no input element reaches (without a bias),
 * a Softmax over one element, and what elementwise operators make of them. Per-tensor intervals cannot say "this
 * tensor holds a 0 somewhere", so they cannot see that Log(Trilu(x)) has no valid values; element-wise known values
 * can.
 *
 * Every tensor is tracked as a full tensor plus a mask of the elements known exactly (fixed by the graph alone). The
 * evaluation uses the operators' own reference kernels:
 * - elementwise operators (ELEMENTWISE_MAPS, Clip among them) run on the known elements only, gathered by
 *   broadcasting into flat tensors, so no unknown value ever reaches the kernel; a known 0 where it absorbs
 *   (0 * x, PRelu(0, s), 0 / y) fixes the result whatever the other operand holds;
 * - sums of products (MatMul, Gemm, Conv, ConvTranspose) run twice with the unknown elements scattered two ways: an
 *   output element both give alike depends on known elements only (a known 0 factor in every term);
 * - MaxPool, whose kernel skips NaN, runs with the unknown elements at +Infinity and at -Infinity;
 * - operators that move, sum or average float elements (TAINT) run with NaN in place of every unknown element: their
 *   kernels propagate NaN into every output element that depends on one, so an output element that comes out as a
 *   number depends on known elements only (a property test checks these kernels against real evaluations);
 * - every other operator, or any operator with an unknown integer or bool input, knows nothing of its outputs, unless
 *   all its inputs are known or its interval range is one point (Softmax over one element is 1).
 *
 * A graph is infeasible when a known element breaks a domain, is not finite, or moves under the stability check's
 * perturbation (evaluated the same way: search/violations.ts), since every input and weight value meets it there.
 */
import type { Attrs, Graph, Node, Tensor, TensorType } from '../src/ir/index.js';
import { broadcastIndex, isFloat, numel } from '../src/ir/index.js';
import { exactAloneIn, FLOAT32_TINY, operandCount, perturbOutput, STABILITY_PERTURBATION, withDefaults } from '../src/reference/interpreter.js';
import { FLOAT32_LIMIT } from '../src/search/violations.js';
import { pathTolerances, type Tolerance } from '../oracles/tolerance.js';
import { findOp } from './ops/index.js';
import { ELEMENTWISE_MAPS, nodeRanges } from './ops/ranges.js';
import { reducedAxes } from './ops/reduce.js';
import type { Interval } from './ops/spec.js';
import { holds, UNBOUNDED } from './ops/spec.js';

/** A tensor with the elements known exactly marked (data elsewhere is meaningless). */
interface Known {
  readonly t: Tensor;
  readonly mask: Uint8Array;
  /** How many elements are known. */
  readonly count: number;
}

/**
 * Operators whose float kernels propagate NaN to every output element that reads it (copies, sums, products, means,
 * NaN-propagating Math.max): run with NaN for unknown float elements. Their integer inputs (shapes, pads, indices,
 * axes) must be known in full.
 */
const TAINT: ReadonlySet<string> = new Set([
  'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Transpose', 'Expand', 'Tile', 'Concat', 'Split', 'Slice', 'Gather', 'Pad',
  'Trilu', 'AveragePool', 'GlobalAveragePool', 'BatchNormalization',
  'LayerNormalization', 'InstanceNormalization', 'Softmax', 'LogSoftmax', 'ReduceSum', 'ReduceMean', 'ReduceMax',
  'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare', 'CumSum',
  'GlobalMaxPool',
]);

/**
 * Operators whose outputs are sums of products of their inputs' elements (plus a bias): run twice with the unknown
 * elements scattered two ways (NaN taint would make 0 * x unknown). Integer inputs must be known in full.
 */
const LINEAR: ReadonlySet<string> = new Set(['MatMul', 'Gemm', 'Conv', 'ConvTranspose']);
/**
 * A value in [0.5, 1.5) scattered by element (or value number) and fill: two fills of the unknown elements of a LINEAR
 * operator's inputs give the same sum of products only where no unknown element counts (short of a coincidence of
 * measure zero); ties.ts fills an interpolating Resize's input numbers the same way.
 */
export function scatter(e: number, fill: number): number {
  const x = Math.sin((e + 1) * 12.9898 + fill * 78.233) * 43758.5453;
  return 0.5 + (x - Math.floor(x));
}

/**
 * Operators that select a maximum whose kernels skip NaN (a comparison with it is false, so NaN taint would be
 * unsound): run once with +Infinity and once with -Infinity for the unknown float elements, known where both agree.
 */
const SELECTS: ReadonlySet<string> = new Set(['MaxPool']);

/** Operators whose kernels run on partly known inputs, one of the three ways above. */
const KERNEL_EVALUATED: ReadonlySet<string> = new Set([...TAINT, ...LINEAR, ...SELECTS]);

/** Operators that write values of their own (padding, zeroed triangles, unreached positions), known from nothing. */
const SOURCES: ReadonlySet<string> = new Set(['Trilu', 'Pad', 'CumSum', 'Conv', 'ConvTranspose', 'AveragePool']);

/**
 * Whether the node may write values of its own, by its attributes (a cheap filter before its kernel runs): zero
 * padding, the zeroed triangle, an exclusive scan's first element, windows or positions no input element reaches
 * (which hold the bias, so only without one, or with a known one).
 */
function isSource(n: Node, biasKnown: (name: string) => boolean): boolean {
  const a = n.attrs;
  switch (n.op) {
    case 'Trilu':
      return true;
    case 'Pad':
      return (a['mode'] ?? 'constant') === 'constant';
    case 'CumSum':
      return a['exclusive'] === 1;
    case 'ConvTranspose':
      return !n.inputs[2] || biasKnown(n.inputs[2]);
    case 'Conv':
    case 'AveragePool': {
      if (n.op === 'Conv' && n.inputs[2] && !biasKnown(n.inputs[2])) return false;
      const pads = a['pads'];
      const auto = a['auto_pad'];
      return (typeof auto === 'string' && auto.startsWith('SAME')) || (Array.isArray(pads) && pads.some((p) => typeof p === 'number' && p > 0));
    }
    default:
      return false;
  }
}

function full(t: Tensor): Known {
  const mask = new Uint8Array(t.data.length).fill(1);
  return { t, mask, count: mask.length };
}

/** The elements where `a` and `b` hold the same finite value. */
function agreed(a: Tensor, b: Tensor): Known | undefined {
  const mask = new Uint8Array(a.data.length);
  let count = 0;
  for (let i = 0; i < mask.length; i++) {
    if (a.data[i] === b.data[i] && Number.isFinite(a.data[i]!)) {
      mask[i] = 1;
      count++;
    }
  }
  return count > 0 ? { t: a, mask, count } : undefined;
}

function fromNaN(t: Tensor): Known | undefined {
  const mask = new Uint8Array(t.data.length);
  let count = 0;
  for (let i = 0; i < mask.length; i++) {
    if (!Number.isNaN(t.data[i]!)) {
      mask[i] = 1;
      count++;
    }
  }
  return count > 0 ? { t, mask, count } : undefined;
}

/**
 * Input slots of elementwise operators where a 0 makes the result 0 whatever the other operands hold (they are finite
 * wherever the graph is valid, and Div's divisor is non-zero by its domain): 0 * x, PRelu(0, slope), 0 / y.
 */
export const ZERO_ABSORBING: Readonly<Record<string, readonly number[]>> = { Mul: [0, 1], PRelu: [0], Div: [0] };

/** `mapped` (what the kernel knows) plus the output elements a known 0 in an absorbing slot fixes at 0. */
function absorbZeros(node: Node, ins: readonly (Known | undefined)[], outType: TensorType, mapped: Known | undefined): Known | undefined {
  const slots = ZERO_ABSORBING[node.op];
  if (!slots) return undefined;
  const n = numel(outType.shape);
  const data = mapped ? Float64Array.from(mapped.t.data) : new Float64Array(n);
  const mask = mapped ? Uint8Array.from(mapped.mask) : new Uint8Array(n);
  let added = 0;
  for (const i of slots) {
    const k = node.inputs[i] ? ins[i] : undefined;
    if (!k) continue;
    const m = broadcastIndex(k.t.shape, outType.shape);
    for (let j = 0; j < n; j++) {
      if (mask[j] === 1 || k.mask[m[j]!] !== 1 || k.t.data[m[j]!] !== 0) continue;
      data[j] = 0;
      mask[j] = 1;
      added++;
    }
  }
  if (added === 0) return undefined;
  return { t: { dtype: outType.dtype, shape: [...outType.shape], data }, mask, count: (mapped?.count ?? 0) + added };
}

/** Elementwise: the kernel on the output positions whose every input element is known, gathered into flat tensors. */
function evalMap(node: Node, attrs: Attrs, opset: number, ins: readonly (Known | undefined)[], outType: TensorType): Known | undefined {
  const spec = findOp(node.op)!;
  const outShape = outType.shape;
  const n = numel(outShape);
  const present = ins.map((k, i) => (node.inputs[i] === '' ? undefined : k));
  // Clip's bounds are scalars the kernel reads as such
  const scalarSlots = node.op === 'Clip' ? new Set([1, 2]) : new Set<number>();
  const maps = node.inputs.map((name, i) => (name === '' || scalarSlots.has(i) ? undefined : broadcastIndex(present[i]!.t.shape, outShape)));
  const mask = new Uint8Array(n);
  const pos: number[] = [];
  for (let j = 0; j < n; j++) {
    let ok = true;
    for (let i = 0; i < maps.length && ok; i++) {
      const m = maps[i];
      if (m) ok = present[i]!.mask[m[j]!] === 1;
    }
    if (ok) pos.push(j);
  }
  if (pos.length === 0) return undefined;
  const args = node.inputs.map((name, i): Tensor | undefined => {
    if (name === '') return undefined;
    const k = present[i]!;
    if (scalarSlots.has(i)) return k.t;
    const m = maps[i]!;
    const data = new Float64Array(pos.length);
    pos.forEach((j, q) => (data[q] = k.t.data[m[j]!]!));
    return { dtype: k.t.dtype, shape: [pos.length], data };
  });
  const out = spec.reference(args, attrs, opset, 1)[0];
  if (!out || out.data.length !== pos.length) return undefined;
  const data = new Float64Array(n);
  pos.forEach((j, q) => {
    data[j] = out.data[q]!;
    mask[j] = 1;
  });
  return { t: { dtype: out.dtype, shape: [...outShape], data }, mask, count: pos.length };
}

/** Attributes with defaults, once per node (the evaluations run up to three times). */
const attrCache = new WeakMap<Node, Attrs | null>();

function attrsOf(node: Node): Attrs | undefined {
  let a = attrCache.get(node);
  if (a === undefined) {
    try {
      a = withDefaults(node);
    } catch {
      a = null;
    }
    attrCache.set(node, a);
  }
  return a ?? undefined;
}

/** What the reference kernel of `node` knows of its outputs, given what is known of its inputs. */
function evalNode(node: Node, opset: number, ins: readonly (Known | undefined)[], types: ReadonlyMap<string, TensorType>): (Known | undefined)[] {
  const none = node.outputs.map(() => undefined);
  const spec = findOp(node.op);
  if (!spec) return none;
  const used = node.inputs.map((name, i) => (name === '' ? undefined : ins[i]));
  const anyKnown = used.some((k) => k !== undefined);
  const source = SOURCES.has(node.op) && isSource(node, (x) => ins[node.inputs.indexOf(x)] !== undefined);
  if (!anyKnown && !source) return none;
  const attrs = attrsOf(node);
  if (!attrs) return none;
  const outTypes = node.outputs.map((o) => types.get(o));
  try {
    const allKnown = node.inputs.every((name, i) => name === '' || (used[i] !== undefined && used[i]!.count === used[i]!.mask.length));
    if (allKnown) {
      const outs = spec.reference(used.map((k) => k?.t), attrs, opset, node.outputs.length);
      return node.outputs.map((_, k) => (outs[k] ? full(outs[k]) : undefined));
    }
    if (ELEMENTWISE_MAPS.has(node.op)) {
      const t = outTypes[0];
      if (!t) return none;
      const complete = node.inputs.every((name, i) => name === '' || used[i] !== undefined);
      const mapped = complete ? evalMap(node, attrs, opset, used, t) : undefined;
      return [absorbZeros(node, used, t, mapped) ?? mapped];
    }
    const selects = SELECTS.has(node.op);
    if (KERNEL_EVALUATED.has(node.op)) {
      // only the operators that write values of their own know anything without a known float input
      const floatKnown = node.inputs.some((name, i) => name !== '' && used[i] !== undefined && isFloat(used[i]!.t.dtype));
      if (outTypes.some((t) => !t || !isFloat(t.dtype))) return integerCopies(node, attrs, opset, used, types, source) ?? none;
      if (!floatKnown && !source) return none;
      // the float inputs with `fill(e)` for every unknown element e
      const filled = (fill: (e: number) => number): (Tensor | undefined)[] | undefined => fillUnknown(node, used, types, (_, t) => isFloat(t.dtype), fill);
      if (LINEAR.has(node.op)) {
        // sums of products: known where two different fills of the unknown elements give the same result, which a
        // known zero factor does (0 * x is 0 for every x; NaN taint would make it NaN)
        return agreedRuns(node, attrs, opset, filled((e) => scatter(e, 1)), filled((e) => scatter(e, 2))) ?? none;
      }
      if (!selects) {
        const args = filled(() => NaN);
        if (!args) return none;
        const outs = spec.reference(args, attrs, opset, node.outputs.length);
        return node.outputs.map((_, k) => (outs[k] ? fromNaN(outs[k]) : undefined));
      }
      // a maximum or minimum is known where it is the same whether the unknown elements are +Infinity or -Infinity
      const up = filled(() => Infinity);
      const down = filled(() => -Infinity);
      if (!up || !down) return none;
      const a = spec.reference(up, attrs, opset, node.outputs.length);
      const b = spec.reference(down, attrs, opset, node.outputs.length);
      return node.outputs.map((_, k) => (a[k] && b[k] ? agreed(a[k], b[k]) : undefined));
    }
  } catch {
    return none;
  }
  return none;
}

/** One evaluation: unperturbed (sign 0) or perturbed like the stability check. */
function run(
  graph: Graph,
  types: ReadonlyMap<string, TensorType>,
  point: ReadonlyMap<string, number>,
  sign: 0 | 1 | -1,
  visit: (node: Node, ins: readonly (Known | undefined)[], outs: readonly (Known | undefined)[]) => string | undefined,
  only?: ReadonlySet<Node>,
): string | undefined {
  const env = new Map<string, Known>();
  for (const c of graph.initializers) if (c.kind === 'constant') env.set(c.name, full({ dtype: c.dtype, shape: [...c.shape], data: Float64Array.from(c.data) }));
  for (const node of graph.nodes) {
    const ins = node.inputs.map((x) => (x === '' ? undefined : env.get(x)));
    // a node outside `only` knows nothing of its outputs, but what it reads still meets its domain or not
    const outs = only && !only.has(node) ? node.outputs.map(() => undefined) : evalNode(node, graph.opset, ins, types);
    for (const [k, o] of node.outputs.entries()) {
      if (o === '') continue;
      const type = types.get(o);
      let known = outs[k];
      const v = point.get(o);
      if (v !== undefined && type) {
        // the operator's range is this one value whatever comes in
        const data = new Float64Array(numel(type.shape)).fill(v);
        known = full({ dtype: type.dtype, shape: [...type.shape], data });
      }
      if (!known) continue;
      if (sign !== 0 && isFloat(known.t.dtype)) {
        // as the interpreter's stability check does
        const rel = STABILITY_PERTURBATION[known.t.dtype === 'float64' ? 'float64' : 'float32'];
        const moved = perturbOutput(node.op, node.name, known.t, rel, sign, node.attrs, operandCount(node), exactAloneIn(node, types)).data;
        const data = Float64Array.from(known.t.data);
        for (let e = 0; e < data.length; e++) if (known.mask[e] === 1) data[e] = moved[e]!;
        known = { ...known, t: { ...known.t, data } };
      }
      env.set(o, known);
    }
    const why = visit(node, ins, node.outputs.map((o) => (o === '' ? undefined : env.get(o))));
    if (why) return why;
  }
  return undefined;
}

/** Operators whose integer outputs only copy input elements or write constants of their own (Pad's, Trilu's zeros). */
const INTEGER_COPIES: ReadonlySet<string> = new Set([
  'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Transpose', 'Expand', 'Tile', 'Concat', 'Split', 'Slice', 'Gather', 'Pad', 'Trilu',
]);

/**
 * The known elements of an integer copy's outputs (an int64 Pad's constant, copied known elements), where NaN taint
 * cannot mark the unknown: the kernel runs twice with the unknown elements of its data inputs filled two different
 * ways (distinct values within int32), and an output element is known where both runs agree. Index, shape and pad
 * inputs must be known in full.
 */
function integerCopies(
  node: Node,
  attrs: Attrs,
  opset: number,
  used: readonly (Known | undefined)[],
  types: ReadonlyMap<string, TensorType>,
  source: boolean,
): (Known | undefined)[] | undefined {
  if (!INTEGER_COPIES.has(node.op)) return undefined;
  const data = node.op === 'Concat' ? node.inputs.map((_, i) => i) : [0];
  const outTypes = node.outputs.map((o) => types.get(o));
  if (outTypes.some((t) => !t || (t.dtype !== 'int32' && t.dtype !== 'int64'))) return undefined;
  if (!source && !data.some((i) => used[i] !== undefined)) return undefined;
  const filled = (sign: 1 | -1): (Tensor | undefined)[] | undefined =>
    fillUnknown(node, used, types, (i) => data.includes(i), (e) => sign * (1_000_000_007 + (e % 1_000_000)));
  return agreedRuns(node, attrs, opset, filled(1), filled(-1));
}

/**
 * The inputs of `node` with `fill(e)` for every unknown element e of the inputs `isData` picks; undefined when another
 * input (shapes, pads, axes, indices) is not known in full.
 */
function fillUnknown(
  node: Node,
  used: readonly (Known | undefined)[],
  types: ReadonlyMap<string, TensorType>,
  isData: (i: number, type: TensorType) => boolean,
  fill: (e: number) => number,
): (Tensor | undefined)[] | undefined {
  const args: (Tensor | undefined)[] = [];
  for (const [i, name] of node.inputs.entries()) {
    if (name === '') {
      args.push(undefined);
      continue;
    }
    const k = used[i];
    const type = types.get(name);
    if (!type) return undefined;
    if (!isData(i, type)) {
      if (!k || k.count !== k.mask.length) return undefined;
      args.push(k.t);
      continue;
    }
    const data = new Float64Array(numel(type.shape));
    for (let e = 0; e < data.length; e++) data[e] = k && k.mask[e] === 1 ? k.t.data[e]! : fill(e);
    args.push({ dtype: type.dtype, shape: [...type.shape], data });
  }
  return args;
}

/** The node's kernel on two fills of its unknown elements: each output known where both runs agree. */
function agreedRuns(node: Node, attrs: Attrs, opset: number, a: (Tensor | undefined)[] | undefined, b: (Tensor | undefined)[] | undefined): (Known | undefined)[] | undefined {
  if (!a || !b) return undefined;
  const spec = findOp(node.op)!;
  const ya = spec.reference(a, attrs, opset, node.outputs.length);
  const yb = spec.reference(b, attrs, opset, node.outputs.length);
  return node.outputs.map((_, k) => (ya[k] && yb[k] ? agreed(ya[k], yb[k]) : undefined));
}

/**
 * Whether any node output can hold a known element, by a pass over names alone (constants, sources and one-value
 * ranges, through the operators that pass knowledge on), before any kernel runs: most graphs know nothing.
 */
function mayKnow(graph: Graph, types: ReadonlyMap<string, TensorType>, point: ReadonlyMap<string, number>): Set<Node> {
  const may = new Set(graph.initializers.filter((c) => c.kind === 'constant').map((c) => c.name));
  const nodes = new Set<Node>();
  for (const n of graph.nodes) {
    const ins = n.inputs.filter((x) => x !== '');
    const known = (SOURCES.has(n.op) && isSource(n, (x) => may.has(x))) || n.outputs.some((o) => point.has(o)) || (ins.length > 0 && ins.every((x) => may.has(x)))
      || (ELEMENTWISE_MAPS.has(n.op) ? false : KERNEL_EVALUATED.has(n.op) && ins.some((x) => may.has(x) && isFloat(types.get(x)?.dtype ?? 'bool')))
      || (ZERO_ABSORBING[n.op]?.some((i) => n.inputs[i] !== undefined && may.has(n.inputs[i]!)) ?? false);
    if (!known) continue;
    for (const o of n.outputs) may.add(o);
    nodes.add(n);
  }
  return nodes;
}

/** The known elements of every tensor, unperturbed: for tests and diagnostics. */
export function knownValues(graph: Graph, bounds: ReadonlyMap<string, Interval> = new Map(), sign: 0 | 1 | -1 = 0): Map<string, { data: Float64Array; mask: Uint8Array }> {
  const types = typesOf(graph);
  const out = new Map<string, { data: Float64Array; mask: Uint8Array }>();
  run(graph, types, points(graph, types, bounds, sign !== 0), sign, (node, _ins, outs) => {
    node.outputs.forEach((o, k) => {
      const x = outs[k];
      if (x) out.set(o, { data: Float64Array.from(x.t.data), mask: x.mask });
    });
    return undefined;
  });
  return out;
}

function typesOf(graph: Graph): Map<string, TensorType> {
  const types = new Map<string, TensorType>();
  for (const v of [...graph.inputs, ...graph.initializers, ...graph.valueInfo, ...graph.outputs]) types.set(v.name, v);
  return types;
}

/**
 * Binary operators that give one value whatever x holds when both operands are the same tensor x: Sub(x, x) is 0 on
 * every backend (and in the perturbed evaluation, whose x is the same on both sides), Div(x, x) is 1 and Mod(x, x) is 0
 * (x = 0 breaks their own domains), and comparisons of x with itself are decided.
 */
const SELF_CONSTANT: Readonly<Record<string, number>> = {
  Sub: 0, Div: 1, Mod: 0, Equal: 1, LessOrEqual: 1, GreaterOrEqual: 1, Less: 0, Greater: 0, Xor: 0,
};

/**
 * The one value a reduction over a Softmax's axis gives (each lane sums to 1): ReduceSum and ReduceL1 the number of
 * lanes summed, ReduceLogSum its log, ReduceMean one over the lane length; undefined for anything else. The value is
 * what exact arithmetic gives, for the domain checks; rounding moves it (the perturbed evaluations leave it out).
 */
function softmaxLaneReduction(n: Node, producer: ReadonlyMap<string, Node>, types: ReadonlyMap<string, TensorType>, inits: Graph['initializers']): number | undefined {
  if (!['ReduceSum', 'ReduceL1', 'ReduceLogSum', 'ReduceMean'].includes(n.op)) return undefined;
  const p = producer.get(n.inputs[0] ?? '');
  const x = types.get(n.inputs[0] ?? '');
  if (!p || p.op !== 'Softmax' || !x || x.shape.length === 0 || x.shape.includes(0)) return undefined;
  const rank = x.shape.length;
  const a = (((p.attrs['axis'] as number | undefined) ?? -1) % rank + rank) % rank;
  const axesName = n.inputs[1];
  const axesInit = axesName ? inits.find((i) => i.name === axesName && i.kind === 'constant') : undefined;
  if (axesName && !axesInit) return undefined;
  const axesInput = axesInit ? { dtype: axesInit.dtype, shape: [...axesInit.shape], data: axesInit.data } : undefined;
  const axes = reducedAxes(n.op, rank, axesInput, n.attrs);
  if (axes === null || typeof axes === 'string' || !axes.includes(a)) return undefined;
  const lanes = axes.reduce((s, d) => (d === a ? s : s * x.shape[d]!), 1);
  switch (n.op) {
    case 'ReduceLogSum':
      return Math.log(lanes);
    case 'ReduceMean':
      return 1 / x.shape[a]!;
    default:
      return lanes;
  }
}

/** Operators whose range can be one value whatever the input holds (by the input's shape: nodeRanges). */
const INTRINSIC: ReadonlySet<string> = new Set(['Softmax', 'LogSoftmax', 'ArgMax', 'ArgMin', 'LayerNormalization']);

/**
 * Node outputs whose forward bounds are one finite value. With `intrinsic`, only those whose operator gives that
 * value whatever its inputs hold (Softmax over one element): the perturbed evaluations feed inputs that the bounds,
 * which assume unperturbed values, do not cover.
 */
function points(graph: Graph, types: ReadonlyMap<string, TensorType>, bounds: ReadonlyMap<string, Interval>, intrinsic: boolean): Map<string, number> {
  const out = new Map<string, number>();
  const producer = new Map(graph.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  for (const n of graph.nodes) {
    const lanes = intrinsic ? undefined : softmaxLaneReduction(n, producer, types, graph.initializers);
    if (lanes !== undefined && n.outputs[0]) {
      out.set(n.outputs[0], lanes);
      continue;
    }
    const self = n.inputs.length === 2 && n.inputs[0] === n.inputs[1] && n.inputs[0] !== '' ? SELF_CONSTANT[n.op] : undefined;
    if (self !== undefined && n.outputs[0] && types.has(n.outputs[0])) {
      out.set(n.outputs[0], self);
      continue;
    }
    const own = intrinsic
      ? !INTRINSIC.has(n.op)
        ? []
        : nodeRanges(findOp(n.op), n, n.inputs.map(() => UNBOUNDED), types)
      : undefined;
    for (const [k, o] of n.outputs.entries()) {
      const b = own ? (own[k] ?? UNBOUNDED) : bounds.get(o);
      if (b && b[0] === b[1] && Number.isFinite(b[0]) && types.has(o)) out.set(o, b[0]);
    }
  }
  return out;
}

function describeValue(v: number): string {
  return Number.isNaN(v) ? 'NaN' : String(v);
}

/**
 * Why the values the graph fixes on its own rule out every input and weight value (see the file comment), or
 * undefined. `bounds`: forward bounds of every tensor from unbounded leaves (forwardBounds in values.ts); `types`:
 * every tensor's type by name.
 */
export function knownValueConflict(graph: Graph, bounds: ReadonlyMap<string, Interval>, types: ReadonlyMap<string, TensorType> = typesOf(graph)): string | undefined {
  const point = points(graph, types, bounds, false);
  const may = mayKnow(graph, types, point);
  if (may.size === 0) return undefined;
  const base = new Map<string, Known>();
  // the nodes that know something: the perturbed evaluations need no others
  const knowing = new Set<Node>();
  let floats = false;
  const why = run(graph, types, point, 0, (node, ins, outs) => {
    const spec = findOp(node.op);
    if (spec?.domain && ins.some((k) => k !== undefined)) {
      const present = node.inputs.map((x) => (x === '' ? undefined : types.get(x))).filter((t): t is TensorType => t !== undefined);
      for (const c of spec.domain(present, node.attrs)) {
        const k = ins[c.input];
        if (!k) continue;
        for (let e = 0; e < k.mask.length; e++) {
          if (k.mask[e] === 1 && !holds(c, k.t.data[e]!)) {
            return `${node.inputs[c.input]} (input ${c.input} of ${node.op}) holds ${describeValue(k.t.data[e]!)} whatever the inputs, outside ${c.rel} ${c.value}`;
          }
        }
      }
    }
    for (const [k, o] of node.outputs.entries()) {
      const x = outs[k];
      if (!x) continue;
      base.set(o, x);
      knowing.add(node);
      // rounding moves a computed float unless it is a non-zero whole number (which backends compute exactly)
      if (isFloat(x.t.dtype) && !floats) {
        for (let e = 0; e < x.mask.length && !floats; e++) {
          const v = x.t.data[e]!;
          if (x.mask[e] === 1 && !(Number.isInteger(v) && v !== 0 && Math.abs(v) >= FLOAT32_TINY)) floats = true;
        }
      }
      const limit = x.t.dtype === 'float32' ? FLOAT32_LIMIT : Infinity;
      for (let e = 0; e < x.mask.length; e++) {
        if (x.mask[e] === 1 && !(Math.abs(x.t.data[e]!) < limit)) return `${o} (${node.op} output) holds ${describeValue(x.t.data[e]!)} whatever the inputs`;
      }
    }
    return undefined;
  }, may);
  if (why || !floats) return why;
  let tols: Map<string, Tolerance> | undefined;
  const own = points(graph, types, bounds, true);
  for (const sign of [1, -1] as const) {
    const moved = run(graph, types, own, sign, (node, _ins, outs) => {
      for (const [k, o] of node.outputs.entries()) {
        const a = outs[k];
        const b = base.get(o);
        if (!a || !b || !isFloat(b.t.dtype)) continue;
        tols ??= pathTolerances(graph);
        const t = tols.get(o) ?? { rtol: 0, atol: 0 };
        const atol = t.atol / 2;
        const rtol = t.rtol / 2;
        for (let e = 0; e < b.mask.length; e++) {
          if (b.mask[e] !== 1 || a.mask[e] !== 1) continue;
          const x = b.t.data[e]!;
          const y = a.t.data[e]!;
          if (Object.is(x, y) || x === y) continue;
          const bad = !Number.isFinite(x) || !Number.isFinite(y) ? !(Number.isNaN(x) && Number.isNaN(y)) : !(Math.abs(y - x) <= atol + rtol * Math.abs(x));
          if (bad) return `${o} (${node.op} output) holds ${describeValue(x)} whatever the inputs, which the stability check's rounding moves to ${describeValue(y)}`;
        }
      }
      return undefined;
    }, knowing);
    if (moved) return moved;
  }
  return undefined;
}
