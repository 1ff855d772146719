/**
 * Float attributes are float32 in an ONNX model, defaults included, and runtimes compute with those values: the
 * reference must too (test/unit/ops/float-attrs.test.ts). With LeakyRelu's default alpha taken as 0.01 rather than
 * float32's 0.009999999776, float64 graphs were 2e-8 relative off every onnxruntime backend, which a Mod downstream
 * amplified into a wrong-value finding blamed on the CPU backends (a CPU vs CUDA campaign, docs/findings.md).
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { fromOrtTensor, toOrtTensor, type OrtTensorCtor } from '../../../src/backends/ort-tensor.js';
import { exportModel } from '../../../src/onnx/index.js';
import { interpret } from '../../../src/reference/interpreter.js';
import { leakyReluAlphas } from '../../helpers/pinned-cases.js';

describe('float attributes', () => {
  it("give float64 LeakyRelu exactly onnxruntime's results, with the default alpha and a given one", async () => {
    const { graph, feeds } = leakyReluAlphas();
    const env = interpret(graph, feeds);
    const session = await ort.InferenceSession.create(exportModel(graph), { graphOptimizationLevel: 'disabled' });
    const res = await session.run({ x: toOrtTensor(ort.Tensor as unknown as OrtTensorCtor, feeds['x']!) as ort.Tensor });
    for (const name of ['l', 'h']) expect(Array.from(fromOrtTensor(res[name]!, name).data), name).toEqual(Array.from(env.get(name)!.data));
  });
});
