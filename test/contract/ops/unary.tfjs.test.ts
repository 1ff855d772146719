/**
 * tfjs lowerings of the unary math operators, the activations, Cast and Clip.
 * 1. Forward and backward one-node instances on tfjs-cpu and tfjs-wasm (the backend contract samples only 4
 *    forward ones); float64 left out (tfjs has none). TFJS_RUNS=n samples more.
 * 2. Chosen values the sampler never reaches: halves for Round, INT32_MIN, truncation toward zero, min > max,
 *    Clip bounds computed in the graph, non-default activation attributes, thresholds hit exactly.
 * 3. Gradients on tfjs-cpu (the input search differentiates the lowerings there) against finite differences of
 *    the reference, wherever the function is smooth.
 * 4. tfjs bugs met on the way, pinned so a tfjs upgrade that fixes them is noticed.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tfCore from '@tensorflow/tfjs-core';
import * as fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { activationOps } from '../../../generators/ops/activations.js';
import { castClipOps } from '../../../generators/ops/cast-clip.js';
import { findOp } from '../../../generators/ops/index.js';
import type { OpSpec, TfjsContext, TfjsLowering } from '../../../generators/ops/spec.js';
import { unaryMathOps } from '../../../generators/ops/unary-math.js';
import { intervalFor } from '../../../generators/values.js';
import { compareTensor } from '../../../oracles/closeness.js';
import { toleranceFor } from '../../../oracles/tolerance.js';
import type { Backend } from '../../../src/backends/types.js';
import { runInProcess } from '../../../src/backends/types.js';
import type { Attrs, DType, Graph, Initializer, Tensor, TensorType, ValueInfo } from '../../../src/ir/index.js';
import { isInt, numel } from '../../../src/ir/index.js';
import { exportModel } from '../../../src/onnx/index.js';
import { interpret } from '../../../src/reference/interpreter.js';
import { holds } from '../../../src/search/violations.js';
import { availableBackend, describeSampledOnTfjs, TFJS_BACKENDS, tfjsRuns } from '../../helpers/tfjs-contract.js';

const RUNS = tfjsRuns(20);
const OPS: readonly OpSpec[] = [...unaryMathOps, ...activationOps, ...castClipOps];
const MAX = 2 ** 31 - 1;
const MIN = -(2 ** 31);
const BOOL_CODE = 9;

/**
 * Forms tfjs-wasm computes wrongly (see the pinned bugs at the end): Cast to bool (the kernel copies values into a
 * Uint8Array, so 0.5 becomes false and 256 false), integer ClipByValue (the kernel reads int32 data as float) and
 * Prelu with a slope that is not a trailing block of X's shape (the kernel indexes the slope modulo its size).
 */
function wasmBug(g: Graph): string | undefined {
  const n = g.nodes[0]!;
  const types = new Map<string, TensorType>([...g.inputs, ...g.initializers].map((v) => [v.name, v]));
  const x = types.get(n.inputs[0]!)!;
  if (n.op === 'Cast' && n.attrs['to'] === BOOL_CODE && x.dtype !== 'bool') return 'Cast';
  if (n.op === 'Clip' && isInt(x.dtype)) return 'ClipByValue';
  if (n.op === 'PRelu' && x.dtype === 'float32' && !trailingBlock(types.get(n.inputs[1]!)!.shape, x.shape)) return 'Prelu';
  return undefined;
}

/** Whether slope[i % size] is the broadcast slope at i: the slope, leading 1s dropped, ends X's shape. */
function trailingBlock(slope: readonly number[], x: readonly number[]): boolean {
  if (numel(slope) === 1) return true;
  const s = slope.slice(slope.findIndex((d) => d !== 1));
  return s.every((d, i) => d === x[x.length - s.length + i]);
}

describeSampledOnTfjs({
  title: (backend) => `unary, activations, Cast, Clip on ${backend}: sampled instances`,
  ops: OPS,
  runs: RUNS,
  skip: (g, backend) => [...g.inputs, ...g.initializers, ...g.outputs].some((t) => t.dtype === 'float64') || (backend === 'tfjs-wasm' && wasmBug(g) !== undefined),
  failureText: (why, g) => `${why} x=${JSON.stringify(g.inputs[0]?.shape)}`,
  compared: { moreThan: RUNS / 2 },
});

