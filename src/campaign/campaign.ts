/**
 * The fuzz campaign: N job slots each take the next case index of this shard, generate a graph, search valid
 * inputs, write the case to disk, run it on every backend (isolated workers) and on the reference, judge and
 * attribute, bucket findings and save case folders. Progress is appended per case, so a stopped or killed
 * campaign resumes where it was, without repeating a finished case.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type * as tfjs from '@tensorflow/tfjs-core';
import type { Tolerance } from '../../oracles/tolerance.js';
import { caseSeed, GeneratorBug, generateGraph, resolveOptions, type GraphOptions, type ResolvedOptions } from '../../generators/graph.js';
import { caseCommand } from '../backends/index.js';
import { IsolatedBackend } from '../backends/isolated.js';
import type { DType, Graph, Tensor } from '../ir/index.js';
import { graphHash } from '../ir/index.js';
import { exportModel } from '../onnx/index.js';
import { loadSearchTf, searchInputs, type SearchMethod } from '../search/search.js';
import { writeFileAtomic } from '../util/fs.js';
import { evaluateCase, outputsOf, runRecord } from '../triage/evaluate.js';
import { settleCase } from '../triage/judge-case.js';
import { triageOfHit } from '../triage/triage-files.js';
import { BackgroundReducer, type ReductionDone } from './background-reduce.js';
import { isReduced } from '../triage/reduce-case.js';
import { writeCase } from './case.js';
import { CampaignError } from './errors.js';
import { LOCK_FILE, lockCampaign, type CampaignLock } from './lock.js';
import { staleTemporaries } from './merge.js';
import { mutateModelsStrategy } from './mutate-models.js';
import { KernelCoverage } from './kernel-coverage.js';
import type { KnownBugs, KnownLabel } from './known.js';

export { CampaignError } from './errors.js';
import { appendProgress, readCampaignFile, readProgress, repairProgress, Tally, type BucketHit, type CaseStatus, type ProgressRecord } from './state.js';

export interface CampaignConfig {
  readonly seed: number;
  readonly backends: readonly string[];
  readonly graph: GraphOptions;
  readonly shard: { readonly index: number; readonly count: number };
  readonly search: SearchMethod;
  /** Limit per backend per case (ms). */
  readonly timeoutMs: number;
  /** Case folders kept per bucket (every hit is counted). */
  readonly keepPerBucket: number;
  readonly tolerances?: Partial<Record<DType, Tolerance>>;
  /** 'mutate-models': each case is a mutated model run for crashes and hangs only (mutate-models.ts). */
  readonly mode?: 'mutate-models';
}

export interface RunLimits {
  /** Wall-clock budget of this session (ms). */
  readonly timeMs: number;
  /** Stop after this many cases in this session. */
  readonly maxCases?: number;
  readonly jobs: number;
  /** Reduce the first case of each new bucket in the background, this long each (ms). */
  readonly reduceMs?: number;
  /** What counts as a known bug this session: its buckets are labelled, and never reduced. */
  readonly known?: KnownBugs;
}

export interface CampaignEvents {
  /** Called about once a second with the live numbers. */
  onStatus?(s: LiveStatus): void;
  /** A harness bug: the reference or the generator is wrong. */
  onHarnessBug?(k: number, reason: string): void;
  /** A bucket was opened; `known` when it is a known bug. */
  onNewBucket?(key: string, k: number, known?: KnownLabel): void;
  /** A background reduction finished (`reduceMs`). */
  onReduced?(r: ReductionDone): void;
  onReduceFailed?(dir: string, reason: string): void;
  /** The session is set up (folder locked, backends up) and about to run its first case. */
  onStarted?(session: number): void;
  /** Something the user should know that is not a finding (a stale lock taken over, a torn progress line dropped). */
  onNote?(msg: string): void;
}

export interface LiveStatus {
  readonly elapsedMs: number;
  readonly tests: number;
  readonly testsPerSecond: number;
  readonly findings: number;
  readonly buckets: number;
  /** Buckets of known bugs (the rest are new). */
  readonly knownBuckets: number;
  readonly searchRate: number;
  readonly backendAvgMs: Readonly<Record<string, number>>;
  readonly harnessBugs: number;
  /** Cases whose divergence the reference's kernel reproduces on the backend's inputs (not findings). */
  readonly unstable: number;
  /** Cases no backend but the reference could run (kernel gaps, declared unsupported): not tests. */
  readonly unsupported: number;
  /** Mutants refused before any backend saw them (mutate-models campaigns only). */
  readonly refused?: number;
}

