/**
 * Merges campaign folders (typically the shards of one nightly run) into one: progress records, case folders
 * and harness-bug cases are combined and buckets recomputed, so the same bug found on three machines is one
 * bucket with all their hits.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/fs.js';
import { CampaignError } from './errors.js';
import { readProgress, writeDerived, type ProgressRecord } from './state.js';

export interface MergeResult {
  readonly cases: number;
  readonly duplicates: number;
  readonly sources: number;
}

interface CampaignJson {
  config: { seed: number; backends: string[]; graph: unknown; shard: { index: number; count: number } };
  wallMs: number;
  sessions: number;
}

export function mergeCampaigns(out: string, sources: readonly string[]): MergeResult {
  if (sources.length === 0) throw new CampaignError('merge needs at least one campaign folder');
  if (existsSync(join(out, 'campaign.json'))) throw new CampaignError(`${out} already holds a campaign; merge into a new folder`);
  const metas = sources.map((dir) => {
    const f = join(dir, 'campaign.json');
    if (!existsSync(f)) throw new CampaignError(`${dir} is not a campaign folder (no campaign.json)`);
    return JSON.parse(readFileSync(f, 'utf8')) as CampaignJson;
  });
  const first = metas[0]!.config;
  for (const [i, m] of metas.entries()) {
    const c = m.config;
    if (c.seed !== first.seed || JSON.stringify(c.backends) !== JSON.stringify(first.backends) || JSON.stringify(c.graph) !== JSON.stringify(first.graph)) {
      throw new CampaignError(`${sources[i]} ran with other settings (seed, backends or graph options differ from ${sources[0]}); only shards of one campaign merge`);
    }
  }
  mkdirSync(out, { recursive: true });
  const byK = new Map<number, ProgressRecord>();
  let duplicates = 0;
  for (const dir of sources) {
    for (const r of readProgress(dir)) {
      if (byK.has(r.k)) {
        duplicates++;
        continue;
      }
      byK.set(r.k, r);
    }
    for (const sub of ['cases', 'harness-bugs']) {
      const from = join(dir, sub);
      if (existsSync(from)) cpSync(from, join(out, sub), { recursive: true, force: false, errorOnExist: false });
    }
  }
  const records = [...byK.values()].sort((a, b) => a.k - b.k);
  writeFileAtomic(join(out, 'progress.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : ''));
  // wall time of parallel shards overlaps: the merged figure is the longest shard, not the sum
  const wallMs = Math.max(...metas.map((m) => m.wallMs));
  const shards = metas.map((m) => m.config.shard);
  writeFileAtomic(
    join(out, 'campaign.json'),
    JSON.stringify({ format: 1, config: { ...first, shard: { index: 0, count: 1 } }, wallMs, sessions: Math.max(...metas.map((m) => m.sessions)), mergedFrom: sources, shards }, null, 2) + '\n',
  );
  writeDerived(out, records, wallMs, { seed: first.seed, backends: first.backends, mergedFrom: sources.length, shards });
  return { cases: records.length, duplicates, sources: sources.length };
}

/** Case folders left half-written by a killed campaign (`*.tmp-PID`), which resume removes. */
export function staleTemporaries(dir: string): string[] {
  const out: string[] = [];
  for (const sub of ['cases', 'harness-bugs']) {
    const root = join(dir, sub);
    if (!existsSync(root)) continue;
    const walk = (d: string, depth: number): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (!e.isDirectory()) continue;
        if (/\.tmp-\d+$/.test(e.name)) out.push(join(d, e.name));
        else if (depth < 2) walk(join(d, e.name), depth + 1);
      }
    };
    walk(root, 0);
  }
  return out;
}