const dir = mkdtempSync(join(tmpdir(), 'onnxsmith-unary-tfjs-'));
let fileNo = 0;

/** A node operand: a graph input fed with `data`, a constant initializer, or left out (''). */
type Operand = { readonly dtype: DType; readonly shape: readonly number[]; readonly data: readonly number[]; readonly constant?: boolean } | undefined;

/** A one-node graph over the operands; output types from the spec's inference. */
function nodeGraph(op: string, operands: readonly Operand[], attrs: Attrs): { g: Graph; feeds: Record<string, Tensor> } {
  const spec = findOp(op)!;
  const outs = spec.infer(operands.map((o) => (o ? { dtype: o.dtype, shape: [...o.shape] } : undefined)), attrs, 17);
  if (typeof outs === 'string') throw new Error(outs);
  const feeds: Record<string, Tensor> = {};
  const inputs: ValueInfo[] = [];
  const initializers: Initializer[] = [];
  operands.forEach((o, i) => {
    if (!o) return;
    const v = { name: `in${i}`, dtype: o.dtype, shape: [...o.shape] };
    if (o.constant) initializers.push({ ...v, kind: 'constant', data: [...o.data] });
    else {
      inputs.push(v);
      feeds[v.name] = { ...v, data: Float64Array.from(o.data) };
    }
  });
  const g: Graph = {
    opset: 17,
    inputs,
    initializers,
    nodes: [{ op, name: 'n0', inputs: operands.map((o, i) => (o ? `in${i}` : '')), outputs: outs.map((_, k) => `out${k}`), attrs }],
    outputs: outs.map((t, k) => ({ name: `out${k}`, ...t })),
    valueInfo: [],
  };
  return { g, feeds };
}

/** Runs the node on the backend; returns its first output and the reference's. */
async function runNode(b: Backend, op: string, operands: readonly Operand[], attrs: Attrs = {}): Promise<{ actual: Tensor; expected: Tensor }> {
  const { g, feeds } = nodeGraph(op, operands, attrs);
  const bytes = exportModel(g);
  const path = join(dir, `m${fileNo++}.onnx`);
  writeFileSync(path, bytes);
  const o = await runInProcess(b, { bytes, path, graph: g }, feeds, ['out0']);
  if (o.kind !== 'ok') throw new Error(`${op} on ${b.name}: ${o.kind} ${'message' in o ? o.message : ''}${'reasons' in o ? o.reasons.join('; ') : ''}`);
  return { actual: o.outputs['out0']!, expected: interpret(g, feeds).get('out0')! };
}

async function expectMatch(b: Backend, op: string, operands: readonly Operand[], attrs: Attrs = {}): Promise<void> {
  const { actual, expected } = await runNode(b, op, operands, attrs);
  const c = compareTensor('out0', expected, actual, toleranceFor(expected.dtype));
  expect(c.verdict, `${op}${JSON.stringify(attrs)} on ${b.name}: ${c.detail ?? ''} expected ${JSON.stringify([...expected.data])} got ${JSON.stringify([...actual.data])}`).toBe('match');
}

const f32 = (data: number[], shape = [data.length]): Operand => ({ dtype: 'float32', shape, data: data.map(Math.fround) });
const i32 = (data: number[], shape = [data.length]): Operand => ({ dtype: 'int32', shape, data });
const i64 = (data: number[], shape = [data.length]): Operand => ({ dtype: 'int64', shape, data });
const bool = (data: number[], shape = [data.length]): Operand => ({ dtype: 'bool', shape, data });
const konst = (o: Operand): Operand => (o ? { ...o, constant: true } : o);
const scalar = (dtype: DType, v: number): Operand => konst({ dtype, shape: [], data: [dtype === 'float32' ? Math.fround(v) : v] });

