/**
 * Seeded sampling of tensor values that respect per-element domain constraints. This is the plain sampler the
 * input search starts from (and falls back to); it never reads Math.random.
 */
import type * as fc from 'fast-check';
import type { DType, Graph, Tensor, TensorType } from '../src/ir/index.js';
import { castValue, isFloat, isInt, numel } from '../src/ir/index.js';
import { findOp } from './ops/index.js';
import type { DomainConstraint, Interval as Bounds } from './ops/spec.js';
import { UNBOUNDED } from './ops/spec.js';

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
  if (dtype === 'bool') {
    // one draw either way, so that unconstrained bool tensors consume the random source as they always did
    const b = rng.nextInt(0, 1);
    return iv.lo > 0 ? 1 : iv.hi < 1 ? 0 : b;
  }
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

type Constraint = Omit<DomainConstraint, 'input'>;

/** Largest magnitude the hint search considers for a tensor whose bounds are unknown. */
const HINT_CAP = 1e4;

/** Grid of candidate values over [lo, hi]: even steps plus points dense near zero, where thresholds usually sit. */
function hintGrid(lo: number, hi: number): number[] {
  const xs = new Set<number>();
  for (let i = 0; i <= 96; i++) xs.add(lo + ((hi - lo) * i) / 96);
  for (const m of [1e-3, 1e-2, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 100, 1e3]) for (const x of [m, -m]) if (x > lo && x < hi) xs.add(x);
  return [...xs].sort((a, b) => a - b);
}

function within(inner: Bounds, outer: Bounds): boolean {
  return inner[0] >= outer[0] && inner[1] <= outer[1];
}

function meet(a: Bounds, b: Bounds): Bounds | undefined {
  const lo = Math.max(a[0], b[0]);
  const hi = Math.min(a[1], b[1]);
  return lo <= hi ? [lo, hi] : undefined;
}

/**
 * The interval a constraint asks for, pulled a little inside strict and closed bounds alike: a computed value
 * right at the bound is one float32 rounding (or one stability perturbation) away from breaking it.
 */
function demanded(c: Constraint): Bounds | undefined {
  const m = 1e-2 * Math.max(1, Math.abs(c.value));
  switch (c.rel) {
    case 'gt':
    case 'ge':
      return [c.value + m, Infinity];
    case 'lt':
    case 'le':
      return [-Infinity, c.value - m];
    case 'abs-le':
      return [-c.value, c.value];
    case 'abs-ge':
      return undefined;
  }
}

/** The bounds the sampler gives a leaf of this type when nothing narrows them. */
function sampledBounds(dtype: DType): Bounds {
  if (dtype === 'bool') return [0, 1];
  return isInt(dtype) ? DEFAULT_INT_RANGE : DEFAULT_FLOAT_RANGE;
}

/**
 * Sampling hints for every graph input and weight: the interval that keeps the operators downstream of it within
 * their domains as far as interval reasoning can tell (Log(Asin(x)) needs asin(x) > 0, so x in (0, 1); Acosh(Cast(i))
 * needs i >= 1), merged with the leaf's own constraints (leafConstraints).
 *
 * Requirements travel backwards from each domain constraint through operators that declare a `range`: an input
 * interval qualifies when the operator's range over it lies inside what its output must satisfy, with every
 * other input anywhere within its forward bounds. Inputs of one node share an interval (Add(a, b) > 0 asks both
 * to be positive), which is sufficient, not necessary: hints only steer sampling; the search still checks values.
 */
