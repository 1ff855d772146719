/**
 * Divergence localisation: re-run the culprit with every intermediate tensor exposed as an output and find the
 * first node (in graph order) whose outputs leave the reference while all of its inputs still agree. A failure
 * without outputs (an error, a crash) is localised by cutting the graph into prefixes: the shortest one that fails
 * ends with the failing node, unless the longest one that runs already shows a node whose values or shape left the
 * reference, which is then the bug and the failure only its consequence (a wrong shape that a later operator trips
 * over is one bug, not one per operator that trips).
 *
 * Two checks then keep buckets true and one per bug: the reference's own kernel for the divergent node, run on the
 * backend's inputs to it, tells a backend bug from rounding upstream that the node amplified (unstable); and the
 * same node on the sibling element type tells whether the type is the cause.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareTensor } from '../../oracles/closeness.js';
import { pathTolerances, toleranceFor, type Tolerance } from '../../oracles/tolerance.js';
import type { IsolatedBackend } from '../backends/isolated.js';
import type { Outcome } from '../backends/types.js';
import { sameShape, type DType, type Graph, type Node, type Tensor } from '../ir/index.js';
import { PROBE_FEEDS, PROBE_GRAPH } from '../backends/probe-model.js';
import { exportModel } from '../onnx/index.js';
import { interpret } from '../reference/interpreter.js';
import { cut, keepOutputs, type Candidate } from '../triage/transforms.js';

export interface Divergence {
  readonly node: string;
  readonly op: string;
  /** Element type of the first output that diverges. */
  readonly dtype: DType;
  /** Whether exposing intermediates kept the bug (fusion-dependent bugs may vanish). */
  readonly reproducedWithIntermediates: boolean;
  /**
   * What left the reference first at this node: its values or its shape. Absent when the node is where an
   * error or crash happens (nothing before it diverged).
   */
  readonly kind?: 'values' | 'shape' | 'dtype';
  /**
   * The reference's kernel for this node, run on the backend's own inputs to it, gives the backend's output: the
   * backend computed the node right, and the divergence is upstream rounding (within tolerance) amplified by a
   * discontinuity (an ArgMax tie, a Floor, a comparison). Not a bug on either side.
   */
  readonly unstable?: boolean;
}

/** The graph with every node output also a graph output (intermediates exposed). */
export function exposeIntermediates(graph: Graph): Graph {
  const outs = new Set(graph.outputs.map((o) => o.name));
  return { ...graph, outputs: [...graph.outputs, ...graph.valueInfo.filter((v) => !outs.has(v.name))], valueInfo: [] };
}

function sameValues(name: string, e: Tensor | undefined, a: Tensor | undefined, tols: ReadonlyMap<string, Tolerance>): boolean {
  if (!e || !a) return false;
  return compareTensor(name, e, a, tols.get(name) ?? toleranceFor(e.dtype)).verdict === 'match';
}

/** How an output left the reference: its dtype, its shape, or its values. */
function kindOf(e: Tensor, a: Tensor | undefined): NonNullable<Divergence['kind']> {
  if (a && e.dtype !== a.dtype) return 'dtype';
  return a && sameShape(e.shape, a.shape) ? 'values' : 'shape';
}

/**
 * Whether the reference's kernel for `n`, fed with the backend's own values of the inputs `n` computes from (the
 * exposed intermediates `seen`), reproduces the backend's outputs of `n`.
 */
function referenceAgrees(graph: Graph, n: Node, feeds: Readonly<Record<string, Tensor>>, seen: Readonly<Record<string, Tensor>>, tols: ReadonlyMap<string, Tolerance>): boolean {
  const outs = n.outputs.filter((o) => o !== '' && seen[o] !== undefined);
  const alone = nodeAlone(graph, feeds, n, outs, new Map(Object.entries(seen)));
  if (!alone) return false;
  let env: Map<string, Tensor>;
  try {
    env = interpret(alone.graph, alone.feeds);
  } catch {
    return false;
  }
  return outs.every((o) => sameValues(o, env.get(o), seen[o], tols));
}

/**
 * `node` cut out of `graph` with its outputs `outs`: the inputs other nodes compute become graph inputs holding
 * `values` (or initializers, where they come from constant initializers alone; transforms.ts `cut`). Undefined when a
 * value is missing or more than the node would remain.
 */
