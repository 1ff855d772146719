/**
 * Kernel gaps are not findings (issue 20, item 3), end to end with the real runtimes: onnxruntime-node 1.12.1 (npm
 * alias ort-1-12) has no float64 Cos kernel, which makes such a case unsupported there, the same with or without the
 * kernel cache; an optimiser that fuses float64 x*Sigmoid(x) into a QuickGelu without a kernel (1.30) stays a
 * load-error finding; a campaign keeps the gaps it met in kernel-gaps.json, stats.json and the report.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IsolatedBackend } from '../../src/backends/isolated.js';
import type { Outcome } from '../../src/backends/types.js';
import type { Graph, Tensor } from '../../src/ir/index.js';
import { exportModel } from '../../src/onnx/index.js';
import { evaluateCase, type Evaluation } from '../../src/triage/evaluate.js';
import { onnxsmithAsync } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'onnxsmith-kernel-gaps-e2e-'));
const cache = join(dir, 'cache');
const savedCache = process.env.XDG_CACHE_HOME;
beforeAll(() => {
  // workers inherit it: the persistent kernel cache lives in the test's folder
  process.env.XDG_CACHE_HOME = cache;
});
afterAll(() => {
  if (savedCache === undefined) delete process.env.XDG_CACHE_HOME;
  else process.env.XDG_CACHE_HOME = savedCache;
  rmSync(dir, { recursive: true, force: true });
});

const cosGraph: Graph = {
  opset: 17,
  inputs: [{ name: 'x', dtype: 'float64', shape: [4] }],
  initializers: [],
  nodes: [
    { op: 'Relu', name: 'relu', inputs: ['x'], outputs: ['a'], attrs: {} },
    { op: 'Cos', name: 'cos', inputs: ['a'], outputs: ['y'], attrs: {} },
  ],
  outputs: [{ name: 'y', dtype: 'float64', shape: [4] }],
  valueInfo: [{ name: 'a', dtype: 'float64', shape: [4] }],
};

/** Runs `graph` on a fresh worker of `spec` (nothing learned in memory), with the reference, and judges it. */
async function evaluateOn(spec: string, graph: Graph, name: string): Promise<Evaluation> {
  const work = join(dir, name);
  rmSync(work, { recursive: true, force: true });
  const path = join(mkdtempSync(join(dir, 'm-')), 'model.onnx');
  writeFileSync(path, exportModel(graph));
  const feeds: Record<string, Tensor> = Object.fromEntries(
    graph.inputs.map((i) => [i.name, { dtype: i.dtype, shape: i.shape, data: Float64Array.from({ length: i.shape.reduce((a, b) => a * b, 1) }, (_, k) => k / 4 - 0.3) }]),
  );
  const b = new IsolatedBackend(spec, { timeoutMs: 60_000 });
  try {
    return await evaluateCase([b], path, graph, feeds, { workDir: dir });
  } finally {
    await b.close();
  }
}

const outcomeOf = (e: Evaluation): Outcome => e.results[0]!.outcome;

describe('kernel gaps on onnxruntime-node 1.12.1', () => {
  it('makes a float64 Cos model unsupported, not a finding, the same with a cold and a warm kernel cache', async () => {
    const cold = await evaluateOn('ort-node-cpu@1.12.1', cosGraph, 'cold');
    expect(cold.verdict.kind).toBe('pass');
    expect(cold.hits).toEqual([]);
    const o = outcomeOf(cold);
    expect(o).toMatchObject({ kind: 'unsupported', kernelGap: { backend: 'ort-node-cpu@1.12.1', key: 'Cos(7):float64', op: 'Cos', dtype: 'float64' } });
    expect(o.kind === 'unsupported' ? o.reasons : []).toEqual(["ort-node-cpu@1.12.1 has no kernel for Cos(7) on float64: Could not find an implementation for Cos(7) node with name 'cos'"]);
    // learned once: the next worker reads the answer from the cache file instead of probing
    expect(existsSync(join(cache, 'onnxsmith', 'kernel-gaps', 'ort-node-cpu@1.12.1.json'))).toBe(true);
    const warm = await evaluateOn('ort-node-cpu@1.12.1', cosGraph, 'warm');
    expect(outcomeOf(warm)).toEqual(o);
    expect(warm.verdict.kind).toBe('pass');
  }, 120_000);

  it('keeps an optimiser that throws (FuseReluClip on float64) a load-error finding', async () => {
    const g = JSON.parse(readFileSync(join(import.meta.dirname, '../../corpus/ort-relu-clip-fusion-float64/case.json'), 'utf8')) as { graph: Graph };
    const e = await evaluateOn('ort-node-cpu@1.12.1', g.graph, 'relu-clip');
    expect(e.verdict.kind).toBe('finding');
    expect(outcomeOf(e).kind).toBe('load-error');
    expect(e.hits.map((h) => h.symptom)).toEqual(['load-error']);
  }, 120_000);
});

