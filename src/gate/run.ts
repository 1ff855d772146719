/**
 * The gate's engine: replays the corpus (and fresh fuzz cases) on the baseline and the candidate, judges each
 * version on its own against the float64 reference through the same evaluateCase the campaign uses, and
 * classifies every case. Each version is judged alone because attribution across backends would call a bug that
 * both versions share (all corpus cases are known bugs) a harness bug.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IsolatedBackend } from '../backends/isolated.js';
import { startBackends } from '../backends/start.js';
import { evaluateCase } from '../triage/evaluate.js';
import { settleCase } from '../triage/judge-case.js';
import { classify } from './classify.js';
import { findCases, loadCase, type CaseRef, type LoadedCase } from './corpus.js';
import { applyExpectations, type Expectation } from './expectations.js';
import { fuzzForGate, type GateFuzzOptions } from './fuzz.js';
import { ruleOf } from './rules.js';
import type { GateBackend, GateCase, GateReport, SideResult } from './types.js';

/** The gate cannot do its job at all (a backend is unavailable, the corpus holds nothing): exit 3. */
export class GateCannotRun extends Error {
  override readonly name = 'GateCannotRun';
}

export interface GateOptions {
  readonly baseline: string;
  readonly candidate: string;
  /** Corpus folder to replay (absolute); undefined to run fresh fuzz cases only. */
  readonly corpus?: string;
  readonly fuzz?: Omit<GateFuzzOptions, 'baseline' | 'candidate' | 'timeoutMs'>;
  /** Limit per backend per case (ms). */
  readonly timeoutMs: number;
  readonly expectations: readonly Expectation[];
  /** Called after each case is classified (progress output). */
  readonly onCase?: (c: GateCase) => void;
  /** Called before the fuzz campaign starts. */
  readonly onFuzz?: (dir: string, timeMs: number) => void;
}

/** One version's verdict on a case: pass, fail with its rules, or not comparable. */
async function judgeSide(backend: IsolatedBackend, version: string, c: LoadedCase, workDir: string): Promise<SideResult> {
  mkdirSync(workDir, { recursive: true });
  const e = await evaluateCase([backend], c.modelPath, c.graph, c.feeds, { workDir, versions: { [backend.spec]: version }, tolerances: c.tolerances });
  if (e.reference.kind !== 'ok') {
    return { kind: 'not-run', reason: `the reference failed (${e.reference.kind}): ${'message' in e.reference ? e.reference.message.split('\n')[0] : ''}` };
  }
  const v = e.verdict;
  // a single backend cannot out-vote the reference, so this only happens if attribution changes; keep it visible
  if (v.kind === 'harness-bug') return { kind: 'not-run', reason: v.reason };
  const j = v.judged[0];
  if (!j) return { kind: 'not-run', reason: 'the backend gave no result' };
  if (j.verdict.kind === 'skip') return { kind: 'not-run', reason: j.verdict.reason };
  if (j.verdict.kind === 'pass') return { kind: 'pass' };
  // a divergence the reference's own kernel reproduces tells neither version apart (the campaign's rule, judge-case.ts)
  const settled = await settleCase(e, [backend], c.graph, c.feeds, { workDir, tolerances: c.tolerances });
  if (settled.status === 'unstable') return { kind: 'not-run', reason: `unstable: ${settled.detail ?? ''}` };
  return { kind: 'fail', symptom: j.verdict.symptom, stage: j.verdict.stage, detail: j.verdict.detail, rules: e.hits.map(ruleOf) };
}

