import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onnxsmith, onnxsmithAsync } from '../helpers/cli.js';
import { findAll, parseXml } from '../unit/gate/xml.js';
import { sarifErrors } from '../unit/gate/sarif-schema.js';

// the two corpus cases where onnxruntime-node 1.12.1 and 1.30.0 really differ (1.12.1 is wrong, 1.30.0 right)
const DIFFERING = ['ort-1-12-convtranspose-same-upper', 'ort-1-12-reducesum-absent-axes'];
const NEW = 'ort-node-cpu@1.30.0';
const OLD = 'ort-node-cpu@1.12.1';

interface SarifResult {
  ruleId: string;
  level: string;
  baselineState: string;
  properties: { case: string };
  locations: { physicalLocation: { artifactLocation: { uri: string } } }[];
}

let tmp: string;
let corpus: string;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'onnxsmith-gate-test-'));
  corpus = join(tmp, 'corpus');
  for (const c of DIFFERING) cpSync(join(import.meta.dirname, '../../corpus', c), join(corpus, c), { recursive: true });
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('onnxsmith gate on real onnxruntime-node releases', () => {
  it('fails a downgrade that brings the bugs back (exit 1), in the table, JUnit and SARIF', () => {
    const junit = join(tmp, 'out', 'junit.xml');
    const sarif = join(tmp, 'out', 'gate.sarif');
    const r = onnxsmith(['gate', '--baseline', NEW, '--candidate', OLD, '--corpus', corpus, '--junit', junit, '--sarif', sarif], { cwd: tmp });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    for (const c of DIFFERING) expect(r.stdout).toMatch(new RegExp(`${c} +pass +FAIL \\S+ +NEW FAILURE`));
    expect(r.stdout.trim().split('\n').pop()).toMatch(/^gate FAILED for ort-node-cpu@1\.30\.0 \(1\.30\.0\) -> ort-node-cpu@1\.12\.1 \(1\.12\.1\): 2 new failures/);

    const doc = parseXml(readFileSync(junit, 'utf8'));
    const suite = findAll(doc, 'testsuite')[0]!;
    expect(suite.attrs).toMatchObject({ tests: '2', failures: '2', errors: '0' });
    const props = Object.fromEntries(findAll(suite, 'property').map((p) => [p.attrs.name, p.attrs.value]));
    expect(props).toMatchObject({ 'baseline.version': '1.30.0', 'candidate.version': '1.12.1' });
    for (const t of findAll(suite, 'testcase')) expect(findAll(t, 'failure'), t.attrs.name).toHaveLength(1);

    const log = JSON.parse(readFileSync(sarif, 'utf8')) as { runs: { results: SarifResult[] }[] };
    expect(sarifErrors(log)).toEqual([]);
    const results = log.runs[0]!.results;
    expect(results.map((x) => [x.properties.case, x.level, x.baselineState])).toEqual(DIFFERING.map((c) => [c, 'error', 'new']));
    expect(results.map((x) => x.ruleId.split('/').slice(0, 2).join('/'))).toEqual(['wrong-value/ConvTranspose', 'run-error/ReduceSum']);
    expect(results[0]!.locations[0]!.physicalLocation.artifactLocation.uri).toBe(`corpus/${DIFFERING[0]}/model.onnx`);
  });

  it('passes the upgrade that fixes them (exit 0) and reports them as fixed', () => {
    const r = onnxsmith(['gate', '--baseline', OLD, '--candidate', NEW, '--corpus', corpus, '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { exitCode: number; cases: { id: string; class: string; status: string }[] };
    expect(report.cases.map((c) => [c.id, c.class])).toEqual(DIFFERING.map((c) => [c, 'fixed']));
    expect(report.cases.every((c) => c.status.startsWith('fixed upstream'))).toBe(true);
  });

  it('turns the exit 1 into 0 when an expectations file accepts the new failures with reasons', () => {
    const expect1 = join(tmp, 'expect.txt');
    writeFileSync(expect1, `# accepted while we test the 1.12 downgrade\n${DIFFERING[0]}: 1.12.1 pads SAME_UPPER on the wrong side\nrun-error/ReduceSum/8c99aa38: 1.12.1 rejects an absent axes input\nnot-a-case: left over from an older bump\n`);
    const r = onnxsmith(['gate', '--baseline', NEW, '--candidate', OLD, '--corpus', corpus, '--expect', expect1]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/new failure \(expected\)/);
    expect(r.stdout).toMatch(/expected: 1\.12\.1 pads SAME_UPPER on the wrong side/);
    expect(r.stdout).toMatch(/stale expectation not-a-case: no new failure matches it/);
    expect(r.stdout.trim().split('\n').pop()).toMatch(/^gate passed .*0 new failures, 2 expected/);
  });

  it('rejects an expectation without a reason (exit 2) before running anything', () => {
    const bad = join(tmp, 'bad-expect.txt');
    writeFileSync(bad, `${DIFFERING[0]}\n`);
    const r = onnxsmith(['gate', '--baseline', NEW, '--candidate', OLD, '--corpus', corpus, '--expect', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--expect .*bad-expect\.txt:1: 'ort-1-12-convtranspose-same-upper' has no reason/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 3 with a clear message when a version is not installed', () => {
    const r = onnxsmith(['gate', '--baseline', NEW, '--candidate', 'ort-node-cpu@9.9.9', '--corpus', corpus]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/gate could not run: backend not available here: ort-node-cpu@9\.9\.9: onnxruntime-node@9\.9\.9 is not installed \(installed: .*1\.12\.1.*\)/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 2 for an unknown backend, listing the known ones', () => {
    const r = onnxsmith(['gate', '--baseline', NEW, '--candidate', 'onnxrt@1.12.1', '--corpus', corpus]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown backend 'onnxrt@1\.12\.1' \(known: reference, ort-node-cpu/);
  });

  it('exits 2 for a --corpus that does not exist and 3 for one without cases', () => {
    const missing = onnxsmith(['gate', '--baseline', NEW, '--candidate', OLD, '--corpus', join(tmp, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--corpus: .*nope is not a folder/);
    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    const r = onnxsmith(['gate', '--baseline', NEW, '--candidate', OLD, '--corpus', empty]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/gate could not run: the corpus .*empty holds no case folders/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 2 for flags that make no sense', () => {
    expect(onnxsmith(['gate', '--baseline', NEW, '--candidate', NEW]).stderr).toMatch(/--baseline and --candidate are both/);
    expect(onnxsmith(['gate', '--baseline', NEW, '--candidate', OLD, '--fuzz', 'soon']).code).toBe(2);
    const seed = onnxsmith(['gate', '--baseline', NEW, '--candidate', OLD, '--seed', '3']);
    expect(seed.code).toBe(2);
    expect(seed.stderr).toMatch(/--seed only applies with --fuzz/);
    expect(onnxsmith(['gate', '--candidate', OLD]).code).toBe(2);
  });

  it('replays the shipped corpus by default, whatever the working folder', () => {
    const r = onnxsmith(['gate', '--baseline', NEW, '--candidate', OLD, '--json'], { cwd: tmp });
    expect([0, 1], r.stderr).toContain(r.code);
    const report = JSON.parse(r.stdout) as { corpus: string; cases: { id: string }[] };
    expect(report.corpus).toBe(join(import.meta.dirname, '../../corpus'));
    expect(report.cases.map((c) => c.id)).toEqual(expect.arrayContaining([...DIFFERING, 'ort-conv-same-overshoot']));
  });

  it('fuzzes both versions and keeps each fresh new failure as a case folder', async () => {
    const out = join(tmp, 'fuzz');
    const r = await onnxsmithAsync(['gate', '--baseline', NEW, '--candidate', OLD, '--corpus', corpus, '--fuzz', '4s', '--jobs', '1', '--seed', '7', '--out', out, '--json'], { timeoutMs: 90_000 });
    expect([0, 1], r.stderr).toContain(r.code);
    const report = JSON.parse(r.stdout) as { fuzz: { tested: number; dir: string }; cases: { id: string; class: string; dir: string; source: string }[] };
    expect(report.fuzz.tested).toBeGreaterThan(0);
    expect(report.fuzz.dir).toBe(out);
    for (const c of report.cases.filter((x) => x.source === 'fuzz')) {
      expect(c.id).toMatch(/^fuzz\/\d+$/);
      expect(existsSync(join(c.dir, 'model.onnx')) && existsSync(join(c.dir, 'case.json'))).toBe(true);
    }
  });
});
