/**
 * Evaluating one case: the reference and every backend run the model, the oracles judge, attribution names the
 * culprits, and each culprit's failure becomes a bucket hit (after localising where its values diverge). The
 * campaign, the reducer and the gate all decide "which bug is this" through this one function, so a reduced
 * case lands in a bucket exactly when the campaign would have put it there.
 */
import { createHash } from 'node:crypto';
import { attribute, type BackendResult, type CaseVerdict } from '../../oracles/attribution.js';
import type { Tolerance } from '../../oracles/tolerance.js';
import type { Symptom } from '../../oracles/types.js';
import type { IsolatedBackend } from '../backends/isolated.js';
import type { Outcome } from '../backends/types.js';
import type { DType, Graph, Tensor } from '../ir/index.js';
import { interpret } from '../reference/interpreter.js';
import { bucketKey, bucketSlug, isValueSymptom, keySymptom, normaliseError } from '../campaign/bucket.js';
import { localise, localiseCrash, localiseFailure, typeIsCause, type Divergence } from '../campaign/localise.js';

/** One culprit's failure, filed under a bucket key. */
export interface Hit {
  readonly key: string;
  readonly slug: string;
  readonly culprit: string;
  /** The bucket's symptom: where the bug is (NaN/Inf counts as a wrong value; a wrong shape that made a later node fail is a shape bug). */
  readonly symptom: Symptom;
  /** What the oracle saw at the outputs (nan-inf, or the run error a wrong shape caused). */
  readonly observed: Symptom;
  readonly stage: 'load' | 'run';
  readonly op?: string;
  /** Element type at the divergent node (shown; part of the key only when `typeIsCause`). */
  readonly dtype?: string;
  /** The node on the sibling element type does not diverge: the type is part of the bug (and of the key). */
  readonly typeIsCause?: boolean;
  readonly detail: string;
  readonly divergence?: Divergence;
}

export interface Evaluation {
  readonly verdict: CaseVerdict;
  readonly reference: Outcome;
  /** Every tensor the reference computed (empty when it failed). */
  readonly env: ReadonlyMap<string, Tensor>;
  readonly results: readonly BackendResult[];
  readonly hits: readonly Hit[];
  /**
   * Culprits whose divergence the reference's own kernel reproduces on the backend's inputs to the first divergent
   * node (localise.ts): unstable cases, not findings. A finding verdict with no hits and some of these is unstable.
   */
  readonly unstable: readonly string[];
  readonly ms: { readonly reference: number; readonly backends: number; readonly localise: number; readonly perBackend: Readonly<Record<string, number>> };
}

export interface EvaluateOptions {
  readonly tolerances?: Partial<Record<DType, Tolerance>>;
  /** Folder for the exposed-intermediates model that localisation writes. */
  readonly workDir: string;
  /** Backend versions by spec, recorded in the results. */
  readonly versions?: Readonly<Record<string, string>>;
}

