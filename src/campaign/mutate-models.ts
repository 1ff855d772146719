/**
 * `fuzz --mutate-models`: fuzzes the runtimes' model loaders, as onnxruntime's own protobuf fuzzing does. Case k
 * generates a graph from caseSeed(seed, k), exports it, mutates the bytes (onnx/mutate.ts) and runs the mutant on
 * every backend in its isolated worker, with feeds and output names from the original graph. The oracle is crashes
 * and hangs only: a clean rejection (load-error, run-error) or a run is a pass. A mutant whose external data leaves
 * the case folder is refused before any backend sees it.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import onnxProto from 'onnx-proto';
import { caseSeed, GeneratorBug, generateGraph, randomFromSeed } from '../../generators/graph.js';
import { sampleFeeds } from '../../generators/values.js';
import { ORT_NODE_FLAVOURS, ortNodeFlavour, runtimeOf } from '../backends/names.js';
import type { Outcome } from '../backends/types.js';
import type { Graph, Tensor } from '../ir/index.js';
import { exportModel, ModelError } from '../onnx/index.js';
import { mutateModel, type MutatedModel } from '../onnx/mutate.js';
import { checkExternalData } from '../onnx/validate.js';
import { hashOf } from '../triage/evaluate.js';
import { reproRequirement } from '../triage/repro.js';
import { printable } from '../util/printable.js';
import { bucketSlug, normaliseError } from './bucket.js';
import type { CaseStrategy, SessionContext, Slot } from './campaign.js';
import { writeCase } from './case.js';
import type { BucketHit, CaseStatus, ProgressRecord } from './state.js';

const { onnx } = onnxProto;

/** Extra external-data locations for the mutator: the model file itself, a file inside the folder that is not data. */
const INSIDE_LOCATIONS = ['model.onnx', './model.onnx'];

interface Mutant {
  readonly k: number;
  readonly seed: number;
  readonly start: number;
  readonly graph: Graph;
  readonly feeds: Record<string, Tensor>;
  readonly original: Uint8Array;
  readonly mutant: MutatedModel;
  readonly ms: Record<'generate' | 'search' | 'reference' | 'backends' | 'localise' | 'write' | 'total', number>;
}

/**
 * Why mutant `bytes` (to be written at `modelPath`) must not reach a backend: external data leaving its folder, as
 * the importer checks it. Bytes that name a location and that protobufjs cannot decode (or walk) are refused too,
 * since a parser that skips fields protobufjs misreads might still find one.
 */
export function mutantRefusal(bytes: Uint8Array, modelPath: string): string | undefined {
  // every runtime finds external data by the key string 'location': bytes without it cannot name a file
  if (!Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes('location')) return undefined;
  let m: onnxProto.onnx.ModelProto;
  try {
    m = onnx.ModelProto.decode(bytes);
  } catch {
    return 'the model does not decode and names an external-data location';
  }
  try {
    checkExternalData(m, bytes, modelPath);
  } catch (e) {
    if (e instanceof ModelError) return e.message;
    throw e;
  }
  return undefined;
}

/** The bucket hit of a crash or hang: backend | crash or timeout | stage | signal (or the normalised message). */
export function loaderHit(backend: string, o: Outcome): BucketHit | undefined {
  if (o.kind !== 'crash' && o.kind !== 'timeout') return undefined;
  const what = o.kind === 'timeout' ? 'hang' : (o.signal ?? (normaliseError(o.message) || `exit ${o.exitCode ?? '?'}`));
  const key = `${backend}|${o.kind}|${o.stage}|${what}`;
  const detail = o.kind === 'timeout' ? `no answer within ${o.limitMs} ms (${o.stage})` : o.message;
  return { key, slug: bucketSlug(key, hashOf(key)), culprit: backend, symptom: o.kind, stage: o.stage, detail: detail.slice(0, 500) };
}

const j = (v: unknown): string => JSON.stringify(v);

/**
 * repro.mjs for an onnxruntime-node or -web culprit, or undefined for other backends: it loads model.onnx with the
 * culprit's package and runs it once in a child process, exiting 1 while that child crashes or hangs.
 */
