import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CampaignError } from '../../../src/campaign/errors.js';
import { appendProgress, readCampaignFile, readProgress, repairProgress, type ProgressRecord } from '../../../src/campaign/state.js';

function rec(k: number, session = 1): ProgressRecord {
  const ms = { generate: 0, search: 0, reference: 0, backends: 0, localise: 0, write: 0, total: 0 };
  return { k, seed: k, session, backendMs: {}, status: 'pass', hits: [], ops: ['Abs'], search: { ok: true, iterations: 1, ms: 0, method: 'sampling' }, ms, at: k };
}

function folder(...records: ProgressRecord[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'onnxsmith-state-'));
  for (const r of records) appendProgress(dir, r);
  return dir;
}

const file = (dir: string): string => join(dir, 'progress.jsonl');

describe('progress.jsonl', () => {
  it('reads a final line without its newline only when it is a whole record', () => {
    const dir = folder(rec(0), rec(1));
    appendFileSync(file(dir), JSON.stringify(rec(2)).slice(0, 30));
    expect(readProgress(dir).map((r) => r.k)).toEqual([0, 1]);
    const whole = folder(rec(0));
    appendFileSync(file(whole), JSON.stringify(rec(1)));
    expect(readProgress(whole).map((r) => r.k)).toEqual([0, 1]);
  });

  it('names the file and line of a JSON line that is not a record', () => {
    for (const bad of ['42', '{}', 'null', '[1]', '{"k":1,"status":"pass"}', '{"k":-1}']) {
      const dir = folder(rec(0));
      appendFileSync(file(dir), `${bad}\n`);
      appendProgress(dir, rec(1));
      expect(() => readProgress(dir), bad).toThrow(CampaignError);
      expect(() => readProgress(dir), bad).toThrow(`${file(dir)} line 2 `);
    }
  });

  it('names a line that is not JSON in the middle of the file', () => {
    const dir = folder(rec(0));
    appendFileSync(file(dir), 'garbage\n');
    appendProgress(dir, rec(1));
    expect(() => readProgress(dir)).toThrow(/line 2 is not valid JSON; delete that line/);
  });

  it('keeps the record an older session appended onto a torn line', () => {
    const dir = folder(rec(0));
    appendFileSync(file(dir), JSON.stringify(rec(1)).slice(0, 40) + JSON.stringify(rec(2)) + '\n');
    appendProgress(dir, rec(3));
    expect(readProgress(dir).map((r) => r.k)).toEqual([0, 2, 3]);
  });

  it('cuts a torn last line before a session appends, so the next record is not glued to it', () => {
    const dir = folder(rec(0), rec(1));
    const clean = readFileSync(file(dir), 'utf8');
    appendFileSync(file(dir), JSON.stringify(rec(2)).slice(0, 50));
    expect(repairProgress(dir)).toMatch(/dropped a torn last line of .*progress\.jsonl \(50 bytes/);
    expect(readFileSync(file(dir), 'utf8')).toBe(clean);
    appendProgress(dir, rec(2));
    expect(readProgress(dir).map((r) => r.k)).toEqual([0, 1, 2]);
    expect(repairProgress(dir)).toBeUndefined();
  });

  it('gives a whole last record its newline instead of dropping it', () => {
    const dir = folder(rec(0));
    appendFileSync(file(dir), JSON.stringify(rec(1)));
    expect(repairProgress(dir)).toBeUndefined();
    appendProgress(dir, rec(2));
    expect(readProgress(dir).map((r) => r.k)).toEqual([0, 1, 2]);
  });

  it('drops a last line that is not JSON even with its newline', () => {
    const dir = folder(rec(0));
    appendFileSync(file(dir), '{"k":1,"se\n');
    expect(readProgress(dir).map((r) => r.k)).toEqual([0]);
    expect(repairProgress(dir)).toMatch(/dropped a torn last line/);
    appendProgress(dir, rec(1));
    expect(readProgress(dir).map((r) => r.k)).toEqual([0, 1]);
  });
});

describe('campaign.json', () => {
  const dirWith = (text: string): string => {
    const dir = mkdtempSync(join(tmpdir(), 'onnxsmith-state-'));
    writeFileSync(join(dir, 'campaign.json'), text);
    return dir;
  };
  const good = { format: 1, config: { seed: 1, backends: ['ort-node-cpu'], graph: { nodes: 3 }, shard: { index: 0, count: 1 } }, wallMs: 0, sessions: 1 };

  it('reads a campaign file', () => {
    expect(readCampaignFile(dirWith(JSON.stringify(good))).config.seed).toBe(1);
  });

  it('names the file and the problem when it is damaged', () => {
    const broken = dirWith('{"config": ');
    expect(() => readCampaignFile(broken)).toThrow(new RegExp(`${join(broken, 'campaign.json')} is not valid JSON`));
    for (const bad of ['42', '[]', '{}', JSON.stringify({ ...good, config: { ...good.config, shard: { index: 0 } } }), JSON.stringify({ ...good, sessions: '1' })]) {
      expect(() => readCampaignFile(dirWith(bad)), bad).toThrow(/campaign\.json is not a campaign file/);
    }
    expect(() => readCampaignFile(mkdtempSync(join(tmpdir(), 'onnxsmith-state-')))).toThrow(/is not a campaign folder \(no campaign\.json\)/);
  });
});
