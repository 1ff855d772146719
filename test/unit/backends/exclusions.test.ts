import { describe, expect, it } from 'vitest';
import { BACKEND_EXCLUSIONS, exclusionsFor } from '../../../src/backends/exclusions.js';
import { OPS } from '../../../generators/ops/index.js';

const ops = (list: readonly { op: string }[]): string[] => list.map((e) => e.op).sort();

describe('exclusionsFor', () => {
  it('uses the exact release when the spec names one, else the family', () => {
    expect(ops(exclusionsFor('ort-node-cpu@1.12.1'))).toContain('ConvTranspose');
    expect(exclusionsFor('ort-node-cpu')).toEqual([]);
    expect(exclusionsFor('ort-node-webgpu@1.30.0')).toBe(BACKEND_EXCLUSIONS['ort-node-webgpu']);
  });

  it('uses the release a plain name resolved to when that release has its own list', () => {
    // the GPU machine runs onnxruntime-node 1.29.0 under the plain name: its WebGPU MatMul bug is fixed in 1.30.0
    expect(ops(exclusionsFor('ort-node-webgpu', '1.29.0'))).toContain('MatMul');
    expect(ops(exclusionsFor('ort-node-webgpu', '1.30.0'))).not.toContain('MatMul');
    expect(exclusionsFor('ort-node-webgpu', '1.30.0')).toBe(BACKEND_EXCLUSIONS['ort-node-webgpu']);
  });

  it('names only operators the generator knows, each with a reason', () => {
    const known = new Set(OPS.map((o) => o.onnx));
    for (const [backend, list] of Object.entries(BACKEND_EXCLUSIONS)) {
      for (const e of list) {
        expect(known.has(e.op), `${backend}: ${e.op}`).toBe(true);
        expect(e.reason.length, `${backend}: ${e.op}`).toBeGreaterThan(20);
      }
      expect(new Set(list.map((e) => e.op)).size, `${backend} lists an operator twice`).toBe(list.length);
    }
  });
});
