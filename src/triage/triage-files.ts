/**
 * The triage files every finding's case folder carries: repro.mjs (standalone, when the culprit allows one) and
 * report.md (an upstream issue body). Computed before the case is written, so they land with it atomically.
 */
import type { Tolerance } from '../../oracles/tolerance.js';
import type { DType, Graph, Tensor } from '../ir/index.js';
import { interpret } from '../reference/interpreter.js';
import { reportMarkdown } from './report-md.js';
import { reproScript } from './repro.js';
import { outputsOf, type Evaluation, type Hit } from './evaluate.js';

export interface TriageInput {
  readonly graph: Graph;
  readonly feeds: Readonly<Record<string, Tensor>>;
  /** Outputs per backend ('reference' included when it ran). */
  readonly outputs: Readonly<Record<string, Readonly<Record<string, Tensor>>>>;
  readonly culprit: string;
  readonly symptom: string;
  readonly stage?: string;
  readonly detail: string;
  readonly title?: string;
  /** Backends with versions and whether each agrees with the reference. */
  readonly backends: readonly { readonly backend: string; readonly version: string; readonly agrees: boolean }[];
  readonly tolerances?: Partial<Record<DType, Tolerance>>;
  readonly reducedFrom?: number;
  readonly caseDir?: string;
}

/** repro.mjs and report.md for a finding; repro.mjs is left out when no standalone script can be written. */
export async function triageFiles(t: TriageInput): Promise<Record<string, string>> {
  let expected = t.outputs.reference;
  if (!expected) {
    const env = interpret(t.graph, t.feeds);
    expected = Object.fromEntries(t.graph.outputs.map((o) => [o.name, env.get(o.name)!]));
  }
  const version = t.backends.find((b) => b.backend === t.culprit)?.version;
  const title = t.title ?? `${t.culprit}: ${t.symptom} on ${[...new Set(t.graph.nodes.map((n) => n.op))].join(', ')}`;
  const files: Record<string, string> = {};
  try {
    files['repro.mjs'] = await reproScript({ graph: t.graph, feeds: t.feeds, expected, culprit: t.culprit, ...(version ? { culpritVersion: version } : {}), symptom: t.symptom, title, ...(t.tolerances ? { tolerances: t.tolerances } : {}) });
  } catch {
    // a backend without a standalone form (a module: plugin, a tfjs lowering that cannot be recorded): report.md says how to replay instead
  }
  const actual = t.outputs[t.culprit];
  files['report.md'] = reportMarkdown({
    graph: t.graph,
    feeds: t.feeds,
    expected,
    ...(actual ? { actual } : {}),
    culprit: t.culprit,
    ...(version ? { culpritVersion: version } : {}),
    symptom: t.symptom,
    ...(t.stage ? { stage: t.stage } : {}),
    detail: t.detail,
    others: t.backends.filter((b) => b.backend !== t.culprit),
    ...(t.reducedFrom ? { reducedFrom: t.reducedFrom } : {}),
    hasRepro: 'repro.mjs' in files,
    ...(t.caseDir ? { caseDir: t.caseDir } : {}),
  });
  return files;
}

/** Triage files for one hit of an evaluation. */
export function triageOfHit(e: Evaluation, h: Hit, graph: Graph, feeds: Readonly<Record<string, Tensor>>, extra: Pick<TriageInput, 'title' | 'tolerances' | 'reducedFrom' | 'caseDir'> = {}): Promise<Record<string, string>> {
  const judged = 'judged' in e.verdict ? e.verdict.judged : [];
  return triageFiles({
    graph,
    feeds,
    outputs: outputsOf(e),
    culprit: h.culprit,
    symptom: h.symptom,
    stage: h.stage,
    detail: h.detail,
    backends: judged.map((j) => ({ backend: j.backend, version: j.version, agrees: j.verdict.kind === 'pass' })),
    ...extra,
  });
}
