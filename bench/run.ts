/** `npm run bench`: every benchmark, each reported against its baseline from the same process. */
import { benchGeneration } from './generation.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 2);
process.stdout.write(`onnxsmith benchmarks (node ${process.version}, ${seconds}s per case)\n`);
benchGeneration(seconds);
