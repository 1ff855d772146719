/** MatMul (numpy matmul: 1-D operands, batch broadcasting) and Gemm (alpha·A'·B' + beta·C). */
import type * as tfjs from '@tensorflow/tfjs-core';
import * as fc from 'fast-check';
import type { Attrs, DType, Tensor } from '../../src/ir/index.js';
import { FLOAT_DTYPES, NUMERIC_DTYPES, broadcastIndex, broadcastShapes, isInt, numel, wrapInt } from '../../src/ir/index.js';
import { MAX_DIM, broadcastPartnerArb, shapeArb } from '../arb.js';
import { broadcastSourcesArb } from './binary-arith.js';
import type { InferInput, Instance, Operand, OpSpec } from './spec.js';
import { attrFloat, attrInt, defineOp } from './spec.js';
import { tfBroadcast } from './elementwise.js';

/** Swaps the last two dims (the identity on 1-D shapes). */
function swapLast(shape: readonly number[]): number[] {
  const s = [...shape];
  if (s.length >= 2) [s[s.length - 2], s[s.length - 1]] = [s[s.length - 1]!, s[s.length - 2]!];
  return s;
}

interface MatMulDims {
  readonly batch: number[];
  readonly m: number;
  readonly k: number;
  readonly n: number;
  /** Output shape: the batch, then M unless A is 1-D, then N unless B is 1-D. */
  readonly out: number[];
}

/** numpy matmul shape rules; a message when the operands do not fit. */
function matmulDims(a: readonly number[], b: readonly number[]): MatMulDims | string {
  if (a.length === 0 || b.length === 0) return 'MatMul: operands must have rank >= 1';
  // a 1-D A is a row [1, K], a 1-D B a column [K, 1]; the inserted dims are removed from the result
  const a2 = a.length === 1 ? [1, a[0]!] : a;
  const b2 = b.length === 1 ? [b[0]!, 1] : b;
  const m = a2[a2.length - 2]!;
  const k = a2[a2.length - 1]!;
  const n = b2[b2.length - 1]!;
  if (b2[b2.length - 2] !== k) return `MatMul: inner dims differ ([${a.join(',')}] x [${b.join(',')}])`;
  const batch = broadcastShapes(a2.slice(0, -2), b2.slice(0, -2));
  if (!batch) return `MatMul: batch dims of [${a.join(',')}] and [${b.join(',')}] do not broadcast`;
  return { batch, m, k, n, out: [...batch, ...(a.length === 1 ? [] : [m]), ...(b.length === 1 ? [] : [n])] };
}

/**
 * A B operand for an A of shape `a` (the case the anchor is B is the transposed problem: Bᵀ·Aᵀ).
 * B is 1-D now and then; otherwise [batch.., K, N] with N and the batch kept so that B and the output fit.
 */
function partnerArb(a: readonly number[], maxElems: number): fc.Arbitrary<number[]> {
  const k = a[a.length - 1]!;
  const rows = a.length === 1 ? 1 : a[a.length - 2]!;
  const batchA = a.slice(0, -2);
  const nMax = Math.max(1, Math.min(MAX_DIM, Math.floor(maxElems / (numel(batchA) * Math.max(rows, k)))));
  const matrix = fc.integer({ min: 1, max: nMax }).chain((n) => {
    const budget = Math.floor(maxElems / (Math.max(rows, k) * n));
    // a 1-D A has no batch: B's batch alone makes the output's
    const batch = a.length === 1 ? shapeArb(0, 2, Math.max(1, Math.floor(maxElems / (k * n)))) : broadcastPartnerArb(batchA, budget);
    return batch.map((bb) => [...bb, k, n]);
  });
  return fc.oneof({ weight: 1, arbitrary: fc.constant<number[]>([k]) }, { weight: 4, arbitrary: matrix });
}

function matmulKernel(a: Tensor, b: Tensor, d: MatMulDims, dtype: DType): Tensor {
  const { batch, m, k, n } = d;
  const aBatch = a.shape.length <= 2 ? [] : a.shape.slice(0, -2);
  const bBatch = b.shape.length <= 2 ? [] : b.shape.slice(0, -2);
  const ia = broadcastIndex(aBatch, batch);
  const ib = broadcastIndex(bBatch, batch);
  const nb = numel(batch);
  const out = new Float64Array(nb * m * n);
  for (let p = 0; p < nb; p++) {
    const oa = ia[p]! * m * k;
    const ob = ib[p]! * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        // int32 products can pass 2^53, where float64 drops the low bits that wrap-around keeps: Math.imul is exact
        if (dtype === 'int32') for (let q = 0; q < k; q++) s = (s + Math.imul(a.data[oa + i * k + q]!, b.data[ob + q * n + j]!)) | 0;
        else for (let q = 0; q < k; q++) s += a.data[oa + i * k + q]! * b.data[ob + q * n + j]!;
        out[(p * m + i) * n + j] = wrapInt(s, dtype);
      }
    }
  }
  return { dtype, shape: d.out, data: out };
}

