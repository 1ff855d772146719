/**
 * Cast to the type a tensor already has is the identity, in the reference as on onnxruntime: the reference holds a
 * computed float32 tensor at float64 precision, and rounding it at such a Cast made Greater(Tan(x), Cast(Tan(x))) true
 * where every backend said false (a harness bug a default campaign reported, docs/findings.md).
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { fromOrtTensor, toOrtTensor, type OrtTensorCtor } from '../../../src/backends/ort-tensor.js';
import { exportModel } from '../../../src/onnx/index.js';
import { interpret } from '../../../src/reference/interpreter.js';
import { chain, f32 } from '../../helpers/chain.js';

describe('Cast to the same type', () => {
  it('leaves a computed float32 tensor as it is, so comparing it with its cast agrees with onnxruntime', async () => {
    const g = chain([{ name: 'x', ...f32([1]) }], [
      { op: 'Tan', ins: ['x'], out: 't' },
      { op: 'Cast', ins: ['t'], out: 'c', attrs: { to: 1 } },
      { op: 'Greater', ins: ['t', 'c'], out: 'gt' },
    ], [1], { gt: { dtype: 'bool', shape: [1] } });
    // Tan(-1.0641944408416748) in float64 is not a float32 value: rounding it moves it
    const feeds = { x: { dtype: 'float32' as const, shape: [1], data: Float64Array.of(Math.fround(-1.0641944408416748)) } };
    const env = interpret(g, feeds);
    expect(Math.fround(env.get('t')!.data[0]!)).not.toBe(env.get('t')!.data[0]);
    expect(env.get('gt')!.data[0]).toBe(0);
    const session = await ort.InferenceSession.create(exportModel(g), { graphOptimizationLevel: 'disabled' });
    const res = await session.run({ x: toOrtTensor(ort.Tensor as unknown as OrtTensorCtor, feeds.x) as ort.Tensor });
    expect(fromOrtTensor(res['gt']!, 'gt').data[0]).toBe(0);
  });
});
