/**
 * The input search: valid values for chains of domain-limited operators, integer and bool paths the gradient
 * cannot reach, values at discontinuities, weights versus constants, determinism; and the interval reasoning it
 * samples from (operator ranges, leaf hints).
 */
import type * as tfjs from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { caseSeed, generateGraph, randomFromSeed, resolveOptions } from '../../../generators/graph.js';
import { findOp } from '../../../generators/ops/index.js';
import { outputRanges, SHAPE_RANGED } from '../../../generators/ops/ranges.js';
import type { Interval } from '../../../generators/ops/spec.js';
import { intervalFor, leafHints, leafNeeds, sampleFeeds, sampleTensor } from '../../../generators/values.js';
import type { Graph, Initializer, Tensor, ValueInfo } from '../../../src/ir/index.js';
import { interpret } from '../../../src/reference/interpreter.js';
import { evalTfjsNodes, leafTensors } from '../../../src/backends/tfjs.js';
import { loadSearchTf, proxyWrap, searchInputs } from '../../../src/search/search.js';
import { firstViolation, holds, nodeConstraints } from '../../../src/search/violations.js';
import { chain, f32, type Shape } from '../../helpers/chain.js';

let tf: typeof tfjs;
beforeAll(async () => {
  tf = await loadSearchTf();
}, 60_000);

const FLOAT = 1;

/** A graph from a chain description, every produced tensor's type given (the argument order the tests here read best in). */
function graphOf(
  inputs: readonly ValueInfo[],
  initializers: readonly Initializer[],
  nodes: Parameters<typeof chain>[1],
  types: Readonly<Record<string, Shape>>,
): Graph {
  return chain(inputs, nodes, [], types, initializers);
}

function finiteEverywhere(g: Graph, feeds: Record<string, Tensor>): boolean {
  const env = interpret(g, feeds);
  return [...env.values()].every((t) => Array.from(t.data).every(Number.isFinite));
}


/**
 * Checks the search's tfjs gradient of sum(w * out) with respect to every float graph input against central
 * differences of the float64 reference, at fixed smooth input values.
 */
/** The search makes `g` valid for seeds 0 to `seeds` - 1, mostly by gradient steps (redraws under half its iterations). */
function expectMostlyGradient(g: Graph, seeds: number): void {
  for (let seed = 0; seed < seeds; seed++) {
    const r = searchInputs(g, seed, tf);
    expect(r.ok, `seed ${seed}: ${JSON.stringify(r.failure)}`).toBe(true);
    expect(r.fallbacks, `seed ${seed}`).toBeLessThan(r.iterations / 2);
  }
}

/** The gradient of the sum of `out` with respect to input x, as the search computes it (proxyWrap), at `feeds`. */
function searchGradient(g: Graph, feeds: Record<string, Tensor>, out: string): number[] {
  return tf.tidy(() => {
    const env = leafTensors(tf, g, feeds);
    const v = tf.variable(env.get('x')!, true, `search_gradient_${variableCount++}`);
    const { grads } = tf.variableGrads(() => {
      const local = new Map(env);
      local.set('x', v);
      evalTfjsNodes(tf, g, g.nodes, local, proxyWrap(tf));
      return tf.sum(local.get(out)!) as tfjs.Scalar;
    }, [v]);
    const values = Array.from(grads[v.name]!.dataSync());
    v.dispose();
    return values;
  });
}

function expectReferenceGradient(g: Graph, out: string): void {
  const outType = [...g.outputs, ...g.valueInfo].find((t) => t.name === out)!;
  const w = Array.from({ length: outType.shape.reduce((a, d) => a * d, 1) }, (_, k) => Math.cos(3 * k + 1));
  const feeds: Record<string, Tensor> = {};
  g.inputs.forEach((i, n) => {
    const size = i.shape.reduce((a, d) => a * d, 1);
    feeds[i.name] = { dtype: i.dtype, shape: [...i.shape], data: Float64Array.from({ length: size }, (_, k) => Math.sin(k + 0.5 + 7 * n)) };
  });
  const loss = (name: string, data: Float64Array): number =>
    Array.from(interpret(g, { ...feeds, [name]: { ...feeds[name]!, data } }).get(out)!.data).reduce((a, v, k) => a + v * w[k]!, 0);
  for (const i of g.inputs) {
    const grad = tf.tidy(() => {
      const env = leafTensors(tf, g, feeds);
      const v = tf.variable(env.get(i.name)!, true, `gradient_check_${i.name}_${variableCount++}`);
      const { grads } = tf.variableGrads(() => {
        const local = new Map(env);
        local.set(i.name, v);
        evalTfjsNodes(tf, g, g.nodes, local, proxyWrap(tf));
        return tf.sum(tf.mul(local.get(out)!, tf.tensor(w, [...outType.shape]))) as tfjs.Scalar;
      }, [v]);
      const values = Array.from(grads[v.name]!.dataSync());
      v.dispose();
      return values;
    });
    const x = feeds[i.name]!.data;
    for (let k = 0; k < x.length; k++) {
      const up = Float64Array.from(x);
      const down = Float64Array.from(x);
      up[k]! += 1e-4;
      down[k]! -= 1e-4;
      expect(grad[k]!, `${i.name}[${k}]`).toBeCloseTo((loss(i.name, up) - loss(i.name, down)) / 2e-4, 2);
    }
  }
}
let variableCount = 0;

