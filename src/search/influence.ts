/**
 * Which element of a leaf (a graph input or weight) each element of a tensor downstream reads, one per element: what
 * the search's mutations redraw to change an offending element when the leaf's shape differs from the offending
 * tensor's (an exponent broadcast along an axis, a lane of a reduction). Elementwise operators follow their broadcast,
 * copies their own kernels (run on the indices), reductions the first element of each lane that reads the leaf, and
 * operators that keep their input's shape (Softmax, LayerNormalization, CumSum) each element's own position.
 */
import { findOp } from '../../generators/ops/index.js';
import { ELEMENTWISE_MAPS } from '../../generators/ops/ranges.js';
import { copySources, LANE_REDUCTIONS, laneAxes, lanesOf, MOVES } from '../../generators/ties.js';
import type { Graph, Initializer, TensorType } from '../ir/index.js';
import { broadcastIndex, numel } from '../ir/index.js';

/**
 * For each element of `target`, 1 + the flat index of the element of `leaf` it reads, or 0 where none is known;
 * undefined when `target` does not read `leaf` along operators this follows.
 */
export function leafIndexMap(graph: Graph, types: ReadonlyMap<string, TensorType>, leaf: string, target: string): Int32Array | undefined {
  const leafType = types.get(leaf);
  if (!leafType) return undefined;
  const env = new Map<string, Int32Array>([[leaf, Int32Array.from({ length: numel(leafType.shape) }, (_, k) => k + 1)]]);
  if (leaf === target) return env.get(leaf);
  const constants = new Map<string, Initializer>(graph.initializers.filter((c) => c.kind === 'constant').map((c) => [c.name, c]));
  for (const node of graph.nodes) {
    if (!node.inputs.some((x) => env.has(x))) continue;
    let outs: (Int32Array | undefined)[] = [];
    try {
      outs = followNode(graph.opset, node, env, types, constants);
    } catch {
      outs = [];
    }
    node.outputs.forEach((o, k) => {
      const m = outs[k];
      if (o !== '' && m) env.set(o, m);
    });
    if (env.has(target)) return env.get(target);
  }
  return undefined;
}

function followNode(
  opset: number,
  node: Graph['nodes'][number],
  env: ReadonlyMap<string, Int32Array>,
  types: ReadonlyMap<string, TensorType>,
  constants: ReadonlyMap<string, Initializer>,
): (Int32Array | undefined)[] {
  const spec = findOp(node.op);
  const out = types.get(node.outputs[0] ?? '');
  if (!spec || !out) return [];
  const n = numel(out.shape);
  if (ELEMENTWISE_MAPS.has(node.op)) {
    const maps = node.inputs.map((x) => {
      const m = env.get(x);
      const t = types.get(x);
      return m && t ? { m, b: broadcastIndex(t.shape, out.shape) } : undefined;
    });
    const r = new Int32Array(n);
    for (let j = 0; j < n; j++) {
      for (const x of maps) {
        if (x && x.m[x.b[j]!]! > 0) {
          r[j] = x.m[x.b[j]!]!;
          break;
        }
      }
    }
    return [r];
  }
  if (MOVES.has(node.op)) {
    const sources = copySources(node, opset, types, constants);
    if (!sources) return [];
    // the maps of the data inputs one after the other, as copySources counts them (0 where one reads no leaf)
    const data = (node.op === 'Concat' ? node.inputs : node.inputs.slice(0, 1)).filter((x) => x !== '');
    const all = data.flatMap((x) => Array.from(env.get(x) ?? new Int32Array(numel(types.get(x)?.shape ?? []))));
    return sources.map((src) => Int32Array.from(src, (k) => (k > 0 ? all[k - 1]! : 0)));
  }
  const x = env.get(node.inputs[0] ?? '');
  const xt = types.get(node.inputs[0] ?? '');
  if (!x || !xt) return [];
  if (LANE_REDUCTIONS.has(node.op)) {
    const axes = laneAxes(node, xt.shape.length, constants);
    if (!axes) return [];
    const lanes = lanesOf(xt.shape, axes);
    if (lanes.length !== n) return [];
    return [Int32Array.from(lanes, (lane) => x[lane.find((k) => x[k]! > 0) ?? lane[0]!]!)];
  }
  // operators that keep their input's shape: each element's own position
  if (numel(xt.shape) === n) return [x];
  return [];
}
