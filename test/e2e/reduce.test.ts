import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeCase } from '../../src/campaign/case.js';
import type { Graph } from '../../src/ir/index.js';
import { exportModel } from '../../src/onnx/index.js';
import { onnxsmith, onnxsmithAsync } from '../helpers/cli.js';

const fixtures = join(import.meta.dirname, '../fixtures/backends');
// a planted bug that needs two nodes (a Mul feeding an Abs), like a faulty fusion
const fusion = `command:${join(fixtures, 'mul-abs-fusion.mjs')}`;
const ops = 'Abs,Mul,Add,Sub,Neg,Relu,Sigmoid,Tanh,Exp,Sqrt,Reshape,Transpose,Concat,MatMul,ReduceSum';

interface CaseJson {
  graph: { nodes: { op: string }[] };
  bucketKey: string;
  culprit: string;
  reducedFrom?: { nodes: number };
  reduction?: { tests: number; ms: number };
}

const readJson = <T>(p: string): T => JSON.parse(readFileSync(p, 'utf8')) as T;

describe('onnxsmith reduce', () => {
  // onnxruntime with optimisations off is the third opinion: the planted backend runs onnxruntime with them on,
  // so a real optimiser bug would otherwise look like the reference alone disagreeing
  it('finds a planted two-node bug in 30-node graphs, reduces a case to at most 3 nodes, and the reduced case reproduces via replay and repro.mjs', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'onnxsmith-reduce-')), 'c');
    const f = await onnxsmithAsync(['fuzz', '--nodes', '30', '--include', ops, '--dtypes', 'float32', '--seed', '3', '--max-cases', '60', '--time', '4m', '--jobs', '2', '--backends', `ort-node-cpu,ort-node-cpu-noopt,${fusion}`, '--out', out, '--no-report'], { timeoutMs: 300_000 });
    expect(f.code, f.stderr).toBe(1);
    const buckets = readJson<{ key: string; culprit: string; cases: string[] }[]>(join(out, 'buckets.json'));
    const planted = buckets.find((b) => b.culprit === fusion);
    expect(planted, JSON.stringify(buckets)).toBeDefined();
    const dir = join(out, planted!.cases[0]!);
    const before = readJson<CaseJson>(join(dir, 'case.json'));
    expect(before.graph.nodes.length).toBe(30);
    // every finding carries its triage files
    for (const f of ['repro.mjs', 'report.md']) expect(existsSync(join(dir, f)), f).toBe(true);

    const refused = onnxsmith(['reduce', dir, '--time', '60s']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/which would run a program of the case's choosing/);
    const r = await onnxsmithAsync(['reduce', dir, '--time', '60s', '--json', '--backends', `ort-node-cpu,ort-node-cpu-noopt,${fusion}`], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { before: number; after: number; bucketKey: string; timedOut: boolean };
    expect(summary.before).toBe(30);
    expect(summary.after).toBeLessThanOrEqual(3);
    const reduced = readJson<CaseJson>(join(dir, 'reduced', 'case.json'));
    expect(reduced.bucketKey).toBe(planted!.key);
    expect(reduced.graph.nodes.length).toBe(summary.after);
    expect(reduced.graph.nodes.map((n) => n.op)).toEqual(expect.arrayContaining(['Mul', 'Abs']));
    expect(reduced.reducedFrom?.nodes).toBe(30);

    // still a finding: replay says so, and so does the standalone script
    expect(onnxsmith(['replay', join(dir, 'reduced'), '--backends', `ort-node-cpu,ort-node-cpu-noopt,${fusion}`]).code).toBe(1);
    expect(onnxsmith(['replay', join(dir, 'reduced'), '--backends', 'ort-node-cpu-noopt']).code).toBe(0);
    const repro = spawnSync(process.execPath, [join(dir, 'reduced', 'repro.mjs')], { encoding: 'utf8', timeout: 60_000 });
    expect(repro.status, repro.stderr).toBe(1);
    expect(repro.stdout).toContain('BUG PRESENT');
    const report = readFileSync(join(dir, 'reduced', 'report.md'), 'utf8');
    expect(report).toContain('```mermaid');
    expect(report).toContain('reduced from 30 to');
  }, 600_000);

  it('fuzz --reduce reduces the first case of each new bucket during the campaign', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'onnxsmith-reduce-')), 'c');
    const shifted = `command:${join(fixtures, 'shifted-abs.mjs')}`;
    const r = await onnxsmithAsync(['fuzz', '--nodes', '6', '--include', 'Abs,Add,Mul,Relu,Neg', '--dtypes', 'float32', '--seed', '2', '--max-cases', '12', '--time', '3m', '--jobs', '2', '--backends', `ort-node-cpu,${shifted}`, '--out', out, '--reduce', '30s'], { timeoutMs: 240_000 });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/reduced 1 bucket/);
    const [bucket] = readJson<{ cases: string[] }[]>(join(out, 'buckets.json'));
    // the first case to arrive is reduced; with two jobs that need not be the bucket's lowest case number
    const withReduced = bucket!.cases.filter((c) => existsSync(join(out, c, 'reduced', 'case.json')));
    expect(withReduced).toHaveLength(1);
    const reduced = readJson<CaseJson>(join(out, withReduced[0]!, 'reduced', 'case.json'));
    expect(reduced.graph.nodes.map((n) => n.op)).toEqual(['Abs']);
    // the report is written at the end and draws the reduced graph
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toMatch(/reduced from \d+ to 1 node/);
  }, 300_000);

  // two backends built on one planted bug (every float32 Abs computes Abs(x) + 0.5) are two independent witnesses
  // to the harness: judged together, without a third backend, they outvote the reference, a harness bug
  it('reduces a harness bug to the operator where the reference stands alone', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'onnxsmith-reduce-')), 'harness');
    const shifted = `command:${join(fixtures, 'shifted-abs.mjs')}`;
    const twin = `command:${join(fixtures, 'shifted-abs-twin.mjs')}`;
    const t = (name: string, shape: number[]) => ({ name, dtype: 'float32' as const, shape });
    const graph: Graph = {
      opset: 17,
      inputs: [t('x', [2, 3]), t('z', [2, 3])],
      initializers: [],
      nodes: [
        { op: 'Relu', name: 'n0', inputs: ['x'], outputs: ['r'], attrs: {} },
        { op: 'Abs', name: 'n1', inputs: ['r'], outputs: ['y'], attrs: {} },
        { op: 'Add', name: 'n2', inputs: ['y', 'z'], outputs: ['s'], attrs: {} },
        { op: 'Neg', name: 'n3', inputs: ['s'], outputs: ['out'], attrs: {} },
      ],
      outputs: [t('out', [2, 3])],
      valueInfo: [t('r', [2, 3]), t('y', [2, 3]), t('s', [2, 3])],
    };
    const f32 = (v: number[]) => ({ dtype: 'float32' as const, shape: [2, 3], data: Float64Array.from(v.map(Math.fround)) });
    writeCase(dir, {
      modelBytes: exportModel(graph),
      feeds: { x: f32([1, -2, 3, -4, 5, -6]), z: f32([0.5, 0.25, 0, 1, 2, 3]) },
      outputs: {},
      meta: { graph, harnessBug: 'the reference disagrees with every backend', backends: [{ name: shifted }, { name: twin }] },
    });
    const both = ['--backends', `${shifted},${twin}`];
    expect(onnxsmith(['replay', dir, ...both]).stdout).toMatch(/the harness bug still reproduces/);

    const r = await onnxsmithAsync(['reduce', dir, '--time', '60s', '--json', ...both], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { before: number; after: number; bucketKey: string };
    expect(summary.bucketKey).toBe('reference|harness-bug|run|Abs:float32');
    const reduced = readJson<CaseJson & { harnessBug?: string }>(join(dir, 'reduced', 'case.json'));
    expect(reduced.graph.nodes.map((n) => n.op)).toEqual(['Abs']);
    expect(reduced.culprit).toBeUndefined();
    expect(reduced.harnessBug).toMatch(new RegExp(`disagrees with .*shifted-abs.mjs, .*shifted-abs-twin.mjs`));
    const again = onnxsmith(['replay', join(dir, 'reduced'), ...both]);
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/the harness bug still reproduces/);
    // with an independent opinion it is the planted backend's bug
    const judged = onnxsmith(['run', join(dir, 'reduced'), '--inputs', join(dir, 'reduced', 'inputs'), '--backends', `reference,ort-node-cpu,${shifted}`, '--json']);
    const runs = (JSON.parse(judged.stdout) as { reports: { backend: string; verdict: string }[] }).reports;
    expect(runs.find((x) => x.backend === 'ort-node-cpu')?.verdict).toBe('agree');
    expect(runs.find((x) => x.backend === shifted)?.verdict).not.toBe('agree');
  }, 180_000);

  // onnxruntime's CPU kernels run in all three of its CPU backends: their agreeing is one witness, so the
  // InstanceNormalization one-element-plane bug (corpus/ort-instancenorm-single-element-plane) is onnxruntime's
  it("files a bug all of onnxruntime's CPU backends share against them, not as a harness bug", () => {
    const dir = join(import.meta.dirname, '../../corpus/ort-instancenorm-single-element-plane');
    const r = onnxsmith(['replay', dir, '--backends', 'ort-node-cpu,ort-node-cpu-noopt,ort-web-wasm', '--json']);
    const j = JSON.parse(r.stdout) as { verdict: string };
    expect(j.verdict).toBe('finding');
  }, 60_000);

  it('explains what it cannot do, without a stack trace', () => {
    const empty = mkdtempSync(join(tmpdir(), 'onnxsmith-reduce-'));
    const notCase = onnxsmith(['reduce', empty]);
    expect(notCase.code).toBe(2);
    expect(notCase.stderr).toMatch(/not a case folder/);
    const corpus = join(import.meta.dirname, '../../corpus');
    const someCase = join(corpus, readdirSync(corpus).find((d) => d === 'ort-resize-unchanged-axis')!);
    // judged without its culprit the case cannot be reduced: a usage error with the reason
    const noCulprit = onnxsmith(['reduce', someCase, '--backends', 'ort-node-cpu-noopt']);
    expect(noCulprit.code).toBe(2);
    expect(noCulprit.stderr).toMatch(/culprit ort-node-cpu is not among the backends/);
    expect(noCulprit.stderr).not.toMatch(/\n\s+at /);
    expect(onnxsmith(['reduce', someCase, '--time', 'soon']).code).toBe(2);
  });
});
