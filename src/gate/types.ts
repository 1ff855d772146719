/**
 * The data a gate run produces: every case judged on the baseline and on the candidate, each on its own against
 * the float64 reference, and the class that comparison puts it in. The writers (text, JUnit, SARIF, JSON) all
 * read this one shape, so they cannot disagree about what happened.
 */
import type { Symptom } from '../../oracles/types.js';

/** Where a case lands when the two versions are compared. */
export type GateClass = 'new-failure' | 'still-failing' | 'fixed' | 'passing' | 'could-not-run';

/**
 * A bucket seen through the gate: the campaign's bucket key with the backend's version taken out, so the same bug
 * on the baseline and on the candidate (and on the next release) has the same id.
 */
export interface Rule {
  /** Stable id, e.g. `wrong-value/ConvTranspose/1f0c9a2e` (symptom, operator, hash of the key). */
  readonly id: string;
  /** Readable PascalCase name for SARIF viewers, e.g. `ConvTransposeWrongValue`. */
  readonly name: string;
  /** The version-free bucket key the id is derived from. */
  readonly key: string;
  /** Backend name without its version (`ort-node-cpu`). */
  readonly backend: string;
  readonly symptom: Symptom;
  readonly stage: 'load' | 'run';
  readonly op?: string;
  readonly dtype?: string;
}

/** One version's result for one case. */
export type SideResult =
  | { readonly kind: 'pass' }
  | { readonly kind: 'fail'; readonly symptom: Symptom; readonly stage: 'load' | 'run'; readonly detail: string; readonly rules: readonly Rule[] }
  /** Not comparable: the backend declined the graph, or the reference could not run it. */
  | { readonly kind: 'not-run'; readonly reason: string };

/** A backend as the gate ran it. */
export interface GateBackend {
  readonly spec: string;
  readonly version: string;
}

/** One case, judged on both versions and classified. */
export interface GateCase {
  /** Path of the case folder relative to its corpus (`ort-conv-same-overshoot`), or `fuzz/K` for a fresh case. */
  readonly id: string;
  readonly source: 'corpus' | 'fuzz';
  /** Absolute path of the case folder. */
  readonly dir: string;
  readonly title?: string;
  /** `status` from case.json ("open upstream", "fixed in 1.13.0" ...). */
  readonly status?: string;
  readonly baseline: SideResult;
  readonly candidate: SideResult;
  readonly class: GateClass;
  /** Why the case could not run. */
  readonly reason?: string;
  /** Still failing, but with different rules on the candidate than on the baseline. */
  readonly changed?: boolean;
  /** The expectation's reason, for a new failure the expectations file lists. */
  readonly expected?: string;
  readonly ms: number;
}

/** An expectation that matched no new failure. */
export interface StaleExpectation {
  readonly id: string;
  readonly reason: string;
  /** What the id names now, e.g. "passing", "still failing", "no such case or rule". */
  readonly now: string;
}

/** Everything a gate run found. */
export interface GateReport {
  readonly baseline: GateBackend;
  readonly candidate: GateBackend;
  /** Absolute corpus folder, when one was replayed. */
  readonly corpus?: string;
  readonly fuzz?: {
    readonly dir: string;
    readonly seed: number;
    /** Fresh cases compared on both versions. */
    readonly tested: number;
    /** Of those, cases where either version failed (each bucket's first case is in `cases`). */
    readonly failing: number;
    readonly harnessBugs: number;
    readonly ms: number;
  };
  readonly cases: readonly GateCase[];
  readonly stale: readonly StaleExpectation[];
  /** Reasons the gate as a whole could not do its job (they make it exit 3 like a case that could not run). */
  readonly problems: readonly string[];
  readonly startedAt: string;
  readonly ms: number;
}
