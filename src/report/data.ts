/**
 * Gathers everything the report shows from a campaign folder. progress.jsonl is the source of truth (as for the
 * campaign itself): the numbers are recomputed from it, so a report of a killed campaign is as right as one of
 * a finished campaign; stats.json only contributes what progress records do not hold (backend versions, jobs).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { OPS } from '../../generators/ops/index.js';
import { CampaignError } from '../campaign/errors.js';
import { loadKnown, readKnownSettings, type KnownSettings } from '../campaign/known-sources.js';
import { bucketOrder, bucketsOf, readCampaignFile, readProgress, statsOf, type Bucket, type ProgressRecord } from '../campaign/state.js';
import type { Expectation } from '../gate/expectations.js';
import { readCaseView, type CaseView } from './case-view.js';

interface CampaignJson {
  config?: {
    seed?: number;
    backends?: string[];
    graph?: { nodes?: number; include?: string[]; exclude?: string[]; dtypes?: string[]; maxElems?: number; opset?: number };
    shard?: { index?: number; count: number; held?: number[]; missing?: number[] };
    search?: string;
    timeoutMs?: number;
    keepPerBucket?: number;
  };
  wallMs?: number;
  sessions?: number;
}

export interface Overview {
  readonly seed?: number;
  readonly backends: readonly { readonly name: string; readonly version: string }[];
  readonly nodes?: number;
  readonly jobs?: number;
  /** A merge that lacks shards has no index but the shards it `held` and those `missing`. */
  readonly shard?: { readonly index?: number; readonly count: number; readonly held?: readonly number[]; readonly missing?: readonly number[] };
  readonly search?: string;
  readonly opset?: number;
  readonly dtypes?: readonly string[];
  readonly sessions: number;
  readonly wallMs: number;
  readonly cases: number;
  readonly tests: number;
  readonly testsPerSecond: number;
  readonly findings: number;
  readonly buckets: number;
  /** Buckets of known bugs (corpus cases, exclusions, --known entries); the others are new. */
  readonly knownBuckets: number;
  readonly searchAttempts: number;
  readonly searchRate: number;
  readonly searchFailed: number;
  readonly harnessBugs: number;
  readonly generatorBugs: number;
  /** Divergences the reference's kernel reproduces on the backend's inputs: rounding amplified, not bugs. */
  readonly unstable: number;
  /** Cases no backend but the reference could run. */
  readonly unsupported: number;
}

/** Campaign time (ms) of every finished case; sessions are laid end to end. */
export interface TimelinePoint {
  readonly t: number;
  readonly tested: boolean;
  readonly finding: boolean;
}

export interface BackendRow {
  readonly backend: string;
  readonly version: string;
  /** Cases where this backend was a culprit. */
  readonly findingCases: number;
  readonly buckets: number;
  readonly symptoms: Readonly<Record<string, number>>;
  readonly avgMs: number;
}

export interface BucketView {
  readonly bucket: Bucket;
  /** The case the report shows: the first the reducer reduced, else the first saved. */
  readonly shownCase?: CaseView;
}

/** One group of harness bugs: the cases where the reference stands alone at the same operator (or one case). */
export interface HarnessBugView {
  /** The group's first case. */
  readonly k: number;
  readonly status: string;
  /** `Op:dtype` where the agreeing backends leave the reference, when known. */
  readonly where?: string;
  readonly hits: number;
  readonly detail: string;
  readonly caseDir?: string;
  readonly replay?: string;
}