export interface CampaignSummary {
  readonly dir: string;
  readonly cases: number;
  readonly sessionCases: number;
  readonly findings: number;
  /** Finding cases with a hit in a new bucket. */
  readonly newFindings: number;
  readonly buckets: number;
  readonly newBuckets: number;
  readonly knownBuckets: number;
  readonly harnessBugs: number;
  /** Cases whose divergence the reference's kernel reproduces on the backend's inputs (not findings). */
  readonly unstable: number;
  /** Cases no backend but the reference could run (kernel gaps, declared unsupported): not tests. */
  readonly unsupported: number;
  /** Mutants refused before any backend saw them (mutate-models campaigns only). */
  readonly refused?: number;
  readonly wallMs: number;
  readonly stopped: 'time' | 'cases' | 'interrupt';
  /** Background reductions (`reduceMs`): finished, failed, and queued but never started. */
  readonly reductions?: { readonly done: readonly ReductionDone[]; readonly failed: readonly { dir: string; reason: string }[]; readonly pending: readonly string[] };
}

/** campaign.json: the configuration a resumed campaign must keep. */
interface CampaignFile {
  readonly format: 1;
  readonly config: CampaignConfig;
  /** Wall time of earlier sessions (ms). */
  readonly wallMs: number;
  /** Sessions started so far, killed ones included (written when a session starts). */
  readonly sessions: number;
}



function writeCampaignFile(dir: string, config: CampaignConfig, wallMs: number, sessions: number): void {
  writeFileAtomic(join(dir, 'campaign.json'), JSON.stringify({ format: 1, config, wallMs, sessions } satisfies CampaignFile, null, 2) + '\n');
}

/** Checks that `dir` can take a new campaign: absent, or an empty folder (a stale lock aside). */
function checkFresh(dir: string): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new CampaignError(`${dir} exists and is not a folder: choose a folder for --out`);
  if (existsSync(join(dir, 'campaign.json'))) throw new CampaignError(`${dir} already holds a campaign: resume it with --resume ${dir}, or choose another --out`);
  const others = readdirSync(dir).filter((e) => e !== LOCK_FILE);
  if (others.length > 0) {
    throw new CampaignError(
      `${dir} is not empty and holds no campaign (no campaign.json; it has ${others.slice(0, 3).join(', ')}${others.length > 3 ? ', ...' : ''}): choose a new or empty folder for --out`,
    );
  }
}

/** The campaign.json of a folder to resume; a merge that lacks shards cannot run as one campaign. */
function resumable(dir: string): CampaignFile {
  const c = readCampaignFile(dir);
  const { shard } = c.config;
  if (shard.index === undefined || (shard.missing?.length ?? 0) > 0) {
    throw new CampaignError(
      `${dir} merges shards ${(shard.held ?? []).join(',')} of ${shard.count} (shard${(shard.missing?.length ?? 0) > 1 ? 's' : ''} ${(shard.missing ?? []).join(',')} missing) and cannot be resumed: resume the shard folders, then merge them again`,
    );
  }
  return c as unknown as CampaignFile;
}

/** Opens a campaign for a session: what campaign.json said before (nothing for a new one). */
export function openCampaign(dir: string, config: CampaignConfig | undefined): { config: CampaignConfig; wallMs: number; sessions: number } {
  if (config === undefined) {
    const c = resumable(dir);
    return { config: c.config, wallMs: c.wallMs, sessions: c.sessions };
  }
  checkFresh(dir);
  return { config, wallMs: 0, sessions: 0 };
}

/** A case generated and searched, ready for the backends. */
interface Prepared {
  readonly k: number;
  readonly seed: number;
  readonly start: number;
  readonly ms: Record<'generate' | 'search' | 'reference' | 'backends' | 'localise' | 'write' | 'total', number>;
  readonly backendMs: Record<string, number>;
  readonly graph: Graph;
  readonly feeds: Record<string, Tensor>;
  readonly ops: readonly string[];
  readonly searchInfo: ProgressRecord['search'];
}

/** One job slot: its own isolated worker per backend; `busyMs` is wall time spent waiting on them. */
export class Slot {
  readonly backends: IsolatedBackend[];
  busyMs = 0;
  constructor(
    readonly id: number,
    specs: readonly string[],
    timeoutMs: number,
  ) {
    this.backends = specs.map((s) => new IsolatedBackend(s, { timeoutMs }));
  }
}