describe('input search', () => {
  it('finds values for Log(Asin(x)), which needs x in (0, 1) everywhere, and every intermediate is finite', () => {
    const shape = [4, 6];
    const g = graphOf(
      [{ name: 'x', ...f32(shape) }],
      [],
      [
        { op: 'Asin', ins: ['x'], out: 'a' },
        { op: 'Log', ins: ['a'], out: 'l' },
      ],
      { a: f32(shape), l: f32(shape) },
    );
    for (let seed = 0; seed < 5; seed++) {
      const r = searchInputs(g, seed, tf);
      expect(r.ok, `seed ${seed}: ${JSON.stringify(r.failure)}`).toBe(true);
      expect(firstViolation(r.graph, r.feeds).violation).toBeUndefined();
      expect(finiteEverywhere(r.graph, r.feeds)).toBe(true);
    }
  });

  it('samples integer leaves whose bounds hold no whole number, or none outside a gap, without drawing forever', () => {
    // a campaign hung on this: the integer draw looped until it found a value that did not exist
    const rng = randomFromSeed(3);
    const type = { dtype: 'int32' as const, shape: [64] };
    const none = sampleTensor(rng, type, [{ rel: 'ge', value: 0.2 }, { rel: 'le', value: 0.8 }]);
    expect(Array.from(none.data).every((v) => v === 1 || v === 0)).toBe(true);
    // |x| <= 1.5 and |x| >= 1.2: no whole number at all
    const gapped = sampleTensor(rng, type, [{ rel: 'abs-le', value: 1.5 }, { rel: 'abs-ge', value: 1.2 }]);
    expect(Array.from(gapped.data).every((v) => Number.isInteger(v) && Math.abs(v) <= 1)).toBe(true);
    // with room on one side only, every draw lands there
    const oneSide = sampleTensor(rng, type, [{ rel: 'ge', value: -1 }, { rel: 'le', value: 5 }, { rel: 'abs-ge', value: 2 }]);
    expect(Array.from(oneSide.data).every((v) => v >= 2 && v <= 5)).toBe(true);
  });

  it('samples leaves within hints derived from the domains downstream', () => {
    const g = graphOf(
      [{ name: 'x', ...f32([3]) }],
      [],
      [
        { op: 'Asin', ins: ['x'], out: 'a' },
        { op: 'Log', ins: ['a'], out: 'l' },
      ],
      { a: f32([3]), l: f32([3]) },
    );
    const iv = intervalFor('float32', leafHints(g).get('x') ?? []);
    expect(iv.lo).toBeGreaterThan(0);
    expect(iv.hi).toBeLessThanOrEqual(1);
  });

  it('hints both operands of a shared demand toward the side one of them must take: Log(ReduceSum(Div(x, w))) with Sqrt(x)', () => {
    const g = graphOf(
      [{ name: 'x', ...f32([3, 4]) }],
      [{ name: 'w', dtype: 'float32', shape: [3, 1], kind: 'weight', data: [1, 1, 1] }],
      [
        { op: 'Sqrt', ins: ['x'], out: 'q' },
        { op: 'Div', ins: ['x', 'w'], out: 'd' },
        { op: 'ReduceLogSum', ins: ['d'], out: 'l' },
      ],
      { q: f32([3, 4]), d: f32([3, 4]), l: f32([1, 1]) },
    );
    // x >= 0 for Sqrt, so a quotient above 0 wants w > 0, not the w < 0 that would drive x to 0
    expect(intervalFor('float32', leafHints(g).get('w') ?? []).lo).toBeGreaterThan(0);
    expect(intervalFor('float32', leafHints(g).get('x') ?? []).lo).toBeGreaterThan(0);
    for (let seed = 0; seed < 3; seed++) expect(searchInputs(g, seed, tf).ok, `seed ${seed}`).toBe(true);
  });

  it('hints an integer operand with whole numbers: Asin(Pow(x, n)) gets n in [1, 4], not the shared (0.24, 0.70) that draws n = 0; a bool never (0.01, 0.99)', () => {
    const g = graphOf(
      [{ name: 'x', ...f32([6]) }, { name: 'n', dtype: 'int32', shape: [] }],
      [],
      [
        { op: 'Sqrt', ins: ['x'], out: 'q' },
        { op: 'Pow', ins: ['x', 'n'], out: 'p' },
        { op: 'Asin', ins: ['p'], out: 'a' },
      ],
      { q: f32([6]), p: f32([6]), a: f32([6]) },
    );
    const n = intervalFor('int32', leafHints(g).get('n') ?? []);
    expect(n.lo).toBeGreaterThanOrEqual(1);
    expect(n.hi).toBeGreaterThanOrEqual(n.lo);
    for (let seed = 0; seed < 3; seed++) expect(searchInputs(g, seed, tf).iterations, `seed ${seed}`).toBeLessThan(4);
    // a bool whose demands meet only strictly between 0 and 1 (Log and Atanh of its Cast) is hinted nothing
    const b = graphOf(
      [{ name: 'b', dtype: 'bool', shape: [2] }],
      [],
      [
        { op: 'Cast', ins: ['b'], out: 'c', attrs: { to: 1 } },
        { op: 'Log', ins: ['c'], out: 'l' },
        { op: 'Atanh', ins: ['c'], out: 'a' },
      ],
      { c: f32([2]), l: f32([2]), a: f32([2]) },
    );
    expect(leafHints(b).get('b')).toBeUndefined();
  });

  it('refines a hint that one grid point alone meets: Atanh(200x + 2) needs x within (-0.015, -0.005), around -0.01', () => {
    const g = graphOf(
      [{ name: 'x', ...f32([6]) }],
      [
        { name: 'k', dtype: 'float32', shape: [], kind: 'constant', data: [200] },
        { name: 'two', dtype: 'float32', shape: [], kind: 'constant', data: [2] },
      ],
      [
        { op: 'Mul', ins: ['x', 'k'], out: 'm' },
        { op: 'Add', ins: ['m', 'two'], out: 'a' },
        { op: 'Atanh', ins: ['a'], out: 't' },
      ],
      { m: f32([6]), a: f32([6]), t: f32([6]) },
    );
    // a range of values, not -0.01 for every element
    const iv = intervalFor('float32', leafHints(g).get('x') ?? []);
    expect(iv.hi).toBeGreaterThan(iv.lo);
    expect(iv.lo).toBeGreaterThanOrEqual(-0.015);
    expect(iv.hi).toBeLessThanOrEqual(-0.005);
  });

  it('looks past the sampling range for hints when nothing within it works: Log(HardSigmoid(x)) positive only below -7.8', () => {
    const g = graphOf(
      [{ name: 'x', ...f32([16]) }],
      [],
      [
        { op: 'HardSigmoid', ins: ['x'], out: 'h', attrs: { alpha: -0.12, beta: -0.944 } },
        { op: 'Log', ins: ['h'], out: 'l' },
      ],
      { h: f32([16]), l: f32([16]) },
    );
    const iv = intervalFor('float32', leafHints(g).get('x') ?? []);
    // draws land beyond -0.944 / 0.12, short of a far end
    expect(iv.hi).toBeLessThan(-0.944 / 0.12);
    expect(iv.lo).toBeGreaterThan(-50);
    const draws = sampleTensor(randomFromSeed(1), { dtype: 'float32', shape: [64] }, leafHints(g).get('x')).data;
    expect(Array.from(draws).every((v) => v >= iv.lo && v <= iv.hi)).toBe(true);
    for (let seed = 0; seed < 3; seed++) {
      const r = searchInputs(g, seed, tf);
      expect(r.ok, `seed ${seed}: ${JSON.stringify(r.failure)}`).toBe(true);
      expect(r.iterations, `seed ${seed}`).toBeLessThan(4);
    }
  });

  it('crosses a saturated region by its straight-through gradient: Reciprocal(HardSigmoid(x)) is 0 until x passes 7.85', () => {
    // the rest of x must stay within Acos's domain, so no hint for the whole of x can ask for 7.85: only steps move
    // the first part there, and every one of them leaves the score as it was until the HardSigmoid leaves 0
    const parts = graphOf(
      [{ name: 'x', ...f32([3, 5, 2]) }],
      [{ name: 'sp', dtype: 'int64', shape: [2], kind: 'constant', data: [1, 4] }],
      [
        { op: 'HardSigmoid', ins: ['a'], out: 'h', attrs: { beta: -1.5693359375 } },
        { op: 'Reciprocal', ins: ['h'], out: 'r' },
        { op: 'Acos', ins: ['b'], out: 'c' },
      ],
      { h: f32([3, 1, 2]), r: f32([3, 1, 2]), c: f32([3, 4, 2]) },
    );
    const split = { op: 'Split', name: 'split', inputs: ['x', 'sp'], outputs: ['a', 'b'], attrs: { axis: 1 } };
    const g: Graph = { ...parts, nodes: [split, ...parts.nodes], valueInfo: [...parts.valueInfo, { name: 'a', ...f32([3, 1, 2]) }, { name: 'b', ...f32([3, 4, 2]) }] };
    for (let seed = 0; seed < 3; seed++) {
      const r = searchInputs(g, seed, tf);
      expect(r.ok, `seed ${seed}: ${JSON.stringify(r.failure)}`).toBe(true);
      expect(finiteEverywhere(r.graph, r.feeds)).toBe(true);
    }
  });

  it('passes a floored slope back through a saturated Tanh: Floor(Tanh(ReduceL2(x))) sits on 1 in float32 past 9', () => {
    // 54 draws within [-3, 3] have an L2 norm near 12, where float32 rounds Tanh to exactly 1 (float64 keeps it
    // below) and its true slope 1 - tanh^2 is exactly 0
    const g = graphOf(
      [{ name: 'x', ...f32([54]) }],
      [],
      [
        { op: 'ReduceL2', ins: ['x'], out: 'l', attrs: { keepdims: 0 } },
        { op: 'Tanh', ins: ['l'], out: 't' },
        { op: 'Floor', ins: ['t'], out: 'f' },
      ],
      { l: f32([]), t: f32([]), f: f32([]) },
    );
    for (let seed = 0; seed < 3; seed++) {
      const r = searchInputs(g, seed, tf);
      expect(r.ok, `seed ${seed}: ${JSON.stringify(r.failure)}`).toBe(true);
    }
  });

  it('moves a whole number a saturated map sits on inward: Floor(Tanh(12x)) beside Asin(x) takes one step', () => {
    // Tanh(12x) rounds to exactly 1 in float32 for x past 0.75 (float64 keeps it below 1), so Floor sits on its step
    // there; Asin keeps x below 1, so Tanh cannot get far enough up to be 1 in float64 too: the step must go down
    const g = graphOf(
      [{ name: 'x', ...f32([40]) }],
      [{ name: 'k', kind: 'constant', dtype: 'float32', shape: [], data: [12] }],
      [
        { op: 'Asin', ins: ['x'], out: 'a' },
        { op: 'Mul', ins: ['x', 'k'], out: 'm' },
        { op: 'Tanh', ins: ['m'], out: 't' },
        { op: 'Floor', ins: ['t'], out: 'f' },
      ],
      { a: f32([40]), m: f32([40]), t: f32([40]), f: f32([40]) },
    );
    for (let seed = 0; seed < 4; seed++) {
      const r = searchInputs(g, seed, tf);
      expect(r.ok, `seed ${seed}: ${JSON.stringify(r.failure)}`).toBe(true);
      // the first draw and one gradient step (pushed up, against Asin's bound, it took four evaluations)
      expect(r.iterations, `seed ${seed}`).toBe(2);
    }
  });

  it('pulls a large dividend of an unstable Mod down: fmod(ReduceSumSquare(x), w) of 384 draws is near 1200', () => {
    // the remainder carries the rounding of a sum near 1200 whole, a thousandth of a remainder below 1.5, wherever
    // the quotient falls; only a smaller sum (or a remainder near the divisor, by chance) is stable
    const g = graphOf(
      [{ name: 'x', ...f32([384]) }],
      [{ name: 'w', kind: 'weight', dtype: 'float32', shape: [2], data: [-1.354, 1.147] }],
      [
        { op: 'ReduceSumSquare', ins: ['x'], out: 's', attrs: { keepdims: 0 } },
        { op: 'Mod', ins: ['s', 'w'], out: 'm', attrs: { fmod: 1 } },
      ],
      { s: f32([]), m: f32([2]) },
    );
    expectMostlyGradient(g, 4);
  });

  it('differentiates ReduceProd in log space, so a product that underflows float32 still has a direction', () => {
    const node = { op: 'ReduceProd', name: 'p', inputs: ['x'], outputs: ['y'], attrs: { keepdims: 0 } };
    const lower = proxyWrap(tf)(node, (ins) => [tf.prod(ins[0]!, [0, 1], false)]);
    // 1000 factors of 0.1, one of them negative: the product (-1e-1000) is 0 in float32
    const data = new Float32Array(1000).fill(0.1);
    data[0] = -0.1;
    const g = Array.from(tf.grad((a: tfjs.Tensor) => tf.sum(lower([a])[0]!))(tf.tensor2d(data, [2, 500])).dataSync());
    // the others' product is negative for every positive factor and positive for the negative one
    expect(g[0]).toBeGreaterThan(0);
    expect(g.slice(1).every((v) => v < 0)).toBe(true);
    // where it does not underflow, the true gradient: d(abc)/da = bc
    const small = Array.from(tf.grad((a: tfjs.Tensor) => tf.sum(lower([a])[0]!))(tf.tensor2d([[0.5, 2, -1]])).dataSync());
    expect(small[0]).toBeCloseTo(-2, 5);
    expect(small[1]).toBeCloseTo(-0.5, 5);
    expect(small[2]).toBeCloseTo(1, 5);
  });

  it('climbs a divisor that is a product of many factors by orders of magnitude: Reciprocal(ReduceProd(Exp(x)))', () => {
    // the product of 48 exponentials starts near 1e-8 and must reach 1e-3, while ReduceProd keeps every factor
    // within 2: each step multiplies the product, and factors near 2 must not cross it
    const g = graphOf(
      [{ name: 'x', ...f32([4, 12]) }],
      [{ name: 'bias', dtype: 'float32', shape: [], kind: 'constant', data: [-0.35] }],
      [
        { op: 'Add', ins: ['x', 'bias'], out: 'a' },
        { op: 'Exp', ins: ['a'], out: 'e' },
        { op: 'ReduceProd', ins: ['e'], out: 'p', attrs: { keepdims: 0 } },
        { op: 'Reciprocal', ins: ['p'], out: 'r' },
      ],
      { a: f32([4, 12]), e: f32([4, 12]), p: f32([]), r: f32([]) },
    );
    for (let seed = 0; seed < 4; seed++) {
      const r = searchInputs(g, seed, tf);
      expect(r.ok, `seed ${seed}: ${JSON.stringify(r.failure)}`).toBe(true);
      expect(finiteEverywhere(r.graph, r.feeds)).toBe(true);
    }
  });

  it('counts a divisor climbing by orders of magnitude as progress: Reciprocal(ReduceProd(x)) over 128 factors that Asin bounds', () => {
    // |x| <= 0.999 and a product of at least 1e-3: a geometric mean above 0.947, reached by factors of ten
    const g = graphOf(
      [{ name: 'x', ...f32([128]) }],
      [],
      [
        { op: 'Asin', ins: ['x'], out: 's' },
        { op: 'ReduceProd', ins: ['x'], out: 'p', attrs: { keepdims: 0 } },
        { op: 'Reciprocal', ins: ['p'], out: 'r' },
      ],
      { s: f32([128]), p: f32([]), r: f32([]) },
    );
    for (let seed = 0; seed < 6; seed++) {
      const r = searchInputs(g, seed, tf);
      expect(r.ok, `seed ${seed}: ${JSON.stringify(r.failure)}`).toBe(true);
    }
  });

  it('retries a step that broke an earlier bound with wider margins there: Reciprocal(ReduceProd(Exp(MatMul(a, b))))', () => {
    // ReduceProd keeps each of its 48 factors within 2 while Reciprocal needs their product up from about 1e-8: every
    // step pushes all products a * b up, and those near log 2 cross it unless the retried step holds them back
    const g = graphOf(
      [{ name: 'a', ...f32([4, 2, 1, 2]) }, { name: 'b', ...f32([4, 1, 2, 6]) }],
      [],
      [
        { op: 'MatMul', ins: ['a', 'b'], out: 'm' },
        { op: 'Exp', ins: ['m'], out: 'e' },
        { op: 'ReduceProd', ins: ['e'], out: 'p', attrs: { keepdims: 0 } },
        { op: 'Reciprocal', ins: ['p'], out: 'r' },
      ],
      { m: f32([4, 2, 1, 6]), e: f32([4, 2, 1, 6]), p: f32([]), r: f32([]) },
    );
    let ok = 0;
    for (let seed = 0; seed < 8; seed++) if (searchInputs(g, seed, tf).ok) ok++;
    // without the retry, 1 of these 8 searches succeeds
    expect(ok).toBeGreaterThanOrEqual(6);
  });

  it('holds a broadcast operand still when a step breaks an earlier node: Asin(Acos(x - b)) with b shared by a column', () => {
    // Acos needs x - b within 0.999, Asin needs Acos of it within 0.999 (x - b >= 0.54): b moves every row of its
    // column at once, pushing rows near the top past 0.999 while lifting the rest, so only x may move
    const g = graphOf(
      [{ name: 'x', ...f32([8, 4]) }, { name: 'b', ...f32([4]) }],
      [],
      [
        { op: 'Sub', ins: ['x', 'b'], out: 'z' },
        { op: 'Acos', ins: ['z'], out: 'a' },
        { op: 'Asin', ins: ['a'], out: 's' },
      ],
      { z: f32([8, 4]), a: f32([8, 4]), s: f32([8, 4]) },
    );
    for (let seed = 0; seed < 4; seed++) {
      const r = searchInputs(g, seed, tf);
      expect(r.ok, `seed ${seed}: ${JSON.stringify(r.failure)}`).toBe(true);
      expect(finiteEverywhere(r.graph, r.feeds)).toBe(true);
    }
  });

  it("redraws a condition no gradient reaches while the gradient closes in on a bound it never crosses: Acosh(Where(c, Sigmoid(x), y))", () => {
    // with c true, Acosh needs Sigmoid(x) >= 1, which each step approaches and none reaches; with c false, y >= 1 does
    const g = graphOf(
      [{ name: 'c', dtype: 'bool', shape: [] }, { name: 'x', ...f32([1]) }, { name: 'y', ...f32([]) }],
      [],
      [
        { op: 'Sigmoid', ins: ['x'], out: 's' },
        { op: 'Where', ins: ['c', 's', 'y'], out: 'w' },
        { op: 'Acosh', ins: ['w'], out: 'a' },
      ],
      { s: f32([1]), w: f32([1]), a: f32([1]) },
    );
    for (let seed = 0; seed < 8; seed++) {
      const r = searchInputs(g, seed, tf);
      expect(r.ok, `seed ${seed}: ${JSON.stringify(r.failure)}`).toBe(true);
      expect(r.feeds['c']!.data[0]).toBe(0);
    }
  });

  it('steers integer and bool leaves that reach a domain only through Cast', () => {
    const shape = [5, 4];
    const g = graphOf(
      [
        { name: 'i', dtype: 'int32', shape },
        { name: 'b', dtype: 'bool', shape },
      ],
      [],
      [
        { op: 'Cast', ins: ['i'], out: 'fi', attrs: { to: FLOAT } },
        { op: 'Acosh', ins: ['fi'], out: 'ai' },
        { op: 'Cast', ins: ['b'], out: 'fb', attrs: { to: FLOAT } },
        { op: 'Log', ins: ['fb'], out: 'lb' },
      ],
      { fi: f32(shape), ai: f32(shape), fb: f32(shape), lb: f32(shape) },
    );
    for (let seed = 0; seed < 5; seed++) {
      const r = searchInputs(g, seed, tf);
      expect(r.ok, `seed ${seed}: ${JSON.stringify(r.failure)}`).toBe(true);
      expect(Array.from(r.feeds.i!.data).every((v) => v >= 1)).toBe(true);
      expect(Array.from(r.feeds.b!.data).every((v) => v === 1)).toBe(true);
    }
  });

  it('moves values off a discontinuity: Ceil(Log(Floor(Cosh(x)))) flips wherever Floor gives 1', () => {
    const shape = [3, 4, 5];
    const g = graphOf(
      [{ name: 'x', ...f32(shape) }],
      [],
      [
        { op: 'Cosh', ins: ['x'], out: 'c' },
        { op: 'Floor', ins: ['c'], out: 'f' },
        { op: 'Log', ins: ['f'], out: 'l' },
        { op: 'Ceil', ins: ['l'], out: 'u' },
      ],
      { c: f32(shape), f: f32(shape), l: f32(shape), u: f32(shape) },
    );
    let solved = 0;
    for (let seed = 0; seed < 4; seed++) {
      const r = searchInputs(g, seed, tf);
      if (!r.ok) continue;
      solved++;
      expect(firstViolation(r.graph, r.feeds).violation).toBeUndefined();
    }
    // every element must land where cosh(x) >= 2; a redraw of everything at once almost never does
    expect(solved).toBeGreaterThanOrEqual(3);
  });

  it('steers a divisor through a reduction of Relus and a quotient through Div by their signs', () => {
    // Reciprocal(ReduceProd(Relu(x))): every x of a lane positive, the product of five away from zero
    const prod = graphOf(
      [{ name: 'x', ...f32([6, 5]) }],
      [],
      [
        { op: 'Relu', ins: ['x'], out: 'r' },
        { op: 'ReduceProd', ins: ['r'], out: 'p', attrs: { axes: [1], keepdims: 1 } },
        { op: 'Reciprocal', ins: ['p'], out: 'q' },
      ],
      { r: f32([6, 5]), p: f32([6, 1]), q: f32([6, 1]) },
    );
    expect(intervalFor('float32', leafHints(prod).get('x') ?? []).lo).toBeGreaterThan(0);
    // Sqrt(Abs(a) / b): b positive, which no gradient finds (it pushes b toward minus infinity)
    const div = graphOf(
      [
        { name: 'a', ...f32([8, 4]) },
        { name: 'b', ...f32([4]) },
      ],
      [],
      [
        { op: 'Abs', ins: ['a'], out: 'm' },
        { op: 'Div', ins: ['m', 'b'], out: 'd' },
        { op: 'Sqrt', ins: ['d'], out: 's' },
      ],
      { m: f32([8, 4]), d: f32([8, 4]), s: f32([8, 4]) },
    );
    expect(intervalFor('float32', leafHints(div).get('b') ?? []).lo).toBeGreaterThan(0);
    for (const g of [prod, div]) {
      for (let seed = 0; seed < 4; seed++) {
        const r = searchInputs(g, seed, tf);
        expect(r.ok, `seed ${seed}: ${JSON.stringify(r.failure)}`).toBe(true);
        expect(firstViolation(r.graph, r.feeds).violation).toBeUndefined();
      }
    }
  });

  it('moves values near -1 too: Atanh(Erf(x)) at x = -4.5, where float32 rounds Erf to exactly -1, is unstable', () => {
    const g = graphOf(
      [{ name: 'x', ...f32([2]) }],
      [],
      [
        { op: 'Erf', ins: ['x'], out: 'e' },
        { op: 'Atanh', ins: ['e'], out: 'a' },
      ],
      { e: f32([2]), a: f32([2]) },
    );
    // erf(-4.5) = -1 + 2e-10: inside Atanh's domain in float64, on its pole in float32
    const near = firstViolation(g, { x: { dtype: 'float32', shape: [2], data: Float64Array.from([-4.5, -1]) } }).violation;
    expect(near?.unstable).toBe(true);
    expect(near?.node.op).toBe('Atanh');
    expect(firstViolation(g, { x: { dtype: 'float32', shape: [2], data: Float64Array.from([-1, 1]) } }).violation).toBeUndefined();
  });

  it('knows a Mean or Sum of one tensor twice is exact: fmod(x, Mean(x, x)) is 0 on every backend, fmod(x, Mean(x, y)) near y = x is not', () => {
    const g = (second: string): Graph =>
      graphOf(
        [{ name: 'x', ...f32([3]) }, { name: 'y', ...f32([3]) }],
        [],
        [
          { op: 'Mean', ins: ['x', second], out: 'm' },
          { op: 'Mod', ins: ['x', 'm'], out: 'r', attrs: { fmod: 1 } },
        ],
        { m: f32([3]), r: f32([3]) },
      );
    const feeds = { x: { dtype: 'float32' as const, shape: [3], data: Float64Array.from([1.7, -2.3, 0.9]) }, y: { dtype: 'float32' as const, shape: [3], data: Float64Array.from([1.7, -2.3, 0.9]) } };
    expect(firstViolation(g('x'), feeds).violation).toBeUndefined();
    // (x + y) / 2 with y = x computes the same value, but nothing makes y equal x on a backend: the quotient sits at 1
    expect(firstViolation(g('y'), feeds).violation?.unstable).toBe(true);
  });

  it('knows Softmax, LogSoftmax and LayerNormalization over lanes of one element are exact: 1, 0 and the bias on every backend', () => {
    const feeds = { x: { dtype: 'float32' as const, shape: [2, 3, 1, 1], data: Float64Array.from([0.3, -1.2, 2.5, 0.7, -0.4, 1.9]) } };
    // Less(LogSoftmax(x), 0) over lanes of one compares an exact 0 with 0: false everywhere, nothing to round
    const less = (axis: number): Graph =>
      graphOf(
        [{ name: 'x', ...f32([2, 3, 1, 1]) }],
        [{ name: 'zero', dtype: 'float32', shape: [], kind: 'constant', data: [0] }],
        [
          { op: 'LogSoftmax', ins: ['x'], out: 'l', attrs: { axis } },
          { op: 'Less', ins: ['l', 'zero'], out: 'c' },
        ],
        { l: f32([2, 3, 1, 1]), c: { dtype: 'bool', shape: [2, 3, 1, 1] } },
      );
    expect(firstViolation(less(3), feeds).violation).toBeUndefined();
    // over lanes of three, LogSoftmax is below 0 and computed: also no violation, but not exact (the check sees no tie)
    expect(firstViolation(less(1), feeds).violation).toBeUndefined();
    // an ArgMax across the batch of a LayerNormalization over lanes of one ties between two copies of the bias; an
    // InstanceNormalization over 1x1 planes is not exact (onnxruntime's is up to 1e-4 off its bias), so it stays unstable
    const tie = (op: string): Graph =>
      graphOf(
        [{ name: 'x', ...f32([2, 3, 1, 1]) }],
        [
          { name: 's', dtype: 'float32', shape: op === 'LayerNormalization' ? [1] : [3], kind: 'weight', data: op === 'LayerNormalization' ? [0.5] : [0.5, 2, -1] },
          { name: 'b', dtype: 'float32', shape: op === 'LayerNormalization' ? [1] : [3], kind: 'weight', data: op === 'LayerNormalization' ? [0.25] : [0.25, -0.7, 1.3] },
        ],
        [
          { op, ins: ['x', 's', 'b'], out: 'n' },
          { op: 'ArgMax', ins: ['n'], out: 'm', attrs: { axis: 0 } },
        ],
        { n: f32([2, 3, 1, 1]), m: { dtype: 'int64', shape: [1, 3, 1, 1] } },
      );
    expect(firstViolation(tie('LayerNormalization'), feeds).violation).toBeUndefined();
    expect(firstViolation(tie('InstanceNormalization'), feeds).violation?.unstable).toBe(true);
  });

  it('steps a Mod divisor past its dividend instead of into the next tooth of the saw: Acosh(fmod(x, y)) needs fmod >= 1', () => {
    const g = graphOf(
      [{ name: 'x', ...f32([6, 5, 1]) }, { name: 'y', ...f32([3]) }],
      [],
      [
        { op: 'Mod', ins: ['x', 'y'], out: 'm', attrs: { fmod: 1 } },
        { op: 'Acosh', ins: ['m'], out: 'a' },
      ],
      { m: f32([6, 5, 3]), a: f32([6, 5, 3]) },
    );
    let steps = 0;
    for (let seed = 0; seed < 4; seed++) {
      const r = searchInputs(g, seed, tf);
      expect(r.ok, `seed ${seed}: ${JSON.stringify(r.failure)}`).toBe(true);
      steps += r.iterations;
    }
    // gradient steps, not a run of lucky redraws
    expect(steps).toBeLessThan(80);
  });

  it('leaves a reduction over lanes of one element unperturbed: Equal(ReduceSum(x), ReduceProd(ReduceSum(x))) is decided', () => {
    // a sum or product of one number is that number on every backend; over lanes of two the sum rounds
    const g = (lane: number): Graph =>
      graphOf(
        [{ name: 'x', ...f32([3, lane]) }],
        [],
        [
          { op: 'ReduceSum', ins: ['x', 'axes'], out: 's', attrs: { keepdims: 1 } },
          { op: 'ReduceProd', ins: ['s'], out: 'p', attrs: { axes: [1], keepdims: 1 } },
          { op: 'Equal', ins: ['s', 'p'], out: 'e' },
        ],
        { s: f32([3, 1]), p: f32([3, 1]), e: { dtype: 'bool', shape: [3, 1] } },
      );
    const feeds = (lane: number): Record<string, Tensor> => ({
      x: { dtype: 'float32', shape: [3, lane], data: Float64Array.from({ length: 3 * lane }, (_, k) => 0.15 + 0.1 * k) },
    });
    const withAxes = (h: Graph): Graph => ({ ...h, initializers: [{ name: 'axes', kind: 'constant', dtype: 'int64', shape: [1], data: [1] }] });
    expect(firstViolation(withAxes(g(1)), feeds(1)).violation).toBeUndefined();
    // ReduceProd over one element still copies: only the sum of two rounds, and both sides read it
    expect(firstViolation(withAxes(g(2)), feeds(2)).violation).toBeUndefined();
  });

  it('keeps a tie one correctly rounded elementwise node makes of equal inputs, not one of a transcendental kernel or of two nodes', () => {
    // Sqrt(Clip(x, 0.5)): every x below 0.5 gives the same value, which ArgMin then ties on; Sqrt rounds once, so every
    // backend gives equal outputs for equal inputs. Sigmoid's vectorised kernels may round equal inputs apart by
    // position, and two Sqrt nodes of the same values are two computations that may round apart
    const feeds = { x: { dtype: 'float32' as const, shape: [6], data: Float64Array.from([-2, -1, 0.3, -3, 0.8, -0.9]) } };
    const lo = { name: 'lo', kind: 'constant' as const, dtype: 'float32' as const, shape: [], data: [0.5] };
    const tie = (op: string): Graph =>
      graphOf(
        [{ name: 'x', ...f32([6]) }],
        [lo],
        [
          { op: 'Clip', ins: ['x', 'lo'], out: 'c' },
          { op, ins: ['c'], out: 's' },
          { op: 'ArgMin', ins: ['s'], out: 'a', attrs: { axis: 0 } },
        ],
        { c: f32([6]), s: f32([6]), a: { dtype: 'int64', shape: [1] } },
      );
    expect(firstViolation(tie('Sqrt'), feeds).violation).toBeUndefined();
    expect(firstViolation(tie('Sigmoid'), feeds).violation?.node.op).toBe('ArgMin');
    const two = graphOf(
      [{ name: 'x', ...f32([6]) }],
      [lo],
      [
        { op: 'Clip', ins: ['x', 'lo'], out: 'c' },
        { op: 'Sqrt', ins: ['c'], out: 's' },
        { op: 'Sqrt', ins: ['c'], out: 't' },
        { op: 'Less', ins: ['s', 't'], out: 'l' },
      ],
      { c: f32([6]), s: f32([6]), t: f32([6]), l: { dtype: 'bool', shape: [6] } },
    );
    const v = firstViolation(two, feeds).violation;
    expect(v?.unstable).toBe(true);
    expect(v?.node.op).toBe('Less');
  });

  it('moves values off a discontinuity by gradient: Floor(2 * Sigmoid(Round(x))) sits on a step wherever Round gives 0', () => {
    // Sigmoid(0) = 0.5 is computed, so rounding moves 2 * 0.5 to either side of Floor's step at 1; Round gives 0 for
    // x in (-0.5, 0.5), a sixth of [-3, 3], so some of 40 elements start there; only Round's proxy gradient reaches x
    const g = graphOf(
      [{ name: 'x', ...f32([40]) }],
      [{ name: 'two', kind: 'constant', dtype: 'float32', shape: [], data: [2] }],
      [
        { op: 'Round', ins: ['x'], out: 'r' },
        { op: 'Sigmoid', ins: ['r'], out: 'h' },
        { op: 'Mul', ins: ['h', 'two'], out: 'm' },
        { op: 'Floor', ins: ['m'], out: 'f' },
      ],
      { r: f32([40]), h: f32([40]), m: f32([40]), f: f32([40]) },
    );
    for (let seed = 0; seed < 4; seed++) {
      const r = searchInputs(g, seed, tf);
      expect(r.ok, `seed ${seed}: ${JSON.stringify(r.failure)}`).toBe(true);
      expect(firstViolation(r.graph, r.feeds).violation).toBeUndefined();
    }
  });

  it('breaks ties for ArgMax by gradient: ArgMax(Sigmoid(Round(x))) ties wherever Round gives equal values in a lane', () => {
    const g = graphOf(
      [{ name: 'x', ...f32([6, 4]) }],
      [],
      [
        { op: 'Round', ins: ['x'], out: 'r' },
        { op: 'Sigmoid', ins: ['r'], out: 'h' },
        { op: 'ArgMax', ins: ['h'], out: 'a', attrs: { axis: 1 } },
      ],
      { r: f32([6, 4]), h: f32([6, 4]), a: { dtype: 'int64', shape: [6, 1] } },
    );
    for (let seed = 0; seed < 4; seed++) {
      const r = searchInputs(g, seed, tf);
      expect(r.ok, `seed ${seed}: ${JSON.stringify(r.failure)}`).toBe(true);
      // the tie loss differentiates (its first-position mask is a constant of the step): no mutation needed
      expect(r.fallbacks).toBe(0);
      expect(firstViolation(r.graph, r.feeds).violation).toBeUndefined();
    }
  });

  it('breaks a many-way ArgMax tie at once, below a first it holds still: Log(1 - Round(x)) leaves Round nothing above 0', () => {
    // lanes of 8 rounded values, most of them 0 at the start: the first 0 is the largest a lane may hold, so every
    // other 0 has to move down past -0.5 while the first stays (raising it gives Round 1 and Log(0))
    const g = graphOf(
      [{ name: 'x', ...f32([4, 8]) }],
      [{ name: 'one', kind: 'constant', dtype: 'float32', shape: [], data: [1] }],
      [
        { op: 'Clip', ins: ['x', '', 'one'], out: 'c' },
        { op: 'Round', ins: ['c'], out: 'r' },
        { op: 'Sub', ins: ['one', 'r'], out: 's' },
        { op: 'Log', ins: ['s'], out: 'l' },
        { op: 'Sigmoid', ins: ['r'], out: 'h' },
        { op: 'ArgMax', ins: ['h'], out: 'a', attrs: { axis: 1 } },
      ],
      { c: f32([4, 8]), r: f32([4, 8]), s: f32([4, 8]), l: f32([4, 8]), h: f32([4, 8]), a: { dtype: 'int64', shape: [4, 1] } },
    );
    let ok = 0;
    for (let seed = 0; seed < 8; seed++) {
      const r = searchInputs(g, seed, tf);
      if (r.ok) {
        ok++;
        expect(firstViolation(r.graph, r.feeds).violation).toBeUndefined();
      }
    }
    expect(ok).toBe(8);
  });

  it('counts a step that moves an unstable node toward stable as progress: Mod(x, Softmax(ReduceSumSquare(Erf(y))))', () => {
    // the quotients x / d sit near whole numbers for some elements whatever most steps do; the stability loss, scored,
    // tells a step that moved them off from one that did not, where counting the elements that move sees no change
    const g = graphOf(
      [{ name: 'x', ...f32([8]) }, { name: 'y', ...f32([8, 7, 1, 7]) }],
      [{ name: 'axes', kind: 'constant', dtype: 'int64', shape: [3], data: [1, 2, 3] }],
      [
        { op: 'Erf', ins: ['y'], out: 'e' },
        { op: 'ReduceSumSquare', ins: ['e', 'axes'], out: 'q', attrs: { keepdims: 0 } },
        { op: 'Softmax', ins: ['q'], out: 's', attrs: { axis: 0 } },
        { op: 'Mod', ins: ['x', 's'], out: 'm', attrs: { fmod: 1 } },
      ],
      { e: f32([8, 7, 1, 7]), q: f32([8]), s: f32([8]), m: f32([8]) },
    );
    let ok = 0;
    for (let seed = 0; seed < 8; seed++) {
      const r = searchInputs(g, seed, tf);
      if (r.ok) ok++;
    }
    // 5 of 8 seeds; scoring only the count of moving elements, 1 of 8
    expect(ok).toBeGreaterThanOrEqual(5);
  });

  it("differentiates CumSum along any axis and Trilu as the reference computes them (tfjs's own gradients are wrong or missing)", () => {
    const g = graphOf(
      [{ name: 'x', ...f32([3, 4]) }],
      [{ name: 'axis', dtype: 'int64', shape: [], kind: 'constant', data: [0] }],
      [
        { op: 'CumSum', ins: ['x', 'axis'], out: 'c', attrs: { exclusive: 1 } },
        { op: 'Trilu', ins: ['c'], out: 't' },
      ],
      { c: f32([3, 4]), t: f32([3, 4]) },
    );
    expectReferenceGradient(g, 't');
    // Acos of a running sum along the first axis: the search gets there by gradient
    const search = graphOf(
      [
        { name: 'w', ...f32([4, 1]) },
        { name: 'y', ...f32([4, 5]) },
      ],
      [{ name: 'axis', dtype: 'int32', shape: [], kind: 'constant', data: [0] }],
      [
        { op: 'Sub', ins: ['w', 'y'], out: 'd' },
        { op: 'CumSum', ins: ['d', 'axis'], out: 'c' },
        { op: 'Acos', ins: ['c'], out: 'a' },
      ],
      { d: f32([4, 5]), c: f32([4, 5]), a: f32([4, 5]) },
    );
    for (let seed = 0; seed < 4; seed++) {
      const r = searchInputs(search, seed, tf);
      expect(r.ok, `seed ${seed}: ${JSON.stringify(r.failure)}`).toBe(true);
    }
  });

  it('spreads a LayerNormalization lane of nearly equal values by gradient (such a lane amplifies every rounding)', () => {
    // 1 + 0.003 x: lanes of values within a few thousandths of 1, which the stability check rejects
    const g = graphOf(
      [{ name: 'x', ...f32([3, 8]) }, { name: 's', ...f32([8]) }],
      [
        { name: 'k', kind: 'constant', dtype: 'float32', shape: [], data: [0.003] },
        { name: 'one', kind: 'constant', dtype: 'float32', shape: [], data: [1] },
      ],
      [
        { op: 'Mul', ins: ['x', 'k'], out: 'm' },
        { op: 'Add', ins: ['m', 'one'], out: 'a' },
        { op: 'LayerNormalization', ins: ['a', 's'], out: 'y', attrs: { axis: -1 } },
      ],
      { m: f32([3, 8]), a: f32([3, 8]), y: f32([3, 8]) },
    );
    for (let seed = 0; seed < 4; seed++) expect(firstViolation(g, sampleFeeds(g, randomFromSeed(seed))).violation?.unstable).toBe(true);
    // redraws alone take several times as long
    expectMostlyGradient(g, 4);
  });

  it('spreads a normalisation lane of exact zeros, which has no variance gradient: LayerNormalization(Relu(x - 2.5))', () => {
    const g = graphOf(
      [{ name: 'x', ...f32([8, 6]) }],
      [
        { name: 'c', kind: 'constant', dtype: 'float32', shape: [], data: [2.5] },
        { name: 'scale', kind: 'constant', dtype: 'float32', shape: [6], data: [1, 1, 1, 1, 1, 1] },
      ],
      [
        { op: 'Sub', ins: ['x', 'c'], out: 's' },
        { op: 'Relu', ins: ['s'], out: 'r' },
        { op: 'LayerNormalization', ins: ['r', 'scale'], out: 'n', attrs: { axis: -1 } },
      ],
      { s: f32([8, 6]), r: f32([8, 6]), n: f32([8, 6]) },
    );
    // most lanes of six start as zeros; mutations alone get there too, but the gradient should find a direction: 5
    // of 8 seeds need no mutation (pushing only by the variance, none does)
    let direct = 0;
    for (let seed = 0; seed < 8; seed++) {
      const r = searchInputs(g, seed, tf);
      expect(r.ok, `seed ${seed}: ${JSON.stringify(r.failure)}`).toBe(true);
      if (r.fallbacks === 0) direct++;
    }
    expect(direct).toBeGreaterThanOrEqual(4);
  });

  it('makes the scale small where nothing can spread a normalisation lane: InstanceNormalization over a Tile of copies', () => {
    // each plane of two is one value twice, whatever x holds: only a small scale (Sqrt(v) near 0) makes it stable
    const g = graphOf(
      [{ name: 'x', ...f32([1, 5, 1]) }, { name: 'v', ...f32([5]) }, { name: 'b', ...f32([5]) }],
      [{ name: 'reps', kind: 'constant', dtype: 'int64', shape: [3], data: [3, 1, 2] }],
      [
        { op: 'Tile', ins: ['x', 'reps'], out: 't' },
        { op: 'Sqrt', ins: ['v'], out: 's' },
        { op: 'InstanceNormalization', ins: ['t', 's', 'b'], out: 'y' },
      ],
      { t: f32([3, 5, 2]), s: f32([5]), y: f32([3, 5, 2]) },
    );
    for (let seed = 0; seed < 6; seed++) {
      const r = searchInputs(g, seed, tf);
      expect(r.ok, `seed ${seed}: ${JSON.stringify(r.failure)}`).toBe(true);
      expect(firstViolation(r.graph, r.feeds).violation).toBeUndefined();
      // by gradient: redraws alone get there only after dozens of mutations
      expect(r.fallbacks, `seed ${seed}`).toBeLessThan(5);
    }
  });

  it('shrinks whole numbers toward zero where their magnitudes sum to too much: Pow(x, ReduceL2(n)) as the generator made it', () => {
    // a generated graph (seed 45010, case 29): Pow's exponent is the L2 norm of 12 integers, which must stay within
    // 4, and the hints leave n its full range (the second Pow and the Atan chain ask for more of the same tensors)
    const i64 = (shape: number[]): Shape => ({ dtype: 'int64', shape });
    const g = graphOf(
      [
        { name: 't0', ...f32([5, 5, 5, 4]) },
        { name: 't7', ...i64([2, 2, 4, 3]) },
        { name: 't10', ...f32([4, 1]) },
        { name: 't12', ...i64([5, 1, 4]) },
        { name: 't13', ...i64([4]) },
      ],
      [{ name: 't5', kind: 'constant', dtype: 'int64', shape: [5], data: [0, 0, 0, 0, 1] }],
      [
        { op: 'Mul', ins: ['t12', 't13'], out: 't3' },
        { op: 'ReduceL2', ins: ['t7'], out: 't1', attrs: { keepdims: 0, axes: [0, 1, 3] } },
        { op: 'Pow', ins: ['t0', 't1'], out: 't2' },
        { op: 'Pow', ins: ['t2', 't3'], out: 't4' },
        { op: 'Reshape', ins: ['t2', 't5'], out: 't6' },
        { op: 'Atan', ins: ['t6'], out: 't8' },
        { op: 'HardSigmoid', ins: ['t8'], out: 't9', attrs: { alpha: 1.1041526794433594, beta: -0.911651611328125 } },
        { op: 'LessOrEqual', ins: ['t9', 't10'], out: 't11' },
        { op: 'Atanh', ins: ['t8'], out: 't16' },
      ],
      {
        t3: i64([5, 1, 4]),
        t1: i64([4]),
        t2: f32([5, 5, 5, 4]),
        t4: f32([5, 5, 5, 4]),
        t6: f32([5, 5, 5, 4, 1]),
        t8: f32([5, 5, 5, 4, 1]),
        t9: f32([5, 5, 5, 4, 1]),
        t11: { dtype: 'bool', shape: [5, 5, 5, 4, 1] },
        t16: f32([5, 5, 5, 4, 1]),
      },
    );
    // redraws alone never get there (0 of 8 seeds); stepping toward zero does for all 8
    let ok = 0;
    for (let seed = 0; seed < 8; seed++) if (searchInputs(g, seed, tf).ok) ok++;
    expect(ok).toBeGreaterThanOrEqual(6);
  });

  it.each(['Elu', 'LeakyRelu'])('passes the gradient straight through %s with alpha 0, flat below 0 like a Relu: Log of it over a Conv', (op) => {
    const g = graphOf(
      [{ name: 'x', ...f32([1, 3, 4, 7]) }, { name: 'w', ...f32([6, 3, 2, 4]) }],
      [],
      [
        { op: 'Conv', ins: ['x', 'w'], out: 'c', attrs: { kernel_shape: [2, 4], strides: [1, 2], auto_pad: 'SAME_LOWER' } },
        { op, ins: ['c'], out: 'e', attrs: { alpha: 0 } },
        { op: 'Log', ins: ['e'], out: 'l' },
      ],
      { c: f32([1, 6, 4, 4]), e: f32([1, 6, 4, 4]), l: f32([1, 6, 4, 4]) },
    );
    // with tfjs's own gradient, zero below 0, none of 6 seeds gets there in the budget (Elu)
    expectMostlyGradient(g, 6);
  });

  it('steadies Sin of a large input, which a rounding of it moves too far, by bringing the input toward 0: Sin(300 x)', () => {
    const g = graphOf(
      [{ name: 'x', ...f32([4, 6]) }],
      [{ name: 'k', kind: 'constant', dtype: 'float32', shape: [], data: [300] }],
      [
        { op: 'Mul', ins: ['x', 'k'], out: 'm' },
        { op: 'Sin', ins: ['m'], out: 'y' },
      ],
      { m: f32([4, 6]), y: f32([4, 6]) },
    );
    // by gradient: redraws alone take 26 mutations over the 6 seeds
    let fallbacks = 0;
    for (let seed = 0; seed < 6; seed++) {
      const r = searchInputs(g, seed, tf);
      expect(r.ok, `seed ${seed}: ${JSON.stringify(r.failure)}`).toBe(true);
      fallbacks += r.fallbacks;
    }
    expect(fallbacks).toBeLessThan(6);
  });

  it('finds a direction for an Elu, Selu or Celu input at exactly 0 (the left slope there, not the 0 of Relu at its kink)', () => {
    // the zeros of a HardSigmoid below its floor meet an Elu at its kink: Reciprocal needs them off zero
    for (const [op, attrs] of [['Elu', { alpha: 0.217 }], ['Selu', { alpha: 1.5, gamma: 2 }], ['Celu', { alpha: 0.7 }]] as const) {
      const g = graphOf(
        [{ name: 'x', ...f32([6]) }],
        [],
        [{ op, ins: ['x'], out: 'y', attrs }],
        { y: f32([6]) },
      );
      const grad = searchGradient(g, { x: { dtype: 'float32', shape: [6], data: new Float64Array(6) } }, 'y');
      expect(grad.every((v) => v !== 0), `${op}: ${grad}`).toBe(true);
    }
  });

  it('differentiates a 3-D ConvTranspose with respect to input and weight (tfjs 4.22 has no gradient for it)', () => {
    const g = graphOf(
      [
        { name: 'x', ...f32([1, 2, 2, 3, 2]) },
        { name: 'w', ...f32([2, 1, 2, 1, 2]) },
      ],
      [],
      [{ op: 'ConvTranspose', ins: ['x', 'w'], out: 'y', attrs: { strides: [2, 1, 2], pads: [1, 0, 0, 0, 0, 1] } }],
      { y: f32([1, 1, 3, 3, 3]) },
    );
    expectReferenceGradient(g, 'y');
  });

  it('searches weights, and never touches constants', () => {
    const g = graphOf(
      [{ name: 'x', ...f32([6]) }],
      [
        { name: 'w', dtype: 'float32', shape: [6], kind: 'weight', data: [-2, -1, 0, 0.5, 1, 2] },
        { name: 'k', dtype: 'float32', shape: [6], kind: 'constant', data: [0.5, 0.5, 0.5, 0.5, 0.5, 0.5] },
      ],
      [
        { op: 'Add', ins: ['w', 'k'], out: 's' },
        { op: 'Acosh', ins: ['s'], out: 'a' },
        { op: 'Mul', ins: ['x', 'a'], out: 'm' },
      ],
      { s: f32([6]), a: f32([6]), m: f32([6]) },
    );
    const r = searchInputs(g, 3, tf);
    expect(r.ok, JSON.stringify(r.failure)).toBe(true);
    const k = r.graph.initializers.find((i) => i.name === 'k')!;
    expect(k.data).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    const w = r.graph.initializers.find((i) => i.name === 'w')!;
    expect(w.data.every((v) => v + 0.5 >= 1)).toBe(true);
  });

  it('holds a weight where the graph pins it: Sqrt(Neg(Neg(w))) with Sqrt(Neg(w)) leaves w exactly 0', () => {
    const shape = [6, 8];
    const g = graphOf(
      [{ name: 'x', ...f32(shape) }],
      [{ name: 'w', dtype: 'float32', shape, kind: 'weight', data: Array.from({ length: 48 }, (_, k) => Math.sin(k) * 2) }],
      [
        { op: 'Neg', ins: ['w'], out: 'n' },
        { op: 'Neg', ins: ['n'], out: 'p' },
        { op: 'Sqrt', ins: ['p'], out: 'r' },
        { op: 'Sqrt', ins: ['n'], out: 'q' },
        { op: 'Add', ins: ['x', 'q'], out: 'a' },
      ],
      { n: f32(shape), p: f32(shape), r: f32(shape), q: f32(shape), a: f32(shape) },
    );
    expect(leafNeeds(g).get('w')).toEqual([0, 0]);
    for (let seed = 0; seed < 3; seed++) {
      const r = searchInputs(g, seed, tf);
      expect(r.ok, `seed ${seed}: ${JSON.stringify(r.failure)}`).toBe(true);
      expect(r.graph.initializers.find((i) => i.name === 'w')!.data.every((v) => v === 0)).toBe(true);
    }
  });

  it('passes a straight-through gradient in the direction the operator moves: HardSigmoid with a negative alpha falls', () => {
    const g = graphOf(
      [{ name: 'x', ...f32([6]) }],
      [],
      [{ op: 'HardSigmoid', ins: ['x'], out: 'h', attrs: { alpha: -2, beta: 0.5 } }],
      { h: f32([6]) },
    );
    // saturated at 1, saturated at 0, and on the slope
    const feeds = { x: { dtype: 'float32' as const, shape: [6], data: Float64Array.from([-3, -1, 3, 1, 0.1, 0.2]) } };
    const grad = searchGradient(g, feeds, 'h');
    expect(grad.every((d) => d < 0), JSON.stringify(grad)).toBe(true);
    // Log of it needs alpha x + beta > 0, so x < 0.25: a run that starts at x >= 0.25 gets there by gradient
    const logOf = graphOf(
      [{ name: 'x', ...f32([6]) }],
      [],
      [
        { op: 'HardSigmoid', ins: ['x'], out: 'h', attrs: { alpha: -2, beta: 0.5 } },
        { op: 'Log', ins: ['h'], out: 'l' },
      ],
      { h: f32([6]), l: f32([6]) },
    );
    for (let seed = 0; seed < 3; seed++) expect(searchInputs(logOf, seed, tf).ok, `seed ${seed}`).toBe(true);
  });

  it('calls an Equal of floats that float32 rounding can make equal unstable: Equal(Erf(x), 1) at x = 4.2', () => {
    // erf(4.2) is 1 - 2.9e-9 in float64 and exactly 1 in float32 on every backend (a harness bug on a GPU campaign)
    const g = graphOf(
      [{ name: 'x', ...f32([2]) }],
      [{ name: 'one', dtype: 'float32', shape: [], kind: 'constant', data: [1] }],
      [
        { op: 'Erf', ins: ['x'], out: 'e' },
        { op: 'Equal', ins: ['e', 'one'], out: 'q' },
      ],
      { e: f32([2]), q: { dtype: 'bool', shape: [2] } },
    );
    const at = (x: number[]): ReturnType<typeof firstViolation>['violation'] =>
      firstViolation(g, { x: { dtype: 'float32', shape: [2], data: Float64Array.from(x) } }).violation;
    const near = at([0.5, 4.2]);
    expect(near?.node.op).toBe('Equal');
    expect(near?.unstable).toBe(true);
    expect(near?.moved).toEqual([1]);
    expect(at([0.5, 1.5])).toBeUndefined();
    for (let seed = 0; seed < 3; seed++) expect(searchInputs(g, seed, tf).ok, `seed ${seed}`).toBe(true);
  });

  it('gives the same values for the same seed', () => {
    const o = resolveOptions({ nodes: 20 });
    for (let i = 0; i < 4; i++) {
      const g = generateGraph(caseSeed(41, i), o);
      const a = searchInputs(g, i, tf);
      const b = searchInputs(g, i, tf);
      expect(b.ok).toBe(a.ok);
      expect(b.iterations).toBe(a.iterations);
      for (const [name, t] of Object.entries(a.feeds)) expect(Array.from(b.feeds[name]!.data)).toEqual(Array.from(t.data));
      expect(b.graph.initializers.map((x) => x.data)).toEqual(a.graph.initializers.map((x) => x.data));
    }
  });

  it('reports success only for values the reference finds valid', () => {
    const o = resolveOptions({ nodes: 12 });
    let ok = 0;
    for (let i = 0; i < 15; i++) {
      const g = generateGraph(caseSeed(43, i), o);
      const r = searchInputs(g, i, tf);
      if (!r.ok) continue;
      ok++;
      expect(firstViolation(r.graph, r.feeds).violation, `case ${i}`).toBeUndefined();
    }
    expect(ok).toBeGreaterThan(0);
  });

  it('moves equal values an even distance apart, and a normalisation lane of equal values, under the stability check', () => {
    // Exp of one value broadcast down a column: the column's elements are 2 apart (one sign), and a backend may still
    // round them differently (tfjs-wasm did, for two AveragePool windows over the same cells): ArgMax down it is unstable
    const column = graphOf(
      [{ name: 'x', ...f32([1, 2]) }],
      [{ name: 'shape', kind: 'constant', dtype: 'int64', shape: [2], data: [3, 2] }],
      [
        { op: 'Expand', ins: ['x', 'shape'], out: 'b' },
        { op: 'Exp', ins: ['b'], out: 'e' },
        { op: 'ArgMax', ins: ['e'], out: 'a', attrs: { axis: 0, keepdims: 0 } },
      ],
      { b: f32([3, 2]), e: f32([3, 2]), a: { dtype: 'int64', shape: [2] } },
    );
    const x = { x: { dtype: 'float32' as const, shape: [1, 2], data: Float64Array.from([0.3, -0.7]) } };
    expect(firstViolation(column, x).violation?.node.op).toBe('ArgMax');
    // InstanceNormalization of a plane a saturated Clip made uniform: x - mean is 0 in float64, an ulp in a backend's
    // float32, times scale / sqrt(eps)
    const plane = graphOf(
      [{ name: 'x', ...f32([1, 1, 2, 2]) }],
      [
        { name: 'hi', kind: 'constant', dtype: 'float32', shape: [], data: [0.3] },
        { name: 's', kind: 'constant', dtype: 'float32', shape: [1], data: [2] },
        { name: 'bias', kind: 'constant', dtype: 'float32', shape: [1], data: [-0.8] },
      ],
      [
        { op: 'Clip', ins: ['x', '', 'hi'], out: 'c' },
        { op: 'InstanceNormalization', ins: ['c', 's', 'bias'], out: 'n' },
      ],
      { c: f32([1, 1, 2, 2]), n: f32([1, 1, 2, 2]) },
    );
    const saturated = { x: { dtype: 'float32' as const, shape: [1, 1, 2, 2], data: Float64Array.from([1, 2, 3, 4]) } };
    const v = firstViolation(plane, saturated).violation;
    expect(v?.unstable).toBe(true);
    expect(v?.node.op).toBe('InstanceNormalization');
    const spread = { x: { dtype: 'float32' as const, shape: [1, 1, 2, 2], data: Float64Array.from([-1, 0.2, -0.5, 0.1]) } };
    expect(firstViolation(plane, spread).violation).toBeUndefined();
  });

  it("keeps normalisation inputs where a backend's float32 squares stay finite: a lane holding 2.8e18 breaks the domain", () => {
    for (const op of ['LayerNormalization', 'InstanceNormalization']) {
      const g = graphOf(
        [{ name: 'x', ...f32([1, 2, 3]) }],
        [
          { name: 's', kind: 'constant', dtype: 'float32', shape: [op === 'LayerNormalization' ? 3 : 2], data: op === 'LayerNormalization' ? [1, 1, 1] : [1, 1] },
          { name: 'b', kind: 'constant', dtype: 'float32', shape: [op === 'LayerNormalization' ? 3 : 2], data: op === 'LayerNormalization' ? [0, 0, 0] : [0, 0] },
        ],
        [{ op, ins: ['x', 's', 'b'], out: 'n' }],
        { n: f32([1, 2, 3]) },
      );
      const feed = (v: number) => ({ x: { dtype: 'float32' as const, shape: [1, 2, 3], data: Float64Array.from([1, 2, 3, 4, 5, v]) } });
      const v = firstViolation(g, feed(2.8e18)).violation;
      expect(v?.node.op, op).toBe(op);
      expect(v?.constraints.some((c) => c.rel === 'abs-le'), op).toBe(true);
      expect(firstViolation(g, feed(6)).violation, op).toBeUndefined();
    }
  });

  it('treats a float32 result below float32 range as the 0 a backend gives: Cast to bool of a product of 3e-124 is unstable', () => {
    const g = graphOf(
      [{ name: 'x', ...f32([4]) }],
      [],
      [
        { op: 'ReduceProd', ins: ['x'], out: 'p', attrs: { keepdims: 0 } },
        { op: 'Cast', ins: ['p'], out: 'c', attrs: { to: 9 } },
      ],
      { p: f32([]), c: { dtype: 'bool', shape: [] } },
    );
    const feed = (v: number) => ({ x: { dtype: 'float32' as const, shape: [4], data: Float64Array.from([v, v, v, v]) } });
    expect(firstViolation(g, feed(1e-31)).violation?.node.op).toBe('Cast');
    expect(firstViolation(g, feed(0.5)).violation).toBeUndefined();
  });

  it('rounds only what operators compute: a copy compared with its source is stable, a computed equal value is not', () => {
    // Greater(copy(e), e) is false on every backend (e > 0): Relu, Abs and Max select values without rounding
    const compared = (op: string, extra: string[] = []): Graph =>
      graphOf(
        [{ name: 'x', ...f32([3]) }],
        [{ name: 'one', kind: 'constant', dtype: 'float32', shape: [], data: [1] }],
        [
          { op: 'Exp', ins: ['x'], out: 'e' },
          { op, ins: ['e', ...extra], out: 'c' },
          { op: 'Greater', ins: ['c', 'e'], out: 'g' },
        ],
        { e: f32([3]), c: f32([3]), g: { dtype: 'bool', shape: [3] } },
      );
    const feeds = { x: { dtype: 'float32' as const, shape: [3], data: Float64Array.from([0.5, -1, 2]) } };
    for (const op of ['Relu', 'Abs']) {
      expect(firstViolation(compared(op), feeds).violation, op).toBeUndefined();
    }
    expect(firstViolation(compared('Max', ['e']), feeds).violation).toBeUndefined();
    // e * 1 is e too, but a backend computes it: which side of e it lands on is rounding's choice
    const v = firstViolation(compared('Mul', ['one']), feeds).violation;
    expect(v?.unstable).toBe(true);
    expect(v?.node.op).toBe('Greater');
    // a zero computed from equal operands or from zeros is exact (Sign of it is 0 everywhere); e - e * 1 is not
    const signOf = (second: { op: string; ins: string[] }[]): Graph =>
      graphOf(
        [{ name: 'x', ...f32([3]) }],
        [{ name: 'one', kind: 'constant', dtype: 'float32', shape: [], data: [1] }],
        [{ op: 'Exp', ins: ['x'], out: 'e' }, ...second.map((n, i) => ({ ...n, out: `s${i}` })), { op: 'Sign', ins: [`s${second.length - 1}`], out: 'g' }],
        { e: f32([3]), s0: f32([3]), s1: f32([3]), g: f32([3]) },
      );
    expect(firstViolation(signOf([{ op: 'Sub', ins: ['e', 'e'] }]), feeds).violation).toBeUndefined();
    expect(firstViolation(signOf([{ op: 'Sub', ins: ['e', 'e'] }, { op: 'Sqrt', ins: ['s0'] }]), feeds).violation).toBeUndefined();
    const cancelled = firstViolation(signOf([{ op: 'Mul', ins: ['e', 'one'] }, { op: 'Sub', ins: ['e', 's0'] }]), feeds).violation;
    expect(cancelled?.unstable).toBe(true);
    expect(cancelled?.node.op).toBe('Sign');
  });
});

