/**
 * Campaign state on disk. progress.jsonl is the source of truth: one line per finished case, appended as the
 * case finishes, so a campaign killed at any moment (kill -9 included) loses at most the cases in flight, which
 * resume runs again. buckets.json and stats.json are derived from it and rewritten atomically.
 */
import { appendFileSync, existsSync, readFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/fs.js';
import { CampaignError } from './errors.js';
import type { KnownLabel, Labeller } from './known.js';

/**
 * `refused`: a mutate-models mutant whose external data leaves its folder, run on no backend. `unstable`: a backend
 * left the reference, but the reference's own kernel agrees with it on the backend's inputs to the first divergent
 * node: upstream rounding amplified by a discontinuity (a tie, a Floor, a comparison), no bug on either side.
 * `unsupported`: no backend but the reference could run the case (each lacks a kernel for it, or declared it
 * cannot run it): nothing was compared, so it is not a test.
 */
export type CaseStatus = 'pass' | 'finding' | 'harness-bug' | 'search-failed' | 'generator-bug' | 'refused' | 'unstable' | 'unsupported';

/** What names a bucket: its key and the readable parts the key is made of. */
interface BucketIdentity {
  readonly key: string;
  readonly slug: string;
  readonly culprit: string;
  readonly symptom: string;
  readonly stage: string;
  readonly op?: string;
  readonly dtype?: string;
}

export interface BucketHit extends BucketIdentity {
  readonly detail: string;
  /** Case folder saved for this hit, relative to the campaign folder (only the first few hits keep one). */
  readonly caseDir?: string;
}

/** One line of progress.jsonl. */
export interface ProgressRecord {
  readonly k: number;
  readonly seed: number;
  readonly status: CaseStatus;
  readonly hits: readonly BucketHit[];
  readonly ops: readonly string[];
  readonly search: { readonly ok: boolean; readonly iterations: number; readonly ms: number; readonly method: string };
  /** Milliseconds per phase of this case. */
  readonly ms: Readonly<Record<'generate' | 'search' | 'reference' | 'backends' | 'localise' | 'write' | 'total', number>>;
  readonly backendMs: Readonly<Record<string, number>>;
  readonly detail?: string;
  /**
   * For a harness bug with outputs on both sides: where the agreeing backends leave the reference
   * (`reference|harness-bug|stage|Op:dtype`), so the same disagreement found many times is one group.
   */
  readonly harnessKey?: string;
  /** mutate-models: the mutations applied, and each backend's outcome kind (ok, load-error, crash, ...). */
  readonly mutation?: readonly string[];
  readonly outcomes?: Readonly<Record<string, string>>;
  /** Wall-clock offset since the campaign session started (ms), for the throughput chart. */
  readonly at: number;
  readonly session: number;
}

const STATUSES: ReadonlySet<string> = new Set<CaseStatus>(['pass', 'finding', 'harness-bug', 'search-failed', 'generator-bug', 'refused', 'unstable', 'unsupported']);

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** What is wrong with a parsed progress line, or undefined for a record. */
function recordProblem(x: unknown): string | undefined {
  if (!isObject(x)) return `is ${JSON.stringify(x).slice(0, 40)}, not a progress record`;
  if (!Number.isSafeInteger(x.k) || (x.k as number) < 0) return 'is not a progress record (no case index k)';
  if (typeof x.status !== 'string' || !STATUSES.has(x.status)) return `is not a progress record (status ${JSON.stringify(x.status)})`;
  if (!Array.isArray(x.hits) || !x.hits.every((h) => isObject(h) && typeof h.key === 'string')) return 'is not a progress record (hits is not a list of bucket hits)';
  if (!Array.isArray(x.ops) || !isObject(x.search) || !isObject(x.ms) || !isObject(x.backendMs)) return 'is not a progress record (ops, search, ms or backendMs missing)';
  if (typeof x.at !== 'number' || typeof x.session !== 'number') return 'is not a progress record (at or session missing)';
  return undefined;
}

/** Parses one complete line; a line an old session appended onto a torn one keeps its own record. */
function parseLine(line: string): { record?: ProgressRecord; problem?: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    const glued = line.lastIndexOf('{"k":');
    if (glued > 0) {
      const r = parseLine(line.slice(glued));
      if (r.record) return r;
    }
    return { problem: 'is not valid JSON' };
  }
  const problem = recordProblem(parsed);
  return problem ? { problem } : { record: parsed as ProgressRecord };
}

