import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { attribute, type BackendResult, type CaseVerdict } from '../../../oracles/attribution.js';
import type { Symptom } from '../../../oracles/types.js';
import { keySymptom } from '../../campaign/bucket.js';
import type { Graph } from '../../ir/index.js';
import { loaderHit, mutantRefusal } from '../../campaign/mutate-models.js';
import { importModel, ModelError, readModelFile } from '../../onnx/index.js';
import { runReference } from '../../triage/evaluate.js';
import { checkCaseBackends } from '../../backends/index.js';
import { caseBackends } from '../../triage/reduce-case.js';
import { startBackends } from '../../run/differential.js';
import { readInputs } from '../../run/inputs.js';
import { printable } from '../../util/printable.js';
import { checkBackendNames, EXIT, intFlag, listFlag, readJsonObject, UsageError } from '../errors.js';

interface CaseMeta {
  culprit?: string;
  symptom?: string;
  /** What the oracle saw when the case was saved (the bucket symptom may name the cause instead). */
  observed?: string;
  bucketKey?: string;
  harnessBug?: string;
  backends?: ({ name: string } | string)[];
  graph?: Graph;
  /** A `fuzz --mutate-models` case: model.onnx is the mutant, originalGraph what it was made from. */
  mode?: string;
  originalGraph?: Graph;
  tolerances?: Record<string, { rtol: number; atol: number }>;
}

