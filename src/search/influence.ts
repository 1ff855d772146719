/**
 * Which element of a leaf (a graph input or weight) each element of a tensor downstream reads, one per element: what
 * the search's mutations redraw to change an offending element when the leaf's shape differs from the offending
 * tensor's (an exponent broadcast along an axis, a lane of a reduction). Elementwise operators follow their broadcast,
 * copies their own kernels (run on the indices), reductions the first element of each lane that reads the leaf, and
 * operators that keep their input's shape (Softmax, LayerNormalization, CumSum) each element's own position.
 */
import { findOp } from '../../generators/ops/index.js';
import { ELEMENTWISE_MAPS } from '../../generators/ops/ranges.js';
import { reducedAxes } from '../../generators/ops/reduce.js';
import { LANE_REDUCTIONS, lanesOf, MOVES } from '../../generators/ties.js';
import type { Graph, Initializer, Tensor, TensorType } from '../ir/index.js';
import { broadcastIndex, numel } from '../ir/index.js';
import { withDefaults } from '../reference/interpreter.js';

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
  if (ELEMENTWISE_MAPS.has(node.op) || node.op === 'Clip') {
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
  const attrs = withDefaults(node);
  if (MOVES.has(node.op)) {
    const data = node.op === 'Concat' ? node.inputs.map(() => true) : node.inputs.map((_, i) => i === 0);
    const args: (Tensor | undefined)[] = [];
    for (const [i, x] of node.inputs.entries()) {
      const t = types.get(x);
      if (x === '' || !t) args.push(undefined);
      else if (data[i]) {
        const m = env.get(x) ?? new Int32Array(numel(t.shape));
        args.push({ dtype: t.dtype === 'bool' ? 'int32' : t.dtype, shape: [...t.shape], data: Float64Array.from(m) });
      } else {
        const c = constants.get(x);
        if (!c) return [];
        args.push({ dtype: c.dtype, shape: [...c.shape], data: Float64Array.from(c.data) });
      }
    }
    // linear and cubic Resize mix elements: only nearest copies
    if (node.op === 'Resize' && (attrs['mode'] ?? 'nearest') !== 'nearest') return [];
    return spec.reference(args, attrs, opset, node.outputs.length).map((t) => Int32Array.from(t.data, (v) => (Number.isInteger(v) && v > 0 ? v : 0)));
  }
  const x = env.get(node.inputs[0] ?? '');
  const xt = types.get(node.inputs[0] ?? '');
  if (!x || !xt) return [];
  if (LANE_REDUCTIONS.has(node.op)) {
    const rank = xt.shape.length;
    let axes: readonly number[] | null | string;
    if (node.op === 'ArgMax' || node.op === 'ArgMin') axes = [((((attrs['axis'] as number | undefined) ?? 0) % rank) + rank) % rank];
    else {
      const a = node.inputs[1] ? constants.get(node.inputs[1]) : undefined;
      if (node.inputs[1] && !a) return [];
      axes = reducedAxes(node.op, rank, a ? { dtype: a.dtype, shape: [...a.shape], data: a.data } : undefined, attrs);
    }
    if (axes === null || typeof axes === 'string') return [];
    const lanes = lanesOf(xt.shape, axes);
    if (lanes.length !== n) return [];
    return [Int32Array.from(lanes, (lane) => x[lane.find((k) => x[k]! > 0) ?? lane[0]!]!)];
  }
  // operators that keep their input's shape: each element's own position
  if (numel(xt.shape) === n) return [x];
  return [];
}
