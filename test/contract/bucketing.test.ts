/**
 * One bug, one bucket, and no false alarm: how evaluation keys a failure, run on real backends (onnxruntime-node,
 * tfjs-wasm) and on planted ones built on onnxruntime-node (test/fixtures).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IsolatedBackend } from '../../src/backends/isolated.js';
import type { DType, Graph, Tensor } from '../../src/ir/index.js';
import { exportModel } from '../../src/onnx/index.js';
import { evaluateCase, type Evaluation } from '../../src/triage/evaluate.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const open: IsolatedBackend[] = [];
afterAll(() => Promise.all(open.map((b) => b.close())));

async function evaluate(spec: string, graph: Graph, feeds: Record<string, Tensor>): Promise<Evaluation> {
  const backend = new IsolatedBackend(spec, { timeoutMs: 60_000 });
  open.push(backend);
  await backend.start();
  const dir = mkdtempSync(join(tmpdir(), 'onnxsmith-bucketing-'));
  writeFileSync(join(dir, 'model.onnx'), exportModel(graph));
  return evaluateCase([backend], join(dir, 'model.onnx'), graph, feeds, { workDir: dir });
}

const tensor = (dtype: DType, shape: number[], data: number[]): Tensor => ({ dtype, shape, data: Float64Array.from(data) });

/** y = Abs(x) for one element type. */
const absGraph = (dtype: DType): Graph => ({
  opset: 17,
  inputs: [{ name: 'x', dtype, shape: [3] }],
  initializers: [],
  nodes: [{ op: 'Abs', name: 'abs', inputs: ['x'], outputs: ['y'], attrs: {} }],
  outputs: [{ name: 'y', dtype, shape: [3] }],
  valueInfo: [],
});

/** y = Clip(x, -3, 4) on integers: tfjs-wasm reads the int data as float32 (docs/findings.md). */
const clipGraph = (dtype: DType): Graph => ({
  opset: 17,
  inputs: [{ name: 'x', dtype, shape: [3] }],
  initializers: [
    { name: 'lo', dtype, shape: [], kind: 'constant', data: [-3] },
    { name: 'hi', dtype, shape: [], kind: 'constant', data: [4] },
  ],
  nodes: [{ op: 'Clip', name: 'clip', inputs: ['x', 'lo', 'hi'], outputs: ['y'], attrs: {} }],
  outputs: [{ name: 'y', dtype, shape: [3] }],
  valueInfo: [],
});

describe('bucket keys', () => {
  it('keep the element type when only that type is wrong', async () => {
    // shifted-abs plants its bug on float32 Abs only: the same node on float64 is right
    const e = await evaluate(`command:${join(FIXTURES, 'backends', 'shifted-abs.mjs')}`, absGraph('float32'), { x: tensor('float32', [3], [-1, 2, -3]) });
    expect(e.hits.map((h) => h.key)).toEqual([`command:${join(FIXTURES, 'backends', 'shifted-abs.mjs')}|wrong-value|run|Abs:float32`]);
    expect(e.hits[0]!.typeIsCause).toBe(true);
  });

  it('drop the element type when the bug shows on the sibling type too (one bucket for Clip:int32 and Clip:int64)', async () => {
    const keys = [];
    for (const dtype of ['int32', 'int64'] as const) {
      const e = await evaluate('tfjs-wasm', clipGraph(dtype), { x: tensor(dtype, [3], [-5, 0, 5]) });
      keys.push(...e.hits.map((h) => h.key));
    }
    expect(keys).toEqual(['tfjs-wasm|wrong-value|run|Clip', 'tfjs-wasm|wrong-value|run|Clip']);
  });
});

describe('a wrong shape', () => {
  it('is one bucket at the node whose shape left the reference, whatever fails downstream', async () => {
    // flatten-axis splits at axis + 1: [2,3,4] flattens to [6,4] instead of [2,12], and the MatMul after it fails
    const graph: Graph = {
      opset: 17,
      inputs: [{ name: 'x', dtype: 'float32', shape: [2, 3, 4] }],
      initializers: [{ name: 'w', dtype: 'float32', shape: [12, 5], kind: 'weight', data: Array.from({ length: 60 }, (_, i) => (i % 7) - 3) }],
      nodes: [
        { op: 'Flatten', name: 'flatten', inputs: ['x'], outputs: ['f'], attrs: { axis: 1 } },
        { op: 'MatMul', name: 'matmul', inputs: ['f', 'w'], outputs: ['y'], attrs: {} },
      ],
      outputs: [{ name: 'y', dtype: 'float32', shape: [2, 5] }],
      valueInfo: [{ name: 'f', dtype: 'float32', shape: [2, 12] }],
    };
    const spec = `module:${join(FIXTURES, 'planted', 'flatten-axis.mjs')}`;
    const e = await evaluate(spec, graph, { x: tensor('float32', [2, 3, 4], Array.from({ length: 24 }, (_, i) => i / 10)) });
    expect(e.hits.map((h) => [h.key, h.observed])).toEqual([[`${spec}|shape|run|Flatten`, expect.stringMatching(/error/)]]);
  });
});

