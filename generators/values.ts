/**
 * Seeded sampling of tensor values that respect per-element domain constraints. This is the plain sampler the
 * input search starts from (and falls back to); it never reads Math.random.
 */
import type * as fc from 'fast-check';
import type { DType, Graph, Tensor, TensorType } from '../src/ir/index.js';
import { castValue, isInt, numel } from '../src/ir/index.js';
import { findOp } from './ops/index.js';
import type { DomainConstraint } from './ops/spec.js';

/** The interval values are drawn from when no constraint applies. */
export const DEFAULT_FLOAT_RANGE: readonly [number, number] = [-3, 3];
export const DEFAULT_INT_RANGE: readonly [number, number] = [-5, 5];

interface Interval {
  lo: number;
  hi: number;
  /** values with |x| < gap are excluded (a divisor) */
  gap: number;
}

/** Intersects the default range with the constraints on one input. */
export function intervalFor(dtype: DType, constraints: readonly Omit<DomainConstraint, 'input'>[]): Interval {
  const [lo0, hi0] = isInt(dtype) ? DEFAULT_INT_RANGE : DEFAULT_FLOAT_RANGE;
  const iv: Interval = { lo: lo0, hi: hi0, gap: 0 };
  const eps = isInt(dtype) ? 1 : 1e-3;
  for (const c of constraints) {
    switch (c.rel) {
      case 'gt':
        iv.lo = Math.max(iv.lo, c.value + eps);
        break;
      case 'ge':
        iv.lo = Math.max(iv.lo, c.value);
        break;
      case 'lt':
        iv.hi = Math.min(iv.hi, c.value - eps);
        break;
      case 'le':
        iv.hi = Math.min(iv.hi, c.value);
        break;
      case 'abs-le':
        iv.lo = Math.max(iv.lo, -c.value);
        iv.hi = Math.min(iv.hi, c.value);
        break;
      case 'abs-ge':
        iv.gap = Math.max(iv.gap, c.value);
        break;
    }
  }
  if (iv.hi < iv.lo) iv.hi = iv.lo;
  // keep the range wide enough to leave room outside the gap
  if (iv.gap > 0 && iv.hi < iv.gap && -iv.lo < iv.gap) iv.hi = iv.gap + (hi0 - lo0) / 2;
  return iv;
}

function drawOne(rng: fc.Random, dtype: DType, iv: Interval): number {
  if (dtype === 'bool') return rng.nextInt(0, 1);
  if (isInt(dtype)) {
    for (;;) {
      const v = rng.nextInt(Math.ceil(iv.lo), Math.floor(iv.hi));
      if (Math.abs(v) >= iv.gap) return v;
      // a gap leaves both sides possible; move outward deterministically
      const s = v < 0 ? -1 : 1;
      const w = s * Math.ceil(iv.gap);
      if (w >= iv.lo && w <= iv.hi) return w;
    }
  }
  let v = iv.lo + (iv.hi - iv.lo) * rng.nextDouble();
  if (Math.abs(v) < iv.gap) {
    const s = v < 0 ? -1 : 1;
    v = s * iv.gap + v;
    if (v < iv.lo || v > iv.hi) v = -v;
  }
  return castValue(v, dtype);
}

/** A tensor of `type` with values drawn within the constraints. */
export function sampleTensor(
  rng: fc.Random,
  type: TensorType,
  constraints: readonly Omit<DomainConstraint, 'input'>[] = [],
): Tensor {
  const iv = intervalFor(type.dtype, constraints);
  const n = numel(type.shape);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = drawOne(rng, type.dtype, iv);
  return { dtype: type.dtype, shape: [...type.shape], data };
}

/**
 * Domain constraints on each graph input and weight from the operators that read it directly
 * (e.g. an integer divisor must stay away from zero). Intermediate tensors are the input search's job.
 */
export function leafConstraints(graph: Graph): Map<string, Omit<DomainConstraint, 'input'>[]> {
  const leaves = new Set([...graph.inputs.map((i) => i.name), ...graph.initializers.filter((i) => i.kind === 'weight').map((i) => i.name)]);
  const types = new Map<string, TensorType>();
  for (const v of [...graph.inputs, ...graph.initializers, ...graph.valueInfo, ...graph.outputs]) types.set(v.name, v);
  const out = new Map<string, Omit<DomainConstraint, 'input'>[]>();
  for (const n of graph.nodes) {
    const spec = findOp(n.op);
    if (!spec?.domain) continue;
    const ins = n.inputs.map((name) => (name === '' ? undefined : types.get(name)));
    if (ins.some((t, i) => t === undefined && n.inputs[i] !== '')) continue;
    for (const c of spec.domain(ins.filter((t): t is TensorType => t !== undefined), n.attrs)) {
      const name = n.inputs[c.input];
      if (name === undefined || !leaves.has(name)) continue;
      const list = out.get(name) ?? [];
      list.push({ rel: c.rel, value: c.value });
      out.set(name, list);
    }
  }
  return out;
}

/** Seeded values for every graph input, respecting the constraints of the operators that read them. */
export function sampleFeeds(graph: Graph, rng: fc.Random): Record<string, Tensor> {
  const cons = leafConstraints(graph);
  const feeds: Record<string, Tensor> = {};
  for (const i of graph.inputs) feeds[i.name] = sampleTensor(rng, i, cons.get(i.name) ?? []);
  return feeds;
}
