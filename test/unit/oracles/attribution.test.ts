import { describe, expect, it } from 'vitest';
import { attribute } from '../../../oracles/attribution.js';
import type { Outcome } from '../../../src/backends/types.js';
import type { Graph, Tensor } from '../../../src/ir/index.js';
import { interpret } from '../../../src/reference/interpreter.js';

const f32 = (shape: number[], data: number[]): Tensor => ({ dtype: 'float32', shape, data: Float64Array.from(data) });
const i64 = (shape: number[], data: number[]): Tensor => ({ dtype: 'int64', shape, data: Float64Array.from(data) });

/** ArgMax over axis 1 of a [2,3] input, keepdims 0. */
const graph: Graph = {
  opset: 17,
  inputs: [{ name: 'x', dtype: 'float32', shape: [2, 3] }],
  initializers: [],
  nodes: [{ op: 'ArgMax', name: 'argmax', inputs: ['x'], outputs: ['i'], attrs: { axis: 1, keepdims: 0 } }],
  outputs: [{ name: 'i', dtype: 'int64', shape: [2] }],
  valueInfo: [],
};

function verdictFor(x: number[], picked: number[]): string {
  const feeds = { x: f32([2, 3], x) };
  const env = interpret(graph, feeds);
  const reference: Outcome = { kind: 'ok', outputs: { i: env.get('i')! }, timings: { loadMs: 0, runMs: 0 } };
  const backend: Outcome = { kind: 'ok', outputs: { i: i64([2], picked) }, timings: { loadMs: 0, runMs: 0 } };
  return attribute(graph, reference, [{ backend: 'b', version: '1', outcome: backend }], {}, env).kind;
}

describe('index outputs are judged tie-tolerantly', () => {
  it('accept an index whose element is within tolerance of the extreme', () => {
    // lane 0: 1 and 1 + 1e-5 tie within float32 tolerance; the reference picks index 2, the backend index 0
    expect(verdictFor([1, 0, 1 + 1e-5, 5, 7, 6], [0, 1])).toBe('pass');
  });

  it('reject an index whose element is clearly not the extreme, or outside the lane', () => {
    expect(verdictFor([1, 0, 2, 5, 7, 6], [0, 1])).toBe('finding');
    expect(verdictFor([1, 0, 2, 5, 7, 6], [2, 3])).toBe('finding');
  });

  it('need the reference intermediates: without them an index is judged exactly', () => {
    const feeds = { x: f32([2, 3], [1, 0, 1 + 1e-5, 5, 7, 6]) };
    const env = interpret(graph, feeds);
    const reference: Outcome = { kind: 'ok', outputs: { i: env.get('i')! }, timings: { loadMs: 0, runMs: 0 } };
    const backend: Outcome = { kind: 'ok', outputs: { i: i64([2], [0, 1]) }, timings: { loadMs: 0, runMs: 0 } };
    expect(attribute(graph, reference, [{ backend: 'b', version: '1', outcome: backend }]).kind).toBe('finding');
  });
});

describe('attribution', () => {
  const out = (v: number[]): Outcome => ({ kind: 'ok', outputs: { i: i64([2], v) }, timings: { loadMs: 0, runMs: 0 } });
  const g: Graph = { ...graph, nodes: [{ op: 'ArgMax', name: 'argmax', inputs: ['x'], outputs: ['i'], attrs: { axis: 1, keepdims: 0 } }] };
  const feeds = { x: f32([2, 3], [1, 0, 2, 5, 7, 6]) };
  const reference: Outcome = { kind: 'ok', outputs: { i: interpret(g, feeds).get('i')! }, timings: { loadMs: 0, runMs: 0 } };

  it("counts onnxruntime's CPU kernels as one witness: three builds of them agreeing is a finding, not a harness bug", () => {
    const ort = ['ort-node-cpu', 'ort-node-cpu-noopt@1.30.0', 'ort-web-wasm'].map((backend) => ({ backend, version: '1', outcome: out([0, 0]) }));
    const v = attribute(g, reference, ort);
    expect(v.kind).toBe('finding');
    expect(v.kind === 'finding' ? v.culprits.map((c) => c.backend) : []).toEqual(['ort-node-cpu', 'ort-node-cpu-noopt@1.30.0', 'ort-web-wasm']);
  });

  it('still calls independent backends that agree against the reference a harness bug', () => {
    const two = ['ort-node-cpu', 'tfjs-cpu'].map((backend) => ({ backend, version: '1', outcome: out([0, 0]) }));
    expect(attribute(g, reference, two).kind).toBe('harness-bug');
  });
});
