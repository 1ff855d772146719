/** Conversions between onnxsmith tensors and onnxruntime (node and web share onnxruntime-common's Tensor). */
import type { DType, Tensor } from '../ir/index.js';

/** The shape of onnxruntime-common's Tensor that the conversions need. */
export interface OrtTensorLike {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: unknown;
}

export type OrtTensorCtor = new (type: string, data: unknown, dims: readonly number[]) => OrtTensorLike;

const ORT_TYPE: Readonly<Record<DType, string>> = {
  float32: 'float32',
  float64: 'float64',
  int32: 'int32',
  int64: 'int64',
  bool: 'bool',
};

export function toOrtTensor(Ctor: OrtTensorCtor, t: Tensor): OrtTensorLike {
  let data: unknown;
  switch (t.dtype) {
    case 'float32':
      data = Float32Array.from(t.data);
      break;
    case 'float64':
      data = Float64Array.from(t.data);
      break;
    case 'int32':
      data = Int32Array.from(t.data);
      break;
    case 'int64':
      data = BigInt64Array.from(t.data, (v) => BigInt(Math.trunc(v)));
      break;
    case 'bool':
      data = Uint8Array.from(t.data, (v) => (v ? 1 : 0));
      break;
  }
  return new Ctor(ORT_TYPE[t.dtype], data, [...t.shape]);
}

const FROM_ORT: Readonly<Record<string, DType>> = {
  float32: 'float32',
  float64: 'float64',
  int32: 'int32',
  int64: 'int64',
  bool: 'bool',
};

export function fromOrtTensor(o: OrtTensorLike, what: string): Tensor {
  const dtype = FROM_ORT[o.type];
  if (!dtype) throw new Error(`${what}: onnxruntime returned element type ${o.type}, which onnxsmith does not handle`);
  const src = o.data as ArrayLike<number | bigint>;
  const data = new Float64Array(src.length);
  for (let i = 0; i < src.length; i++) data[i] = Number(src[i]!);
  return { dtype, shape: [...o.dims], data };
}
