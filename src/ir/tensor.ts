import type { DType, TensorType } from './types.js';
import { numel } from './types.js';

/**
 * A concrete tensor as the reference interpreter holds it: every element type is stored as float64
 * (bool as 0/1, integers exactly up to 2^53), so kernels are written once.
 */
export interface Tensor extends TensorType {
  readonly data: Float64Array;
}

export function tensor(dtype: DType, shape: readonly number[], data: ArrayLike<number> | Float64Array): Tensor {
  const n = numel(shape);
  if (data.length !== n) {
    throw new Error(`tensor: ${data.length} values given for shape [${shape.join(',')}] (${n} elements)`);
  }
  return { dtype, shape: [...shape], data: data instanceof Float64Array ? data : Float64Array.from(data) };
}

export function zeros(dtype: DType, shape: readonly number[]): Tensor {
  return { dtype, shape: [...shape], data: new Float64Array(numel(shape)) };
}

export function scalarOf(t: Tensor): number {
  const v = t.data[0];
  if (v === undefined) throw new Error('scalarOf: empty tensor');
  return v;
}

/** Row-major strides. */
export function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** Normalises a possibly negative axis against a rank; throws on out of range. */
export function normAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new Error(`axis ${axis} out of range for rank ${rank}`);
  return a;
}

/** Multidirectional (numpy) broadcast of shapes; undefined when incompatible. */
export function broadcastShapes(...shapes: (readonly number[])[]): number[] | undefined {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i]!;
      const cur = out[o]!;
      if (cur === 1) out[o] = d;
      else if (d !== 1 && d !== cur) return undefined;
    }
  }
  return out;
}

/**
 * For each output element of a broadcast, the flat index into `inShape`'s data.
 * Precomputed once per kernel call so the elementwise loops stay simple.
 */
export function broadcastIndex(inShape: readonly number[], outShape: readonly number[]): Int32Array {
  const n = numel(outShape);
  const idx = new Int32Array(n);
  const rank = outShape.length;
  const inStrides = strides(inShape);
  // effective stride per output axis (0 where the input is broadcast)
  const eff = new Array<number>(rank).fill(0);
  for (let i = 0; i < inShape.length; i++) {
    const o = rank - inShape.length + i;
    eff[o] = inShape[i] === 1 ? 0 : inStrides[i]!;
  }
  const counter = new Array<number>(rank).fill(0);
  let flat = 0;
  for (let k = 0; k < n; k++) {
    idx[k] = flat;
    for (let ax = rank - 1; ax >= 0; ax--) {
      counter[ax]!++;
      flat += eff[ax]!;
      if (counter[ax]! < outShape[ax]!) break;
      flat -= eff[ax]! * counter[ax]!;
      counter[ax] = 0;
    }
  }
  return idx;
}

/** Converts a real value into what `dtype` can hold (ONNX Cast semantics; float→int truncates toward zero). */
export function castValue(v: number, dtype: DType): number {
  switch (dtype) {
    case 'float64':
      return v;
    case 'float32':
      return Math.fround(v);
    case 'int32':
      return Number.isNaN(v) ? 0 : Number.isFinite(v) ? Math.trunc(v) | 0 : v > 0 ? 2147483647 : -2147483648;
    case 'int64':
      return Number.isNaN(v) ? 0 : Number.isFinite(v) ? Math.trunc(v) : v > 0 ? 9223372036854775807 : -9223372036854775808;
    case 'bool':
      return v !== 0 ? 1 : 0;
  }
}

/** Wraps an integer arithmetic result as the dtype would (int32 two's complement); floats untouched. */
export function wrapInt(v: number, dtype: DType): number {
  if (dtype === 'int32') return v | 0;
  if (dtype === 'int64') return Math.trunc(v);
  return v;
}
