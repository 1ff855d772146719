/**
 * The generator's feasibility check (infeasibility / rangeFeasible): graphs whose value requirements provably cannot
 * hold together are rejected with a reason, graphs with valid values are kept, and generated graphs pass it.
 */
import { describe, expect, it } from 'vitest';
import { caseSeed, generateGraph, rangeFeasible, resolveOptions } from '../../../generators/graph.js';
import type { DType, Graph, Initializer, Node, ValueInfo } from '../../../src/ir/index.js';
import { PERTURBATION } from '../../../src/search/violations.js';
import { infeasibility, leafNeeds, STABILITY_PERTURBATION } from '../../../generators/values.js';
import { chain, f32 } from '../../helpers/chain.js';

const x = (shape = [4], dtype: DType = 'float32'): ValueInfo => ({ name: 'x', dtype, shape });

describe('feasibility of value requirements', () => {
  it('rejects conflicting demands on one tensor passed back through elementwise operators', () => {
    // Atanh needs |x| < 1, Acosh(Asinh(x)) needs x >= sinh(1) ~ 1.18
    const g = chain([x()], [
      { op: 'Atanh', ins: ['x'], out: 'a' },
      { op: 'Asinh', ins: ['x'], out: 'b' },
      { op: 'Acosh', ins: ['b'], out: 'c' },
    ], [4]);
    expect(infeasibility(g)).toMatch(/Asinh/);
    expect(rangeFeasible(g)).toBe(false);
  });

  it('knows that Floor/Ceil/Round/Sign give whole numbers: Atanh(Ceil(x)) needs 0, Reciprocal(Ceil(x)) needs non-zero', () => {
    const g = chain([x()], [
      { op: 'Ceil', ins: ['x'], out: 'c' },
      { op: 'Atanh', ins: ['c'], out: 'a' },
      { op: 'Reciprocal', ins: ['c'], out: 'r' },
    ], [4]);
    expect(infeasibility(g)).toMatch(/Ceil/);
  });

  it('rejects Softmax lanes that cannot sum to one: Asin(LogSoftmax(x)) over 4 elements, not over 2', () => {
    const four = chain([x([3, 4])], [
      { op: 'LogSoftmax', ins: ['x'], out: 'l' },
      { op: 'Asin', ins: ['l'], out: 'a' },
    ], [3, 4]);
    expect(infeasibility(four)).toMatch(/LogSoftmax lanes/);
    const two = chain([x([3, 2])], [
      { op: 'LogSoftmax', ins: ['x'], out: 'l' },
      { op: 'Asin', ins: ['l'], out: 'a' },
    ], [3, 2]);
    expect(infeasibility(two)).toBeUndefined();
    // a lane of one element is exactly 1
    const one = chain([x([3, 1])], [
      { op: 'Softmax', ins: ['x'], out: 's' },
      { op: 'Atanh', ins: ['s'], out: 'a' },
    ], [3, 1]);
    expect(infeasibility(one)).toBeDefined();
  });

  it('rejects a Slice, Gather or Trilu whose copies must meet what the tensor they copy cannot: Log(Slice(x)) with Atanh(Ceil(x))', () => {
    // Atanh(Ceil(x)) needs Ceil(x) = 0, so x in (-1, 0]; Log of any copied element needs it > 0
    const copy = (op: string, attrs: Node['attrs'] = {}, extra: string[] = [], inits: Initializer[] = [], outShape = [2]): Graph =>
      chain([x([2, 3])], [
        { op: 'Ceil', ins: ['x'], out: 'c' },
        { op: 'Atanh', ins: ['c'], out: 'a' },
        { op, ins: ['x', ...extra], out: 's', attrs },
        { op: 'Log', ins: ['s'], out: 'l' },
      ], [2, 3], { s: f32(outShape), l: f32(outShape) }, inits);
    const i64 = (name: string, data: number[], shape = [data.length]): Initializer => ({ name, dtype: 'int64', shape, kind: 'constant', data });
    expect(infeasibility(copy('Slice', {}, ['b', 'e', 'ax'], [i64('b', [1]), i64('e', [3]), i64('ax', [1])], [2, 2]))).toMatch(/Slice copies/);
    expect(infeasibility(copy('Gather', { axis: 1 }, ['i'], [i64('i', [0], [1])], [2, 1]))).toMatch(/Gather copies/);
    expect(infeasibility(copy('Trilu', {}, [], [], [2, 3]))).toMatch(/Trilu copies/);
    // a nearest-neighbour Resize down to one element copies one of them; a linear one averages them, so its output
    // stays within its input's values (<= 0 here); a cubic one overshoots
    const scales = { name: 'sc', dtype: 'float32', shape: [2], kind: 'constant', data: [0.5, 1 / 3] } as const;
    expect(infeasibility(copy('Resize', {}, ['', 'sc'], [scales], [1, 1]))).toMatch(/Resize copies/);
    expect(infeasibility(copy('Resize', { mode: 'linear' }, ['', 'sc'], [scales], [1, 1]))).toMatch(/Resize output/);
    expect(infeasibility(copy('Resize', { mode: 'cubic' }, ['', 'sc'], [scales], [1, 1]))).toBeUndefined();
    // a Trilu that keeps nothing copies nothing (its zeros are known.ts's business: Log(0) is rejected there)
    expect(infeasibility(copy('Trilu', {}, ['k'], [i64('k', [3], [])], [2, 3]))).not.toMatch(/Trilu copies/);
    // without the Atanh, x may be positive: fine
    const alone = chain([x([2, 3])], [{ op: 'Slice', ins: ['x', 'b', 'e', 'ax'], out: 's' }, { op: 'Log', ins: ['s'], out: 'l' }], [2, 3],
      { s: f32([2, 2]), l: f32([2, 2]) }, [i64('b', [1]), i64('e', [3]), i64('ax', [1])]);
    expect(infeasibility(alone)).toBeUndefined();
  });

  it('rejects a ConvTranspose whose gaps (the bias alone) must meet what the bias cannot: Acosh of it with Atanh(b)', () => {
    // stride 2 with a 1-wide kernel leaves every other position to the bias, which Acosh needs >= 1 and Atanh < 1
    const conv = (strides: number[]): Graph =>
      chain([x([1, 1, 3]), { name: 'w', dtype: 'float32', shape: [1, 1, 1] }, { name: 'b', dtype: 'float32', shape: [1] }], [
        { op: 'ConvTranspose', ins: ['x', 'w', 'b'], out: 'y', attrs: { strides } },
        { op: 'Acosh', ins: ['y'], out: 'a' },
        { op: 'Atanh', ins: ['b'], out: 't' },
      ], [1, 1, 3], { y: f32([1, 1, 2 * strides[0]! + 1]), a: f32([1, 1, 2 * strides[0]! + 1]), t: f32([1]) });
    expect(infeasibility(conv([2]))).toMatch(/b \(input 2 of ConvTranspose\)/);
    // stride 1 reaches every position: the weights can lift them all
    expect(infeasibility(conv([1]))).toBeUndefined();
  });

  it('passes what a Concat must meet to every input: Log of a Concat holding a LogSoftmax (never above 0) has no valid values', () => {
    const cat = (op: string): Graph =>
      chain([x([2, 3]), { name: 'y', dtype: 'float32', shape: [4, 3] }], [
        { op, ins: ['x'], out: 's' },
        { op: 'Concat', ins: ['s', 'y'], out: 'c', attrs: { axis: 0 } },
        { op: 'Log', ins: ['c'], out: 'l' },
      ], [2, 3], { c: f32([6, 3]), l: f32([6, 3]) });
    expect(infeasibility(cat('LogSoftmax'))).toBeDefined();
    expect(infeasibility(cat('Exp'))).toBeUndefined();
  });

  it('rejects Log of a LayerNormalization lane without a bias and with one scale (it sums to 0); keeps it with either', () => {
    const ln = (scale: number[], bias: boolean): Graph =>
      chain([x([3, 4]), { name: 's', dtype: 'float32', shape: scale }, ...(bias ? [{ name: 'b', dtype: 'float32' as DType, shape: [4] }] : [])], [
        { op: 'LayerNormalization', ins: ['x', 's', ...(bias ? ['b'] : [])], out: 'l', attrs: { axis: -1 } },
        { op: 'Log', ins: ['l'], out: 'y' },
      ], [3, 4]);
    expect(infeasibility(ln([1], false))).toMatch(/LayerNormalization lanes/);
    expect(infeasibility(ln([4], false))).toBeUndefined();
    expect(infeasibility(ln([1], true))).toBeUndefined();
  });

  it('rejects a computed float pinned to one value, which the stability check rounding moves; not a pinned input', () => {
    // Sign(sum) must be 0, so the sum exactly 0: perturbed, Sign flips; the same with whole numbers summed
    const nodes = [
      { op: 'Abs', ins: ['x'], out: 'b' },
      { op: 'ReduceSum', ins: ['b'], out: 'r', attrs: { keepdims: 1 } },
      { op: 'Sign', ins: ['r'], out: 's' },
      { op: 'Atanh', ins: ['s'], out: 'a' },
    ];
    const one = { r: f32([1]), s: f32([1]), a: f32([1]) };
    expect(infeasibility(chain([x()], nodes, [4], one))).toMatch(/rounding/);
    const ints = chain([x([4], 'int32')], [{ op: 'Cast', ins: ['x'], out: 'f', attrs: { to: 1 } }, ...nodes.map((n) => (n.ins[0] === 'x' ? { ...n, ins: ['f'] } : n))], [4], one);
    expect(infeasibility(ints)).toMatch(/rounding/);
    // Ceil(x) exactly 0 is perturbed too
    const ceil = chain([x()], [{ op: 'Ceil', ins: ['x'], out: 'c' }, { op: 'Sign', ins: ['c'], out: 's' }, { op: 'Atanh', ins: ['s'], out: 'a' }], [4]);
    expect(infeasibility(ceil)).toMatch(/rounding/);
    // inputs are fed as they are: Atanh(Sign(x)) with x = 0 is valid
    expect(infeasibility(chain([x()], [{ op: 'Sign', ins: ['x'], out: 's' }, { op: 'Atanh', ins: ['s'], out: 'a' }], [4]))).toBeUndefined();
    expect(STABILITY_PERTURBATION).toEqual(PERTURBATION);
  });

  it('finds where a preimage ends inside its last piece: Elu(alpha -2) stays within Acos only below 0.999, so Sign must be 0', () => {
    // Sign(Exp(x)) would have to be 0, so Exp(x) exactly 0: pinned, and rounding moves it (a bound left at the piece's
    // end, 1, would let Sign give 1)
    const g = chain([x()], [
      { op: 'Exp', ins: ['x'], out: 'y' },
      { op: 'Sign', ins: ['y'], out: 's' },
      { op: 'Elu', ins: ['s'], out: 'e', attrs: { alpha: -2 } },
      { op: 'Acos', ins: ['e'], out: 'a' },
    ], [4]);
    expect(infeasibility(g)).toMatch(/y \(Exp output\): only \[0, 0\]/);
    // with alpha 1, Elu(-1) is -0.63: Sign may be -1, and x anything below 0 (Exp is then in (0, 1), Sign 1: no)
    const ok = chain([x()], [
      { op: 'Sign', ins: ['x'], out: 's' },
      { op: 'Elu', ins: ['s'], out: 'e', attrs: { alpha: 1 } },
      { op: 'Acos', ins: ['e'], out: 'a' },
    ], [4]);
    expect(infeasibility(ok)).toBeUndefined();
  });

  it('bounds every element by what a maximum over all of them must meet: Sqrt(-GlobalMaxPool(x)) with Atanh of a HardSigmoid', () => {
    // Sqrt(Neg(GlobalMaxPool(x))) needs every x <= 0, where HardSigmoid(-0.25 x + 1.74) is 1: ReduceMin of it is 1, out
    // of Atanh's reach; a log-sum-exp bounds its terms the same way
    const hs = { alpha: -0.25, beta: 1.74 };
    const g = (head: string): Graph => chain([x([2, 3, 4])], [
      { op: head, ins: ['x'], out: 'm', ...(head === 'GlobalMaxPool' ? {} : { attrs: { axes: [1, 2], keepdims: 1 } }) },
      { op: 'Neg', ins: ['m'], out: 'n' },
      { op: 'Sqrt', ins: ['n'], out: 's' },
      { op: 'HardSigmoid', ins: ['x'], out: 'h', attrs: hs },
      { op: 'ReduceMin', ins: ['h'], out: 'r', attrs: { keepdims: 0 } },
      { op: 'Atanh', ins: ['r'], out: 'a' },
    ], [2, 3, 4], { m: f32([2, 3, 1]), n: f32([2, 3, 1]), s: f32([2, 3, 1]), r: f32([]), a: f32([]) });
    expect(infeasibility(g('GlobalMaxPool'))).toMatch(/ReduceMin output/);
    expect(infeasibility(g('ReduceMax'))).toMatch(/ReduceMin output/);
    // Sqrt(-LSE) needs LSE <= 0, so every x <= 0 as well
    expect(infeasibility(g('ReduceLogSumExp'))).toMatch(/ReduceMin output/);
  });

  it('carries what a tensor may hold forward again: CumSum of values <= -1 cannot feed Atanh', () => {
    const g = chain([x()], [
      { op: 'Acos', ins: ['x'], out: 'c' },
      { op: 'Acosh', ins: ['c'], out: 'h' },
      { op: 'Neg', ins: ['c'], out: 'n' },
      { op: 'CumSum', ins: ['n', 'k'], out: 's' },
      { op: 'Atanh', ins: ['s'], out: 'a' },
    ], [4], {}, [{ name: 'k', dtype: 'int64', shape: [], kind: 'constant', data: [0] }]);
    expect(infeasibility(g)).toMatch(/CumSum/);
  });

  it('bounds a bool by 0 and 1, and a ReduceLogSum by the log of its terms: Log(ReduceLogSum(Cast(b))) over one term is out of reach', () => {
    // one term of 0 or 1 (and the log needs it positive): the ReduceLogSum is log 1 = 0 at most, which Log cannot take
    const g = (lane: number): Graph =>
      chain([x([lane, 3], 'bool')], [
        { op: 'Cast', ins: ['x'], out: 'c', attrs: { to: 1 } },
        { op: 'ReduceLogSum', ins: ['c'], out: 'l', attrs: { axes: [0], keepdims: 0 } },
        { op: 'Log', ins: ['l'], out: 'g' },
      ], [lane, 3], { l: f32([3]), g: f32([3]) });
    expect(infeasibility(g(1))).toBeDefined();
    // two terms sum to 2, whose log is positive
    expect(infeasibility(g(2))).toBeUndefined();
    // an int32 has no such bound: Cast of one int term can be large
    const int = chain([x([1, 3], 'int32')], [
      { op: 'Cast', ins: ['x'], out: 'c', attrs: { to: 1 } },
      { op: 'ReduceLogSum', ins: ['c'], out: 'l', attrs: { axes: [0], keepdims: 0 } },
      { op: 'Log', ins: ['l'], out: 'g' },
    ], [1, 3], { l: f32([3]), g: f32([3]) });
    expect(infeasibility(int)).toBeUndefined();
  });

  it('passes a requirement through a reduction over lanes of one element, or a pool with a window of one, whole: Asin(ReduceMax(LogSoftmax(x))) over 8', () => {
    // LogSoftmax over 8 cannot keep every element above -0.999 (each probability above 0.37); a ReduceMax over an axis
    // of one element hands each of them to Asin, over an axis of two only the larger one
    const g = (batch: number): Graph =>
      chain([x([batch, 8, 2])], [
        { op: 'LogSoftmax', ins: ['x'], out: 'l', attrs: { axis: 1 } },
        { op: 'ReduceMax', ins: ['l'], out: 'm', attrs: { axes: [0], keepdims: 1 } },
        { op: 'Asin', ins: ['m'], out: 'a' },
      ], [batch, 8, 2], { m: f32([1, 8, 2]), a: f32([1, 8, 2]) });
    expect(infeasibility(g(1))).toMatch(/LogSoftmax lanes/);
    expect(infeasibility(g(2))).toBeUndefined();
    // a pool with a window of one is a copy too; a window of two only keeps the larger element
    const pooled = (kernel: number): Graph =>
      chain([x([1, 2, 8, 2])], [
        { op: 'LogSoftmax', ins: ['x'], out: 'l', attrs: { axis: 2 } },
        { op: 'MaxPool', ins: ['l'], out: 'm', attrs: { kernel_shape: [kernel, 1], pads: [0, 0, kernel - 1, 0] } },
        { op: 'Asin', ins: ['m'], out: 'a' },
      ], [1, 2, 8, 2]);
    expect(infeasibility(pooled(1))).toMatch(/LogSoftmax lanes/);
    expect(infeasibility(pooled(2))).toBeUndefined();
  });

  it('counts the elements a reduction sums: LogSumExp of 16 non-negative values is at least log 16, out of reach of Acos', () => {
    const g = chain([x([3, 16])], [
      { op: 'Sqrt', ins: ['x'], out: 'r' },
      { op: 'ReduceLogSumExp', ins: ['x'], out: 'l', attrs: { axes: [1] } },
      { op: 'CumSum', ins: ['l', 'k'], out: 's' },
      { op: 'Acos', ins: ['s'], out: 'a' },
    ], [3, 16], { l: f32([3, 1]), s: f32([3, 1]), a: f32([3, 1]) }, [{ name: 'k', dtype: 'int64', shape: [], kind: 'constant', data: [1] }]);
    expect(infeasibility(g)).toBeDefined();
    // over one element there is room: LogSumExp(x) = x
    const one = chain([x([3, 1])], [
      { op: 'Sqrt', ins: ['x'], out: 'r' },
      { op: 'ReduceLogSumExp', ins: ['x'], out: 'l', attrs: { axes: [1] } },
      { op: 'Acos', ins: ['l'], out: 'a' },
    ], [3, 1]);
    expect(infeasibility(one)).toBeUndefined();
  });

  it('knows a normalisation over lanes of one element gives its bias: Atanh(Exp(LayerNormalization(x))) has no valid values there', () => {
    const ln = (shape: number[], axis: number): Graph => chain([x(shape), { name: 's', dtype: 'float32', shape: shape.slice(axis) }], [
      { op: 'LayerNormalization', ins: ['x', 's'], out: 'y', attrs: { axis } },
      { op: 'Exp', ins: ['y'], out: 'e' },
      { op: 'Atanh', ins: ['e'], out: 'a' },
    ], shape);
    // exp(0) = 1 lies on Atanh's pole
    expect(infeasibility(ln([3, 1], 1))).toBeDefined();
    expect(infeasibility(ln([3, 2], 1))).toBeUndefined();
    // InstanceNormalization over one spatial element: the bias, which Log needs positive
    const inorm = (bias: Initializer): Graph => chain([x([2, 3, 1])], [
      { op: 'InstanceNormalization', ins: ['x', 'sc', 'b'], out: 'y' },
      { op: 'Log', ins: ['y'], out: 'l' },
    ], [2, 3, 1], {}, [{ name: 'sc', dtype: 'float32', shape: [3], kind: 'constant', data: [1, 2, 3] }, bias]);
    expect(infeasibility(inorm({ name: 'b', dtype: 'float32', shape: [3], kind: 'constant', data: [-1, 0, -2] }))).toBeDefined();
    expect(infeasibility(inorm({ name: 'b', dtype: 'float32', shape: [3], kind: 'weight', data: [-1, 0, -2] }))).toBeUndefined();
  });

  it('passes what every output of a normalisation must meet to its bias, which each lane straddles: Acosh of one with bias Log(Cos(y))', () => {
    // a lane of two normalises to about -1 and 1, so it holds s[c] * -1 + b[c] and s[c] + b[c]: b[c] >= 1 is needed,
    // and Log(Cos(y)) <= 0 never gives it
    const inorm = (bias: 'log' | 'input'): Graph => chain([x([2, 3, 2]), { name: 's', dtype: 'float32', shape: [3] }, { name: 'y', dtype: 'float32', shape: [3] }], [
      ...(bias === 'log' ? [{ op: 'Cos', ins: ['y'], out: 'c' }, { op: 'Log', ins: ['c'], out: 'b' }] : []),
      { op: 'InstanceNormalization', ins: ['x', 's', bias === 'log' ? 'b' : 'y'], out: 'n' },
      { op: 'Acosh', ins: ['n'], out: 'a' },
    ], [2, 3, 2], { c: f32([3]), b: f32([3]) });
    expect(infeasibility(inorm('log'))).toBeDefined();
    expect(infeasibility(inorm('input'))).toBeUndefined();
    // and the bias, a graph input there, is told where it must lie
    expect(leafNeeds(inorm('input')).get('y')?.[0]).toBeGreaterThanOrEqual(1 - 1e-6);
    // a LayerNormalization with one scale and one bias for the whole lane straddles its bias the same way; with a
    // scale per element it need not (s = [-1, 1] turns a lane of [-1, 1] into [1, 1] + b)
    const ln = (scale: number[]): Graph => chain([x([3, 2]), { name: 's', dtype: 'float32', shape: scale }, { name: 'y', dtype: 'float32', shape: [1] }], [
      { op: 'Cos', ins: ['y'], out: 'c' },
      { op: 'Log', ins: ['c'], out: 'b' },
      { op: 'LayerNormalization', ins: ['x', 's', 'b'], out: 'n', attrs: { axis: -1 } },
      { op: 'Acosh', ins: ['n'], out: 'a' },
    ], [3, 2], { c: f32([1]), b: f32([1]) });
    expect(infeasibility(ln([1]))).toBeDefined();
    expect(infeasibility(ln([2]))).toBeUndefined();
  });

  it('bounds a float power by its positive base: Acos(Exp(Pow(w, n))) has no valid values (Exp of a positive power exceeds 1)', () => {
    const pow = (then: string[]): Graph => chain([x([2, 3]), { name: 'n', dtype: 'int32', shape: [4, 2, 3] }], [
      { op: 'Pow', ins: ['x', 'n'], out: 'p' },
      ...then.map((op, i) => ({ op, ins: [i === 0 ? 'p' : `u${i - 1}`], out: `u${i}` })),
      { op: 'Exp', ins: [then.length ? `u${then.length - 1}` : 'p'], out: 'e' },
      { op: 'Acos', ins: ['e'], out: 'a' },
    ], [4, 2, 3]);
    expect(infeasibility(pow([]))).toBeDefined();
    expect(infeasibility(pow(['Neg']))).toBeUndefined();
  });

  it('knows an unbounded value times an exact 0 is 0: PRelu of x <= 0 by Clip(Softplus(s), max 0) cannot feed Reciprocal', () => {
    const zero = { name: 'zero', dtype: 'float32' as const, shape: [], kind: 'constant' as const, data: [0] };
    const g = chain([x(), { name: 's', dtype: 'float32', shape: [4] }], [
      { op: 'Clip', ins: ['x', '', 'zero'], out: 'n' },
      { op: 'Softplus', ins: ['s'], out: 'p' },
      { op: 'Clip', ins: ['p', '', 'zero'], out: 'k' },
      { op: 'PRelu', ins: ['n', 'k'], out: 'r' },
      { op: 'Tan', ins: ['r'], out: 't' },
      { op: 'Reciprocal', ins: ['t'], out: 'q' },
    ], [4], { zero: f32([]) }, [zero]);
    expect(infeasibility(g)).toBeDefined();
  });

  it('passes requirements back through a Pad that crops nothing and through a float Div, not through a cropping Pad', () => {
    const pads = (data: number[]): Initializer => ({ name: 'pads', dtype: 'int64', shape: [2], kind: 'constant', data });
    // every element of x reaches Acosh through an edge Pad: x >= 1
    const padded = chain([x()], [
      { op: 'Pad', ins: ['x', 'pads'], out: 'p', attrs: { mode: 'edge' } },
      { op: 'Acosh', ins: ['p'], out: 'a' },
    ], [7], {}, [pads([1, 2])]);
    expect(leafNeeds(padded).get('x')?.[0]).toBeGreaterThanOrEqual(1);
    // Atanh(Celu(Reciprocal(Pad(x)))) with Asin of the Pad: only x in (-0.999, -0.635) meets both
    const narrow = chain([x()], [
      { op: 'Pad', ins: ['x', 'pads'], out: 'p', attrs: { mode: 'edge' } },
      { op: 'Asin', ins: ['p'], out: 's' },
      { op: 'Reciprocal', ins: ['p'], out: 'r' },
      { op: 'Celu', ins: ['r'], out: 'c', attrs: { alpha: 1.5932825803756714 } },
      { op: 'Atanh', ins: ['c'], out: 't' },
    ], [7], {}, [pads([1, 2])]);
    const need = leafNeeds(narrow).get('x');
    expect(need?.[0]).toBeCloseTo(-0.999, 6);
    expect(need?.[1]).toBeCloseTo(-0.6353, 3);
    // a negative pad crops x[0] away: nothing is asked of it, so nothing of x as a whole
    const cropped = chain([x()], [
      { op: 'Pad', ins: ['x', 'pads'], out: 'p', attrs: { mode: 'edge' } },
      { op: 'Acosh', ins: ['p'], out: 'a' },
    ], [5], {}, [pads([-1, 2])]);
    expect(leafNeeds(cropped).get('x')).toBeUndefined();
    // Acosh(Div(Sigmoid(w), x)) needs Sigmoid(w) / x >= 1: x in (0, 1]
    const div = chain([x(), { name: 'w', dtype: 'float32', shape: [4] }], [
      { op: 'Sigmoid', ins: ['w'], out: 's' },
      { op: 'Div', ins: ['s', 'x'], out: 'd' },
      { op: 'Acosh', ins: ['d'], out: 'a' },
    ], [4]);
    const d = leafNeeds(div).get('x');
    expect(d?.[0]).toBeGreaterThan(0);
    expect(d?.[1]).toBeLessThanOrEqual(1);
  });

  it('bounds a Softmax element by its lane size and the spread of its inputs: six logits within [1, 1.5] cannot give LogSoftmax >= -0.999', () => {
    // Tan needs |x| <= 1.5 and Acosh x >= 1: each LogSoftmax element is at most -log(1 + 5 e^-0.5) = -1.39; only two
    // of each lane (a Gather) meet Acos, so the lane as a whole may still sum to one
    const lane = (n: number): Graph =>
      chain([x([2, n])], [
        { op: 'Tan', ins: ['x'], out: 't' },
        { op: 'Acosh', ins: ['x'], out: 'h' },
        { op: 'LogSoftmax', ins: ['x'], out: 'l' },
        { op: 'Gather', ins: ['l', 'i'], out: 'g', attrs: { axis: 1 } },
        { op: 'Acos', ins: ['g'], out: 'a' },
      ], [2, n], { g: f32([2, 2]), a: f32([2, 2]) }, [{ name: 'i', dtype: 'int64', shape: [2], kind: 'constant', data: [0, 1] }]);
    expect(infeasibility(lane(6))).toMatch(/no value within/);
    // two logits: up to -log(1 + e^-0.5) = -0.47, within Acos
    expect(infeasibility(lane(2))).toBeUndefined();
  });

  it('ties what interval reasoning pins to one value: Acos(Ceil(x)) makes Ceil 0, so an ArgMin over Acosh(Acos(Ceil(x))) ties', () => {
    const g = chain([x([3, 4])], [
      { op: 'Ceil', ins: ['x'], out: 'c' },
      { op: 'Acos', ins: ['c'], out: 'a' },
      { op: 'Acosh', ins: ['a'], out: 'h' },
      { op: 'ArgMin', ins: ['h'], out: 'm', attrs: { axis: 1 } },
    ], [3, 4], { m: { dtype: 'int64', shape: [3, 1] } });
    expect(infeasibility(g)).toMatch(/ArgMin/);
    // Floor of (-1, 1) (Atanh reads x) that a Reciprocal reads is -1 everywhere: a LogSoftmax lane of it ties
    const floor = chain([x([7])], [
      { op: 'Atanh', ins: ['x'], out: 'a' },
      { op: 'Floor', ins: ['x'], out: 'f' },
      { op: 'Reciprocal', ins: ['f'], out: 'r' },
      { op: 'LogSoftmax', ins: ['f'], out: 'l' },
      { op: 'ArgMin', ins: ['l'], out: 'm', attrs: { axis: 0 } },
    ], [7], { m: { dtype: 'int64', shape: [1] } });
    expect(infeasibility(floor)).toMatch(/ArgMin/);
    // so is one whose product with a scalar a Reciprocal reads: 0 times anything is 0
    const product = chain([x([7]), { name: 'y', dtype: 'float32', shape: [] }], [
      { op: 'Atanh', ins: ['x'], out: 'a' },
      { op: 'Floor', ins: ['x'], out: 'f' },
      { op: 'Mul', ins: ['f', 'y'], out: 'p' },
      { op: 'Reciprocal', ins: ['p'], out: 'r' },
      { op: 'LogSoftmax', ins: ['f'], out: 'l' },
      { op: 'ArgMin', ins: ['l'], out: 'm', attrs: { axis: 0 } },
    ], [7], { m: { dtype: 'int64', shape: [1] } });
    expect(infeasibility(product)).toMatch(/ArgMin/);
    // without the Reciprocal, Floor may give 0 at some elements and -1 at others
    expect(infeasibility(chain([x([7])], [
      { op: 'Atanh', ins: ['x'], out: 'a' },
      { op: 'Floor', ins: ['x'], out: 'f' },
      { op: 'LogSoftmax', ins: ['f'], out: 'l' },
      { op: 'ArgMin', ins: ['l'], out: 'm', attrs: { axis: 0 } },
    ], [7], { m: { dtype: 'int64', shape: [1] } }))).toBeUndefined();
  });

  it('knows a normalisation of zeros gives its bias: Log(LayerNormalization(LogSoftmax over one element, s, b)) needs b > 0', () => {
    // Sqrt(Neg(b)) needs b <= 0; over lanes of zeros the output is b itself, so Log of it has no valid values
    const g = (zeros: boolean): Graph =>
      chain([x([3, 4, 1]), { name: 's', dtype: 'float32', shape: [3, 4, 1] }, { name: 'b', dtype: 'float32', shape: [3, 4, 1] }], [
        { op: zeros ? 'LogSoftmax' : 'Identity', ins: ['x'], out: 'z', attrs: zeros ? { axis: -1 } : {} },
        { op: 'LayerNormalization', ins: ['z', 's', 'b'], out: 'n', attrs: { axis: 0 } },
        { op: 'Log', ins: ['n'], out: 'l' },
        { op: 'Neg', ins: ['b'], out: 'nb' },
        { op: 'Sqrt', ins: ['nb'], out: 'q' },
      ], [3, 4, 1]);
    expect(infeasibility(g(true))).toBeDefined();
    // over lanes of free values the scale carries the output wherever Log needs it
    expect(infeasibility(g(false))).toBeUndefined();
  });

  it('knows the sign of a product of non-positive factors: Acosh(Atan(ReduceProd over 5 LogSoftmax values)) is out of reach', () => {
    // five factors at or below 0 multiply to at most 0, so Atan of it is at most 0, short of Acosh's 1; four give >= 0
    const prod = (n: number): Graph =>
      chain([x([n, 3])], [
        { op: 'LogSoftmax', ins: ['x'], out: 'l', attrs: { axis: 1 } },
        { op: 'ReduceProd', ins: ['l'], out: 'p', attrs: { axes: [0], keepdims: 0 } },
        { op: 'Atan', ins: ['p'], out: 'a' },
        { op: 'Acosh', ins: ['a'], out: 'h' },
      ], [3], { l: f32([n, 3]) });
    expect(infeasibility(prod(5))).toMatch(/Atan output/);
    expect(infeasibility(prod(4))).toBeUndefined();
  });

  it('keeps graphs that have valid values', () => {
    const feasible: Graph[] = [
      chain([x()], [{ op: 'Asin', ins: ['x'], out: 'a' }, { op: 'Log', ins: ['a'], out: 'l' }], [4]),
      chain([x()], [{ op: 'Cosh', ins: ['x'], out: 'c' }, { op: 'Floor', ins: ['c'], out: 'f' }, { op: 'Log', ins: ['f'], out: 'l' }], [4]),
      // Ceil(x) must be 0 for Atanh, which takes it with room to spare
      chain([x()], [{ op: 'Ceil', ins: ['x'], out: 'c' }, { op: 'Atanh', ins: ['c'], out: 'a' }], [4]),
      // x exactly 1 (an input), so Sqrt(x) exactly 1: a non-zero whole number, which rounding leaves alone
      chain([x()], [
        { op: 'Acosh', ins: ['x'], out: 'h' },
        { op: 'Sqrt', ins: ['x'], out: 'q' },
        { op: 'Ceil', ins: ['q'], out: 'c' },
        { op: 'Sub', ins: ['c', 'one'], out: 'd' },
        { op: 'Atanh', ins: ['d'], out: 'a' },
      ], [4], { one: f32([]) }, [{ name: 'one', dtype: 'float32', shape: [], kind: 'constant', data: [1] }]),
      chain([x(), { name: 'y', dtype: 'float32', shape: [4] }], [
        { op: 'Atanh', ins: ['x'], out: 't' },
        { op: 'Add', ins: ['x', 'y'], out: 's' },
        { op: 'Acosh', ins: ['s'], out: 'a' },
      ], [4]),
      // sin(x) > 0.998 only near pi/2 + 2k pi
      chain([x()], [{ op: 'Sin', ins: ['x'], out: 's' }, { op: 'Sub', ins: ['s', 'c'], out: 'd' }, { op: 'Log', ins: ['d'], out: 'l' }], [4], { c: f32([]) }, [
        { name: 'c', dtype: 'float32', shape: [], kind: 'constant', data: [0.998] },
      ]),
    ];
    for (const [i, g] of feasible.entries()) expect(infeasibility(g), `graph ${i}`).toBeUndefined();
  });

  it('holds for generated graphs (the generator retries until it does)', () => {
    for (const nodes of [10, 30]) {
      const o = resolveOptions({ nodes });
      let bad = 0;
      for (let i = 0; i < 150; i++) if (!rangeFeasible(generateGraph(caseSeed(77, i), o))) bad++;
      expect(bad, `${nodes} nodes`).toBeLessThanOrEqual(1);
    }
  });
});