const SPREAD = [-3, -2.5, -1.5, -1, -0.5, -1e-4, 0, 1e-4, 0.5, 1, 1.5, 2.5, 3];
const CAST_TO: Readonly<Record<string, number>> = { float32: 1, int32: 6, int64: 7, bool: BOOL_CODE };

for (const name of TFJS_BACKENDS) {
  const wasm = name === 'tfjs-wasm';
  describe(`unary, activations, Cast, Clip on ${name}: chosen values`, () => {
    it('Round takes halves to the even neighbour', async () => {
      const b = await availableBackend(name);
      await expectMatch(b, 'Round', [f32([-3.5, -2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 0.49999997, -0.49999997, 2.4999998, 8388607.5, -8388607.5])]);
    });

    it('Abs, Neg and Sign of int32 extremes (Abs and Neg of INT32_MIN wrap to itself)', async () => {
      const b = await availableBackend(name);
      // |x| up to 2^24 only: tfjs computes int32 Abs (and Neg on wasm) in float32 (pinned below)
      await expectMatch(b, 'Abs', [i32([MIN, -16777216, -5, 0, 7])]);
      await expectMatch(b, 'Neg', [i32([MIN, -16777216, -5, 0, 7, 16777216])]);
      await expectMatch(b, 'Sign', [i32([MIN, -3, 0, 4, MAX])]);
      for (const op of ['Abs', 'Neg', 'Sign']) await expectMatch(b, op, [i64([-9, 0, 4])]);
      // tfjs-wasm's Sign gives 0 below 2^-23 (pinned below)
      await expectMatch(b, 'Sign', [f32([-0.5, 0, 2e-7, -3, 1e30])]);
      if (!wasm) await expectMatch(b, 'Sign', [f32([1e-8, -2e-30, 1e-38])]);
    });

    it('Cast truncates float toward zero; bool and integer casts', async () => {
      const b = await availableBackend(name);
      const fl = f32([-2.7, -0.5, -0, 0.3, 2.9, 1e6 + 0.5, -1e6 - 0.5]);
      for (const to of ['int32', 'int64', 'float32']) await expectMatch(b, 'Cast', [fl], { to: CAST_TO[to]! });
      for (const to of ['float32', 'int32', 'int64', 'bool']) await expectMatch(b, 'Cast', [bool([1, 0, 1], [3, 1])], { to: CAST_TO[to]! });
      await expectMatch(b, 'Cast', [i64([-7, 0, 9])], { to: CAST_TO['int32']! });
      await expectMatch(b, 'Cast', [i32([-7, 0, 16777216])], { to: CAST_TO['int64']! });
      await expectMatch(b, 'Cast', [i32([-7, 0, 16777216])], { to: CAST_TO['float32']! });
      // tfjs-wasm's Cast to bool is wrong (pinned below)
      if (!wasm) {
        await expectMatch(b, 'Cast', [f32([0.5, -0.25, 0, -0, 256, 1e9])], { to: BOOL_CODE });
        await expectMatch(b, 'Cast', [i32([0, 3, -1, 256])], { to: BOOL_CODE });
        await expectMatch(b, 'Cast', [i64([0, 3, -1, 256])], { to: BOOL_CODE });
      }
    });

    it('Clip: every bound form, min > max, [1]-shaped and computed bounds', async () => {
      const b = await availableBackend(name);
      const x = f32(SPREAD, [13]);
      const forms: [Operand, Operand][] = [
        [undefined, undefined],
        [scalar('float32', -0.7), undefined],
        [undefined, scalar('float32', 1.2)],
        [scalar('float32', -0.7), scalar('float32', 1.2)],
        [scalar('float32', 1.2), scalar('float32', -0.7)],
        [scalar('float32', 0.5), scalar('float32', 0.5)],
        [konst(f32([-1], [1])), konst(f32([2], [1]))],
        // bounds computed in the graph (not initializers)
        [f32([-0.7], []), f32([1.2], [])],
        [f32([1.2], []), f32([-0.7], [])],
        [undefined, f32([0.3], [1])],
      ];
      for (const [lo, hi] of forms) await expectMatch(b, 'Clip', hi ? [x, lo, hi] : lo ? [x, lo] : [x]);
      await expectMatch(b, 'Clip', [f32([2.5], []), scalar('float32', -1), scalar('float32', 1)]);
      // integer bounds computed in the graph take maximum/minimum, which tfjs-wasm gets right
      await expectMatch(b, 'Clip', [i32([MIN, -5, 0, 5, MAX]), i32([-3], []), i32([4], [])]);
      await expectMatch(b, 'Clip', [i64([-9, 0, 9]), i64([3], [1]), i64([-3], [])]);
      if (!wasm) {
        await expectMatch(b, 'Clip', [i32([MIN, -5, 0, 5, MAX])]);
        await expectMatch(b, 'Clip', [i32([MIN, -5, 0, 5, MAX]), scalar('int32', -3), scalar('int32', 4)]);
        await expectMatch(b, 'Clip', [i32([MIN, -5, 0, 5, MAX]), undefined, scalar('int32', 4)]);
        await expectMatch(b, 'Clip', [i64([-9, 0, 9]), scalar('int64', 3), scalar('int64', -3)]);
      }
    });

    it('Elu, Selu, Celu with default and other alphas (negative ones too)', async () => {
      const b = await availableBackend(name);
      const x = f32(SPREAD);
      for (const alpha of [1, 0.5, 2.75, 0, -1.5]) await expectMatch(b, 'Elu', [x], { alpha });
      await expectMatch(b, 'Elu', [x]);
      await expectMatch(b, 'Selu', [x]);
      await expectMatch(b, 'Selu', [x], { alpha: 0.5, gamma: 2 });
      await expectMatch(b, 'Selu', [x], { alpha: -1.25, gamma: -0.5 });
      for (const alpha of [1, 0.3, 2.5, -2]) await expectMatch(b, 'Celu', [x], { alpha });
      // a negative alpha's branch grows like e^(x/alpha): the domain keeps x >= 80·alpha
      await expectMatch(b, 'Celu', [f32([-20, -5, 0, 5, 20])], { alpha: -0.25 });
    });

    it('LeakyRelu, ThresholdedRelu, HardSigmoid, HardSwish at their edges', async () => {
      const b = await availableBackend(name);
      const x = f32(SPREAD);
      for (const alpha of [0.01, 1.5, -1, 0]) await expectMatch(b, 'LeakyRelu', [x], { alpha });
      await expectMatch(b, 'ThresholdedRelu', [f32([1, 1.0000001, 0.99999994, -2, 3, 0])]);
      await expectMatch(b, 'ThresholdedRelu', [f32([-1, -0.5, -2, 0, -1.0000001])], { alpha: -1 });
      await expectMatch(b, 'HardSigmoid', [x], { alpha: -0.5, beta: 1 });
      await expectMatch(b, 'HardSigmoid', [x]);
      await expectMatch(b, 'HardSwish', [f32([-4, -3, -2.9, -1, 0, 1, 2.9, 3, 4])]);
      for (const op of ['Relu', 'Sigmoid', 'Tanh', 'Softplus', 'Softsign']) await expectMatch(b, op, [f32([-100, -20, ...SPREAD, 20, 100])]);
      await expectMatch(b, 'Relu', [i32([MIN, -1, 0, 1, MAX])]);
    });

    it('PRelu: trailing and inner slope broadcasts, integers wrap', async () => {
      const b = await availableBackend(name);
      const x = f32([-1, -2, 3, -4, 5, -6, -0.5, 0, 0.25, -7, 8, -9], [2, 2, 3]);
      await expectMatch(b, 'PRelu', [x, f32([0.5, -2, 3])]);
      await expectMatch(b, 'PRelu', [x, f32([0.5, -2, 3, 1, 0, 4], [2, 3])]);
      await expectMatch(b, 'PRelu', [x, f32([1.5], [])]);
      await expectMatch(b, 'PRelu', [f32([-2], []), f32([3], [])]);
      // tfjs-wasm indexes the slope modulo its size (pinned below)
      if (!wasm) {
        await expectMatch(b, 'PRelu', [x, f32([0.5, -2], [2, 1])]);
        await expectMatch(b, 'PRelu', [x, f32([0.5, -2], [2, 1, 1])]);
      }
      const xi = i32([-1, -2, 3, -4, 5, -6], [2, 3]);
      await expectMatch(b, 'PRelu', [xi, i32([2, -3], [2, 1])]);
      await expectMatch(b, 'PRelu', [xi, i32([2, -3, 4])]);
      await expectMatch(b, 'PRelu', [i64([-1, -2, 3, -4, 5, -6], [2, 3]), i64([2, -3], [2, 1])]);
      await expectMatch(b, 'PRelu', [i32([-196608, -3, 70000]), i32([327680, 5, 65536])]);
    });
  });
}

