/** The text report of `run`: one table per output, then one line per backend that produced no outputs. */
import type { Graph } from '../ir/index.js';
import { printable } from '../util/printable.js';
import type { DifferentialResult } from './differential.js';

function fmt(x: number): string {
  return x === 0 ? '0' : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? x.toPrecision(4) : x.toExponential(2);
}

/** Names and messages come from the model and the backends, so every one is escaped (util/printable.ts). */
export function formatRunTable(graph: Graph, res: DifferentialResult, unknownOps: readonly string[]): string {
  const lines: string[] = [];
  if (unknownOps.length > 0) lines.push(`note: the reference does not implement ${unknownOps.map(printable).join(', ')}`);
  lines.push(`baseline: ${res.baseline !== undefined ? printable(res.baseline) : 'none (no backend produced outputs)'}`);
  const backends = res.reports.map((r) => printable(r.backend));
  const w = Math.max(7, ...backends.map((b) => b.length));
  for (const o of graph.outputs) {
    lines.push('', `output ${printable(o.name)} (${o.dtype}[${o.shape.join(',')}])`);
    lines.push(`  ${'backend'.padEnd(w)}  ${'max abs'.padStart(9)}  ${'max rel'.padStart(9)}  ${'bad'.padStart(5)}  NaN/Inf  verdict`);
    res.reports.forEach((r, k) => {
      const c = r.comparisons.find((x) => x.name === o.name);
      const ok = r.outcome.kind === 'ok' ? r.outcome.outputs[o.name] : undefined;
      const nonFinite = ok ? Array.from(ok.data).filter((v) => !Number.isFinite(v)).length : undefined;
      const verdict =
        r.verdict === 'agree' || r.verdict === 'disagree' ? (c?.verdict === 'match' ? 'agree' : `DISAGREE (${c?.verdict}${c?.detail ? `: ${printable(c.detail)}` : ''})`) : r.verdict;
      lines.push(
        `  ${backends[k]!.padEnd(w)}  ${(c ? fmt(c.maxAbs) : '-').padStart(9)}  ${(c ? fmt(c.maxRel) : '-').padStart(9)}  ${(c ? String(c.badElements) : '-').padStart(5)}  ${(nonFinite === undefined ? '-' : String(nonFinite)).padStart(7)}  ${verdict}`,
      );
    });
  }
  const problems = res.reports.filter((r) => r.outcome.kind !== 'ok');
  if (problems.length > 0) lines.push('');
  for (const r of problems) {
    const o = r.outcome;
    const why = 'message' in o ? o.message : 'reason' in o ? o.reason : 'reasons' in o ? o.reasons.join('; ') : o.kind === 'timeout' ? `no result within ${o.limitMs} ms (${o.stage})` : '';
    lines.push(`${printable(r.backend)}: ${r.verdict}${'stage' in o ? ` at ${o.stage}` : ''}: ${printable(String(why).split('\n')[0] ?? '')}`);
  }
  return lines.join('\n') + '\n';
}