export function loaderRepro(r: { culprit: string; version?: string; graph: Graph; feeds: Readonly<Record<string, Tensor>>; mutation: readonly string[]; limitMs: number }): string | undefined {
  const ort = ortNodeFlavour(r.culprit);
  let load: string;
  if (ort) {
    const f = ORT_NODE_FLAVOURS[ort];
    load = `const ort = need('onnxruntime-node');
const session = await ort.InferenceSession.create(MODEL, { executionProviders: [${j(f.provider)}], graphOptimizationLevel: ${j(f.optimization)} });`;
  } else if (runtimeOf(r.culprit) === 'onnxruntime-web') {
    load = `const ort = need('onnxruntime-web');
ort.env.wasm.numThreads = 1;
ort.env.wasm.proxy = false;
const session = await ort.InferenceSession.create(readFileSync(MODEL), { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });`;
  } else return undefined;
  const need = reproRequirement(r.culprit, r.version) ?? 'npm install';
  const inputs = r.graph.inputs.map((i) => `{ name: ${j(i.name)}, dtype: ${j(i.dtype)}, shape: ${j(i.shape)}, data: ${j(Array.from(r.feeds[i.name]?.data ?? []))} }`);
  return `#!/usr/bin/env node
// ${r.culprit}${r.version ? ` (${r.version})` : ''} crashes or hangs on a malformed model (model.onnx, a mutant of original.onnx).
// Standalone reproduction written by onnxsmith fuzz --mutate-models; it does not need onnxsmith.
//   mutation: ${printable(r.mutation.join('; '))}
//   needs:    ${need}, and model.onnx next to this file
//   run:      node repro.mjs   (exit 1 while loading or running it crashes or hangs, 0 once it runs or rejects the
//             model cleanly, 2 if the package is missing)
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const MODEL = fileURLToPath(new URL('./model.onnx', import.meta.url));
const LIMIT_MS = ${r.limitMs};
const INPUTS = [
  ${inputs.join(',\n  ')},
];
const OUTPUTS = ${j(r.graph.outputs.map((o) => o.name))};

function need(pkg) {
  try {
    return createRequire(import.meta.url)(pkg);
  } catch {
    console.error('this repro needs ' + pkg + ': run \`' + ${j(need)} + '\` in this folder (or a parent), then run it again');
    process.exit(2);
  }
}

const typed = (t) =>
  t.dtype === 'float32' ? Float32Array.from(t.data) : t.dtype === 'float64' ? Float64Array.from(t.data)
  : t.dtype === 'int32' ? Int32Array.from(t.data) : t.dtype === 'int64' ? BigInt64Array.from(t.data, (v) => BigInt(v))
  : Uint8Array.from(t.data, (v) => (v ? 1 : 0));

if (process.argv[2] !== '--child') {
  // the load runs in a child: a crash or hang there is what this script detects
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child'], { stdio: ['ignore', 'inherit', 'inherit'], timeout: LIMIT_MS, killSignal: 'SIGKILL' });
  if (r.error?.code === 'ETIMEDOUT') { console.log('BUG PRESENT: no answer within ' + LIMIT_MS + ' ms'); process.exit(1); }
  if (r.signal) { console.log('BUG PRESENT: the process died of ' + r.signal); process.exit(1); }
  if (r.status === 0 || r.status === 2) process.exit(r.status);
  console.log('BUG PRESENT: the process exited with code ' + r.status);
  process.exit(1);
}
try {
  ${load.split('\n').join('\n  ')}
  const feeds = Object.fromEntries(INPUTS.map((i) => [i.name, new ort.Tensor(i.dtype, typed(i), i.shape)]));
  await session.run(feeds, OUTPUTS);
  console.log('the model loaded and ran: the bug is not present');
} catch (e) {
  console.log('the model was rejected cleanly (' + String(e?.message ?? e).split('\\n')[0] + '): the bug is not present');
}
process.exit(0);
`;
}

