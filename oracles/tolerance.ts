/**
 * Tolerances by element type. Integer and bool outputs must match exactly; floats follow their precision
 * (tfjs uses 1e-3 for float32, numpy's allclose rtol 1e-5 is too tight for reassociated float32 sums).
 */
import type { DType } from '../src/ir/index.js';

export interface Tolerance {
  readonly rtol: number;
  readonly atol: number;
}

export const DEFAULT_TOLERANCES: Readonly<Record<DType, Tolerance>> = {
  float32: { rtol: 1e-3, atol: 1e-4 },
  float64: { rtol: 1e-7, atol: 1e-9 },
  int32: { rtol: 0, atol: 0 },
  int64: { rtol: 0, atol: 0 },
  bool: { rtol: 0, atol: 0 },
};

export function toleranceFor(dtype: DType, overrides: Partial<Record<DType, Tolerance>> = {}): Tolerance {
  return overrides[dtype] ?? DEFAULT_TOLERANCES[dtype];
}