async function gateCase(
  ref: CaseRef,
  source: GateCase['source'],
  sides: readonly [{ backend: IsolatedBackend; version: string }, { backend: IsolatedBackend; version: string }],
  workDir: string,
  statusOf: (c: LoadedCase) => string | undefined,
): Promise<GateCase> {
  const t0 = performance.now();
  let loaded: LoadedCase;
  try {
    loaded = loadCase(ref);
  } catch (e) {
    const notRun: SideResult = { kind: 'not-run', reason: 'not loaded' };
    const problem = `cannot load the case: ${(e as Error).message.split('\n')[0]}`;
    return { id: ref.id, source, dir: ref.dir, baseline: notRun, candidate: notRun, ...classify(notRun, notRun, problem), ms: performance.now() - t0 };
  }
  const [baseline, candidate] = await Promise.all(sides.map((s, i) => judgeSide(s.backend, s.version, loaded, join(workDir, i === 0 ? 'baseline' : 'candidate'))));
  const status = statusOf(loaded);
  return {
    id: ref.id,
    source,
    dir: ref.dir,
    ...(loaded.title ? { title: loaded.title } : {}),
    ...(status ? { status } : {}),
    baseline: baseline!,
    candidate: candidate!,
    ...classify(baseline!, candidate!),
    ms: performance.now() - t0,
  };
}

/** Runs the gate; throws GateCannotRun when it cannot compare anything at all. */
export async function runGate(o: GateOptions): Promise<GateReport> {
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const problems: string[] = [];
  const refs = o.corpus ? findCases(o.corpus) : [];
  if (o.corpus && refs.length === 0) {
    const msg = `the corpus ${o.corpus} holds no case folders (folders with model.onnx or case.json)`;
    if (!o.fuzz) throw new GateCannotRun(msg);
    problems.push(msg);
  }
  const started = await startBackends([o.baseline, o.candidate], o.timeoutMs);
  const workDir = mkdtempSync(join(tmpdir(), 'onnxsmith-gate-'));
  try {
    const down = started.filter(({ info }) => 'error' in info || !info.available.ok);
    if (down.length > 0) {
      const why = down.map(({ backend, info }) => `${backend.spec}: ${'error' in info ? info.error : info.available.ok ? '' : info.available.reason}`);
      throw new GateCannotRun(`backend${down.length > 1 ? 's' : ''} not available here: ${why.join('; ')}`);
    }
    const [b, c] = started.map(({ backend, info }) => ({ backend, version: 'error' in info ? '?' : info.version })) as [
      { backend: IsolatedBackend; version: string },
      { backend: IsolatedBackend; version: string },
    ];
    const cases: GateCase[] = [];
    for (const ref of refs) {
      const gc = await gateCase(ref, 'corpus', [b, c], workDir, (l) => l.status);
      cases.push(gc);
      o.onCase?.(gc);
    }
    let fuzz: GateReport['fuzz'];
    if (o.fuzz) {
      o.onFuzz?.(o.fuzz.dir, o.fuzz.timeMs);
      const f = await fuzzForGate({ ...o.fuzz, baseline: o.baseline, candidate: o.candidate, timeoutMs: o.timeoutMs });
      fuzz = { dir: o.fuzz.dir, seed: o.fuzz.seed, tested: f.tested, failing: f.failing, harnessBugs: f.harnessBugs, ms: f.ms };
      for (const ref of f.cases) {
        const gc = await gateCase(ref, 'fuzz', [b, c], workDir, () => `fresh (fuzz seed ${o.fuzz!.seed}, case ${ref.id.slice(5)})`);
        cases.push(gc);
        o.onCase?.(gc);
      }
    }
    const applied = applyExpectations(cases, o.expectations);
    const backendOf = (s: { backend: IsolatedBackend; version: string }): GateBackend => ({ spec: s.backend.spec, version: s.version });
    return {
      baseline: backendOf(b),
      candidate: backendOf(c),
      ...(o.corpus ? { corpus: o.corpus } : {}),
      ...(fuzz ? { fuzz } : {}),
      cases: applied.cases,
      stale: applied.stale,
      problems,
      startedAt,
      ms: performance.now() - t0,
    };
  } finally {
    await Promise.all(started.map((s) => s.backend.close()));
    rmSync(workDir, { recursive: true, force: true });
  }
}
