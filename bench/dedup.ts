/**
 * Deduplication over planted bugs (issue 20): for each planted-bug backend (test/fixtures/planted), a campaign with
 * the reference, ort-node-cpu and that backend counts the buckets filed against the planted backend (one per bug
 * is the goal) and the false alarms: buckets against ort-node-cpu and groups of harness bugs (0 expected). Seed and
 * case count are fixed, so the figure is a count that reproduces, not a timing.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCampaign } from '../src/campaign/campaign.js';
import { readProgress } from '../src/campaign/state.js';

/** The planted bugs, each a module backend in test/fixtures/planted, with the kind of failure it plants. */
export const PLANTED: readonly { readonly file: string; readonly kind: string }[] = [
  { file: 'conv-strided-bias.mjs', kind: 'wrong value' },
  { file: 'sqrt-epsilon.mjs', kind: 'NaN or wrong value' },
  { file: 'flatten-axis.mjs', kind: 'shape' },
  { file: 'gather-negative-segv.mjs', kind: 'crash' },
  { file: 'tanh-half.mjs', kind: 'float32 + float64' },
  { file: 'pad-mode-rejected.mjs', kind: 'rejection' },
];

const FIXTURES = join(import.meta.dirname, '../../test/fixtures/planted');
const SEED = 1;

interface Bucket {
  readonly key: string;
  readonly culprit: string;
  readonly hits: number;
  readonly first: number;
}

interface Row {
  readonly name: string;
  readonly kind: string;
  readonly cases: number;
  readonly stopped: string;
  readonly planted: readonly Bucket[];
  readonly falseAlarms: readonly string[];
}

/** One planted bug's campaign: its buckets, and everything filed against anything else. */
async function plantedCampaign(root: string, file: string, kind: string, cases: number, capSeconds: number): Promise<Row> {
  const spec = `module:${join(FIXTURES, file)}`;
  const dir = join(root, file.replace('.mjs', ''));
  const config = { seed: SEED, backends: ['ort-node-cpu', spec], graph: { nodes: 10 }, shard: { index: 0, count: 1 }, search: 'gradient' as const, timeoutMs: 20_000, keepPerBucket: 1 };
  const s = await runCampaign(dir, config, { timeMs: capSeconds * 1000, maxCases: cases, jobs: 1 });
  const buckets = JSON.parse(readFileSync(join(dir, 'buckets.json'), 'utf8')) as Bucket[];
  // harness bugs group by where the reference stands alone; those without a key by their text
  const harness = new Set(
    readProgress(dir)
      .filter((r) => r.status === 'harness-bug' || r.status === 'generator-bug')
      .map((r) => `harness: ${r.harnessKey ?? r.detail ?? r.status}`),
  );
  return {
    name: file.replace('.mjs', ''),
    kind,
    cases: s.sessionCases,
    stopped: s.stopped,
    planted: buckets.filter((b) => b.culprit === spec),
    falseAlarms: [...buckets.filter((b) => b.culprit !== spec).map((b) => b.key), ...harness],
  };
}

/** A bucket key without its culprit: symptom, stage, operator:dtype or operator:error. */
function what(key: string): string {
  return key.split('|').slice(1).join(' ').slice(0, 70);
}

export async function benchDedup(cases: number, capSeconds: number): Promise<void> {
  process.stdout.write(
    `\n## Deduplication of planted bugs (seed ${SEED}, ${cases} cases of 10-node graphs each, 1 job; backends: reference, ort-node-cpu, the planted one)\n`,
  );
  process.stdout.write('planted bug            kind                 found at   buckets   false alarms   planted buckets (hits)\n');
  const root = mkdtempSync(join(tmpdir(), 'onnxsmith-bench-dedup-'));
  const rows: Row[] = [];
  for (const p of PLANTED) {
    const r = await plantedCampaign(root, p.file, p.kind, cases, capSeconds);
    rows.push(r);
    const first = r.planted.length > 0 ? `case ${Math.min(...r.planted.map((b) => b.first))}` : 'not found';
    // a campaign cut short by the cap ran fewer cases: its counts do not compare with other runs
    const short = r.stopped === 'cases' ? '' : `   (stopped by ${r.stopped} after ${r.cases} cases)`;
    process.stdout.write(
      `${r.name.padEnd(23)}${r.kind.padEnd(21)}${first.padEnd(11)}${String(r.planted.length).padStart(7)}${String(r.falseAlarms.length).padStart(15)}   ` +
        `${r.planted.map((b) => `${what(b.key)} (${b.hits})`).join('; ')}${short}\n`,
    );
    for (const f of r.falseAlarms) process.stdout.write(`${''.padEnd(23)}false alarm: ${f.slice(0, 160)}\n`);
  }
  const found = rows.filter((r) => r.planted.length > 0);
  const perBug = found.reduce((a, r) => a + r.planted.length, 0) / Math.max(found.length, 1);
  const alarms = new Set(rows.flatMap((r) => r.falseAlarms)).size;
  process.stdout.write(`buckets per planted bug found: ${perBug.toFixed(2)} (planted bugs found: ${found.length}/${rows.length}), false alarms: ${alarms}\n`);
  process.stdout.write(`target: <= 1.2 buckets per planted bug, 0 false alarms; campaign folders under ${root}\n`);
}