describe('operator ranges', () => {
  // the operators whose ranges are interval arithmetic, or probes of a monotone map (most unary maps estimate theirs
  // from probes; Sin, Cos and Reciprocal declare exact ones)
  const EXACT = new Set([
    'Sin', 'Cos', 'Reciprocal', 'Abs', 'Neg', 'Floor', 'Ceil', 'Round', 'Sign',
    'Add', 'Sub', 'Mul', 'Max', 'Min', 'Sum', 'Mean', 'Cast', 'Clip', 'PRelu', 'Softmax', 'LogSoftmax', 'ArgMax',
    'ArgMin', 'CumSum', 'Trilu', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool', 'ReduceSum', 'ReduceMean',
    'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceSumSquare', 'ReduceLogSum', 'ReduceLogSumExp',
    'Div', 'Mod', 'Pow', 'MatMul', 'Gemm', 'Conv', 'ConvTranspose',
  ]);

  it('contain every value the reference computes from inputs within the given bounds', () => {
    const o = resolveOptions({ nodes: 20 });
    const bounds = (t: Tensor): Interval => {
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of t.data) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      return lo <= hi ? [lo, hi] : [-Infinity, Infinity];
    };
    let checked = 0;
    for (let i = 0; i < 300; i++) {
      const g = generateGraph(caseSeed(45, i), o);
      let env: Map<string, Tensor>;
      try {
        env = interpret(g, sampleFeeds(g, randomFromSeed(i)));
      } catch {
        continue;
      }
      for (const n of g.nodes) {
        const spec = findOp(n.op);
        if (!spec || (!spec.range && !SHAPE_RANGED.has(n.op)) || !EXACT.has(n.op)) continue;
        const values = n.inputs.map((x) => (x === '' ? undefined : env.get(x)));
        // bounds are promised for inputs within the operator's domain (an integer product may wrap outside it)
        const broken = nodeConstraints(n, values).some((c) => Array.from(values[c.input]?.data ?? []).some((v) => !holds(c, v)));
        if (broken || values.some((t) => t && !Array.from(t.data).every(Number.isFinite))) continue;
        const ins = values.map((t): Interval => (t === undefined ? [-Infinity, Infinity] : bounds(t)));
        if (ins.some((r) => Number.isNaN(r[0]) || Number.isNaN(r[1]))) continue;
        // with the shapes' tightening (ArgMax indexes n elements, a Softmax lane of one is exactly 1, a reduction's
        // lanes hold as many elements as its input holds per output element)
        const out = outputRanges(spec, ins, values, n.attrs, n.outputs.length, n.outputs.map((x) => env.get(x)));
        n.outputs.forEach((name, k) => {
          const t = env.get(name)!;
          if (!Array.from(t.data).every(Number.isFinite)) return;
          const r = out[k]!;
          const [lo, hi] = bounds(t);
          const tol = 1e-9 * Math.max(1, Math.abs(lo), Math.abs(hi));
          expect(lo, `case ${i} ${n.op} ${JSON.stringify(n.attrs)}`).toBeGreaterThanOrEqual(r[0] - tol);
          expect(hi, `case ${i} ${n.op} ${JSON.stringify(n.attrs)}`).toBeLessThanOrEqual(r[1] + tol);
          checked++;
        });
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('count the elements of a lane where the shapes tell: a reduction over k elements, a CumSum along a known axis', () => {
    const t = (shape: number[]): Shape => f32(shape);
    const ranges = (op: string, ins: Interval[], inT: Shape[], attrs: Record<string, number>, outT: Shape[]): Interval =>
      outputRanges(findOp(op), ins, inT, attrs, 1, outT)[0]!;
    // 16 elements within [0, 3] per lane: LogSumExp at least log 16, a sum at most 48, L2 norm at most 12
    expect(ranges('ReduceLogSumExp', [[0, 3]], [t([4, 16])], { axes: 1 }, [t([4, 1])])[0]).toBeCloseTo(Math.log(16), 12);
    expect(ranges('ReduceSum', [[0.5, 3]], [t([4, 16])], {}, [t([4, 1])])).toEqual([8, 48]);
    expect(ranges('ReduceL2', [[1, 3]], [t([4, 16])], {}, [t([4])])).toEqual([4, 12]);
    expect(ranges('ReduceProd', [[2, 3]], [t([4, 2])], {}, [t([4])])).toEqual([4, 9]);
    // a log of 16 positive terms each at most 0.5 is at most log 8, however small they get (the domain keeps them > 0)
    expect(ranges('ReduceLogSum', [[0, 0.5]], [t([4, 16])], {}, [t([4, 1])])).toEqual([-Infinity, Math.log(8)]);
    expect(ranges('ReduceLogSum', [[0.25, 0.5]], [t([4, 16])], {}, [t([4, 1])])).toEqual([Math.log(4), Math.log(8)]);
    // without the output's type, only the input's size bounds a lane
    expect(ranges('ReduceLogSumExp', [[0, 3]], [t([4, 16])], {}, [])[0]).toBe(0);
    // a running sum along an axis of one element is the input itself; along four, up to four terms
    const axis = (a: number): Interval => [a, a];
    expect(ranges('CumSum', [[0.5, 2], axis(1)], [t([3, 1]), { dtype: 'int64', shape: [] }], {}, [])).toEqual([0.5, 2]);
    expect(ranges('CumSum', [[0.5, 2], axis(-1)], [t([3, 4]), { dtype: 'int64', shape: [] }], {}, [])).toEqual([0.5, 8]);
    expect(ranges('CumSum', [[0.5, 2], axis(1)], [t([3, 1]), { dtype: 'int64', shape: [] }], { exclusive: 1 }, [])).toEqual([0, 0]);
  });

  it('bound a Clip with an omitted bound by the bound given alone: Clip(Softsign(x), max=2.7) stays below 1', () => {
    const clip = findOp('Clip');
    const x: Interval = [-0.99, 0.99];
    expect(outputRanges(clip, [x, [-Infinity, Infinity], [2.7, 2.7]], [f32([8]), undefined, f32([])], {}, 1)[0]).toEqual([-0.99, 0.99]);
    expect(outputRanges(clip, [x, [0, 0]], [f32([8]), f32([])], {}, 1)[0]).toEqual([0, 0.99]);
    // a bound that is a tensor of unknown values may lift every element anywhere
    expect(outputRanges(clip, [x, [-Infinity, Infinity], [2.7, 2.7]], [f32([8]), f32([]), f32([])], {}, 1)[0]).toEqual([-0.99, 2.7]);
  });

  it('bound an AveragePool by its input unless pad cells count as zeros', () => {
    const avg = findOp('AveragePool')!.range!;
    expect(avg([[0.5, 2]], { kernel_shape: [2, 2], pads: [1, 1, 1, 1] })).toEqual([[0.5, 2]]);
    expect(avg([[0.5, 2]], { kernel_shape: [2, 2], count_include_pad: 1 })).toEqual([[0.5, 2]]);
    expect(avg([[0.5, 2]], { kernel_shape: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 1 })).toEqual([[0, 2]]);
    expect(avg([[0.5, 2]], { kernel_shape: [2, 2], auto_pad: 'SAME_UPPER', count_include_pad: 1 })).toEqual([[0, 2]]);
  });

  it('bound a unary map over finite ends past its probes (an int64 input may reach 1e16)', () => {
    expect(findOp('Abs')!.range!([[-1.1e16, 1.6e15]], {})).toEqual([[0, 1.1e16]]);
    expect(findOp('Neg')!.range!([[-1e15, 2e13]], {})).toEqual([[-2e13, 1e15]]);
  });

  it('bound Sin, Cos and Reciprocal exactly, crests and poles inside narrow intervals included', () => {
    const sin = findOp('Sin')!.range!;
    const cos = findOp('Cos')!.range!;
    const rec = findOp('Reciprocal')!.range!;
    expect(sin([[1.5, 1.65]], {})[0]![1]).toBe(1);
    expect(sin([[-1.65, -1.5]], {})[0]![0]).toBe(-1);
    expect(cos([[3.1, 3.2]], {})[0]![0]).toBe(-1);
    expect(sin([[0, 10]], {})[0]).toEqual([-1, 1]);
    const [lo, hi] = sin([[0.1, 0.2]], {})[0]!;
    expect(lo).toBeCloseTo(Math.sin(0.1), 12);
    expect(hi).toBeCloseTo(Math.sin(0.2), 12);
    expect(rec([[-0.5, 2]], {})[0]).toEqual([-Infinity, Infinity]);
    expect(rec([[0.5, 2]], {})[0]).toEqual([0.5, 2]);
    // random intervals: every value inside maps within the bounds
    const rng = randomFromSeed(3);
    const outside: string[] = [];
    for (let k = 0; k < 200; k++) {
      const a = (rng.nextDouble() - 0.5) * 20;
      const b = a + rng.nextDouble() * (k % 2 === 0 ? 0.3 : 5);
      for (const [f, r] of [[Math.sin, sin], [Math.cos, cos]] as const) {
        const [l, h] = r([[a, b]], {})[0]!;
        for (let j = 0; j <= 100; j++) {
          const y = f(a + ((b - a) * j) / 100);
          if (y < l - 1e-12 || y > h + 1e-12) outside.push(`${f.name}([${a}, ${b}]) = [${l}, ${h}] misses ${y}`);
        }
      }
    }
    expect(outside).toEqual([]);
  });
});
