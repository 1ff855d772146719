import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_BACKENDS } from '../../backends/index.js';
import { DEFAULT_MAX_ELEMS, ModelError } from '../../onnx/index.js';
import { closeBackends, startBackends, unavailableReason } from '../../backends/start.js';
import { runCase, type RunResult } from '../../run/run-case.js';
import { prepareRun } from '../../run/prepare.js';
import { formatRunTable } from '../../run/text.js';
import { printable } from '../../util/printable.js';
import { checkBackendNames, EXIT, intFlag, listFlag, UsageError } from '../errors.js';

interface RunFlags {
  inputs?: string;
  backends?: string;
  seed: string;
  timeout: string;
  maxElems: string;
  json?: boolean;
}

/** Resolves MODEL.onnx or a case folder (model.onnx + inputs/). */
function locate(target: string, inputsFlag: string | undefined): { model: string; inputs?: string } {
  const p = resolve(target);
  if (!existsSync(p)) throw new UsageError(`${printable(target)}: no such file or folder`);
  if (statSync(p).isDirectory()) {
    const model = join(p, 'model.onnx');
    if (!existsSync(model)) throw new UsageError(`${printable(target)} is a folder without model.onnx`);
    const inputs = inputsFlag ?? (existsSync(join(p, 'inputs')) ? join(p, 'inputs') : undefined);
    return { model, ...(inputs ? { inputs } : {}) };
  }
  return { model: p, ...(inputsFlag ? { inputs: resolve(inputsFlag) } : {}) };
}

/** `onnxsmith run`: any ONNX model on the chosen backends, judged against the reference as a campaign judges a case. */
export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run an ONNX model (or a case folder) on backends and judge them against the reference as fuzz does; exit 1 on a finding, 3 on a harness bug')
    .argument('<model>', 'MODEL.onnx, or a case folder holding model.onnx and inputs/')
    .option('--inputs <DIR>', 'input tensors: NAME.pb or input_K.pb (ONNX TensorProto); default: seeded random values')
    .option('--backends <list>', `comma-separated backends (default: ${DEFAULT_BACKENDS.join(',')})`)
    .option('--seed <S>', 'seed for random inputs', '0')
    .option('--timeout <ms>', 'time limit per backend (load + run)', '30000')
    .option('--max-elems <N>', 'largest element count of any tensor, and of all tensors together', String(DEFAULT_MAX_ELEMS))
    .option('--json', 'print JSON')
    .action(async (target: string, flags: RunFlags) => {
      const timeoutMs = intFlag('--timeout', flags.timeout, 1);
      const seed = intFlag('--seed', flags.seed, -(2 ** 31), 2 ** 31 - 1);
      const where = locate(target, flags.inputs);
      const specs = flags.backends ? listFlag(flags.backends) : [...DEFAULT_BACKENDS];
      if (specs.length === 0) throw new UsageError('--backends is empty');
      await checkBackendNames(specs);
      const maxElems = intFlag('--max-elems', flags.maxElems, 1);
      const { graph, feeds, unknownOps } = prepareRun(where.model, { ...(where.inputs ? { inputs: where.inputs } : {}), seed, maxElems });
      const started = await startBackends(specs, timeoutMs);
      // a backend the user named that cannot run here is a setup problem, not a silent skip: nothing would be compared
      const down = flags.backends ? started.filter((s) => unavailableReason(s) !== undefined) : [];
      if (down.length > 0) {
        await closeBackends(started);
        throw new UsageError(`backend${down.length > 1 ? 's' : ''} not available here: ${down.map((d) => `${printable(d.backend.spec)} (${printable(unavailableReason(d)!)})`).join('; ')}`);
      }
      let res: RunResult;
      try {
        res = await runCase(started, where.model, graph, feeds, { unknownOps });
      } finally {
        await closeBackends(started);
      }
      const ran = res.reports.filter((r) => r.verdict !== 'unavailable' && r.verdict !== 'unsupported');
      if (unknownOps.length > 0 && ran.length > 0 && ran.every((r) => r.outcome.kind === 'load-error')) {
        throw new ModelError(`every backend rejected the model; it uses operator${unknownOps.length > 1 ? 's' : ''} ${unknownOps.join(', ')}, unknown to onnxsmith`);
      }
      // the reference fails on the model and so does every backend: the model is the problem, not onnxsmith
      if (res.status === 'harness-bug' && res.noReference !== undefined && !res.reports.some((r) => r.outcome.kind === 'ok')) {
        throw new ModelError(`the reference and every backend reject the model: ${printable(res.noReference.split('\n')[0] ?? '')}`);
      }
      if (ran.length === 0) {
        throw new UsageError(`none of the backends could run the model: ${res.reports.map((r) => `${printable(r.backend)} (${r.verdict})`).join(', ')}`);
      }
      if (flags.json) process.stdout.write(JSON.stringify({ model: where.model, ...res }, (_k, v: unknown) => (v instanceof Float64Array ? Array.from(v) : v instanceof BigInt64Array ? Array.from(v, String) : v), 2) + '\n');
      else process.stdout.write(formatRunTable(graph, res, unknownOps));
      // as in a campaign: an unstable or unsupported case is no finding; a harness bug is onnxsmith's own
      process.exitCode = res.status === 'finding' ? EXIT.findings : res.status === 'harness-bug' ? EXIT.harness : EXIT.ok;
    });
}