export function hashOf(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** The reference outcome of a graph, with every intermediate it computed. */
export function runReference(graph: Graph, feeds: Readonly<Record<string, Tensor>>): { reference: Outcome; env: Map<string, Tensor> } {
  const t = performance.now();
  try {
    const env = interpret(graph, feeds);
    const outputs = Object.fromEntries(graph.outputs.map((o) => [o.name, env.get(o.name)!]));
    return { reference: { kind: 'ok', outputs, timings: { loadMs: 0, runMs: performance.now() - t } }, env };
  } catch (e) {
    return { reference: { kind: 'run-error', stage: 'run', message: (e as Error).message }, env: new Map() };
  }
}

/**
 * Runs the model at `modelPath` (the export of `graph`, already on disk) on the reference and on `backends`,
 * judges and attributes, and turns each culprit's failure into a bucket hit.
 */
export async function evaluateCase(
  backends: readonly IsolatedBackend[],
  modelPath: string,
  graph: Graph,
  feeds: Readonly<Record<string, Tensor>>,
  o: EvaluateOptions,
): Promise<Evaluation> {
  const t0 = performance.now();
  const { reference, env } = runReference(graph, feeds);
  const referenceMs = performance.now() - t0;
  const outputNames = graph.outputs.map((x) => x.name);
  const perBackend: Record<string, number> = {};
  const t1 = performance.now();
  const results: BackendResult[] = await Promise.all(
    backends.map(async (b) => {
      const bt = performance.now();
      let outcome = await b.run(modelPath, graph, feeds, outputNames);
      // a hang must reproduce: a machine busy for a moment (other jobs, a swap storm) makes a small case time out on
      // several backends at once. A fresh worker gets the case again with twice the limit; only a second timeout is one
      if (outcome.kind === 'timeout') outcome = await b.run(modelPath, graph, feeds, outputNames, outcome.limitMs * TIMEOUT_RETRY_FACTOR);
      perBackend[b.spec] = performance.now() - bt;
      return { backend: b.spec, version: o.versions?.[b.spec] ?? '?', outcome };
    }),
  );
  const backendsMs = performance.now() - t1;
  const tolerances = o.tolerances ?? {};
  const verdict = attribute(graph, reference, results, tolerances, env);
  const hits: Hit[] = [];
  const unstable: string[] = [];
  let localiseMs = 0;
  if (verdict.kind === 'finding') {
    for (const c of verdict.culprits) {
      if (c.verdict.kind !== 'fail') continue;
      const backend = backends.find((b) => b.spec === c.backend)!;
      const l = performance.now();
      const h = await hitOf(backend, c.verdict, c.outcome, graph, env, feeds, o.workDir, tolerances);
      localiseMs += performance.now() - l;
      if (h === 'unstable') unstable.push(c.backend);
      else hits.push(h);
    }
  }
  return { verdict, reference, env, results, hits, unstable, ms: { reference: referenceMs, backends: backendsMs, localise: localiseMs, perBackend } };
}

type Failure = Extract<CaseVerdict, { kind: 'finding' }>['culprits'][number]['verdict'] & { kind: 'fail' };

/**
 * One culprit's failure as a bucket hit, keyed where the bug is: values are localised to the first divergent node
 * (an unstable divergence is no hit at all); errors and crashes to the node that fails, or to an earlier node whose
 * values or shape already left the reference (then the error is only its consequence, and the bucket is that
 * node's). The element type joins the key only when the node on the sibling type does not diverge.
 */
async function hitOf(
  backend: IsolatedBackend,
  v: Failure,
  outcome: Outcome,
  graph: Graph,
  env: ReadonlyMap<string, Tensor>,
  feeds: Readonly<Record<string, Tensor>>,
  workDir: string,
  tolerances: Partial<Record<DType, Tolerance>>,
): Promise<Hit | 'unstable'> {
  let divergence: Divergence | undefined;
  if (outcome.kind === 'ok') divergence = await localise(backend, graph, env, feeds, outcome.outputs, workDir, tolerances);
  else if (outcome.kind === 'crash') divergence = await localiseCrash(backend, graph, env, feeds, outcome.signal, workDir, tolerances);
  else if (outcome.kind === 'run-error' || outcome.kind === 'load-error') {
    // the same error, not any: a graph may hold a second, unrelated failure that a prefix meets first
    const same = normaliseError(outcome.message);
    divergence = await localiseFailure(backend, graph, env, feeds, (x) => x.kind === outcome.kind && normaliseError(x.message) === same, workDir, tolerances);
  }
  if (divergence?.unstable) return 'unstable';
  // a node upstream of the failure left the reference first: the failure is its consequence
  const cause = divergence?.kind;
  const symptom: Symptom = cause === 'shape' ? 'shape' : cause === 'dtype' ? 'dtype' : cause === 'values' ? 'wrong-value' : keySymptom(v.symptom);
  const stage = cause ? 'run' : v.stage;
  // a wrong value keeps its type in the key unless the node was seen to diverge on the sibling type too; a wrong
  // dtype is about the type; a wrong shape is not
  const typeCause = symptom === 'wrong-value' && divergence ? await typeIsCause(backend, graph, env, feeds, divergence, workDir, tolerances) : undefined;
  const keyType = divergence && ((symptom === 'wrong-value' && typeCause !== false) || symptom === 'dtype') ? divergence.dtype : undefined;
  const parts = { culprit: backend.spec, symptom, observed: v.symptom, stage, ...(divergence ? { op: divergence.op, dtype: divergence.dtype } : {}) };
  const key = bucketKey({ culprit: backend.spec, symptom, stage, ...(divergence ? { op: divergence.op } : {}), ...(keyType ? { dtype: keyType } : {}), message: v.detail });
  const detail = cause && !isValueSymptom(v.symptom) ? `${v.detail} (after ${divergence!.op} '${divergence!.node}' left the reference: ${cause})` : v.detail;
  return { key, slug: bucketSlug(key, hashOf(key)), ...parts, ...(keyType ? { typeIsCause: true } : {}), detail, ...(divergence ? { divergence } : {}) };
}

/** The limit a timed-out case gets on its second try, as a multiple of the first. */
export const TIMEOUT_RETRY_FACTOR = 2;

/** How every harness-bug key starts: the reference, not a backend, stands alone. */
export const HARNESS_KEY_PREFIX = 'reference|harness-bug|';

/**
 * A harness-bug evaluation as a hit: the first backend whose values left the reference (all of them agree with
 * each other) stands for the group, localised to the node where it leaves the reference. The key names the
 * reference, not a backend: which side is wrong is what the reduced case is for.
 */
export async function harnessHit(
  e: Evaluation,
  backends: readonly IsolatedBackend[],
  graph: Graph,
  feeds: Readonly<Record<string, Tensor>>,
  o: EvaluateOptions,
): Promise<Hit | 'unstable' | undefined> {
  if (e.verdict.kind !== 'harness-bug' || e.reference.kind !== 'ok') return undefined;
  const group = e.verdict.judged.filter((j) => j.verdict.kind === 'fail' && j.outcome.kind === 'ok');
  const first = group[0];
  if (!first || first.verdict.kind !== 'fail' || first.outcome.kind !== 'ok') return undefined;
  const backend = backends.find((b) => b.spec === first.backend)!;
  const divergence = await localise(backend, graph, e.env, feeds, first.outcome.outputs, o.workDir, o.tolerances ?? {});
  // the reference's kernel gives the backends' answer on their inputs: rounding upstream, not a wrong reference
  if (divergence?.unstable) return 'unstable';
  const key = `${HARNESS_KEY_PREFIX}${first.verdict.stage}|${divergence?.op ?? '?'}:${divergence?.dtype ?? '?'}`;
  return {
    key,
    slug: bucketSlug(key, hashOf(key)),
    culprit: first.backend,
    symptom: keySymptom(first.verdict.symptom),
    observed: first.verdict.symptom,
    stage: first.verdict.stage,
    ...(divergence ? { op: divergence.op, dtype: divergence.dtype, divergence } : {}),
    detail: `the reference disagrees with ${group.map((g) => g.backend).join(', ')}, which agree with each other: ${first.verdict.detail}`,
  };
}

/** What case.json records about the run: each backend's version and outcome, and each one's verdict. */
export function runRecord(e: Evaluation, versions: Readonly<Record<string, string>> = {}): { backends: Record<string, unknown>[]; verdicts: Record<string, unknown> } {
  return {
    backends: e.results.map((r) => ({ name: r.backend, version: versions[r.backend] ?? r.version, outcome: r.outcome.kind, ...('message' in r.outcome ? { message: r.outcome.message } : {}) })),
    verdicts: 'judged' in e.verdict ? Object.fromEntries(e.verdict.judged.map((j) => [j.backend, j.verdict])) : {},
  };
}

/** Outputs to store in a case folder: the reference's and those of every backend that produced any. */
export function outputsOf(e: Evaluation): Record<string, Record<string, Tensor>> {
  const out: Record<string, Record<string, Tensor>> = {};
  if (e.reference.kind === 'ok') out.reference = { ...e.reference.outputs };
  for (const r of e.results) if (r.outcome.kind === 'ok') out[r.backend] = { ...r.outcome.outputs };
  return out;
}
