/**
 * The backend contract as a plain script, for machines without vitest (the GPU machine):
 *   node dist/src/conformance/contract-check.js --backends ort-node-cuda,ort-node-webgpu [--per-op 4] [--graphs 10]
 * Prints one line per operator and a summary; exits 1 when an operator fails outside its exclusions.
 */
import { OPS } from '../../generators/ops/index.js';
import { exclusionsFor } from '../backends/exclusions.js';
import { createBackend } from '../backends/index.js';
import { checkExactOverOne, checkGeneratedGraphs, checkOperator } from './contract.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? dflt) : dflt;
}

async function main(): Promise<void> {
  const names = arg('--backends', 'ort-node-cpu').split(',');
  const perOp = Number(arg('--per-op', '4'));
  const graphs = Number(arg('--graphs', '10'));
  let bad = 0;
  for (const name of names) {
    const b = await createBackend(name);
    const a = await b.available();
    process.stdout.write(`== ${name} ${b.version()}: ${a.ok ? 'available' : `unavailable: ${a.reason}`}\n`);
    if (!a.ok) continue;
    const excluded = new Map(exclusionsFor(name, b.version()).map((e) => [e.op, e.reason]));
    let pass = 0;
    const t0 = performance.now();
    for (const spec of OPS) {
      const { failures, compared } = await checkOperator(b, spec, perOp);
      const reason = excluded.get(spec.onnx);
      const ok = reason ? failures.length > 0 : failures.length === 0;
      if (ok) pass++;
      else bad++;
      if (!ok || failures.length > 0) {
        process.stdout.write(`${ok ? 'excluded' : 'FAIL'} ${spec.onnx} (${compared} compared)${reason ? ` [${reason}]` : ''}: ${failures[0] ?? 'passes: remove the exclusion'}\n`);
      }
    }
    const exact = await checkExactOverOne(b);
    if (exact.length > 0) bad++;
    for (const f of exact) process.stdout.write(`FAIL exact over one element (the stability check assumes it): ${f}\n`);
    const g = await checkGeneratedGraphs(b, graphs, [...excluded.keys()]);
    if (g.failures.length > 0) bad++;
    for (const f of g.failures) process.stdout.write(`FAIL ${f}\n`);
    process.stdout.write(`${name}: ${pass}/${OPS.length} operators as expected; generated graphs ${g.compared - g.failures.length}/${g.compared} (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
  }
  process.exitCode = bad > 0 ? 1 : 0;
}

void main();
