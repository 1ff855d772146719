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
import { exportModel } from '../onnx/index.js';

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
