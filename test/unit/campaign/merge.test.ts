import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CampaignError } from '../../../src/campaign/errors.js';
import { mergeCampaigns } from '../../../src/campaign/merge.js';
import { appendProgress, type ProgressRecord } from '../../../src/campaign/state.js';

const root = (): string => mkdtempSync(join(tmpdir(), 'onnxsmith-merge-'));

function rec(k: number): ProgressRecord {
  const ms = { generate: 0, search: 0, reference: 0, backends: 0, localise: 0, write: 0, total: 0 };
  return { k, seed: k, session: 1, backendMs: {}, status: 'pass', hits: [], ops: [], search: { ok: true, iterations: 1, ms: 0, method: 'sampling' }, ms, at: k };
}

/** A finished shard i/n of seed 1 that ran its first `cases` cases. */
function shard(at: string, i: number, n: number, cases = 2): string {
  const dir = join(at, `s${i}-${n}`);
  mkdirSync(dir);
  const config = { seed: 1, backends: ['ort-node-cpu'], graph: { nodes: 3 }, shard: { index: i, count: n }, search: 'sampling', timeoutMs: 1000, keepPerBucket: 1 };
  writeFileSync(join(dir, 'campaign.json'), JSON.stringify({ format: 1, config, wallMs: 10, sessions: 1 }));
  for (let c = 0; c < cases; c++) appendProgress(dir, rec(i + c * n));
  return dir;
}

const shardOf = (dir: string): unknown => (JSON.parse(readFileSync(join(dir, 'campaign.json'), 'utf8')) as { config: { shard: unknown } }).config.shard;

describe('merge', () => {
  it('refuses shards of different splits', () => {
    const t = root();
    expect(() => mergeCampaigns(join(t, 'out'), [shard(t, 0, 2), shard(t, 1, 3)])).toThrow(CampaignError);
    expect(() => mergeCampaigns(join(t, 'out'), [join(t, 's0-2'), join(t, 's1-3')])).toThrow(/s1-3 \(shard 1\/3\) and .*s0-2 \(shard 0\/2\) split the campaign into different numbers of shards/);
  });

  it('records the shards a partial merge holds and never claims the whole campaign', () => {
    const t = root();
    const out = join(t, 'out');
    const r = mergeCampaigns(out, [shard(t, 2, 3), shard(t, 0, 3)]);
    expect(r.shards).toEqual({ count: 3, held: [0, 2], missing: [1] });
    expect(shardOf(out)).toEqual({ count: 3, held: [0, 2], missing: [1] });
    expect(JSON.parse(readFileSync(join(out, 'stats.json'), 'utf8'))).toMatchObject({ cases: 4, missingShards: [1] });
  });

  it('calls a merge of every shard the whole campaign (0/1)', () => {
    const t = root();
    const out = join(t, 'out');
    const r = mergeCampaigns(out, [shard(t, 0, 2), shard(t, 1, 2)]);
    expect(r).toMatchObject({ cases: 4, duplicates: 0, shards: { count: 2, held: [0, 1], missing: [] } });
    expect(shardOf(out)).toEqual({ index: 0, count: 1 });
  });

  it('takes the shards held by a partial merge into account when merging again', () => {
    const t = root();
    const partial = join(t, 'partial');
    mergeCampaigns(partial, [shard(t, 0, 3), shard(t, 2, 3)]);
    const out = join(t, 'out');
    expect(mergeCampaigns(out, [partial, shard(t, 1, 3)]).shards.missing).toEqual([]);
    expect(shardOf(out)).toEqual({ index: 0, count: 1 });
  });

  it('refuses an output folder that is not empty', () => {
    const t = root();
    const out = join(t, 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'notes.txt'), 'x');
    expect(() => mergeCampaigns(out, [shard(t, 0, 1)])).toThrow(/out is not empty; merge into a new or empty folder/);
  });
});