/**
 * What a campaign does with one case: `prepare` is CPU work done while the backends run the previous case (undefined
 * when it already recorded the case), `execute` runs it on a slot's backends and records it.
 */
export interface CaseStrategy<P extends { readonly k: number }> {
  prepare(k: number): P | undefined;
  execute(slot: Slot, p: P): Promise<void>;
}

/** What a case strategy may use of the session running it. */
export interface SessionContext {
  readonly dir: string;
  readonly config: CampaignConfig;
  readonly options: ResolvedOptions;
  readonly session: number;
  readonly versions: Readonly<Record<string, string>>;
  /** Case folders saved so far per bucket key. */
  readonly saved: Map<string, number>;
  readonly events: CampaignEvents;
  record(r: ProgressRecord): void;
  /** Milliseconds since this session started. */
  elapsed(): number;
}

/**
 * Runs a campaign session in `dir` until the time budget, the case limit or an interrupt (`signal.stop`).
 * `config` is undefined when resuming.
 */
export async function runCampaign(
  dir: string,
  config: CampaignConfig | undefined,
  limits: RunLimits,
  events: CampaignEvents = {},
  signal: { stop: boolean } = { stop: false },
): Promise<CampaignSummary> {
  // nothing is written before the backends are known to run: a failed start leaves the folder as it was
  let lock: CampaignLock | undefined;
  if (config === undefined) {
    resumable(dir);
    lock = lockCampaign(dir, events.onNote);
  }
  let opened: ReturnType<typeof openCampaign>;
  let slots: Slot[] = [];
  let session: number;
  let records: ProgressRecord[];
  let infos: { spec: string; info: Awaited<ReturnType<IsolatedBackend['start']>> }[];
  let tf: typeof tfjs | undefined;
  try {
    opened = openCampaign(dir, config);
    const cfg0 = opened.config;
    tf = cfg0.search === 'gradient' && cfg0.mode !== 'mutate-models' ? await loadSearchTf() : undefined;
    slots = Array.from({ length: limits.jobs }, (_, j) => new Slot(j, cfg0.backends, cfg0.timeoutMs));
    // availability once, on the first slot's workers; a backend that cannot run here stops the campaign early
    infos = await Promise.all(slots[0]!.backends.map(async (b) => ({ spec: b.spec, info: await b.start() })));
    const unavailable = infos.filter((i) => !i.info.available.ok);
    if (unavailable.length > 0) {
      throw new CampaignError(
        `backend${unavailable.length > 1 ? 's' : ''} not available here: ${unavailable.map((u) => `${u.spec} (${u.info.available.ok ? '' : u.info.available.reason})`).join('; ')}`,
      );
    }
    if (!lock) {
      mkdirSync(dir, { recursive: true });
      lock = lockCampaign(dir, events.onNote);
      // another session may have started here while the backends came up
      checkFresh(dir);
    }
    const torn = repairProgress(dir);
    if (torn) events.onNote?.(torn);
    // a kill during a case write leaves a temporary folder; the case itself reruns
    for (const t of staleTemporaries(dir)) rmSync(t, { recursive: true, force: true });
    records = readProgress(dir);
    // a killed session never wrote its end: numbers come from its start and from the records themselves
    session = records.reduce((m, r) => Math.max(m, r.session), opened.sessions) + 1;
    writeCampaignFile(dir, cfg0, opened.wallMs, session);
  } catch (e) {
    await Promise.all(slots.flatMap((s) => s.backends.map((b) => b.close())));
    lock?.release();
    throw e;
  }
  const held = lock;
  const cfg = opened.config;
  events.onStarted?.(session);
  const options: ResolvedOptions = resolveOptions(cfg.graph);
  const done = new Set(records.map((r) => r.k));
  // buckets and statistics follow each case as it is recorded: their cost must not grow with the campaign
  const versions = Object.fromEntries(infos.map((i) => [i.spec, i.info.version]));
  const label = limits.known?.labeller(versions);
  const tally = new Tally(records, label);
  const sessionTally = new Tally();
  const buckets = tally.buckets;
  const saved = new Map([...buckets.values()].map((b) => [b.key, b.cases.length]));
  // harness bugs are grouped the same way (by where the reference stands alone), with as many folders kept
  for (const r of records) {
    if (r.status === 'harness-bug' && r.harnessKey && existsSync(join(dir, 'harness-bugs', String(r.k)))) saved.set(r.harnessKey, (saved.get(r.harnessKey) ?? 0) + 1);
  }
  mkdirSync(join(dir, 'work'), { recursive: true });
  // operators and element types a backend has no kernel for: its coverage, not findings
  const kernelGaps = new KernelCoverage(dir);

  const reducer =
    limits.reduceMs === undefined || cfg.mode === 'mutate-models'
      ? undefined
      : new BackgroundReducer({
          timeMs: limits.reduceMs,
          backends: cfg.backends,
          timeoutMs: cfg.timeoutMs,
          ...(events.onReduced ? { onDone: events.onReduced } : {}),
          ...(events.onReduceFailed ? { onFailed: events.onReduceFailed } : {}),
        });
  // a resumed campaign picks up the buckets an earlier session did not get to reduce (the case reduced is the first
  // to arrive, which with several jobs need not be the bucket's lowest case number)
  for (const b of buckets.values()) {
    if (!b.known && b.cases[0] && !b.cases.some((c) => isReduced(join(dir, c)))) reducer?.add(join(dir, b.cases[0]));
  }

  const t0 = performance.now();
  let reductions: CampaignSummary['reductions'];
  let next = cfg.shard.index;
  let sessionCases = 0;
  let stopped: CampaignSummary['stopped'] = 'time';
  const extra = (): Record<string, unknown> => ({ seed: cfg.seed, shard: cfg.shard, backends: cfg.backends, versions, nodes: options.nodes, jobs: limits.jobs, sessions: session, ...(cfg.mode ? { mode: cfg.mode } : {}), kernelGaps: kernelGaps.summary() });
  const wall = (): number => opened.wallMs + (performance.now() - t0);

  const allocate = (): number | undefined => {
    if (signal.stop) {
      stopped = 'interrupt';
      return undefined;
    }
    if (performance.now() - t0 >= limits.timeMs) {
      stopped = 'time';
      return undefined;
    }
    if (limits.maxCases !== undefined && sessionCases >= limits.maxCases) {
      stopped = 'cases';
      return undefined;
    }
    while (done.has(next)) next += cfg.shard.count;
    const k = next;
    next += cfg.shard.count;
    sessionCases++;
    return k;
  };

  const record = (r: ProgressRecord): void => {
    appendProgress(dir, r);
    // the record itself is not kept: a heap that grows with the campaign slows every garbage collection
    done.add(r.k);
    sessionTally.add(r);
    for (const key of tally.add(r)) events.onNewBucket?.(key, r.k, tally.buckets.get(key)?.known);
  };

  /** Generation and input search: plain CPU work, done for the next case while the backends run this one. */
  const prepare = (k: number): Prepared | undefined => {
    const start = performance.now();
    const seed = caseSeed(cfg.seed, k);
    const ms = { generate: 0, search: 0, reference: 0, backends: 0, localise: 0, write: 0, total: 0 };
    const backendMs: Record<string, number> = {};
    const base = { k, seed, session, backendMs };
    let graph: Graph;
    try {
      graph = generateGraph(seed, options);
    } catch (e) {
      if (!(e instanceof GeneratorBug)) throw e;
      events.onHarnessBug?.(k, `generator: ${e.message}`);
      record({ ...base, status: 'generator-bug', hits: [], ops: [], search: { ok: false, iterations: 0, ms: 0, method: cfg.search }, ms, detail: e.message, at: performance.now() - t0 });
      return;
    }
    ms.generate = performance.now() - start;
    const found = searchInputs(graph, seed, tf, { method: cfg.search });
    ms.search = found.ms;
    const ops = [...new Set(graph.nodes.map((n) => n.op))];
    const searchInfo = { ok: found.ok, iterations: found.iterations, ms: found.ms, method: found.method };
    if (!found.ok) {
      const detail = found.failure ? `${found.failure.op} '${found.failure.node}': ${found.failure.reason}` : 'no valid values';
      record({ ...base, status: 'search-failed', hits: [], ops, search: searchInfo, ms, detail, at: performance.now() - t0 });
      return;
    }
    return { k, seed, start, ms, backendMs, graph: found.graph, feeds: found.feeds, ops, searchInfo };
  };

  const execute = async (slot: Slot, p: Prepared): Promise<void> => {
    const { k, seed, start, ms, backendMs, graph, feeds, ops, searchInfo } = p;
    const base = { k, seed, session, backendMs };
    // the case is on disk before any backend sees it: a crash can never lose it
    const work = join(dir, 'work', `job-${slot.id}`);
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    const modelBytes = exportModel(graph);
    const modelPath = join(work, 'model.onnx');
    writeFileSync(modelPath, modelBytes);
    writeFileSync(join(work, 'case.json'), JSON.stringify({ k, seed, graphHash: graphHash(graph) }));

    const e = await evaluateCase(slot.backends, modelPath, graph, feeds, { workDir: work, versions, tolerances: cfg.tolerances ?? {} });
    kernelGaps.note(k, e.results);
    ms.reference = e.ms.reference;
    ms.backends = e.ms.backends;
    ms.localise = e.ms.localise;
    Object.assign(backendMs, e.ms.perBackend);
    slot.busyMs += e.ms.backends + e.ms.localise;
    const verdict = e.verdict;
    const hits: BucketHit[] = [];
    // the case's status by the rule every command shares (triage/judge-case.ts)
    const settled = await settleCase(e, slot.backends, graph, feeds, { workDir: work, versions, tolerances: cfg.tolerances ?? {} });
    ms.localise += settled.harnessMs;
    slot.busyMs += settled.harnessMs;
    const status: CaseStatus = settled.status;
    const detail = settled.detail;
    let harnessKey: string | undefined;
    const meta = (extra: Record<string, unknown>): Record<string, unknown> => ({
      seed: { campaign: cfg.seed, index: k, case: seed },
      generator: { nodes: options.nodes, opset: options.opset, maxElems: options.maxElems, dtypes: options.dtypes },
      graphHash: graphHash(graph),
      graph,
      search: searchInfo,
      tolerances: cfg.tolerances ?? {},
      ...runRecord(e),
      timings: { ...ms, backendMs },
      ...extra,
    });
    if (status === 'harness-bug' && verdict.kind === 'harness-bug') {
      const h = settled.harness;
      harnessKey = h?.key;
      const kept = harnessKey ? (saved.get(harnessKey) ?? 0) : 0;
      events.onHarnessBug?.(k, h ? `${verdict.reason} (first at ${h.op ?? '?'}:${h.dtype ?? '?'})` : verdict.reason);
      if (kept < cfg.keepPerBucket) {
        const w = performance.now();
        const dest = join(dir, 'harness-bugs', String(k));
        writeCase(dest, {
          modelBytes,
          feeds,
          outputs: outputsOf(e),
          meta: meta({ harnessBug: verdict.reason, ...(h ? { harnessKey: h.key, divergence: h.divergence } : {}), replay: caseCommand('replay', dest, cfg.backends), reduce: caseCommand('reduce', dest, cfg.backends) }),
        });
        if (harnessKey) saved.set(harnessKey, kept + 1);
        ms.write += performance.now() - w;
      }
    } else if (status === 'finding') {
      for (const h of e.hits) {
        let caseDir: string | undefined;
        const kept = saved.get(h.key) ?? 0;
        if (kept < cfg.keepPerBucket) {
          const w = performance.now();
          const dest = join(dir, 'cases', h.slug, String(k));
          const files = await triageOfHit(e, h, graph, feeds, { tolerances: cfg.tolerances ?? {}, caseDir: dest });
          writeCase(dest, {
            modelBytes,
            feeds,
            files,
            outputs: outputsOf(e),
            meta: meta({ culprit: h.culprit, symptom: h.symptom, observed: h.observed, stage: h.stage, bucketKey: h.key, detail: h.detail, divergence: h.divergence, replay: caseCommand('replay', dest, cfg.backends) }),
          });
          saved.set(h.key, kept + 1);
          caseDir = relative(dir, dest);
          // a known bug needs no reduced case
          if (kept === 0 && !label?.(h)) reducer?.add(dest);
          ms.write += performance.now() - w;
        }
        const { divergence: _d, ...hit } = h;
        hits.push({ ...hit, detail: h.detail.slice(0, 500), ...(caseDir ? { caseDir } : {}) });
      }
    }
    ms.total = performance.now() - start;
    record({ ...base, status, hits, ops, search: searchInfo, ms, ...(detail ? { detail } : {}), ...(harnessKey ? { harnessKey } : {}), at: performance.now() - t0 });
  };

  const liveStatus = (): LiveStatus => {
    const elapsedMs = performance.now() - t0;
    return {
      elapsedMs,
      tests: sessionTally.tests,
      testsPerSecond: sessionTally.tests / Math.max(elapsedMs / 1000, 1e-3),
      findings: tally.count('finding'),
      buckets: buckets.size,
      knownBuckets: tally.knownBuckets,
      searchRate: sessionTally.searchRate(),
      backendAvgMs: Object.fromEntries(cfg.backends.map((b) => [b, sessionTally.backendAvg(b)])),
      harnessBugs: tally.count('harness-bug') + tally.count('generator-bug'),
      unstable: tally.count('unstable'),
      unsupported: tally.count('unsupported'),
      ...(cfg.mode === 'mutate-models' ? { refused: sessionTally.count('refused') } : {}),
    };
  };

  let ticks = 0;
  const ticker = setInterval(() => {
    events.onStatus?.(liveStatus());
    // so a killed session's time still counts; stats.json and buckets.json follow every 10 s
    writeCampaignFile(dir, cfg, wall(), session);
    if (++ticks % 10 === 0) {
      tally.write(dir, wall(), extra());
      kernelGaps.write();
    }
  }, 1000);
  // an exception here is onnxsmith's own bug (a spec, the search, the reference): record it and go on
  const internal = (k: number, e: unknown): void => {
    const detail = `internal error: ${(e as Error).stack?.split('\n').slice(0, 3).join(' | ') ?? String(e)}`;
    events.onHarnessBug?.(k, detail);
    const zero = { generate: 0, search: 0, reference: 0, backends: 0, localise: 0, write: 0, total: 0 };
    record({ k, seed: caseSeed(cfg.seed, k), session, backendMs: {}, status: 'harness-bug', hits: [], ops: [], search: { ok: false, iterations: 0, ms: 0, method: cfg.search }, ms: zero, detail, at: performance.now() - t0 });
  };
  const runSlots = async <P extends { readonly k: number }>(strategy: CaseStrategy<P>): Promise<void> => {
    const prepareNext = (): P | undefined => {
      for (let k = allocate(); k !== undefined; k = allocate()) {
        try {
          const p = strategy.prepare(k);
          if (p) return p;
        } catch (e) {
          internal(k, e);
        }
      }
      return undefined;
    };
    await Promise.all(
      slots.map(async (slot) => {
        // let every slot start its first case before any prepares a second one
        await new Promise((r) => setImmediate(r));
        let next = prepareNext();
        while (next) {
          const cur = next;
          const running = strategy.execute(slot, cur).catch((e: unknown) => internal(cur.k, e));
          // the backends work in their own processes: prepare the following case meanwhile
          next = prepareNext();
          await running;
        }
      }),
    );
  };
  const context: SessionContext = { dir, config: cfg, options, session, versions, saved, events, record, elapsed: () => performance.now() - t0 };
  try {
    if (cfg.mode === 'mutate-models') await runSlots(mutateModelsStrategy(context));
    else await runSlots({ prepare, execute });
  } finally {
    clearInterval(ticker);
    reductions = reducer ? { done: reducer.done, failed: reducer.failed, pending: await reducer.finish() } : undefined;
    await Promise.all(slots.flatMap((s) => s.backends.map((b) => b.close())));
    rmSync(join(dir, 'work'), { recursive: true, force: true });
    const wallMs = wall();
    // share of the slots' wall time not spent waiting on backends (generation and search overlap with them)
    const busy = slots.reduce((a, s) => a + s.busyMs, 0);
    tally.write(dir, wallMs, { ...extra(), overhead: 1 - busy / Math.max(1, limits.jobs * (performance.now() - t0)) });
    kernelGaps.write();
    writeCampaignFile(dir, cfg, wallMs, session);
    events.onStatus?.(liveStatus());
    held.release();
  }
  return {
    dir,
    cases: tally.cases,
    sessionCases,
    findings: tally.count('finding'),
    newFindings: tally.newFindings,
    buckets: buckets.size,
    newBuckets: buckets.size - tally.knownBuckets,
    knownBuckets: tally.knownBuckets,
    harnessBugs: tally.count('harness-bug') + tally.count('generator-bug'),
    unstable: tally.count('unstable'),
    unsupported: tally.count('unsupported'),
    ...(cfg.mode === 'mutate-models' ? { refused: tally.count('refused') } : {}),
    wallMs: wall(),
    stopped,
    ...(reductions ? { reductions } : {}),
  };
}

