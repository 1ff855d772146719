/**
 * `npm run bench`: every benchmark, each reported against its baseline from the same process.
 * BENCH_SECONDS (per throughput case, default 2), BENCH_GRAPHS (search graphs per size, default 200),
 * BENCH_CAMPAIGN_SECONDS (default 60; 0 skips the campaign benchmark), BENCH_REDUCE (0 skips the reducer benchmark),
 * BENCH_DEDUP_CASES (cases per planted bug, default 300; 0 skips the deduplication benchmark) and BENCH_DEDUP_SECONDS
 * (the cap on each of its campaigns, default 600; 0 skips it too).
 */
import { benchCampaign } from './campaign.js';
import { benchDedup } from './dedup.js';
import { benchGeneration } from './generation.js';
import { benchReduce } from './reduce.js';
import { benchSearch } from './search.js';

/** A whole number from the environment; anything else stops the bench with a message naming the variable. */
function envCount(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`${name} must be a whole number (0 skips), got '${raw}'\n`);
    process.exit(2);
  }
  return n;
}

const seconds = Number(process.env.BENCH_SECONDS ?? 2);
// read before any benchmark runs, so a typo stops the bench at once
const dedupCases = envCount('BENCH_DEDUP_CASES', 300);
const dedupSeconds = envCount('BENCH_DEDUP_SECONDS', 600);
process.stdout.write(`onnxsmith benchmarks (node ${process.version})\n`);
benchGeneration(seconds);
await benchSearch(Number(process.env.BENCH_GRAPHS ?? 200));
const campaignSeconds = Number(process.env.BENCH_CAMPAIGN_SECONDS ?? 60);
if (campaignSeconds > 0) await benchCampaign(campaignSeconds);
if (process.env.BENCH_REDUCE !== '0') await benchReduce();
if (dedupCases > 0 && dedupSeconds > 0) await benchDedup(dedupCases, dedupSeconds);