describe('a load error', () => {
  it('names its operator when the failing node computes from weights alone (folded at load)', async () => {
    // onnxruntime 1.12.1 folds Neg(w) and the ReduceSum after it at load, and its ReduceSum without axes and with
    // noop_with_empty_axes = 1 fails there (corpus/ort-1-12-reducesum-noop-empty-axes)
    const graph: Graph = {
      opset: 17,
      inputs: [{ name: 'x', dtype: 'float32', shape: [2, 3] }],
      initializers: [{ name: 'w', dtype: 'float32', shape: [2, 3], kind: 'weight', data: [1, 2, 3, 4, 5, 6] }],
      nodes: [
        { op: 'Neg', name: 'neg', inputs: ['w'], outputs: ['n'], attrs: {} },
        { op: 'ReduceSum', name: 'sum', inputs: ['n'], outputs: ['s'], attrs: { noop_with_empty_axes: 1 } },
        { op: 'Add', name: 'add', inputs: ['s', 'x'], outputs: ['y'], attrs: {} },
      ],
      outputs: [{ name: 'y', dtype: 'float32', shape: [2, 3] }],
      valueInfo: [
        { name: 'n', dtype: 'float32', shape: [2, 3] },
        { name: 's', dtype: 'float32', shape: [2, 3] },
      ],
    };
    const e = await evaluate('ort-node-cpu@1.12.1', graph, { x: tensor('float32', [2, 3], [0, 0, 0, 0, 0, 0]) });
    expect(e.hits.map((h) => [h.symptom, h.op])).toEqual([['load-error', 'ReduceSum']]);
  });
});

describe('unstable divergences', () => {
  // Floor(Exp(x) * k) with k three float32 ulps below 3: the reference gives 2; a backend whose Exp is 2^-20 high
  // (within tolerance) gives 3, and the reference's own Floor on that backend's input gives 3 as well
  const k = Math.fround(3 - 3 * 2 ** -22);
  const graph: Graph = {
    opset: 17,
    inputs: [{ name: 'x', dtype: 'float32', shape: [2] }],
    initializers: [{ name: 'k', dtype: 'float32', shape: [], kind: 'constant', data: [k] }],
    nodes: [
      { op: 'Exp', name: 'exp', inputs: ['x'], outputs: ['e'], attrs: {} },
      { op: 'Mul', name: 'mul', inputs: ['e', 'k'], outputs: ['m'], attrs: {} },
      { op: 'Floor', name: 'floor', inputs: ['m'], outputs: ['y'], attrs: {} },
    ],
    outputs: [{ name: 'y', dtype: 'float32', shape: [2] }],
    valueInfo: [
      { name: 'e', dtype: 'float32', shape: [2] },
      { name: 'm', dtype: 'float32', shape: [2] },
    ],
  };

  it('are no bucket: the reference kernel on the backend inputs agrees with the backend', async () => {
    const spec = `module:${join(FIXTURES, 'backends', 'exp-ulp.mjs')}`;
    const e = await evaluate(spec, graph, { x: tensor('float32', [2], [0, 0]) });
    expect(e.verdict.kind).toBe('finding');
    expect(e.hits).toEqual([]);
    expect(e.unstable).toEqual([spec]);
  });

  it('leave a real divergence a finding', async () => {
    // the same graph far from the discontinuity on a backend whose Floor-free values are wrong
    const e = await evaluate(`command:${join(FIXTURES, 'backends', 'shifted-abs.mjs')}`, absGraph('float32'), { x: tensor('float32', [3], [1, 2, 3]) });
    expect(e.unstable).toEqual([]);
    expect(e.hits).toHaveLength(1);
  });
});
