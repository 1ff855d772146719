/**
 * The text report of `run`: one table of numbers per output, then one verdict line per backend (for a culprit, its
 * bucket key and the first node where it leaves the reference), then what the case comes to.
 */
import type { Graph } from '../ir/index.js';
import { printable } from '../util/printable.js';
import type { BackendReport, RunResult } from './run-case.js';

function fmt(x: number): string {
  return x === 0 ? '0' : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? x.toPrecision(4) : x.toExponential(2);
}

/** The table's last column: how this output compares, in the backend's own terms. */
function cell(r: BackendReport, name: string): string {
  if (r.verdict === 'baseline') return 'baseline';
  const c = r.comparisons.find((x) => x.name === name);
  if (!c) return r.verdict;
  if (c.verdict === 'match') return 'agree';
  if (c.ties) return 'agree (ties)';
  const what = `${c.verdict}${c.detail ? `: ${printable(c.detail)}` : ''}`;
  return r.verdict === 'disagree' ? `DISAGREE (${what})` : `${r.verdict} (${what})`;
}

function firstLine(s: string): string {
  return printable(s.split('\n')[0] ?? '');
}

/** Why a backend did not produce outputs, from its outcome. */
function outcomeText(r: BackendReport): string {
  const o = r.outcome;
  const why = 'message' in o ? o.message : 'reason' in o ? o.reason : 'reasons' in o ? o.reasons.join('; ') : o.kind === 'timeout' ? `no result within ${o.limitMs} ms (${o.stage})` : '';
  return `${'stage' in o ? ` at ${o.stage}` : ''}: ${firstLine(String(why))}`;
}

function verdictLines(r: BackendReport): string[] {
  const tail = r.symptom ? `: ${r.symptom} (${r.stage ?? 'run'}): ${firstLine(r.detail ?? '')}` : r.outcome.kind !== 'ok' ? outcomeText(r) : '';
  const lines = [`${printable(r.backend)}: ${r.verdict}${tail}`];
  const d = r.divergence;
  if (d) lines.push(`    first divergent node: ${printable(d.op)} '${printable(d.node)}' (${d.dtype}${d.kind ? `, its ${d.kind} left the reference` : ', where it fails'})`);
  if (r.bucketKey) lines.push(`    bucket: ${printable(r.bucketKey)}`);
  return lines;
}

function statusLine(res: RunResult): string {
  const culprits = res.reports.filter((r) => r.bucketKey !== undefined || (res.baseline !== 'reference' && r.backend !== 'reference' && !['baseline', 'agree', 'unsupported', 'unavailable'].includes(r.verdict)));
  switch (res.status) {
    case 'finding':
      return `finding: ${culprits.map((r) => printable(r.backend)).join(', ')}`;
    case 'harness-bug':
      return `HARNESS BUG (onnxsmith is wrong, not a backend): ${firstLine(res.detail ?? '')}${res.harnessKey ? ` [${printable(res.harnessKey)}]` : ''}`;
    case 'unstable':
      return `unstable, not a finding: ${firstLine(res.detail ?? '')}`;
    case 'unsupported':
      return 'no backend but the reference could run the model: nothing was tested';
    case 'pass':
      return 'pass: every backend that ran agrees';
  }
}

/** Names and messages come from the model and the backends, so every one is escaped (util/printable.ts). */
export function formatRunTable(graph: Graph, res: RunResult, unknownOps: readonly string[]): string {
  const lines: string[] = [];
  if (unknownOps.length > 0) lines.push(`note: the reference does not implement ${unknownOps.map(printable).join(', ')}`);
  const judge = res.baseline !== undefined ? printable(res.baseline) : 'none (no backend produced outputs)';
  lines.push(`baseline: ${judge}${res.noReference ? ` (the reference did not judge: ${firstLine(res.noReference)})` : ''}`);
  const backends = res.reports.map((r) => printable(r.backend));
  const w = Math.max(7, ...backends.map((b) => b.length));
  for (const o of graph.outputs) {
    lines.push('', `output ${printable(o.name)} (${o.dtype}[${o.shape.join(',')}])`);
    lines.push(`  ${'backend'.padEnd(w)}  ${'max abs'.padStart(9)}  ${'max rel'.padStart(9)}  ${'bad'.padStart(5)}  NaN/Inf  verdict`);
    res.reports.forEach((r, k) => {
      const c = r.comparisons.find((x) => x.name === o.name);
      const ok = r.outcome.kind === 'ok' ? r.outcome.outputs[o.name] : undefined;
      const nonFinite = ok ? Array.from(ok.data).filter((v) => !Number.isFinite(v)).length : undefined;
      lines.push(
        `  ${backends[k]!.padEnd(w)}  ${(c ? fmt(c.maxAbs) : '-').padStart(9)}  ${(c ? fmt(c.maxRel) : '-').padStart(9)}  ${(c ? String(c.badElements) : '-').padStart(5)}  ${(nonFinite === undefined ? '-' : String(nonFinite)).padStart(7)}  ${cell(r, o.name)}`,
      );
    });
  }
  lines.push('');
  for (const r of res.reports) lines.push(...verdictLines(r));
  lines.push('', statusLine(res));
  return lines.join('\n') + '\n';
}
