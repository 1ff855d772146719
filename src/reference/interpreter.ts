import { findOp } from '../../generators/ops/index.js';
import type { AttrSchema } from '../../generators/ops/spec.js';
import type { Attrs, AttrValue, Graph, Node, Tensor } from '../ir/index.js';
import { exactValues, int64Tensor, normAxis, numel, tensor } from '../ir/index.js';
import { evalExact, mayRound, reachesLimit, ReferenceUnsupported } from './int64-exact.js';

export { ReferenceUnsupported } from './int64-exact.js';

/**
 * An attribute value as an ONNX model holds it: float attributes are float32, their defaults too, and every runtime
 * computes with that (LeakyRelu's default alpha is 0.009999999776, not 0.01: on float64 graphs the difference, 2e-8
 * relative, showed after a Mod amplified it, as a wrong value on every onnxruntime backend).
 */
function asStored(s: AttrSchema, v: AttrValue): AttrValue {
  if (s.type === 'float' && typeof v === 'number') return Math.fround(v);
  if (s.type === 'floats' && Array.isArray(v)) return (v as number[]).map((x) => Math.fround(x));
  return v;
}

/** Attributes with the spec's defaults filled in; unknown or missing required attributes are errors. */
export function withDefaults(node: Node): Attrs {
  const spec = findOp(node.op);
  if (!spec) throw new ReferenceUnsupported(`reference: operator '${node.op}' is not implemented`);
  const out: Record<string, AttrValue> = {};
  for (const [k, v] of Object.entries(node.attrs)) {
    if (!spec.attributes[k]) {
      throw new ReferenceUnsupported(`reference: ${node.op} attribute '${k}' is not implemented (known: ${Object.keys(spec.attributes).join(', ') || 'none'})`);
    }
    out[k] = asStored(spec.attributes[k]!, v);
  }
  for (const [k, s] of Object.entries(spec.attributes)) {
    if (out[k] !== undefined) continue;
    if (s.default !== undefined) out[k] = asStored(s, s.default);
    else if (s.required) throw new Error(`reference: ${node.op} '${node.name}' lacks required attribute '${k}'`);
  }
  return out;
}

/** Options for `interpret`. */
export interface InterpretOptions {
  /**
   * Perturb the float outputs of each node by this relative amount, as perturbOutput says (exact operators and
   * zeros computed exactly stay; the sign alternates by element, or follows the value for elementwise operators
   * that round once, and `perturbSign` flips it): an evaluation that shows which values sit so close to a discontinuity (Floor, a
   * comparison, an ArgMax tie, fmod) or amplify error so much that a backend's own rounding could change the result.
   */
  readonly perturb?: Partial<Record<'float32' | 'float64', number>>;
  readonly perturbSign?: 1 | -1;
  /**
   * Leave a rounding kernel's int64 result from 2^53 on as its float64 value instead of refusing it: the input
   * search asks only whether values are valid, and rejects such ones (violations.ts), so generated cases never hold them.
   */
  readonly roundInt64?: boolean;
}

/** Below this magnitude a float32 value is denormal or flushed to zero, depending on the backend. */
export const FLOAT32_TINY = 1e-30;

/**
 * The stability check's relative perturbation of computed floats: well above float32 rounding (6e-8) yet far below
 * the float32 tolerance, so only values at a discontinuity or with extreme error amplification are rejected.
 */
export const STABILITY_PERTURBATION = { float32: 2 ** -20, float64: 2 ** -46 } as const;

/**
 * The stability check's perturbation of a computed float `v`: by rel * (|v| + 1) in the direction `s`, relative with an
 * absolute floor (the two terms add; with v * (1 + rel * s) + rel * s they cancelled at v = -1, so an Erf that float32
 * rounds to exactly -1 did not move, and Atanh of it looked safe). Non-zero integers are what exact arithmetic produces
 * (a saturated clamp, Floor, a count): backends get them exactly, so they stay; a zero moves by the absolute term, and
 * a float32 value too small for float32 (or a denormal, which backends may flush) becomes 0.
 */
function perturbElement(v: number, s: 1 | -1, dtype: 'float32' | 'float64', rel: number): number {
  if (v === 0) return rel * s;
  // below float32's range a backend's float32 result is 0 (a ReduceProd of 280 values near 0.1 is 3e-124 in float64,
  // 0 in float32: Cast to bool gave 1 in the reference and 0 on every backend)
  if (dtype === 'float32' && Math.abs(v) < FLOAT32_TINY) return 0;
  return Number.isInteger(v) ? v : v + rel * s * (Math.abs(v) + 1);
}

