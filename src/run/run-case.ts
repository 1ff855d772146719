/**
 * `run`'s engine: one model on the chosen backends, judged as a campaign judges a case (triage/judge-case.ts), so
 * `run` and `fuzz` give the same verdicts, culprits, unstable calls, harness bugs and bucket keys. When the
 * reference declines the model (an operator onnxsmith does not implement, int64 it cannot follow exactly) there is
 * no judge: the backends are then judged by the same oracles against the first backend that produced outputs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attribute, type BackendResult } from '../../oracles/attribution.js';
import { compareTensor, type OutputComparison } from '../../oracles/closeness.js';
import { tieTolerantMatch } from '../../oracles/ties.js';
import { pathTolerances, toleranceFor, type Tolerance } from '../../oracles/tolerance.js';
import type { Symptom } from '../../oracles/types.js';
import { unavailableReason, type StartedBackend } from '../backends/start.js';
import type { Outcome } from '../backends/types.js';
import type { Divergence } from '../campaign/localise.js';
import type { DType, Graph, Tensor } from '../ir/index.js';
import { interpret } from '../reference/interpreter.js';
import { backendJudgements, judgeCase, wordOf, type BackendWord, type CaseOutcome, type JudgedCase } from '../triage/judge-case.js';

/** A backend's verdict: its word (judge-case.ts), `baseline` for the side the others are judged against, or `unavailable`. */
export type RunVerdict = BackendWord | 'baseline' | 'unavailable';

/** One output of one backend against the baseline's, for display; `ties` when only tie-tolerance makes it match. */
export type ShownComparison = OutputComparison & { readonly ties?: true };

export interface BackendReport {
  readonly backend: string;
  readonly version: string;
  readonly verdict: RunVerdict;
  readonly outcome: Outcome | { readonly kind: 'unavailable'; readonly reason: string };
  readonly comparisons: readonly ShownComparison[];
  /** What the oracle saw, for a backend that fails. */
  readonly symptom?: Symptom;
  readonly stage?: 'load' | 'run';
  readonly detail?: string;
  /** A culprit's bucket key, exactly as `fuzz` files it. */
  readonly bucketKey?: string;
  /** Where the culprit's values first leave the reference (the first divergent node). */
  readonly divergence?: Divergence;
}

export interface RunResult {
  /** Who judged: `reference`, or the backend the others were compared with when the reference declined the model. */
  readonly baseline: string | undefined;
  /** The case's status as `fuzz` would file it (`finding` or `pass` when the reference declined and a backend judged). */
  readonly status: CaseOutcome;
  /** Why the reference could not judge, when it could not. */
  readonly noReference?: string;
  /** The harness bug's reason, the unstable backends, or why no backend ran the case. */
  readonly detail?: string;
  /** A harness bug's group key (`reference|harness-bug|...`). */
  readonly harnessKey?: string;
  readonly reports: readonly BackendReport[];
}

export interface RunCaseOptions {
  readonly tolerances?: Partial<Record<DType, Tolerance>>;
  /** Operators onnxsmith has no spec for (prepare.ts): the reference declines such a model. */
  readonly unknownOps: readonly string[];
}

/** Why the reference declines the model (as opposed to failing on it), or undefined. */
function declined(graph: Graph, feeds: Readonly<Record<string, Tensor>>, unknownOps: readonly string[]): string | undefined {
  if (unknownOps.length > 0) return `it does not implement ${unknownOps.join(', ')}`;
  // asked again only after it failed: the interpreter is deterministic, and only this error names a refusal
  try {
    interpret(graph, feeds);
  } catch (e) {
    if ((e as Error).name === 'ReferenceUnsupported') return (e as Error).message;
  }
  return undefined;
}

function compareAll(graph: Graph, expected: Readonly<Record<string, Tensor>>, outcome: Outcome, env: ReadonlyMap<string, Tensor> | undefined, tolerances: Partial<Record<DType, Tolerance>>): ShownComparison[] {
  if (outcome.kind !== 'ok') return [];
  const tols = pathTolerances(graph, tolerances);
  return graph.outputs.flatMap((o): ShownComparison[] => {
    const e = expected[o.name];
    if (!e) return [];
    const a = outcome.outputs[o.name];
    if (!a) return [{ name: o.name, verdict: 'shape', maxAbs: 0, maxRel: 0, badElements: 0, expectedNonFinite: 0, actualNonFinite: 0, detail: 'output missing' }];
    const c = compareTensor(o.name, e, a, tols.get(o.name) ?? toleranceFor(e.dtype, tolerances));
    return [c.verdict === 'mismatch' && tieTolerantMatch(graph, o.name, e, a, env, tolerances) ? { ...c, ties: true } : c];
  });
}

