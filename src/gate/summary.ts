/** The gate's text output: a table of every case, the details that need a reader, and the verdict. */
import { isAbsolute, relative } from 'node:path';
import { gateExitCode, isBlocking, statusWarnings, verdictLine } from './classify.js';
import { describeRule } from './rules.js';
import type { GateCase, GateReport, SideResult } from './types.js';

function side(s: SideResult): string {
  if (s.kind === 'pass') return 'pass';
  if (s.kind === 'fail') return `FAIL ${s.symptom}`;
  return 'not run';
}

/** The class as the table shows it: what blocks is in capitals. */
export function classLabel(c: GateCase): string {
  switch (c.class) {
    case 'new-failure':
      return c.expected !== undefined ? 'new failure (expected)' : 'NEW FAILURE';
    case 'still-failing':
      return c.changed ? 'still failing (changed)' : 'still failing';
    case 'could-not-run':
      return 'COULD NOT RUN';
    default:
      return c.class;
  }
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}

function firstLine(s: string, max = 160): string {
  const l = s.split('\n')[0]!;
  return l.length > max ? `${l.slice(0, max - 3)}...` : l;
}

function shortPath(p: string, cwd: string): string {
  const rel = relative(cwd, p);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? p : rel;
}

/** The whole text summary, ending with the verdict line. `cwd` makes printed paths short. */
export function formatSummary(r: GateReport, cwd = process.cwd()): string {
  const out: string[] = [];
  out.push(`baseline  ${r.baseline.spec} (${r.baseline.version})`);
  out.push(`candidate ${r.candidate.spec} (${r.candidate.version})`);
  if (r.corpus) out.push(`corpus    ${shortPath(r.corpus, cwd)}`);
  if (r.fuzz) {
    const f = r.fuzz;
    out.push(`fuzz      ${f.tested} fresh cases in ${(f.ms / 1000).toFixed(0)} s (seed ${f.seed}): ${f.tested - f.failing} agree with the reference on both versions, ${f.failing} fail on one or both (listed once per bucket); campaign folder ${shortPath(f.dir, cwd)}`);
  }
  out.push('');
  if (r.cases.length > 0) {
    const rows = [['case', 'baseline', 'candidate', 'class', 'status'], ...r.cases.map((c) => [c.id, side(c.baseline), side(c.candidate), classLabel(c), c.status ?? ''])];
    out.push(table(rows), '');
  }
  for (const c of r.cases) {
    if (c.class === 'new-failure' && c.candidate.kind === 'fail') {
      const rules = c.candidate.rules.map((x) => `${x.id} (${describeRule(x)})`).join(', ');
      out.push(`${isBlocking(c) ? 'new failure' : 'expected new failure'} ${c.id}: ${firstLine(c.candidate.detail)}`);
      if (rules) out.push(`  rule ${rules}`);
      if (c.expected !== undefined) out.push(`  expected: ${c.expected}`);
      if (c.source === 'fuzz') out.push(`  saved in ${c.dir} (copy it into the corpus to keep it)`);
    } else if (c.class === 'could-not-run') {
      out.push(`could not run ${c.id}: ${c.reason ?? ''}`);
    }
  }
  for (const w of statusWarnings(r)) out.push(`status out of date ${w.id}: ${w.warning}`);
  for (const s of r.stale) out.push(`stale expectation ${s.id}: no new failure matches it (${s.now}); reason given: ${s.reason}`);
  for (const p of r.problems) out.push(`problem: ${p}`);
  if (r.fuzz && r.fuzz.harnessBugs > 0) out.push(`note: the fuzz campaign hit ${r.fuzz.harnessBugs} harness bug(s); see ${r.fuzz.dir}`);
  if (out[out.length - 1] !== '') out.push('');
  out.push(verdictLine(r));
  return out.join('\n') + '\n';
}

/** The report as JSON (`--json`), with each case's class and the exit code. */
export function reportJson(r: GateReport): Record<string, unknown> {
  return { ...r, statusWarnings: statusWarnings(r), exitCode: gateExitCode(r), verdict: verdictLine(r) };
}
