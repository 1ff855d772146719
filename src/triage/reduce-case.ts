/**
 * Reducing a case folder: the case's own backends judge every candidate through the same evaluation the
 * campaign uses, so "same bug" means the same bucket key (culprit, symptom, stage, first divergent operator and
 * dtype, or the normalised error). Another bug met on the way is saved as a case of its own, never dropped.
 *
 * A harness bug (the reference alone against backends that agree with each other) reduces too: its key is the
 * operator where the first of those backends leaves the reference, so the reducer keeps graphs on which the
 * reference still stands alone at that operator. The small graph shows who is right: the reference's kernel or
 * a bug every backend shares (one implementation behind them all).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Symptom } from '../../oracles/types.js';
import { caseCommand } from '../backends/index.js';
import { IsolatedBackend } from '../backends/isolated.js';
import { keySymptom } from '../campaign/bucket.js';
import { readCase, writeCase } from '../campaign/case.js';
import type { Graph, Tensor } from '../ir/index.js';
import { graphHash } from '../ir/index.js';
import { exportModel, importModel } from '../onnx/index.js';
import { readInputs } from '../run/inputs.js';
import { evaluateCase, HARNESS_KEY_PREFIX, harnessHit, outputsOf, runRecord, type Evaluation, type Hit } from './evaluate.js';
import { reduce, type ReduceResult } from './reduce.js';
import type { Candidate } from './transforms.js';
import { triageOfHit } from './triage-files.js';

/** Why a case cannot be reduced; `setup` when the case or the backends asked for cannot be used (not a failure to reproduce). */
export class ReduceError extends Error {
  override readonly name = 'ReduceError';
  constructor(
    message: string,
    readonly setup = false,
  ) {
    super(message);
  }
}

export interface CaseReduction {
  readonly dir: string;
  readonly reducedDir: string;
  readonly bucketKey: string;
  readonly before: number;
  readonly after: number;
  readonly result: ReduceResult;
  /** Case folders written for other bugs met while reducing. */
  readonly others: readonly string[];
}

export interface ReduceCaseOptions {
  readonly timeMs: number;
  /** Backends to judge with (default: the case's own). */
  readonly backends?: readonly string[];
  readonly timeoutMs?: number;
  readonly log?: (line: string) => void;
  /** Try the first divergent node and the bucket's operator first (default true; off for the benchmark baseline). */
  readonly focus?: boolean;
}

export interface CaseMeta {
  culprit?: string;
  /** Set (to the reason) on cases the campaign filed as harness bugs. */
  harnessBug?: string;
  symptom?: string;
  bucketKey?: string;
  backends?: ({ name: string; version?: string } | string)[];
  tolerances?: Record<string, { rtol: number; atol: number }>;
  divergence?: { node?: string; op?: string };
  graph?: Graph;
  [k: string]: unknown;
}

/** Backend names a case was judged with (the reference is implicit). */
export function caseBackends(meta: Pick<CaseMeta, 'culprit' | 'backends'>): string[] {
  const names = (meta.backends ?? []).map((b) => (typeof b === 'string' ? b : b.name)).filter((b) => b !== 'reference');
  return [...new Set([...names, ...(meta.culprit ? [meta.culprit] : [])])];
}

