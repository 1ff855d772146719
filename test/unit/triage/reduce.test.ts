import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caseSeed, generateGraph } from '../../../generators/graph.js';
import type { Graph, Tensor } from '../../../src/ir/index.js';
import { interpret } from '../../../src/reference/interpreter.js';
import { searchInputs } from '../../../src/search/search.js';
import { invalidReason, reduce, type TestResult } from '../../../src/triage/reduce.js';
import { bypass, cut, keepOutputs, shrinkAxis, type Candidate } from '../../../src/triage/transforms.js';

/** A generated graph with valid inputs (sampling search, no tfjs needed). */
function validCase(seed: number, nodes: number): { graph: Graph; feeds: Record<string, Tensor> } | undefined {
  const g = generateGraph(caseSeed(seed, 0), { nodes, dtypes: ['float32', 'int64', 'bool'] });
  const r = searchInputs(g, seed, undefined, { method: 'sampling' });
  return r.ok ? { graph: r.graph, feeds: r.feeds } : undefined;
}

/**
 * A synthetic bug for property tests: the graph "fails" when it holds a node of `op` fed by a node of `feeder`
 * (a two-node pattern, like a fusion); any other graph holding `other` shows a different bug.
 */
function pattern(op: string, feeder: string | undefined, other: string) {
  return (g: Graph): TestResult => {
    const producer = new Map(g.nodes.flatMap((n) => n.outputs.map((o) => [o, n.op] as const)));
    const hit = g.nodes.some((n) => n.op === op && (feeder === undefined || n.inputs.some((i) => producer.get(i) === feeder)));
    if (hit) return { kind: 'same' };
    return g.nodes.some((n) => n.op === other) ? { kind: 'other', keys: [other] } : { kind: 'gone' };
  };
}

describe('reducer', () => {
  it('never hands back (or even tries) an invalid graph, and always one in the same bucket', async () => {
    let reduced = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 4, max: 14 }), fc.nat(), async (seed, nodes, pick) => {
        const c = validCase(seed, nodes);
        if (!c) return;
        const n = c.graph.nodes[pick % c.graph.nodes.length]!;
        const producer = new Map(c.graph.nodes.flatMap((m) => m.outputs.map((o) => [o, m.op] as const)));
        const feeder = n.inputs.map((i) => producer.get(i)).find((x) => x !== undefined);
        const judge = pattern(n.op, feeder, c.graph.nodes[0]!.op);
        expect(judge(c.graph).kind).toBe('same');
        const seen: Candidate[] = [];
        const r = await reduce(c, async (cand) => {
          seen.push(cand);
          const why = invalidReason(cand.graph, cand.feeds);
          if (why !== undefined) throw new Error(`the reducer tried an invalid candidate (${cand.edit}): ${why}`);
          return judge(cand.graph);
        }, { timeMs: 20_000, focusOp: n.op });
        expect(invalidReason(r.graph, r.feeds)).toBeUndefined();
        expect(judge(r.graph).kind).toBe('same');
        expect(r.graph.nodes.length).toBeLessThanOrEqual(c.graph.nodes.length);
        // a one- or two-node pattern reduces to that pattern (plus nothing the pattern does not need)
        if (!r.timedOut) expect(r.graph.nodes.length).toBeLessThanOrEqual(feeder ? 2 : 1);
        expect(r.tests).toBe(seen.length);
        reduced++;
      }),
      { numRuns: 25, seed: 42 },
    );
    expect(reduced).toBeGreaterThan(15);
  }, 120_000);

  it('keeps the best graph so far when time runs out', async () => {
    const c = validCase(7, 12)!;
    const r = await reduce(c, async () => ({ kind: 'same' }), { timeMs: 0 });
    expect(r.timedOut).toBe(true);
    expect(r.graph).toBe(c.graph);
  });
});

describe('graph edits', () => {
  const cases = [3, 11, 29, 57, 91].map((s) => validCase(s, 12)).filter((c) => c !== undefined);

  it('cutting a tensor into an input keeps every remaining output bit for bit', () => {
    expect(cases.length).toBeGreaterThan(2);
    for (const c of cases) {
      const env = interpret(c.graph, c.feeds);
      for (const n of c.graph.nodes) {
        for (const t of n.outputs) {
          const cand = cut(c.graph, c.feeds, env, [t]);
          if (!cand) continue;
          expect(invalidReason(cand.graph, cand.feeds) ?? 'valid', cand.edit).not.toMatch(/defined|never produced|does not match/);
          const after = interpret(cand.graph, cand.feeds);
          for (const o of cand.graph.outputs) expect(Array.from(after.get(o.name)!.data)).toEqual(Array.from(env.get(o.name)!.data));
          expect(cand.graph.nodes.length).toBeLessThan(c.graph.nodes.length);
        }
      }
    }
  });

  it('keeping one output prunes everything it does not need; bypass reroutes a same-typed input', () => {
    for (const c of cases) {
      for (const n of c.graph.nodes) {
        const k = keepOutputs(c.graph, c.feeds, [n.outputs[0]!]);
        if (k) {
          expect(k.graph.outputs.map((o) => o.name)).toEqual([n.outputs[0]]);
          const used = new Set(k.graph.nodes.flatMap((m) => m.inputs));
          for (const i of k.graph.inputs) expect(used.has(i.name)).toBe(true);
          expect(Object.keys(k.feeds).sort()).toEqual(k.graph.inputs.map((i) => i.name).sort());
        }
        n.inputs.forEach((_, i) => {
          const b = bypass(c.graph, c.feeds, n, i);
          if (b) expect(b.graph.nodes.some((m) => m.name === n.name)).toBe(false);
        });
      }
    }
  });

  it('shrinking an input axis re-infers the shapes downstream, or declines', () => {
    let shrunk = 0;
    for (const c of cases) {
      for (const i of c.graph.inputs) {
        i.shape.forEach((d, axis) => {
          if (d < 2) return;
          const s = shrinkAxis(c.graph, c.feeds, i.name, axis, 1);
          if (!s) return;
          shrunk++;
          expect(s.feeds[i.name]!.shape[axis]).toBe(1);
          expect(invalidReason(s.graph, s.feeds) ?? 'valid').not.toMatch(/declared|does not match/);
        });
      }
    }
    expect(shrunk).toBeGreaterThan(0);
  });
});
