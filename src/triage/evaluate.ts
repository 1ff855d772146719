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
import { bucketKey, bucketSlug } from '../campaign/bucket.js';
import { localise, localiseCrash, type Divergence } from '../campaign/localise.js';

/** One culprit's failure, filed under a bucket key. */
export interface Hit {
  readonly key: string;
  readonly slug: string;
  readonly culprit: string;
  readonly symptom: Symptom;
  readonly stage: 'load' | 'run';
  readonly op?: string;
  readonly dtype?: string;
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
      const outcome = await b.run(modelPath, graph, feeds, outputNames);
      perBackend[b.spec] = performance.now() - bt;
      return { backend: b.spec, version: o.versions?.[b.spec] ?? '?', outcome };
    }),
  );
  const backendsMs = performance.now() - t1;
  const tolerances = o.tolerances ?? {};
  const verdict = attribute(graph, reference, results, tolerances);
  const hits: Hit[] = [];
  let localiseMs = 0;
  if (verdict.kind === 'finding') {
    for (const c of verdict.culprits) {
      if (c.verdict.kind !== 'fail') continue;
      const v = c.verdict;
      let divergence: Divergence | undefined;
      const backend = backends.find((b) => b.spec === c.backend)!;
      const l = performance.now();
      if (c.outcome.kind === 'ok') divergence = await localise(backend, graph, env, feeds, c.outcome.outputs, o.workDir, tolerances);
      // a crash has no values to compare: the node is found by cutting the graph down
      else if (c.outcome.kind === 'crash' && c.outcome.stage === 'run') divergence = await localiseCrash(backend, graph, env, feeds, c.outcome.signal, o.workDir);
      localiseMs += performance.now() - l;
      const parts = { culprit: c.backend, symptom: v.symptom, stage: v.stage, ...(divergence ? { op: divergence.op, dtype: divergence.dtype } : {}) };
      const key = bucketKey({ ...parts, message: v.detail });
      hits.push({ key, slug: bucketSlug(key, hashOf(key)), ...parts, detail: v.detail, ...(divergence ? { divergence } : {}) });
    }
  }
  return { verdict, reference, env, results, hits, ms: { reference: referenceMs, backends: backendsMs, localise: localiseMs, perBackend } };
}

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
): Promise<Hit | undefined> {
  if (e.verdict.kind !== 'harness-bug' || e.reference.kind !== 'ok') return undefined;
  const group = e.verdict.judged.filter((j) => j.verdict.kind === 'fail' && j.outcome.kind === 'ok');
  const first = group[0];
  if (!first || first.verdict.kind !== 'fail' || first.outcome.kind !== 'ok') return undefined;
  const backend = backends.find((b) => b.spec === first.backend)!;
  const divergence = await localise(backend, graph, e.env, feeds, first.outcome.outputs, o.workDir, o.tolerances ?? {});
  const key = `${HARNESS_KEY_PREFIX}${first.verdict.stage}|${divergence?.op ?? '?'}:${divergence?.dtype ?? '?'}`;
  return {
    key,
    slug: bucketSlug(key, hashOf(key)),
    culprit: first.backend,
    symptom: first.verdict.symptom,
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