function nodeAlone(graph: Graph, feeds: Readonly<Record<string, Tensor>>, node: Node, outs: readonly string[], values: ReadonlyMap<string, Tensor>): Candidate | undefined {
  // only tensors the graph declares a type for can become inputs (an imported model may leave some undeclared)
  const declared = new Set([...graph.valueInfo, ...graph.outputs].map((v) => v.name));
  const computed = new Set(graph.nodes.flatMap((n) => n.outputs).filter((o) => declared.has(o)));
  const fed = node.inputs.filter((i) => i !== '' && computed.has(i));
  if (fed.some((i) => !values.has(i))) return undefined;
  const cone = keepOutputs(graph, feeds, outs);
  const alone = cone && fed.length > 0 ? cut(cone.graph, cone.feeds, values, fed) : cone;
  return alone && alone.graph.nodes.length === 1 ? alone : undefined;
}

/** The first node (graph order) with an output off the reference while every input it computes from agrees. */
function firstDivergent(graph: Graph, env: ReadonlyMap<string, Tensor>, seen: Readonly<Record<string, Tensor>>, tols: ReadonlyMap<string, Tolerance>): { node: Node; bad: string } | undefined {
  const producer = new Map<string, Node>();
  for (const n of graph.nodes) for (const o of n.outputs) producer.set(o, n);
  const ok = (name: string): boolean => !producer.has(name) || sameValues(name, env.get(name), seen[name], tols);
  for (const n of graph.nodes) {
    const bad = n.outputs.find((x) => x !== '' && seen[x] !== undefined && !ok(x));
    if (bad && n.inputs.every((i) => i === '' || ok(i))) return { node: n, bad };
  }
  return undefined;
}

/** A divergence found in a run that exposed `seen`, with the stability check done. */
function divergenceAt(graph: Graph, at: { node: Node; bad: string }, env: ReadonlyMap<string, Tensor>, feeds: Readonly<Record<string, Tensor>>, seen: Readonly<Record<string, Tensor>>, tols: ReadonlyMap<string, Tolerance>): Divergence {
  const e = env.get(at.bad)!;
  const kind = kindOf(e, seen[at.bad]);
  const unstable = kind === 'values' && referenceAgrees(graph, at.node, feeds, seen, tols);
  return { node: at.node.name, op: at.node.op, dtype: e.dtype, reproducedWithIntermediates: true, kind, ...(unstable ? { unstable } : {}) };
}

/**
 * Localises where `backend` diverges from the reference values `env` (every tensor the reference computed).
 * Falls back to the producer of the first mismatching graph output when the exposed run does not diverge.
 */
export async function localise(
  backend: IsolatedBackend,
  graph: Graph,
  env: ReadonlyMap<string, Tensor>,
  feeds: Readonly<Record<string, Tensor>>,
  actual: Readonly<Record<string, Tensor>>,
  dir: string,
  tolerances: Partial<Record<DType, Tolerance>> = {},
): Promise<Divergence | undefined> {
  const producer = new Map<string, Node>();
  for (const n of graph.nodes) for (const o of n.outputs) producer.set(o, n);
  const tols = pathTolerances(graph, tolerances);
  const exposed = exposeIntermediates(graph);
  const path = join(dir, 'exposed.onnx');
  writeFileSync(path, exportModel(exposed));
  const o = await backend.run(path, exposed, feeds, exposed.outputs.map((x) => x.name));
  if (o.kind === 'ok') {
    const at = firstDivergent(graph, env, o.outputs, tols);
    if (at) return divergenceAt(graph, at, env, feeds, o.outputs, tols);
  }
  // exposing everything made the bug vanish (it needs the unexposed graph, e.g. a fusion across those tensors):
  // walk back from the first bad output, exposing one tensor at a time, while the bug stays and the tensor is bad
  const first = graph.outputs.find((x) => !sameValues(x.name, env.get(x.name), actual[x.name], tols));
  const start = first ? producer.get(first.name) : undefined;
  if (!start || !first) return undefined;
  let n: Node = start;
  let dtype = first.dtype;
  let kind = kindOf(env.get(first.name)!, actual[first.name]);
  const outs = new Set(graph.outputs.map((x) => x.name));
  for (let runs = 0; runs < MAX_WALK_RUNS; ) {
    let moved = false;
    for (const t of n.inputs) {
      const p: Node | undefined = t === '' ? undefined : producer.get(t);
      if (!p || runs >= MAX_WALK_RUNS) continue;
      runs++;
      const one: Graph = outs.has(t) ? graph : { ...graph, outputs: [...graph.outputs, graph.valueInfo.find((v) => v.name === t)!], valueInfo: graph.valueInfo.filter((v) => v.name !== t) };
      writeFileSync(path, exportModel(one));
      const r = await backend.run(path, one, feeds, one.outputs.map((x) => x.name));
      if (r.kind !== 'ok') continue;
      const stillBad = graph.outputs.some((x) => !sameValues(x.name, env.get(x.name), r.outputs[x.name], tols));
      if (stillBad && !sameValues(t, env.get(t), r.outputs[t], tols)) {
        n = p;
        dtype = env.get(t)!.dtype;
        kind = kindOf(env.get(t)!, r.outputs[t]);
        moved = true;
        break;
      }
    }
    if (!moved) break;
  }
  return { node: n.name, op: n.op, dtype, reproducedWithIntermediates: false, kind };
}