/**
 * Operators that can turn inputs whose float64 result is exactly 0 into a non-zero float32 one: they compute through
 * intermediates of their own (x - mean(x) over equal values, a folded scale and shift, log of a rounded sum).
 */
const CANCELLING: ReadonlySet<string> = new Set([
  'BatchNormalization', 'LayerNormalization', 'InstanceNormalization', 'Softmax', 'LogSoftmax', 'ReduceLogSumExp', 'Resize',
]);

/** Whether the stability check's perturbation leaves an exact 0 of `op` where it is (all but CANCELLING). */
export function keepsZeros(op: string): boolean {
  return !CANCELLING.has(op);
}

/** Operators that normalise lanes by a mean and variance they compute from the lane itself. */
const NORMALISING: ReadonlySet<string> = new Set(['LayerNormalization', 'InstanceNormalization']);

/**
 * Elementwise operators that compute each element with at most one correctly rounded IEEE operation (a copy, a
 * compare, one add, multiply, divide or square root), or with a fixed sequence of them (Sum and Mean add their operands
 * in one order at every element): every backend gives the same bits for the same input wherever the element sits.
 * Transcendental kernels (Exp, Sigmoid, Softplus, Erf...) are not among them: vectorised implementations evaluate the
 * body of a tensor and its tail by different code, and onnxruntime's Softplus was seen to round equal inputs
 * differently at two positions, which broke an ArgMax tie the reference kept.
 */
export const ROUNDED_ONCE: ReadonlySet<string> = new Set([
  'Abs', 'Neg', 'Sqrt', 'Reciprocal', 'Floor', 'Ceil', 'Round', 'Sign', 'Relu', 'LeakyRelu', 'PRelu', 'ThresholdedRelu',
  'Cast', 'Add', 'Sub', 'Mul', 'Div', 'Mod', 'Max', 'Min', 'Sum', 'Mean', 'Equal', 'Greater', 'Less', 'GreaterOrEqual',
  'LessOrEqual', 'And', 'Or', 'Xor', 'Not', 'Where',
]);

/**
 * Output `out` of an `op` node perturbed like the stability check does. An operator that rounds nothing
 * (roundsNothing: a copy, a selection, a nearest-neighbour Resize; `attrs`, the node's) leaves it. Neither does any
 * other at an element where, from the perturbed inputs, it computes exactly 0: what
 * gives that is structure, not luck (Sqrt(0), 0 * x, x - x, Log(1), a sum of zeros), and a backend computes it exactly
 * too; only the operators in CANCELLING move a zero of their own.
 */
export function perturbOutput(op: string, node: string, out: Tensor, rel: number, sign: 1 | -1, attrs: Attrs = {}, operands = 0, alone = false): Tensor {
  if (roundsNothing(op, attrs, operands, alone)) return out;
  const dtype = out.dtype === 'float64' ? 'float64' : 'float32';
  const keepZeros = keepsZeros(op);
  // the sign alternates by element; an elementwise operator that rounds once (ROUNDED_ONCE) computes each element
  // from its inputs' alone, the same way everywhere in the tensor, so equal values in one output move alike (a tie a
  // saturated Clip made stays a tie after Sqrt), by a sign drawn from the value and the node (equal values of two
  // nodes move independently)
  const salt = ROUNDED_ONCE.has(op) ? hashString(node) : undefined;
  const data = new Float64Array(out.data.length);
  for (let i = 0; i < data.length; i++) {
    const v = out.data[i]!;
    const even = salt === undefined ? i % 2 === 0 : valueParity(v, salt) === 0;
    // by position, the amount varies too: equal values an even distance apart (two AveragePool windows over the same
    // cells, 8 elements apart, which tfjs-wasm rounded differently) move apart as well
    const scale = salt === undefined ? positionScale(i) : 1;
    data[i] = v === 0 && keepZeros ? v : perturbElement(v, even ? sign : sign === 1 ? -1 : 1, dtype, rel * scale);
  }
  return { ...out, data };
}

/**
 * Whether an operator computes nothing it could round: an exact one (a copy, a selection), a Resize that picks
 * nearest neighbours (its linear and cubic modes interpolate; `attrs`, the node's, with or without defaults), or a Sum
 * or Mean of one operand (`operands`, the node's non-empty inputs; 0 when not known), which copies it, or a node that
 * copies each element alone in its lane or window or is exact over lanes of one (`alone`: exactAlone). What the stability check's perturbation and
 * the analyses that mirror it (generators/values.ts, ties.ts) leave alone.
 */