export function leafHints(graph: Graph): Map<string, Constraint[]> {
  const direct = leafConstraints(graph);
  const constants = new Map(graph.initializers.filter((i) => i.kind === 'constant').map((i) => [i.name, i]));
  const types = new Map<string, TensorType>();
  for (const v of [...graph.inputs, ...graph.initializers, ...graph.valueInfo, ...graph.outputs]) types.set(v.name, v);
  // forward bounds, with every searchable leaf anywhere in its sampling interval
  const fwd = new Map<string, Bounds>();
  for (const i of graph.inputs) fwd.set(i.name, sampledBounds(i.dtype));
  for (const i of graph.initializers) {
    fwd.set(i.name, i.kind === 'constant' ? (i.data.length ? [Math.min(...i.data), Math.max(...i.data)] : UNBOUNDED) : sampledBounds(i.dtype));
  }
  const boundsOf = (name: string): Bounds => (name === '' ? UNBOUNDED : (fwd.get(name) ?? UNBOUNDED));
  for (const n of graph.nodes) {
    const out = findOp(n.op)?.range?.(n.inputs.map(boundsOf), n.attrs);
    n.outputs.forEach((o, k) => fwd.set(o, out?.[k] ?? UNBOUNDED));
  }
  // what each tensor must satisfy: its readers' domains first, then what producers downstream pass back
  const need = new Map<string, Bounds>();
  const ask = (name: string, b: Bounds): void => {
    const cur = need.get(name) ?? UNBOUNDED;
    // conflicting demands: the first one (nearest the outputs) stands, the search sorts out the rest
    const m = meet(cur, b);
    if (m) need.set(name, m);
  };
  for (const n of graph.nodes) {
    const spec = findOp(n.op);
    if (!spec?.domain) continue;
    const ins = n.inputs.map((x) => (x === '' ? undefined : types.get(x)));
    if (ins.some((t, i) => t === undefined && n.inputs[i] !== '')) continue;
    for (const c of spec.domain(ins.filter((t): t is TensorType => t !== undefined), n.attrs)) {
      const name = n.inputs[c.input];
      const b = demanded(c);
      if (name && b) ask(name, b);
    }
  }
  for (let k = graph.nodes.length - 1; k >= 0; k--) {
    const n = graph.nodes[k]!;
    const range = findOp(n.op)?.range;
    if (!range) continue;
    const wanted = n.outputs.flatMap((o, i) => {
      const b = o === '' ? undefined : need.get(o);
      return b ? [{ i, b }] : [];
    });
    if (wanted.length === 0) continue;
    const base = n.inputs.map(boundsOf);
    const free = n.inputs.flatMap((x, i) => (x !== '' && !constants.has(x) ? [i] : []));
    if (free.length === 0) continue;
    const fits = (ivs: readonly Bounds[]): boolean => {
      const r = range(ivs, n.attrs);
      return wanted.every(({ i, b }) => within(r[i] ?? UNBOUNDED, b));
    };
    if (fits(base)) continue;
    const shared = (b: Bounds): Bounds[] => base.map((x, i) => (free.includes(i) ? b : x));
    let lo = -HINT_CAP;
    let hi = HINT_CAP;
    for (const i of free) {
      lo = Math.max(lo, base[i]![0]);
      hi = Math.min(hi, base[i]![1]);
    }
    if (!(lo < hi)) continue;
    // the longest run of grid points that each satisfy the demand on their own, then the run as a whole
    const grid = hintGrid(lo, hi);
    let best: Bounds | undefined;
    let start = -1;
    for (let g = 0; g <= grid.length; g++) {
      const ok = g < grid.length && fits(shared([grid[g]!, grid[g]!]));
      if (ok && start < 0) start = g;
      if (!ok && start >= 0) {
        // a single point is a hint too (Atanh(Sign(x)) leaves only x = 0), the last resort
        const run: Bounds = [grid[start]!, grid[g - 1]!];
        if (!best || run[1] - run[0] > best[1] - best[0]) best = run;
        start = -1;
      }
    }
    for (let tries = 0; best && !fits(shared(best)) && tries < 4; tries++) {
      const q = (best[1] - best[0]) / 4;
      best = [best[0] + q, best[1] - q];
    }
    if (!best || !fits(shared(best))) continue;
    for (const i of free) {
      // an input the demand does not depend on (Where's condition, Gather's indices) gets nothing
      if (fits(base.map((x, j) => (j === i ? x : free.includes(j) ? best : x)))) continue;
      ask(n.inputs[i]!, best);
    }
  }
  const out = new Map<string, Constraint[]>();
  for (const leaf of [...graph.inputs, ...graph.initializers.filter((i) => i.kind === 'weight')]) {
    const list = [...(direct.get(leaf.name) ?? [])];
    const b = need.get(leaf.name);
    if (b && (isFloat(leaf.dtype) || isInt(leaf.dtype) || leaf.dtype === 'bool')) {
      if (b[0] > -Infinity) list.push({ rel: 'ge', value: b[0] });
      if (b[1] < Infinity) list.push({ rel: 'le', value: b[1] });
    }
    if (list.length > 0) out.set(leaf.name, list);
  }
  return out;
}
