import { spawn } from 'node:child_process';
import { appendFileSync, chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, onnxsmith, type CliResult } from '../helpers/cli.js';

// tiny graphs on one fast backend: each campaign here takes a second or two
const small = ['--nodes', '3', '--include', 'Abs,Add,Mul', '--dtypes', 'float32', '--backends', 'ort-node-cpu', '--jobs', '1', '--no-report'];

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'onnxsmith-hostile-'));
}

interface Rec {
  k: number;
  session: number;
}

/** Every line of progress.jsonl, each of which must be a whole record. */
function progress(dir: string): Rec[] {
  const text = readFileSync(join(dir, 'progress.jsonl'), 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Rec);
}

function stats(dir: string): { cases: number } {
  return JSON.parse(readFileSync(join(dir, 'stats.json'), 'utf8')) as { cases: number };
}

function sessions(dir: string): number {
  return (JSON.parse(readFileSync(join(dir, 'campaign.json'), 'utf8')) as { sessions: number }).sessions;
}

/** exit 2 with one line `onnxsmith: ...` and no stack trace. */
function expectUsage(r: CliResult, message: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.split('\n').filter((l) => l.trim());
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^onnxsmith: /);
  expect(lines[0]).toMatch(message);
  expect(r.stderr).not.toMatch(/harness bug|\n\s+at /);
}

/** Starts `onnxsmith ARGS` in its own process group (so kill -9 takes its workers too). */
function start(args: readonly string[]): { pid: number; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult>((res) => child.on('close', (code, signal) => res({ code: code ?? (signal ? -1 : -2), stdout, stderr })));
  return { pid: child.pid!, done };
}