export function roundsNothing(op: string, attrs: Attrs, operands = 0, alone = false): boolean {
  return alone || findOp(op)?.exact === true || (op === 'Resize' && (attrs['mode'] ?? 'nearest') === 'nearest') || (operands === 1 && (op === 'Sum' || op === 'Mean'));
}

/** Reductions and pools that give an element alone in its lane or window back unchanged on every backend. */
const ONE_TERM_EXACT: ReadonlySet<string> = new Set([
  'ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'GlobalMaxPool', 'GlobalAveragePool', 'MaxPool', 'AveragePool',
]);

/**
 * Whether each output element of `node` is one input element, copied (roundsNothing's `alone`): a Sum, Mean, Max, Min,
 * Prod or L1 norm of a lane of one element, a global pool over one position, a pool with a window of one and no explicit
 * padding (a padded window of one at a stride of two can sit wholly in the padding); told by the input holding as many
 * elements as the output (`inShape`, `outShape`).
 */
export function copiesAlone(node: Node, inShape: readonly number[] | undefined, outShape: readonly number[] | undefined): boolean {
  if (!inShape || !outShape || !ONE_TERM_EXACT.has(node.op) || numel(inShape) !== numel(outShape)) return false;
  if (node.op !== 'MaxPool' && node.op !== 'AveragePool') return true;
  const k = node.attrs['kernel_shape'];
  const pads = node.attrs['pads'];
  return Array.isArray(k) && k.every((d) => d === 1) && (!Array.isArray(pads) || pads.every((p) => p === 0));
}

type Shapes = ReadonlyMap<string, { readonly shape: readonly number[] }>;

/** copiesAlone for a graph node, its first input's and first output's shapes looked up by name in `types`. */
export function copiesAloneIn(node: Node, types: Shapes): boolean {
  return copiesAlone(node, types.get(node.inputs[0] ?? '')?.shape, types.get(node.outputs[0] ?? '')?.shape);
}

/**
 * Whether `node` works over lanes of one element, where its result is exact whatever the values: a Softmax of one is 1,
 * a LogSoftmax of one 0 (x - max is 0, log(exp(0)) is 0), a LayerNormalization of one its bias (x minus its own mean
 * is 0). Measured on onnxruntime-node (with and without optimisations), onnxruntime-web, tfjs-cpu and tfjs-wasm over
 * 4096 values each. Not InstanceNormalization: onnxruntime's over a 1x1 plane is off its bias by up to 1e-4 (its mean
 * of one element is not the element, and 1 / sqrt(eps) amplifies the difference).
 */
function exactOverOne(node: Node, inShape: readonly number[] | undefined): boolean {
  if (!inShape || inShape.length === 0) return false;
  // read only for the operators below (Flatten's axis may equal the rank)
  const axis = (): number => {
    const a = node.attrs['axis'];
    return normAxis(typeof a === 'number' ? a : -1, inShape.length);
  };
  switch (node.op) {
    case 'Softmax':
    case 'LogSoftmax':
      return inShape[axis()] === 1;
    case 'LayerNormalization':
      return numel(inShape.slice(axis())) === 1;
    default:
      return false;
  }
}

/**
 * roundsNothing's `alone` for a node given its first input's and output's shapes: it copies each element alone in its
 * lane or window (copiesAlone), or its lanes of one element make the result exact (exactOverOne).
 */
export function exactAlone(node: Node, inShape: readonly number[] | undefined, outShape: readonly number[] | undefined): boolean {
  return copiesAlone(node, inShape, outShape) || exactOverOne(node, inShape);
}

/** exactAlone for a graph node, its shapes looked up by name in `types`. */
export function exactAloneIn(node: Node, types: Shapes): boolean {
  return exactAlone(node, types.get(node.inputs[0] ?? '')?.shape, types.get(node.outputs[0] ?? '')?.shape);
}

/** roundsNothing for a graph node, with its operand count and whether its shapes make it exact (`types`: shapes by name). */
export function nodeRoundsNothing(node: Node, types: Shapes): boolean {
  return roundsNothing(node.op, node.attrs, operandCount(node), exactAloneIn(node, types));
}

/**
 * How many inputs of `node` are present (optional ones left out are empty names), for roundsNothing: two of one
 * tensor count as one, since x + x and (x + x) / 2 are exact (a Sum or Mean of them rounds nothing, like one of x).
 */