function failure(v: { kind: string; symptom?: Symptom; stage?: 'load' | 'run'; detail?: string }): Pick<BackendReport, 'symptom' | 'stage' | 'detail'> {
  return v.kind === 'fail' && v.symptom && v.stage ? { symptom: v.symptom, stage: v.stage, ...(v.detail !== undefined ? { detail: v.detail } : {}) } : {};
}

/** Runs the model (on disk at `modelPath`) on every available started backend and judges the case. */
export async function runCase(started: readonly StartedBackend[], modelPath: string, graph: Graph, feeds: Readonly<Record<string, Tensor>>, o: RunCaseOptions): Promise<RunResult> {
  const ready = started.filter((s) => unavailableReason(s) === undefined);
  const versions = Object.fromEntries(ready.map((s) => [s.backend.spec, 'error' in s.info ? '?' : s.info.version]));
  const tolerances = o.tolerances ?? {};
  const workDir = mkdtempSync(join(tmpdir(), 'onnxsmith-run-'));
  let judged: JudgedCase;
  try {
    judged = await judgeCase(
      ready.map((s) => s.backend),
      modelPath,
      graph,
      feeds,
      { workDir, versions, tolerances },
    );
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  const e = judged.evaluation;
  const unavailable: BackendReport[] = started
    .filter((s) => unavailableReason(s) !== undefined)
    .map((s) => ({ backend: s.backend.spec, version: '?', verdict: 'unavailable', outcome: { kind: 'unavailable', reason: unavailableReason(s)! }, comparisons: [] }));
  const inOrder = (reports: BackendReport[]): BackendReport[] => started.flatMap((s) => [...reports, ...unavailable].filter((r) => r.backend === s.backend.spec));

  if (e.reference.kind === 'ok') {
    const expected = e.reference.outputs;
    const reports = backendJudgements(judged).map((b): BackendReport => ({
      backend: b.backend,
      version: b.version,
      // the reference among the backends is the interpreter that judges, run in a worker like the others
      verdict: b.backend === 'reference' && b.word === 'agree' ? 'baseline' : b.word,
      outcome: b.outcome,
      comparisons: compareAll(graph, expected, b.outcome, e.env, tolerances),
      ...failure(b.verdict),
      ...(b.hit ? { bucketKey: b.hit.key, ...(b.hit.divergence ? { divergence: b.hit.divergence } : {}) } : {}),
    }));
    return {
      baseline: 'reference',
      status: judged.status,
      ...(judged.detail ? { detail: judged.detail } : {}),
      ...(judged.harness ? { harnessKey: judged.harness.key } : {}),
      reports: inOrder(reports),
    };
  }

  // the reference did not run: the backends can still be compared with each other, through the same oracles
  const why = declined(graph, feeds, o.unknownOps);
  const base = e.results.find((r) => r.outcome.kind === 'ok' && r.backend !== 'reference');
  const rest = e.results.filter((r) => r !== base);
  const verdicts = base ? attribute(graph, base.outcome, rest, tolerances) : undefined;
  const judgedRest = verdicts && 'judged' in verdicts ? verdicts.judged : [];
  const reports = e.results.map((r: BackendResult): BackendReport => {
    if (r === base) return { backend: r.backend, version: r.version, verdict: 'baseline', outcome: r.outcome, comparisons: [] };
    const j = judgedRest.find((x) => x.backend === r.backend);
    const verdict: RunVerdict = j ? wordOf(j) : r.outcome.kind === 'ok' ? 'agree' : r.outcome.kind === 'unsupported' ? 'unsupported' : r.outcome.kind;
    return { backend: r.backend, version: r.version, verdict, outcome: r.outcome, comparisons: base && base.outcome.kind === 'ok' ? compareAll(graph, base.outcome.outputs, r.outcome, undefined, tolerances) : [], ...(j ? failure(j.verdict) : {}) };
  });
  const failing = reports.some((r) => r.backend !== 'reference' && !['baseline', 'agree', 'unsupported', 'unavailable'].includes(r.verdict));
  const reason = e.verdict.kind === 'harness-bug' ? e.verdict.reason : 'the reference did not run';
  return {
    baseline: base?.backend,
    // a model the reference claims to implement and fails on is onnxsmith's bug, as in a campaign
    status: why === undefined ? 'harness-bug' : failing ? 'finding' : 'pass',
    noReference: why ?? reason,
    ...(why === undefined ? { detail: reason } : {}),
    reports: inOrder(reports),
  };
}
