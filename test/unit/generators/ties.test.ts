/**
 * Structural ties (generators/ties.ts): an ArgMax or ArgMin lane that holds one value whatever the inputs are is
 * infeasible when rounding by position reaches it, and the search agrees on the same graphs; ties that only copies,
 * operators that round once, or whole numbers carry are stable and stay.
 */
import { describe, expect, it } from 'vitest';
import type { Graph, Initializer, ValueInfo } from '../../../src/ir/index.js';
import { infeasibility } from '../../../generators/values.js';
import { loadSearchTf, searchInputs } from '../../../src/search/search.js';
import { firstViolation } from '../../../src/search/violations.js';
import { chain, f32 } from '../../helpers/chain.js';

const shape: Initializer = { name: 'shape', dtype: 'int64', shape: [2], kind: 'constant', data: [3, 4] };
const i64 = { dtype: 'int64' as const, shape: [3] };

/** ArgMax over the last axis of `ops` applied in turn to Expand(s) from a [3, 1] input to [3, 4]. */
function expanded(ops: string[], input: ValueInfo = { name: 's', dtype: 'float32', shape: [3, 1] }): Graph {
  const nodes = [{ op: 'Expand', ins: ['s', 'shape'], out: 'e0' }];
  ops.forEach((op, i) => nodes.push({ op, ins: [`e${i}`, ...(op === 'Add' ? [`e${i}`] : [])], out: `e${i + 1}` }));
  nodes.push({ op: 'ArgMax', ins: [`e${ops.length}`], out: 'am', attrs: { axis: 1, keepdims: 0 } } as (typeof nodes)[number]);
  return chain([input], nodes, [3, 4], { am: i64 }, [shape]);
}

