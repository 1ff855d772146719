/**
 * What one case comes to, decided in one place for every command that judges cases: `run` prints it, `replay` asks
 * whether it still reproduces, and it is the campaign's own rule for a case's status. evaluate.ts runs the backends,
 * judges, attributes and buckets; this settles the case (a harness bug is keyed, an unstable divergence is no
 * finding, a case no backend could run is no test) and names each backend's verdict.
 */
import type { Judged } from '../../oracles/attribution.js';
import type { Verdict } from '../../oracles/types.js';
import type { IsolatedBackend } from '../backends/isolated.js';
import type { Outcome } from '../backends/types.js';
import type { Graph, Tensor } from '../ir/index.js';
import { evaluateCase, harnessHit, type EvaluateOptions, type Evaluation, type Hit } from './evaluate.js';

/** A case's status as a campaign files it (campaign/state.ts CaseStatus, less the statuses of cases never run). */
export type CaseOutcome = 'pass' | 'finding' | 'harness-bug' | 'unstable' | 'unsupported';

export interface JudgedCase {
  readonly status: CaseOutcome;
  readonly evaluation: Evaluation;
  /** A harness bug's group, keyed at the node where the agreeing backends leave the reference. */
  readonly harness?: Hit;
  /** Why: the harness bug's reason, who was unstable, or each backend's reason for not running the case. */
  readonly detail?: string;
  /** Time spent localising the harness bug's group (the culprits' localisation is in the evaluation's ms). */
  readonly harnessMs: number;
}

/** Evaluates the case (evaluate.ts) and settles it. */
export async function judgeCase(
  backends: readonly IsolatedBackend[],
  modelPath: string,
  graph: Graph,
  feeds: Readonly<Record<string, Tensor>>,
  o: EvaluateOptions,
): Promise<JudgedCase> {
  return settleCase(await evaluateCase(backends, modelPath, graph, feeds, o), backends, graph, feeds, o);
}

/**
 * A case's status: unstable when every divergence is upstream rounding that the reference's own kernel reproduces
 * (no finding, no harness bug); unsupported when no backend but the reference ran it (a pass there tests nothing).
 */
export async function settleCase(
  e: Evaluation,
  backends: readonly IsolatedBackend[],
  graph: Graph,
  feeds: Readonly<Record<string, Tensor>>,
  o: EvaluateOptions,
): Promise<JudgedCase> {
  const v = e.verdict;
  let harness: Hit | 'unstable' | undefined;
  let harnessMs = 0;
  if (v.kind === 'harness-bug') {
    const t = performance.now();
    harness = await harnessHit(e, backends, graph, feeds, o);
    harnessMs = performance.now() - t;
  }
  const base = { evaluation: e, harnessMs };
  if (harness === 'unstable' || (v.kind === 'finding' && e.hits.length === 0 && e.unstable.length > 0)) {
    const who = harness === 'unstable' ? 'every backend' : e.unstable.join(', ');
    return { ...base, status: 'unstable', detail: `${who} left the reference where the reference's own kernel, run on the backend's inputs to that node, agrees with the backend` };
  }
  if (v.kind === 'harness-bug') return { ...base, status: 'harness-bug', detail: v.reason, ...(harness ? { harness } : {}) };
  if (v.kind === 'finding') return { ...base, status: 'finding' };
  const others = v.judged.filter((j) => j.backend !== 'reference');
  if (others.every((j) => j.verdict.kind === 'skip')) {
    const detail = others.map((j) => `${j.backend}: ${j.verdict.kind === 'skip' ? j.verdict.reason : j.verdict.kind}`).join('; ').slice(0, 500);
    return { ...base, status: 'unsupported', ...(detail ? { detail } : {}) };
  }
  return { ...base, status: 'pass' };
}

/**
 * One backend's verdict in a word: `agree`, `disagree` (its outputs left the reference), the way it failed
 * (`load-error`, `run-error`, `crash`, `timeout`), `unsupported` (it declared it cannot run the case) or `unstable`
 * (it left the reference only where the reference's own kernel, on its inputs, agrees with it: not a finding).
 */
export type BackendWord = 'agree' | 'disagree' | 'load-error' | 'run-error' | 'crash' | 'timeout' | 'unsupported' | 'unstable';

export interface BackendJudgement {
  readonly backend: string;
  readonly version: string;
  readonly word: BackendWord;
  readonly verdict: Verdict;
  readonly outcome: Outcome;
  /** The bucket this backend's failure is filed under (a culprit of a finding). */
  readonly hit?: Hit;
}

/** The word for a judged backend's outcome, before anything is known about stability. */
export function wordOf(j: Pick<Judged, 'verdict' | 'outcome'>): BackendWord {
  if (j.verdict.kind === 'pass') return 'agree';
  if (j.verdict.kind === 'skip') return 'unsupported';
  const k = j.outcome.kind;
  return k === 'ok' || k === 'unsupported' ? 'disagree' : k;
}

/** Each backend's verdict on a judged case, with its bucket when it is a culprit (none when the reference failed). */
export function backendJudgements(c: JudgedCase): BackendJudgement[] {
  const e = c.evaluation;
  const judged = 'judged' in e.verdict ? e.verdict.judged : [];
  const unstable = new Set(c.status === 'unstable' && c.evaluation.verdict.kind === 'harness-bug' ? judged.filter((j) => j.verdict.kind === 'fail' && j.outcome.kind === 'ok').map((j) => j.backend) : e.unstable);
  return judged.map((j) => {
    const hit = e.hits.find((h) => h.culprit === j.backend);
    const word = j.verdict.kind === 'fail' && unstable.has(j.backend) ? 'unstable' : wordOf(j);
    return { backend: j.backend, version: j.version, word, verdict: j.verdict, outcome: j.outcome, ...(hit ? { hit } : {}) };
  });
}