describe('a kernel missing for a node the optimiser made', () => {
  it('stays a load-error finding: float64 x*Sigmoid(x) fused into QuickGelu on onnxruntime-node 1.30', async () => {
    const g = JSON.parse(readFileSync(join(import.meta.dirname, '../../corpus/ort-quickgelu-fusion-float64/case.json'), 'utf8')) as { graph: Graph };
    const e = await evaluateOn('ort-node-cpu', g.graph, 'quickgelu');
    const o = outcomeOf(e);
    expect(o.kind).toBe('load-error');
    expect(o.kind === 'load-error' ? o.message : '').toMatch(/Failed to find kernel for com\.microsoft\.QuickGelu\(1\)/);
    expect(e.verdict.kind).toBe('finding');
    expect(e.hits.map((h) => h.symptom)).toEqual(['load-error']);
  }, 120_000);
});

describe('a campaign against ort-node-cpu@1.12.1', () => {
  const campaign = (out: string) =>
    onnxsmithAsync(
      ['fuzz', '--backends', 'ort-node-cpu@1.12.1', '--dtypes', 'float64', '--include', 'Cos,Floor,Relu,Add', '--nodes', '4', '--max-cases', '20', '--time', '2m', '--jobs', '1', '--seed', '7', '--out', out],
      { env: { XDG_CACHE_HOME: join(dir, 'campaign-cache') }, timeoutMs: 150_000 },
    );
  const statuses = (out: string): string[] =>
    readFileSync(join(out, 'progress.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { k: number; status: string })
      .sort((a, b) => a.k - b.k)
      .map((r) => `${r.k}:${r.status}`);

  it('files no bucket for missing kernels, keeps them as the backend coverage, and judges alike with the cache warm', async () => {
    const first = join(dir, 'camp-cold');
    const r = await campaign(first);
    expect(r.stderr).not.toMatch(/Error|harness bug/i);
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(join(first, 'buckets.json'), 'utf8'))).toEqual([]);
    const gaps = JSON.parse(readFileSync(join(first, 'kernel-gaps.json'), 'utf8')) as { backends: Record<string, { gaps: Record<string, { cases: number }> }> };
    const met = gaps.backends['ort-node-cpu@1.12.1']!.gaps;
    expect(Object.keys(met)).toEqual(expect.arrayContaining(['Cos(7):float64', 'Floor(13):float64']));
    const stats = JSON.parse(readFileSync(join(first, 'stats.json'), 'utf8')) as {
      kernelGaps: Record<string, { gaps: { key: string; cases: number }[] }>;
      tests: number;
      unsupported: number;
      status: Record<string, number>;
    };
    expect(stats.kernelGaps['ort-node-cpu@1.12.1']!.gaps.map((g) => [g.key, g.cases])).toEqual(Object.entries(met).map(([k, g]) => [k, g.cases]));
    // a case the only backend could not run is no test: counted apart, not as a pass
    expect(stats.unsupported).toBeGreaterThan(0);
    expect(stats.tests).toBe((stats.status.pass ?? 0) + (stats.status.finding ?? 0) + (stats.status.unstable ?? 0) + (stats.status['harness-bug'] ?? 0));
    expect(statuses(first).filter((x) => x.endsWith(':unsupported'))).toHaveLength(stats.unsupported);
    const html = readFileSync(join(first, 'report.html'), 'utf8');
    expect(html).toContain('<section id="kernel-coverage">');
    expect(html).toContain('Cos(7)');

    // the same seed with every gap already in the cache: the same verdicts, the same coverage
    const second = join(dir, 'camp-warm');
    expect((await campaign(second)).code).toBe(0);
    expect(statuses(second)).toEqual(statuses(first));
    expect(readFileSync(join(second, 'kernel-gaps.json'), 'utf8')).toBe(readFileSync(join(first, 'kernel-gaps.json'), 'utf8'));
  }, 300_000);
});