/**
 * The records of DIR/progress.jsonl. A final line without its newline is a record being written (or torn by a
 * kill): it counts only if it is whole. Any other line that is not a record is a CampaignError naming it.
 */
export function readProgress(dir: string): ProgressRecord[] {
  const f = join(dir, 'progress.jsonl');
  if (!existsSync(f)) return [];
  const lines = readFileSync(f, 'utf8').split('\n');
  const tail = lines.pop()!;
  const out: ProgressRecord[] = [];
  for (const [i, line] of lines.entries()) {
    if (!line.trim()) continue;
    const { record, problem } = parseLine(line);
    if (record) out.push(record);
    else if (i === lines.length - 1 && problem === 'is not valid JSON') continue; // torn by a kill: that case runs again
    else throw new CampaignError(`${f} line ${i + 1} ${problem}; delete that line to use the campaign (its case runs again on resume)`);
  }
  const last = tail.trim() ? parseLine(tail).record : undefined;
  if (last) out.push(last);
  return out;
}

/**
 * Before a session appends: a last line torn by a kill (cut short, so no newline or not JSON) is cut off, so the next
 * record starts on a line of its own and the case it was for runs again; a whole record that only lacks its newline
 * gets it. Returns a note when a line was dropped.
 */
export function repairProgress(dir: string): string | undefined {
  const f = join(dir, 'progress.jsonl');
  if (!existsSync(f)) return undefined;
  const text = readFileSync(f, 'utf8');
  const body = text.replace(/\n+$/, '');
  if (body.length === 0) return undefined;
  const start = body.lastIndexOf('\n') + 1;
  const last = parseLine(body.slice(start));
  if (last.record) {
    if (!text.endsWith('\n')) appendFileSync(f, '\n');
    return undefined;
  }
  if (last.problem !== 'is not valid JSON') return undefined; // not torn: readProgress names the line
  truncateSync(f, Buffer.byteLength(body.slice(0, start)));
  return `dropped a torn last line of ${f} (${Buffer.byteLength(text) - Buffer.byteLength(body.slice(0, start))} bytes, cut short when a session was killed); its case runs again`;
}

export function appendProgress(dir: string, r: ProgressRecord): void {
  appendFileSync(join(dir, 'progress.jsonl'), JSON.stringify(r) + '\n');
}

export interface Bucket extends BucketIdentity {
  hits: number;
  /** Case index of the first hit. */
  first: number;
  readonly detail: string;
  readonly cases: string[];
  /** What the bug is already known as (a corpus case, an exclusion, a --known entry); absent for a new bug. */
  readonly known?: KnownLabel;
}

const TESTED: ReadonlySet<string> = new Set(['pass', 'finding', 'harness-bug', 'unstable']);

function identity(h: BucketHit): BucketIdentity {
  return { key: h.key, slug: h.slug, culprit: h.culprit, symptom: h.symptom, stage: h.stage, ...(h.op ? { op: h.op } : {}), ...(h.dtype ? { dtype: h.dtype } : {}) };
}

interface Step {
  readonly session: number;
  readonly t: number;
  tests: number;
  findings: number;
}

/**
 * Everything buckets.json and stats.json say, kept up to date one record at a time: a campaign adds each case as it
 * finishes and writes the files from here, so the cost of a write does not grow with the cases run (recomputing
 * them from every record each second took a third of the main process's time by minute 10 and halved the pace).
 * The result does not depend on the order records arrive in: a bucket's first case, detail and kept folders follow
 * case numbers, as in a campaign read back from progress.jsonl. `label` says which buckets are known bugs; it runs
 * when a bucket opens (and when an earlier case comes to describe it), never per hit.
 */
export class Tally {
  readonly buckets = new Map<string, Bucket>();
  private readonly keptAt = new Map<string, number[]>();
  private readonly status: Record<string, number> = {};
  private readonly backendMs: Record<string, number> = {};
  private readonly backendRuns: Record<string, number> = {};
  private readonly phaseMs: Record<string, number> = {};
  private readonly coverage: Record<string, number> = {};
  private readonly steps = new Map<string, Step>();
  private readonly searchMs: number[] = [];
  private searchOk = 0;
  cases = 0;
  tests = 0;
  /** Buckets labelled known. */
  knownBuckets = 0;
  /** Finding cases with a hit in a bucket that was new when the case was added. */
  newFindings = 0;

