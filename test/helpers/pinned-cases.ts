/**
 * Small graphs that pin a reference behaviour a campaign once got wrong (docs/findings.md): the unit tier checks the
 * reference's values (test/unit/ops), the contract tier that onnxruntime computes the same (test/contract/ops).
 */
import type { Graph, Tensor } from '../../src/ir/index.js';
import { chain, f32 } from './chain.js';

export interface PinnedCase {
  readonly graph: Graph;
  readonly feeds: Readonly<Record<string, Tensor>>;
}

/** Greater(Tan(x), Cast(Tan(x), to float32)) for a float32 x whose Tan in float64 is not a float32 value. */
export function castToSameType(): PinnedCase {
  const graph = chain([{ name: 'x', ...f32([1]) }], [
    { op: 'Tan', ins: ['x'], out: 't' },
    { op: 'Cast', ins: ['t'], out: 'c', attrs: { to: 1 } },
    { op: 'Greater', ins: ['t', 'c'], out: 'gt' },
  ], [1], { gt: { dtype: 'bool', shape: [1] } });
  // Tan(-1.0641944408416748) in float64 is not a float32 value: rounding it moves it
  return { graph, feeds: { x: { dtype: 'float32', shape: [1], data: Float64Array.of(Math.fround(-1.0641944408416748)) } } };
}

const f64 = (shape: number[]) => ({ dtype: 'float64' as const, shape });

/** Two float64 LeakyRelu nodes: 'l' with the default alpha, 'h' with alpha 0.3. */
export function leakyReluAlphas(): PinnedCase {
  const graph = chain([{ name: 'x', ...f64([6]) }], [
    { op: 'LeakyRelu', ins: ['x'], out: 'l' },
    { op: 'LeakyRelu', ins: ['x'], out: 'h', attrs: { alpha: 0.3 } },
  ], [6], { l: f64([6]), h: f64([6]) });
  return { graph, feeds: { x: { dtype: 'float64', shape: [6], data: Float64Array.of(-1, -0.3, -2.5, 0.7, -1e-3, 1.9) } } };
}
