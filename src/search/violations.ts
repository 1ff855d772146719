/**
 * What "valid values" means for a graph: under the float64 reference every intermediate tensor is finite
 * (float32 tensors also stay clear of float32 overflow) and every operator's domain constraints hold.
 */
import { findOp } from '../../generators/ops/index.js';
import { holds, type DomainConstraint } from '../../generators/ops/spec.js';

export { holds };
import type { Graph, Node, Tensor, TensorType } from '../ir/index.js';
import { broadcastIndex } from '../ir/index.js';
import { interpret, STABILITY_PERTURBATION } from '../reference/interpreter.js';
import { compareTensor } from '../../oracles/closeness.js';
import { pathTolerances } from '../../oracles/tolerance.js';

/** Largest magnitude a float32 tensor may hold: well below FLT_MAX, so backends' rounding cannot overflow it. */
export const FLOAT32_LIMIT = 1e30;

export interface Violation {
  readonly nodeIndex: number;
  readonly node: Node;
  /** Domain constraints of the node that some element breaks. */
  readonly constraints: readonly DomainConstraint[];
  /** The node's inputs are fine but an output is not finite (or overflows float32). */
  readonly nonFinite: boolean;
  /** The node's result flips under rounding a backend could do (values at a discontinuity). */
  readonly unstable?: boolean;
  /** For an unstable node: flat indices of the output elements that moved, in its first output that moved. */
  readonly moved?: readonly number[];
}

/** The stability check's relative perturbation (defined beside the perturbation itself, in the interpreter). */
export const PERTURBATION = STABILITY_PERTURBATION;

/** From here on float64 rounds integers: an int64 value this large would be compared inexactly, so it is not valid. */
const INT64_EXACT_LIMIT = 2 ** 53;

function bad(t: Tensor): boolean {
  const limit = t.dtype === 'float32' ? FLOAT32_LIMIT : t.dtype === 'int64' ? INT64_EXACT_LIMIT : Infinity;
  for (const v of t.data) if (!(Math.abs(v) < limit)) return true;
  return false;
}

/** Domain constraints of a node given its input types. */
export function nodeConstraints(n: Node, types: readonly (TensorType | undefined)[]): DomainConstraint[] {
  const spec = findOp(n.op);
  if (!spec?.domain) return [];
  const present = types.filter((t): t is TensorType => t !== undefined);
  return spec.domain(present, n.attrs);
}

/**
 * Evaluates the graph and returns the first node (in order) whose inputs break its domain or whose outputs are not
 * finite, together with every computed value; undefined violation when the values are valid everywhere.
 */
export function firstViolation(graph: Graph, feeds: Readonly<Record<string, Tensor>>): { violation?: Violation; env: Map<string, Tensor> } {
  const env = interpret(graph, feeds, { roundInt64: true });
  for (const [nodeIndex, n] of graph.nodes.entries()) {
    const ins = n.inputs.map((x) => (x === '' ? undefined : env.get(x)));
    const broken = nodeConstraints(n, ins).filter((c) => {
      const t = ins[c.input];
      return t !== undefined && t.data.some((v) => !holds(c, v));
    });
    const nonFinite = n.outputs.some((o) => o !== '' && bad(env.get(o)!));
    if (broken.length > 0 || nonFinite) return { violation: { nodeIndex, node: n, constraints: broken, nonFinite }, env };
  }
  // valid, but is it stable? the first node whose outputs move under a perturbation of every float result
  const tols = pathTolerances(graph);
  // both signs, always: perturbations alternate in sign by element, so each sign exposes its own elements
  let first: { index: number; moved: number[] } | undefined;
  for (const perturbSign of [1, -1] as const) {
    const v = firstMoved(graph, env, interpret(graph, feeds, { perturb: PERTURBATION, perturbSign, roundInt64: true }), tols);
    if (!v) continue;
    if (!first || v.index < first.index) first = v;
    else if (v.index === first.index) first = { index: v.index, moved: [...new Set([...first.moved, ...v.moved])] };
  }
  const tie = nearTie(graph, env);
  if (tie && (!first || tie.index <= first.index)) first = tie;
  if (first) {
    return { violation: { nodeIndex: first.index, node: graph.nodes[first.index]!, constraints: [], nonFinite: false, unstable: true, moved: first.moved }, env };
  }
  return { env };
}

/**
 * The first Equal of floats with operands that differ by less than the perturbation: rounding to float32 can make them
 * equal (Equal(ReduceMax(Erf(x)), 1) with erf(4.2) = 1 - 2e-9 in float64, exactly 1 in float32 on every backend),
 * which the perturbed evaluation, moving each value by a relative amount, never shows.
 */
function nearTie(graph: Graph, env: ReadonlyMap<string, Tensor>): { index: number; moved: number[] } | undefined {
  for (const [index, n] of graph.nodes.entries()) {
    if (n.op !== 'Equal') continue;
    const a = env.get(n.inputs[0] ?? '');
    const b = env.get(n.inputs[1] ?? '');
    const out = env.get(n.outputs[0] ?? '');
    if (!a || !b || !out || (a.dtype !== 'float32' && a.dtype !== 'float64')) continue;
    const rel = PERTURBATION[a.dtype];
    const ia = broadcastIndex(a.shape, out.shape);
    const ib = broadcastIndex(b.shape, out.shape);
    const moved: number[] = [];
    for (let i = 0; i < out.data.length; i++) {
      const x = a.data[ia[i]!]!;
      const y = b.data[ib[i]!]!;
      if (x !== y && Math.abs(x - y) <= rel * (Math.abs(x) + Math.abs(y) + 1)) moved.push(i);
    }
    if (moved.length > 0) return { index, moved };
  }
  return undefined;
}

function firstMoved(
  graph: Graph,
  env: ReadonlyMap<string, Tensor>,
  moved: ReadonlyMap<string, Tensor>,
  tols: ReadonlyMap<string, { rtol: number; atol: number }>,
): { index: number; moved: number[] } | undefined {
  const far = (name: string): number[] | undefined => {
    const a = env.get(name);
    const b = moved.get(name);
    if (!a || !b) return undefined;
    const t = tols.get(name) ?? { rtol: 0, atol: 0 };
    // half the comparison tolerance: a value this sensitive is too close to call
    const tol = { rtol: t.rtol / 2, atol: t.atol / 2 };
    if (compareTensor(name, a, b, tol).verdict === 'match') return undefined;
    const idx: number[] = [];
    for (let i = 0; i < a.data.length; i++) {
      const e = a.data[i]!;
      const m = b.data[i]!;
      if (e === m || (Number.isNaN(e) && Number.isNaN(m))) continue;
      if (!(Math.abs(m - e) <= tol.atol + tol.rtol * Math.abs(e))) idx.push(i);
    }
    return idx;
  };
  for (const [index, n] of graph.nodes.entries()) {
    for (const o of n.outputs) {
      const idx = o === '' ? undefined : far(o);
      if (idx) return { index, moved: idx };
    }
  }
  return undefined;
}
