/**
 * The graph generator: a fast-check arbitrary of valid ONNX graphs, built NNSmith-style by inserting operators
 * forward (consuming tensors already in the graph) and backward (producing a tensor that was an open
 * placeholder). Every operator builds its inputs and attributes constructively from concrete types, so no
 * solver is involved and thousands of graphs per second are possible.
 */
import * as fc from 'fast-check';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { DType, Graph, Initializer, Node, TensorType, ValueInfo } from '../src/ir/index.js';
import { DTYPES, formatType, numel, sameType } from '../src/ir/index.js';
import { DEFAULT_OPSET, SUPPORTED_OPSETS } from '../src/onnx/opset.js';
import { allowed, tensorTypeArb } from './arb.js';
import { OPS, findOp, opNames } from './ops/index.js';
import type { BuildContext, DomainConstraint, Instance, Interval, OpSpec } from './ops/spec.js';
import { UNBOUNDED } from './ops/spec.js';
import { outputRanges } from './ops/ranges.js';
import { infeasibility, leafConstraints, sampleTensor } from './values.js';

export interface GraphOptions {
  /** Operators to insert (default 10). */
  readonly nodes?: number;
  /** Only these operators (ONNX names). */
  readonly include?: readonly string[];
  /** Never these operators. */
  readonly exclude?: readonly string[];
  /** Element types allowed anywhere in the graph (default: all five). */
  readonly dtypes?: readonly DType[];
  /** Largest element count of any tensor (default 512). */
  readonly maxElems?: number;
  /** Default-domain opset to write (17 or 18; default 17). */
  readonly opset?: number;
  /** Share of insertions that go backward (default 0.3). */
  readonly backwardRate?: number;
}

/** Options with every default applied; `ops` is the enabled operator list. */
export interface ResolvedOptions {
  readonly nodes: number;
  readonly ops: readonly OpSpec[];
  readonly dtypes: readonly DType[];
  readonly maxElems: number;
  readonly opset: number;
  readonly backwardRate: number;
}

/** A bad option: the message names the option, what was expected and the known values. */
export class OptionError extends Error {
  override readonly name = 'OptionError';
}

/** A spec built an instance its own inference rejects: a bug in that operator spec. */
export class GeneratorBug extends Error {
  override readonly name = 'GeneratorBug';
}

/** Validates options and applies defaults. */
export function resolveOptions(o: GraphOptions = {}): ResolvedOptions {
  const nodes = o.nodes ?? 10;
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 10_000) {
    throw new OptionError(`nodes must be an integer from 1 to 10000, got ${String(nodes)}`);
  }
  const maxElems = o.maxElems ?? 512;
  if (!Number.isInteger(maxElems) || maxElems < 1) throw new OptionError(`maxElems must be a positive integer, got ${String(maxElems)}`);
  const opset = o.opset ?? DEFAULT_OPSET;
  if (!SUPPORTED_OPSETS.includes(opset)) throw new OptionError(`opset ${opset} is not supported (supported: ${SUPPORTED_OPSETS.join(', ')})`);
  const dtypes = o.dtypes ?? DTYPES;
  for (const d of dtypes) {
    if (!(DTYPES as readonly string[]).includes(d)) throw new OptionError(`unknown dtype '${d}' (known: ${DTYPES.join(', ')})`);
  }
  if (dtypes.length === 0) throw new OptionError('dtypes is empty');
  for (const name of [...(o.include ?? []), ...(o.exclude ?? [])]) {
    if (!findOp(name)) throw new OptionError(`unknown operator '${name}' (known: ${opNames().join(', ')})`);
  }
  const ops = OPS.filter(
    (op) =>
      (!o.include || o.include.includes(op.onnx)) &&
      !(o.exclude ?? []).includes(op.onnx) &&
      op.since <= opset &&
      allowed(op.dtypes, dtypes).length > 0,
  );
  if (ops.length === 0) throw new OptionError('no operator is left after include/exclude/dtypes/opset');
  const backwardRate = o.backwardRate ?? 0.3;
  if (!(backwardRate >= 0 && backwardRate <= 1)) throw new OptionError(`backwardRate must be in [0, 1], got ${backwardRate}`);
  return { nodes, ops, dtypes, maxElems, opset, backwardRate };
}

