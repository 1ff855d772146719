/**
 * Float attributes are float32 in an ONNX model, defaults included, and runtimes compute with those values: the
 * reference must too. With LeakyRelu's default alpha taken as 0.01 rather than float32's 0.009999999776, float64 graphs
 * were 2e-8 relative off every onnxruntime backend, which a Mod downstream amplified into a wrong-value finding
 * blamed on the CPU backends (a CPU vs CUDA campaign, docs/findings.md).
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { fromOrtTensor, toOrtTensor, type OrtTensorCtor } from '../../../src/backends/ort-tensor.js';
import { exportModel } from '../../../src/onnx/index.js';
import { interpret, withDefaults } from '../../../src/reference/interpreter.js';
import { chain } from '../../helpers/chain.js';

const f64 = (shape: number[]) => ({ dtype: 'float64' as const, shape });

describe('float attributes', () => {
  it('are float32 values in the reference, given or defaulted', () => {
    const node = (attrs: Record<string, number>) => ({ op: 'LeakyRelu', name: 'n', inputs: ['x'], outputs: ['y'], attrs });
    expect(withDefaults(node({}))['alpha']).toBe(Math.fround(0.01));
    expect(withDefaults(node({ alpha: 0.3 }))['alpha']).toBe(Math.fround(0.3));
  });

  it("give float64 LeakyRelu exactly onnxruntime's results, with the default alpha and a given one", async () => {
    const g = chain([{ name: 'x', ...f64([6]) }], [
      { op: 'LeakyRelu', ins: ['x'], out: 'l' },
      { op: 'LeakyRelu', ins: ['x'], out: 'h', attrs: { alpha: 0.3 } },
    ], [6], { l: f64([6]), h: f64([6]) });
    const feeds = { x: { dtype: 'float64' as const, shape: [6], data: Float64Array.of(-1, -0.3, -2.5, 0.7, -1e-3, 1.9) } };
    const env = interpret(g, feeds);
    const session = await ort.InferenceSession.create(exportModel(g), { graphOptimizationLevel: 'disabled' });
    const res = await session.run({ x: toOrtTensor(ort.Tensor as unknown as OrtTensorCtor, feeds.x) as ort.Tensor });
    for (const name of ['l', 'h']) expect(Array.from(fromOrtTensor(res[name]!, name).data), name).toEqual(Array.from(env.get(name)!.data));
  });
});
