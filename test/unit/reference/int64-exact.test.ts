import { describe, expect, it } from 'vitest';
import type { Graph, Initializer, Node, Tensor } from '../../../src/ir/index.js';
import { exactOf, int64Tensor, tensor } from '../../../src/ir/index.js';
import { interpret, ReferenceUnsupported } from '../../../src/reference/interpreter.js';

const BIG = 2n ** 53n + 1n;
const big = (shape: number[], ...v: bigint[]): Tensor => int64Tensor(shape, BigInt64Array.from(v));
const i64 = (name: string, shape: number[]) => ({ name, dtype: 'int64' as const, shape });
const konst = (name: string, data: number[]): Initializer => ({ ...i64(name, [data.length]), kind: 'constant', data });
const node = (op: string, inputs: string[], attrs: Node['attrs'] = {}, outputs = ['y']): Node => ({ op, name: op.toLowerCase(), inputs, outputs, attrs });

/** Runs one node on int64 feeds and returns its exact output values. */
function run(n: Node, feeds: Record<string, Tensor>, inits: Initializer[] = [], out = 'y'): bigint[] {
  const g: Graph = {
    opset: 17,
    inputs: Object.entries(feeds).map(([k, t]) => ({ name: k, dtype: t.dtype, shape: t.shape })),
    initializers: inits,
    nodes: [n],
    outputs: [i64(out, [])],
    valueInfo: [],
  };
  return Array.from(exactOf(interpret(g, feeds).get(out)!));
}