interface Slot {
  readonly name: string;
  readonly type: TensorType;
  /** 'node': produced by a node; 'open': a placeholder (becomes a graph input or a weight); 'const': constant. */
  kind: 'node' | 'open' | 'const';
  /** A placeholder whose values an operator's domain constrains directly: never turned into a node output. */
  pinned: boolean;
  /** Bounds of its elements as far as the operators that made it tell (unbounded for placeholders). */
  range: Interval;
  /** Domain constraints of the operators that read it. */
  readonly requires: DomainConstraint[];
}

/** Whether some value within `r` satisfies `c` (with a little room, as the input search needs). */
function feasible(r: Interval, c: DomainConstraint): boolean {
  const m = 1e-6;
  switch (c.rel) {
    case 'gt':
      return r[1] > c.value + m;
    case 'ge':
      return r[1] >= c.value;
    case 'lt':
      return r[0] < c.value - m;
    case 'le':
      return r[0] <= c.value;
    case 'abs-le':
      return r[0] <= c.value && r[1] >= -c.value;
    case 'abs-ge':
      return r[1] >= c.value + m || r[0] <= -c.value - m;
  }
}

/** Largest rank of any tensor in a generated graph (the operator specs' rank ranges stay within it). */
export const MAX_RANK = 5;

/** Tries per insertion before moving on; a spec that cannot build for any anchor is skipped, not looped on. */
const TRIES = 12;

/** Builds one graph from a random source; internal state lives only for one call. */
class Builder {
  private readonly slots: Slot[] = [];
  private readonly byName = new Map<string, Slot>();
  private readonly consts = new Map<string, Initializer>();
  private readonly nodes: { node: Node; order: number }[] = [];
  private nextTensor = 0;
  private nextNode = 0;
  private front = 0; // backward insertions go before everything built so far
  private readonly ctx: BuildContext;

  constructor(
    private readonly rng: fc.Random,
    private readonly o: ResolvedOptions,
  ) {
    this.ctx = { opset: o.opset, maxElems: o.maxElems, dtypes: o.dtypes };
  }

  private draw<T>(arb: fc.Arbitrary<T>): T {
    return arb.generate(this.rng, undefined).value;
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[this.rng.nextInt(0, xs.length - 1)]!;
  }

  private newSlot(type: TensorType, kind: Slot['kind'], range: Interval = UNBOUNDED): Slot {
    const s: Slot = { name: `t${this.nextTensor++}`, type, kind, pinned: false, range, requires: [] };
    this.slots.push(s);
    this.byName.set(s.name, s);
    return s;
  }

  build(): Graph {
    const first = this.draw(tensorTypeArb(this.seedDtypes(), 1, 4, this.o.maxElems));
    this.newSlot(first, 'open');
    let inserted = 0;
    for (let step = 0; step < this.o.nodes; step++) {
      for (let t = 0; t < TRIES; t++) {
        const backward = this.rng.nextDouble() < this.o.backwardRate;
        if (backward ? this.tryBackward() : this.tryForward()) {
          inserted++;
          break;
        }
      }
    }
    if (inserted === 0) throw new GeneratorBug(`could not insert any of ${this.o.ops.map((x) => x.onnx).join(', ')} in ${TRIES * this.o.nodes} tries`);
    return this.finish();
  }

  /** float32 most often: it is what deployed models use and what backends optimise hardest. */
  private seedDtypes(): DType[] {
    const ds = [...this.o.dtypes];
    return ds.includes('float32') ? [...ds, 'float32', 'float32', 'float32'] : ds;
  }

  private anchorsFor(op: OpSpec): Slot[] {
    const dts = allowed(op.dtypes, this.o.dtypes);
    return this.slots.filter(
      (s) =>
        s.kind !== 'const' &&
        dts.includes(s.type.dtype) &&
        s.type.shape.length >= op.ranks[0] &&
        s.type.shape.length <= op.ranks[1] &&
        (op.accepts?.(s.type, this.ctx) ?? true),
    );
  }

