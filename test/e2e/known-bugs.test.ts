import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { onnxsmith, onnxsmithAsync } from '../helpers/cli.js';

const shifted = `command:${join(import.meta.dirname, '../fixtures/backends/shifted-abs.mjs')}`;

interface BucketJson {
  key: string;
  culprit: string;
  hits: number;
  cases: string[];
  known?: { source: string; status?: string; reason?: string; match: string; at?: string };
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'onnxsmith-known-'));
}

const json = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;
const buckets = (dir: string): BucketJson[] => json<BucketJson[]>(join(dir, 'buckets.json'));

// float64 Relu → Clip meets FuseReluClip on the optimised ort-node-cpu (corpus/ort-relu-clip-fusion-float64), and
// int32 Clip meets tfjs-wasm's ClipByValue (a corpus case and an exclusion): 16 small cases meet both, and nothing else
const knownOnly = ['--nodes', '3', '--include', 'Relu,Clip,Add', '--dtypes', 'float64,int32', '--seed', '5', '--max-cases', '16', '--jobs', '1', '--backends', 'ort-node-cpu,ort-node-cpu-noopt,tfjs-cpu,tfjs-wasm'];
// the same bugs where they show, and a planted one on float32 Abs
const planted = ['--nodes', '3', '--include', 'Abs,Relu,Clip,Add', '--dtypes', 'float32,int32', '--seed', '5', '--max-cases', '16', '--jobs', '1', '--backends', `tfjs-cpu,tfjs-wasm,${shifted}`];

