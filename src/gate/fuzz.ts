/**
 * Fresh cases for the gate: a short campaign on [baseline, candidate] (the campaign's own generator, search,
 * workers and bucketing, run into a folder of its own), whose saved case folders the gate then judges one
 * version at a time like corpus cases. A case that fails only on the candidate stays in that folder, ready to be
 * copied into the corpus.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runCampaign } from '../campaign/campaign.js';
import { readProgress } from '../campaign/state.js';
import type { CaseRef } from './corpus.js';

export interface GateFuzzOptions {
  readonly baseline: string;
  readonly candidate: string;
  readonly seed: number;
  readonly timeMs: number;
  readonly jobs: number;
  readonly timeoutMs: number;
  /** Campaign folder; must not hold a campaign yet. */
  readonly dir: string;
}

export interface GateFuzzResult {
  /** One folder per case that failed on either version, as `fuzz/K`. */
  readonly cases: readonly CaseRef[];
  /** Cases compared on both versions. */
  readonly tested: number;
  /** Cases where either version failed. */
  readonly failing: number;
  readonly harnessBugs: number;
  readonly ms: number;
}

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir).filter((e) => !e.startsWith('.') && !e.includes('.tmp-') && statSync(join(dir, e)).isDirectory());
  } catch {
    return [];
  }
}

/** Runs the campaign and lists its saved cases, one folder per case index (a case saved under two buckets once). */
export async function fuzzForGate(o: GateFuzzOptions): Promise<GateFuzzResult> {
  const t0 = performance.now();
  const summary = await runCampaign(
    o.dir,
    {
      seed: o.seed,
      backends: [o.baseline, o.candidate],
      graph: {},
      shard: { index: 0, count: 1 },
      search: 'gradient',
      timeoutMs: o.timeoutMs,
      // one folder per bucket is enough: the gate needs a witness, the campaign counts the rest
      keepPerBucket: 1,
    },
    { timeMs: o.timeMs, jobs: o.jobs },
  );
  const byK = new Map<string, CaseRef>();
  for (const bucket of subdirs(join(o.dir, 'cases'))) {
    for (const k of subdirs(join(o.dir, 'cases', bucket))) if (!byK.has(k)) byK.set(k, { id: `fuzz/${k}`, dir: join(o.dir, 'cases', bucket, k) });
  }
  // the reference disagreeing with both versions alike is a harness bug to the campaign; per version it is a failure on both
  for (const k of subdirs(join(o.dir, 'harness-bugs'))) if (!byK.has(k)) byK.set(k, { id: `fuzz/${k}`, dir: join(o.dir, 'harness-bugs', k) });
  const records = readProgress(o.dir);
  return {
    cases: [...byK.values()].sort((a, b) => Number(a.id.slice(5)) - Number(b.id.slice(5))),
    tested: records.filter((r) => r.status === 'pass' || r.status === 'finding' || r.status === 'harness-bug').length,
    failing: records.filter((r) => r.status === 'finding' || r.status === 'harness-bug').length,
    harnessBugs: summary.harnessBugs,
    ms: performance.now() - t0,
  };
}
