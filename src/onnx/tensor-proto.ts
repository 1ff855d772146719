import onnxProto from 'onnx-proto';
import type { DType, Tensor } from '../ir/index.js';
import { exactValues, int64Tensor, numel, tensor } from '../ir/index.js';
import { ModelError } from './errors.js';

const { onnx } = onnxProto;
const DT = onnx.TensorProto.DataType;

export const DTYPE_TO_ONNX: Readonly<Record<DType, number>> = {
  float32: DT.FLOAT,
  float64: DT.DOUBLE,
  int32: DT.INT32,
  int64: DT.INT64,
  bool: DT.BOOL,
};

const ONNX_TO_DTYPE = new Map<number, DType>(
  Object.entries(DTYPE_TO_ONNX).map(([k, v]) => [v, k as DType]),
);

/** The onnxsmith dtype for an ONNX TensorProto.DataType, or a ModelError naming the unsupported type. */
export function dtypeFromOnnx(code: number, what: string): DType {
  const d = ONNX_TO_DTYPE.get(code);
  // 0 is what protobuf gives when the field is missing: not a type the data has, but none at all
  if (!d && code === DT.UNDEFINED) throw new ModelError(`${what}: no element type (data_type is missing or 0)`);
  if (!d) {
    const name = (DT as unknown as Record<number, string>)[code] ?? String(code);
    throw new ModelError(`${what}: element type ${name} is not supported (supported: ${Object.keys(DTYPE_TO_ONNX).join(', ')})`);
  }
  return d;
}

/**
 * Little-endian raw bytes of `data` stored as `dtype`; int64 elements take their value from `exact` (a Tensor's or an
 * Initializer's companion) where it has one.
 */
export function rawBytes(dtype: DType, data: ArrayLike<number>, exact?: ArrayLike<bigint> | readonly string[]): Uint8Array {
  const n = data.length;
  switch (dtype) {
    case 'float32':
      return new Uint8Array(Float32Array.from(data).buffer);
    case 'float64':
      return new Uint8Array(Float64Array.from(data).buffer);
    case 'int32':
      return new Uint8Array(Int32Array.from(data).buffer);
    case 'int64': {
      if (exact) return new Uint8Array(exactValues(data, exact).buffer);
      const b = new BigInt64Array(n);
      for (let i = 0; i < n; i++) b[i] = BigInt(Math.trunc(data[i]!));
      return new Uint8Array(b.buffer);
    }
    case 'bool':
      return Uint8Array.from(data, (v) => (v ? 1 : 0));
  }
}

/** Encodes a tensor as a TensorProto message object (raw_data form). */
export function toTensorProto(
  name: string,
  dtype: DType,
  shape: readonly number[],
  data: ArrayLike<number>,
  exact?: ArrayLike<bigint> | readonly string[],
): onnxProto.onnx.ITensorProto {
  return { name, dataType: DTYPE_TO_ONNX[dtype], dims: [...shape], rawData: rawBytes(dtype, data, exact) };
}

/** Serialised TensorProto bytes (the inputs/*.pb and outputs/*.pb files). */
export function encodeTensor(name: string, t: Tensor): Uint8Array {
  return onnx.TensorProto.encode(toTensorProto(name, t.dtype, t.shape, t.data, t.exact)).finish();
}

/** An int64 element as protobufjs gives it (a Long, a number or a decimal string), exactly. */
function toBigInt(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  return BigInt.asIntN(64, BigInt(String(v)));
}

function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v && typeof v === 'object' && 'toNumber' in v && typeof (v as { toNumber: unknown }).toNumber === 'function') {
    return (v as { toNumber(): number }).toNumber();
  }
  return Number(v);
}

/** Decodes a TensorProto message into a Tensor; refuses external data (a model is untrusted input). */
export function fromTensorProto(p: onnxProto.onnx.ITensorProto, what: string): Tensor {
  const dtype = dtypeFromOnnx(p.dataType ?? 0, what);
  if (p.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL || (p.externalData && p.externalData.length > 0)) {
    throw new ModelError(`${what}: external tensor data is not supported (onnxsmith never reads files a model points to)`);
  }
  const shape = (p.dims ?? []).map(toNumber);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new ModelError(`${what}: bad dims [${shape.join(',')}]`);
  const n = numel(shape);
  const raw = p.rawData;
  let values: ArrayLike<number>;
  // int64 goes through BigInt so values beyond 2^53 keep their exact companion
  if (dtype === 'int64') {
    let big: BigInt64Array;
    if (raw && raw.length > 0) {
      if (raw.byteLength !== n * 8) {
        throw new ModelError(`${what}: raw_data holds ${raw.byteLength} bytes, expected ${n * 8} for int64[${shape.join(',')}]`);
      }
      big = new BigInt64Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    } else {
      const stored = p.int64Data ?? [];
      if (stored.length !== n) throw new ModelError(`${what}: ${stored.length} values stored, expected ${n} for int64[${shape.join(',')}]`);
      big = BigInt64Array.from(stored, toBigInt);
    }
    return int64Tensor(shape, big);
  }
  if (raw && raw.length > 0) {
    const buf = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength);
    const width = { float32: 4, float64: 8, int32: 4, int64: 8, bool: 1 }[dtype];
    if (raw.byteLength !== n * width) {
      throw new ModelError(`${what}: raw_data holds ${raw.byteLength} bytes, expected ${n * width} for ${dtype}[${shape.join(',')}]`);
    }
    switch (dtype) {
      case 'float32':
        values = new Float32Array(buf);
        break;
      case 'float64':
        values = new Float64Array(buf);
        break;
      case 'int32':
        values = new Int32Array(buf);
        break;
      case 'bool':
        values = new Uint8Array(buf);
        break;
    }
  } else {
    switch (dtype) {
      case 'float32':
        values = p.floatData ?? [];
        break;
      case 'float64':
        values = p.doubleData ?? [];
        break;
      default:
        values = p.int32Data ?? [];
    }
    if (values.length !== n) {
      throw new ModelError(`${what}: ${values.length} values stored, expected ${n} for ${dtype}[${shape.join(',')}]`);
    }
  }
  return tensor(dtype, shape, Float64Array.from(values as ArrayLike<number>));
}

/** Decodes serialised TensorProto bytes. */
export function decodeTensor(bytes: Uint8Array, what: string): { name: string; tensor: Tensor } {
  let p: onnxProto.onnx.TensorProto;
  try {
    p = onnx.TensorProto.decode(bytes);
  } catch (e) {
    throw new ModelError(`${what}: not a valid TensorProto (${(e as Error).message})`);
  }
  // random bytes often decode as a TensorProto with nothing set; data_type is what every tensor file has
  if (!p.dataType) throw new ModelError(`${what}: not a valid TensorProto (it has no element type)`);
  if ((DT as unknown as Record<number, string>)[p.dataType] === undefined) {
    throw new ModelError(`${what}: not a valid TensorProto (element type code ${p.dataType} is no ONNX type)`);
  }
  return { name: p.name ?? '', tensor: fromTensorProto(p, what) };
}
