/**
 * Attribution: which backend is to blame. The culprit is a backend that leaves the reference while others agree
 * with it. When every backend that produced outputs agrees with the others but not with the reference, and they
 * are independent implementations (kernelFamily), the reference itself is wrong: a harness bug, reported loudly and
 * never filed against a backend.
 */
import { kernelFamily } from '../src/backends/names.js';
import type { Outcome } from '../src/backends/types.js';
import type { DType, Graph, Tensor } from '../src/ir/index.js';
import { compareTensor } from './closeness.js';
import { judge } from './index.js';
import { pathTolerances, toleranceFor, type Tolerance } from './tolerance.js';
import type { Verdict } from './types.js';

export interface BackendResult {
  readonly backend: string;
  readonly version: string;
  readonly outcome: Outcome;
}

export type Judged = BackendResult & { readonly verdict: Verdict };

export type CaseVerdict =
  | { readonly kind: 'pass'; readonly judged: readonly Judged[] }
  | { readonly kind: 'finding'; readonly culprits: readonly Judged[]; readonly judged: readonly Judged[] }
  /** The harness is wrong (the reference failed, or it alone disagrees with every backend). */
  | { readonly kind: 'harness-bug'; readonly reason: string; readonly judged: readonly Judged[] };

function agree(a: Readonly<Record<string, Tensor>>, b: Readonly<Record<string, Tensor>>, graph: Graph, tol: Partial<Record<DType, Tolerance>>): boolean {
  const tols = pathTolerances(graph, tol);
  return graph.outputs.every((o) => {
    const x = a[o.name];
    const y = b[o.name];
    return x !== undefined && y !== undefined && compareTensor(o.name, x, y, tols.get(o.name) ?? toleranceFor(x.dtype, tol)).verdict === 'match';
  });
}

/** Judges every backend against the reference and names the culprits. */
export function attribute(
  graph: Graph,
  reference: Outcome,
  results: readonly BackendResult[],
  tolerances: Partial<Record<DType, Tolerance>> = {},
  env?: ReadonlyMap<string, Tensor>,
): CaseVerdict {
  if (reference.kind !== 'ok') {
    const why = 'message' in reference ? reference.message : reference.kind === 'unsupported' ? reference.reasons.join('; ') : reference.kind;
    return { kind: 'harness-bug', reason: `the reference could not run a generated graph (${reference.kind}): ${why}`, judged: [] };
  }
  const ctx = { graph, expected: reference.outputs, tolerances, ...(env ? { env } : {}) };
  const judged: Judged[] = results.map((r) => ({ ...r, verdict: judge(r.outcome, ctx) }));
  const failing = judged.filter((j) => j.verdict.kind === 'fail');
  if (failing.length === 0) return { kind: 'pass', judged };
  const valueFailures = failing.filter((j) => j.outcome.kind === 'ok');
  const agreeing = judged.filter((j) => j.verdict.kind === 'pass');
  if (agreeing.length === 0 && new Set(valueFailures.map((v) => kernelFamily(v.backend))).size >= 2) {
    const [first, ...rest] = valueFailures;
    const firstOut = (first!.outcome as Extract<Outcome, { kind: 'ok' }>).outputs;
    const consensus = rest.every((r) => agree(firstOut, (r.outcome as Extract<Outcome, { kind: 'ok' }>).outputs, graph, tolerances));
    if (consensus) {
      return {
        kind: 'harness-bug',
        reason: `the reference disagrees with every backend (${valueFailures.map((v) => v.backend).join(', ')}), which agree with each other: a reference kernel or spec is wrong`,
        judged,
      };
    }
  }
  return { kind: 'finding', culprits: failing, judged };
}