/** Attributes with the schema's defaults filled in, as lowerings receive them. */
function defaulted(spec: OpSpec, attrs: Attrs): Attrs {
  const out: Record<string, Attrs[string]> = {};
  for (const [k, s] of Object.entries(spec.attributes)) if (s.default !== undefined) out[k] = s.default;
  return { ...out, ...attrs };
}

/** The reference on float64 values as a plain function of one input tensor (others held). */
function refFn(spec: OpSpec, attrs: Attrs, inputs: readonly Tensor[], which: number): (data: Float64Array) => Float64Array {
  return (data) => {
    const ins = inputs.map((t, i) => (i === which ? { ...t, data } : t));
    return spec.reference(ins, defaulted(spec, attrs), 17)[0]!.data;
  };
}

/**
 * Central differences of sum(f) at every element, or NaN where the function is not smooth there (the left and
 * right differences disagree: a kink or a step within h).
 */
function numericGrad(f: (d: Float64Array) => Float64Array, x: Float64Array): Float64Array {
  const h = 1e-5;
  const sum = (d: Float64Array): number => d.reduce((s, v) => s + v, 0);
  const f0 = sum(f(x));
  return x.map((_, i) => {
    const at = (dx: number): number => sum(f(x.map((v, j) => (j === i ? v + dx : v))));
    const up = (at(h) - f0) / h;
    const down = (f0 - at(-h)) / h;
    return Math.abs(up - down) > 1e-3 * Math.max(1, Math.abs(up)) ? NaN : (up + down) / 2;
  });
}

