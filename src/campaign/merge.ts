/**
 * Merges campaign folders (typically the shards of one nightly run) into one: progress records, case folders
 * and harness-bug cases are combined and buckets recomputed, so the same bug found on three machines is one
 * bucket with all their hits.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/fs.js';
import { CampaignError } from './errors.js';
import { loadKnown, readKnownSettings, writeKnownSettings } from './known-sources.js';
import { readCampaignFile, readProgress, writeDerived, type CampaignFileJson, type ProgressRecord } from './state.js';

export interface MergeResult {
  readonly cases: number;
  readonly duplicates: number;
  readonly sources: number;
  /** The shard count n of the sources, the shards merged and those of 0..n-1 that no source holds. */
  readonly shards: { readonly count: number; readonly held: readonly number[]; readonly missing: readonly number[] };
}

/** Backend versions the sources resolved (stats.json), for known bugs pinned to a release. */
function versionsOf(sources: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const dir of sources) {
    try {
      const v = (JSON.parse(readFileSync(join(dir, 'stats.json'), 'utf8')) as { versions?: Record<string, string> }).versions ?? {};
      for (const [b, ver] of Object.entries(v)) if (typeof ver === 'string') out[b] ??= ver;
    } catch {
      // a shard killed before its first write has no stats.json: another shard names the versions
    }
  }
  return out;
}

/** The shards of n a campaign folder holds (a merge may hold several). */
function heldShards(c: CampaignFileJson): { count: number; held: number[] } {
  const s = c.config.shard;
  return { count: s.count, held: [...(s.held ?? (s.index !== undefined ? [s.index] : []))] };
}

function checkOut(out: string): void {
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory()) throw new CampaignError(`${out} exists and is not a folder; merge into a new folder`);
  if (existsSync(join(out, 'campaign.json'))) throw new CampaignError(`${out} already holds a campaign; merge into a new folder`);
  if (readdirSync(out).length > 0) throw new CampaignError(`${out} is not empty; merge into a new or empty folder`);
}

export function mergeCampaigns(out: string, sources: readonly string[]): MergeResult {
  if (sources.length === 0) throw new CampaignError('merge needs at least one campaign folder');
  checkOut(out);
  const metas = sources.map((dir) => readCampaignFile(dir));
  const first = metas[0]!.config;
  for (const [i, m] of metas.entries()) {
    const c = m.config;
    if (c.seed !== first.seed || JSON.stringify(c.backends) !== JSON.stringify(first.backends) || JSON.stringify(c.graph) !== JSON.stringify(first.graph) || c.mode !== first.mode) {
      throw new CampaignError(`${sources[i]} ran with other settings (seed, backends, graph options or mode differ from ${sources[0]}); only shards of one campaign merge`);
    }
  }
  const shardSets = metas.map(heldShards);
  const count = shardSets[0]!.count;
  for (const [i, s] of shardSets.entries()) {
    if (s.count !== count) {
      const name = (j: number): string => `${sources[j]} (shard ${shardSets[j]!.held.join(',')}/${shardSets[j]!.count})`;
      throw new CampaignError(`${name(i)} and ${name(0)} split the campaign into different numbers of shards; only shards of one --shard i/n split merge`);
    }
  }
  const held = [...new Set(shardSets.flatMap((s) => s.held))].sort((a, b) => a - b);
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !held.includes(i));
  // records and known bugs are read (and checked) before anything is written; shards of one campaign share their
  // known bugs, so the first source's stand for all
  const progress = sources.map((dir) => readProgress(dir));
  const knownSettings = readKnownSettings(sources[0]!);
  const label = loadKnown(knownSettings).known.labeller(versionsOf(sources));
  mkdirSync(out, { recursive: true });
  const byK = new Map<number, ProgressRecord>();
  let duplicates = 0;
  for (const [i, dir] of sources.entries()) {
    for (const r of progress[i]!) {
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
  // a merge of every shard is the whole campaign (0/1); one that lacks some says which it holds
  const shard = missing.length === 0 ? { index: 0, count: 1 } : { count, held, missing };
  writeFileAtomic(
    join(out, 'campaign.json'),
    JSON.stringify({ format: 1, config: { ...first, shard }, wallMs, sessions: Math.max(...metas.map((m) => m.sessions)), mergedFrom: sources, shards }, null, 2) + '\n',
  );
  writeKnownSettings(out, knownSettings);
  writeDerived(out, records, wallMs, { seed: first.seed, backends: first.backends, versions: versionsOf(sources), mergedFrom: sources.length, shards, ...(missing.length ? { missingShards: missing } : {}) }, label);
  return { cases: records.length, duplicates, sources: sources.length, shards: { count, held, missing } };
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