/**
 * numpy matmul on tfjs: a 1-D A becomes a row, a 1-D B a column, and the result takes the output's shape (which
 * drops those dims again). Floats: both operands broadcast to the full batch, then one tf.matMul. tfjs-wasm has
 * no int32 BatchMatMul ("BatchMatMul for non non-float32 tensors not yet supported"), so integers multiply
 * elementwise ([..,M,K,1]·[..,1,K,N], broadcasting the batch) and sum over K, wrapping like ORT's int32 kernel.
 */
function matmulTfjs(tf: typeof tfjs, a: tfjs.Tensor, b: tfjs.Tensor, out: readonly number[]): tfjs.Tensor {
  const d = matmulDims(a.shape, b.shape);
  if (typeof d === 'string') throw new Error(d);
  const a2 = a.rank === 1 ? tf.reshape(a, [1, d.k]) : a;
  const b2 = b.rank === 1 ? tf.reshape(b, [d.k, 1]) : b;
  const y =
    a.dtype === 'int32'
      ? tf.sum(tf.mul(tf.expandDims(a2, -1), tf.expandDims(b2, -3)), -2)
      : tf.matMul(tfBroadcast(tf, a2, [...d.batch, d.m, d.k]), tfBroadcast(tf, b2, [...d.batch, d.k, d.n]));
  return tf.reshape(y, [...out]);
}

export const MatMul = defineOp({
  onnx: 'MatMul',
  since: 13,
  dtypes: NUMERIC_DTYPES,
  ranks: [1, 4],
  attributes: {},
  build(anchor, ctx) {
    return fc.boolean().chain((anchorIsA) => {
      const a = anchorIsA ? anchor.shape : swapLast(anchor.shape);
      return partnerArb(a, ctx.maxElems).map((p): Instance => {
        const other: Operand = { kind: 'tensor', type: { dtype: anchor.dtype, shape: anchorIsA ? p : swapLast(p) } };
        return { inputs: anchorIsA ? [{ kind: 'anchor' }, other] : [other, { kind: 'anchor' }], attrs: {} };
      });
    });
  },
  backward(out, ctx) {
    if (!NUMERIC_DTYPES.includes(out.dtype)) return undefined;
    const r = out.shape.length;
    // which operands are 1-D: both (scalar out), B (out = batch..M), A (out = batch..N), or neither
    // (a 1-D operand makes the other one rank r+1: keep that within rank 4)
    const forms = r === 0 ? ['vv'] : r === 1 ? ['mv', 'vm'] : r <= 3 ? ['mv', 'vm', 'mm', 'mm', 'mm'] : ['mm'];
    const tensor = (shape: number[]): Operand => ({ kind: 'tensor', type: { dtype: out.dtype, shape } });
    return fc
      .record({ form: fc.constantFrom(...forms), k: fc.integer({ min: 1, max: MAX_DIM }), batches: broadcastSourcesArb(out.shape.slice(0, -2), 2) })
      .map(({ form, k: k0, batches }): Instance => {
        // K is free: it appears only in the inputs, which must each stay within maxElems
        const kOf = (...rest: number[]): number => Math.max(1, Math.min(k0, ...rest.map((x) => Math.floor(ctx.maxElems / Math.max(1, x)))));
        const s = out.shape;
        if (form === 'vv') {
          const k = kOf(1);
          return { inputs: [tensor([k]), tensor([k])], attrs: {} };
        }
        if (form === 'mv') {
          const k = kOf(numel(s));
          return { inputs: [tensor([...s, k]), tensor([k])], attrs: {} };
        }
        if (form === 'vm') {
          const k = kOf(numel(s));
          return { inputs: [tensor([k]), tensor([...s.slice(0, -1), k, s[r - 1]!])], attrs: {} };
        }
        const [ba, bb] = batches as [number[], number[]];
        const m = s[r - 2]!;
        const n = s[r - 1]!;
        const k = kOf(numel(ba) * m, numel(bb) * n);
        return { inputs: [tensor([...ba, m, k]), tensor([...bb, k, n])], attrs: {} };
      });
  },
  infer(inputs) {
    const [a, b] = inputs;
    if (!a || !b) return 'MatMul: needs two inputs';
    if (a.dtype !== b.dtype) return `MatMul: input dtypes differ (${a.dtype} vs ${b.dtype})`;
    if (!NUMERIC_DTYPES.includes(a.dtype)) return `MatMul: dtype ${a.dtype} not supported`;
    const d = matmulDims(a.shape, b.shape);
    return typeof d === 'string' ? d : [{ dtype: a.dtype, shape: d.out }];
  },
  reference(inputs) {
    const a = inputs[0]!;
    const b = inputs[1]!;
    const d = matmulDims(a.shape, b.shape);
    if (typeof d === 'string') throw new Error(d);
    return [matmulKernel(a, b, d, a.dtype)];
  },
  tfjs: { lower: (tf, inputs, _attrs, ctx) => [matmulTfjs(tf, inputs[0]!, inputs[1]!, ctx.outputTypes[0]!.shape)] },
});