/** The tensors' values as float64 arrays; disposes the tensors. */
function readAll(ts: readonly tfCore.Tensor[]): Float64Array[] {
  return ts.map((t) => {
    const v = Float64Array.from(t.dataSync());
    t.dispose();
    return v;
  });
}

describe('gradients of the float lowerings on tfjs-cpu (the input search differentiates them)', () => {
  // tfjs-core registers kernels' gradients only through the tfjs union package, as the input search loads them
  beforeAll(async () => {
    await import('@tensorflow/tfjs');
  });

  const ctx = (types: readonly TensorType[], out: TensorType, constants: (readonly number[] | undefined)[] = []): TfjsContext => ({
    inputTypes: types,
    outputTypes: [out],
    constants,
    opset: 17,
  });

  /** tfjs's gradient of sum(lowering) for each float input against the reference's central differences. */
  function checkGrads(spec: OpSpec, inputs: readonly Tensor[], attrs: Attrs, constants: (readonly number[] | undefined)[] = []): { bad: string[]; compared: number } {
    const lowering = spec.tfjs as TfjsLowering;
    const types = inputs.map((t) => ({ dtype: t.dtype, shape: t.shape }));
    const c = ctx(types, types[0]!, constants);
    const tfGrads = readAll(
      tfCore.tidy(() => {
        const xs = inputs.map((t) => tfCore.tensor(Float32Array.from(t.data), [...t.shape], 'float32'));
        return tfCore.grads((...args: tfCore.Tensor[]) => tfCore.sum(lowering.lower(tfCore, args, defaulted(spec, attrs), c)[0]!))(xs);
      }),
    );
    const bad: string[] = [];
    let compared = 0;
    inputs.forEach((t, k) => {
      const num = numericGrad(refFn(spec, attrs, inputs, k), t.data);
      num.forEach((n, i) => {
        const a = tfGrads[k]![i]!;
        if (!Number.isFinite(a)) bad.push(`${spec.onnx}${JSON.stringify(attrs)} input ${k} at ${t.data[i]}: gradient ${a}`);
        else if (!Number.isNaN(n)) {
          compared++;
          if (Math.abs(a - n) > 2e-3 * Math.max(1, Math.abs(n))) bad.push(`${spec.onnx}${JSON.stringify(attrs)} input ${k} at ${t.data[i]}: tfjs ${a}, finite differences ${n}`);
        }
      });
    });
    return { bad, compared };
  }

  const unary = [...unaryMathOps, ...activationOps].filter((s) => s.onnx !== 'PRelu' && s.dtypes.includes('float32'));
  for (const spec of unary) {
    it(spec.onnx, async () => {
      await availableBackend('tfjs-cpu');
      expect(tfCore.getBackend()).toBe('cpu');
      const type = { dtype: 'float32' as const, shape: [24] };
      const attrSets = [{}, ...fc.sample(spec.build(type, { opset: 17, maxElems: 128, dtypes: ['float32'] }), { seed: 5, numRuns: 6 }).map((i) => i.attrs)];
      const bad: string[] = [];
      let compared = 0;
      for (const attrs of attrSets) {
        // 24 points spread over the sampler's interval for this input, kept where the domain holds
        const cons = spec.domain?.([type], defaulted(spec, attrs)) ?? [];
        const iv = intervalFor('float32', cons);
        const pts = Array.from({ length: 24 }, (_, i) => Math.fround(iv.lo + ((iv.hi - iv.lo) * (i + 0.37)) / 24)).filter((v) => cons.every((c) => holds(c, v)));
        const r = checkGrads(spec, [{ dtype: 'float32', shape: [pts.length], data: Float64Array.from(pts) }], attrs);
        bad.push(...r.bad);
        compared += r.compared;
      }
      expect(bad).toEqual([]);
      expect(compared).toBeGreaterThan(attrSets.length * 12);
    });
  }

  it('PRelu (X and a broadcast slope)', async () => {
    await availableBackend('tfjs-cpu');
    const spec = findOp('PRelu')!;
    const x = { dtype: 'float32' as const, shape: [2, 3, 2], data: Float64Array.from([-1.3, 2.1, -0.4, -2.2, 0.7, -1.9, 1.1, -0.8, -2.6, 0.3, -0.2, 1.7]) };
    for (const shape of [[3, 1], [2], [1, 3, 2], []]) {
      const n = numel(shape);
      const slope = { dtype: 'float32' as const, shape, data: Float64Array.from({ length: n }, (_, i) => Math.fround(0.25 - 0.6 * i)) };
      expect(checkGrads(spec, [x, slope], {})).toEqual({ bad: [], compared: 12 + n });
    }
  });

  it('Clip with constant bounds, and Cast float32 to float32', async () => {
    await availableBackend('tfjs-cpu');
    const x = { dtype: 'float32' as const, shape: [9], data: Float64Array.from([-2.6, -1.3, -0.45, -0.1, 0.2, 0.55, 1.05, 1.9, 2.4]) };
    const clip = findOp('Clip')!;
    const bound = (v: number): Tensor => ({ dtype: 'float32', shape: [], data: Float64Array.from([v]) });
    const lowering = clip.tfjs as TfjsLowering;
    // min >= max: tf.clipByValue returns tf.fill, which leaves x off the tape (the search's proxy gradient covers it)
    for (const [lo, hi] of [[-1, 1.5], [0.3, 2]] as const) {
      const c = ctx([x, bound(lo), bound(hi)], x, [undefined, [lo], [hi]]);
      const [g] = readAll([
        tfCore.tidy(() => {
          const xt = tfCore.tensor(Float32Array.from(x.data), [9]);
          return tfCore.grad((t: tfCore.Tensor) => tfCore.sum(lowering.lower(tfCore, [t, tfCore.scalar(lo), tfCore.scalar(hi)], {}, c)[0]!))(xt);
        }),
      ]);
      const num = numericGrad((d) => clip.reference([{ ...x, data: d }, bound(lo), bound(hi)], {}, 17)[0]!.data, x.data);
      num.forEach((n, i) => {
        if (!Number.isNaN(n)) expect(g![i]).toBeCloseTo(n, 4);
      });
    }
    // the reference rounds to float32, so some central differences straddle a rounding step and are not compared
    const cast = checkGrads(findOp('Cast')!, [x], { to: 1 });
    expect(cast.bad).toEqual([]);
    expect(cast.compared).toBeGreaterThan(3);
  });
});

