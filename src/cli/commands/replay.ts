import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { BackendResult } from '../../../oracles/attribution.js';
import type { Symptom } from '../../../oracles/types.js';
import { keySymptom } from '../../campaign/bucket.js';
import type { Graph } from '../../ir/index.js';
import { loaderHit, mutantRefusal } from '../../campaign/mutate-models.js';
import { importModel, ModelError, readModelFile } from '../../onnx/index.js';
import { backendJudgements, judgeCase, type JudgedCase } from '../../triage/judge-case.js';
import { checkCaseBackends } from '../../backends/index.js';
import { caseBackends } from '../../triage/reduce-case.js';
import { closeBackends, startBackends, unavailableReason } from '../../backends/start.js';
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

/**
 * Whether the judged case shows the finding it was saved for: its culprit still fails with the saved symptom (or the
 * harness bug is still one). A divergence the reference's own kernel reproduces (unstable) does not count.
 */
export function reproduces(meta: CaseMeta, c: JudgedCase): boolean {
  if (meta.harnessBug) return c.status === 'harness-bug';
  const v = c.evaluation.verdict;
  if (c.status !== 'finding' || v.kind !== 'finding' || !meta.culprit || c.evaluation.unstable.includes(meta.culprit)) return false;
  // the bucket's symptom (NaN/Inf filed as a wrong value, a run error filed at the node whose shape caused it) or
  // what the oracle saw when the case was saved
  const saved = [meta.symptom, meta.observed].filter((x): x is string => typeof x === 'string').map((x) => keySymptom(x as Symptom));
  return v.culprits.some((j) => j.backend === meta.culprit && j.verdict.kind === 'fail' && (saved.length === 0 || saved.includes(keySymptom(j.verdict.symptom))));
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
      started.map(async (s) => {
        const why = unavailableReason(s);
        if (why !== undefined || 'error' in s.info) throw new UsageError(`backend ${s.backend.spec} cannot run here: ${why ?? ''}`);
        return { backend: s.backend.spec, version: s.info.version, outcome: await s.backend.run(modelPath, undefined, feeds, original.outputs.map((o) => o.name)) };
      }),
    );
  } finally {
    await closeBackends(started);
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
      const started = await startBackends(specs, timeoutMs);
      const work = mkdtempSync(join(tmpdir(), 'onnxsmith-replay-'));
      let judged: JudgedCase;
      try {
        const down = started.filter((s) => unavailableReason(s) !== undefined);
        if (down.length > 0) throw new UsageError(down.map((d) => `backend ${d.backend.spec} cannot run here: ${unavailableReason(d)}`).join('; '));
        const versions = Object.fromEntries(started.map((s) => [s.backend.spec, 'error' in s.info ? '?' : s.info.version]));
        // judged as the campaign judged it: the same evaluation, attribution, localisation and stability check
        judged = await judgeCase(started.map((s) => s.backend), modelPath, graph, feeds, { workDir: work, versions, tolerances: meta.tolerances ?? {} });
      } finally {
        await closeBackends(started);
        rmSync(work, { recursive: true, force: true });
      }
      const verdict = judged.evaluation.verdict;
      const still = reproduces(meta, judged);
      const each = backendJudgements(judged);
      if (flags.json) {
        const judgedJson = each.map((j) => ({ backend: j.backend, version: j.version, verdict: j.verdict, word: j.word, ...(j.hit ? { bucketKey: j.hit.key } : {}) }));
        process.stdout.write(JSON.stringify({ case: dir, reproduces: still, verdict: verdict.kind, status: judged.status, ...(judged.harness ? { harnessKey: judged.harness.key } : {}), judged: judgedJson }, null, 2) + '\n');
      } else {
        const w = Math.max(...specs.map((s) => s.length));
        for (const j of each) {
          const v = j.verdict;
          const what = j.word === 'unstable' ? 'unstable: it leaves the reference where the reference\'s own kernel, on its inputs, agrees with it' : v.kind === 'fail' ? `FAIL ${v.symptom} (${v.stage}): ${v.detail.split('\n')[0]}` : v.kind === 'skip' ? `skipped: ${v.reason}` : 'agrees with the reference';
          process.stdout.write(`${printable(j.backend.padEnd(w))}  ${j.version.padEnd(10)}  ${printable(what)}${j.hit ? `\n${' '.repeat(w + 14)}bucket: ${printable(j.hit.key)}` : ''}\n`);
        }
        if (verdict.kind === 'harness-bug') process.stdout.write(`harness bug: ${verdict.reason}\n`);
        const what = meta.harnessBug ? 'the harness bug' : `the finding (${meta.culprit ?? '?'}: ${meta.symptom ?? '?'})`;
        const other = judged.status === 'finding' ? ' (but another backend fails: see above)' : judged.status === 'unstable' ? ' (the divergence left is unstable, not a finding)' : '';
        process.stdout.write(still ? `${what} still reproduces\n` : `${what} no longer reproduces${other}\n`);
      }
      process.exitCode = still ? EXIT.findings : EXIT.ok;
    });
}