describe('structural ties', () => {
  it('rejects an ArgMax over copies of one value that a transcendental kernel rounds by position, as the search fails on it', async () => {
    const tf = await loadSearchTf();
    const g = expanded(['Sigmoid']);
    expect(infeasibility(g)).toMatch(/ArgMax.*same value whatever the inputs/);
    expect(searchInputs(g, 1, tf).ok).toBe(false);
    // a Softmax of equal values is 1/n whatever they are: lanes of different values tie after it
    const soft = chain([{ name: 'x', dtype: 'float32', shape: [4, 3] }], [
      { op: 'Transpose', ins: ['x'], out: 't', attrs: { perm: [1, 0] } },
      { op: 'Expand', ins: ['x', 'shape3'], out: 'e' },
      { op: 'Softmax', ins: ['e'], out: 's', attrs: { axis: 0 } },
      { op: 'ArgMin', ins: ['s'], out: 'am', attrs: { axis: 2, keepdims: 0 } },
    ], [2, 4, 3], { t: f32([3, 4]), am: { dtype: 'int64', shape: [2, 4] } }, [{ name: 'shape3', dtype: 'int64', shape: [3], kind: 'constant', data: [2, 4, 3] }]);
    expect(infeasibility(soft)).toMatch(/ArgMin/);
    expect(searchInputs(soft, 1, tf).ok).toBe(false);
  });

  it('keeps ties carried by copies and operators that round once, and whole numbers, which the search makes valid', async () => {
    const tf = await loadSearchTf();
    for (const g of [
      expanded([]),
      expanded(['Neg', 'Add']),
      // Ceil's whole numbers stay whole through Sigmoid-free paths, and the perturbation leaves them
      expanded(['Ceil', 'Neg']),
      // a different value per element: no tie
      chain([{ name: 'x', dtype: 'float32', shape: [3, 4] }], [
        { op: 'Sigmoid', ins: ['x'], out: 'e' },
        { op: 'ArgMax', ins: ['e'], out: 'am', attrs: { axis: 1, keepdims: 0 } },
      ], [3, 4], { am: i64 }),
    ]) {
      expect(infeasibility(g)).toBeUndefined();
      expect(searchInputs(g, 1, tf).ok).toBe(true);
    }
  });

  it('follows cumulative sums, global pools and normalisations of single-element lanes to the ArgMax they tie', async () => {
    const tf = await loadSearchTf();
    const axis = (a: number): Initializer => ({ name: `axis${a}`, dtype: 'int64', shape: [], kind: 'constant', data: [a] });
    // a CumSum down the columns of copies: every row holds the same running sums, and CumSum rounds by position
    const cumsum = (a: number): Graph =>
      chain([{ name: 's', dtype: 'float32', shape: [3, 1] }], [
        { op: 'Expand', ins: ['s', 'shape'], out: 'e' },
        { op: 'CumSum', ins: ['e', `axis${a}`], out: 'c' },
        { op: 'ArgMax', ins: ['c'], out: 'am', attrs: { axis: 1, keepdims: 0 } },
      ], [3, 4], { am: i64 }, [shape, axis(a)]);
    expect(infeasibility(cumsum(0))).toMatch(/ArgMax.*same value whatever the inputs/);
    expect(searchInputs(cumsum(0), 1, tf).ok).toBe(false);
    // along the lane itself the running sums of equal values are v, 2v, 3v, 4v: no tie
    expect(infeasibility(cumsum(1))).toBeUndefined();
    expect(searchInputs(cumsum(1), 1, tf).ok).toBe(true);

    // InstanceNormalization over planes of one element gives its bias, the same in every image; a global pool over one
    // element passes it on, and Atan rounds by position
    const plane = (h: number): Graph =>
      chain([{ name: 'x', dtype: 'float32', shape: [4, 3, h] }, { name: 'scale', dtype: 'float32', shape: [3] }, { name: 'b', dtype: 'float32', shape: [3] }], [
        { op: 'InstanceNormalization', ins: ['x', 'scale', 'b'], out: 'n' },
        { op: 'GlobalAveragePool', ins: ['n'], out: 'p' },
        { op: 'Atan', ins: ['p'], out: 't' },
        { op: 'ArgMin', ins: ['t'], out: 'am', attrs: { axis: 0, keepdims: 0 } },
      ], [4, 3, h], { p: f32([4, 3, 1]), t: f32([4, 3, 1]), am: { dtype: 'int64', shape: [3, 1] } });
    expect(infeasibility(plane(1))).toMatch(/ArgMin.*same value whatever the inputs/);
    expect(searchInputs(plane(1), 1, tf).ok).toBe(false);
    expect(infeasibility(plane(2))).toBeUndefined();
  });

  it('knows an output whose bounds are one value whatever the inputs: Selu with gamma 0, LogSoftmax over one element', async () => {
    const tf = await loadSearchTf();
    const selu = (gamma: number): Graph => chain([{ name: 'x', dtype: 'float32', shape: [3, 4] }], [
      { op: 'Selu', ins: ['x'], out: 's', attrs: { gamma } },
      { op: 'Sigmoid', ins: ['s'], out: 'g' },
      { op: 'ArgMin', ins: ['g'], out: 'am', attrs: { axis: 1, keepdims: 0 } },
    ], [3, 4], { am: i64 });
    // Selu gives 0 everywhere, Sigmoid 0.5, rounded by position
    expect(infeasibility(selu(0))).toMatch(/ArgMin.*same value whatever the inputs/);
    expect(searchInputs(selu(0), 1, tf).ok).toBe(false);
    expect(infeasibility(selu(1))).toBeUndefined();
    // LogSoftmax over one element is exactly 0 on every backend (measured): the tie it makes stays a tie, while a
    // Sigmoid after it rounds 0.5 by position
    const logsoft = (sigmoid: boolean): Graph => chain([{ name: 'x', dtype: 'float32', shape: [2, 1] }], [
      { op: 'LogSoftmax', ins: ['x'], out: 'l', attrs: { axis: -1 } },
      ...(sigmoid ? [{ op: 'Sigmoid', ins: ['l'], out: 'g' }] : []),
      { op: 'ArgMin', ins: [sigmoid ? 'g' : 'l'], out: 'am', attrs: { axis: 0, keepdims: 0 } },
    ], [2, 1], { am: { dtype: 'int64', shape: [1] } });
    expect(infeasibility(logsoft(false))).toBeUndefined();
    expect(searchInputs(logsoft(false), 1, tf).ok).toBe(true);
    expect(infeasibility(logsoft(true))).toMatch(/ArgMin/);
    expect(searchInputs(logsoft(true), 1, tf).ok).toBe(false);
  });

  it("knows the positions of a ConvTranspose no input reaches hold its bias: an ArgMin across the batch ties there", async () => {
    const tf = await loadSearchTf();
    // stride 3 with a kernel of 2: every third output position reads no input element
    const graph = (axis: number, bias: boolean): Graph => chain([
      { name: 'x', dtype: 'float32', shape: [3, 2, 3] },
      { name: 'w', dtype: 'float32', shape: [2, 2, 2] },
      ...(bias ? [{ name: 'b', dtype: 'float32' as const, shape: [2] }] : []),
    ], [
      { op: 'ConvTranspose', ins: ['x', 'w', ...(bias ? ['b'] : [])], out: 'c', attrs: { strides: [3], pads: [1, 0], output_padding: [2] } },
      { op: 'ArgMin', ins: ['c'], out: 'am', attrs: { axis, keepdims: 1 } },
    ], [3, 2, 9], { am: { dtype: 'int64', shape: axis === 0 ? [1, 2, 9] : [3, 2, 1] } });
    expect(infeasibility(graph(0, true))).toMatch(/ArgMin.*same value whatever the inputs/);
    expect(searchInputs(graph(0, true), 1, tf).ok).toBe(false);
    // along a row the gaps are not the whole lane; without a bias they are exact zeros, which no rounding moves
    for (const g of [graph(2, true), graph(0, false)]) {
      expect(infeasibility(g)).toBeUndefined();
      expect(searchInputs(g, 1, tf).ok).toBe(true);
    }
  });

  it('keeps what a one-operand Sum or Mean carries: it copies its operand, so a tie stays and equals its own input', async () => {
    const tf = await loadSearchTf();
    for (const op of ['Sum', 'Mean']) {
      const g = expanded([op]);
      expect(infeasibility(g)).toBeUndefined();
      expect(searchInputs(g, 1, tf).ok).toBe(true);
      // Greater(Mean(s), s) is false everywhere, exactly: no rounding separates a copy from what it copies
      const cmp = chain([{ name: 'x', dtype: 'float32', shape: [3, 4] }], [
        { op: 'Sigmoid', ins: ['x'], out: 's' },
        { op, ins: ['s'], out: 'm' },
        { op: 'Greater', ins: ['m', 's'], out: 'g' },
      ], [3, 4], { g: { dtype: 'bool', shape: [3, 4] } });
      expect(infeasibility(cmp)).toBeUndefined();
      const r = searchInputs(cmp, 1, tf);
      expect(r.ok, JSON.stringify(r.failure)).toBe(true);
      expect(r.iterations).toBe(1);
    }
  });

  it('rejects a comparison of a value with a computed copy of itself, and keeps comparisons of different values', async () => {
    const tf = await loadSearchTf();
    const x = { name: 'x', dtype: 'float32' as const, shape: [3, 1] };
    const bool = { dtype: 'bool' as const, shape: [3, 1] };
    // a CumSum along an axis of one element gives each element back, computed: rounding may move it off the original
    const cumsum = chain([x], [
      { op: 'Elu', ins: ['x'], out: 'e' },
      { op: 'CumSum', ins: ['e', 'axis1'], out: 'c' },
      { op: 'GreaterOrEqual', ins: ['e', 'c'], out: 'ge' },
    ], [3, 1], { ge: bool }, [{ name: 'axis1', dtype: 'int64', shape: [], kind: 'constant', data: [1] }]);
    expect(infeasibility(cumsum)).toMatch(/GreaterOrEqual.*same value at an element whatever the inputs/);
    expect(searchInputs(cumsum, 1, tf).ok).toBe(false);
    // an InstanceNormalization over 1x1 planes gives its bias, computed (onnxruntime's is up to 1e-4 off it)
    const inorm = chain([
      { name: 'x', dtype: 'float32', shape: [3, 2, 1, 1] },
      { name: 'scale', dtype: 'float32', shape: [2] },
      { name: 'b', dtype: 'float32', shape: [2] },
    ], [
      { op: 'InstanceNormalization', ins: ['x', 'scale', 'b'], out: 'n' },
      { op: 'Reshape', ins: ['b', 'to'], out: 'br' },
      { op: 'Less', ins: ['br', 'n'], out: 'l' },
    ], [3, 2, 1, 1], { br: { dtype: 'float32', shape: [2, 1, 1] }, l: { dtype: 'bool', shape: [3, 2, 1, 1] } }, [
      { name: 'to', dtype: 'int64', shape: [3], kind: 'constant', data: [2, 1, 1] },
    ]);
    expect(infeasibility(inorm)).toMatch(/Less/);
    expect(searchInputs(inorm, 1, tf).ok).toBe(false);
    // ... while a LayerNormalization over lanes of one gives exactly its bias on every backend: Less(b, it) is
    // false everywhere, with nothing to round
    const norm = chain([x, { name: 'scale', dtype: 'float32', shape: [1] }, { name: 'b', dtype: 'float32', shape: [1] }], [
      { op: 'LayerNormalization', ins: ['x', 'scale', 'b'], out: 'n', attrs: { axis: -1 } },
      { op: 'Less', ins: ['b', 'n'], out: 'l' },
    ], [3, 1], { l: bool });
    expect(infeasibility(norm)).toBeUndefined();
    expect(searchInputs(norm, 1, tf).ok).toBe(true);
    // the same input on both sides, but different values: no tie
    const apart = chain([x], [
      { op: 'Sigmoid', ins: ['x'], out: 's' },
      { op: 'Less', ins: ['x', 's'], out: 'l' },
    ], [3, 1], { l: bool });
    expect(infeasibility(apart)).toBeUndefined();
    expect(searchInputs(apart, 1, tf).ok).toBe(true);
  });

  it('rejects an ArgMin along an axis a Tile repeats, through an operator that rounds by position; keeps it without one', async () => {
    const tf = await loadSearchTf();
    const tiled = (sigmoid: boolean, axis: number): Graph =>
      chain([{ name: 'x', dtype: 'float32', shape: [2, 3] }], [
        { op: 'Tile', ins: ['x', 'reps'], out: 't' },
        ...(sigmoid ? [{ op: 'Sigmoid', ins: ['t'], out: 's' }] : []),
        { op: 'ArgMin', ins: [sigmoid ? 's' : 't'], out: 'am', attrs: { axis, keepdims: 0 } },
      ], [4, 3], { am: { dtype: 'int64', shape: [axis === 0 ? 3 : 4] } }, [{ name: 'reps', dtype: 'int64', shape: [2], kind: 'constant', data: [2, 1] }]);
    // every value of a column appears twice: the smallest ties, and Sigmoid rounds the copies apart
    expect(infeasibility(tiled(true, 0))).toMatch(/appears twice or more/);
    expect(searchInputs(tiled(true, 0), 1, tf).ok).toBe(false);
    // copies alone stay equal on every backend (the first is picked everywhere); along a row nothing repeats
    for (const g of [tiled(false, 0), tiled(true, 1)]) {
      expect(infeasibility(g)).toBeUndefined();
      expect(searchInputs(g, 1, tf).ok).toBe(true);
    }
  });

  it('keeps a tie a nearest-neighbour Resize copies, which no backend rounds, and not one a linear Resize computes', async () => {
    const tf = await loadSearchTf();
    const resized = (mode: string): Graph =>
      chain([{ name: 'x', dtype: 'float32', shape: [3, 1] }], [
        { op: 'Resize', ins: ['x', '', 'scales'], out: 'r', attrs: { mode } },
        { op: 'ArgMax', ins: ['r'], out: 'am', attrs: { axis: 1, keepdims: 0 } },
      ], [3, 4], { am: i64 }, [{ name: 'scales', dtype: 'float32', shape: [2], kind: 'constant', data: [1, 4] }]);
    const nearest = resized('nearest');
    expect(infeasibility(nearest)).toBeUndefined();
    const r = searchInputs(nearest, 1, tf);
    expect(r.ok).toBe(true);
    expect(firstViolation(r.graph, r.feeds).violation).toBeUndefined();
    // interpolating between copies of one element computes them, and the check moves them apart by position: the
    // generator knows as much and drops the graph (every lane is one element, weighed alike at each position)
    const v = firstViolation(resized('linear'), r.feeds).violation;
    expect(v?.unstable).toBe(true);
    expect(v?.node.op).toBe('ArgMax');
    expect(infeasibility(resized('linear'))).toMatch(/ArgMax/);
    // resized along the other axis, a lane interpolates between different elements: nothing ties
    const across = chain([{ name: 'x', dtype: 'float32', shape: [3, 2] }], [
      { op: 'Resize', ins: ['x', '', 'scales'], out: 'r', attrs: { mode: 'linear' } },
      { op: 'ArgMax', ins: ['r'], out: 'am', attrs: { axis: 1, keepdims: 0 } },
    ], [3, 4], { am: i64 }, [{ name: 'scales', dtype: 'float32', shape: [2], kind: 'constant', data: [1, 2] }]);
    expect(infeasibility(across)).toBeUndefined();
  });
});