  constructor(
    records: readonly ProgressRecord[] = [],
    private readonly label?: Labeller,
  ) {
    for (const r of records) this.add(r);
  }

  /** Adds one finished case; returns the keys of buckets it opened. */
  add(r: ProgressRecord): string[] {
    this.cases++;
    this.status[r.status] = (this.status[r.status] ?? 0) + 1;
    for (const [k, v] of Object.entries(r.backendMs)) {
      this.backendMs[k] = (this.backendMs[k] ?? 0) + v;
      this.backendRuns[k] = (this.backendRuns[k] ?? 0) + 1;
    }
    for (const [k, v] of Object.entries(r.ms)) this.phaseMs[k] = (this.phaseMs[k] ?? 0) + v;
    for (const op of r.ops) this.coverage[op] = (this.coverage[op] ?? 0) + 1;
    if (r.status !== 'generator-bug') {
      this.searchMs.push(r.search.ms);
      if (r.search.ok) this.searchOk++;
    }
    const tested = TESTED.has(r.status);
    if (tested) this.tests++;
    // the throughput chart: tests finished per 10-second step of each session
    const t = Math.floor(r.at / 10_000) * 10;
    const sk = `${r.session}:${t}`;
    let step = this.steps.get(sk);
    if (!step) this.steps.set(sk, (step = { session: r.session, t, tests: 0, findings: 0 }));
    if (tested) step.tests++;
    if (r.status === 'finding') step.findings++;
    const opened: string[] = [];
    for (const h of r.hits) {
      let b = this.buckets.get(h.key);
      if (!b || r.k < b.first) {
        // the lowest case number describes the bucket, whichever case arrived first
        if (!b) {
          opened.push(h.key);
          this.keptAt.set(h.key, []);
        }
        const known = this.label?.(h);
        this.knownBuckets += (known ? 1 : 0) - (b?.known ? 1 : 0);
        b = { ...identity(h), hits: b?.hits ?? 0, first: r.k, detail: h.detail, cases: b?.cases ?? [], ...(known ? { known } : {}) };
        this.buckets.set(h.key, b);
      }
      b.hits++;
      if (h.caseDir) {
        const at = this.keptAt.get(h.key)!;
        let i = at.length;
        while (i > 0 && at[i - 1]! > r.k) i--;
        at.splice(i, 0, r.k);
        b.cases.splice(i, 0, h.caseDir);
      }
    }
    if (r.status === 'finding' && (r.hits.length === 0 || r.hits.some((h) => !this.buckets.get(h.key)!.known))) this.newFindings++;
    return opened;
  }

  /** Cases with this status. */
  count(status: CaseStatus): number {
    return this.status[status] ?? 0;
  }

  /** Share of searched cases whose search found valid values (1 before any). */
  searchRate(): number {
    return this.searchMs.length ? this.searchOk / this.searchMs.length : 1;
  }

  /** Mean time of one run on `backend` (ms), 0 before any. */
  backendAvg(backend: string): number {
    const n = this.backendRuns[backend] ?? 0;
    return n ? this.backendMs[backend]! / n : 0;
  }

  /** buckets.json: new bugs first, then most hits, then by first case (then key, so arrival order never shows). */
  bucketList(): Bucket[] {
    return [...this.buckets.values()].sort(bucketOrder);
  }

