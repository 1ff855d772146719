/**
 * tfjs lowerings of the broadcasting arithmetic (Add … Mean), comparisons and logic, Where, MatMul and Gemm.
 * 1. Forward and backward one-node instances on tfjs-cpu and tfjs-wasm (the backend contract samples only 4
 *    forward ones); float64 left out (tfjs has none). TFJS_RUNS=n samples more.
 * 2. Chosen values the sampler's small integers never reach: every sign combination of integer Div and Mod,
 *    int32 wrap-around, mixed Pow types, 1-D and batch-broadcast MatMul, Gemm's transposes and C shapes.
 * 3. tfjs bugs met on the way, pinned so a tfjs upgrade that fixes them is noticed.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { binaryArithOps } from '../../../generators/ops/binary-arith.js';
import { compareLogicOps } from '../../../generators/ops/compare-logic.js';
import { findOp } from '../../../generators/ops/index.js';
import { matmulOps } from '../../../generators/ops/matmul.js';
import type { OpSpec } from '../../../generators/ops/spec.js';
import { whereOps } from '../../../generators/ops/where.js';
import { compareTensor } from '../../../oracles/closeness.js';
import { toleranceFor } from '../../../oracles/tolerance.js';
import type { Backend } from '../../../src/backends/types.js';
import { runInProcess } from '../../../src/backends/types.js';
import type { Attrs, DType, Graph, Tensor } from '../../../src/ir/index.js';
import { exportModel } from '../../../src/onnx/index.js';
import { interpret } from '../../../src/reference/interpreter.js';
import { availableBackend, describeSampledOnTfjs, TFJS_BACKENDS, tfjsRuns } from '../../helpers/tfjs-contract.js';

const OPS: readonly OpSpec[] = [...binaryArithOps, ...compareLogicOps, ...whereOps, ...matmulOps];
const MAX = 2 ** 31 - 1;
const MIN = -(2 ** 31);

describeSampledOnTfjs({
  title: (backend) => `binary, compare, where, matmul on ${backend}: sampled instances`,
  ops: OPS,
  runs: tfjsRuns(20),
  failureText: (why) => why,
});

const dir = mkdtempSync(join(tmpdir(), 'onnxsmith-binary-tfjs-'));
let fileNo = 0;

type Feed = { readonly dtype: DType; readonly shape: readonly number[]; readonly data: readonly number[] };

/** A one-node graph over the given feeds (all graph inputs); output types from the spec's inference. */
function nodeGraph(op: string, feeds: readonly (Feed | undefined)[], attrs: Attrs = {}): { g: Graph; feeds: Record<string, Tensor> } {
  const spec = findOp(op)!;
  const types = feeds.map((f) => (f ? { dtype: f.dtype, shape: [...f.shape] } : undefined));
  const outs = spec.infer(types, attrs, 17);
  if (typeof outs === 'string') throw new Error(outs);
  const named: Record<string, Tensor> = {};
  feeds.forEach((f, i) => {
    if (f) named[`in${i}`] = { dtype: f.dtype, shape: [...f.shape], data: Float64Array.from(f.data) };
  });
  const g: Graph = {
    opset: 17,
    inputs: feeds.flatMap((f, i) => (f ? [{ name: `in${i}`, dtype: f.dtype, shape: [...f.shape] }] : [])),
    initializers: [],
    nodes: [{ op, name: 'n0', inputs: feeds.map((f, i) => (f ? `in${i}` : '')), outputs: outs.map((_, k) => `out${k}`), attrs }],
    outputs: outs.map((t, k) => ({ name: `out${k}`, ...t })),
    valueInfo: [],
  };
  return { g, feeds: named };
}

/** Runs the node on the backend; returns its first output and the reference's. */
async function runNode(b: Backend, op: string, feeds: readonly (Feed | undefined)[], attrs: Attrs = {}): Promise<{ actual: Tensor; expected: Tensor }> {
  const { g, feeds: named } = nodeGraph(op, feeds, attrs);
  const bytes = exportModel(g);
  const path = join(dir, `m${fileNo++}.onnx`);
  writeFileSync(path, bytes);
  const o = await runInProcess(b, { bytes, path, graph: g }, named, ['out0']);
  if (o.kind !== 'ok') throw new Error(`${op} on ${b.name}: ${o.kind} ${'message' in o ? o.message : ''}${'reasons' in o ? o.reasons.join('; ') : ''}`);
  return { actual: o.outputs['out0']!, expected: interpret(g, named).get('out0')! };
}

async function expectMatch(b: Backend, op: string, feeds: readonly (Feed | undefined)[], attrs: Attrs = {}): Promise<void> {
  const { actual, expected } = await runNode(b, op, feeds, attrs);
  const c = compareTensor('out0', expected, actual, toleranceFor(expected.dtype));
  expect(c.verdict, `${op}${JSON.stringify(attrs)} on ${b.name}: ${c.detail ?? ''} expected ${JSON.stringify([...expected.data])} got ${JSON.stringify([...actual.data])}`).toBe('match');
}