// The lowerings stay faithful; these pin what tfjs itself gets wrong (reported, and ORT agrees with the reference).
describe('tfjs bugs met by these lowerings', () => {
  it('tfjs-wasm: Cast to bool copies values into a Uint8Array (x mod 256) instead of testing x != 0', async () => {
    const b = await availableBackend('tfjs-wasm');
    const f = await runNode(b, 'Cast', [f32([0.5, -2.7, 256, 3])], { to: BOOL_CODE });
    expect([...f.expected.data]).toEqual([1, 1, 1, 1]);
    expect([...f.actual.data]).toEqual([0, 254, 0, 3]);
    const i = await runNode(b, 'Cast', [i32([-1, 256, 3])], { to: BOOL_CODE });
    expect([...i.expected.data]).toEqual([1, 1, 1]);
    expect([...i.actual.data]).toEqual([255, 0, 3]);
  });

  it('tfjs-wasm: ClipByValue reads int32 data as float32 (tf.clipByValue on an int32 tensor)', async () => {
    const b = await availableBackend('tfjs-wasm');
    const { actual, expected } = await runNode(b, 'Clip', [i32([-5, 0, 5]), scalar('int32', -3), scalar('int32', 4)]);
    expect([...expected.data]).toEqual([-3, 0, 4]);
    expect([...actual.data]).not.toEqual([...expected.data]);
  });

  it('tfjs-wasm: Prelu indexes the slope modulo its size instead of broadcasting it', async () => {
    const b = await availableBackend('tfjs-wasm');
    const { actual, expected } = await runNode(b, 'PRelu', [f32([-1, -1, -1, -1, -1, -1], [2, 3]), f32([2, 3], [2, 1])]);
    expect([...expected.data]).toEqual([-2, -2, -2, -3, -3, -3]);
    expect([...actual.data]).toEqual([-2, -3, -2, -3, -2, -3]);
  });

  it('tfjs-cpu and tfjs-wasm: int32 Abs computes in float32, wrong once |x| passes 2^24 (|INT32_MAX| wraps negative)', async () => {
    for (const name of TFJS_BACKENDS) {
      const b = await availableBackend(name);
      const { actual, expected } = await runNode(b, 'Abs', [i32([16777217, -123456789, MAX])]);
      expect([...expected.data]).toEqual([16777217, 123456789, MAX]);
      expect([...actual.data]).toEqual([16777216, 123456792, MIN]);
    }
  });

  it('tfjs-wasm: Sign is 0 for 0 < |x| < 2^-23 (FLT_EPSILON) instead of ±1', async () => {
    const b = await availableBackend('tfjs-wasm');
    const { actual, expected } = await runNode(b, 'Sign', [f32([1e-8, -2e-30, 1e-38, 2e-7])]);
    expect([...expected.data]).toEqual([1, -1, 1, 1]);
    expect([...actual.data]).toEqual([0, 0, 0, 1]);
  });

  it('tfjs-wasm: int32 Neg computes in float32, wrong once |x| passes 2^24', async () => {
    const b = await availableBackend('tfjs-wasm');
    const { actual, expected } = await runNode(b, 'Neg', [i32([16777217, 123456789, MAX])]);
    expect([...expected.data]).toEqual([-16777217, -123456789, -MAX]);
    expect([...actual.data]).toEqual([-16777216, -123456792, MIN]);
  });
});
