/**
 * Runs one model on several isolated backends and compares every backend with a baseline: the reference
 * interpreter when it ran, otherwise the first backend that produced outputs.
 */
import { compareTensor, type OutputComparison } from '../../oracles/closeness.js';
import { pathTolerances, toleranceFor, type Tolerance } from '../../oracles/tolerance.js';
import type { DType, Graph, Tensor } from '../ir/index.js';
import type { BackendInfo } from '../backends/isolated.js';
import { IsolatedBackend } from '../backends/isolated.js';
import type { Outcome } from '../backends/types.js';

export type BackendVerdict = 'baseline' | 'agree' | 'disagree' | 'load-error' | 'run-error' | 'crash' | 'timeout' | 'unsupported' | 'unavailable';

export interface BackendReport {
  readonly backend: string;
  readonly version: string;
  readonly verdict: BackendVerdict;
  readonly outcome: Outcome | { readonly kind: 'unavailable'; readonly reason: string };
  readonly comparisons: readonly OutputComparison[];
}

export interface DifferentialResult {
  /** Backend whose outputs the others were compared with, or undefined when no backend produced outputs. */
  readonly baseline: string | undefined;
  readonly reports: readonly BackendReport[];
}

/** Verdicts that make a run fail (exit 1). */
export function isFailure(v: BackendVerdict): boolean {
  return v === 'disagree' || v === 'load-error' || v === 'run-error' || v === 'crash' || v === 'timeout';
}

export interface DifferentialOptions {
  readonly timeoutMs: number;
  readonly tolerances?: Partial<Record<DType, Tolerance>>;
}

/** Starts an isolated worker per backend spec; availability is probed inside the worker. */
export async function startBackends(specs: readonly string[], timeoutMs: number): Promise<{ backend: IsolatedBackend; info: BackendInfo | { error: string } }[]> {
  return Promise.all(
    specs.map(async (spec) => {
      const backend = new IsolatedBackend(spec, { timeoutMs });
      try {
        return { backend, info: await backend.start() };
      } catch (e) {
        return { backend, info: { error: (e as Error).message } };
      }
    }),
  );
}

/** Runs the model (already on disk at `path`) on every started backend and compares the outcomes. */
export async function runDifferential(
  started: readonly { backend: IsolatedBackend; info: BackendInfo | { error: string } }[],
  path: string,
  graph: Graph,
  feeds: Readonly<Record<string, Tensor>>,
  opts: DifferentialOptions,
): Promise<DifferentialResult> {
  const outputNames = graph.outputs.map((o) => o.name);
  const raw = await Promise.all(
    started.map(async ({ backend, info }) => {
      if ('error' in info) return { spec: backend.spec, version: '?', outcome: { kind: 'unavailable' as const, reason: info.error } };
      if (!info.available.ok) return { spec: info.name, version: info.version, outcome: { kind: 'unavailable' as const, reason: info.available.reason } };
      return { spec: info.name, version: info.version, outcome: await backend.run(path, graph, feeds, outputNames) };
    }),
  );
  const okOf = (o: (typeof raw)[number]): Readonly<Record<string, Tensor>> | undefined => (o.outcome.kind === 'ok' ? o.outcome.outputs : undefined);
  const base = raw.find((r) => r.spec === 'reference' && okOf(r)) ?? raw.find((r) => okOf(r));
  const expected = base ? okOf(base)! : undefined;
  const tols = pathTolerances(graph, opts.tolerances);
  const reports = raw.map((r): BackendReport => {
    const o = r.outcome;
    if (o.kind === 'unavailable') return { backend: r.spec, version: r.version, verdict: 'unavailable', outcome: o, comparisons: [] };
    if (o.kind !== 'ok') return { backend: r.spec, version: r.version, verdict: o.kind, outcome: o, comparisons: [] };
    if (r === base || !expected) return { backend: r.spec, version: r.version, verdict: 'baseline', outcome: o, comparisons: [] };
    const comparisons = outputNames.map((n) => {
      const e = expected[n]!;
      const a = o.outputs[n];
      if (!a) return { name: n, verdict: 'shape' as const, maxAbs: 0, maxRel: 0, badElements: 0, expectedNonFinite: 0, actualNonFinite: 0, detail: 'output missing' };
      return compareTensor(n, e, a, tols.get(n) ?? toleranceFor(e.dtype, opts.tolerances));
    });
    const verdict = comparisons.every((c) => c.verdict === 'match') ? 'agree' : 'disagree';
    return { backend: r.spec, version: r.version, verdict, outcome: o, comparisons };
  });
  return { baseline: base?.spec, reports };
}
