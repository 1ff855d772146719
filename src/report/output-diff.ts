/**
 * Expected-versus-actual numbers for one output of a saved case: the reference's tensor and the culprit's, read
 * back from the case folder and compared with the oracle's own closeness check, so the report marks exactly the
 * elements the verdict counted as wrong.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareTensor } from '../../oracles/closeness.js';
import type { Tolerance } from '../../oracles/tolerance.js';
import { tensorFileName } from '../backends/command.js';
import { backendSlug } from '../campaign/case.js';
import { formatType, type Tensor } from '../ir/index.js';
import { decodeTensor } from '../onnx/index.js';

/** One element shown side by side. */
export interface ElementDiff {
  readonly index: number;
  readonly expected: number;
  readonly actual: number;
  /** Outside tolerance (or a NaN/Inf disagreement). */
  readonly bad: boolean;
}

export interface OutputDiff {
  readonly name: string;
  readonly expectedType: string;
  readonly actualType: string;
  /** 'match', 'mismatch', 'shape', 'dtype' or 'nan-inf' (the oracle's words). */
  readonly verdict: string;
  readonly maxAbs: number;
  readonly maxRel: number;
  readonly badElements: number;
  readonly elements: number;
  readonly samples: readonly ElementDiff[];
}

/** How many elements a report row shows: enough to see the pattern, few enough to read. */
const SAMPLES = 8;

function isBad(e: number, a: number, tol: Tolerance): boolean {
  if (Number.isNaN(e) || Number.isNaN(a)) return Number.isNaN(e) !== Number.isNaN(a);
  if (!Number.isFinite(e) || !Number.isFinite(a)) return e !== a;
  return Math.abs(a - e) > tol.atol + tol.rtol * Math.abs(e);
}

function readTensor(file: string): Tensor | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return decodeTensor(readFileSync(file), file).tensor;
  } catch {
    // a torn or foreign file: the report says the values are missing rather than failing as a whole
    return undefined;
  }
}

/** Element indices to show: a window starting just before the first bad element, plus the worst one. */
function sampleIndices(expected: Tensor, actual: Tensor, tol: Tolerance): number[] {
  const n = Math.min(expected.data.length, actual.data.length);
  let first = -1;
  let worst = -1;
  let worstErr = -1;
  for (let i = 0; i < n; i++) {
    const e = expected.data[i]!;
    const a = actual.data[i]!;
    if (!isBad(e, a, tol)) continue;
    if (first < 0) first = i;
    const err = Number.isFinite(a - e) ? Math.abs(a - e) : Infinity;
    if (err > worstErr) [worst, worstErr] = [i, err];
  }
  const start = Math.max(0, Math.min(first < 0 ? 0 : first - 1, n - SAMPLES));
  const idx = Array.from({ length: Math.min(SAMPLES, n) }, (_, i) => start + i);
  if (worst >= 0 && !idx.includes(worst)) idx.push(worst);
  return idx;
}

/**
 * Compares the outputs `backend` saved in case folder `dir` with the reference's. Outputs the backend did not
 * write (it crashed or rejected the model) are left out; the verdict's detail tells that story.
 */
export function outputDiffs(dir: string, backend: string, outputs: readonly string[], tolOf: (name: string, t: Tensor) => Tolerance): OutputDiff[] {
  const out: OutputDiff[] = [];
  for (const name of outputs) {
    const expected = readTensor(join(dir, 'outputs', 'reference', tensorFileName(name)));
    const actual = readTensor(join(dir, 'outputs', backendSlug(backend), tensorFileName(name)));
    if (!expected || !actual) continue;
    const tol = tolOf(name, expected);
    const c = compareTensor(name, expected, actual, tol);
    const comparable = c.verdict !== 'shape' && c.verdict !== 'dtype';
    out.push({
      name,
      expectedType: formatType(expected),
      actualType: formatType(actual),
      verdict: c.verdict,
      maxAbs: c.maxAbs,
      maxRel: c.maxRel,
      badElements: c.badElements,
      elements: expected.data.length,
      samples: comparable ? sampleIndices(expected, actual, tol).map((i) => ({ index: i, expected: expected.data[i]!, actual: actual.data[i]!, bad: isBad(expected.data[i]!, actual.data[i]!, tol) })) : [],
    });
  }
  return out;
}
