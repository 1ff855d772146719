/**
 * Reduction of planted bugs: a campaign on 30-node graphs finds each planted bug (test/fixtures/backends), then
 * `reduce` shrinks its first case. Reported: time and final size, against a baseline run in the same process on
 * the same case — the same reducer without the localisation hint (no first divergent node or bucket operator
 * tried first), which is what delta debugging without a differential oracle's help amounts to.
 */
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCampaign } from '../src/campaign/campaign.js';
import { reduceCase } from '../src/triage/reduce-case.js';

const FIXTURES = join(import.meta.dirname, '../../test/fixtures/backends');
const OPS = ['Abs', 'Mul', 'Add', 'Sub', 'Neg', 'Relu', 'Sigmoid', 'Tanh', 'Exp', 'Sqrt', 'Reshape', 'Transpose', 'Concat', 'MatMul', 'ReduceSum'];

export async function benchReduce(): Promise<void> {
  process.stdout.write('\n## Reduction of planted bugs (30-node graphs; baseline: the same reducer without the localisation hint)\n');
  process.stdout.write('bug              found at   nodes  →  reduced   time s   candidates   baseline: nodes  time s  candidates   time vs baseline\n');
  for (const fixture of ['shifted-abs.mjs', 'mul-abs-fusion.mjs']) {
    const backend = `command:${join(FIXTURES, fixture)}`;
    const dir = join(mkdtempSync(join(tmpdir(), 'onnxsmith-bench-reduce-')), 'c');
    const config = { seed: 3, backends: ['ort-node-cpu', 'ort-node-cpu-noopt', backend], graph: { nodes: 30, include: OPS, dtypes: ['float32' as const] }, shard: { index: 0, count: 1 }, search: 'gradient' as const, timeoutMs: 20_000, keepPerBucket: 1 };
    await runCampaign(dir, config, { timeMs: 240_000, jobs: 2, maxCases: 80 });
    const buckets = JSON.parse(readFileSync(join(dir, 'buckets.json'), 'utf8')) as { culprit: string; first: number; cases: string[] }[];
    const b = buckets.find((x) => x.culprit === backend && x.cases.length > 0);
    if (!b) {
      process.stdout.write(`${fixture.padEnd(17)}not found in 80 cases\n`);
      continue;
    }
    const caseDir = join(dir, b.cases[0]!);
    const copy = `${caseDir}-baseline`;
    cpSync(caseDir, copy, { recursive: true });
    const hinted = await reduceCase(caseDir, { timeMs: 120_000 });
    const plain = await reduceCase(copy, { timeMs: 120_000, focus: false });
    const s = (ms: number): string => (ms / 1000).toFixed(1);
    process.stdout.write(
      `${fixture.replace('.mjs', '').padEnd(17)}case ${String(b.first).padEnd(5)}  ${String(hinted.before).padStart(5)}  →  ${String(hinted.after).padStart(7)}   ${s(hinted.result.ms).padStart(6)}   ${String(hinted.result.tests).padStart(10)}   ` +
        `${String(plain.after).padStart(15)}  ${s(plain.result.ms).padStart(6)}  ${String(plain.result.tests).padStart(10)}   ${(hinted.result.ms / Math.max(plain.result.ms, 1)).toFixed(2)}\n`,
    );
  }
}
