/**
 * Compares one output tensor with its expected value: shape and dtype equality, NaN/Inf parity, and closeness
 * within the dtype's tolerance. The result carries the numbers a report shows (max abs/rel error, counts).
 */
import type { Tensor } from '../src/ir/index.js';
import { exactOf, formatType, sameShape } from '../src/ir/index.js';
import type { Tolerance } from './tolerance.js';

export type OutputVerdict = 'match' | 'mismatch' | 'shape' | 'dtype' | 'nan-inf';

export interface OutputComparison {
  readonly name: string;
  readonly verdict: OutputVerdict;
  readonly maxAbs: number;
  readonly maxRel: number;
  /** Elements outside tolerance (or with NaN/Inf disagreement). */
  readonly badElements: number;
  readonly firstBad?: {
    readonly index: number;
    readonly expected: number;
    readonly actual: number;
    /** int64 compared exactly: the two values in full (`expected` and `actual` are their nearest float64). */
    readonly exact?: { readonly expected: string; readonly actual: string };
  };
  readonly expectedNonFinite: number;
  readonly actualNonFinite: number;
  readonly detail?: string;
}

function nonFinite(t: Tensor): number {
  let n = 0;
  for (const v of t.data) if (!Number.isFinite(v)) n++;
  return n;
}

export function compareTensor(name: string, expected: Tensor, actual: Tensor, tol: Tolerance): OutputComparison {
  const base = { name, maxAbs: 0, maxRel: 0, badElements: 0, expectedNonFinite: nonFinite(expected), actualNonFinite: nonFinite(actual) };
  if (expected.dtype !== actual.dtype) {
    return { ...base, verdict: 'dtype', detail: `dtype ${actual.dtype}, expected ${expected.dtype}` };
  }
  if (!sameShape(expected.shape, actual.shape)) {
    return { ...base, verdict: 'shape', detail: `${formatType(actual)}, expected ${formatType(expected)}` };
  }
  // beyond 2^53 float64 cannot tell neighbouring int64 values apart: compare them as BigInt
  if (expected.dtype === 'int64' && (expected.exact || actual.exact)) return compareExact(base, expected, actual, tol);
  let maxAbs = 0;
  let maxRel = 0;
  let bad = 0;
  let nanInf = 0;
  let firstBad: OutputComparison['firstBad'];
  for (let i = 0; i < expected.data.length; i++) {
    const e = expected.data[i]!;
    const a = actual.data[i]!;
    if (Object.is(e, a) || e === a) continue;
    let ok: boolean;
    if (!Number.isFinite(e) || !Number.isFinite(a)) {
      // NaN must meet NaN and an infinity the same infinity
      ok = Number.isNaN(e) && Number.isNaN(a);
      if (!ok) nanInf++;
    } else {
      const abs = Math.abs(a - e);
      const rel = abs / Math.max(Math.abs(e), Number.MIN_VALUE);
      maxAbs = Math.max(maxAbs, abs);
      if (Math.abs(e) > tol.atol) maxRel = Math.max(maxRel, rel);
      ok = abs <= tol.atol + tol.rtol * Math.abs(e);
    }
    if (!ok) {
      bad++;
      firstBad ??= { index: i, expected: e, actual: a };
    }
  }
  const verdict: OutputVerdict = bad === 0 ? 'match' : nanInf > 0 ? 'nan-inf' : 'mismatch';
  return { ...base, verdict, maxAbs, maxRel, badElements: bad, ...(firstBad ? { firstBad } : {}) };
}

/** compareTensor for int64 tensors of which one holds values beyond 2^53: differences computed exactly. */
function compareExact(base: Omit<OutputComparison, 'verdict'>, expected: Tensor, actual: Tensor, tol: Tolerance): OutputComparison {
  const es = exactOf(expected);
  const as = exactOf(actual);
  let maxAbs = 0;
  let maxRel = 0;
  let bad = 0;
  let firstBad: OutputComparison['firstBad'];
  for (let i = 0; i < es.length; i++) {
    const e = es[i]!;
    const a = as[i]!;
    if (e === a) continue;
    const d = a > e ? a - e : e - a;
    const abs = Number(d);
    const ee = Math.abs(Number(e));
    maxAbs = Math.max(maxAbs, abs);
    if (ee > tol.atol) maxRel = Math.max(maxRel, abs / Math.max(ee, Number.MIN_VALUE));
    if (abs > tol.atol + tol.rtol * ee) {
      bad++;
      firstBad ??= { index: i, expected: Number(e), actual: Number(a), exact: { expected: e.toString(), actual: a.toString() } };
    }
  }
  return { ...base, verdict: bad === 0 ? 'match' : 'mismatch', maxAbs, maxRel, badElements: bad, ...(firstBad ? { firstBad } : {}) };
}
