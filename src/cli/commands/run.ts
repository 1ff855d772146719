import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { findOp } from '../../../generators/ops/index.js';
import { DEFAULT_BACKENDS } from '../../backends/index.js';
import type { Graph, Tensor } from '../../ir/index.js';
import { importModel, ModelError } from '../../onnx/index.js';
import { isFailure, runDifferential, startBackends, type DifferentialResult } from '../../run/differential.js';
import { randomInputs, readInputs } from '../../run/inputs.js';
import { checkBackendNames, EXIT, intFlag, listFlag, UsageError } from '../errors.js';

interface RunFlags {
  inputs?: string;
  backends?: string;
  seed: string;
  timeout: string;
  json?: boolean;
}

/** Resolves MODEL.onnx or a case folder (model.onnx + inputs/). */
function locate(target: string, inputsFlag: string | undefined): { model: string; inputs?: string } {
  const p = resolve(target);
  if (!existsSync(p)) throw new UsageError(`${target}: no such file or folder`);
  if (statSync(p).isDirectory()) {
    const model = join(p, 'model.onnx');
    if (!existsSync(model)) throw new UsageError(`${target} is a folder without model.onnx`);
    const inputs = inputsFlag ?? (existsSync(join(p, 'inputs')) ? join(p, 'inputs') : undefined);
    return { model, ...(inputs ? { inputs } : {}) };
  }
  return { model: p, ...(inputsFlag ? { inputs: resolve(inputsFlag) } : {}) };
}

function fmt(x: number): string {
  return x === 0 ? '0' : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? x.toPrecision(4) : x.toExponential(2);
}

function printTable(graph: Graph, res: DifferentialResult, unknownOps: readonly string[]): void {
  const out = process.stdout;
  if (unknownOps.length > 0) out.write(`note: the reference does not implement ${unknownOps.join(', ')}\n`);
  out.write(`baseline: ${res.baseline ?? 'none (no backend produced outputs)'}\n`);
  const w = Math.max(7, ...res.reports.map((r) => r.backend.length));
  for (const o of graph.outputs) {
    out.write(`\noutput ${o.name} (${o.dtype}[${o.shape.join(',')}])\n`);
    out.write(`  ${'backend'.padEnd(w)}  ${'max abs'.padStart(9)}  ${'max rel'.padStart(9)}  ${'bad'.padStart(5)}  NaN/Inf  verdict\n`);
    for (const r of res.reports) {
      const c = r.comparisons.find((x) => x.name === o.name);
      const ok = r.outcome.kind === 'ok' ? r.outcome.outputs[o.name] : undefined;
      const nonFinite = ok ? Array.from(ok.data).filter((v) => !Number.isFinite(v)).length : undefined;
      const verdict =
        r.verdict === 'agree' || r.verdict === 'disagree' ? (c?.verdict === 'match' ? 'agree' : `DISAGREE (${c?.verdict}${c?.detail ? `: ${c.detail}` : ''})`) : r.verdict;
      out.write(
        `  ${r.backend.padEnd(w)}  ${(c ? fmt(c.maxAbs) : '-').padStart(9)}  ${(c ? fmt(c.maxRel) : '-').padStart(9)}  ${(c ? String(c.badElements) : '-').padStart(5)}  ${(nonFinite === undefined ? '-' : String(nonFinite)).padStart(7)}  ${verdict}\n`,
      );
    }
  }
  const problems = res.reports.filter((r) => r.outcome.kind !== 'ok');
  if (problems.length > 0) out.write('\n');
  for (const r of problems) {
    const o = r.outcome;
    const why = 'message' in o ? o.message : 'reason' in o ? o.reason : 'reasons' in o ? o.reasons.join('; ') : o.kind === 'timeout' ? `no result within ${o.limitMs} ms (${o.stage})` : '';
    out.write(`${r.backend}: ${r.verdict}${'stage' in o ? ` at ${o.stage}` : ''}: ${why.split('\n')[0]}\n`);
  }
}

/** `onnxsmith run`: any ONNX model on the chosen backends, compared with the reference. */
export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run an ONNX model (or a case folder) on backends and compare them; exit 1 on any discrepancy, crash or rejection')
    .argument('<model>', 'MODEL.onnx, or a case folder holding model.onnx and inputs/')
    .option('--inputs <DIR>', 'input tensors: NAME.pb or input_K.pb (ONNX TensorProto); default: seeded random values')
    .option('--backends <list>', `comma-separated backends (default: ${DEFAULT_BACKENDS.join(',')})`)
    .option('--seed <S>', 'seed for random inputs', '0')
    .option('--timeout <ms>', 'time limit per backend (load + run)', '30000')
    .option('--json', 'print JSON')
    .action(async (target: string, flags: RunFlags) => {
      const timeoutMs = intFlag('--timeout', flags.timeout, 1);
      const seed = intFlag('--seed', flags.seed, -(2 ** 31), 2 ** 31 - 1);
      const where = locate(target, flags.inputs);
      const specs = flags.backends ? listFlag(flags.backends) : [...DEFAULT_BACKENDS];
      if (specs.length === 0) throw new UsageError('--backends is empty');
      await checkBackendNames(specs);
      const bytes = readFileSync(where.model);
      const { graph } = importModel(bytes);
      const unknownOps = [...new Set(graph.nodes.map((n) => n.op).filter((op) => !findOp(op)))];
      const feeds: Record<string, Tensor> = where.inputs ? readInputs(graph, where.inputs) : randomInputs(graph, seed);
      const started = await startBackends(specs, timeoutMs);
      let res: DifferentialResult;
      try {
        res = await runDifferential(started, where.model, graph, feeds, { timeoutMs });
      } finally {
        await Promise.all(started.map((s) => s.backend.close()));
      }
      const ran = res.reports.filter((r) => r.verdict !== 'unavailable' && r.verdict !== 'unsupported');
      if (unknownOps.length > 0 && ran.length > 0 && ran.every((r) => r.verdict === 'load-error')) {
        throw new ModelError(`every backend rejected the model; it uses operator${unknownOps.length > 1 ? 's' : ''} ${unknownOps.join(', ')}, unknown to onnxsmith`);
      }
      if (ran.length === 0) {
        throw new UsageError(`none of the backends could run the model: ${res.reports.map((r) => `${r.backend} (${r.verdict})`).join(', ')}`);
      }
      if (flags.json) process.stdout.write(JSON.stringify({ model: where.model, ...res }, (_k, v: unknown) => (v instanceof Float64Array ? Array.from(v) : v instanceof BigInt64Array ? Array.from(v, String) : v), 2) + '\n');
      else printTable(graph, res, unknownOps);
      process.exitCode = res.reports.some((r) => isFailure(r.verdict)) ? EXIT.findings : EXIT.ok;
    });
}