describe('reference with int64 beyond 2^53', () => {
  const x = big([2, 2], BIG, -BIG, 2n ** 62n + 3n, 7n);

  it('Reshape, Transpose, Gather, Concat, Slice, Pad and Where move exact values', () => {
    expect(run(node('Reshape', ['x', 's']), { x }, [konst('s', [4])])).toEqual([BIG, -BIG, 2n ** 62n + 3n, 7n]);
    expect(run(node('Transpose', ['x']), { x })).toEqual([BIG, 2n ** 62n + 3n, -BIG, 7n]);
    expect(run(node('Gather', ['x', 'i'], { axis: 1 }), { x }, [konst('i', [1, 0, 1])])).toEqual([-BIG, BIG, -BIG, 7n, 2n ** 62n + 3n, 7n]);
    expect(run(node('Concat', ['x', 'z'], { axis: 0 }), { x, z: big([1, 2], 1n, BIG + 2n) })).toEqual([BIG, -BIG, 2n ** 62n + 3n, 7n, 1n, BIG + 2n]);
    // an end of INT64_MAX, itself exact, as exported models write it
    const ends = { ...i64('e', [1]), kind: 'constant' as const, data: [2 ** 63], exact: [String(2n ** 63n - 1n)] };
    expect(run(node('Slice', ['x', 'b', 'e', 'a']), { x }, [konst('b', [1]), ends, konst('a', [0])])).toEqual([2n ** 62n + 3n, 7n]);
    expect(run(node('Pad', ['x', 'p']), { x }, [konst('p', [0, 1, 0, 0])])).toEqual([0n, BIG, -BIG, 0n, 2n ** 62n + 3n, 7n]);
    const c = tensor('bool', [2, 2], [1, 0, 0, 1]);
    expect(run(node('Where', ['c', 'x', 'z']), { c, x, z: big([1], BIG + 4n) })).toEqual([BIG, BIG + 4n, BIG + 4n, 7n]);
  });

  it('Split gives every output its exact values', () => {
    const g: Graph = {
      opset: 17,
      inputs: [i64('x', [2, 2])],
      initializers: [],
      nodes: [node('Split', ['x'], { axis: 0 }, ['a', 'b'])],
      outputs: [i64('a', [1, 2]), i64('b', [1, 2])],
      valueInfo: [],
    };
    const env = interpret(g, { x });
    expect(Array.from(exactOf(env.get('b')!))).toEqual([2n ** 62n + 3n, 7n]);
  });

  it('Add, Sub, Mul, Neg, Abs, Max and Min compute on BigInt, wrapping as int64 does', () => {
    const y = big([2], 1n, -2n);
    expect(run(node('Add', ['x', 'y']), { x, y })).toEqual([BIG + 1n, -BIG - 2n, 2n ** 62n + 4n, 5n]);
    expect(run(node('Sub', ['x', 'y']), { x, y })).toEqual([BIG - 1n, -BIG + 2n, 2n ** 62n + 2n, 9n]);
    expect(run(node('Mul', ['x', 'y']), { x, y })).toEqual([BIG, 2n * BIG, 2n ** 62n + 3n, -14n]);
    expect(run(node('Neg', ['x']), { x })).toEqual([-BIG, BIG, -(2n ** 62n) - 3n, -7n]);
    expect(run(node('Abs', ['x']), { x })).toEqual([BIG, BIG, 2n ** 62n + 3n, 7n]);
    expect(run(node('Max', ['x', 'y']), { x, y })).toEqual([BIG, -2n, 2n ** 62n + 3n, 7n]);
    expect(run(node('Min', ['x', 'y']), { x, y })).toEqual([1n, -BIG, 1n, -2n]);
    expect(run(node('Mul', ['x', 'y']), { x: big([1], 2n ** 62n + 1n), y: big([1], 2n) })).toEqual([-(2n ** 63n) + 2n]);
  });

  it('Add of values a float64 holds, with a result beyond 2^53, is exact too', () => {
    const a = tensor('int64', [1], [2 ** 53]);
    expect(run(node('Add', ['a', 'b']), { a, b: tensor('int64', [1], [1]) })).toEqual([2n ** 53n + 1n]);
  });

  it('Cast follows exact values into int64, int32 and float32', () => {
    expect(run(node('Cast', ['x'], { to: 7 }), { x })).toEqual([BIG, -BIG, 2n ** 62n + 3n, 7n]);
    const g = (to: number): Graph => ({
      opset: 17,
      inputs: [i64('x', [1])],
      initializers: [],
      nodes: [node('Cast', ['x'], { to })],
      outputs: [{ name: 'y', dtype: 'float32', shape: [1] }],
      valueInfo: [],
    });
    // 2^53 + 2^29 + 1 is above the float32 tie at 2^53 + 2^29, which Number() would round to first
    const tie = big([1], 2n ** 53n + 2n ** 29n + 1n);
    expect(interpret(g(1), { x: tie }).get('y')!.data[0]).toBe(2 ** 53 + 2 ** 30);
    expect(interpret(g(6), { x: big([1], 2n ** 53n + 3n) }).get('y')!.data[0]).toBe(3);
  });

  it('refuses, as unsupported, an operator it cannot follow exactly', () => {
    expect(() => run(node('ReduceSum', ['x'], { keepdims: 0 }), { x })).toThrow(ReferenceUnsupported);
    expect(() => run(node('Div', ['x', 'y']), { x, y: big([1], 3n) })).toThrow(/Div 'div' cannot be computed exactly: input 'x' holds int64 values beyond 2\^53/);
    // no input beyond 2^53, but a product that float64 would round
    expect(() => run(node('ReduceProd', ['a'], { keepdims: 0 }), { a: tensor('int64', [2], [2 ** 30 + 1, 2 ** 30 + 1]) })).toThrow(/result reaches 2\^53/);
  });

  it('costs nothing when every value is within 2^53: no companion appears', () => {
    const env = interpret(
      { opset: 17, inputs: [i64('a', [2])], initializers: [], nodes: [node('Add', ['a', 'a'])], outputs: [i64('y', [2])], valueInfo: [] },
      { a: tensor('int64', [2], [3, -4]) },
    );
    expect(env.get('y')!.exact).toBeUndefined();
    expect(Array.from(env.get('y')!.data)).toEqual([6, -8]);
  });
});
