/**
 * Seeded sampling of tensor values that respect per-element domain constraints. This is the plain sampler the
 * input search starts from (and falls back to); it never reads Math.random.
 */
import type * as fc from 'fast-check';
import type { DType, Graph, Initializer, Node, Tensor, TensorType } from '../src/ir/index.js';
import { castValue, isFloat, isInt, numel } from '../src/ir/index.js';
import { findOp } from './ops/index.js';
import type { DomainConstraint, Interval as Bounds } from './ops/spec.js';
import { UNBOUNDED } from './ops/spec.js';
import { knownValueConflict, ZERO_ABSORBING } from './known.js';
import { biasOnly, structuralTie } from './ties.js';
import { copiesAloneIn, nodeRoundsNothing, STABILITY_PERTURBATION } from '../src/reference/interpreter.js';
import { ELEMENTWISE, INTEGRAL_OUTPUT, SHAPE_RANGED, centredInput, givesBias, integralTensors, jointlyReachable, nodeRanges, outputRanges, reducedElementNeed } from './ops/ranges.js';

/** The interval values are drawn from when no constraint applies. */
export const DEFAULT_FLOAT_RANGE: readonly [number, number] = [-3, 3];
export const DEFAULT_INT_RANGE: readonly [number, number] = [-5, 5];

type Constraint = Omit<DomainConstraint, 'input'>;

interface Interval {
  lo: number;
  hi: number;
  /** values with |x| < gap are excluded (a divisor) */
  gap: number;
}

