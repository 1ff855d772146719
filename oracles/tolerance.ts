/**
 * Tolerances. Integer and bool tensors must match exactly. A float tensor's tolerance follows the *least* precise
 * float type on its path from the graph's inputs: a float64 output computed from float32 intermediates (a Cast at
 * the end) carries float32 rounding, so it gets float32's tolerance. tfjs uses 1e-3 for float32; numpy's
 * allclose rtol of 1e-5 is too tight for reassociated float32 sums.
 */
import { findOp } from '../generators/ops/index.js';
import type { DType, Graph } from '../src/ir/index.js';
import { isFloat } from '../src/ir/index.js';

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

export type Tolerances = Partial<Record<DType, Tolerance>>;

export function toleranceFor(dtype: DType, overrides: Tolerances = {}): Tolerance {
  return overrides[dtype] ?? DEFAULT_TOLERANCES[dtype];
}

/**
 * Tolerance of every tensor in the graph (inputs, intermediates, outputs), following the precision of the path
 * that computed it.
 */
export function pathTolerances(graph: Graph, overrides: Tolerances = {}): Map<string, Tolerance> {
  const dtypeOf = new Map<string, DType>();
  for (const v of [...graph.inputs, ...graph.initializers, ...graph.valueInfo, ...graph.outputs]) dtypeOf.set(v.name, v.dtype);
  // the least precise float type seen on the way to each tensor ('float32' wins over 'float64')
  const precision = new Map<string, DType | undefined>();
  for (const v of [...graph.inputs, ...graph.initializers]) precision.set(v.name, isFloat(v.dtype) ? v.dtype : undefined);
  for (const n of graph.nodes) {
    let p: DType | undefined = findOp(n.op)?.precision?.(n.attrs);
    for (const i of n.inputs) {
      const q = i === '' ? undefined : precision.get(i);
      if (q === 'float32' || (q === 'float64' && p === undefined)) p = q;
    }
    for (const o of n.outputs) {
      const d = dtypeOf.get(o);
      if (d === undefined) continue;
      const own = isFloat(d) ? d : undefined;
      precision.set(o, own === 'float32' || p === 'float32' ? 'float32' : (own ?? p));
    }
  }
  const out = new Map<string, Tolerance>();
  for (const [name, d] of dtypeOf) {
    out.set(name, isFloat(d) ? toleranceFor(precision.get(name) ?? d, overrides) : toleranceFor(d, overrides));
  }
  return out;
}