describe('known bugs in a campaign', () => {
  it('exits 0 when every bucket is a known bug, labelled with its corpus case or exclusion', async () => {
    const out = join(tmp(), 'c');
    // from another folder: the corpus is onnxsmith's own, wherever it is installed
    const r = await onnxsmithAsync(['fuzz', ...knownOnly, '--out', out], { timeoutMs: 300_000, cwd: tmp() });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const bs = buckets(out);
    expect(bs.length).toBeGreaterThanOrEqual(2);
    for (const b of bs) expect(b.known, b.key).toBeDefined();
    const fusion = bs.find((b) => b.culprit === 'ort-node-cpu')!;
    expect(fusion.known).toMatchObject({ source: 'corpus/ort-relu-clip-fusion-float64', status: 'open upstream', match: 'ort-node-cpu|load-error|load|*:*FuseReluClip*' });
    // tfjs-wasm's Clip bug is a corpus case and an exclusion: the corpus case comes first
    expect(bs.find((b) => b.culprit === 'tfjs-wasm')!.known!.source).toMatch(/^corpus\/tfjs-wasm-/);
    expect(r.stdout).toContain(`in ${bs.length} buckets (0 new, ${bs.length} known)`);
    expect(r.stdout).toContain('nothing new: every bucket is a known bug');
    const stats = json<Record<string, number>>(join(out, 'stats.json'));
    expect(stats).toMatchObject({ buckets: bs.length, newBuckets: 0, knownBuckets: bs.length, newFindings: 0, knownFindings: stats.findings });
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain(`(0 new, ${bs.length} known)`);
    expect(html).toContain('<b>Nothing new:</b>');
    expect(html).toContain('known: corpus/ort-relu-clip-fusion-float64');

    // a resumed session labels as the first did (known.json) and reduces no known bug
    const again = await onnxsmithAsync(['fuzz', '--resume', out, '--max-cases', '2', '--no-report', '--reduce', '20s'], { timeoutMs: 300_000 });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('(0 new, ');
    expect(again.stdout).toContain('reduced 0 buckets');
    expect(existsSync(join(out, buckets(out)[0]!.cases[0]!, 'reduced'))).toBe(false);

    // resumed with another (empty) corpus, only the exclusion is left: FuseReluClip is new again, and kept so
    const empty = mkdtempSync(join(tmpdir(), 'onnxsmith-corpus-'));
    const other = await onnxsmithAsync(['fuzz', '--resume', out, '--max-cases', '1', '--no-report', '--corpus', empty], { timeoutMs: 300_000 });
    expect(other.code, other.stderr).toBe(1);
    const relabelled = buckets(out);
    expect(relabelled[0]!.culprit).toBe('ort-node-cpu');
    expect(relabelled[0]!.known).toBeUndefined();
    const clip = relabelled.find((b) => b.culprit === 'tfjs-wasm')!;
    expect(clip.known).toMatchObject({ source: 'exclusion', match: 'tfjs-wasm: Clip' });
    expect(clip.known!.reason).toMatch(/ClipByValue reads int32 data as float32/);
    expect(json<{ corpus: string }>(join(out, 'known.json')).corpus).toBe(empty);
    expect((await onnxsmithAsync(['fuzz', '--resume', out, '--max-cases', '1', '--no-report'], { timeoutMs: 300_000 })).code).toBe(1);
    const off = await onnxsmithAsync(['fuzz', '--resume', out, '--max-cases', '1', '--no-report', '--no-known'], { timeoutMs: 300_000 });
    expect(off.code, off.stderr).toBe(1);
    expect(off.stdout).toMatch(/ buckets \(\d+ new, 0 known\)/);
    // a damaged known.json is named, not a stack trace
    writeFileSync(join(out, 'known.json'), '{"enabled": ');
    const damaged = onnxsmith(['fuzz', '--resume', out, '--max-cases', '1']);
    expect(damaged.code).toBe(2);
    expect(damaged.stderr).toMatch(/known\.json is not valid JSON .*delete it to label buckets with the defaults, or resume with --known FILE/);
  }, 600_000);

  it('exits 1 for a new bug, listed first, and 0 once a --known file names it; merge and report keep the labels', async () => {
    const root = tmp();
    const out = join(root, 'new');
    const r = await onnxsmithAsync(['fuzz', ...planted, '--out', out], { timeoutMs: 300_000 });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const bs = buckets(out);
    const mine = bs.find((b) => b.culprit === shifted)!;
    expect(mine.key).toMatch(/\|wrong-value\|run\|Abs/);
    expect(mine.known).toBeUndefined();
    expect(bs[0]!.key).toBe(mine.key);
    expect(bs.filter((b) => b.culprit !== shifted).every((b) => b.known)).toBe(true);
    expect(r.stdout).toMatch(new RegExp(`in ${bs.length} buckets \\(1 new, ${bs.length - 1} known\\)`));
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toMatch(/<span class="new-tag">new<\/span>/);

    const file = join(root, 'known.txt');
    writeFileSync(file, `# bugs this nightly already knows\ncommand:*/shifted-abs.mjs|wrong-value|run|Abs:float32: planted by the test fixture\n`);
    const k = join(root, 'known');
    const r2 = await onnxsmithAsync(['fuzz', ...planted, '--known', file, '--out', k], { timeoutMs: 300_000 });
    expect(r2.code, r2.stdout + r2.stderr).toBe(0);
    expect(buckets(k).find((b) => b.culprit === shifted)!.known).toEqual({ source: 'known-file', reason: 'planted by the test fixture', match: 'command:*/shifted-abs.mjs|wrong-value|run|Abs:float32', at: `${file}:2` });
    expect(json<{ entries: unknown[] }>(join(k, 'known.json')).entries).toHaveLength(1);

    // merge labels as the shards did; report --known labels with another file
    const merged = join(root, 'merged');
    expect(onnxsmith(['merge', '-o', merged, k]).code).toBe(0);
    expect(buckets(merged).every((b) => b.known)).toBe(true);
    const slugFile = join(root, 'slug.txt');
    writeFileSync(slugFile, `${json<{ slug: string }[]>(join(out, 'buckets.json'))[0]!.slug}: the planted bug by its folder name\n`);
    const rep = onnxsmith(['report', out, '--known', slugFile, '--out', join(root, 'r.html')]);
    expect(rep.code, rep.stderr).toBe(0);
    expect(readFileSync(join(root, 'r.html'), 'utf8')).toContain('the planted bug by its folder name');
  }, 600_000);

  it.each([
    ['a missing file', null, /--known: cannot read .*nope\.txt \(ENOENT\)/],
    ['a line without a reason', 'tfjs-wasm|wrong-value|run|Clip\n', /--known .*k\.txt:1: 'tfjs-wasm\|wrong-value\|run\|Clip' has no reason/],
    ['an id with spaces and no reason', 'known bug here\n', /--known .*k\.txt:1: expected 'BUCKET-KEY-OR-SLUG: reason'/],
    ['an unknown symptom', '# ok\ntfjs-wasm|wrong|run|Clip: x\n', /--known .*k\.txt:2: 'tfjs-wasm\|wrong\|run\|Clip': unknown symptom 'wrong'/],
    ['JSON without reasons', '[{"id": "tfjs-wasm|*|*|Clip"}]', /--known .*k\.json\[0\]: 'tfjs-wasm\|\*\|\*\|Clip' has no "reason"/],
  ])('refuses %s with exit 2, naming the file and line', (_what, text, message) => {
    const dir = tmp();
    const file = join(dir, text === null ? 'nope.txt' : text.startsWith('[') ? 'k.json' : 'k.txt');
    if (text !== null) writeFileSync(file, text);
    const r = onnxsmith(['fuzz', ...knownOnly, '--known', file, '--out', join(dir, 'c')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, 'c'))).toBe(false);
  });

  it('refuses a --corpus that is not a folder, and --corpus with --no-known', () => {
    const dir = tmp();
    const a = onnxsmith(['fuzz', ...knownOnly, '--corpus', join(dir, 'none'), '--out', join(dir, 'c')]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/--corpus: .*none is not a folder/);
    const b = onnxsmith(['fuzz', ...knownOnly, '--corpus', dir, '--no-known', '--out', join(dir, 'c')]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--no-known labels nothing known, so --corpus has no use with it/);
  });
});
