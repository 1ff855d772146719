/**
 * What each backend is known to get wrong or not support, as data with reasons (the tfjs "describeWithFlags"
 * idea). The contract suite skips nothing silently: an excluded operator must still fail there, so an exclusion
 * that no longer applies is noticed and removed.
 */
export interface Exclusion {
  readonly op: string;
  readonly reason: string;
}

export const BACKEND_EXCLUSIONS: Readonly<Record<string, readonly Exclusion[]>> = {
  'tfjs-wasm': [
    { op: 'Cast', reason: 'tfjs-wasm Cast to bool copies values into a Uint8Array (x mod 256): Cast(float32 [0.5, 256]) -> [false, false] (tensorflow/tfjs#2590)' },
    { op: 'Clip', reason: 'tfjs-wasm ClipByValue reads int32 data as float32: Clip(int32 [-5,0,5], -3, 4) -> [-1069547520, ...]' },
    { op: 'PRelu', reason: 'tfjs-wasm Prelu indexes the slope modulo its size instead of broadcasting: X [2,3] of -1, slope [[2],[3]] -> [-2,-3,-2,-3,-2,-3] (tensorflow/tfjs#7458)' },
  ],
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

/** Base name of a backend (`ort-node-cpu@1.12.1` → `ort-node-cpu`) for looking up exclusions by family. */
export function exclusionsFor(backend: string): readonly Exclusion[] {
  return BACKEND_EXCLUSIONS[backend] ?? BACKEND_EXCLUSIONS[backend.split('@')[0]!] ?? [];
}