async function waitFor(cond: () => boolean, ms = 60_000): Promise<void> {
  for (const t0 = Date.now(); !cond(); ) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const lines = (dir: string): number => (existsSync(join(dir, 'progress.jsonl')) ? readFileSync(join(dir, 'progress.jsonl'), 'utf8').split('\n').length - 1 : 0);

describe('a campaign that survives anything', () => {
  let base: string;
  let model: string;
  beforeAll(() => {
    base = join(tmp(), 'base');
    const r = onnxsmith(['fuzz', ...small, '--seed', '3', '--max-cases', '3', '--time', '1m', '--out', base]);
    expect(r.code, r.stderr).toBe(0);
    const g = join(tmp(), 'g');
    expect(onnxsmith(['gen', '--count', '1', '--nodes', '2', '--out', g]).code).toBe(0);
    model = join(g, '000000', 'model.onnx');
  }, 120_000);
  const copy = (): string => {
    const d = join(tmp(), 'c');
    cpSync(base, d, { recursive: true });
    return d;
  };

  it('locks a campaign folder: a second session is refused while one runs, and a dead one is taken over', async () => {
    const dir = join(tmp(), 'locked');
    const a = start(['fuzz', ...small, '--seed', '4', '--time', '2m', '--out', dir]);
    await waitFor(() => lines(dir) >= 5);
    const b = onnxsmith(['fuzz', '--resume', dir, '--max-cases', '3', '--time', '1m']);
    expectUsage(b, new RegExp(`${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is in use by another onnxsmith session \\(pid ${a.pid} `));
    process.kill(-a.pid, 'SIGKILL');
    await a.done;
    const killed = progress(dir);
    expect(killed.every((r) => r.session === 1)).toBe(true);
    expect(existsSync(join(dir, 'campaign.lock'))).toBe(true);
    const c = onnxsmith(['fuzz', '--resume', dir, '--max-cases', '3', '--time', '1m']);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stderr).toContain(`taking over the lock of ${dir} from a session that is gone (pid ${a.pid} `);
    const after = progress(dir);
    const ks = after.map((r) => r.k);
    expect(new Set(ks).size).toBe(ks.length);
    expect(after).toHaveLength(killed.length + 3);
    expect(stats(dir).cases).toBe(after.length);
    // the killed session was session 1 (it never ended); the resumed one is 2, not 1 again
    expect(after.slice(killed.length).every((r) => r.session === 2)).toBe(true);
    expect(sessions(dir)).toBe(2);
    expect(existsSync(join(dir, 'campaign.lock'))).toBe(false);
  }, 180_000);

  it('two fresh campaigns on one --out: one runs, the other is refused, and no case is run twice', async () => {
    const dir = join(tmp(), 'race');
    const [a, b] = [start(['fuzz', ...small, '--seed', '5', '--time', '4s', '--out', dir]), start(['fuzz', ...small, '--seed', '5', '--time', '4s', '--out', dir])];
    const rs = await Promise.all([a.done, b.done]);
    expect(rs.map((r) => r.code).sort()).toEqual([0, 2]);
    expectUsage(rs.find((r) => r.code === 2)!, /in use by another onnxsmith session|already holds a campaign/);
    const ks = progress(dir).map((r) => r.k);
    expect(new Set(ks).size).toBe(ks.length);
    expect(stats(dir).cases).toBe(ks.length);
  }, 120_000);

  it('refuses a new campaign in a folder that holds old progress but no campaign.json', () => {
    const dir = join(tmp(), 'old');
    mkdirSync(dir);
    const old = readFileSync(join(base, 'progress.jsonl'), 'utf8');
    writeFileSync(join(dir, 'progress.jsonl'), old);
    expectUsage(onnxsmith(['fuzz', ...small, '--seed', '9', '--max-cases', '2', '--time', '1m', '--out', dir]), /is not empty and holds no campaign \(no campaign\.json; it has progress\.jsonl\)/);
    expect(readFileSync(join(dir, 'progress.jsonl'), 'utf8')).toBe(old);
    expect(readdirSync(dir)).toEqual(['progress.jsonl']);
  });

  it('drops a torn last progress line on resume and runs its case again: progress and stats agree', () => {
    const dir = copy();
    const f = join(dir, 'progress.jsonl');
    const whole = readFileSync(f, 'utf8').split('\n').filter((l) => l);
    expect(whole).toHaveLength(3);
    const torn = JSON.parse(whole[2]!) as Rec;
    writeFileSync(f, `${whole[0]}\n${whole[1]}\n${whole[2]!.slice(0, 60)}`);
    const r = onnxsmith(['fuzz', '--resume', dir, '--max-cases', '2', '--time', '1m']);
    expect(r.code, r.stderr).toBe(0);
    const after = progress(dir);
    expect(after.map((x) => x.k).sort((x, y) => x - y)).toEqual([0, 1, 2, 3]);
    expect(after.find((x) => x.k === torn.k)!.session).toBe(2);
    expect(stats(dir).cases).toBe(4);
    expect(r.stderr).toMatch(/note: dropped a torn last line of .*progress\.jsonl/);
  }, 60_000);

  it('reports unusable folders and files as usage errors naming them, never as harness bugs', () => {
    const t = tmp();
    const file = join(t, 'file');
    writeFileSync(file, 'x');
    const badJson = copy();
    writeFileSync(join(badJson, 'campaign.json'), '{"config": ');
    const notCampaign = copy();
    writeFileSync(join(notCampaign, 'campaign.json'), '[]');
    const number = copy();
    writeFileSync(join(number, 'progress.jsonl'), `42\n${readFileSync(join(base, 'progress.jsonl'), 'utf8')}`);
    const empty = copy();
    appendFileSync(join(empty, 'progress.jsonl'), '{}\n');
    const caseDir = join(t, 'case');
    mkdirSync(caseDir);
    cpSync(model, join(caseDir, 'model.onnx'));
    writeFileSync(join(caseDir, 'case.json'), '{oops');
    const inputs = join(t, 'inputs');
    mkdirSync(join(inputs, 'x.pb'), { recursive: true });
    const cases: [string[], RegExp][] = [
      [['fuzz', ...small, '--max-cases', '1', '--out', file], /--out: .*file exists and is not a folder/],
      [['fuzz', ...small, '--max-cases', '1', '--out', join(file, 'sub')], /--out: .*file is not a folder/],
      [['gen', '--count', '1', '--out', join(file, 'sub')], /--out: .*file is not a folder/],
      [['merge', '--out', file, base], /file exists and is not a folder/],
      [['merge', '--out', join(file, 'sub'), base], /--out: .*file is not a folder/],
      [['report', base, '--out', join(file, 'r.html')], /--out: .*file is not a folder/],
      [['fuzz', '--resume', badJson, '--max-cases', '1'], /campaign\.json is not valid JSON/],
      [['merge', '--out', join(t, 'm1'), badJson], /campaign\.json is not valid JSON/],
      [['report', badJson], /campaign\.json is not valid JSON/],
      [['fuzz', '--resume', notCampaign, '--max-cases', '1'], /campaign\.json is not a campaign file/],
      [['fuzz', '--resume', number, '--max-cases', '1'], /progress\.jsonl line 1 is 42, not a progress record/],
      [['report', empty], /progress\.jsonl line 4 is not a progress record/],
      [['merge', '--out', join(t, 'm2'), empty], /progress\.jsonl line 4 is not a progress record/],
      [['reduce', caseDir], /case\.json is not valid JSON/],
      [['replay', caseDir], /case\.json is not valid JSON/],
      [['run', model, '--inputs', inputs], /x\.pb is not a file/],
    ];
    for (const [args, message] of cases) expectUsage(onnxsmith(args), message);
    expect(existsSync(join(t, 'm1'))).toBe(false);
    expect(existsSync(join(t, 'm2'))).toBe(false);
  }, 120_000);

  it.skipIf(process.getuid?.() === 0)('reports an unwritable --out as a usage error', () => {
    const ro = join(tmp(), 'ro');
    mkdirSync(ro);
    chmodSync(ro, 0o500);
    expectUsage(onnxsmith(['gen', '--count', '1', '--out', join(ro, 'g')]), /ro\/g: permission denied/);
    expectUsage(onnxsmith(['fuzz', ...small, '--max-cases', '1', '--out', join(ro, 'f')]), /--out: .*ro is not writable/);
    expectUsage(onnxsmith(['merge', '--out', join(ro, 'm'), base]), /ro\/m: permission denied/);
    expectUsage(onnxsmith(['report', base, '--out', join(ro, 'r.html')]), /ro\/.*r\.html: permission denied/);
  });

  it('checks the backends before writing anything: a failed start leaves no folder behind', () => {
    const dir = join(tmp(), 'unavailable');
    const failed = onnxsmith(['fuzz', ...small, '--backends', 'tfjs-node', '--max-cases', '1', '--out', dir]);
    expect(existsSync(dir)).toBe(false);
    expectUsage(failed, /backend not available here: tfjs-node/);
    const r = onnxsmith(['fuzz', ...small, '--max-cases', '1', '--time', '1m', '--out', dir]);
    expect(r.code, r.stderr).toBe(0);
    // a resume that cannot start leaves the folder as it was: no session counted, no lock left
    const dead = copy();
    const c = JSON.parse(readFileSync(join(dead, 'campaign.json'), 'utf8')) as { config: { backends: string[] } };
    c.config.backends = ['tfjs-node'];
    writeFileSync(join(dead, 'campaign.json'), JSON.stringify(c));
    expectUsage(onnxsmith(['fuzz', '--resume', dead, '--max-cases', '1']), /backend not available here: tfjs-node/);
    expect(readFileSync(join(dead, 'campaign.json'), 'utf8')).toBe(JSON.stringify(c));
    expect(readdirSync(dead).sort()).toEqual(readdirSync(base).sort());
  }, 60_000);

  it('merges only shards of one split, and says which shards a partial merge lacks instead of claiming 0/1', () => {
    const t = tmp();
    const shard = (i: number, n: number): string => {
      const d = join(t, `s${i}-${n}`);
      const r = onnxsmith(['fuzz', ...small, '--seed', '6', '--shard', `${i}/${n}`, '--max-cases', '2', '--time', '1m', '--out', d]);
      expect(r.code, r.stderr).toBe(0);
      return d;
    };
    const [a, b, c] = [shard(0, 2), shard(1, 3), shard(2, 3)];
    expectUsage(onnxsmith(['merge', '--out', join(t, 'bad'), a, b]), /\(shard 1\/3\) and .*\(shard 0\/2\) split the campaign into different numbers of shards/);
    expect(existsSync(join(t, 'bad'))).toBe(false);

    const partial = join(t, 'partial');
    const r = onnxsmith(['merge', '--out', partial, c, shard(0, 3)]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^warning: shard 1 of 3 missing: .*partial holds shards 0,2 of 3, not the whole campaign/);
    const cj = JSON.parse(readFileSync(join(partial, 'campaign.json'), 'utf8')) as { config: { shard: Record<string, unknown> } };
    expect(cj.config.shard).toEqual({ count: 3, held: [0, 2], missing: [1] });
    expect(progress(partial).map((x) => x.k)).toEqual([0, 2, 3, 5]);
    expectUsage(onnxsmith(['fuzz', '--resume', partial, '--max-cases', '1']), /merges shards 0,2 of 3 \(shard 1 missing\) and cannot be resumed/);

    const whole = join(t, 'whole');
    const w = onnxsmith(['merge', '--out', whole, a, shard(1, 2)]);
    expect(w.code, w.stderr).toBe(0);
    expect(w.stderr).toBe('');
    expect((JSON.parse(readFileSync(join(whole, 'campaign.json'), 'utf8')) as { config: { shard: unknown } }).config.shard).toEqual({ index: 0, count: 1 });
  }, 120_000);

  it('refuses --time 0, and a --resume whose settings conflict with the campaign', () => {
    expectUsage(onnxsmith(['fuzz', ...small, '--time', '0', '--out', join(tmp(), 'z')]), /--time must be longer than 0, got '0'/);
    expectUsage(onnxsmith(['fuzz', ...small, '--time', '0s', '--out', join(tmp(), 'z')]), /--time must be longer than 0/);
    expectUsage(onnxsmith(['reduce', join(base, 'nothing'), '--time', '0']), /--time must be longer than 0/);
    const dir = copy();
    expectUsage(onnxsmith(['fuzz', '--resume', dir, '--seed', '5']), /--seed 5 conflicts with the campaign in .*, which has seed 3/);
    expectUsage(onnxsmith(['fuzz', '--resume', dir, '--backends', 'ort-node-cpu,tfjs-cpu']), /--backends ort-node-cpu,tfjs-cpu conflicts with the campaign in .*, which has backends ort-node-cpu/);
    expectUsage(onnxsmith(['fuzz', '--resume', dir, '--shard', '1/2']), /--shard 1\/2 conflicts with the campaign in .*, which has shard 0\/1/);
    expect(progress(dir)).toHaveLength(3);
    // the same values are no conflict
    const r = onnxsmith(['fuzz', '--resume', dir, '--seed', '3', '--backends', 'ort-node-cpu', '--max-cases', '1', '--time', '1m', '--no-report']);
    expect(r.code, r.stderr).toBe(0);
    expect(progress(dir)).toHaveLength(4);
  }, 60_000);
});
