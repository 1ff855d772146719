import type { DType, TensorType } from './types.js';
import { numel } from './types.js';

/**
 * A concrete tensor as the reference interpreter holds it: every element type is stored as float64
 * (bool as 0/1, integers exactly up to 2^53), so kernels are written once.
 */
export interface Tensor extends TensorType {
  readonly data: Float64Array;
  /**
   * int64 only, and only when some element is an integer float64 cannot hold (beyond ±2^53): every element's exact
   * value, `data` holding the nearest float64 of each. An element whose `data` is not Number(exact) (a kernel wrote
   * data and spread the rest) is taken from `data` (exactValues).
   */
  readonly exact?: BigInt64Array;
}

/** Magnitude from which float64 no longer holds every integer (2^53 + 1 is the first it cannot). */
export const EXACT_LIMIT = 2 ** 53;
const BIG_LIMIT = 2n ** 53n;

/** Whether float64 holds the integer `b` exactly. */
export function fitsFloat(b: bigint): boolean {
  return (b <= BIG_LIMIT && b >= -BIG_LIMIT) || BigInt(Number(b)) === b;
}

/** Whether `values` holds an integer float64 cannot (so a tensor of them needs its exact companion). */
export function needsExact(values: ArrayLike<bigint>): boolean {
  for (let i = 0; i < values.length; i++) if (!fitsFloat(values[i]!)) return true;
  return false;
}

/** An int64 tensor of exact values: float64 data, plus the exact companion only when some value needs it. */
export function int64Tensor(shape: readonly number[], values: BigInt64Array): Tensor {
  const data = new Float64Array(values.length);
  let big = false;
  for (let i = 0; i < values.length; i++) {
    const n = Number(values[i]!);
    data[i] = n;
    // beyond 2^53 only: below it every integer is a float64, and the check costs a BigInt
    if (!big && (n >= EXACT_LIMIT || n <= -EXACT_LIMIT) && BigInt(n) !== values[i]) big = true;
  }
  return big ? { dtype: 'int64', shape: [...shape], data, exact: values } : { dtype: 'int64', shape: [...shape], data };
}

/** The integer a float64 int64 element stands for (NaN, which no int64 is, as 0; wraps past 2^63 as a cast does). */
function bigOf(v: number): bigint {
  return Number.isFinite(v) ? BigInt.asIntN(64, BigInt(Math.trunc(v))) : 0n;
}

/**
 * Exact values of int64 elements given as float64 `data` and optionally an exact companion (BigInt64Array or decimal
 * strings, as case.json holds them): the companion's value where it rounds to `data`, `data`'s otherwise.
 */
export function exactValues(data: ArrayLike<number>, exact?: ArrayLike<bigint> | readonly string[]): BigInt64Array {
  const out = new BigInt64Array(data.length);
  const n = exact && exact.length === data.length ? exact : undefined;
  for (let i = 0; i < data.length; i++) {
    const d = data[i]!;
    const e = n?.[i];
    const b = e === undefined ? undefined : typeof e === 'bigint' ? e : BigInt(e);
    out[i] = b !== undefined && Number(b) === d ? b : bigOf(d);
  }
  return out;
}

/** A tensor's int64 values exactly (its companion where present, its data otherwise). */
export function exactOf(t: Tensor): BigInt64Array {
  return exactValues(t.data, t.exact);
}

/** The tensor without its exact companion (a kernel's output, which may have spread an input's). */
export function withoutExact(t: Tensor): Tensor {
  if (t.exact === undefined) return t;
  return { dtype: t.dtype, shape: t.shape, data: t.data };
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
