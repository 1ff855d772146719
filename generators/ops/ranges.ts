/**
 * Interval arithmetic for operators' `range` declarations. Bounds must contain every value the reference can
 * produce (the generator drops graphs whose domains no value within them satisfies); loose is fine, tight helps
 * the generator and the input search's sampling hints.
 */
import type { Attrs } from '../../src/ir/index.js';
import type { Interval, OpSpec } from './spec.js';
import { defineOp, UNBOUNDED } from './spec.js';

/** Integer results wrap past this magnitude; bounds beyond it say nothing. */
const WRAP = 2 ** 31;

/** An interval from computed ends: NaN ends (infinity times zero, infinity minus infinity) give no bound. */
export function bounded(lo: number, hi: number): Interval {
  if (Number.isNaN(lo) || Number.isNaN(hi) || lo > hi) return UNBOUNDED;
  // integer operators wrap around; a float interval this wide bounds nothing useful either
  if (Number.isFinite(lo) && Number.isFinite(hi) && (lo <= -WRAP || hi >= WRAP)) return UNBOUNDED;
  return [lo, hi];
}

export function addRange(a: Interval, b: Interval): Interval {
  return bounded(a[0] + b[0], a[1] + b[1]);
}

export function subRange(a: Interval, b: Interval): Interval {
  return bounded(a[0] - b[1], a[1] - b[0]);
}

export function mulRange(a: Interval, b: Interval): Interval {
  const c = [a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1]];
  if (c.some(Number.isNaN)) return UNBOUNDED;
  return bounded(Math.min(...c), Math.max(...c));
}

/** The convex hull of intervals (a value taken from any one of them). */
export function hull(...xs: readonly Interval[]): Interval {
  if (xs.length === 0) return UNBOUNDED;
  return bounded(Math.min(...xs.map((x) => x[0])), Math.max(...xs.map((x) => x[1])));
}

/**
 * Sum or product of any positive number of elements drawn from `r`, by sign alone: non-negative elements add up to
 * at least the smallest of them, non-positive ones to at most the largest.
 */
export function sumRange(r: Interval): Interval {
  if (r[0] === 0 && r[1] === 0) return [0, 0];
  if (r[0] >= 0) return [r[0], Infinity];
  if (r[1] <= 0) return [-Infinity, r[1]];
  return UNBOUNDED;
}

export function prodRange(r: Interval): Interval {
  const m = Math.max(Math.abs(r[0]), Math.abs(r[1]));
  if (r[0] >= 0) return [r[0] >= 1 ? r[0] : 0, m <= 1 ? m : Infinity];
  return m <= 1 ? [-m, m] : UNBOUNDED;
}

/** The spec with a `range` declaration added (for operators built by shared constructors). */
export function withRange(spec: OpSpec, range: (inputs: readonly Interval[], attrs: Attrs) => Interval[]): OpSpec {
  return defineOp({ ...spec, range });
}
