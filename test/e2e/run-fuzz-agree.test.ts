/**
 * `onnxsmith run` and `onnxsmith fuzz` judge a case through one core (triage/judge-case.ts): on the cases a real
 * campaign filed, and on a case it passed, `run` gives every backend the verdict the campaign recorded, the same
 * case status and the same bucket key.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { caseSeed, generateGraph, resolveOptions, type GraphOptions } from '../../generators/graph.js';
import type { Verdict } from '../../oracles/types.js';
import type { Outcome } from '../../src/backends/types.js';
import { writeCase } from '../../src/campaign/case.js';
import { exportModel } from '../../src/onnx/index.js';
import { searchInputs } from '../../src/search/search.js';
import { wordOf } from '../../src/triage/judge-case.js';
import { onnxsmith, onnxsmithAsync } from '../helpers/cli.js';

const shifted = `command:${join(import.meta.dirname, '../fixtures/backends/shifted-abs.mjs')}`;
const backends = `reference,ort-node-cpu,${shifted}`;
const SEED = 3;

interface Progress {
  k: number;
  seed: number;
  status: string;
  hits: { key: string; culprit: string; caseDir?: string }[];
}

interface CaseJson {
  bucketKey: string;
  culprit: string;
  backends: { name: string; outcome: Outcome['kind'] }[];
  verdicts: Record<string, Verdict>;
}

interface RunJson {
  baseline: string;
  status: string;
  reports: { backend: string; verdict: string; bucketKey?: string; divergence?: { op: string } }[];
}

function runJson(dir: string): { code: number; json: RunJson } {
  const r = onnxsmith(['run', join(dir, 'model.onnx'), '--inputs', join(dir, 'inputs'), '--backends', backends, '--json'], { timeoutMs: 120_000 });
  expect(r.stderr).toBe('');
  return { code: r.code, json: JSON.parse(r.stdout) as RunJson };
}

describe('run and fuzz give the same verdicts on the same case', () => {
  it('on the finding cases a campaign saved and on a case it passed', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'onnxsmith-agree-')), 'c');
    // float32 graphs of a few operators, Abs among them: shifted-abs (Abs + 0.5) is a finding wherever Abs matters
    const graph: GraphOptions = { nodes: 4, include: ['Abs', 'Add', 'Mul', 'Relu', 'Sub', 'Neg'], dtypes: ['float32'] };
    const fuzz = await onnxsmithAsync(
      ['fuzz', '--out', out, '--seed', String(SEED), '--max-cases', '16', '--jobs', '1', '--backends', backends, '--nodes', '4', '--include', graph.include!.join(','), '--dtypes', 'float32', '--search', 'sampling', '--time', '5m', '--no-report'],
      { timeoutMs: 240_000 },
    );
    expect(fuzz.code, fuzz.stderr).toBe(1);
    const progress = readFileSync(join(out, 'progress.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as Progress);

    // two of the saved finding cases, each judged by run as the campaign judged it
    const saved = progress.flatMap((p) => p.hits.filter((h) => h.caseDir).map((h) => ({ p, h }))).slice(0, 2);
    expect(saved.length).toBe(2);
    for (const { p, h } of saved) {
      const dir = join(out, h.caseDir!);
      const meta = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as CaseJson;
      const { code, json } = runJson(dir);
      expect(code).toBe(1);
      expect(json.status).toBe(p.status);
      expect(json.baseline).toBe('reference');
      for (const b of meta.backends) {
        const report = json.reports.find((r) => r.backend === b.name);
        expect(report?.verdict, `${h.caseDir}: ${b.name}`).toBe(wordOf({ verdict: meta.verdicts[b.name]!, outcome: { kind: b.outcome } as Outcome }));
      }
      const culprit = json.reports.find((r) => r.backend === meta.culprit)!;
      expect(culprit.verdict).toBe('disagree');
      expect(culprit.bucketKey).toBe(meta.bucketKey);
      expect(culprit.bucketKey).toBe(h.key);
      expect(culprit.divergence?.op).toBe('Abs');
      expect(json.reports.find((r) => r.backend === 'ort-node-cpu')?.verdict).toBe('agree');
    }

    // a case the campaign passed (no folder is kept for it): rebuilt from its seed exactly as the campaign built it
    const pass = progress.find((p) => p.status === 'pass');
    expect(pass).toBeDefined();
    const seed = caseSeed(SEED, pass!.k);
    expect(seed).toBe(pass!.seed);
    const found = searchInputs(generateGraph(seed, resolveOptions(graph)), seed, undefined, { method: 'sampling' });
    expect(found.ok).toBe(true);
    const dir = join(out, 'pass-case');
    writeCase(dir, { modelBytes: exportModel(found.graph), feeds: found.feeds, outputs: {}, meta: { graph: found.graph } });
    expect(readdirSync(join(dir, 'inputs')).length).toBe(found.graph.inputs.length);
    const { code, json } = runJson(dir);
    expect(code).toBe(0);
    expect(json.status).toBe('pass');
    expect(json.reports.map((r) => [r.backend, r.verdict])).toEqual([
      ['reference', 'baseline'],
      ['ort-node-cpu', 'agree'],
      [shifted, 'agree'],
    ]);
    expect(json.reports.every((r) => r.bucketKey === undefined)).toBe(true);
  }, 300_000);
});