  /** stats.json. */
  stats(wallMs: number, extra: Record<string, unknown>): Record<string, unknown> {
    const searched = this.searchMs.length;
    return {
      ...extra,
      wallMs: Math.round(wallMs),
      cases: this.cases,
      tests: this.tests,
      status: { ...this.status },
      testsPerSecond: wallMs > 0 ? this.tests / (wallMs / 1000) : 0,
      findings: this.status.finding ?? 0,
      newFindings: this.newFindings,
      knownFindings: (this.status.finding ?? 0) - this.newFindings,
      harnessBugs: this.status['harness-bug'] ?? 0,
      unstable: this.status.unstable ?? 0,
      unsupported: this.status.unsupported ?? 0,
      buckets: this.buckets.size,
      newBuckets: this.buckets.size - this.knownBuckets,
      knownBuckets: this.knownBuckets,
      search: { attempts: searched, ok: this.searchOk, successRate: searched > 0 ? this.searchOk / searched : 0, medianMs: median(this.searchMs) },
      backendMs: { ...this.backendMs },
      phaseMs: { ...this.phaseMs },
      coverage: { ...this.coverage },
      timeline: [...this.steps.values()].sort((a, b) => a.session - b.session || a.t - b.t).map((p) => ({ ...p })),
    };
  }

  /** Writes buckets.json and stats.json. */
  write(dir: string, wallMs: number, extra: Record<string, unknown>): void {
    writeFileAtomic(join(dir, 'buckets.json'), JSON.stringify(this.bucketList(), null, 2) + '\n');
    writeFileAtomic(join(dir, 'stats.json'), JSON.stringify(this.stats(wallMs, extra), null, 2) + '\n');
  }
}

/** buckets.json's order: new bugs first, then most hits, then first case, then key. */
export function bucketOrder(a: Bucket, b: Bucket): number {
  return Number(!!a.known) - Number(!!b.known) || b.hits - a.hits || a.first - b.first || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/** Buckets from progress records, labelled by `label`. */
export function bucketsOf(records: readonly ProgressRecord[], label?: Labeller): Map<string, Bucket> {
  return new Tally(records, label).buckets;
}

function median(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** Aggregated statistics (stats.json). */
export function statsOf(records: readonly ProgressRecord[], wallMs: number, extra: Record<string, unknown>): Record<string, unknown> {
  return new Tally(records).stats(wallMs, extra);
}

/** Writes buckets.json and stats.json, derived from progress records, buckets labelled by `label`. */
export function writeDerived(dir: string, records: readonly ProgressRecord[], wallMs: number, extra: Record<string, unknown>, label?: Labeller): void {
  new Tally(records, label).write(dir, wallMs, extra);
}

/** campaign.json: the configuration a resumed campaign keeps, as merge and resume read it. */
export interface CampaignFileJson {
  readonly format: 1;
  readonly config: {
    readonly seed: number;
    readonly backends: readonly string[];
    readonly graph: Record<string, unknown>;
    /** One shard; a merge of some shards of n holds `held` and lists the `missing` ones (and has no index). */
    readonly shard: { readonly index?: number; readonly count: number; readonly held?: readonly number[]; readonly missing?: readonly number[] };
    readonly [k: string]: unknown;
  };
  /** Wall time of earlier sessions (ms). */
  readonly wallMs: number;
  /** Sessions started so far (killed ones included). */
  readonly sessions: number;
  readonly [k: string]: unknown;
}

/** Reads DIR/campaign.json, or throws a CampaignError naming the file and what is wrong with it. */
export function readCampaignFile(dir: string): CampaignFileJson {
  const f = join(dir, 'campaign.json');
  if (!existsSync(f)) throw new CampaignError(`${dir} is not a campaign folder (no campaign.json)`);
  let j: unknown;
  try {
    j = JSON.parse(readFileSync(f, 'utf8'));
  } catch (e) {
    throw new CampaignError(`${f} is not valid JSON (${(e as Error).message}); restore it or start a new campaign`);
  }
  const c = isObject(j) ? j.config : undefined;
  const shard = isObject(c) ? c.shard : undefined;
  const ok =
    isObject(j) &&
    isObject(c) &&
    typeof c.seed === 'number' &&
    Array.isArray(c.backends) &&
    c.backends.every((b) => typeof b === 'string') &&
    isObject(c.graph) &&
    isObject(shard) &&
    Number.isSafeInteger(shard.count) &&
    (shard.count as number) >= 1 &&
    (shard.index === undefined || Number.isSafeInteger(shard.index)) &&
    typeof j.wallMs === 'number' &&
    typeof j.sessions === 'number';
  if (!ok) throw new CampaignError(`${f} is not a campaign file (config with seed, backends, graph and shard, wallMs, sessions expected); restore it or start a new campaign`);
  return j as unknown as CampaignFileJson;
}
