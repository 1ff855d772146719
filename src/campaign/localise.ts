/**
 * Divergence localisation: re-run the culprit with every intermediate tensor exposed as an output and find the
 * first node (in graph order) whose outputs leave the reference while all of its inputs still agree.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareTensor } from '../../oracles/closeness.js';
import { pathTolerances, toleranceFor, type Tolerance } from '../../oracles/tolerance.js';
import type { IsolatedBackend } from '../backends/isolated.js';
import type { DType, Graph, Node, Tensor } from '../ir/index.js';
import { PROBE_FEEDS, PROBE_GRAPH } from '../backends/probe-model.js';
import { exportModel } from '../onnx/index.js';
import { cut, keepOutputs, type Candidate } from '../triage/transforms.js';

export interface Divergence {
  readonly node: string;
  readonly op: string;
  /** Element type of the first output that diverges. */
  readonly dtype: DType;
  /** Whether exposing intermediates kept the bug (fusion-dependent bugs may vanish). */
  readonly reproducedWithIntermediates: boolean;
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
    const ok = (name: string): boolean => !producer.has(name) || sameValues(name, env.get(name), o.outputs[name], tols);
    for (const n of graph.nodes) {
      const bad = n.outputs.find((x) => x !== '' && !ok(x));
      if (bad && n.inputs.every((i) => i === '' || ok(i))) {
        return { node: n.name, op: n.op, dtype: env.get(bad)!.dtype, reproducedWithIntermediates: true };
      }
    }
  }
  // exposing everything made the bug vanish (it needs the unexposed graph, e.g. a fusion across those tensors):
  // walk back from the first bad output, exposing one tensor at a time, while the bug stays and the tensor is bad
  const first = graph.outputs.find((x) => !sameValues(x.name, env.get(x.name), actual[x.name], tols));
  const start = first ? producer.get(first.name) : undefined;
  if (!start || !first) return undefined;
  let n: Node = start;
  let dtype = first.dtype;
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
        moved = true;
        break;
      }
    }
    if (!moved) break;
  }
  return { node: n.name, op: n.op, dtype, reproducedWithIntermediates: false };
}

/** Backend runs the walk back may spend on one finding. */
const MAX_WALK_RUNS = 12;

/** Backend runs a crash localisation may spend: a binary search over graph prefixes plus two confirmations. */
const MAX_CRASH_RUNS = 8;

/**
 * Names the node a crash comes from: the shortest prefix of the graph (in graph order) that still crashes
 * `backend` the same way, found by binary search, ends with it. The node alone, fed with the reference values
 * of its inputs, must crash too, and the availability probe's model must not (a backend that crashes on everything points at
 * no operator); otherwise the crash stays unattributed. Each crash restarts the backend's worker, so the
 * search is bounded (MAX_CRASH_RUNS).
 */
export async function localiseCrash(
  backend: IsolatedBackend,
  graph: Graph,
  env: ReadonlyMap<string, Tensor>,
  feeds: Readonly<Record<string, Tensor>>,
  signal: string | undefined,
  dir: string,
): Promise<Divergence | undefined> {
  const path = join(dir, 'crash.onnx');
  let runs = 0;
  const crashes = async (g: Graph, f: Readonly<Record<string, Tensor>>): Promise<boolean> => {
    runs++;
    writeFileSync(path, exportModel(g));
    const o = await backend.run(path, g, f, g.outputs.map((x) => x.name));
    return o.kind === 'crash' && o.signal === signal;
  };
  // outputs the graph declares a type for (an unused optional output may have none)
  const declared = new Set([...graph.valueInfo, ...graph.outputs].map((v) => v.name));
  const produced = (nodes: readonly Node[]): string[] => nodes.flatMap((n) => n.outputs.filter((o) => declared.has(o)));
  // the graph cut after its first m nodes, every output of those nodes exposed
  const prefix = (m: number): Candidate | undefined => keepOutputs(graph, feeds, produced(graph.nodes.slice(0, m)));
  let lo = 1;
  let hi = graph.nodes.length;
  while (lo < hi && runs < MAX_CRASH_RUNS - 2) {
    const mid = (lo + hi) >> 1;
    const p = prefix(mid);
    if (!p) return undefined;
    if (await crashes(p.graph, p.feeds)) hi = mid;
    else lo = mid + 1;
  }
  if (lo !== hi) return undefined;
  const node = graph.nodes[hi - 1]!;
  // the node alone: its computed inputs cut into graph inputs holding their reference values
  const cone = keepOutputs(graph, feeds, produced([node]));
  const computed = new Set(produced(graph.nodes));
  const fed = node.inputs.filter((i) => computed.has(i));
  const alone = cone && fed.length > 0 ? cut(cone.graph, cone.feeds, env, fed) : cone;
  if (!alone || alone.graph.nodes.length !== 1 || !(await crashes(alone.graph, alone.feeds))) return undefined;
  if (await crashes(PROBE_GRAPH, PROBE_FEEDS)) return undefined;
  return { node: node.name, op: node.op, dtype: alone.graph.outputs[0]!.dtype, reproducedWithIntermediates: true };
}