export function operandCount(node: Node): number {
  const xs = node.inputs.filter((x) => x !== '');
  return xs.length === 2 && xs[0] === xs[1] ? 1 : xs.length;
}

/**
 * How much the perturbation by position scales at flat index `i`: one of 1, 1.25, 1.5 and 1.75, drawn from a hash of
 * the index. With the sign alternating by index, two positions move alike only at an even distance and with equal
 * scales. `positionClass` names the combination for analyses that must know which positions move alike.
 */
function positionScale(i: number): number {
  return 1 + positionLevel(i) / 4;
}

function positionLevel(i: number): number {
  let h = Math.imul(i ^ 0x5bd1e995, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) & 3;
}

/** Positions with the same class move alike in the perturbation by position (sign parity and scale level). */
export function positionClass(i: number): number {
  return (i & 1) * 4 + positionLevel(i);
}

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);

/** A parity bit drawn from the float64 bits of `v` mixed with `salt` (murmur-style finaliser). */
function valueParity(v: number, salt: number): number {
  bits[0] = v;
  let h = (words[0]! ^ Math.imul(words[1]!, 0x9e3779b1) ^ salt) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) & 1;
}

function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * Evaluates a graph in float64 and returns every tensor it computed, intermediates included
 * (the input search and divergence localisation need them). Feeds must cover every graph input.
 */
export function interpret(graph: Graph, feeds: Readonly<Record<string, Tensor>>, opts: InterpretOptions = {}): Map<string, Tensor> {
  const env = new Map<string, Tensor>();
  for (const i of graph.initializers) env.set(i.name, i.exact ? int64Tensor(i.shape, exactValues(i.data, i.exact)) : tensor(i.dtype, i.shape, i.data));
  for (const inp of graph.inputs) {
    const t = feeds[inp.name];
    if (!t) throw new Error(`reference: no value fed for graph input '${inp.name}'`);
    env.set(inp.name, t);
  }
  for (const node of graph.nodes) {
    const spec = findOp(node.op);
    if (!spec) throw new ReferenceUnsupported(`reference: operator '${node.op}' is not implemented`);
    const attrs = withDefaults(node);
    const inputs = node.inputs.map((name) => {
      if (name === '') return undefined;
      const t = env.get(name);
      if (!t) throw new Error(`reference: ${node.op} '${node.name}' reads '${name}', which nothing produced`);
      return t;
    });
    const x = inputs[0];
    const relIn = NORMALISING.has(node.op) && x && (x.dtype === 'float32' || x.dtype === 'float64') ? opts.perturb?.[x.dtype] : undefined;
    // a normalisation subtracts a mean it computes itself: over a lane of equal values the float64 difference is exactly
    // 0, but a backend's float32 mean can be an ulp off, and 1 / sqrt(var + eps) amplifies that by up to 1 / sqrt(eps)
    // (onnxruntime-web and tfjs-wasm gave -0.8862 for a bias of -0.8875 over a plane a saturated Clip made uniform):
    // the perturbed evaluation moves the lane's elements apart by position first
    if (relIn !== undefined) inputs[0] = perturbOutput(node.op, node.name, x!, relIn, opts.perturbSign ?? 1, attrs);
    // int64 beyond 2^53 (an input's exact companion, or a rounding kernel's result from 2^53 on) goes the exact way
    const exactIn = inputs.some((t) => t?.exact !== undefined);
    let outs = exactIn ? evalExact(node, spec, inputs, attrs, graph.opset, node.outputs.length, true) : spec.reference(inputs, attrs, graph.opset, node.outputs.length);
    if (!exactIn && !opts.roundInt64 && mayRound(spec) && reachesLimit(outs)) outs = evalExact(node, spec, inputs, attrs, graph.opset, node.outputs.length, false);
    node.outputs.forEach((name, k) => {
      if (name === '') return;
      const t = outs[k];
      if (!t) throw new ReferenceUnsupported(`reference: ${node.op} output ${k} ('${name}') is not implemented`);
      const rel = t.dtype === 'float32' || t.dtype === 'float64' ? opts.perturb?.[t.dtype] : undefined;
      env.set(name, rel === undefined ? t : perturbOutput(node.op, node.name, t, rel, opts.perturbSign ?? 1, attrs, operandCount(node), exactAlone(node, x?.shape, t.shape)));
    });
  }
  return env;
}