/** Reduces the case in `dir` and writes `dir/reduced/`. */
export async function reduceCase(dir: string, o: ReduceCaseOptions): Promise<CaseReduction> {
  const read = readCase(dir);
  // hand-made cases may keep the graph only in model.onnx
  const graph = read.meta.graph ?? importModel(read.modelBytes, { path: join(dir, 'model.onnx') }).graph;
  const meta: CaseMeta & { graph: Graph } = { ...(read.meta as CaseMeta), graph };
  const loaded = { ...read, feeds: read.meta.graph ? read.feeds : readInputs(graph, join(dir, 'inputs')) };
  const harness = !meta.culprit && typeof meta.harnessBug === 'string';
  if (!meta.culprit && !harness) throw new ReduceError(`${dir}/case.json names no culprit and is not a harness bug: only findings and harness bugs can be reduced`, true);
  const specs = o.backends ?? caseBackends(meta);
  if (meta.culprit && !specs.includes(meta.culprit)) throw new ReduceError(`the culprit ${meta.culprit} is not among the backends (${specs.join(', ')})`, true);
  if (harness && specs.length < 2) throw new ReduceError(`a harness bug needs at least two backends that agree with each other; got ${specs.join(', ') || 'none'}`, true);
  const backends = specs.map((s) => new IsolatedBackend(s, { timeoutMs: o.timeoutMs ?? 30_000 }));
  const work = mkdtempSync(join(tmpdir(), 'onnxsmith-reduce-'));
  try {
    const infos = await Promise.all(backends.map(async (b) => ({ spec: b.spec, info: await b.start() })));
    const down = infos.filter((i) => !i.info.available.ok);
    if (down.length > 0) throw new ReduceError(`cannot reduce here: ${down.map((d) => `${d.spec} is unavailable (${d.info.available.ok ? '' : d.info.available.reason})`).join('; ')}`, true);
    const versions = Object.fromEntries(infos.map((i) => [i.spec, i.info.version]));
    const tolerances = meta.tolerances ?? {};
    let n = 0;
    const evaluate = async (graph: Graph, feeds: Readonly<Record<string, Tensor>>): Promise<Evaluation> => {
      const d = join(work, String(n++ % 2));
      rmSync(d, { recursive: true, force: true });
      mkdirSync(d, { recursive: true });
      const path = join(d, 'model.onnx');
      writeFileSync(path, exportModel(graph));
      const eo = { workDir: d, versions, tolerances };
      const e = await evaluateCase(backends, path, graph, feeds, eo);
      if (!harness) return e;
      const h = await harnessHit(e, backends, graph, feeds, eo);
      return h === 'unstable' ? { ...e, unstable: ['reference'] } : h ? { ...e, hits: [h] } : e;
    };
    const first = await evaluate(meta.graph, loaded.feeds);
    const own = (h: Hit): boolean => (harness ? h.key.startsWith(HARNESS_KEY_PREFIX) : h.culprit === meta.culprit);
    // a case saved before NaN/Inf joined wrong values, or before an error was keyed at the node whose shape caused it,
    // names the symptom of then: the culprit's hit with that symptom first, else its only other one
    const sameSymptom = (h: Hit): boolean => !meta.symptom || keySymptom(h.symptom) === keySymptom(meta.symptom as Symptom);
    const key = meta.bucketKey && first.hits.some((h) => h.key === meta.bucketKey) ? meta.bucketKey : (first.hits.find((h) => own(h) && sameSymptom(h)) ?? first.hits.find(own))?.key;
    if (!key) {
      const seen = first.hits.map((h) => h.key).join('; ') || first.verdict.kind;
      const what = harness ? 'the harness bug' : `the finding (${meta.culprit}: ${meta.symptom ?? '?'})`;
      throw new ReduceError(`${what} does not reproduce on ${specs.join(', ')} (got ${seen}): nothing to reduce`);
    }
    const others: string[] = [];
    const otherKeys = new Set<string>([key]);
    const test = async (c: Candidate): Promise<{ kind: 'same' } | { kind: 'other'; keys: string[] } | { kind: 'gone' }> => {
      const e = await evaluate(c.graph, c.feeds);
      if (e.hits.some((h) => h.key === key)) return { kind: 'same' };
      const fresh = e.hits.filter((h) => !otherKeys.has(h.key));
      for (const h of fresh) {
        otherKeys.add(h.key);
        const dest = join(dir, 'other-findings', h.slug);
        const files = await triageOfHit(e, h, c.graph, c.feeds, { tolerances, caseDir: dest });
        writeCase(dest, { modelBytes: exportModel(c.graph), feeds: c.feeds, files, outputs: outputsOf(e), meta: caseMeta(c.graph, e, h, versions, tolerances, dest, { foundWhileReducing: dir }) });
        others.push(dest);
        o.log?.(`another bug met while reducing (${h.key}): saved in ${dest}`);
      }
      return e.hits.length > 0 ? { kind: 'other', keys: e.hits.map((h) => h.key) } : { kind: 'gone' };
    };
    const focusOp = key.split('|')[3]?.split(':')[0];
    const result = await reduce({ graph: meta.graph, feeds: loaded.feeds }, test, {
      timeMs: o.timeMs,
      ...(o.focus !== false && meta.divergence?.node ? { focusNode: meta.divergence.node } : {}),
      ...(o.focus !== false && focusOp && focusOp !== '?' ? { focusOp } : {}),
      ...(o.log ? { log: o.log } : {}),
    });
    // one more run of the result: its outputs and verdicts go into the reduced case
    const final = await evaluate(result.graph, result.feeds);
    const hit = final.hits.find((h) => h.key === key);
    if (!hit) throw new ReduceError(`the reduced graph no longer reproduces on a second run (a flaky finding?); nothing written`);
    const reducedDir = join(dir, 'reduced');
    const files = await triageOfHit(final, hit, result.graph, result.feeds, {
      tolerances,
      reducedFrom: meta.graph.nodes.length,
      caseDir: reducedDir,
      ...(typeof meta.title === 'string' ? { title: meta.title } : harness ? { title: `${hit.op ?? 'graph'}: the reference and ${specs.join(', ')} disagree (harness bug, or a bug they share)` } : {}),
    });
    writeCase(reducedDir, {
      files,
      modelBytes: exportModel(result.graph),
      feeds: result.feeds,
      outputs: outputsOf(final),
      meta: caseMeta(result.graph, final, hit, versions, tolerances, reducedDir, {
        title: meta.title,
        reducedFrom: { nodes: meta.graph.nodes.length, graphHash: graphHash(meta.graph), case: dir },
        reduction: { edits: result.edits, tests: result.tests, invalid: result.invalid, ms: Math.round(result.ms), timedOut: result.timedOut },
        seed: meta.seed,
        ...(harness ? { harnessBug: hit.detail } : {}),
      }),
    });
    return { dir, reducedDir, bucketKey: key, before: meta.graph.nodes.length, after: result.graph.nodes.length, result, others };
  } finally {
    await Promise.all(backends.map((b) => b.close()));
    rmSync(work, { recursive: true, force: true });
  }
}

/** case.json for a case the reducer writes. */
function caseMeta(graph: Graph, e: Evaluation, h: Hit, versions: Record<string, string>, tolerances: unknown, dest: string, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    ...Object.fromEntries(Object.entries(extra).filter(([, v]) => v !== undefined)),
    graphHash: graphHash(graph),
    graph,
    tolerances,
    ...runRecord(e, versions),
    // a harness bug names no culprit (replay then asks for the harness-bug verdict again)
    ...('harnessBug' in extra && extra.harnessBug !== undefined ? {} : { culprit: h.culprit }),
    symptom: h.symptom,
    observed: h.observed,
    stage: h.stage,
    bucketKey: h.key,
    detail: h.detail,
    ...(h.divergence ? { divergence: h.divergence } : {}),
    replay: caseCommand('replay', dest, Object.keys(versions)),
  };
}

/** Whether a case folder already holds a reduction. */
export function isReduced(dir: string): boolean {
  return existsSync(join(dir, 'reduced', 'case.json'));
}