export interface ReportData {
  readonly dir: string;
  readonly overview: Overview;
  readonly timeline: readonly TimelinePoint[];
  readonly sessionStarts: readonly number[];
  readonly backends: readonly BackendRow[];
  readonly coverage: readonly { readonly op: string; readonly cases: number }[];
  /** Registry operators this campaign could draw but no tested case contained. */
  readonly neverCovered: readonly string[];
  /** Registry operators the campaign's --include/--exclude left out. */
  readonly notSelected: readonly string[];
  readonly buckets: readonly BucketView[];
  readonly harnessBugs: readonly HarnessBugView[];
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function isTested(r: ProgressRecord): boolean {
  return r.status === 'pass' || r.status === 'finding' || r.status === 'harness-bug';
}

function readJson<T>(file: string): T | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Each session's `at` restarts at zero; shifting by the earlier sessions' last offsets gives one time axis. */
function timelineOf(records: readonly ProgressRecord[]): { timeline: TimelinePoint[]; sessionStarts: number[] } {
  const sorted = [...records].sort((a, b) => a.session - b.session || a.at - b.at || a.k - b.k);
  const timeline: TimelinePoint[] = [];
  const sessionStarts: number[] = [];
  let offset = 0;
  let session: number | undefined;
  let last = 0;
  for (const r of sorted) {
    if (r.session !== session) {
      offset = last;
      session = r.session;
      sessionStarts.push(offset);
    }
    last = offset + r.at;
    timeline.push({ t: last, tested: isTested(r), finding: r.status === 'finding' });
  }
  return { timeline, sessionStarts };
}

function backendRows(records: readonly ProgressRecord[], names: readonly string[], versions: Readonly<Record<string, string>>, buckets: readonly Bucket[]): BackendRow[] {
  return names.map((backend) => {
    const symptoms: Record<string, number> = {};
    let findingCases = 0;
    let ms = 0;
    let runs = 0;
    for (const r of records) {
      const mine = r.hits.filter((h) => h.culprit === backend);
      if (mine.length > 0) findingCases++;
      for (const h of mine) symptoms[h.symptom] = (symptoms[h.symptom] ?? 0) + 1;
      const t = r.backendMs[backend];
      if (t !== undefined) [ms, runs] = [ms + t, runs + 1];
    }
    return { backend, version: versions[backend] ?? '?', findingCases, buckets: buckets.filter((b) => b.culprit === backend).length, symptoms, avgMs: runs ? ms / runs : 0 };
  });
}

function harnessBugsOf(dir: string, records: readonly ProgressRecord[]): HarnessBugView[] {
  const groups = new Map<string, ProgressRecord[]>();
  for (const r of [...records].sort((a, b) => a.k - b.k)) {
    if (r.status !== 'harness-bug' && r.status !== 'generator-bug') continue;
    const key = r.harnessKey ?? `${r.status}#${r.k}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.entries()].map(([key, rs]) => {
    const first = rs[0]!;
    const kept = rs.find((r) => existsSync(join(dir, 'harness-bugs', String(r.k), 'case.json')));
    const caseDir = kept ? join(dir, 'harness-bugs', String(kept.k)) : undefined;
    const meta = caseDir ? readJson<{ harnessBug?: string }>(join(caseDir, 'case.json')) : undefined;
    return {
      k: first.k,
      status: first.status,
      ...(first.harnessKey ? { where: key.split('|')[3] ?? '?' } : {}),
      hits: rs.length,
      detail: meta?.harnessBug ?? first.detail ?? '',
      ...(kept && caseDir ? { caseDir: `harness-bugs/${kept.k}`, replay: `onnxsmith replay ${caseDir}` } : {}),
    };
  });
}

/** How the report labels known bugs. */
export interface GatherOptions {
  /** Entries of a --known file: buckets are labelled again with them in place of the campaign's own. */
  readonly known?: readonly Expectation[];
}

/**
 * The buckets to show, new bugs first: buckets.json as the campaign labelled them, or rebuilt from progress (and
 * labelled as the campaign would) when it is missing or when --known entries are given.
 */
function bucketsToShow(dir: string, records: readonly ProgressRecord[], versions: Readonly<Record<string, string>>, o: GatherOptions): Bucket[] {
  const saved = readJson<Bucket[]>(join(dir, 'buckets.json'));
  if (saved && !o.known) return [...saved].sort(bucketOrder);
  const own = readKnownSettings(dir);
  const settings: KnownSettings = o.known ? { enabled: true, ...(own.enabled && own.corpus ? { corpus: own.corpus } : {}), entries: o.known } : own;
  const label = loadKnown(settings).known.labeller(versions);
  // relabelled in place: buckets.json holds what the reducer and merge may have added
  const buckets = saved
    ? saved.map(({ known: _old, ...b }) => {
        const known = label(b);
        return { ...b, ...(known ? { known } : {}) };
      })
    : [...bucketsOf(records, label).values()];
  return buckets.sort(bucketOrder);
}

/**
 * Reads campaign folder `dir` for the report.
 * @throws CampaignError when `dir` is not a campaign folder.
 */
export function gatherReport(campaignDir: string, o: GatherOptions = {}): ReportData {
  const dir = resolve(campaignDir);
  if (!existsSync(dir)) throw new CampaignError(`${campaignDir} does not exist`);
  // a damaged campaign.json is named with what is wrong with it
  if (existsSync(join(dir, 'campaign.json'))) readCampaignFile(dir);
  const campaign = readJson<CampaignJson>(join(dir, 'campaign.json'));
  if (!campaign?.config) throw new CampaignError(`${campaignDir} is not a campaign folder (no readable campaign.json); pass the folder onnxsmith fuzz --out wrote`);
  const cfg = campaign.config;
  const records = readProgress(dir);
  const savedStats = readJson<{ versions?: Record<string, string>; jobs?: number }>(join(dir, 'stats.json')) ?? {};
  const wallMs = campaign.wallMs ?? 0;
  const stats = statsOf(records, wallMs, {}) as { tests: number; testsPerSecond: number; findings: number; status: Record<string, number>; search: { attempts: number; successRate: number; ok: number } };
  const names = cfg.backends ?? [];
  const versions = savedStats.versions ?? {};
  const buckets = bucketsToShow(dir, records, versions, o);
  const coverage = new Map<string, number>();
  for (const r of records) if (isTested(r)) for (const op of new Set(r.ops)) coverage.set(op, (coverage.get(op) ?? 0) + 1);
  const include = cfg.graph?.include;
  const exclude = new Set(cfg.graph?.exclude ?? []);
  const selected = (op: string): boolean => (include ? include.includes(op) : true) && !exclude.has(op);
  const registry = OPS.map((o) => o.onnx);
  const { timeline, sessionStarts } = timelineOf(records);
  return {
    dir,
    overview: {
      ...(cfg.seed !== undefined ? { seed: cfg.seed } : {}),
      backends: names.map((name) => ({ name, version: versions[name] ?? '?' })),
      ...(cfg.graph?.nodes !== undefined ? { nodes: cfg.graph.nodes } : {}),
      ...(savedStats.jobs !== undefined ? { jobs: savedStats.jobs } : {}),
      ...(cfg.shard ? { shard: cfg.shard } : {}),
      ...(cfg.search ? { search: cfg.search } : {}),
      ...(cfg.graph?.opset !== undefined ? { opset: cfg.graph.opset } : {}),
      ...(cfg.graph?.dtypes ? { dtypes: cfg.graph.dtypes } : {}),
      sessions: campaign.sessions ?? sessionStarts.length,
      wallMs,
      cases: records.length,
      tests: stats.tests,
      testsPerSecond: stats.testsPerSecond,
      findings: stats.findings,
      buckets: buckets.length,
      knownBuckets: buckets.filter((b) => b.known).length,
      searchAttempts: stats.search.attempts,
      searchRate: stats.search.successRate,
      searchFailed: stats.status['search-failed'] ?? 0,
      harnessBugs: stats.status['harness-bug'] ?? 0,
      generatorBugs: stats.status['generator-bug'] ?? 0,
      unstable: stats.status.unstable ?? 0,
      unsupported: stats.status.unsupported ?? 0,
    },
    timeline,
    sessionStarts,
    backends: backendRows(records, names, versions, buckets),
    coverage: [...coverage].map(([op, cases]) => ({ op, cases })).sort((a, b) => b.cases - a.cases || byName(a.op, b.op)),
    neverCovered: registry.filter((op) => selected(op) && !coverage.has(op)).sort(byName),
    notSelected: registry.filter((op) => !selected(op)).sort(byName),
    buckets: buckets.map((bucket) => {
      // with several jobs, the case `fuzz --reduce` reduced (the first to arrive) need not be the lowest numbered
      const shown = bucket.cases.find((c) => existsSync(join(dir, c, 'reduced', 'case.json'))) ?? bucket.cases[0];
      return { bucket, ...(shown ? { shownCase: readCaseView(join(dir, shown), bucket.culprit) } : {}) };
    }),
    harnessBugs: harnessBugsOf(dir, records),
  };
}