/** Intersects the default range with the constraints on one input. */
export function intervalFor(dtype: DType, constraints: readonly Omit<DomainConstraint, 'input'>[]): Interval {
  const [lo0, hi0] = isInt(dtype) ? DEFAULT_INT_RANGE : DEFAULT_FLOAT_RANGE;
  // what the constraints alone allow, then met with the default range
  const own: Interval = { lo: -Infinity, hi: Infinity, gap: 0 };
  const eps = isInt(dtype) ? 1 : 1e-3;
  for (const c of constraints) {
    switch (c.rel) {
      case 'gt':
        own.lo = Math.max(own.lo, c.value + eps);
        break;
      case 'ge':
        own.lo = Math.max(own.lo, c.value);
        break;
      case 'lt':
        own.hi = Math.min(own.hi, c.value - eps);
        break;
      case 'le':
        own.hi = Math.min(own.hi, c.value);
        break;
      case 'abs-le':
        own.lo = Math.max(own.lo, -c.value);
        own.hi = Math.min(own.hi, c.value);
        break;
      case 'abs-ge':
        own.gap = Math.max(own.gap, c.value);
        break;
    }
  }
  const iv: Interval = { lo: Math.max(lo0, own.lo), hi: Math.min(hi0, own.hi), gap: own.gap };
  if (iv.hi < iv.lo && own.lo <= own.hi) {
    // the constraints lie wholly outside the default range (a HardSigmoid that is positive only below -7): the
    // stretch of them nearest it, half its width
    const w = (hi0 - lo0) / 2;
    if (own.hi < lo0) {
      iv.hi = own.hi;
      iv.lo = Math.max(own.lo, own.hi - w);
    } else {
      iv.lo = own.lo;
      iv.hi = Math.min(own.hi, own.lo + w);
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
    const lo = Math.ceil(iv.lo);
    const hi = Math.floor(iv.hi);
    // no whole number within the bounds (hints can be that narrow): the nearest one; the search says what still fails
    if (lo > hi) return castValue(Math.round((iv.lo + iv.hi) / 2), dtype);
    const v = rng.nextInt(lo, hi);
    if (Math.abs(v) >= iv.gap) return v;
    // a gap leaves both sides possible: move outward deterministically, to the other side if this one has no room,
    // and keep v when every whole number within lies in the gap (never draw forever)
    const s = v < 0 ? -1 : 1;
    const g = Math.ceil(iv.gap);
    if (s * g >= lo && s * g <= hi) return s * g;
    if (-s * g >= lo && -s * g <= hi) return -s * g;
    return v;
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

/** Every tensor's type, by name. */
function typesOf(graph: Graph): Map<string, TensorType> {
  const types = new Map<string, TensorType>();
  for (const v of [...graph.inputs, ...graph.initializers, ...graph.valueInfo, ...graph.outputs]) types.set(v.name, v);
  return types;
}

/** The domain constraints of the operators that read each tensor, by tensor name. */
function readerConstraints(graph: Graph, types: ReadonlyMap<string, TensorType>): Map<string, Constraint[]> {
  const out = new Map<string, Constraint[]>();
  for (const n of graph.nodes) {
    const spec = findOp(n.op);
    if (!spec?.domain) continue;
    const ins = n.inputs.map((name) => (name === '' ? undefined : types.get(name)));
    if (ins.some((t, i) => t === undefined && n.inputs[i] !== '')) continue;
    for (const c of spec.domain(ins.filter((t): t is TensorType => t !== undefined), n.attrs)) {
      const name = n.inputs[c.input];
      if (!name) continue;
      const list = out.get(name) ?? [];
      list.push({ rel: c.rel, value: c.value });
      out.set(name, list);
    }
  }
  return out;
}

/**
 * Domain constraints on each graph input and weight from the operators that read it directly
 * (e.g. an integer divisor must stay away from zero). Intermediate tensors are the input search's job.
 */
export function leafConstraints(graph: Graph): Map<string, Omit<DomainConstraint, 'input'>[]> {
  const leaves = new Set([...graph.inputs.map((i) => i.name), ...graph.initializers.filter((i) => i.kind === 'weight').map((i) => i.name)]);
  const all = readerConstraints(graph, typesOf(graph));
  return new Map([...all].filter(([name]) => leaves.has(name)));
}

/** Seeded values for every graph input, respecting the constraints of the operators that read them. */
export function sampleFeeds(graph: Graph, rng: fc.Random): Record<string, Tensor> {
  const cons = leafConstraints(graph);
  const feeds: Record<string, Tensor> = {};
  for (const i of graph.inputs) feeds[i.name] = sampleTensor(rng, i, cons.get(i.name) ?? []);
  return feeds;
}

/** Largest magnitude the hint search considers for a tensor whose bounds are unknown. */
const HINT_CAP = 1e4;

/** Grid of candidate values over [lo, hi]: even steps plus points dense near zero, where thresholds usually sit. */
function hintGrid(lo: number, hi: number): number[] {
  const xs = new Set<number>();
  for (let i = 0; i <= 96; i++) xs.add(lo + ((hi - lo) * i) / 96);
  for (const m of [1e-3, 1e-2, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 100, 1e3]) for (const x of [m, -m]) if (x > lo && x < hi) xs.add(x);
  return [...xs].sort((a, b) => a - b);
}

/**
 * The widest run of consecutive `points` (sorted) that each satisfy `ok`, as the interval from its first to its last;
 * a single point is a run too (Atanh(Sign(x)) leaves only x = 0), the last resort.
 */
function longestRun(points: readonly number[], ok: (x: number) => boolean): Bounds | undefined {
  let run: Bounds | undefined;
  let start = -1;
  for (let g = 0; g <= points.length; g++) {
    const good = g < points.length && ok(points[g]!);
    if (good && start < 0) start = g;
    if (!good && start >= 0) {
      const r: Bounds = [points[start]!, points[g - 1]!];
      if (!run || r[1] - r[0] > run[1] - run[0]) run = r;
      start = -1;
    }
  }
  return run;
}

/** The whole numbers within `b`, at most 16 from 0 either way. */
function wholeNumbers(b: Bounds): number[] {
  const out: number[] = [];
  for (let k = Math.max(Math.ceil(b[0]), -16); k <= Math.min(Math.floor(b[1]), 16); k++) out.push(k);
  return out;
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
function demanded(c: Constraint, bounds: Bounds = UNBOUNDED): Bounds | undefined {
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
      // away from zero on the one side the tensor can take (a divisor that is a product of Relus must be large)
      if (bounds[0] >= 0) return [c.value + m, Infinity];
      if (bounds[1] <= 0) return [-Infinity, -c.value - m];
      return undefined;
  }
}

/** The bounds the sampler gives a leaf of this type when nothing narrows them. */
function sampledBounds(dtype: DType): Bounds {
  if (dtype === 'bool') return [0, 1];
  return isInt(dtype) ? DEFAULT_INT_RANGE : DEFAULT_FLOAT_RANGE;
}

/** What any value of the type lies in, whatever draws it: a bool is 0 or 1, anything else is unbounded. */
function typeBounds(dtype: DType): Bounds {
  return dtype === 'bool' ? [0, 1] : UNBOUNDED;
}

function dataBounds(data: readonly number[]): Bounds {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of data) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return lo <= hi ? [lo, hi] : UNBOUNDED;
}

/**
 * Bounds of every tensor's elements, propagated forward through the operators' ranges (tightened by shapes, see
 * outputRanges) from graph inputs and weights bounded by `leaf`, and constants by their values.
 */
export function forwardBounds(graph: Graph, types: ReadonlyMap<string, TensorType>, leaf: (dtype: DType) => Bounds): Map<string, Bounds> {
  const fwd = new Map<string, Bounds>();
  for (const i of graph.inputs) fwd.set(i.name, leaf(i.dtype));
  for (const i of graph.initializers) fwd.set(i.name, i.kind === 'constant' ? dataBounds(i.data) : leaf(i.dtype));
  for (const n of graph.nodes) {
    const ins = n.inputs.map((x) => (x === '' ? UNBOUNDED : (fwd.get(x) ?? UNBOUNDED)));
    const out = nodeRanges(findOp(n.op), n, ins, types);
    n.outputs.forEach((o, k) => fwd.set(o, out[k] ?? UNBOUNDED));
  }
  return fwd;
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
  const types = typesOf(graph);
  const readers = readerConstraints(graph, types);
  const constants = new Map(graph.initializers.filter((i) => i.kind === 'constant').map((i) => [i.name, i]));
  // forward bounds, with every searchable leaf anywhere in its sampling interval
  const fwd = forwardBounds(graph, types, sampledBounds);
  const boundsOf = (name: string): Bounds => (name === '' ? UNBOUNDED : (fwd.get(name) ?? UNBOUNDED));
  // what each tensor must satisfy: its readers' domains first, then what producers downstream pass back
  const need = new Map<string, Bounds>();
  const ask = (name: string, b: Bounds): void => {
    const cur = need.get(name) ?? UNBOUNDED;
    // conflicting demands: the first one (nearest the outputs) stands, the search sorts out the rest
    const m = meet(cur, b);
    if (m) need.set(name, m);
  };
  for (const [name, cs] of readers) {
    for (const c of cs) {
      const b = demanded(c, boundsOf(name));
      if (b) ask(name, b);
    }
  }
  for (let k = graph.nodes.length - 1; k >= 0; k--) {
    const n = graph.nodes[k]!;
    const spec = findOp(n.op);
    if (!spec || (!spec.range && !SHAPE_RANGED.has(n.op))) continue;
    // with what the shapes tell (a sum of n terms is bounded where its terms are)
    const inTypes = n.inputs.map((x) => types.get(x));
    const outTypes = n.outputs.map((x) => types.get(x));
    const range = (ivs: readonly Bounds[], attrs: Node['attrs']): Bounds[] => outputRanges(spec, ivs, inTypes, attrs, n.outputs.length, outTypes);
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
    // the longest run of grid points that each satisfy the demand on their own, then the run as a whole
    const sharedRun = (grid: readonly number[]): Bounds | undefined => longestRun(grid, (g) => fits(shared([g, g])));
    // the shared interval within each free input's bounds (`own`: also within what is already asked of it)
    const sharedHint = (own: boolean): Bounds | undefined => {
      let lo = -HINT_CAP;
      let hi = HINT_CAP;
      for (const i of free) {
        const b = own ? (meet(base[i]!, need.get(n.inputs[i]!) ?? UNBOUNDED) ?? base[i]!) : base[i]!;
        lo = Math.max(lo, b[0]);
        hi = Math.min(hi, b[1]);
      }
      if (!(lo < hi)) return undefined;
      const grid = hintGrid(lo, hi);
      let best = sharedRun(grid);
      if (best && best[0] === best[1] && best[0] !== 0) {
        // one grid point alone (-0.01, a magnitude the grid holds): the values that work lie around it, between its
        // neighbours, and a hint of one value draws every element alike (ties for an ArgMax after it)
        const k = grid.indexOf(best[0]);
        const finer = sharedRun(hintGrid(grid[k - 1] ?? best[0], grid[k + 1] ?? best[1]));
        if (finer && finer[1] > finer[0]) best = finer;
      }
      if (!best && Number.isFinite(lo) && Number.isFinite(hi)) {
        // no value within the inputs' sampling bounds meets the demand: look ten widths further out on each side (a
        // HardSigmoid with beta -0.9 and alpha -0.12 is positive only below -7.8)
        const reach = 10 * (hi - lo);
        best = sharedRun(hintGrid(Math.max(-HINT_CAP, lo - reach), Math.min(HINT_CAP, hi + reach)));
      }
      for (let tries = 0; best && !fits(shared(best)) && tries < 4; tries++) {
        const q = (best[1] - best[0]) / 4;
        best = [best[0] + q, best[1] - q];
      }
      return best && fits(shared(best)) ? best : undefined;
    };
    let best = sharedHint(false);
    // an interval some input cannot take (Div(x, w) > 0 with Sqrt(x) beside it: a negative one) is looked for again
    // within what is asked of each input, so that the others follow the one that cannot move
    if (best && free.some((i) => !meet(best!, need.get(n.inputs[i]!) ?? UNBOUNDED))) best = sharedHint(true) ?? best;
    if (!best) continue;
    for (const i of free) {
      // an input the demand does not depend on (Where's condition, Gather's indices) gets nothing
      const others = (b: Bounds): Bounds[] => base.map((x, j) => (j === i ? b : free.includes(j) ? best : x));
      if (fits(others(base[i]!))) continue;
      const t = types.get(n.inputs[i]!);
      // an integer input needs whole numbers in its hint: Pow(x, n) < 1 shares (0.24, 0.70), which holds no exponent
      // but 0 once drawn (x^0 = 1); it gets the longest run of whole numbers that fit beside the others' hint instead
      if (t && (isInt(t.dtype) || t.dtype === 'bool') && Math.ceil(best[0]) > Math.floor(best[1])) {
        const whole = longestRun(wholeNumbers(base[i]!), (k) => fits(others([k, k])));
        if (whole) ask(n.inputs[i]!, whole);
        continue;
      }
      ask(n.inputs[i]!, best);
    }
  }
  const out = new Map<string, Constraint[]>();
  for (const leaf of [...graph.inputs, ...graph.initializers.filter((i) => i.kind === 'weight')]) {
    const list = [...(readers.get(leaf.name) ?? [])];
    const b = need.get(leaf.name);
    // a whole-number leaf's hint must hold a whole number (a bool hinted within (0.01, 0.99) would draw one value)
    const whole = isInt(leaf.dtype) || leaf.dtype === 'bool';
    if (b && (isFloat(leaf.dtype) || (whole && Math.ceil(b[0]) <= Math.floor(b[1])))) {
      if (b[0] > -Infinity) list.push({ rel: 'ge', value: b[0] });
      if (b[1] < Infinity) list.push({ rel: 'le', value: b[1] });
    }
    if (list.length > 0) out.set(leaf.name, list);
  }
  return out;
}

/** The stability check's relative perturbation of computed floats (src/reference/interpreter.ts). */
export { STABILITY_PERTURBATION };

/** What every element of a tensor must satisfy: within [lo, hi] and, when gap > 0, outside (-gap, gap). */
interface Need {
  readonly lo: number;
  readonly hi: number;
  readonly gap: number;
}

const ANY: Need = { lo: -Infinity, hi: Infinity, gap: 0 };

/** The need narrowed by a constraint, taken as written (strict bounds just inside): a necessary condition. */
function narrow(n: Need, c: Constraint): Need {
  const strict = 1e-9 * Math.max(1, Math.abs(c.value));
  switch (c.rel) {
    case 'gt':
      return { ...n, lo: Math.max(n.lo, c.value + strict) };
    case 'ge':
      return { ...n, lo: Math.max(n.lo, c.value) };
    case 'lt':
      return { ...n, hi: Math.min(n.hi, c.value - strict) };
    case 'le':
      return { ...n, hi: Math.min(n.hi, c.value) };
    case 'abs-le':
      return { ...n, lo: Math.max(n.lo, -c.value), hi: Math.min(n.hi, c.value) };
    case 'abs-ge':
      return { ...n, gap: Math.max(n.gap, c.value) };
  }
}

/** What meets both needs at once. */
function both(a: Need, b: Need): Need {
  return { lo: Math.max(a.lo, b.lo), hi: Math.min(a.hi, b.hi), gap: Math.max(a.gap, b.gap) };
}

/** The values of `b` that `n` allows, as an interval (the gap cuts an end when it lies on one side of zero). */
function allowed(b: Bounds, n: Need, integral = false): Bounds | undefined {
  let lo = Math.max(b[0], n.lo);
  let hi = Math.min(b[1], n.hi);
  for (let pass = 0; pass < 2; pass++) {
    if (n.gap > 0) {
      if (lo > -n.gap) lo = Math.max(lo, n.gap);
      if (hi < n.gap) hi = Math.min(hi, -n.gap);
    }
    if (!integral) break;
    // whole numbers only: the nearest ones inside (a gap can move an end again)
    lo = Math.ceil(lo - 1e-12 * Math.max(1, Math.abs(lo)));
    hi = Math.floor(hi + 1e-12 * Math.max(1, Math.abs(hi)));
    // 0 lies in any gap, however narrow (a factor kept off 0 has a gap of the least float)
    if (n.gap > 0 && lo === 0) lo = 1;
    if (n.gap > 0 && hi === 0) hi = -1;
  }
  return lo <= hi ? [lo, hi] : undefined;
}

/** Cuts of an input's interval the preimage scan starts from: every sign and magnitude gets its own piece. */
const CUTS = [0, ...[1e-3, 1e-2, 0.1, 0.5, 1, 2, 5, 10, 100, 1e3, 1e4, 1e6].flatMap((m) => [m, -m])].sort((a, b) => a - b);

/**
 * The smallest interval within `dom` holding every x for which `maybe([x, x])` can hold, given `maybe` that answers
 * soundly for whole pieces (false only when no value in the piece works); undefined when none can. Pieces never
 * straddle the gap of `own` (what the input itself must satisfy), so discontinuities at zero stay at piece ends.
 * Ends are bisected until they are fine against the interval between them: a preimage that is one point (Sign's of
 * 0) comes out a few ulps wide.
 */
function preimage(dom: Bounds, own: Need, maybe: (piece: Bounds) => boolean): Bounds | undefined {
  const pts = [dom[0], ...CUTS.filter((c) => c > dom[0] && c < dom[1]), ...(own.gap > 0 ? [-own.gap, own.gap] : []), dom[1]]
    .filter((c) => c >= dom[0] && c <= dom[1])
    .sort((a, b) => a - b);
  const pieces: Bounds[] = [];
  if (dom[0] === dom[1]) pieces.push(dom);
  for (let i = 0; i + 1 < pts.length; i++) {
    const p: Bounds = [pts[i]!, pts[i + 1]!];
    if (p[0] < p[1] && !(p[0] >= -own.gap && p[1] <= own.gap && own.gap > 0)) pieces.push(p);
  }
  const first = pieces.findIndex(maybe);
  if (first < 0) return undefined;
  let last = pieces.length - 1;
  while (last > first && !maybe(pieces[last]!)) last--;
  let low = pieces[first]!;
  let high = pieces[last]!;
  for (let k = 0; k < 200; k++) {
    const inner = Math.max(0, high[0] - low[1]);
    const fine = (p: Bounds): boolean =>
      !Number.isFinite(p[0]) || !Number.isFinite(p[1]) || p[1] - p[0] <= Math.max(1e-12 * Math.max(1, Math.abs(p[0]), Math.abs(p[1])), 1e-2 * inner);
    const lowFine = fine(low);
    const highFine = fine(high);
    if (lowFine && highFine) break;
    if (!lowFine) {
      const m = (low[0] + low[1]) / 2;
      low = maybe([low[0], m]) ? [low[0], m] : [m, low[1]];
    }
    if (!highFine) {
      const m = (high[0] + high[1]) / 2;
      high = maybe([m, high[1]]) ? [m, high[1]] : [high[0], m];
    }
  }
  // an end of the remaining piece that fails on its own (Elu(-2)(x) <= 0.999 ends at 0.999, inside [0.996, 1]): the
  // end lies strictly inside, so narrow on until it is close, or an integer input would keep the failing 1
  const tight = (p: Bounds): boolean => p[1] - p[0] <= 1e-9 * Math.max(1, Math.abs(p[0]), Math.abs(p[1]));
  if (Number.isFinite(high[1]) && !maybe([high[1], high[1]])) {
    for (let k = 0; k < 60 && !tight(high); k++) {
      const m = (high[0] + high[1]) / 2;
      high = maybe([m, high[1]]) ? [m, high[1]] : [high[0], m];
    }
  }
  if (Number.isFinite(low[0]) && !maybe([low[0], low[0]])) {
    for (let k = 0; k < 60 && !tight(low); k++) {
      const m = (low[0] + low[1]) / 2;
      low = maybe([low[0], m]) ? [low[0], m] : [m, low[1]];
    }
  }
  // an end that is one closed point of its piece (Ceil(x) = 0 needs x <= 0, and every piece holding 0 passes):
  // where nothing past the point works, the point is the end
  const past = (v: number): number => 1e-12 * Math.max(1, Math.abs(v));
  const lo = low[1] > low[0] && !maybe([low[0], low[1] - past(low[1])]) ? low[1] : low[0];
  const hi = high[1] > high[0] && !maybe([high[0] + past(high[0]), high[1]]) ? high[0] : high[1];
  return [lo, hi];
}

/**
 * Whether each output element of `n` is its input element, or close to it, so that the output's requirement is the
 * input's: an exact copy (copiesAlone; not an L1 norm, which is |x|), or a log-sum-exp of one element.
 */
function copiesWhole(n: Node, types: ReadonlyMap<string, TensorType>): boolean {
  if (n.op === 'ReduceLogSumExp') {
    const [x, y] = [types.get(n.inputs[0] ?? ''), types.get(n.outputs[0] ?? '')];
    return x !== undefined && y !== undefined && numelOf(x) === numelOf(y);
  }
  return n.op !== 'ReduceL1' && copiesAloneIn(n, types);
}

/** A Pad whose pads are known and none negative: every element of its data reaches the output. */
function padKeepsAll(n: Node, constants: ReadonlyMap<string, Initializer>): boolean {
  if (n.op !== 'Pad') return false;
  const pads = constants.get(n.inputs[1] ?? '');
  return pads !== undefined && pads.data.every((p) => p >= 0);
}

function numelOf(t: TensorType | undefined): number {
  return t ? t.shape.reduce((a, d) => a * d, 1) : 0;
}

/**
 * Why no input and weight values can make the graph valid, as far as interval reasoning proves; undefined when it
 * finds no reason. Every conclusion is a necessary condition, so a graph this rejects has no valid values, counting
 * the stability check's rounding of computed floats (Atanh(Sign(ReduceSum(Abs(x)))) needs the sum exactly 0).
 *
 * What each tensor must satisfy starts from its readers' domains and travels backwards through the operators that
 * map elements one to one (ELEMENTWISE: the preimage of the requirement under `range`, with every other input
 * anywhere within its bounds) and through reductions that bound each element (reducedElementNeed). Each tensor's
 * forward bounds (leaves unbounded) must then leave a value (whole numbers for integer tensors and Floor/Ceil/Round/
 * Sign results), the values each tensor may then hold travel forward again, and so on for a few rounds. Softmax lanes
 * must be able to sum to one (jointlyReachable); a computed float must have room for rounding.
 *
 * Then the values the graph fixes whatever its inputs hold (the zeros of Trilu, Pad's constant, an exclusive
 * CumSum's first element), element by element: one that breaks a domain, or that the stability check's rounding
 * moves, rules the graph out too (knownValueConflict, generators/known.ts).
 */
export function infeasibility(graph: Graph): string | undefined {
  const types = typesOf(graph);
  // what interval reasoning narrows the bounds to holds for every valid assignment, so the known values and ties
  // follow from the narrowed bounds (Acos(Ceil(x)) pins Ceil's output to 0)
  const bounds = forwardBounds(graph, types, typeBounds);
  return intervalInfeasibility(graph, types, bounds) ?? knownValueConflict(graph, bounds, types) ?? structuralTie(graph, types, bounds);
}

/**
 * What interval reasoning proves each graph input and weight must lie in for the graph to be valid (necessary, as in
 * `infeasibility`): Sqrt(w) with Sqrt(Neg(w)) pins w to [0, 0]. Leaves it says nothing about are absent.
 */
export function leafNeeds(graph: Graph): Map<string, Bounds> {
  const types = typesOf(graph);
  const out = new Map<string, Bounds>();
  if (intervalInfeasibility(graph, types, forwardBounds(graph, types, typeBounds), out) !== undefined) out.clear();
  return out;
}

/**
 * The input some of whose elements `n` copies to its outputs, where every output element a reader constrains may be
 * such a copy: Slice, Gather and Split with a non-empty output, Trilu that keeps some element (k known) and
 * nearest-neighbour Resize copy their data input into every output element; a Conv or ConvTranspose with a bias
 * copies the bias into the positions no input element reaches (windows wholly in the padding, gaps between strided
 * taps), when there are any. -1: none.
 */
function copiedInput(n: Node, opset: number, types: ReadonlyMap<string, TensorType>, constants: ReadonlyMap<string, Initializer>): number {
  if ((n.op === 'Conv' || n.op === 'ConvTranspose') && n.inputs[2]) return unreached(n, opset, types) ? 2 : -1;
  return copiesSome(n, types, constants) ? 0 : -1;
}

/** Whether some output position of a Conv or ConvTranspose reads no input element (it holds the bias alone). */
function unreached(n: Node, opset: number, types: ReadonlyMap<string, TensorType>): boolean {
  return biasOnly(n, opset, types)?.some((v) => !Number.isNaN(v)) ?? false;
}

/**
 * Whether every output element of `n` is a copy of an element of its data input (input 0), and at least one is:
 * Slice, Gather and Split with a non-empty output, Trilu that keeps some element (k known), nearest-neighbour Resize
 * (a tf_crop_and_resize roi aside).
 */
function copiesSome(n: Node, types: ReadonlyMap<string, TensorType>, constants: ReadonlyMap<string, Initializer>): boolean {
  const x = types.get(n.inputs[0] ?? '');
  if (!x || numelOf(x) === 0) return false;
  switch (n.op) {
    case 'Slice':
    case 'Gather':
    case 'Split':
      return n.outputs.some((o) => o !== '' && numelOf(types.get(o)) > 0);
    case 'Resize': {
      // nearest-neighbour output elements are input elements, unless a tf_crop_and_resize roi leaves some outside
      const mode = n.attrs['mode'] ?? 'nearest';
      const crop = n.attrs['coordinate_transformation_mode'] === 'tf_crop_and_resize';
      return mode === 'nearest' && !crop && numelOf(types.get(n.outputs[0] ?? '')) > 0;
    }
    case 'Trilu': {
      const kName = n.inputs[1];
      const k = kName ? constants.get(kName)?.data[0] : 0;
      if (k === undefined || x.shape.length < 2) return false;
      const h = x.shape[x.shape.length - 2]!;
      const w = x.shape[x.shape.length - 1]!;
      // upper keeps j - i >= k, whose largest is w - 1; lower keeps j - i <= k, whose smallest is 1 - h
      return (n.attrs['upper'] ?? 1) === 1 ? w - 1 >= k : 1 - h <= k;
    }
    default:
      return false;
  }
}

/** The interval part of `infeasibility`; `fwd` (forward bounds from unbounded leaves) is narrowed in place. */
function intervalInfeasibility(graph: Graph, types: ReadonlyMap<string, TensorType>, fwd: Map<string, Bounds>, leafValues?: Map<string, Bounds>): string | undefined {
  const readers = readerConstraints(graph, types);
  if (readers.size === 0) return undefined;
  const constants = new Map(graph.initializers.filter((i) => i.kind === 'constant').map((i) => [i.name, i]));
  const need = new Map<string, Need>();
  for (const [name, cs] of readers) need.set(name, cs.reduce(narrow, ANY));
  const needOf = (x: string): Need => need.get(x) ?? ANY;
  const boundsOf = (x: string): Bounds => (x === '' ? UNBOUNDED : (fwd.get(x) ?? UNBOUNDED));
  // which tensors hold whole numbers only: integer types, Floor/Ceil/Round/Sign and what keeps their values whole
  const integral = integralTensors(graph, types);
  const values = (x: string): Bounds | undefined => allowed(boundsOf(x), needOf(x), integral.has(x));
  for (const [name] of readers) {
    // a continuous quantity that its readers' domains and its own bounds pin to (nearly) one value: Acosh of a
    // Sigmoid needs exactly 1, which only saturation gives
    const b = values(name);
    const f = boundsOf(name);
    const cut = b !== undefined && (b[0] !== f[0] || b[1] !== f[1]);
    if (b && cut && !integral.has(name) && b[1] - b[0] < 1e-3) return `${name}: only [${b.join(', ')}] meets its readers' domains`;
  }
  // preimages already computed, for rounds that find the same bounds again
  const memo = new Map<string, { args: number[]; pre: Bounds | undefined }>();
  const copiedBy = new Map<Node, number>();
  const backward = (): string | undefined => {
    const copies: { x: string; i: number; op: string; n: Need }[] = [];
    for (let k = graph.nodes.length - 1; k >= 0; k--) {
      const n = graph.nodes[k]!;
      if (!n.outputs.some((o) => need.has(o))) continue;
      const asked = n.outputs.flatMap((o, i) => (o !== '' && need.has(o) && numelOf(types.get(o)) > 0 ? [{ o, i, n: needOf(o) }] : []));
      if (asked.length === 0) continue;
      for (const w of asked) {
        const b = values(w.o);
        if (!b) return `${w.o} (${n.op} output): no value within [${boundsOf(w.o).join(', ')}] meets ${JSON.stringify(w.n)}`;
        if (!jointlyReachable(n.op, b, n.inputs.map((x) => types.get(x)), n.attrs)) return `${w.o}: ${n.op} lanes cannot all lie within [${b.join(', ')}]`;
      }
      // a requirement the output's bounds already meet says nothing about the inputs
      const wanted = asked.filter((w) => {
        const f = boundsOf(w.o);
        return !(f[0] >= w.n.lo && f[1] <= w.n.hi && (w.n.gap === 0 || f[0] >= w.n.gap || f[1] <= -w.n.gap));
      });
      if (wanted.length === 0) continue;
      const spec = findOp(n.op);
      const only = wanted.length === 1 ? wanted[0]! : undefined;
      if (only && only.i === 0 && n.inputs[0] && copiesWhole(n, types)) {
        // lanes or windows of one element: each output element is its input element
        const x = n.inputs[0];
        need.set(x, both(needOf(x), only.n));
        continue;
      }
      const reduced = only && n.inputs[0] ? reducedElementNeed(n.op, [only.n.lo, only.n.hi], boundsOf(n.inputs[0])) : undefined;
      if (reduced) {
        const x = n.inputs[0]!;
        need.set(x, { ...needOf(x), lo: Math.max(needOf(x).lo, reduced[0]), hi: Math.min(needOf(x).hi, reduced[1]) });
        continue;
      }
      if (only && only.i === 0 && n.inputs[2] && givesBias(n.op, n.inputs.map((x) => types.get(x)), n.attrs, boundsOf(n.inputs[0] ?? ''))) {
        // every output element is a bias element (lanes of one, or of zeros), and every bias element is one
        const b = n.inputs[2];
        need.set(b, both(needOf(b), only.n));
        continue;
      }
      const centre = only ? centredInput(n.op, n.inputs.map((x) => types.get(x))) : undefined;
      if (only && centre !== undefined) {
        // the bias lies within every lane's outputs: it meets their bounds (not a gap around 0, which a lane can
        // straddle)
        const b = n.inputs[centre]!;
        need.set(b, both(needOf(b), { lo: only.n.lo, hi: only.n.hi, gap: 0 }));
        continue;
      }
      const absorbing = only && only.n.gap > 0 ? ZERO_ABSORBING[n.op] : undefined;
      // an output kept off 0 needs every factor off 0 (0 * y is 0 for every finite y): a Floor of (-1, 1) times a
      // scalar under Reciprocal is -1 everywhere
      for (const i of absorbing ?? []) {
        const x = n.inputs[i];
        if (x) need.set(x, both(needOf(x), { lo: -Infinity, hi: Infinity, gap: Number.MIN_VALUE }));
      }
      if ((n.op === 'Concat' || padKeepsAll(n, constants)) && wanted.length === 1) {
        // every element of every input is an output element: each input must meet what the output must (the
        // preimage below, with the other inputs anywhere in their bounds, would let them carry the requirement);
        // a Pad that crops nothing copies every element of its data
        const w = wanted[0]!;
        for (const x of n.op === 'Pad' ? n.inputs.slice(0, 1) : n.inputs) {
          if (x === '' || numelOf(types.get(x)) === 0) continue;
          need.set(x, both(needOf(x), w.n));
        }
        continue;
      }
      let copied = copiedBy.get(n);
      if (copied === undefined) {
        // once per node: a Conv's answer runs its kernel, and the pass runs up to three rounds
        copied = copiedInput(n, graph.opset, types, constants);
        copiedBy.set(n, copied);
      }
      if (copied >= 0) {
        // some output elements are copies of an input's elements: what every output element must meet, the copied
        // elements must meet too, on top of what every element of that input must (Acosh(x) with Atanh of a Slice
        // of x); checked once the pass has gathered what every input element must
        for (const w of wanted) copies.push({ x: n.inputs[copied]!, i: copied, op: n.op, n: w.n });
        if (copied === 0) continue;
      }
      // a float quotient's bounds hold piece by piece; an integer one truncates past them
      const maps = ELEMENTWISE.has(n.op) || (n.op === 'Div' && isFloat(types.get(n.outputs[0] ?? '')?.dtype ?? 'bool'));
      if (!spec?.range || !maps) continue;
      const range = spec.range.bind(spec);
      const rounds = INTEGRAL_OUTPUT.has(n.op);
      const base = n.inputs.map((x) => (x === '' ? UNBOUNDED : (values(x) ?? boundsOf(x))));
      for (const [i, x] of n.inputs.entries()) {
        if (x === '' || numelOf(types.get(x)) === 0) continue;
        const dom = values(x);
        if (!dom) return `${x} (input ${i} of ${n.op}): no value within its bounds meets ${JSON.stringify(needOf(x))}`;
        const maybe = (piece: Bounds): boolean => {
          const r = range(base.map((b, j) => (j === i ? piece : b)), n.attrs);
          // whole outputs of the operator itself (Ceil: a requirement within (-1, 1) leaves 0 alone, so x in (-1, 0]);
          // not of what only keeps whole numbers whole (Neg(Sign(x)) rounded off zero still meets a wide requirement)
          return wanted.every((w) => allowed(r[w.i] ?? UNBOUNDED, w.n, rounds) !== undefined);
        };
        // the whole interval already fits: nothing to learn
        const whole = range(base, n.attrs);
        if (wanted.every((w) => within(whole[w.i] ?? UNBOUNDED, [w.n.lo, w.n.hi]) && w.n.gap === 0)) continue;
        const args = [...dom, ...base.flat(), ...wanted.flatMap((w) => [w.n.lo, w.n.hi, w.n.gap])];
        const slot = `${k}:${i}`;
        const last = memo.get(slot);
        const pre = last && last.args.length === args.length && last.args.every((v, j) => v === args[j]) ? last.pre : preimage(dom, needOf(x), maybe);
        memo.set(slot, { args, pre });
        if (!pre) return `${x} (input ${i} of ${n.op}): no value makes ${n.op}'s output meet ${JSON.stringify(wanted.map((w) => w.n))}`;
        // an end the input's own bounds set is no requirement (the rounding check below tells them apart)
        const own = needOf(x);
        need.set(x, { ...own, lo: pre[0] > dom[0] ? Math.max(own.lo, pre[0]) : own.lo, hi: pre[1] < dom[1] ? Math.min(own.hi, pre[1]) : own.hi });
      }
    }
    for (const c of copies) {
      const own = needOf(c.x);
      if (!allowed(boundsOf(c.x), both(own, c.n), integral.has(c.x))) return `${c.x} (input ${c.i} of ${c.op}): the elements ${c.op} copies cannot meet ${JSON.stringify(c.n)} and ${JSON.stringify(own)} at once`;
    }
    return undefined;
  };
  // forward again from what each tensor may hold (Slice of a tensor that must be <= 0 is <= 0 too); sound, since both
  // bounds hold at once
  const tighten = (): { changed: boolean; why?: string } => {
    let changed = false;
    // only nodes reading a tensor its requirements cut, or whose bounds this pass narrowed, can narrow
    const moved = new Set<string>();
    for (const n of graph.nodes) {
      if (!n.inputs.some((x) => need.has(x) || moved.has(x))) continue;
      const ins = n.inputs.map((x) => (x === '' ? UNBOUNDED : (values(x) ?? boundsOf(x))));
      const out = nodeRanges(findOp(n.op), n, ins, types);
      for (const [k, o] of n.outputs.entries()) {
        if (o === '') continue;
        const old = boundsOf(o);
        const m = meet(old, out[k] ?? UNBOUNDED);
        if (!m) return { changed, why: `${o} (${n.op} output): its inputs' allowed values give [${(out[k] ?? UNBOUNDED).join(', ')}], outside [${old.join(', ')}]` };
        if (m[0] !== old[0] || m[1] !== old[1]) {
          fwd.set(o, m);
          moved.add(o);
          changed = true;
        }
      }
    }
    return { changed };
  };
  // nothing any reader asks for cuts a tensor's own bounds, and no Softmax lane is asked anything: nothing to prove
  const cuts = [...need.keys()].some((x) => {
    const v = values(x);
    const f = boundsOf(x);
    return !v || v[0] !== f[0] || v[1] !== f[1];
  });
  if (!cuts && !graph.nodes.some((n) => (n.op === 'Softmax' || n.op === 'LogSoftmax') && need.has(n.outputs[0] ?? ''))) return undefined;
  for (let round = 0; round < 3; round++) {
    const why = backward();
    if (why) return why;
    const t = tighten();
    if (t.why) return t.why;
    if (!t.changed) break;
  }
  // tensors nothing produces: graph inputs, weights and constants
  for (const c of graph.initializers) {
    const n = need.get(c.name);
    if (!n || c.kind !== 'constant') continue;
    const bad = c.data.find((v) => allowed([v, v], n) === undefined);
    if (bad !== undefined) return `constant ${c.name} holds ${bad}, outside ${JSON.stringify(n)}`;
  }
  for (const leaf of [...graph.inputs, ...graph.initializers.filter((i) => i.kind === 'weight')]) {
    const n = need.get(leaf.name);
    if (n && numelOf(leaf) > 0 && !values(leaf.name)) return `${leaf.name}: no value meets ${JSON.stringify(n)}`;
    const v = n ? values(leaf.name) : undefined;
    if (v) leafValues?.set(leaf.name, v);
  }
  // a computed float that its readers pin to one value (Sign's input exactly 0) moves off it under the rounding the
  // stability check applies to every computed float (search/violations.ts), unless it is a non-zero whole number,
  // which backends compute exactly; graph inputs and weights are fed as they are, and exact operators (a copy, Relu's
  // zero) round nothing of their own
  for (const n of graph.nodes) {
    if (nodeRoundsNothing(n, types)) continue;
    for (const o of n.outputs) {
      const t = types.get(o);
      const want = need.get(o);
      if (!t || !want || !isFloat(t.dtype) || numelOf(t) === 0) continue;
      const b = values(o);
      if (!b) continue;
      const whole = Math.ceil(b[0]) <= Math.floor(b[1]) && !(Math.ceil(b[0]) === 0 && Math.floor(b[1]) === 0);
      if (whole) continue;
      const rel = STABILITY_PERTURBATION[t.dtype === 'float64' ? 'float64' : 'float32'];
      const d = 2 * rel * (1 + Math.max(Math.abs(b[0]), Math.abs(b[1])));
      if (Math.max(b[0], want.lo + d) > Math.min(b[1], want.hi - d)) return `${o} (${n.op} output): only [${b.join(', ')}] meets ${JSON.stringify(want)}, too narrow to survive rounding`;
    }
  }
  // what the readers allow is what every valid assignment holds: the bounds the known-value and tie passes start
  // from (a Floor of (-1, 1) that a Reciprocal reads is -1 everywhere)
  for (const x of need.keys()) {
    const v = values(x);
    if (v && fwd.has(x)) fwd.set(x, v);
  }
  return undefined;
}