  private tryForward(): boolean {
    const op = this.pick(this.o.ops);
    const anchors = this.anchorsFor(op);
    let anchor: Slot | undefined = anchors.length > 0 ? this.pick(anchors) : undefined;
    if (!anchor) {
      // no tensor fits: start a new input of a type the operator accepts
      const t = this.draw(tensorTypeArb(allowed(op.dtypes, this.o.dtypes), op.ranks[0], op.ranks[1], this.o.maxElems));
      if (!(op.accepts?.(t, this.ctx) ?? true)) return false;
      anchor = this.newSlot(t, 'open');
    }
    const inst = this.draw(op.build(anchor.type, this.ctx));
    return this.insert(op, inst, anchor, undefined);
  }

  private tryBackward(): boolean {
    const open = this.slots.filter((s) => s.kind === 'open' && !s.pinned);
    if (open.length === 0) return false;
    const target = this.pick(open);
    const candidates = this.o.ops.filter((op) => op.backward !== undefined);
    if (candidates.length === 0) return false;
    const op = this.pick(candidates);
    const arb = op.backward!(target.type, this.ctx);
    if (!arb) return false;
    return this.insert(op, this.draw(arb), undefined, target);
  }

  /**
   * Binds the instance's operands to tensors and adds the node. `anchor` is set for forward insertion;
   * `target` (an open placeholder the node will produce) for backward insertion.
   */
  private insert(op: OpSpec, inst: Instance, anchor: Slot | undefined, target: Slot | undefined): boolean {
    const types = inst.inputs.map((operand) => {
      switch (operand.kind) {
        case 'anchor':
          if (!anchor) throw new GeneratorBug(`${op.onnx}: backward instance refers to an anchor`);
          return anchor.type;
        case 'tensor':
          return operand.type;
        case 'const':
          return { dtype: operand.dtype, shape: operand.shape, data: operand.data };
        case 'absent':
          return undefined;
      }
    });
    const outs = op.infer(types, inst.attrs, this.o.opset, inst.outputs);
    if (typeof outs === 'string') {
      throw new GeneratorBug(`${op.onnx} rejected its own instance: ${outs}; inputs ${types.map((t) => (t ? formatType(t) : '-')).join(' ')} attrs ${JSON.stringify(inst.attrs)}`);
    }
    const all = [...outs, ...types.filter((t): t is TensorType => t !== undefined)];
    const bad = all.find((t) => t.shape.some((d) => !Number.isInteger(d) || d < 0));
    if (bad) throw new GeneratorBug(`${op.onnx} built a tensor of shape [${bad.shape.join(',')}]; attrs ${JSON.stringify(inst.attrs)}`);
    // operators are specified for ranks up to MAX_RANK; a backward Squeeze or a forward Unsqueeze could exceed it
    const tooBig = all.some((t) => numel(t.shape) > this.o.maxElems || t.shape.length > MAX_RANK);
    if (tooBig) return false;
    if (target && !(outs[0] && sameType(outs[0], target.type))) {
      throw new GeneratorBug(`${op.onnx} backward built ${outs[0] ? formatType(outs[0]) : 'nothing'} for ${formatType(target.type)}; attrs ${JSON.stringify(inst.attrs)}`);
    }
    // bind every operand first (reuse an existing tensor or plan a new one), then check feasibility, then commit
    const bound = inst.inputs.map((operand): Slot | 'new' | undefined => {
      switch (operand.kind) {
        case 'anchor':
          return anchor!;
        case 'absent':
          return undefined;
        case 'const':
          return 'new';
        case 'tensor': {
          const reuse = target || operand.fresh ? [] : this.slots.filter((s) => s.kind !== 'const' && sameType(s.type, operand.type));
          return reuse.length > 0 && this.rng.nextInt(0, 1) === 1 ? this.pick(reuse) : 'new';
        }
      }
    });
    const inRanges = inst.inputs.map((operand, i): Interval => {
      const b = bound[i];
      if (operand.kind === 'const') return operand.data.length ? [Math.min(...operand.data), Math.max(...operand.data)] : UNBOUNDED;
      return b && b !== 'new' ? b.range : UNBOUNDED;
    });
    const constraints = op.domain?.(types.filter((t): t is TensorType => t !== undefined), inst.attrs) ?? [];
    // no value of an input within its known bounds satisfies the operator's domain: the graph could never be valid
    if (constraints.some((c) => !feasible(inRanges[c.input] ?? UNBOUNDED, c))) return false;
    const outRanges = outputRanges(op, inRanges, types, inst.attrs, outs.length, outs);
    if (target && !target.requires.every((c) => feasible(outRanges[0] ?? UNBOUNDED, c))) return false;
    const names = inst.inputs.map((operand, i) => {
      const b = bound[i];
      if (b === undefined) return '';
      let s: Slot;
      if (b !== 'new') s = b;
      else if (operand.kind === 'const') {
        s = this.newSlot({ dtype: operand.dtype, shape: operand.shape }, 'const', inRanges[i]);
        this.consts.set(s.name, { name: s.name, dtype: operand.dtype, shape: [...operand.shape], kind: 'constant', data: [...operand.data] });
      } else {
        s = this.newSlot((operand as { type: TensorType }).type, 'open');
        s.pinned = operand.kind === 'tensor' && operand.fresh === true;
      }
      s.requires.push(...constraints.filter((c) => c.input === i));
      return s.name;
    });
    let outNames: string[];
    if (target) {
      target.kind = 'node';
      target.range = outRanges[0] ?? UNBOUNDED;
      outNames = [target.name, ...outs.slice(1).map((t, k) => this.newSlot(t, 'node', outRanges[k + 1]).name)];
    } else {
      outNames = outs.map((t, k) => this.newSlot(t, 'node', outRanges[k]).name);
    }
    const node: Node = { op: op.onnx, name: `n${this.nextNode++}`, inputs: names, outputs: outNames, attrs: inst.attrs };
    this.nodes.push({ node, order: target ? --this.front : this.nodes.length });
    return true;
  }