/** Shapes C may take for an (M, N) result: unidirectionally broadcastable to it. */
function biasShapes(m: number, n: number): number[][] {
  return [[], [1], [n], [1, 1], [1, n], [m, 1], [m, n], [m, n]];
}

/** Gemm's A and B dims after the transpose flags: A' is (M, K), B' is (K, N). */
function gemmDims(a: readonly number[], b: readonly number[], attrs: Attrs): { m: number; k: number; n: number } | string {
  if (a.length !== 2 || b.length !== 2) return `Gemm: A and B must be 2-D, got [${a.join(',')}] and [${b.join(',')}]`;
  const [m, k] = attrInt(attrs, 'transA') ? [a[1]!, a[0]!] : [a[0]!, a[1]!];
  const [kb, n] = attrInt(attrs, 'transB') ? [b[1]!, b[0]!] : [b[0]!, b[1]!];
  if (k !== kb) return `Gemm: inner dims differ (A' is ${m}x${k}, B' is ${kb}x${n})`;
  return { m, k, n };
}

function fitsBias(c: readonly number[], m: number, n: number): boolean {
  if (c.length > 2) return false;
  const full = [m, n].slice(2 - c.length);
  return c.every((d, i) => d === 1 || d === full[i]);
}

/**
 * A float32 scale in [-2, 2], spread evenly (fc.double spreads over representable doubles, so most draws would
 * be tiny and round to 0 in float32), with the edges 0, 1 and ±2 now and then.
 */
const scaleArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -2000, max: 2000 }).map((i) => Math.fround(i / 1000)) },
  { weight: 1, arbitrary: fc.constantFrom(0, 1, -2, 2) },
);

const gemmAttrsArb: fc.Arbitrary<Attrs> = fc.record(
  {
    alpha: scaleArb,
    beta: scaleArb,
    transA: fc.constantFrom(0, 1),
    transB: fc.constantFrom(0, 1),
  },
  { requiredKeys: [] },
);

type GemmRole = 'A' | 'B' | 'C';

/** Gemm operands for dims (M, K, N) and the drawn attributes; `anchor` takes its role's place. */
function gemmInstance(dtype: DType, m: number, k: number, n: number, attrs: Attrs, c: number[] | undefined, anchor?: GemmRole): Instance {
  const ta = attrs['transA'] === 1;
  const tb = attrs['transB'] === 1;
  const t = (shape: number[]): Operand => ({ kind: 'tensor', type: { dtype, shape } });
  const inputs: Operand[] = [t(ta ? [k, m] : [m, k]), t(tb ? [n, k] : [k, n]), c ? t(c) : { kind: 'absent' }];
  if (anchor) inputs[anchor === 'A' ? 0 : anchor === 'B' ? 1 : 2] = { kind: 'anchor' };
  // a trailing omitted input is simply left out
  return { inputs: inputs[2]!.kind === 'absent' ? inputs.slice(0, 2) : inputs, attrs };
}

/** A dim drawn in [1, MAX_DIM] and capped so that `other * dim` stays within maxElems. */
const capped = (raw: number, other: number, maxElems: number): number => Math.max(1, Math.min(raw, Math.floor(maxElems / Math.max(1, other))));

