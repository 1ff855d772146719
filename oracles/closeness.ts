/**
 * Compares one output tensor with its expected value: shape and dtype equality, NaN/Inf parity, and closeness
 * within the dtype's tolerance. The result carries the numbers a report shows (max abs/rel error, counts).
 */
import type { Tensor } from '../src/ir/index.js';
import { formatType, sameShape } from '../src/ir/index.js';
import type { Tolerance } from './tolerance.js';

export type OutputVerdict = 'match' | 'mismatch' | 'shape' | 'dtype' | 'nan-inf';

export interface OutputComparison {
  readonly name: string;
  readonly verdict: OutputVerdict;
  readonly maxAbs: number;
  readonly maxRel: number;
  /** Elements outside tolerance (or with NaN/Inf disagreement). */
  readonly badElements: number;
  readonly firstBad?: { readonly index: number; readonly expected: number; readonly actual: number };
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
