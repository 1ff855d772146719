/**
 * The operator contract's backend half (test/helpers/op-contract.ts): onnxruntime-node, optimisations disabled,
 * accepts each one-node model and computes the reference's values, within a tolerance that follows the dtype.
 */
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import { fromOrtTensor, toOrtTensor, type OrtTensorCtor } from '../../src/backends/ort-tensor.js';
import { formatType, isFloat, sameShape } from '../../src/ir/index.js';
import { exportModel } from '../../src/onnx/index.js';
import type { BackendCheck } from './op-contract.js';

/** Runs the instance on onnxruntime-node and compares every output with the reference's. */
export const onOnnxruntime: BackendCheck = async (g, feeds, env, where, o) => {
  const session = await ort.InferenceSession.create(exportModel(g), { graphOptimizationLevel: 'disabled' });
  try {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [k, v] of Object.entries(feeds)) ortFeeds[k] = toOrtTensor(ort.Tensor as unknown as OrtTensorCtor, v) as ort.Tensor;
    const res = await session.run(ortFeeds);
    for (const out of g.outputs) {
      const exp = env.get(out.name)!;
      const act = fromOrtTensor(res[out.name]!, out.name);
      expect(act.dtype, `${where}: ORT dtype`).toBe(out.dtype);
      expect(sameShape(act.shape, out.shape), `${where}: ORT shape [${act.shape.join(',')}] vs inferred ${formatType(out)}`).toBe(true);
      const rtol = o.rtol ?? (out.dtype === 'float64' ? 1e-9 : 1e-4);
      const atol = o.atol ?? (out.dtype === 'float64' ? 1e-9 : 1e-5);
      for (let i = 0; i < exp.data.length; i++) {
        const e = exp.data[i]!;
        const a = act.data[i]!;
        if (Number.isNaN(e) && Number.isNaN(a)) continue;
        const ok = isFloat(out.dtype) ? Math.abs(a - e) <= atol + rtol * Math.abs(e) || a === e : a === e;
        if (!ok) {
          const inputs = Object.entries(feeds).map(([k, v]) => `${k}=${JSON.stringify(Array.from(v.data).slice(0, 16))}`).join(' ');
          expect.fail(`${where}: element ${i} ORT=${a} reference=${e}; ${inputs}`);
        }
      }
    }
  } finally {
    await session.release();
  }
};
