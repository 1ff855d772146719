/** Small hand-built graphs for unit tests: named nodes that each write one tensor. */
import type { DType, Graph, Initializer, Node, ValueInfo } from '../../src/ir/index.js';

export type Shape = { dtype: DType; shape: number[] };
export const f32 = (shape: number[]): Shape => ({ dtype: 'float32', shape });

/**
 * A graph from named nodes, in order; `types` gives every produced tensor's type (float32 of `shape` when missing).
 * Produced tensors nothing reads are the outputs, the rest value infos.
 */
export function chain(
  inputs: readonly ValueInfo[],
  nodes: readonly { op: string; ins: string[]; out: string; attrs?: Node['attrs'] }[],
  shape: number[],
  types: Readonly<Record<string, Shape>> = {},
  initializers: readonly Initializer[] = [],
): Graph {
  const consumed = new Set(nodes.flatMap((n) => n.ins));
  const produced = nodes.map((n) => ({ name: n.out, ...(types[n.out] ?? f32(shape)) }));
  return {
    opset: 17,
    inputs: [...inputs],
    initializers: [...initializers],
    nodes: nodes.map((n, i) => ({ op: n.op, name: `n${i}`, inputs: n.ins, outputs: [n.out], attrs: n.attrs ?? {} })),
    outputs: produced.filter((t) => !consumed.has(t.name)),
    valueInfo: produced.filter((t) => consumed.has(t.name)),
  };
}
