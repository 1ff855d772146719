import type { Graph, Tensor } from '../ir/index.js';
import { exportModel } from '../onnx/index.js';

/** A two-input float32 Add model: what availability probes load to prove a runtime and device work. */
export const PROBE_GRAPH: Graph = {
  opset: 17,
  inputs: [
    { name: 'a', dtype: 'float32', shape: [2, 3] },
    { name: 'b', dtype: 'float32', shape: [2, 3] },
  ],
  initializers: [],
  nodes: [{ op: 'Add', name: 'add', inputs: ['a', 'b'], outputs: ['c'], attrs: {} }],
  outputs: [{ name: 'c', dtype: 'float32', shape: [2, 3] }],
  valueInfo: [],
};

/** Inputs for PROBE_GRAPH, for the callers that run it rather than only load it. */
export const PROBE_FEEDS: Readonly<Record<string, Tensor>> = {
  a: { dtype: 'float32', shape: [2, 3], data: new Float64Array(6).fill(1) },
  b: { dtype: 'float32', shape: [2, 3], data: new Float64Array(6).fill(2) },
};

let bytes: Uint8Array | undefined;
export function probeModelBytes(): Uint8Array {
  bytes ??= exportModel(PROBE_GRAPH);
  return bytes;
}
