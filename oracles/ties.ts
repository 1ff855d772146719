/**
 * Tie-tolerant judging of index outputs (ArgMax, ArgMin: operators whose spec declares `picksIndex`). Two lane
 * elements within tolerance of each other are a tie as far as the comparison can tell: the backend's own rounding,
 * within tolerance, decides which one is the extreme, so either index is right. An index outside the lane, or one
 * whose element is further from the extreme's than the tolerance, is still wrong.
 */
import { findOp } from '../generators/ops/index.js';
import type { Graph, Tensor } from '../src/ir/index.js';
import { sameShape } from '../src/ir/index.js';
import { toleranceFor, type Tolerances } from './tolerance.js';

/**
 * Whether `actual` (an output of shape and dtype equal to `expected`) is a right answer for output `name` once ties
 * within tolerance are accepted; false when `name` is not an index output or the reference's input to it is unknown.
 */
export function tieTolerantMatch(graph: Graph, name: string, expected: Tensor, actual: Tensor, env: ReadonlyMap<string, Tensor> | undefined, tolerances: Tolerances): boolean {
  const node = graph.nodes.find((n) => n.outputs[0] === name);
  const axisOf = node ? findOp(node.op)?.picksIndex : undefined;
  const x = node && env ? env.get(node.inputs[0] ?? '') : undefined;
  if (!node || !axisOf || !x || !sameShape(expected.shape, actual.shape)) return false;
  const axis = axisOf(node.attrs, x.shape.length);
  const d = x.shape[axis]!;
  let inner = 1;
  for (let i = axis + 1; i < x.shape.length; i++) inner *= x.shape[i]!;
  const tol = toleranceFor(x.dtype, tolerances);
  for (let o = 0; o < expected.data.length; o++) {
    const e = expected.data[o]!;
    const a = actual.data[o]!;
    if (e === a) continue;
    if (!Number.isInteger(a) || a < 0 || a >= d) return false;
    // the output element's lane: flat index = outer * d * inner + k * inner + in
    const base = Math.floor(o / inner) * d * inner + (o % inner);
    const ve = x.data[base + e * inner]!;
    const va = x.data[base + a * inner]!;
    if (!(Math.abs(va - ve) <= tol.atol + tol.rtol * Math.abs(ve))) return false;
  }
  return true;
}
