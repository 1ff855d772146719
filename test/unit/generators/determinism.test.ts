import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caseSeed, generateGraph, graphArb, OptionError, randomFromSeed, resolveOptions } from '../../../generators/graph.js';
import { validateGraph } from '../../../generators/validate.js';
import { graphHash } from '../../../src/ir/index.js';
import { exportModel } from '../../../src/onnx/index.js';

describe('graph generator', () => {
  it('gives byte-identical models for the same seed and options', () => {
    for (let i = 0; i < 50; i++) {
      const s = caseSeed(7, i);
      const a = exportModel(generateGraph(s, { nodes: 12 }));
      const b = exportModel(generateGraph(s, { nodes: 12 }));
      expect(Buffer.compare(Buffer.from(a), Buffer.from(b))).toBe(0);
    }
  });

  it('gives different graphs for different seeds', () => {
    const hashes = new Set<string>();
    for (let i = 0; i < 200; i++) hashes.add(graphHash(generateGraph(caseSeed(1, i))));
    expect(hashes.size).toBe(200);
  });

  it('is a fast-check arbitrary: replaying a seed reproduces the values, and shrinks stay valid', () => {
    const arb = graphArb({ nodes: 8 });
    const first = fc.sample(arb, { seed: 99, numRuns: 5 }).map(graphHash);
    const again = fc.sample(arb, { seed: 99, numRuns: 5 }).map(graphHash);
    expect(again).toEqual(first);
    const v = arb.generate(randomFromSeed(5), undefined);
    let shrinks = 0;
    for (const s of arb.shrink(v.value, v.context)) {
      expect(validateGraph(s.value)).toEqual([]);
      expect(s.value.nodes.length).toBeLessThan(v.value.nodes.length);
      shrinks++;
    }
    expect(shrinks).toBeGreaterThan(0);
  });

  it('uses the operators, dtypes and sizes it is given', () => {
    const g = generateGraph(3, { nodes: 20, include: ['Add', 'Abs'], dtypes: ['int32'], maxElems: 16 });
    expect(new Set(g.nodes.map((n) => n.op)).size).toBeLessThanOrEqual(2);
    for (const n of g.nodes) expect(['Add', 'Abs']).toContain(n.op);
    for (const v of [...g.inputs, ...g.outputs, ...g.valueInfo]) {
      expect(v.dtype).toBe('int32');
      expect(v.shape.reduce((a, b) => a * b, 1)).toBeLessThanOrEqual(16);
    }
  });

  it('keeps every tensor within rank 5 and with whole, non-negative dims over many seeds', () => {
    const o = resolveOptions({ nodes: 10 });
    // one expectation at the end: 30,000 of them took most of a minute, blocking the test worker
    const bad: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const g = generateGraph(caseSeed(2, 40_000 + i), o);
      for (const t of [...g.inputs, ...g.initializers, ...g.valueInfo, ...g.outputs]) {
        if (t.shape.length > 5 || !t.shape.every((d) => Number.isInteger(d) && d >= 0)) bad.push(`seed index ${i}: ${t.name} [${t.shape.join(',')}]`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('rejects bad options with a message naming the problem', () => {
    expect(() => resolveOptions({ nodes: 0 })).toThrow(OptionError);
    expect(() => resolveOptions({ include: ['Conv2D'] })).toThrow(/unknown operator 'Conv2D' \(known: .*Add/);
    expect(() => resolveOptions({ opset: 12 })).toThrow(/opset 12 is not supported/);
    expect(() => resolveOptions({ dtypes: ['float16' as never] })).toThrow(/unknown dtype 'float16'/);
  });
});
