/**
 * What the onnxruntime backends (node and web) share: conversions between onnxsmith tensors and onnxruntime-common's
 * Tensor, running a session, and probing whether the package starts.
 */
import type { DType, Tensor } from '../ir/index.js';
import { exactOf, int64Tensor } from '../ir/index.js';
import type { InstalledPackage } from './packages.js';
import type { Availability } from './types.js';
import { errorText } from './types.js';

/** The shape of onnxruntime-common's Tensor that the conversions need. */
export interface OrtTensorLike {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: unknown;
}

export type OrtTensorCtor = new (type: string, data: unknown, dims: readonly number[]) => OrtTensorLike;

/** The part of an onnxruntime InferenceSession (node or web) that runs it. */
export interface OrtRunnable {
  run(feeds: Record<string, OrtTensorLike>): Promise<Record<string, OrtTensorLike>>;
}

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
      data = t.exact ? exactOf(t) : BigInt64Array.from(t.data, (v) => BigInt(Math.trunc(v)));
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
  // int64 arrives as BigInt64Array: kept exact where a value is beyond 2^53
  if (dtype === 'int64' && o.data instanceof BigInt64Array) return int64Tensor(o.dims, o.data);
  const src = o.data as ArrayLike<number | bigint>;
  const data = new Float64Array(src.length);
  for (let i = 0; i < src.length; i++) data[i] = Number(src[i]!);
  return { dtype, shape: [...o.dims], data };
}

/**
 * Runs an onnxruntime session on onnxsmith feeds (converted with `Ctor`, the package's Tensor) and returns the
 * outputs named in `outputNames`; `runtime` names the package in the error thrown when an output is missing.
 */
export async function runOrtSession(
  Ctor: OrtTensorCtor,
  session: OrtRunnable,
  feeds: Readonly<Record<string, Tensor>>,
  outputNames: readonly string[],
  runtime: string,
): Promise<Record<string, Tensor>> {
  const inputs: Record<string, OrtTensorLike> = {};
  for (const [k, v] of Object.entries(feeds)) inputs[k] = toOrtTensor(Ctor, v);
  const res = await session.run(inputs);
  const out: Record<string, Tensor> = {};
  for (const name of outputNames) {
    const t = res[name];
    if (!t) throw new Error(`${runtime} returned no output '${name}'`);
    out[name] = fromOrtTensor(t, name);
  }
  return out;
}

/**
 * An onnxruntime backend's available(): probes once and remembers the answer. Unavailable with `pkg` (findPackage's
 * message) when the package is not installed, and with `failure` and the error's first line when `probe` throws.
 */
export function probeOrtOnce(pkg: InstalledPackage | string, probe: (installed: InstalledPackage) => Promise<Availability>, failure: string): () => Promise<Availability> {
  let availability: Promise<Availability> | undefined;
  return () => {
    availability ??= (async (): Promise<Availability> => {
      if (typeof pkg === 'string') return { ok: false, reason: pkg };
      try {
        return await probe(pkg);
      } catch (e) {
        return { ok: false, reason: `${failure}: ${errorText(e).split('\n')[0]}` };
      }
    })();
    return availability;
  };
}
