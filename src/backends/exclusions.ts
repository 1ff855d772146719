/**
 * What each backend is known to get wrong or not support, as data with reasons (the tfjs "describeWithFlags"
 * idea). The contract suite skips nothing silently: an excluded operator must still fail there, so an exclusion
 * that no longer applies is noticed and removed.
 */
import { backendBase, withVersion } from './names.js';

export interface Exclusion {
  readonly op: string;
  readonly reason: string;
}

/**
 * onnxruntime-node 1.12.1 (the oldest release the gate compares), measured with the contract suite. Its missing
 * kernels (Cos, Floor, Ceil, LeakyRelu, PRelu, Split on float64, Clip on integers, Trilu, ...) are not listed:
 * the backend reports them as unsupported (kernel-gaps.ts), and the contract skips them like any unsupported graph.
 */
const ORT_1_12: readonly Exclusion[] = [
  { op: 'ConvTranspose', reason: 'SAME_UPPER/SAME_LOWER padding distributed the wrong way round (ORT warns "will be fixed in 1.13")' },
  { op: 'ReduceSum', reason: 'an empty axes input fails at run time: "axes_tensor != nullptr was false. Axes input is null"' },
];

/** onnxruntime-node's WebGPU provider (1.30.0 on Mesa lavapipe, 1.29.0 on an NVIDIA H200 through Dawn/Vulkan). */
const ORT_WEBGPU: readonly Exclusion[] = [
  { op: 'ConvTranspose', reason: 'wrong values with group > 1 and output_shape/output_padding (e.g. 1-D, kernel 1, stride 2, group 3)' },
  { op: 'LayerNormalization', reason: 'rejects Scale/B that broadcast (size 1): "Size of scale and bias (if provided) must match this"; ONNX allows unidirectional broadcast' },
  { op: 'InstanceNormalization', reason: 'variance loses precision with a small epsilon: errors of 7e-4 where float32 gives 1e-7' },
  { op: 'Resize', reason: 'fails at run time for several mode/coordinate combinations (resize_impl.cc ResizeImpl)' },
];

export const BACKEND_EXCLUSIONS: Readonly<Record<string, readonly Exclusion[]>> = {
  'tfjs-wasm': [
    { op: 'Cast', reason: 'tfjs-wasm Cast to bool copies values into a Uint8Array (x mod 256): Cast(float32 [0.5, 256]) -> [false, false] (tensorflow/tfjs#2590)' },
    { op: 'Clip', reason: 'tfjs-wasm ClipByValue reads int32 data as float32: Clip(int32 [-5,0,5], -3, 4) -> [-1069547520, ...]' },
    { op: 'PRelu', reason: 'tfjs-wasm Prelu indexes the slope modulo its size instead of broadcasting: X [2,3] of -1, slope [[2],[3]] -> [-2,-3,-2,-3,-2,-3] (tensorflow/tfjs#7458)' },
  ],
  'ort-node-webgpu': ORT_WEBGPU,
  'ort-node-webgpu@1.29.0': [
    ...ORT_WEBGPU,
    { op: 'MatMul', reason: 'a 1-D operand against a batched one fails ("absl::container_internal::raw_hash_map<>::at", "SizeToDimension ... Invalid dim") or gives zeros; fixed in 1.30.0' },
  ],
  // measured with onnxruntime-node 1.29.0 and the CUDA 13 provider on an NVIDIA H200 (docs/gpu.md), TF32 off
  'ort-node-cuda': [
    { op: 'LayerNormalization', reason: 'Scale/B that broadcast (size 1) are read as if full-size: zeros or garbage (e.g. 2.4e-38) in place of the normalised values' },
    { op: 'InstanceNormalization', reason: 'NaN for every element when the spatial size is 1 (zero variance), where the result is B' },
    { op: 'Softmax', reason: 'float64 computed at float32 precision: relative errors of 2e-7' },
    { op: 'Resize', reason: 'tf_crop_and_resize gives wrong values (float32 and int32)' },
  ],
  'ort-node-cpu@1.12.1': ORT_1_12,
  'ort-node-cpu-noopt@1.12.1': ORT_1_12,
};

/** Backends the contract suite requires to be available on a CI machine (others may be unavailable there). */
export const CI_BACKENDS: readonly string[] = [
  'reference',
  'ort-node-cpu',
  'ort-node-cpu-noopt',
  'ort-node-webgpu',
  'ort-web-wasm',
  'ort-node-cpu@1.12.1',
];

/**
 * A backend's exclusions: those of its exact release when listed (`ort-node-cpu@1.12.1`, or the base name with
 * `version`, the release it resolved to), else those of its family (`ort-node-cpu`).
 */
export function exclusionsFor(backend: string, version?: string): readonly Exclusion[] {
  const release = withVersion(backend, version);
  return BACKEND_EXCLUSIONS[release] ?? BACKEND_EXCLUSIONS[backendBase(backend)] ?? [];
}
