/**
 * Classification: what the pair (baseline result, candidate result) means for an upgrade. Only the candidate
 * failing where the baseline passed blocks the gate; a case that cannot be compared is never counted as a pass.
 */
import type { GateCase, GateClass, GateReport, SideResult } from './types.js';

/** Exit codes of the gate (the CLI's shared codes, named for what they mean here). */
export const GATE_EXIT = { pass: 0, newFailure: 1, usage: 2, couldNotRun: 3 } as const;

export interface Classification {
  readonly class: GateClass;
  readonly reason?: string;
  readonly changed?: boolean;
}

function ruleIds(s: SideResult): string[] {
  return s.kind === 'fail' ? s.rules.map((r) => r.id).sort() : [];
}

/**
 * Classifies one case from its two results. `problem` is set when the case itself could not be loaded, which
 * outranks whatever the sides say.
 */
export function classify(baseline: SideResult, candidate: SideResult, problem?: string): Classification {
  if (problem !== undefined) return { class: 'could-not-run', reason: problem };
  if (baseline.kind === 'not-run' || candidate.kind === 'not-run') {
    const why = [baseline.kind === 'not-run' ? `baseline: ${baseline.reason}` : '', candidate.kind === 'not-run' ? `candidate: ${candidate.reason}` : ''].filter(Boolean);
    // the same reason on both sides (the reference failed) reads better once
    const reason = baseline.kind === 'not-run' && candidate.kind === 'not-run' && baseline.reason === candidate.reason ? baseline.reason : why.join('; ');
    return { class: 'could-not-run', reason };
  }
  if (baseline.kind === 'fail' && candidate.kind === 'fail') {
    const a = ruleIds(baseline);
    const b = ruleIds(candidate);
    const changed = a.length !== b.length || a.some((x, i) => x !== b[i]);
    return changed ? { class: 'still-failing', changed } : { class: 'still-failing' };
  }
  if (baseline.kind === 'fail') return { class: 'fixed' };
  if (candidate.kind === 'fail') return { class: 'new-failure' };
  return { class: 'passing' };
}

/** Cases per class, with expected new failures counted apart from the ones that block. */
export function countClasses(cases: readonly GateCase[]): Record<GateClass | 'expected', number> {
  const n: Record<GateClass | 'expected', number> = { 'new-failure': 0, expected: 0, 'still-failing': 0, fixed: 0, passing: 0, 'could-not-run': 0 };
  for (const c of cases) {
    if (c.class === 'new-failure' && c.expected !== undefined) n.expected++;
    else n[c.class]++;
  }
  return n;
}

/** A new failure no expectation accepts: the only thing that fails the gate. */
export function isBlocking(c: GateCase): boolean {
  return c.class === 'new-failure' && c.expected === undefined;
}

/**
 * 1 for an unexpected new failure (the most actionable answer, so it wins), else 3 when anything could not run,
 * else 0.
 */
export function gateExitCode(report: Pick<GateReport, 'cases' | 'problems'>): 0 | 1 | 3 {
  if (report.cases.some(isBlocking)) return GATE_EXIT.newFailure;
  if (report.problems.length > 0 || report.cases.some((c) => c.class === 'could-not-run')) return GATE_EXIT.couldNotRun;
  return GATE_EXIT.pass;
}

/** The one-line verdict printed last and stored in the JUnit and SARIF outputs. */
export function verdictLine(report: Pick<GateReport, 'cases' | 'problems' | 'baseline' | 'candidate'>): string {
  const n = countClasses(report.cases);
  const parts = [
    `${n['new-failure']} new failure${n['new-failure'] === 1 ? '' : 's'}`,
    ...(n.expected ? [`${n.expected} expected`] : []),
    `${n.fixed} fixed`,
    `${n['still-failing']} still failing`,
    `${n.passing} passing`,
    ...(n['could-not-run'] ? [`${n['could-not-run']} could not run`] : []),
  ].join(', ');
  const what = `${report.baseline.spec} (${report.baseline.version}) -> ${report.candidate.spec} (${report.candidate.version})`;
  switch (gateExitCode(report)) {
    case GATE_EXIT.newFailure: {
      const ids = report.cases.filter(isBlocking).map((c) => c.id);
      return `gate FAILED for ${what}: ${parts} (new: ${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', ...' : ''})`;
    }
    case GATE_EXIT.couldNotRun:
      return `gate COULD NOT RUN for ${what}: ${parts}${report.problems.length ? `; ${report.problems.join('; ')}` : ''}`;
    default:
      return `gate passed for ${what}: ${parts}`;
  }
}

/** Compares dotted release numbers numerically (`1.13` < `1.13.1` < `1.30.0`); missing parts count as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((x) => parseInt(x, 10) || 0);
  const pb = b.split('.').map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * A case whose status says "fixed in X" but that fails on a release at or after X: the status (or the claimed
 * fix) is wrong, which a reader of the corpus table should learn from the gate rather than from a user.
 */
export function statusContradiction(c: Pick<GateCase, 'status' | 'baseline' | 'candidate'>, versions: { readonly baseline: string; readonly candidate: string }): string | undefined {
  const m = /\bfixed\b[^;()]*?\bin (\d+(?:\.\d+){0,2})\b/i.exec(c.status ?? '');
  if (!m) return undefined;
  const fixedIn = m[1]!;
  const failing = (['baseline', 'candidate'] as const).filter((s) => c[s].kind === 'fail' && /^\d+(\.\d+)*$/.test(versions[s]) && compareVersions(versions[s], fixedIn) >= 0);
  if (failing.length === 0) return undefined;
  return `its status says fixed in ${fixedIn}, but it fails on ${failing.map((s) => `${versions[s]} (${s})`).join(' and ')}`;
}

/** Every case whose status contradicts its runs, with the warning to print. */
export function statusWarnings(r: Pick<GateReport, 'cases' | 'baseline' | 'candidate'>): { id: string; status?: string; warning: string }[] {
  const versions = { baseline: r.baseline.version, candidate: r.candidate.version };
  return r.cases.flatMap((c) => {
    const warning = statusContradiction(c, versions);
    return warning ? [{ id: c.id, ...(c.status !== undefined ? { status: c.status } : {}), warning }] : [];
  });
}
