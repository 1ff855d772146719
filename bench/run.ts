/**
 * `npm run bench`: every benchmark, each reported against its baseline from the same process.
 * BENCH_SECONDS (per throughput case, default 2), BENCH_GRAPHS (search graphs per size, default 200),
 * BENCH_CAMPAIGN_SECONDS (default 60; 0 skips the campaign benchmark), BENCH_REDUCE (0 skips the reducer benchmark).
 */
import { benchCampaign } from './campaign.js';
import { benchGeneration } from './generation.js';
import { benchReduce } from './reduce.js';
import { benchSearch } from './search.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 2);
process.stdout.write(`onnxsmith benchmarks (node ${process.version})\n`);
benchGeneration(seconds);
await benchSearch(Number(process.env.BENCH_GRAPHS ?? 200));
const campaignSeconds = Number(process.env.BENCH_CAMPAIGN_SECONDS ?? 60);
if (campaignSeconds > 0) await benchCampaign(campaignSeconds);
if (process.env.BENCH_REDUCE !== '0') await benchReduce();