const i32 = (data: number[], shape = [data.length]): Feed => ({ dtype: 'int32', shape, data });
const i64 = (data: number[], shape = [data.length]): Feed => ({ dtype: 'int64', shape, data });
const f32 = (data: number[], shape = [data.length]): Feed => ({ dtype: 'float32', shape, data: data.map(Math.fround) });
const bool = (data: number[], shape = [data.length]): Feed => ({ dtype: 'bool', shape, data });
const iota = (n: number, scale = 1, offset = 0): number[] => Array.from({ length: n }, (_, i) => (i * scale + offset) % 7);

// every sign combination, exact multiples, a zero dividend, the extreme divisors, values up to 2^24
const DIVIDENDS = [7, -7, 7, -7, 6, -6, 6, -6, 0, 5, -5, 16777215, -16777215, MAX, MAX - 1];
const DIVISORS = [2, 2, -2, -2, 3, 3, -3, -3, -5, MIN, MIN, 7, -7, MIN, MAX];

for (const name of TFJS_BACKENDS) {
  describe(`binary, compare, where, matmul on ${name}: chosen values`, () => {
    it('Add and Sub wrap around in int32, as ORT does', async () => {
      const b = await availableBackend(name);
      await expectMatch(b, 'Add', [i32([MAX, MIN, MAX, -3]), i32([1, -1, MAX, 3])]);
      await expectMatch(b, 'Sub', [i32([MIN, MAX, 0]), i32([1, -1, MIN])]);
    });

    it('Mul wraps around in int32 while |a·b| < 2^53', async () => {
      const b = await availableBackend(name);
      await expectMatch(b, 'Mul', [i32([65536, 123456, -70000, 3]), i32([65536, 654321, 80000, -4])]);
    });

    it('Div truncates integer quotients toward zero (int32 and int64)', async () => {
      const b = await availableBackend(name);
      // |dividend| <= 2^24: tfjs-wasm's integer floorDiv is exact only there (see the bugs below)
      const n = DIVIDENDS.length - 2;
      await expectMatch(b, 'Div', [i32(DIVIDENDS.slice(0, n)), i32(DIVISORS.slice(0, n))]);
      await expectMatch(b, 'Div', [i64([9, -9, 9, -9]), i64([4, 4, -4, -4])]);
      await expectMatch(b, 'Div', [f32([7, -7, 1, 0.5]), f32([2, 2, 3, -0.25])]);
    });

    it('Mod: fmod=0 takes the divisor sign, fmod=1 the dividend sign', async () => {
      const b = await availableBackend(name);
      for (const fmod of [0, 1]) {
        await expectMatch(b, 'Mod', [i32(DIVIDENDS), i32(DIVISORS)], { fmod });
        await expectMatch(b, 'Mod', [i64([9, -9, 9, -9]), i64([4, 4, -4, -4])], { fmod });
      }
      // float fmod is exact: 0.3f / 0.1f is just above 3
      await expectMatch(b, 'Mod', [f32([7.5, -7.5, 7.5, -7.5, 0.3, 1e10, 0, -2]), f32([2, 2, -2, -2, 0.1, 3, 1.5, 2])], { fmod: 1 });
      // broadcasting
      await expectMatch(b, 'Mod', [i32([-7, 8, 9, -10, 11, 12], [2, 3]), i32([3, -4, 5])], { fmod: 1 });
    });

    it('Pow: the output takes the base type, whatever the exponent type', async () => {
      const b = await availableBackend(name);
      await expectMatch(b, 'Pow', [f32([0.5, 2, 3, 1.5]), i32([2, -1, 3, 0])]);
      await expectMatch(b, 'Pow', [f32([0.5, 2, 3, 1.5]), i64([2, -1, 3, 0])]);
      await expectMatch(b, 'Pow', [f32([0.5, 2, 3, 1.5]), f32([2.5, -1, 0.5, 0])]);
      await expectMatch(b, 'Pow', [i32([99, -99, 7, 2, -3, 0]), i32([4, 3, 0, 30, 5, 0])]);
      await expectMatch(b, 'Pow', [i64([99, -9, 7]), i32([4, 3, 2])]);
      // an integer base with a float exponent: ORT truncates the real power back to the base type
      await expectMatch(b, 'Pow', [i32([7, 10, 2, 99]), f32([0.5, 1.5, 2, 2])]);
      await expectMatch(b, 'Pow', [i32([2, 3, 5], [3, 1]), i32([0, 1, 2, 3], [1, 4])]);
    });

    it('Max, Min, Sum, Mean: 1 to 3 inputs broadcast together', async () => {
      const b = await availableBackend(name);
      const a = f32(iota(12, 3, -3).map((v) => v / 2), [3, 1, 4]);
      const c = f32([1, -1], [2, 1]);
      const d = f32([0.25, -2, 3, 0.5]);
      for (const op of ['Max', 'Min', 'Sum', 'Mean']) {
        await expectMatch(b, op, [a]);
        await expectMatch(b, op, [c, a]);
        await expectMatch(b, op, [d, a, c]);
      }
      await expectMatch(b, 'Max', [i32([MIN, 3, -4], [3, 1]), i32([MAX, 0])]);
      await expectMatch(b, 'Min', [i64([5], []), i64([3, 9, -4], [3, 1]), i64([7, 0])]);
    });

    it('comparisons and logic broadcast and give bool', async () => {
      const b = await availableBackend(name);
      const x = f32([1, -2, 3, 0.5, 0, 2], [2, 3]);
      const y = f32([1, 0, 3]);
      for (const op of ['Equal', 'Greater', 'Less', 'GreaterOrEqual', 'LessOrEqual']) {
        await expectMatch(b, op, [x, y]);
        await expectMatch(b, op, [i64([4, -1], [2, 1]), i64([4, 0, -1])]);
      }
      await expectMatch(b, 'Equal', [bool([1, 0, 1, 0], [2, 2]), bool([1, 0], [2, 1])]);
      for (const op of ['And', 'Or', 'Xor']) await expectMatch(b, op, [bool([1, 0, 1, 0], [2, 1, 2]), bool([1, 0, 0, 1, 1, 1], [3, 2])]);
      await expectMatch(b, 'Not', [bool([1, 0, 0], [1, 3])]);
    });

    it('Where broadcasts condition, X and Y three ways', async () => {
      const b = await availableBackend(name);
      await expectMatch(b, 'Where', [bool([1, 0], [2, 1]), f32([1, 2, 3]), f32([-1], [])]);
      await expectMatch(b, 'Where', [bool([1], []), i64([1, 2], [1, 2]), i64([5, 6, 7], [3, 1])]);
      await expectMatch(b, 'Where', [bool([1, 0, 0, 1, 1, 0], [3, 1, 2]), i32([4], [1]), i32([8, 9], [2, 1])]);
    });

    it('MatMul: 1-D operands and broadcast batches, float and integer', async () => {
      const b = await availableBackend(name);
      for (const t of [f32, i32, i64]) {
        await expectMatch(b, 'MatMul', [t(iota(3)), t(iota(3, 2))]);
        await expectMatch(b, 'MatMul', [t(iota(3)), t(iota(2 * 3 * 4), [2, 3, 4])]);
        await expectMatch(b, 'MatMul', [t(iota(2 * 4 * 3), [2, 4, 3]), t(iota(3, 5))]);
        await expectMatch(b, 'MatMul', [t(iota(2 * 1 * 2 * 3), [2, 1, 2, 3]), t(iota(3 * 3 * 2, 2), [3, 3, 2])]);
        await expectMatch(b, 'MatMul', [t(iota(2 * 3), [2, 3]), t(iota(4 * 3 * 2, 3), [4, 3, 2])]);
      }
      // int32 products wrap around like ORT's kernel (each product below 2^53)
      await expectMatch(b, 'MatMul', [i32([65536, 3, 100000, 5], [2, 2]), i32([65536, 7, 100000, 1], [2, 2])]);
    });

    it('Gemm: every transpose combination, C of every broadcast shape or absent', async () => {
      const b = await availableBackend(name);
      const [m, k, n] = [3, 4, 2];
      const shapes = [undefined, [], [1], [n], [1, 1], [1, n], [m, 1], [m, n]];
      for (const transA of [0, 1]) {
        for (const transB of [0, 1]) {
          for (const c of shapes) {
            const a = f32(iota(m * k, 3, -2), transA ? [k, m] : [m, k]);
            const bb = f32(iota(k * n, 2, -3), transB ? [n, k] : [k, n]);
            const cc = c ? f32(iota(c.reduce((p, d) => p * d, 1), 1, 1), c) : undefined;
            await expectMatch(b, 'Gemm', cc ? [a, bb, cc] : [a, bb], { alpha: 0.5, beta: -1.5, transA, transB });
          }
        }
      }
      await expectMatch(b, 'Gemm', [f32(iota(6), [2, 3]), f32(iota(6), [3, 2])]);
    });
  });
}

// The lowerings stay faithful; these pin what tfjs itself gets wrong (reported, and ORT agrees with the reference).
describe('tfjs bugs met by these lowerings', () => {
  it('tfjs-cpu: int32 Mul multiplies in float64, so products beyond 2^53 lose the low bits wrap-around keeps', async () => {
    const b = await availableBackend('tfjs-cpu');
    const { actual, expected } = await runNode(b, 'Mul', [i32([MAX, 123456789]), i32([MAX, 987654321])]);
    expect([...expected.data]).toEqual([1, -67153019]);
    expect([...actual.data]).toEqual([0, -67153024]);
  });

  it('tfjs-wasm: int32 floorDiv (tf.div) divides in float32, wrong once |dividend| passes 2^24', async () => {
    const b = await availableBackend('tfjs-wasm');
    const { actual, expected } = await runNode(b, 'Div', [i32([16777217, MAX - 1, MAX]), i32([1, 3, 1])]);
    expect([...expected.data]).toEqual([16777217, 715827882, MAX]);
    expect([...actual.data]).toEqual([16777216, 715827904, MIN]);
  });
});
