/**
 * Cast to the type a tensor already has is the identity on onnxruntime, as in the reference (test/unit/ops/
 * cast-same.test.ts): comparing a computed float32 tensor with its cast is false on both.
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { fromOrtTensor, toOrtTensor, type OrtTensorCtor } from '../../../src/backends/ort-tensor.js';
import { exportModel } from '../../../src/onnx/index.js';
import { castToSameType } from '../../helpers/pinned-cases.js';

describe('Cast to the same type', () => {
  it('leaves a computed float32 tensor as it is on onnxruntime-node, as the reference does', async () => {
    const { graph, feeds } = castToSameType();
    const session = await ort.InferenceSession.create(exportModel(graph), { graphOptimizationLevel: 'disabled' });
    const res = await session.run({ x: toOrtTensor(ort.Tensor as unknown as OrtTensorCtor, feeds['x']!) as ort.Tensor });
    expect(fromOrtTensor(res['gt']!, 'gt').data[0]).toBe(0);
  });
});
