/** Generation throughput: valid 10-node graphs per second on one core. */
import { caseSeed, generateGraph, resolveOptions } from '../generators/graph.js';
import { validateGraph } from '../generators/validate.js';
import { exportModel } from '../src/onnx/index.js';
import { measure, report } from './harness.js';

export function benchGeneration(seconds: number): void {
  const ten = resolveOptions({ nodes: 10 });
  const one = resolveOptions({ nodes: 1 });
  // baseline: the cheapest possible graph (one operator), through the same generate + export path
  const baseline = measure('1-node graph: generate + export', 'graphs/s', (i) => exportModel(generateGraph(caseSeed(1, i), one)), seconds);
  const gen = measure('10-node graph: generate', 'graphs/s', (i) => generateGraph(caseSeed(2, i), ten), seconds);
  const full = measure(
    '10-node graph: generate + validate + export',
    'graphs/s',
    (i) => {
      const g = generateGraph(caseSeed(3, i), ten);
      if (validateGraph(g).length > 0) throw new Error('generator produced an invalid graph');
      exportModel(g);
    },
    seconds,
  );
  const twenty = resolveOptions({ nodes: 30 });
  const big = measure('30-node graph: generate + export', 'graphs/s', (i) => exportModel(generateGraph(caseSeed(4, i), twenty)), seconds);
  report('Graph generation (one core; target >= 1000 valid 10-node graphs/s)', baseline, [gen, full, big]);
}