  private finish(): Graph {
    const nodes = [...this.nodes].sort((a, b) => a.order - b.order).map((x) => x.node);
    const consumed = new Set(nodes.flatMap((n) => n.inputs));
    const open = this.slots.filter((s) => s.kind === 'open' && consumed.has(s.name));
    // placeholders become graph inputs or weights; at least one stays an input
    const asWeight = open.map(() => this.rng.nextDouble() < 0.3);
    if (open.length > 0 && asWeight.every(Boolean)) asWeight[0] = false;
    const inputs: ValueInfo[] = [];
    const weights: ValueInfo[] = [];
    open.forEach((s, i) => (asWeight[i] ? weights : inputs).push({ name: s.name, dtype: s.type.dtype, shape: [...s.type.shape] }));
    // weights get values now, within the domains of the operators that read them
    const skeleton: Graph = {
      opset: this.o.opset,
      inputs,
      initializers: weights.map((w) => ({ ...w, kind: 'weight' as const, data: [] })),
      nodes,
      outputs: [],
      valueInfo: this.slots.filter((s) => s.kind === 'node').map((s) => ({ name: s.name, ...s.type })),
    };
    const cons = leafConstraints(skeleton);
    const initializers: Initializer[] = weights.map((w) => ({
      ...w,
      kind: 'weight',
      data: Array.from(sampleTensor(this.rng, w, cons.get(w.name) ?? []).data),
    }));
    for (const n of nodes) for (const name of n.inputs) {
      const c = this.consts.get(name);
      if (c && !initializers.includes(c)) initializers.push(c);
    }
    const produced = this.slots.filter((s) => s.kind === 'node');
    const outputs = produced.filter((s) => !consumed.has(s.name)).map((s) => ({ name: s.name, ...s.type }));
    const valueInfo = produced.filter((s) => consumed.has(s.name)).map((s) => ({ name: s.name, ...s.type }));
    const byOrder = (a: { name: string }, b: { name: string }): number => Number(a.name.slice(1)) - Number(b.name.slice(1));
    return {
      opset: this.o.opset,
      inputs: inputs.sort(byOrder),
      initializers: initializers.sort(byOrder),
      nodes,
      outputs: outputs.sort(byOrder).map(({ name, dtype, shape }) => ({ name, dtype, shape: [...shape] })),
      valueInfo: valueInfo.sort(byOrder).map(({ name, dtype, shape }) => ({ name, dtype, shape: [...shape] })),
    };
  }
}

