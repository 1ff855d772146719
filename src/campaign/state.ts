/**
 * Campaign state on disk. progress.jsonl is the source of truth: one line per finished case, appended as the
 * case finishes, so a campaign killed at any moment (kill -9 included) loses at most the cases in flight, which
 * resume runs again. buckets.json and stats.json are derived from it and rewritten atomically.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/fs.js';

export type CaseStatus = 'pass' | 'finding' | 'harness-bug' | 'search-failed' | 'generator-bug';

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
  /** Wall-clock offset since the campaign session started (ms), for the throughput chart. */
  readonly at: number;
  readonly session: number;
}

export function readProgress(dir: string): ProgressRecord[] {
  const f = join(dir, 'progress.jsonl');
  if (!existsSync(f)) return [];
  const out: ProgressRecord[] = [];
  for (const line of readFileSync(f, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as ProgressRecord);
    } catch {
      // a line torn by a kill mid-write: that case was in flight and runs again
    }
  }
  return out;
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
}

/** Buckets from progress records. */
export function bucketsOf(records: readonly ProgressRecord[]): Map<string, Bucket> {
  const buckets = new Map<string, Bucket>();
  for (const r of [...records].sort((a, b) => a.k - b.k)) {
    for (const h of r.hits) {
      let b = buckets.get(h.key);
      if (!b) {
        b = {
          key: h.key,
          slug: h.slug,
          culprit: h.culprit,
          symptom: h.symptom,
          stage: h.stage,
          ...(h.op ? { op: h.op } : {}),
          ...(h.dtype ? { dtype: h.dtype } : {}),
          hits: 0,
          first: r.k,
          detail: h.detail,
          cases: [],
        };
        buckets.set(h.key, b);
      }
      b.hits++;
      if (h.caseDir) b.cases.push(h.caseDir);
    }
  }
  return buckets;
}

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** Aggregated statistics (stats.json). */
export function statsOf(records: readonly ProgressRecord[], wallMs: number, extra: Record<string, unknown>): Record<string, unknown> {
  const status: Record<string, number> = {};
  const backendMs: Record<string, number> = {};
  const phaseMs: Record<string, number> = {};
  const coverage: Record<string, number> = {};
  for (const r of records) {
    status[r.status] = (status[r.status] ?? 0) + 1;
    for (const [k, v] of Object.entries(r.backendMs)) backendMs[k] = (backendMs[k] ?? 0) + v;
    for (const [k, v] of Object.entries(r.ms)) phaseMs[k] = (phaseMs[k] ?? 0) + v;
    for (const op of r.ops) coverage[op] = (coverage[op] ?? 0) + 1;
  }
  const searched = records.filter((r) => r.status !== 'generator-bug');
  const tested = records.filter((r) => r.status === 'pass' || r.status === 'finding' || r.status === 'harness-bug');
  const buckets = bucketsOf(records);
  // the throughput chart: tests finished per 10-second step of each session
  const timeline: { session: number; t: number; tests: number; findings: number }[] = [];
  for (const r of records) {
    const t = Math.floor(r.at / 10_000) * 10;
    let p = timeline.find((x) => x.session === r.session && x.t === t);
    if (!p) timeline.push((p = { session: r.session, t, tests: 0, findings: 0 }));
    if (r.status === 'pass' || r.status === 'finding' || r.status === 'harness-bug') p.tests++;
    if (r.status === 'finding') p.findings++;
  }
  timeline.sort((a, b) => a.session - b.session || a.t - b.t);
  return {
    ...extra,
    wallMs: Math.round(wallMs),
    cases: records.length,
    tests: tested.length,
    status,
    testsPerSecond: wallMs > 0 ? tested.length / (wallMs / 1000) : 0,
    findings: status.finding ?? 0,
    harnessBugs: status['harness-bug'] ?? 0,
    buckets: buckets.size,
    search: {
      attempts: searched.length,
      ok: searched.filter((r) => r.search.ok).length,
      successRate: searched.length > 0 ? searched.filter((r) => r.search.ok).length / searched.length : 0,
      medianMs: median(searched.map((r) => r.search.ms)),
    },
    backendMs,
    phaseMs,
    coverage,
    timeline,
  };
}

export function writeDerived(dir: string, records: readonly ProgressRecord[], wallMs: number, extra: Record<string, unknown>): void {
  const buckets = [...bucketsOf(records).values()].sort((a, b) => b.hits - a.hits || a.first - b.first);
  writeFileAtomic(join(dir, 'buckets.json'), JSON.stringify(buckets, null, 2) + '\n');
  writeFileAtomic(join(dir, 'stats.json'), JSON.stringify(statsOf(records, wallMs, extra), null, 2) + '\n');
}
