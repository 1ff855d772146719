/**
 * `fuzz --mutate-models`: mutated models run on onnxruntime-node and on a fixture loader that aborts on bytes that do
 * not decode (fragile-loader.mjs). The crashes land in one bucket, no case is lost, the same seed gives the same
 * verdicts at any job count, a resumed campaign ends where an uninterrupted one does, and a mutant whose external data
 * leaves its folder is refused before a backend reads it (a canary the fixture would mark as read).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { generateGraph } from '../../generators/graph.js';
import { loaderRepro, mutantRefusal } from '../../src/campaign/mutate-models.js';
import { exportModel } from '../../src/onnx/index.js';
import { onnxsmith, onnxsmithAsync } from '../helpers/cli.js';
import { externalDataModel } from '../helpers/models.js';

const { onnx } = onnxProto;
const fragileFile = join(import.meta.dirname, '../fixtures/backends/fragile-loader.mjs');
const fragile = `module:${fragileFile}`;
// seed 16's first 30 mutants: undecodable bytes at 0, 5, 8, ...; external data at 'sub/../../outside.bin' at 19 and 21
// (work/job-N/model.onnx climbs to work/outside.bin), and no sparse initializer of 1e9 elements (seconds to refuse)
const common = ['fuzz', '--mutate-models', '--nodes', '4', '--include', 'Abs,Add,Mul,Relu,Sub,Neg', '--dtypes', 'float32', '--seed', '16', '--time', '5m', '--backends', `ort-node-cpu,${fragile}`];

interface Progress {
  k: number;
  status: string;
  hits: { key: string; caseDir?: string }[];
  mutation?: string[];
  detail?: string;
}

const tmp = (): string => mkdtempSync(join(tmpdir(), 'onnxsmith-mm-'));
const progress = (dir: string): Progress[] =>
  readFileSync(join(dir, 'progress.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Progress);
const verdicts = (dir: string): string[] =>
  progress(dir)
    .sort((a, b) => a.k - b.k)
    .map((p) => `${p.k} ${p.status} ${p.hits.map((h) => h.key).sort().join(',')}`);
const json = <T>(f: string): T => JSON.parse(readFileSync(f, 'utf8')) as T;

function leaks(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith('.leaked')) out.push(join(d, e.name));
    }
  };
  walk(root);
  return out;
}


describe('onnxsmith fuzz --mutate-models', () => {
  const runs = new Map<string, string>();
  const full = async (jobs: string): Promise<string> => {
    if (!runs.has(jobs)) {
      const out = join(tmp(), 'c');
      const r = await onnxsmithAsync([...common, '--max-cases', '30', '--jobs', jobs, '--out', out], { timeoutMs: 240_000 });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stdout).toMatch(/30 cases this session \(30 in all\), \d+ findings in 1 buckets \(1 new, 0 known\), \d+ mutants refused, 0 harness bugs/);
      runs.set(jobs, out);
    }
    return runs.get(jobs)!;
  };

  it('files the fixture loader crashes into one bucket, loses no case, and keeps case folders with the mutant and its original', async () => {
    const out = await full('2');
    expect(json<{ config: { mode?: string } }>(join(out, 'campaign.json')).config.mode).toBe('mutate-models');
    const ps = progress(out);
    expect(ps.map((p) => p.k).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    const count = (s: string): number => ps.filter((p) => p.status === s).length;
    expect(count('pass') + count('refused') + count('finding')).toBe(30);
    expect(count('finding')).toBeGreaterThan(2);
    expect(count('refused')).toBeGreaterThan(0);
    const stats = json<{ cases: number; tests: number; findings: number; status: Record<string, number>; mode?: string }>(join(out, 'stats.json'));
    expect(stats).toMatchObject({ cases: 30, tests: 30 - count('refused'), findings: count('finding'), mode: 'mutate-models' });
    expect(stats.status).toEqual(Object.fromEntries(['pass', 'refused', 'finding'].map((s) => [s, count(s)])));
    const buckets = json<{ key: string; hits: number; cases: string[] }[]>(join(out, 'buckets.json'));
    expect(buckets.map((b) => b.key)).toEqual([`${fragile}|crash|load|SIGABRT`]);
    expect(buckets[0]!.hits).toBe(count('finding'));
    expect(buckets[0]!.cases).toHaveLength(5);
    for (const c of buckets[0]!.cases) {
      const d = join(out, c);
      for (const f of ['model.onnx', 'original.onnx', 'inputs', 'case.json']) expect(existsSync(join(d, f)), `${c}/${f}`).toBe(true);
      const meta = json<Record<string, unknown>>(join(d, 'case.json'));
      expect(meta).toMatchObject({ mode: 'mutate-models', culprit: fragile, symptom: 'crash', stage: 'load', outcome: { kind: 'crash', signal: 'SIGABRT' } });
      expect(meta.backends).toEqual([{ name: 'ort-node-cpu', version: expect.stringMatching(/^\d+\.\d+\.\d+/) as unknown }, { name: fragile, version: 'fixture' }]);
      expect((meta.mutation as string[]).length).toBeGreaterThan(0);
      // the fixture aborts exactly on bytes that do not decode: the mutant kept is such bytes, its original is not
      expect(() => onnx.ModelProto.decode(readFileSync(join(d, 'model.onnx')))).toThrow();
      expect(() => onnx.ModelProto.decode(readFileSync(join(d, 'original.onnx')))).not.toThrow();
    }
    expect(existsSync(join(out, 'report.html'))).toBe(true);
  }, 300_000);

  it('replays a kept loader case: the mutant goes to the backends as bytes, and the crash reproduces on the culprit only', async () => {
    const out = await full('2');
    const c = join(out, json<{ cases: string[] }[]>(join(out, 'buckets.json'))[0]!.cases[0]!);
    const refused = onnxsmith(['replay', c]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/which would run a program of the case's choosing/);
    const r = onnxsmith(['replay', c, '--backends', `ort-node-cpu,${fragile}`]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/CRASH \(load\): worker died \(SIGABRT\)/);
    expect(r.stdout).toContain(`the loader finding (${fragile}|crash|load|SIGABRT) still reproduces`);
    const without = onnxsmith(['replay', c, '--backends', 'ort-node-cpu', '--json']);
    expect(without.code, without.stderr).toBe(0);
    expect((JSON.parse(without.stdout) as { reproduces: boolean }).reproduces).toBe(false);
  }, 120_000);

  it('gives the same verdicts for the same seed at any job count', async () => {
    expect(verdicts(await full('1'))).toEqual(verdicts(await full('2')));
  }, 300_000);

  it('resumes where it stopped, and refuses external data outside the case folder before any backend reads it', async () => {
    const out = join(tmp(), 'r');
    const first = await onnxsmithAsync([...common, '--max-cases', '10', '--jobs', '1', '--out', out], { timeoutMs: 240_000 });
    expect(first.code, first.stderr).toBe(1);
    expect(progress(out)).toHaveLength(10);
    // cases 19 and 21 point at work/outside.bin: a loader that followed them would mark this canary as read
    mkdirSync(join(out, 'work'));
    writeFileSync(join(out, 'work', 'outside.bin'), 'CANARY secret');
    // --resume keeps the mode; a flag that contradicts it is refused
    const clash = onnxsmith(['fuzz', '--resume', out, '--reduce'], { timeoutMs: 60_000 });
    expect(clash.code).toBe(2);
    expect(clash.stderr.trim().split('\n')).toEqual(['onnxsmith: --reduce does not apply to --mutate-models (a mutant is not a graph to reduce)']);
    const second = await onnxsmithAsync(['fuzz', '--resume', out, '--max-cases', '20', '--jobs', '2'], { timeoutMs: 240_000 });
    expect(second.code, second.stderr).toBe(1);
    expect(second.stdout).toContain('20 cases this session (30 in all)');
    expect(verdicts(out)).toEqual(verdicts(await full('2')));
    const refused = progress(out).filter((p) => p.status === 'refused' && p.mutation?.some((m) => m.includes('sub/../../outside.bin')));
    expect(refused.map((p) => p.k).sort((a, b) => a - b)).toEqual([19, 21]);
    for (const p of refused) expect(p.detail).toContain("'sub/../../outside.bin' is outside the model's folder");
    expect(leaks(out)).toEqual([]);
  }, 300_000);

  it('refuses mutants whose external data leaves the folder; the fixture would have read the canary', async () => {
    const root = tmp();
    const canary = join(root, 'secret.bin');
    writeFileSync(canary, 'CANARY secret');
    const dir = join(root, 'case');
    mkdirSync(dir);
    symlinkSync(canary, join(dir, 'link.bin'));
    const model = join(dir, 'model.onnx');
    for (const loc of [canary, '../secret.bin', 'link.bin', 'sub/../../secret.bin']) {
      const bytes = externalDataModel(loc);
      expect(mutantRefusal(bytes, model), loc).toMatch(/outside the model's folder/);
      // cut short: it no longer decodes, but still names a location
      expect(mutantRefusal(bytes.subarray(0, bytes.length - 3), model), loc).toMatch(/does not decode and names an external-data location/);
    }
    expect(mutantRefusal(externalDataModel('data.bin'), model)).toBeUndefined();
    expect(mutantRefusal(exportModel(generateGraph(3, { nodes: 3 })).subarray(0, 40), model)).toBeUndefined();
    // the canary check can see a read: given such a model, the fixture marks the canary
    writeFileSync(model, externalDataModel('../secret.bin'));
    const fixture = (await import(fragileFile)) as { default: { prepare(m: { bytes: Uint8Array; path: string }): Promise<unknown> } };
    await fixture.default.prepare({ bytes: externalDataModel('../secret.bin'), path: model });
    expect(leaks(root)).toEqual([`${canary}.leaked`]);
  });

  it("writes a standalone repro for onnxruntime culprits that exits 0 once the model loads or is rejected cleanly", () => {
    const graph = generateGraph(5, { nodes: 3, dtypes: ['float32'] });
    const dir = tmp();
    writeFileSync(join(dir, 'model.onnx'), exportModel(graph));
    const feeds = Object.fromEntries(graph.inputs.map((i) => [i.name, { dtype: i.dtype, shape: i.shape, data: new Float64Array(i.shape.reduce((a, b) => a * b, 1)) }]));
    const script = loaderRepro({ culprit: 'ort-node-cpu', version: '1.30.0', graph, feeds, mutation: ['1 bytes flipped'], limitMs: 20_000 })!;
    expect(script).toContain('npm install onnxruntime-node@1.30.0');
    writeFileSync(join(dir, 'repro.mjs'), script);
    symlinkSync(join(import.meta.dirname, '../../node_modules'), join(dir, 'node_modules'));
    const ok = spawnSync(process.execPath, [join(dir, 'repro.mjs')], { encoding: 'utf8', timeout: 60_000 });
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain('the model loaded and ran');
    writeFileSync(join(dir, 'model.onnx'), 'not a model');
    const rejected = spawnSync(process.execPath, [join(dir, 'repro.mjs')], { encoding: 'utf8', timeout: 60_000 });
    expect(rejected.status, rejected.stdout + rejected.stderr).toBe(0);
    expect(rejected.stdout).toContain('rejected cleanly');
    expect(loaderRepro({ culprit: fragile, graph, feeds, mutation: [], limitMs: 1000 })).toBeUndefined();
  }, 120_000);
});