/**
 * Whether some values could make the graph valid as far as element bounds tell: see `infeasibility`, which also says
 * why not. Bounds propagate forward from unbounded inputs and weights through each operator's `range`, requirements
 * backward from every domain constraint (Atanh(t) needs |t| < 1, Acosh(Asinh(t)) needs t >= sinh(1)), and every
 * tensor must admit a value that all of them accept at once.
 */
export function rangeFeasible(graph: Graph): boolean {
  return infeasibility(graph) === undefined;
}

/** Graphs drawn before giving up on one whose values can be made valid (the last draw is returned regardless). */
const FEASIBILITY_TRIES = 8;

function buildFeasible(rng: fc.Random, o: ResolvedOptions): Graph {
  let g = new Builder(rng, o).build();
  for (let i = 1; i < FEASIBILITY_TRIES && !rangeFeasible(g); i++) g = new Builder(rng, o).build();
  return g;
}

/** Generated graph plus the construction context fast-check hands back for shrinking. */
interface GraphContext {
  readonly start: fc.Random;
  readonly nodes: number;
}

/**
 * The arbitrary of valid graphs. Shrinking rebuilds the same construction with fewer insertions
 * (a prefix of the same random choices), so a shrunk graph is always valid too.
 */
export class GraphArbitrary extends fc.Arbitrary<Graph> {
  constructor(private readonly o: ResolvedOptions) {
    super();
  }

  override generate(mrng: fc.Random): fc.Value<Graph> {
    const start = mrng.clone();
    const g = buildFeasible(mrng, this.o);
    return new fc.Value(g, { start, nodes: this.o.nodes } satisfies GraphContext);
  }

  override canShrinkWithoutContext(value: unknown): value is Graph {
    void value;
    return false;
  }

  override shrink(_value: Graph, context: unknown): fc.Stream<fc.Value<Graph>> {
    const c = context as GraphContext | undefined;
    if (!c || c.nodes <= 1) return fc.Stream.nil();
    const sizes = [...new Set([1, Math.floor(c.nodes / 2), c.nodes - 1])].filter((n) => n >= 1 && n < c.nodes);
    const o = this.o;
    return fc.Stream.of(...sizes).map((nodes) => {
      const g = buildFeasible(c.start.clone(), { ...o, nodes });
      return new fc.Value(g, { start: c.start, nodes } satisfies GraphContext);
    });
  }
}

/** The fast-check arbitrary of graphs for the given options. */
export function graphArb(o: GraphOptions = {}): fc.Arbitrary<Graph> {
  return new GraphArbitrary(resolveOptions(o));
}

/** A seeded random source (xoroshiro128+), the same one fast-check uses. */
export function randomFromSeed(seed: number): fc.Random {
  return new fc.Random(xoroshiro128plus(seed | 0));
}

/** Seed of the i-th case of a run seeded with `seed` (splitmix-style mixing, 32-bit). */
export function caseSeed(seed: number, index: number): number {
  let z = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x7feb352d) >>> 0;
  z = Math.imul(z ^ (z >>> 15), 0x846ca68b) >>> 0;
  return (z ^ (z >>> 16)) | 0;
}

/** The graph for one seed: the same seed and options always give the same graph. */
export function generateGraph(seed: number, o: GraphOptions | ResolvedOptions = {}): Graph {
  const resolved = 'ops' in o ? (o as ResolvedOptions) : resolveOptions(o as GraphOptions);
  return buildFeasible(randomFromSeed(seed), resolved);
}
