/**
 * Float attributes are float32 in an ONNX model, defaults included, and runtimes compute with those values: the
 * reference must too. onnxruntime's side: test/contract/ops/float-attrs.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { interpret, withDefaults } from '../../../src/reference/interpreter.js';
import { leakyReluAlphas } from '../../helpers/pinned-cases.js';

describe('float attributes', () => {
  it('are float32 values in the reference, given or defaulted', () => {
    const node = (attrs: Record<string, number>) => ({ op: 'LeakyRelu', name: 'n', inputs: ['x'], outputs: ['y'], attrs });
    expect(withDefaults(node({}))['alpha']).toBe(Math.fround(0.01));
    expect(withDefaults(node({ alpha: 0.3 }))['alpha']).toBe(Math.fround(0.3));
  });

  it('give float64 LeakyRelu the float32 alphas: x times 0.01 and 0.3 rounded to float32, in float64', () => {
    const { graph, feeds } = leakyReluAlphas();
    const env = interpret(graph, feeds);
    const x = Array.from(feeds['x']!.data);
    const leaky = (alpha: number) => x.map((v) => (v < 0 ? v * Math.fround(alpha) : v));
    expect(Array.from(env.get('l')!.data)).toEqual(leaky(0.01));
    expect(Array.from(env.get('h')!.data)).toEqual(leaky(0.3));
  });
});