/** A case's own backends may run only programs onnxsmith ships: external ones must be named by the user. */
export function refuseCasePrograms(specs: readonly string[], target: string): void {
  try {
    checkCaseBackends(specs, `${target}/case.json`);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** Whether the verdict shows the finding the case was saved for. */
export function reproduces(meta: CaseMeta, v: CaseVerdict): boolean {
  if (meta.harnessBug) return v.kind === 'harness-bug';
  if (v.kind !== 'finding') return false;
  // the bucket's symptom (NaN/Inf filed as a wrong value, a run error filed at the node whose shape caused it) or
  // what the oracle saw when the case was saved
  const saved = [meta.symptom, meta.observed].filter((x): x is string => typeof x === 'string').map((x) => keySymptom(x as Symptom));
  return v.culprits.some((c) => c.backend === meta.culprit && c.verdict.kind === 'fail' && (saved.length === 0 || saved.includes(keySymptom(c.verdict.symptom))));
}

/**
 * Replays a loader finding of `fuzz --mutate-models`: the mutant goes to each backend as bytes, never through
 * onnxsmith's importer, and the finding reproduces while the culprit still crashes or hangs the same way.
 */
async function replayMutant(dir: string, target: string, meta: CaseMeta, specs: readonly string[], timeoutMs: number, json: boolean): Promise<boolean> {
  const modelPath = join(dir, 'model.onnx');
  const refusal = mutantRefusal(readFileSync(modelPath), modelPath);
  if (refusal) throw new ModelError(`${target}/model.onnx: ${refusal}`);
  const original = meta.originalGraph;
  if (!original || !Array.isArray(original.inputs) || !Array.isArray(original.outputs)) {
    throw new UsageError(`${target}/case.json: a mutate-models case needs originalGraph (the graph the mutant was made from)`);
  }
  const feeds = readInputs(original, join(dir, 'inputs'));
  const started = await startBackends(specs, timeoutMs);
  let results: BackendResult[];
  try {
    results = await Promise.all(
      started.map(async ({ backend, info }) => {
        if ('error' in info || !info.available.ok) throw new UsageError(`backend ${backend.spec} cannot run here: ${'error' in info ? info.error : info.available.ok ? '' : info.available.reason}`);
        return { backend: backend.spec, version: info.version, outcome: await backend.run(modelPath, undefined, feeds, original.outputs.map((o) => o.name)) };
      }),
    );
  } finally {
    await Promise.all(started.map((s) => s.backend.close()));
  }
  const keys = results.map((r) => loaderHit(r.backend, r.outcome)?.key);
  const still = meta.bucketKey !== undefined && keys.includes(meta.bucketKey);
  if (json) {
    process.stdout.write(JSON.stringify({ case: dir, reproduces: still, outcomes: results.map((r, i) => ({ backend: r.backend, version: r.version, outcome: r.outcome.kind, ...(keys[i] ? { bucketKey: keys[i] } : {}) })) }, null, 2) + '\n');
    return still;
  }
  const w = Math.max(...results.map((r) => r.backend.length));
  for (const r of results) {
    const o = r.outcome;
    const what = o.kind === 'ok' ? 'loads and runs' : o.kind === 'crash' ? `CRASH (${o.stage}): ${o.message.split('\n')[0]}` : o.kind === 'timeout' ? `HANG (${o.stage}): no answer within ${o.limitMs} ms` : `rejects it cleanly (${o.kind}): ${'message' in o ? o.message.split('\n')[0] : ''}`;
    process.stdout.write(`${printable(r.backend.padEnd(w))}  ${r.version.padEnd(10)}  ${printable(what)}\n`);
  }
  process.stdout.write(`the loader finding (${meta.bucketKey ?? '?'}) ${still ? 'still reproduces' : 'no longer reproduces'}\n`);
  return still;
}

/** `onnxsmith replay`: re-run a case on its backends; exit 1 while the finding reproduces, 0 once it does not. */
export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('re-run a case folder on the backends it was found with; exit 1 if the finding still reproduces, 0 if not')
    .argument('<case>', 'case folder (model.onnx, inputs/, case.json)')
    .option('--backends <list>', 'run on these backends instead of the ones in case.json')
    .option('--timeout <ms>', 'time limit per backend', '30000')
    .option('--json', 'print JSON')
    .action(async (target: string, flags: { backends?: string; timeout: string; json?: boolean }) => {
      const dir = resolve(target);
      for (const f of ['model.onnx', 'case.json']) if (!existsSync(join(dir, f))) throw new UsageError(`${target}: not a case folder (no ${f})`);
      const meta = readJsonObject(join(dir, 'case.json')) as CaseMeta;
      const specs = flags.backends ? listFlag(flags.backends).filter((b) => b !== 'reference') : caseBackends(meta);
      if (specs.length === 0) throw new UsageError(`${target}: case.json names no backend; pass --backends`);
      if (!flags.backends) refuseCasePrograms(specs, target);
      if (meta.mode === 'mutate-models') {
        await checkBackendNames(specs);
        const still = await replayMutant(dir, target, meta, specs, intFlag('--timeout', flags.timeout, 1), flags.json === true);
        process.exitCode = still ? EXIT.findings : EXIT.ok;
        return;
      }
      const modelPath = join(dir, 'model.onnx');
      const bytes = readModelFile(modelPath);
      const graph = meta.graph ?? importModel(bytes, { path: modelPath }).graph;
      const feeds = readInputs(graph, join(dir, 'inputs'));
      await checkBackendNames(specs);
      const timeoutMs = intFlag('--timeout', flags.timeout, 1);
      const { reference, env } = runReference(graph, feeds);
      const started = await startBackends(specs, timeoutMs);
      let results: BackendResult[];
      try {
        results = await Promise.all(
          started.map(async ({ backend, info }) => {
            if ('error' in info || !info.available.ok) {
              const why = 'error' in info ? info.error : info.available.ok ? '' : info.available.reason;
              throw new UsageError(`backend ${backend.spec} cannot run here: ${why}`);
            }
            return { backend: backend.spec, version: info.version, outcome: await backend.run(join(dir, 'model.onnx'), graph, feeds, graph.outputs.map((o) => o.name)) };
          }),
        );
      } finally {
        await Promise.all(started.map((s) => s.backend.close()));
      }
      const verdict = attribute(graph, reference, results, meta.tolerances ?? {}, env);
      const still = reproduces(meta, verdict);
      if (flags.json) {
        process.stdout.write(JSON.stringify({ case: dir, reproduces: still, verdict: verdict.kind, judged: 'judged' in verdict ? verdict.judged.map((j) => ({ backend: j.backend, version: j.version, verdict: j.verdict })) : [] }, null, 2) + '\n');
      } else {
        const w = Math.max(...results.map((r) => r.backend.length));
        for (const j of 'judged' in verdict ? verdict.judged : []) {
          const v = j.verdict;
          process.stdout.write(`${j.backend.padEnd(w)}  ${j.version.padEnd(10)}  ${v.kind === 'fail' ? `FAIL ${v.symptom} (${v.stage}): ${v.detail.split('\n')[0]}` : v.kind === 'skip' ? `skipped: ${v.reason}` : 'agrees with the reference'}\n`);
        }
        if (verdict.kind === 'harness-bug') process.stdout.write(`harness bug: ${verdict.reason}\n`);
        const what = meta.harnessBug ? 'the harness bug' : `the finding (${meta.culprit ?? '?'}: ${meta.symptom ?? '?'})`;
        process.stdout.write(still ? `${what} still reproduces\n` : `${what} no longer reproduces${verdict.kind === 'finding' ? ' (but another backend fails: see above)' : ''}\n`);
      }
      process.exitCode = still ? EXIT.findings : EXIT.ok;
    });
}
