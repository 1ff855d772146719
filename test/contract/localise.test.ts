import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IsolatedBackend } from '../../src/backends/isolated.js';
import { localise, localiseCrash } from '../../src/campaign/localise.js';
import type { Graph, Tensor } from '../../src/ir/index.js';
import { exportModel } from '../../src/onnx/index.js';
import { interpret } from '../../src/reference/interpreter.js';

const f32 = (shape: number[], data: number[]): Tensor => ({ dtype: 'float32', shape, data: Float64Array.from(data) });

/**
 * onnxruntime's optimiser folds a Transpose into a MatMul with a 1-D second input and then ignores it
 * (corpus/ort-transpose-matmul-vector). Exposing the Transpose's output stops the fold, so the bug vanishes when
 * every intermediate is exposed: localisation must walk back from the bad output instead.
 */
const graph: Graph = {
  opset: 17,
  inputs: [{ name: 'x', dtype: 'float32', shape: [2, 3] }, { name: 'v', dtype: 'float32', shape: [2] }],
  initializers: [],
  nodes: [
    { op: 'Transpose', name: 'transpose', inputs: ['x'], outputs: ['xt'], attrs: { perm: [1, 0] } },
    { op: 'MatMul', name: 'matmul', inputs: ['xt', 'v'], outputs: ['m'], attrs: {} },
    { op: 'Concat', name: 'concat', inputs: ['m', 'm'], outputs: ['y'], attrs: { axis: 0 } },
  ],
  outputs: [{ name: 'y', dtype: 'float32', shape: [6] }],
  valueInfo: [{ name: 'xt', dtype: 'float32', shape: [3, 2] }, { name: 'm', dtype: 'float32', shape: [3] }],
};
const feeds = { x: f32([2, 3], [1, 2, 3, 4, 5, 6]), v: f32([2], [1, 10]) };

describe('divergence localisation', () => {
  const backend = new IsolatedBackend('ort-node-cpu', { timeoutMs: 30_000 });
  afterAll(() => backend.close());

  it('names the node where values first go wrong even when exposing intermediates hides the bug', async () => {
    await backend.start();
    const dir = mkdtempSync(join(tmpdir(), 'onnxsmith-localise-'));
    writeFileSync(join(dir, 'model.onnx'), exportModel(graph));
    const out = await backend.run(join(dir, 'model.onnx'), graph, feeds, ['y']);
    expect(out.kind).toBe('ok');
    if (out.kind !== 'ok') return;
    const env = interpret(graph, feeds);
    expect(Array.from(out.outputs.y!.data)).not.toEqual(Array.from(env.get('y')!.data));
    const d = await localise(backend, graph, env, feeds, out.outputs, dir);
    expect(d).toMatchObject({ op: 'MatMul', node: 'matmul', dtype: 'float32', reproducedWithIntermediates: false });
  });
});

/**
 * onnxruntime kills the process with SIGFPE on int32 Div(INT_MIN, -1) (corpus/ort-div-int-min-sigfpe). A crash has
 * no values to compare, so localisation cuts the graph down: the shortest crashing prefix ends with the Div, which
 * crashes alone too, while a control model does not.
 */
describe('crash localisation', () => {
  const i32 = (shape: number[], data: number[]): Tensor => ({ dtype: 'int32', shape, data: Float64Array.from(data) });
  const g: Graph = {
    opset: 17,
    inputs: [{ name: 'x', dtype: 'int32', shape: [2] }, { name: 'c', dtype: 'int32', shape: [2] }, { name: 'd', dtype: 'int32', shape: [2] }],
    initializers: [],
    nodes: [
      { op: 'Neg', name: 'neg', inputs: ['x'], outputs: ['n'], attrs: {} },
      { op: 'Add', name: 'add', inputs: ['n', 'c'], outputs: ['s'], attrs: {} },
      { op: 'Abs', name: 'abs', inputs: ['c'], outputs: ['a'], attrs: {} },
      { op: 'Div', name: 'div', inputs: ['s', 'd'], outputs: ['q'], attrs: {} },
      { op: 'Mul', name: 'mul', inputs: ['q', 'a'], outputs: ['y'], attrs: {} },
    ],
    outputs: [{ name: 'y', dtype: 'int32', shape: [2] }],
    valueInfo: ['n', 's', 'a', 'q'].map((name) => ({ name, dtype: 'int32' as const, shape: [2] })),
  };
  // Neg(2147483647) + (-1) = INT_MIN, then INT_MIN / -1
  const f = { x: i32([2], [2147483647, 5]), c: i32([2], [-1, 1]), d: i32([2], [-1, 1]) };

  /** Runs the graph on `spec` (it must crash) and localises the crash. */
  const crashAndLocalise = async (spec: string) => {
    const backend = new IsolatedBackend(spec, { timeoutMs: 30_000 });
    try {
      const dir = mkdtempSync(join(tmpdir(), 'onnxsmith-localise-'));
      writeFileSync(join(dir, 'model.onnx'), exportModel(g));
      const out = await backend.run(join(dir, 'model.onnx'), g, f, ['y']);
      expect(out.kind).toBe('crash');
      return await localiseCrash(backend, g, interpret(g, f), f, out.kind === 'crash' ? out.signal : undefined, dir);
    } finally {
      await backend.close();
    }
  };

  it('names the operator a crash comes from', async () => {
    expect(await crashAndLocalise('ort-node-cpu')).toMatchObject({ node: 'div', op: 'Div', dtype: 'int32' });
  }, 120_000);

  it('names no operator when the backend crashes on everything', async () => {
    expect(await crashAndLocalise(`module:${join(import.meta.dirname, '../fixtures/backends/abort.mjs')}`)).toBeUndefined();
  }, 120_000);
});
