import { describe, expect, it } from 'vitest';
import type { Graph } from '../../../src/ir/index.js';
import { tensor } from '../../../src/ir/index.js';
import { generateGraph } from '../../../generators/graph.js';
import { interpret } from '../../../src/reference/interpreter.js';
import { firstViolation } from '../../../src/search/violations.js';
import { searchInputs } from '../../../src/search/search.js';

const i64 = (name: string) => ({ name, dtype: 'int64' as const, shape: [2] });

describe('int64 results from 2^53 on in the input search', () => {
  // y = x * x / 3: the Div rounds in float64 once x * x reaches 2^53
  const graph: Graph = {
    opset: 17,
    inputs: [i64('x')],
    outputs: [i64('y')],
    initializers: [{ name: 'three', dtype: 'int64', shape: [], kind: 'weight', data: [3] }],
    nodes: [
      { op: 'Mul', name: 'n0', inputs: ['x', 'x'], outputs: ['sq'], attrs: {} },
      { op: 'Div', name: 'n1', inputs: ['sq', 'three'], outputs: ['y'], attrs: {} },
    ],
    valueInfo: [i64('sq')],
  } as unknown as Graph;

  it('are a violation at the node that makes them, not an exception from the exact reference', () => {
    const feeds = { x: tensor('int64', [2], [2 ** 27 + 1, 5]) };
    expect(() => interpret(graph, feeds)).toThrow(/cannot be computed exactly/);
    const v = firstViolation(graph, feeds).violation;
    expect(v?.node.name).toBe('n0');
    expect(v?.nonFinite).toBe(true);
    expect(firstViolation(graph, { x: tensor('int64', [2], [7, 5]) }).violation).toBeUndefined();
  });

  it('a generated graph whose int64 Div reached 2^53 (a campaign harness bug) gets values below it', () => {
    const g = generateGraph(1418422868, {});
    const r = searchInputs(g, 1418422868, undefined, { method: 'sampling' });
    if (!r.ok) return;
    const env = interpret(r.graph, r.feeds);
    for (const t of env.values()) if (t.dtype === 'int64') for (const v of t.data) expect(Math.abs(v)).toBeLessThan(2 ** 53);
  });
});
