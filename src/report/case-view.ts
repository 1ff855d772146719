/**
 * What the report shows of one saved case folder: the graph to draw (the reducer's smaller version when there
 * is one), every backend's verdict, the divergence localisation and the culprit's numbers against the reference.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathTolerances, toleranceFor, type Tolerances } from '../../oracles/tolerance.js';
import type { Graph } from '../ir/index.js';
import { outputDiffs, type OutputDiff } from './output-diff.js';

/** One backend's verdict as case.json stores it. */
export interface VerdictView {
  readonly backend: string;
  readonly kind: string;
  readonly symptom?: string;
  readonly stage?: string;
  readonly detail?: string;
}

export interface DivergenceView {
  readonly node: string;
  readonly op: string;
  readonly dtype: string;
  readonly reproducedWithIntermediates: boolean;
}

export interface CaseView {
  /** Absolute path of the case folder. */
  readonly dir: string;
  /** The graph drawn: the reduced one when the reducer wrote one. */
  readonly graph?: Graph;
  /** Node counts when the graph drawn is the reduced one. */
  readonly reduced?: { readonly from: number; readonly to: number };
  readonly verdicts: readonly VerdictView[];
  readonly divergence?: DivergenceView;
  readonly diffs: readonly OutputDiff[];
  /** Which folder the numbers come from, when it is not the one whose graph is drawn. */
  readonly diffsFrom?: string;
  readonly replay: string;
  readonly reducedReplay?: string;
  readonly harnessBug?: string;
}

interface CaseJson {
  graph?: Graph;
  verdicts?: Record<string, { kind?: string; symptom?: string; stage?: string; detail?: string; reason?: string }>;
  divergence?: DivergenceView;
  tolerances?: Tolerances;
  replay?: string;
  harnessBug?: string;
  /** Written by the reducer into reduced/case.json. */
  reducedFrom?: { nodes?: number };
}

function readJson(file: string): CaseJson | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as CaseJson;
  } catch {
    return undefined;
  }
}

/** The replay command as case.json wrote it, unless the campaign folder moved since (then for where it is now). */
function replayCommand(meta: CaseJson | undefined, dir: string): string {
  const written = meta?.replay ?? '';
  const here = `onnxsmith replay ${dir}`;
  // the external programs a case names follow its folder (replay runs them only when named)
  if (written === here || written.startsWith(`${here} --backends `)) return written;
  const named = / (--backends \S+)$/.exec(written);
  return named ? `${here} ${named[1]}` : here;
}

function diffsOf(dir: string, meta: CaseJson, culprit: string | undefined): OutputDiff[] {
  const graph = meta.graph;
  if (!graph || !culprit) return [];
  const tols = pathTolerances(graph, meta.tolerances ?? {});
  return outputDiffs(dir, culprit, graph.outputs.map((o) => o.name), (name, t) => tols.get(name) ?? toleranceFor(t.dtype, meta.tolerances ?? {}));
}

/** Reads case folder `dir` (absolute); `culprit` is the backend whose outputs are compared. */
export function readCaseView(dir: string, culprit: string | undefined): CaseView {
  const meta = readJson(join(dir, 'case.json')) ?? {};
  const reducedDir = join(dir, 'reduced');
  const reducedMeta = existsSync(join(reducedDir, 'case.json')) ? readJson(join(reducedDir, 'case.json')) : undefined;
  const useReduced = reducedMeta?.graph !== undefined;
  const shown = useReduced ? reducedMeta! : meta;
  let diffs = useReduced ? diffsOf(reducedDir, reducedMeta!, culprit) : diffsOf(dir, meta, culprit);
  let diffsFrom: string | undefined;
  if (useReduced && diffs.length === 0) {
    // a reducer that kept no outputs: the original case still holds the numbers
    diffs = diffsOf(dir, meta, culprit);
    if (diffs.length > 0) diffsFrom = 'the original case';
  }
  const verdicts = Object.entries(shown.verdicts ?? meta.verdicts ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([backend, v]) => ({
      backend,
      kind: v.kind ?? '?',
      ...(v.symptom ? { symptom: v.symptom } : {}),
      ...(v.stage ? { stage: v.stage } : {}),
      ...(v.detail ?? v.reason ? { detail: v.detail ?? v.reason } : {}),
    }));
  const divergence = shown.divergence ?? meta.divergence;
  return {
    dir,
    ...(shown.graph ? { graph: shown.graph } : {}),
    ...(useReduced ? { reduced: { from: reducedMeta!.reducedFrom?.nodes ?? meta.graph?.nodes.length ?? 0, to: reducedMeta!.graph!.nodes.length } } : {}),
    verdicts,
    ...(divergence ? { divergence } : {}),
    diffs,
    ...(diffsFrom ? { diffsFrom } : {}),
    replay: replayCommand(meta, dir),
    ...(useReduced ? { reducedReplay: replayCommand(reducedMeta, reducedDir) } : {}),
    ...(meta.harnessBug ? { harnessBug: meta.harnessBug } : {}),
  };
}
