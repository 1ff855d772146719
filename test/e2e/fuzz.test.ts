import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, onnxsmith, onnxsmithAsync } from '../helpers/cli.js';

const fixtures = join(import.meta.dirname, '../fixtures/backends');
const shifted = `command:${join(fixtures, 'shifted-abs.mjs')}`;
const abortB = `module:${join(fixtures, 'abort.mjs')}`;

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'onnxsmith-fuzz-'));
}

interface Progress {
  k: number;
  status: string;
  hits: { key: string; caseDir?: string }[];
}

function progress(dir: string): Progress[] {
  return readFileSync(join(dir, 'progress.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Progress);
}

function verdicts(dir: string): string[] {
  return progress(dir)
    .sort((a, b) => a.k - b.k)
    .map((p) => `${p.k} ${p.status} ${p.hits.map((h) => h.key).sort().join(',')}`);
}

// small graphs of a few operators keep these runs to seconds; Abs triggers the planted bug
const common = ['--nodes', '4', '--include', 'Abs,Add,Mul,Relu,Sub,Neg', '--dtypes', 'float32', '--time', '5m'];

describe('onnxsmith fuzz', () => {
  it('gives the same cases and verdicts for the same seed, and files the planted bug into one bucket', async () => {
    const [a, b] = [join(tmp(), 'a'), join(tmp(), 'b')];
    for (const out of [a, b]) {
      const r = await onnxsmithAsync(['fuzz', ...common, '--seed', '7', '--max-cases', '24', '--jobs', '2', '--backends', `ort-node-cpu,${shifted}`, '--out', out], { timeoutMs: 240_000 });
      expect(r.code, r.stderr).toBe(1);
    }
    expect(verdicts(a)).toEqual(verdicts(b));
    expect(verdicts(a)).toHaveLength(24);
    const buckets = JSON.parse(readFileSync(join(a, 'buckets.json'), 'utf8')) as { key: string; hits: number; culprit: string; cases: string[] }[];
    expect(buckets.length).toBe(1);
    expect(buckets[0]!.culprit).toBe(shifted);
    expect(buckets[0]!.key).toMatch(/\|wrong-value\|run\|Abs:float32$/);
    expect(buckets[0]!.hits).toBeGreaterThan(1);
    for (const c of buckets[0]!.cases) {
      for (const f of ['model.onnx', 'case.json', 'inputs', 'outputs']) expect(existsSync(join(a, c, f)), `${c}/${f}`).toBe(true);
    }
    const stats = JSON.parse(readFileSync(join(a, 'stats.json'), 'utf8')) as { tests: number; findings: number; search: { successRate: number } };
    expect(stats.findings).toBe(buckets[0]!.hits);
    // a saved case replays from anywhere: still failing on its backends, passing without the culprit
    const kept = join(a, buckets[0]!.cases[0]!);
    // a case folder may come from anyone: the program its case.json names runs only when the user names it too
    const refused = onnxsmith(['replay', kept]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`names ${shifted}, which would run a program of the case's choosing; name it yourself to run it: --backends ort-node-cpu,${shifted}`);
    expect(onnxsmith(['replay', kept, '--backends', `ort-node-cpu,${shifted}`], { cwd: tmp() }).code).toBe(1);
    expect(onnxsmith(['replay', kept, '--backends', 'ort-node-cpu']).code).toBe(0);
  }, 600_000);

  // two backends that share one planted bug (like every onnxruntime flavour sharing its kernels) outvote the
  // reference: harness bugs, grouped by the operator where the reference stands alone, a few folders kept per group
  it('groups harness bugs by where the reference stands alone, and reduces one to that operator', async () => {
    const out = join(tmp(), 'h');
    const twin = `command:${join(fixtures, 'shifted-abs-twin.mjs')}`;
    const r = await onnxsmithAsync(['fuzz', ...common, '--seed', '7', '--max-cases', '16', '--jobs', '2', '--keep', '2', '--backends', `${shifted},${twin}`, '--out', out], { timeoutMs: 240_000 });
    expect(r.stdout + r.stderr).toMatch(/HARNESS BUG/);
    const harness = progress(out).filter((x) => x.status === 'harness-bug') as (Progress & { harnessKey?: string })[];
    expect(harness.length).toBeGreaterThan(2);
    expect(new Set(harness.map((h) => h.harnessKey))).toEqual(new Set(['reference|harness-bug|run|Abs:float32']));
    const kept = readdirSync(join(out, 'harness-bugs'));
    expect(kept).toHaveLength(2);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain(`Harness bugs (${harness.length})`);
    expect(html).toContain('<code>Abs:float32</code>');

    const red = await onnxsmithAsync(['reduce', join(out, 'harness-bugs', kept[0]!), '--time', '60s', '--json', '--backends', `${shifted},${twin}`], { timeoutMs: 120_000 });
    expect(red.code, red.stderr).toBe(0);
    expect((JSON.parse(red.stdout) as { bucketKey: string }).bucketKey).toBe('reference|harness-bug|run|Abs:float32');
    const reduced = JSON.parse(readFileSync(join(out, 'harness-bugs', kept[0]!, 'reduced', 'case.json'), 'utf8')) as { graph: { nodes: { op: string }[] } };
    expect(reduced.graph.nodes.map((n) => n.op)).toEqual(['Abs']);
  }, 400_000);

  it('keeps going when a backend crashes on every case, filing the crashes into one bucket', async () => {
    const out = join(tmp(), 'c');
    const r = await onnxsmithAsync(['fuzz', ...common, '--seed', '3', '--max-cases', '8', '--jobs', '1', '--backends', `ort-node-cpu,${abortB}`, '--out', out], { timeoutMs: 240_000 });
    expect(r.code, r.stderr).toBe(1);
    const p = progress(out);
    expect(p.filter((x) => x.status === 'finding' || x.status === 'pass').length + p.filter((x) => x.status === 'search-failed').length).toBe(8);
    const buckets = JSON.parse(readFileSync(join(out, 'buckets.json'), 'utf8')) as { key: string; hits: number }[];
    expect(buckets).toHaveLength(1);
    expect(buckets[0]!.key).toMatch(/\|crash\|run\|/);
  }, 300_000);

  it('resumes after kill -9 with no finding lost, no corrupt file and no case repeated', async () => {
    const out = join(tmp(), 'k');
    const child = spawn(process.execPath, [CLI, 'fuzz', ...common, '--seed', '11', '--jobs', '2', '--backends', `ort-node-cpu,${shifted}`, '--out', out], { stdio: 'ignore', detached: true });
    // wait until some cases are done, then kill the whole process group without warning
    for (let i = 0; i < 600; i++) {
      await new Promise((r) => setTimeout(r, 200));
      if (existsSync(join(out, 'progress.jsonl')) && progress(out).length >= 12) break;
    }
    process.kill(-child.pid!, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 500));
    const before = progress(out);
    expect(before.length).toBeGreaterThanOrEqual(12);
    const r = await onnxsmithAsync(['fuzz', '--resume', out, '--max-cases', '10', '--time', '5m'], { timeoutMs: 240_000 });
    expect([0, 1]).toContain(r.code);
    const after = progress(out);
    const ks = after.map((p) => p.k);
    expect(new Set(ks).size).toBe(ks.length);
    expect(after.length).toBe(before.length + 10);
    for (const p of before) expect(after.find((q) => q.k === p.k)).toEqual(p);
    for (const h of after.flatMap((p) => p.hits)) if (h.caseDir) expect(existsSync(join(out, h.caseDir, 'case.json')), h.caseDir).toBe(true);
    const leftovers = existsSync(join(out, 'cases')) ? readdirSync(join(out, 'cases'), { recursive: true }).filter((f) => /\.tmp-\d+/.test(String(f))) : [];
    expect(leftovers).toEqual([]);
    const campaign = JSON.parse(readFileSync(join(out, 'campaign.json'), 'utf8')) as { sessions: number };
    // the killed session counts: campaign.json records a session when it starts
    expect(campaign.sessions).toBe(2);
  }, 600_000);

  it('stops cleanly on Ctrl-C and writes the summary', async () => {
    const out = join(tmp(), 'i');
    const child = spawn(process.execPath, [CLI, 'fuzz', ...common, '--seed', '5', '--jobs', '1', '--backends', 'ort-node-cpu', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    for (let i = 0; i < 600; i++) {
      await new Promise((r) => setTimeout(r, 200));
      if (existsSync(join(out, 'progress.jsonl')) && progress(out).length >= 3) break;
    }
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code).toBe(0);
    expect(stdout).toMatch(/stopped by interrupt/);
    const stats = JSON.parse(readFileSync(join(out, 'stats.json'), 'utf8')) as { cases: number };
    expect(stats.cases).toBe(progress(out).length);
  }, 300_000);

  it('partitions seeds across shards, and merge combines them', async () => {
    const root = tmp();
    const dirs = [0, 1, 2].map((i) => join(root, `s${i}`));
    for (const [i, d] of dirs.entries()) {
      const r = await onnxsmithAsync(['fuzz', ...common, '--seed', '9', '--max-cases', '5', '--jobs', '1', '--shard', `${i}/3`, '--backends', `ort-node-cpu,${shifted}`, '--out', d], { timeoutMs: 240_000 });
      expect([0, 1]).toContain(r.code);
    }
    const sets = dirs.map((d) => progress(d).map((p) => p.k));
    sets.forEach((ks, i) => ks.forEach((k) => expect(k % 3).toBe(i)));
    const merged = join(root, 'merged');
    const m = onnxsmith(['merge', '--out', merged, ...dirs]);
    expect(m.code, m.stderr).toBe(0);
    expect(progress(merged).map((p) => p.k).sort((a, b) => a - b)).toEqual(sets.flat().sort((a, b) => a - b));
    const buckets = JSON.parse(readFileSync(join(merged, 'buckets.json'), 'utf8')) as { hits: number }[];
    const total = dirs.map((d) => (JSON.parse(readFileSync(join(d, 'buckets.json'), 'utf8')) as { hits: number }[]).reduce((a, b) => a + b.hits, 0)).reduce((a, b) => a + b, 0);
    expect(buckets.reduce((a, b) => a + b.hits, 0)).toBe(total);
  }, 600_000);

  it.each([
    [['fuzz', '--time', 'soon'], /--time must look like 30s/],
    [['fuzz', '--shard', '3/3'], /--shard must be i\/n/],
    [['fuzz', '--resume', '/no/such/campaign'], /not a campaign folder/],
    [['fuzz', '--backends', 'ort-node-tpu'], /unknown backend 'ort-node-tpu'/],
    [['fuzz', '--search', 'magic'], /--search must be gradient or sampling/],
  ])('rejects %j with exit code 2', (args, message) => {
    const r = onnxsmith(args, { cwd: tmp() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