export const Gemm = defineOp({
  onnx: 'Gemm',
  since: 13,
  dtypes: FLOAT_DTYPES,
  // rank-2 anchors are A, B or C; lower ranks can only be C
  ranks: [0, 2],
  attributes: {
    alpha: { type: 'float', default: 1.0 },
    beta: { type: 'float', default: 1.0 },
    transA: { type: 'int', default: 0 },
    transB: { type: 'int', default: 0 },
  },
  build(anchor, ctx) {
    const s = anchor.shape;
    const roles: GemmRole[] = s.length === 2 ? ['A', 'B', 'C'] : ['C'];
    const dim = fc.integer({ min: 1, max: MAX_DIM });
    return fc
      .record({ role: fc.constantFrom(...roles), attrs: gemmAttrsArb, d1: dim, d2: dim, bias: fc.nat({ max: 7 }), withC: fc.nat({ max: 3 }) })
      .map(({ role, attrs, d1, d2, bias, withC }) => {
        const me = ctx.maxElems;
        let m: number;
        let k: number;
        let n: number;
        if (role === 'A') {
          [m, k] = attrs['transA'] === 1 ? [s[1]!, s[0]!] : [s[0]!, s[1]!];
          n = capped(d1, Math.max(m, k), me);
        } else if (role === 'B') {
          [k, n] = attrs['transB'] === 1 ? [s[1]!, s[0]!] : [s[0]!, s[1]!];
          m = capped(d1, Math.max(k, n), me);
        } else {
          // C's dims of 1 (and the dims it lacks) stand for any M or N
          const full = [...new Array<number>(2 - s.length).fill(1), ...s];
          m = full[0]! > 1 ? full[0]! : capped(d1, full[1]!, me);
          n = full[1]! > 1 ? full[1]! : capped(d2, m, me);
          k = capped(d2, Math.max(m, n), me);
          return gemmInstance(anchor.dtype, m, k, n, attrs, [...s], 'C');
        }
        const c = withC === 0 ? undefined : biasShapes(m, n)[bias]!;
        return gemmInstance(anchor.dtype, m, k, n, attrs, c, role);
      });
  },
  backward(out, ctx) {
    if (out.shape.length !== 2 || !FLOAT_DTYPES.includes(out.dtype)) return undefined;
    const [m, n] = [out.shape[0]!, out.shape[1]!];
    return fc
      .record({ attrs: gemmAttrsArb, k: fc.integer({ min: 1, max: MAX_DIM }), bias: fc.nat({ max: 7 }), withC: fc.nat({ max: 3 }) })
      .map(({ attrs, k, bias, withC }) =>
        gemmInstance(out.dtype, m, capped(k, Math.max(m, n), ctx.maxElems), n, attrs, withC === 0 ? undefined : biasShapes(m, n)[bias]!),
      );
  },
  infer(inputs, attrs) {
    const [a, b, c] = inputs as (InferInput | undefined)[];
    if (!a || !b) return 'Gemm: needs A and B';
    if (a.dtype !== b.dtype || (c && c.dtype !== a.dtype)) return `Gemm: input dtypes differ`;
    if (!FLOAT_DTYPES.includes(a.dtype)) return `Gemm: dtype ${a.dtype} not supported`;
    const d = gemmDims(a.shape, b.shape, withGemmDefaults(attrs));
    if (typeof d === 'string') return d;
    if (c && !fitsBias(c.shape, d.m, d.n)) return `Gemm: C [${c.shape.join(',')}] does not broadcast to [${d.m},${d.n}]`;
    return [{ dtype: a.dtype, shape: [d.m, d.n] }];
  },
  reference(inputs, attrs) {
    const a = inputs[0]!;
    const b = inputs[1]!;
    const c = inputs[2];
    const d = gemmDims(a.shape, b.shape, attrs);
    if (typeof d === 'string') throw new Error(d);
    const { m, k, n } = d;
    const alpha = attrFloat(attrs, 'alpha');
    const beta = attrFloat(attrs, 'beta');
    const ta = attrInt(attrs, 'transA') === 1;
    const tb = attrInt(attrs, 'transB') === 1;
    const ci = c ? broadcastIndex(c.shape, [m, n]) : undefined;
    const out = new Float64Array(m * n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let q = 0; q < k; q++) s += a.data[ta ? q * m + i : i * k + q]! * b.data[tb ? j * k + q : q * n + j]!;
        out[i * n + j] = alpha * s + (c && ci ? beta * c.data[ci[i * n + j]!]! : 0);
      }
    }
    return [{ dtype: a.dtype, shape: [m, n], data: out }];
  },
  tfjs: {
    // ONNX also has integer Gemm (alpha and beta stay float); the generator emits float Gemm only
    supports(_attrs, ctx) {
      const t = ctx.inputTypes[0]?.dtype;
      return t && isInt(t) ? `Gemm on ${t} is not lowered` : undefined;
    },
    lower(tf, inputs, attrs) {
      const [a, b, c] = inputs;
      const ab = tf.mul(tf.matMul(a!, b!, attrInt(attrs, 'transA') === 1, attrInt(attrs, 'transB') === 1), attrFloat(attrs, 'alpha'));
      // C is unidirectionally broadcast to (M, N), which tf.add's broadcasting covers
      return [c ? tf.add(ab, tf.mul(c, attrFloat(attrs, 'beta'))) : ab];
    },
  },
});

/** Inference sees the node's own attributes; the transpose flags default to 0. */
function withGemmDefaults(attrs: Attrs): Attrs {
  return { transA: 0, transB: 0, ...attrs };
}

/** This family's operators, in registry order. */
export const matmulOps: readonly OpSpec[] = [MatMul, Gemm];