/** Backend runs the walk back may spend on one finding. */
const MAX_WALK_RUNS = 12;

/** Backend runs a failure localisation may spend: a binary search over graph prefixes plus confirmations (each crash restarts a worker). */
const MAX_FAILURE_RUNS = 9;

/**
 * Localises a failure without outputs (an error or a crash) by cutting the graph into prefixes (graph order, every
 * output of the kept nodes exposed) and searching for the shortest one that still fails as `fails` says:
 * - if the longest prefix that runs already holds a node whose values or shape left the reference, that node is
 *   the bug (what fails later trips over it): its divergence is returned with `kind` set;
 * - otherwise the failing prefix ends with the failing node. That node alone, fed with the reference values of its
 *   inputs, must fail too, and the availability probe's model must not (a backend that fails on everything points
 *   at no operator); otherwise the failure stays unattributed.
 */
export async function localiseFailure(
  backend: IsolatedBackend,
  graph: Graph,
  env: ReadonlyMap<string, Tensor>,
  feeds: Readonly<Record<string, Tensor>>,
  fails: (o: Outcome) => boolean,
  dir: string,
  tolerances: Partial<Record<DType, Tolerance>> = {},
): Promise<Divergence | undefined> {
  const path = join(dir, 'prefix.onnx');
  const tols = pathTolerances(graph, tolerances);
  let runs = 0;
  const run = async (g: Graph, f: Readonly<Record<string, Tensor>>): Promise<Outcome> => {
    runs++;
    writeFileSync(path, exportModel(g));
    return backend.run(path, g, f, g.outputs.map((x) => x.name));
  };
  // outputs the graph declares a type for (an unused optional output may have none)
  const declared = new Set([...graph.valueInfo, ...graph.outputs].map((v) => v.name));
  const produced = (nodes: readonly Node[]): string[] => nodes.flatMap((n) => n.outputs.filter((o) => declared.has(o)));
  // the graph cut after its first m nodes, every output of those nodes exposed
  const prefix = (m: number): Candidate | undefined => keepOutputs(graph, feeds, produced(graph.nodes.slice(0, m)));
  let lo = 1;
  let hi = graph.nodes.length;
  // the outputs of the longest prefix seen to run, and its length
  let ran: { m: number; outputs: Readonly<Record<string, Tensor>> } | undefined;
  while (lo < hi && runs < MAX_FAILURE_RUNS - 3) {
    const mid = (lo + hi) >> 1;
    const p = prefix(mid);
    if (!p) return undefined;
    const o = await run(p.graph, p.feeds);
    if (fails(o)) hi = mid;
    else {
      lo = mid + 1;
      if (o.kind === 'ok' && (!ran || mid > ran.m)) ran = { m: mid, outputs: o.outputs };
    }
  }
  if (lo !== hi) return undefined;
  if (hi > 1 && ran?.m !== hi - 1) {
    const p = prefix(hi - 1);
    const o = p ? await run(p.graph, p.feeds) : undefined;
    if (o?.kind === 'ok') ran = { m: hi - 1, outputs: o.outputs };
  }
  if (ran) {
    const head: Graph = { ...graph, nodes: graph.nodes.slice(0, ran.m) };
    const at = firstDivergent(head, env, ran.outputs, tols);
    if (at) return divergenceAt(graph, at, env, feeds, ran.outputs, tols);
  }
  const node = graph.nodes[hi - 1]!;
  // the node alone, holding the reference values of its inputs; those computed from initializers alone stay
  // initializers, so a failure at load (where a runtime folds them) stays one at load
  const alone = nodeAlone(fixedWeights(graph), feeds, node, produced([node]), env);
  if (!alone || !fails(await run(alone.graph, alone.feeds))) return undefined;
  if (fails(await run(PROBE_GRAPH, PROBE_FEEDS))) return undefined;
  return { node: node.name, op: node.op, dtype: alone.graph.outputs[0]!.dtype, reproducedWithIntermediates: true };
}

