/**
 * End-to-end campaign throughput on the default CPU backends, and the harness overhead (share of case time
 * spent outside backends). Baseline, in the same process: the same backends running the same number of
 * ready-made cases with no generation, search or judging around them.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { caseSeed, generateGraph, randomFromSeed, resolveOptions } from '../generators/graph.js';
import { sampleFeeds } from '../generators/values.js';
import { IsolatedBackend } from '../src/backends/isolated.js';
import { runCampaign } from '../src/campaign/campaign.js';
import { exportModel } from '../src/onnx/index.js';

const BACKENDS = ['ort-node-cpu', 'ort-node-cpu-noopt', 'ort-web-wasm', 'tfjs-cpu', 'tfjs-wasm'];

export async function benchCampaign(seconds: number): Promise<void> {
  const jobs = availableParallelism();
  const dir = join(mkdtempSync(join(tmpdir(), 'onnxsmith-bench-')), 'campaign');
  const config = { seed: 1, backends: BACKENDS, graph: { nodes: 10 }, shard: { index: 0, count: 1 }, search: 'gradient' as const, timeoutMs: 20_000, keepPerBucket: 1 };
  const s = await runCampaign(dir, config, { timeMs: seconds * 1000, jobs });
  const stats = JSON.parse(readFileSync(join(dir, 'stats.json'), 'utf8')) as { tests: number; wallMs: number; overhead: number; phaseMs: Record<string, number> };
  const rate = stats.tests / (stats.wallMs / 1000);

  // baseline: the backends alone on the same number of cases (two workers per backend, like the campaign's jobs)
  const o = resolveOptions({ nodes: 10 });
  const work = mkdtempSync(join(tmpdir(), 'onnxsmith-bench-base-'));
  const cases = Array.from({ length: Math.min(stats.tests, 400) }, (_, i) => {
    const g = generateGraph(caseSeed(1, i), o);
    const path = join(work, `${i}.onnx`);
    writeFileSync(path, exportModel(g));
    return { g, path, feeds: sampleFeeds(g, randomFromSeed(i)) };
  });
  const slots = Array.from({ length: jobs }, () => BACKENDS.map((b) => new IsolatedBackend(b, { timeoutMs: 20_000 })));
  await Promise.all(slots.flat().map((b) => b.start()));
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    slots.map(async (bs) => {
      for (let i = next++; i < cases.length; i = next++) {
        const c = cases[i]!;
        await Promise.all(bs.map((b) => b.run(c.path, c.g, c.feeds, c.g.outputs.map((x) => x.name))));
      }
    }),
  );
  const baseRate = cases.length / ((performance.now() - t0) / 1000);
  await Promise.all(slots.flat().map((b) => b.close()));
  process.stdout.write(`\n## Campaign throughput (${seconds}s, ${jobs} jobs, backends: reference + ${BACKENDS.join(', ')})\n`);
  process.stdout.write(`backends alone (baseline)   ${baseRate.toFixed(1).padStart(7)} cases/s   1.00\n`);
  process.stdout.write(`full campaign               ${rate.toFixed(1).padStart(7)} tests/s   ${(rate / baseRate).toFixed(2)}\n`);
  process.stdout.write(`harness overhead: ${(stats.overhead * 100).toFixed(1)}% of case time outside backends (target <= 10%); ${s.sessionCases} cases, ${s.findings} findings\n`);
  const p = stats.phaseMs;
  const total = p.total ?? 1;
  process.stdout.write(`case time by phase: ${['generate', 'search', 'reference', 'backends', 'localise', 'write'].map((k) => `${k} ${(((p[k] ?? 0) / total) * 100).toFixed(1)}%`).join(', ')}\n`);
}
