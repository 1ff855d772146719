import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeTensor } from '../../src/onnx/index.js';
import { onnxsmith } from '../helpers/cli.js';
import { externalDataModel, graphWith, modelWith, unknownOpModel } from '../helpers/models.js';
import { exportModel } from '../../src/onnx/index.js';

const fixtures = join(import.meta.dirname, '../fixtures/backends');
const abortB = `module:${join(fixtures, 'abort.mjs')}`;
const hangB = `module:${join(fixtures, 'hang.mjs')}`;
const shifted = `command:${join(fixtures, 'shifted-abs.mjs')}`;

function write(bytes: Uint8Array, name = 'model.onnx'): string {
  const dir = mkdtempSync(join(tmpdir(), 'onnxsmith-run-'));
  writeFileSync(join(dir, name), bytes);
  return join(dir, name);
}

interface RunJson {
  baseline: string;
  reports: { backend: string; verdict: string; outcome: { kind: string; stage?: string; signal?: string; limitMs?: number } }[];
}

describe('onnxsmith run', () => {
  it('exits 0 when every backend agrees with the reference', () => {
    const r = onnxsmith(['run', write(modelWith(['Add', 'Abs'])), '--backends', 'reference,ort-node-cpu,ort-node-cpu-noopt,ort-web-wasm']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/baseline: reference/);
    expect(r.stdout).not.toMatch(/DISAGREE/);
  });

  it('blames only the backend that mis-computes', () => {
    const r = onnxsmith(['run', write(modelWith(['Add', 'Abs'])), '--backends', `reference,ort-node-cpu,${shifted}`, '--json']);
    expect(r.code, r.stderr).toBe(1);
    const j = JSON.parse(r.stdout) as RunJson;
    const failing = j.reports.filter((x) => !['agree', 'baseline'].includes(x.verdict)).map((x) => x.backend);
    expect(failing).toEqual([shifted]);
    expect(j.reports.find((x) => x.backend === shifted)?.verdict).toBe('disagree');
  });

  it('turns a crashing and a hanging backend into outcomes within the limit and keeps the others', () => {
    const t0 = Date.now();
    const r = onnxsmith(['run', write(modelWith(['Add', 'Abs'])), '--backends', `reference,ort-node-cpu,${abortB},${hangB}`, '--timeout', '3000', '--json']);
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(r.code, r.stderr).toBe(1);
    const j = JSON.parse(r.stdout) as RunJson;
    const by = Object.fromEntries(j.reports.map((x) => [x.backend, x]));
    expect(by[abortB]!.outcome).toMatchObject({ kind: 'crash', stage: 'run', signal: 'SIGABRT' });
    // run evaluates as a campaign does, which may give a timed-out backend a second try with a longer limit
    expect(by[hangB]!.outcome).toMatchObject({ kind: 'timeout', stage: 'load' });
    expect(by[hangB]!.outcome.limitMs).toBeGreaterThanOrEqual(3000);
    expect(by['ort-node-cpu']!.verdict).toBe('agree');
    expect(by['reference']!.verdict).toBe('baseline');
  });

  it('reads inputs from a folder and checks them against the model', () => {
    const g = graphWith(['Add'], 3);
    const model = write(exportModel(g));
    const dir = join(model, '..', 'inputs');
    mkdirSync(dir);
    for (const i of g.inputs) {
      writeFileSync(join(dir, `${i.name}.pb`), encodeTensor(i.name, { dtype: i.dtype, shape: i.shape, data: new Float64Array(i.shape.reduce((a, b) => a * b, 1)).fill(1.5) }));
    }
    expect(onnxsmith(['run', model, '--inputs', dir, '--backends', 'reference,ort-node-cpu']).code).toBe(0);
    const first = g.inputs[0]!;
    writeFileSync(join(dir, `${first.name}.pb`), encodeTensor(first.name, { dtype: 'int32', shape: [1], data: new Float64Array([1]) }));
    const bad = onnxsmith(['run', model, '--inputs', dir, '--backends', 'reference']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(new RegExp(`'${first.name}' is int32, the model expects float32`));
  });

  it.each([
    ['a missing file', () => '/no/such/model.onnx', /no such file or folder/],
    ['a malformed file', () => write(new TextEncoder().encode('this is not protobuf at all, just text\n')), /not a valid ONNX model/],
    ['a truncated model', () => write(modelWith(['Add']).slice(0, 40)), /not a valid ONNX model/],
    ['an unknown operator', () => write(unknownOpModel()), /operator NotAnOperator, unknown to onnxsmith/],
    ['external data', () => write(externalDataModel()), /external tensor data is not supported/],
  ])('rejects %s with a clear message, exit 2, no stack trace', (_what, make, message) => {
    const r = onnxsmith(['run', make(), '--backends', 'reference,ort-node-cpu']);
    expect(r.code, r.stdout).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('rejects an unknown backend name, listing the known ones', () => {
    const r = onnxsmith(['run', write(modelWith(['Add'])), '--backends', 'ort-node-gpu']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown backend 'ort-node-gpu' \(known: reference, ort-node-cpu/);
  });
});