/** Names the node a crash with `signal` comes from (localiseFailure for crashes). */
export async function localiseCrash(
  backend: IsolatedBackend,
  graph: Graph,
  env: ReadonlyMap<string, Tensor>,
  feeds: Readonly<Record<string, Tensor>>,
  signal: string | undefined,
  dir: string,
  tolerances: Partial<Record<DType, Tolerance>> = {},
): Promise<Divergence | undefined> {
  return localiseFailure(backend, graph, env, feeds, (o) => o.kind === 'crash' && o.signal === signal, dir, tolerances);
}

/**
 * `graph` with every initializer a constant: the input search may change weights, localisation may not, and a value
 * computed from initializers alone then stays an initializer when a node is cut out (transforms.ts `cut`).
 */
function fixedWeights(graph: Graph): Graph {
  return { ...graph, initializers: graph.initializers.map((i) => (i.kind === 'constant' ? i : { ...i, kind: 'constant' })) };
}

/** Element types a node can be rewritten to without changing its meaning. */
const SIBLING: Partial<Record<DType, DType>> = { float32: 'float64', float64: 'float32', int32: 'int64', int64: 'int32' };

/**
 * Whether the element type is the cause of a divergence at `div`: the node alone (inputs holding their reference
 * values) diverges on `backend` in its own type but not when every tensor of that type is rewritten to the sibling
 * type (float32 and float64, int32 and int64). `false` when it diverges in both (one bug whatever the type),
 * `true` when only in its own, undefined when the node alone does not show the bug or cannot be rewritten.
 */
export async function typeIsCause(
  backend: IsolatedBackend,
  graph: Graph,
  env: ReadonlyMap<string, Tensor>,
  feeds: Readonly<Record<string, Tensor>>,
  div: Divergence,
  dir: string,
  tolerances: Partial<Record<DType, Tolerance>> = {},
): Promise<boolean | undefined> {
  const node = graph.nodes.find((n) => n.name === div.node);
  const to = SIBLING[div.dtype];
  // an operator whose attributes name a type means something else on another type
  if (!node || !to || 'to' in node.attrs || 'dtype' in node.attrs) return undefined;
  const declared = new Set([...graph.valueInfo, ...graph.outputs].map((v) => v.name));
  const alone = nodeAlone(graph, feeds, node, node.outputs.filter((o) => declared.has(o)), env);
  if (!alone) return undefined;
  const path = join(dir, 'alone.onnx');
  const diverges = async (g: Graph, f: Readonly<Record<string, Tensor>>): Promise<boolean | undefined> => {
    let ref: Map<string, Tensor>;
    try {
      ref = interpret(g, f);
    } catch {
      return undefined;
    }
    writeFileSync(path, exportModel(g));
    const o = await backend.run(path, g, f, g.outputs.map((x) => x.name));
    if (o.kind !== 'ok') return undefined;
    const tols = pathTolerances(g, tolerances);
    return g.outputs.some((x) => !sameValues(x.name, ref.get(x.name), o.outputs[x.name], tols));
  };
  if ((await diverges(alone.graph, alone.feeds)) !== true) return undefined;
  const sibling = retype(alone, div.dtype, to);
  if (!sibling) return undefined;
  const other = await diverges(sibling.graph, sibling.feeds);
  return other === undefined ? undefined : !other;
}

/** `c` with every tensor of type `from` rewritten to `to` (values kept; undefined when one does not fit). */
function retype(c: Candidate, from: DType, to: DType): Candidate | undefined {
  const fits = (d: Float64Array): boolean => to !== 'int32' || d.every((v) => v >= -(2 ** 31) && v < 2 ** 31);
  const fitsList = (d: readonly number[]): boolean => fits(Float64Array.from(d));
  const ty = <T extends { dtype: DType }>(v: T): T => (v.dtype === from ? { ...v, dtype: to } : v);
  const g = c.graph;
  if (g.initializers.some((i) => i.dtype === from && (i.exact || !fitsList(i.data)))) return undefined;
  const feeds: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(c.feeds)) {
    if (t.dtype !== from) feeds[k] = t;
    else if (t.exact || !fits(t.data)) return undefined;
    // float64 values rounded to float32, as a float32 tensor holds them
    else feeds[k] = { dtype: to, shape: t.shape, data: to === 'float32' ? Float64Array.from(Float32Array.from(t.data)) : t.data };
  }
  const initializers = g.initializers.map((i) => (i.dtype !== from ? i : { ...ty(i), data: to === 'float32' ? Array.from(Float32Array.from(i.data)) : i.data }));
  return { graph: { ...g, inputs: g.inputs.map(ty), initializers, outputs: g.outputs.map(ty), valueInfo: g.valueInfo.map(ty) }, feeds, edit: `retype ${from} as ${to}` };
}