/** The mutate-models case strategy of a campaign session. */
export function mutateModelsStrategy(ctx: SessionContext): CaseStrategy<Mutant> {
  const { dir, config: cfg, options, session } = ctx;
  const zero = (): Mutant['ms'] => ({ generate: 0, search: 0, reference: 0, backends: 0, localise: 0, write: 0, total: 0 });
  const search = { ok: true, iterations: 0, ms: 0, method: 'none' };

  const prepare = (k: number): Mutant | undefined => {
    const start = performance.now();
    const seed = caseSeed(cfg.seed, k);
    const ms = zero();
    let graph: Graph;
    try {
      graph = generateGraph(seed, options);
    } catch (e) {
      if (!(e instanceof GeneratorBug)) throw e;
      ctx.events.onHarnessBug?.(k, `generator: ${e.message}`);
      ctx.record({ k, seed, session, backendMs: {}, status: 'generator-bug', hits: [], ops: [], search: { ...search, ok: false }, ms, detail: e.message, at: ctx.elapsed() });
      return undefined;
    }
    const original = exportModel(graph);
    const mutant = mutateModel(original, seed, { locations: INSIDE_LOCATIONS });
    const feeds = sampleFeeds(graph, randomFromSeed(seed));
    ms.generate = performance.now() - start;
    return { k, seed, start, graph, feeds, original, mutant, ms };
  };

  const execute = async (slot: Slot, p: Mutant): Promise<void> => {
    const { k, seed, graph, feeds, original, mutant, ms } = p;
    const ops = [...new Set(graph.nodes.map((n) => n.op))];
    const backendMs: Record<string, number> = {};
    const base = { k, seed, session, backendMs, ops, search, mutation: mutant.applied };
    // the mutant is on disk before any backend sees it: a crash can never lose it
    const work = join(dir, 'work', `job-${slot.id}`);
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    const modelPath = join(work, 'model.onnx');
    writeFileSync(modelPath, mutant.bytes);
    writeFileSync(join(work, 'case.json'), JSON.stringify({ k, seed, mutation: mutant.applied }));
    const refusal = mutantRefusal(mutant.bytes, modelPath);
    if (refusal) {
      ms.total = performance.now() - p.start;
      ctx.record({ ...base, status: 'refused', hits: [], ms, detail: refusal.slice(0, 500), at: ctx.elapsed() });
      return;
    }
    const outputNames = graph.outputs.map((o) => o.name);
    const outcomes: Record<string, Outcome> = {};
    const b0 = performance.now();
    // one backend after another: loaders fight over no cores, so a hang is the loader's, not the machine's
    for (const b of slot.backends) {
      const t = performance.now();
      outcomes[b.spec] = await b.run(modelPath, undefined, feeds, outputNames);
      backendMs[b.spec] = performance.now() - t;
    }
    ms.backends = performance.now() - b0;
    slot.busyMs += ms.backends;
    const verdicts = Object.fromEntries(
      Object.entries(outcomes).map(([b, o]) => [b, { kind: o.kind, ...('stage' in o ? { stage: o.stage } : {}), ...('message' in o ? { detail: o.message.slice(0, 500) } : {}), ...(o.kind === 'crash' && o.signal ? { signal: o.signal } : {}) }]),
    );
    const hits: BucketHit[] = [];
    for (const [backend, o] of Object.entries(outcomes)) {
      const h = loaderHit(backend, o);
      if (!h) continue;
      const kept = ctx.saved.get(h.key) ?? 0;
      let caseDir: string | undefined;
      if (kept < cfg.keepPerBucket) {
        const w = performance.now();
        const dest = join(dir, 'cases', h.slug, String(k));
        const repro = loaderRepro({ culprit: backend, ...(ctx.versions[backend] ? { version: ctx.versions[backend] } : {}), graph, feeds, mutation: mutant.applied, limitMs: cfg.timeoutMs });
        writeCase(dest, {
          modelBytes: mutant.bytes,
          feeds,
          outputs: {},
          files: { 'original.onnx': original, ...(repro ? { 'repro.mjs': repro } : {}) },
          meta: {
            mode: 'mutate-models',
            seed: { campaign: cfg.seed, index: k, case: seed },
            mutation: mutant.applied,
            culprit: backend,
            symptom: h.symptom,
            stage: h.stage,
            bucketKey: h.key,
            detail: h.detail,
            outcome: verdicts[backend],
            backends: cfg.backends.map((name) => ({ name, version: ctx.versions[name] ?? 'unknown' })),
            verdicts,
            generator: { nodes: options.nodes, opset: options.opset, maxElems: options.maxElems, dtypes: options.dtypes },
            originalGraph: graph,
            ...(repro ? { repro: `node ${join(dest, 'repro.mjs')}` } : {}),
          },
        });
        ctx.saved.set(h.key, kept + 1);
        caseDir = relative(dir, dest);
        ms.write += performance.now() - w;
      }
      hits.push({ ...h, ...(caseDir ? { caseDir } : {}) });
    }
    const status: CaseStatus = hits.length > 0 ? 'finding' : 'pass';
    ms.total = performance.now() - p.start;
    const record: ProgressRecord = { ...base, status, hits, ms, outcomes: Object.fromEntries(Object.entries(outcomes).map(([b, o]) => [b, o.kind])), at: ctx.elapsed() };
    ctx.record(record);
  };

  return { prepare, execute };
}
