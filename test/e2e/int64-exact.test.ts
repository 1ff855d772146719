import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Graph } from '../../src/ir/index.js';
import { int64Tensor } from '../../src/ir/index.js';
import { encodeTensor, exportModel } from '../../src/onnx/index.js';
import { onnxsmith } from '../helpers/cli.js';

const BIG = 2n ** 53n + 1n;

/** x + w (w holding 2^53 + 1), reshaped to [2,2] and its rows gathered in reverse: int64 beyond 2^53 all the way. */
function int64Graph(): Graph {
  const i64 = (name: string, shape: number[]) => ({ name, dtype: 'int64' as const, shape });
  const w = [BIG, -BIG, 2n ** 62n + 3n, 7n];
  return {
    opset: 17,
    inputs: [i64('x', [4])],
    initializers: [
      { ...i64('w', [4]), kind: 'weight', data: w.map(Number), exact: w.map(String) },
      { ...i64('shape', [2]), kind: 'constant', data: [2, 2] },
      { ...i64('rows', [2]), kind: 'constant', data: [1, 0] },
    ],
    nodes: [
      { op: 'Add', name: 'add', inputs: ['x', 'w'], outputs: ['s'], attrs: {} },
      { op: 'Reshape', name: 'reshape', inputs: ['s', 'shape'], outputs: ['r'], attrs: {} },
      { op: 'Gather', name: 'gather', inputs: ['r', 'rows'], outputs: ['y'], attrs: { axis: 0 } },
    ],
    outputs: [i64('y', [2, 2])],
    valueInfo: [i64('s', [4]), i64('r', [2, 2])],
  };
}

function caseDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'onnxsmith-int64-'));
  writeFileSync(join(dir, 'model.onnx'), exportModel(int64Graph()));
  return dir;
}

describe('int64 beyond 2^53', () => {
  it('reference and onnxruntime agree on an Add/Reshape/Gather of 2^53 + 1 (no false DISAGREE)', () => {
    const dir = caseDir();
    const r = onnxsmith(['run', join(dir, 'model.onnx'), '--backends', 'reference,ort-node-cpu']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/baseline: reference/);
    expect(r.stdout).not.toMatch(/DISAGREE/);
  });

  it('keeps exact input values read from --inputs, and --json writes them as strings', () => {
    const dir = caseDir();
    const inputs = join(dir, 'inputs');
    mkdirSync(inputs);
    writeFileSync(join(inputs, 'x.pb'), encodeTensor('x', int64Tensor([4], BigInt64Array.from([1n, 2n ** 53n + 3n, -(2n ** 60n) - 1n, 0n]))));
    const r = onnxsmith(['run', join(dir, 'model.onnx'), '--inputs', inputs, '--backends', 'reference,ort-node-cpu', '--json']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const j = JSON.parse(r.stdout) as { reports: { backend: string; verdict: string; outcome: { outputs?: { y: { exact?: string[] } } } }[] };
    expect(j.reports.map((x) => x.verdict).sort()).toEqual(['agree', 'baseline']);
    const ref = j.reports.find((x) => x.backend === 'reference')!;
    // rows reversed: [x2 + w2, x3 + w3, x0 + w0, x1 + w1]
    expect(ref.outcome.outputs?.y.exact).toEqual([String(2n ** 62n + 3n - 2n ** 60n - 1n), '7', String(BIG + 1n), String(-BIG + 2n ** 53n + 3n)]);
  });

  it('an operator the reference cannot follow exactly is unsupported there, not a disagreement', () => {
    const g = int64Graph();
    const graph: Graph = {
      ...g,
      nodes: [...g.nodes, { op: 'ReduceSum', name: 'sum', inputs: ['y'], outputs: ['z'], attrs: { keepdims: 0 } }],
      outputs: [{ name: 'z', dtype: 'int64', shape: [] }],
      valueInfo: [...g.valueInfo, { name: 'y', dtype: 'int64', shape: [2, 2] }],
    };
    const dir = mkdtempSync(join(tmpdir(), 'onnxsmith-int64-'));
    writeFileSync(join(dir, 'model.onnx'), exportModel(graph));
    const r = onnxsmith(['run', join(dir, 'model.onnx'), '--backends', 'reference,ort-node-cpu']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/reference: unsupported.*ReduceSum 'sum' cannot be computed exactly/);
    expect(r.stdout).not.toMatch(/DISAGREE/);
  });

  it('names the file when an input is not a TensorProto', () => {
    const dir = caseDir();
    const inputs = join(dir, 'inputs');
    mkdirSync(inputs);
    // bytes that protobuf decodes into an empty message (field 15, a varint): no element type
    writeFileSync(join(inputs, 'x.pb'), Uint8Array.from([0x78, 0x01, 0x78, 0x02]));
    const r = onnxsmith(['run', join(dir, 'model.onnx'), '--inputs', inputs, '--backends', 'reference']);
    expect(r.code).not.toBe(0);
    expect(r.stderr + r.stdout).toMatch(/x\.pb: not a valid TensorProto \(it has no element type\)/);
    expect(r.stderr + r.stdout).not.toMatch(/UNDEFINED/);
  });
});
