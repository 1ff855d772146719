import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IsolatedBackend } from '../../src/backends/isolated.js';
import { localise } from '../../src/campaign/localise.js';
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
