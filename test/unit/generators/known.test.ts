/**
 * Values a graph fixes whatever its inputs hold (generators/known.ts): graphs where one breaks a domain or moves
 * under the stability check's rounding are infeasible; near misses (the value is no longer fixed, or fine where it
 * lands) are kept; and the tracked values are what the reference computes, unperturbed and perturbed.
 */
import { describe, expect, it } from 'vitest';
import { caseSeed, generateGraph, randomFromSeed, resolveOptions } from '../../../generators/graph.js';
import { knownValues } from '../../../generators/known.js';
import { forwardBounds, infeasibility, sampleTensor } from '../../../generators/values.js';
import type { DType, Graph, Initializer, Tensor, TensorType, ValueInfo } from '../../../src/ir/index.js';
import { interpret } from '../../../src/reference/interpreter.js';
import { PERTURBATION } from '../../../src/search/violations.js';
import { chain, f32 } from '../../helpers/chain.js';

const input = (name: string, shape: number[], dtype: DType = 'float32'): ValueInfo => ({ name, dtype, shape });
const constant = (name: string, dtype: DType, shape: number[], data: number[]): Initializer => ({ name, dtype, shape, kind: 'constant', data });

describe('values a graph fixes on its own', () => {
  it("rejects Log of Trilu's zeros; keeps them once a free tensor is added, or when Trilu zeroes nothing", () => {
    const log = chain([input('x', [3, 3])], [{ op: 'Trilu', ins: ['x'], out: 't' }, { op: 'Log', ins: ['t'], out: 'l' }], [3, 3]);
    expect(infeasibility(log)).toMatch(/Log.*whatever the inputs/);
    // a divisor of Trilu's zeros, where the quotient itself is not fixed (y is free)
    const div = chain([input('x', [3, 3]), input('y', [3, 3])], [{ op: 'Trilu', ins: ['x'], out: 't' }, { op: 'Div', ins: ['y', 't'], out: 'q' }], [3, 3]);
    expect(infeasibility(div)).toMatch(/Div.*whatever the inputs/);
    const added = chain([input('x', [3, 3]), input('y', [3, 3])], [
      { op: 'Trilu', ins: ['x'], out: 't' },
      { op: 'Add', ins: ['t', 'y'], out: 'a' },
      { op: 'Log', ins: ['a'], out: 'l' },
    ], [3, 3]);
    expect(infeasibility(added)).toBeUndefined();
    // upper triangle from diagonal -2 on: nothing of a 3x3 matrix is zeroed
    const none = chain([input('x', [3, 3])], [{ op: 'Trilu', ins: ['x', 'k'], out: 't' }, { op: 'Log', ins: ['t'], out: 'l' }], [3, 3], {}, [
      constant('k', 'int64', [], [-2]),
    ]);
    expect(infeasibility(none)).toBeUndefined();
  });

  it("follows fixed values through elementwise operators: Exp(0) - 1 is 0 for Log, Exp(0) - 0.5 is fine", () => {
    const graph = (c: number): Graph =>
      chain([input('x', [3, 3])], [
        { op: 'Trilu', ins: ['x'], out: 't' },
        { op: 'Exp', ins: ['t'], out: 'e' },
        { op: 'Sub', ins: ['e', 'c'], out: 'd' },
        { op: 'Log', ins: ['d'], out: 'l' },
      ], [3, 3], {}, [constant('c', 'float32', [], [c])]);
    expect(infeasibility(graph(1))).toMatch(/Log/);
    expect(infeasibility(graph(0.5))).toBeUndefined();
  });

  it("rejects Sqrt of a negative Pad constant; keeps a positive one, or no padding at all", () => {
    const graph = (value: number, pads: number[]): Graph =>
      chain([input('x', [2])], [{ op: 'Pad', ins: ['x', 'p', 'v'], out: 'y' }, { op: 'Sqrt', ins: ['y'], out: 's' }], [2], {
        y: f32([2 + pads[0]! + pads[1]!]),
        s: f32([2 + pads[0]! + pads[1]!]),
      }, [constant('p', 'int64', [2], pads), constant('v', 'float32', [], [value])]);
    expect(infeasibility(graph(-1, [1, 0]))).toMatch(/Sqrt/);
    expect(infeasibility(graph(2, [1, 0]))).toBeUndefined();
    expect(infeasibility(graph(-1, [0, 0]))).toBeUndefined();
  });

  it('knows an integer Pad constant through a copy (no NaN marks an unknown integer): ReduceProd of a -4 pad, cropped elsewhere', () => {
    // pads crop one column and add a row and a column of -4: ReduceProd of int64 keeps |x| <= 2
    const graph = (value: number): Graph =>
      chain([input('x', [3, 2], 'int64')], [
        { op: 'Pad', ins: ['x', 'p', 'v'], out: 'y' },
        { op: 'Slice', ins: ['y', 'starts', 'ends'], out: 's' },
        { op: 'ReduceProd', ins: ['s'], out: 'r', attrs: { keepdims: 1 } },
      ], [1], {
        y: { dtype: 'int64', shape: [4, 2] },
        s: { dtype: 'int64', shape: [2, 2] },
        r: { dtype: 'int64', shape: [1, 1] },
      }, [
        constant('p', 'int64', [4], [1, -1, 0, 1]),
        constant('v', 'int64', [], [value]),
        constant('starts', 'int64', [1], [0]),
        constant('ends', 'int64', [1], [2]),
      ]);
    expect(infeasibility(graph(-4))).toMatch(/holds -4 whatever the inputs/);
    expect(infeasibility(graph(1))).toBeUndefined();
  });

  it('rejects positions of a ConvTranspose that no input reaches (0 without a bias) under Log; keeps it with a bias', () => {
    // stride 2 over 2 positions with a kernel of 1: output positions 0, 2 are reached, 1 is not
    const nodes = (bias: boolean) => [
      { op: 'ConvTranspose', ins: ['x', 'w', ...(bias ? ['b'] : [])], out: 'c', attrs: { strides: [2] } },
      { op: 'Log', ins: ['c'], out: 'l' },
    ];
    const ins = [input('x', [1, 1, 2]), input('w', [1, 1, 1])];
    expect(infeasibility(chain(ins, nodes(false), [1, 1, 3]))).toMatch(/Log/);
    expect(infeasibility(chain([...ins, input('b', [1])], nodes(true), [1, 1, 3]))).toBeUndefined();
  });

  it('follows fixed values through a Clip with constant bounds: Log(Clip(Trilu(x), min)) with min -1 holds 0, with min 2 does not', () => {
    const graph = (min: number): Graph =>
      chain([input('x', [3, 3])], [
        { op: 'Trilu', ins: ['x'], out: 't' },
        { op: 'Clip', ins: ['t', 'lo'], out: 'c' },
        { op: 'Log', ins: ['c'], out: 'l' },
      ], [3, 3], {}, [constant('lo', 'float32', [], [min])]);
    expect(infeasibility(graph(-1))).toMatch(/Log.*whatever the inputs/);
    expect(infeasibility(graph(2))).toBeUndefined();
    expect(knownValues(graph(2)).get('c')?.data[3]).toBe(2);
    // a bound that is itself free says nothing
    const free = chain([input('x', [3, 3]), input('lo', [])], [
      { op: 'Trilu', ins: ['x'], out: 't' },
      { op: 'Clip', ins: ['t', 'lo'], out: 'c' },
      { op: 'Log', ins: ['c'], out: 'l' },
    ], [3, 3]);
    expect(infeasibility(free)).toBeUndefined();
  });

  it("rejects a fixed value that the stability check's rounding moves across a discontinuity; written and exact zeros stay", () => {
    // an exclusive CumSum starts at 0, Sigmoid makes it 0.5, which the rounding moves to either side of Round's tie
    const round = (exclusive: number): Graph =>
      chain([input('x', [4])], [
        { op: 'CumSum', ins: ['x', 'axis'], out: 's', attrs: { exclusive } },
        { op: 'Sigmoid', ins: ['s'], out: 'h' },
        { op: 'Round', ins: ['h'], out: 'r' },
      ], [4], {}, [constant('axis', 'int64', [], [0])]);
    expect(infeasibility(round(1))).toMatch(/rounding moves/);
    expect(infeasibility(round(0))).toBeUndefined();
    // the zero itself is written, not computed: Floor of it is 0 on every backend, and so is Sqrt of Trilu's zeros,
    // of their product or of their maximum (a zero computed from zeros is exact)
    const floor = chain([input('x', [4])], [
      { op: 'CumSum', ins: ['x', 'axis'], out: 's', attrs: { exclusive: 1 } },
      { op: 'Floor', ins: ['s'], out: 'f' },
    ], [4], {}, [constant('axis', 'int64', [], [0])]);
    expect(infeasibility(floor)).toBeUndefined();
    const sqrt = (op: string): Graph =>
      chain([input('x', [3, 3])], [
        { op: 'Trilu', ins: ['x'], out: 't' },
        ...(op === 'Trilu' ? [] : [{ op, ins: ['t', 't'], out: 'u' }]),
        { op: 'Sqrt', ins: [op === 'Trilu' ? 't' : 'u'], out: 's' },
      ], [3, 3]);
    for (const op of ['Trilu', 'Mul', 'Max']) expect(infeasibility(sqrt(op)), op).toBeUndefined();
  });

  it('knows a MaxPool window that only reads known values (a negative Pad constant), and no window that reads unknown ones', () => {
    const pooled = (pads: number[], value: number): Graph =>
      chain([input('x', [1, 1, 2, 2])], [
        { op: 'Pad', ins: ['x', 'p', 'v'], out: 'q' },
        { op: 'MaxPool', ins: ['q'], out: 'm', attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
        { op: 'Log', ins: ['m'], out: 'l' },
      ], [1, 1, 2, 2], { q: f32([1, 1, 2 + pads[2]! + pads[6]!, 2 + pads[3]! + pads[7]!]), m: f32([1, 1, (2 + pads[2]! + pads[6]!) / 2, (2 + pads[3]! + pads[7]!) / 2]) },
      [constant('p', 'int64', [8], pads), constant('v', 'float32', [], [value])]);
    // padding two rows on top: the top windows read only -2, which Log rejects; the bottom ones read x
    expect(infeasibility(pooled([0, 0, 2, 0, 0, 0, 0, 0], -2))).toMatch(/holds -2 whatever the inputs/);
    expect(infeasibility(pooled([0, 0, 2, 0, 0, 0, 0, 0], 2))).toBeUndefined();
    // one padded row: every window reads some of x, whose maximum may be anything
    const known = knownValues(pooled([0, 0, 1, 0, 0, 0, 1, 0], -2));
    expect(known.get('m')).toBeUndefined();
  });

  it('knows that a fixed 0 times anything is 0: Reciprocal(PRelu(exclusive CumSum, slope)) and Log(0 * y) have no valid values', () => {
    const absorbed = (op: string, next: string): Graph =>
      chain([input('x', [4]), input('y', [4])], [
        { op: 'CumSum', ins: ['x', 'axis'], out: 'c', attrs: { exclusive: 1 } },
        { op, ins: ['c', 'y'], out: 'm' },
        { op: next, ins: ['m'], out: 'r' },
      ], [4], {}, [constant('axis', 'int64', [], [0])]);
    expect(infeasibility(absorbed('PRelu', 'Reciprocal'))).toMatch(/holds 0 whatever the inputs/);
    expect(infeasibility(absorbed('Mul', 'Log'))).toMatch(/holds 0 whatever the inputs/);
    // only the first element is fixed; Add(0, y) is y, which may be anything
    expect(Array.from(knownValues(absorbed('Mul', 'Log')).get('m')!.mask)).toEqual([1, 0, 0, 0]);
    expect(infeasibility(absorbed('Add', 'Log'))).toBeUndefined();
  });

  it("knows a reduction over a Softmax's own axis: each lane sums to 1, so Reciprocal of its ReduceLogSum has no valid values", () => {
    const reduced = (axis: number, op: string, axes: number[]): Graph =>
      chain([input('x', [4, 7])], [
        { op: 'Softmax', ins: ['x'], out: 's', attrs: { axis } },
        { op, ins: ['s'], out: 'r', attrs: { axes, keepdims: 1 } },
        { op: 'Reciprocal', ins: ['r'], out: 'y' },
      ], [4, 7], { r: f32(axes.length === 2 ? [1, 1] : axis === 0 ? [1, 7] : [4, 1]), y: f32(axes.length === 2 ? [1, 1] : axis === 0 ? [1, 7] : [4, 1]) });
    expect(infeasibility(reduced(0, 'ReduceLogSum', [0]))).toMatch(/holds 0 whatever the inputs/);
    // over both axes: 7 lanes of 1 sum to 7, log 7 is fine; over the other axis: anything
    expect(Array.from(knownValues(reduced(0, 'ReduceSum', [0, 1])).get('r')!.data)).toEqual([7]);
    expect(infeasibility(reduced(0, 'ReduceLogSum', [0, 1]))).toBeUndefined();
    expect(infeasibility(reduced(0, 'ReduceLogSum', [1]))).toBeUndefined();
    expect(Array.from(knownValues(reduced(1, 'ReduceMean', [1])).get('r')!.data)).toEqual([1 / 7, 1 / 7, 1 / 7, 1 / 7]);
  });

  it('knows a sum of products whose every term has a fixed 0 factor (MatMul by a zeroed Trilu), and nothing else', () => {
    const product = (k: number, wName = 't'): Graph =>
      chain([input('x', [2, 3]), input('w', [3, 3])], [
        { op: 'Trilu', ins: ['w', 'k'], out: 't' },
        { op: 'MatMul', ins: ['x', wName], out: 'm' },
        { op: 'Log', ins: ['m'], out: 'l' },
      ], [2, 3], { t: f32([3, 3]) }, [constant('k', 'int64', [], [k]), constant('c', 'float32', [3, 3], [1, 0, 0, -1, 0, 0, 0, 0, 0])]);
    // k = 3 zeroes the whole upper triangle: x @ 0 is 0, which Log rejects
    expect(infeasibility(product(3))).toMatch(/m \(input 0 of Log\) holds 0 whatever the inputs/);
    // k = 2 keeps one element (row 0, column 2): column 2 of x @ t depends on x, the others are 0
    expect(Array.from(knownValues(product(2)).get('m')!.mask)).toEqual([1, 1, 0, 1, 1, 0]);
    // a known weight whose terms cancel only for equal inputs (x0 - x1) says nothing
    expect(knownValues(product(0, 'c')).get('m')?.mask.some((v, i) => v === 1 && i % 3 === 0)).not.toBe(true);
  });

  it('knows what an operator makes of one tensor on both sides: x - x is 0, x / x is 1, fmod(x, x) is 0, x < x is false', () => {
    const twice = (op: string, next: string): Graph =>
      chain([input('x', [2, 3])], [
        { op: 'Exp', ins: ['x'], out: 'e' },
        { op, ins: ['e', 'e'], out: 'd' },
        { op: next, ins: ['d'], out: 'y' },
      ], [2, 3]);
    // Log(x - x) and Atanh(x / x) have no valid values; Log(x / x) = 0 and Atanh(x - x) = 0 are fine
    expect(infeasibility(twice('Sub', 'Log'))).toMatch(/holds 0 whatever the inputs/);
    expect(infeasibility(twice('Div', 'Atanh'))).toMatch(/holds 1 whatever the inputs/);
    expect(infeasibility(twice('Div', 'Log'))).toBeUndefined();
    expect(infeasibility(twice('Sub', 'Atanh'))).toBeUndefined();
    // fmod(x, x) is 0: a divisor of it breaks the next Mod's domain
    const mod = chain([input('x', [2, 3]), input('z', [2, 3])], [
      { op: 'Exp', ins: ['x'], out: 'e' },
      { op: 'Mod', ins: ['e', 'e'], out: 'd', attrs: { fmod: 1 } },
      { op: 'Mod', ins: ['z', 'd'], out: 'y', attrs: { fmod: 1 } },
    ], [2, 3]);
    expect(infeasibility(mod)).toMatch(/holds 0 whatever the inputs/);
    const known = knownValues(twice('Sub', 'Atanh'));
    expect(Array.from(known.get('d')!.data)).toEqual([0, 0, 0, 0, 0, 0]);
    // two different tensors holding equal values are not the same tensor
    const two = chain([input('x', [2, 3]), input('z', [2, 3])], [{ op: 'Sub', ins: ['x', 'z'], out: 'd' }, { op: 'Log', ins: ['d'], out: 'y' }], [2, 3]);
    expect(infeasibility(two)).toBeUndefined();
  });

  it('tracks what the reference computes, unperturbed and perturbed, for valid values of generated graphs', () => {
    const ops = [
      'Trilu', 'Pad', 'CumSum', 'ConvTranspose', 'Conv', 'AveragePool', 'Relu', 'Exp', 'Sigmoid', 'Add', 'Mul', 'Sub',
      'Floor', 'Cast', 'Clip', 'Where', 'Greater', 'Reshape', 'Transpose', 'Slice', 'Gather', 'Concat', 'Split', 'Expand',
      'Tile', 'ReduceSum', 'ReduceMax', 'ReduceMean', 'ReduceL2', 'MatMul', 'Gemm', 'Softmax', 'LogSoftmax', 'ArgMax',
      'BatchNormalization', 'LayerNormalization', 'InstanceNormalization', 'GlobalAveragePool',
    ];
    const o = resolveOptions({ nodes: 8, include: ops });
    let compared = 0;
    const wrong: string[] = [];
    for (let i = 0; i < 150; i++) {
      const g = generateGraph(caseSeed(91, i), o);
      const types = new Map<string, TensorType>([...g.inputs, ...g.initializers, ...g.valueInfo, ...g.outputs].map((t) => [t.name, t]));
      const bounds = forwardBounds(g, types, () => [-Infinity, Infinity]);
      for (const sign of [0, 1, -1] as const) {
        const known = knownValues(g, bounds, sign);
        if (known.size === 0) continue;
        const rng = randomFromSeed(i);
        const feeds: Record<string, Tensor> = {};
        for (const x of g.inputs) feeds[x.name] = sampleTensor(rng, x);
        const graph = { ...g, initializers: g.initializers.map((w) => (w.kind === 'weight' ? { ...w, data: Array.from(sampleTensor(rng, w).data) } : w)) };
        const env = interpret(graph, feeds, sign === 0 ? {} : { perturb: PERTURBATION, perturbSign: sign });
        // values hold for valid values only: up to the first node that reads a non-finite tensor
        const valid = new Set<string>();
        for (const n of g.nodes) {
          if (n.inputs.some((x) => x !== '' && !Array.from(env.get(x)!.data).every(Number.isFinite))) break;
          for (const out of n.outputs) valid.add(out);
        }
        for (const [name, k] of known) {
          if (!valid.has(name)) continue;
          const actual = env.get(name)!.data;
          k.mask.forEach((m, e) => {
            if (m !== 1) return;
            compared++;
            const a = actual[e]!;
            const b = k.data[e]!;
            if (!(Object.is(a, b) || a === b || (Number.isNaN(a) && Number.isNaN(b)))) wrong.push(`case ${i} sign ${sign} ${name}[${e}]: ${b}, reference ${a}`);
          });
        }
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(compared).toBeGreaterThan(1000);
  });
});
