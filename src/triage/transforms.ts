/**
 * Graph edits the reducer tries. Each takes a graph with its feeds and the reference values of every tensor,
 * and returns a smaller or simpler candidate (or undefined when the edit does not apply). Edits keep the values
 * upstream of the bug: a tensor cut out of the graph becomes an input fed with exactly the value the reference
 * computed for it, so the node that misbehaves sees the same numbers as before.
 */
import { findOp } from '../../generators/ops/index.js';
import type { InferInput } from '../../generators/ops/spec.js';
import type { Attrs, Graph, Initializer, Node, Tensor, TensorType, ValueInfo } from '../ir/index.js';
import { numel, sameType, strides, tensor } from '../ir/index.js';

export interface Candidate {
  readonly graph: Graph;
  readonly feeds: Readonly<Record<string, Tensor>>;
  /** What the edit did, for the reducer's log. */
  readonly edit: string;
}

/** Producer node of every tensor. */
function producers(g: Graph): Map<string, Node> {
  const m = new Map<string, Node>();
  for (const n of g.nodes) for (const o of n.outputs) if (o !== '') m.set(o, n);
  return m;
}

/**
 * Keeps only what the graph outputs need: nodes whose outputs are used, inputs and initializers that are read.
 * Unused optional outputs of kept nodes stay (they are part of the node). Feeds follow the inputs.
 */
export function prune(g: Graph, feeds: Readonly<Record<string, Tensor>>): { graph: Graph; feeds: Record<string, Tensor> } {
  const need = new Set(g.outputs.map((o) => o.name));
  const keep: Node[] = [];
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const n = g.nodes[i]!;
    if (!n.outputs.some((o) => need.has(o))) continue;
    keep.push(n);
    for (const x of n.inputs) if (x !== '') need.add(x);
  }
  keep.reverse();
  const produced = new Set(keep.flatMap((n) => n.outputs));
  const inputs = g.inputs.filter((i) => need.has(i.name));
  const outs = new Set(g.outputs.map((o) => o.name));
  return {
    graph: {
      ...g,
      inputs,
      initializers: g.initializers.filter((i) => need.has(i.name)),
      nodes: keep,
      valueInfo: g.valueInfo.filter((v) => produced.has(v.name) && !outs.has(v.name)),
    },
    feeds: Object.fromEntries(inputs.map((i) => [i.name, feeds[i.name]!])),
  };
}

/** Type of every tensor the graph declares. */
function typesOf(g: Graph): Map<string, TensorType> {
  return new Map<string, TensorType>([...g.inputs, ...g.initializers, ...g.valueInfo, ...g.outputs].map((v) => [v.name, v]));
}

/** Whether a tensor's value depends only on constant initializers (then it can stay a constant when cut). */
function constantOnly(g: Graph, name: string): boolean {
  const prod = producers(g);
  const consts = new Set(g.initializers.filter((i) => i.kind === 'constant').map((i) => i.name));
  const seen = new Map<string, boolean>();
  const visit = (t: string): boolean => {
    if (t === '') return true;
    const s = seen.get(t);
    if (s !== undefined) return s;
    seen.set(t, false);
    const n = prod.get(t);
    const r = n ? n.inputs.every(visit) : consts.has(t);
    seen.set(t, r);
    return r;
  };
  return visit(name);
}

/**
 * Cuts tensors out of the graph: each becomes a graph input fed with its reference value (or a constant
 * initializer when it is computed from constants alone, as shape and index tensors are), and whatever only fed
 * it is pruned.
 */
export function cut(g: Graph, feeds: Readonly<Record<string, Tensor>>, env: ReadonlyMap<string, Tensor>, names: readonly string[]): Candidate | undefined {
  const prod = producers(g);
  const types = typesOf(g);
  const targets = names.filter((n) => prod.has(n) && env.has(n));
  if (targets.length === 0) return undefined;
  const set = new Set(targets);
  const newInputs: ValueInfo[] = [];
  const newInits: Initializer[] = [];
  const newFeeds: Record<string, Tensor> = { ...feeds };
  for (const t of targets) {
    const type = types.get(t)!;
    const value = env.get(t)!;
    if (constantOnly(g, t)) newInits.push({ name: t, dtype: type.dtype, shape: type.shape, kind: 'constant', data: Array.from(value.data) });
    else {
      newInputs.push({ name: t, dtype: type.dtype, shape: type.shape });
      newFeeds[t] = value;
    }
  }
  // the producers go; one with another output still in use cannot (only part of a node cannot be cut)
  const drop = new Set(targets.map((t) => prod.get(t)!));
  for (const n of drop) if (n.outputs.some((o) => o !== '' && !set.has(o) && used(g, o))) return undefined;
  const nodes = g.nodes.filter((n) => !drop.has(n));
  const cutGraph: Graph = {
    ...g,
    inputs: [...g.inputs, ...newInputs],
    initializers: [...g.initializers, ...newInits],
    nodes,
    valueInfo: g.valueInfo.filter((v) => !set.has(v.name)),
  };
  // an output that was cut is now an input: keep it out of the outputs (a graph output must be computed)
  const outputs = cutGraph.outputs.filter((o) => !set.has(o.name));
  if (outputs.length === 0) return undefined;
  const p = prune({ ...cutGraph, outputs }, newFeeds);
  return { ...p, edit: `cut ${targets.map((t) => `'${t}'`).join(', ')} into ${targets.length > 1 ? 'inputs' : 'an input'}` };
}

function used(g: Graph, name: string): boolean {
  return g.outputs.some((o) => o.name === name) || g.nodes.some((n) => n.inputs.includes(name));
}

/** Makes `names` the graph's outputs and prunes everything they do not need. */
export function keepOutputs(g: Graph, feeds: Readonly<Record<string, Tensor>>, names: readonly string[]): Candidate | undefined {
  const types = typesOf(g);
  if (names.length === 0 || names.some((n) => !types.has(n) || !producers(g).has(n))) return undefined;
  const outputs = names.map((n) => ({ name: n, dtype: types.get(n)!.dtype, shape: types.get(n)!.shape }));
  const set = new Set(names);
  const valueInfo = [...g.valueInfo, ...g.outputs].filter((v) => !set.has(v.name));
  const p = prune({ ...g, outputs, valueInfo }, feeds);
  return { ...p, edit: `keep output${names.length > 1 ? 's' : ''} ${names.map((n) => `'${n}'`).join(', ')}` };
}

/**
 * Removes a node by routing one of its inputs (of the same type as its only used output) to that output's
 * consumers.
 */
export function bypass(g: Graph, feeds: Readonly<Record<string, Tensor>>, node: Node, input: number): Candidate | undefined {
  const types = typesOf(g);
  const src = node.inputs[input];
  const usedOuts = node.outputs.filter((o) => o !== '' && used(g, o));
  if (!src || usedOuts.length !== 1) return undefined;
  const out = usedOuts[0]!;
  const st = types.get(src);
  const ot = types.get(out);
  if (!st || !ot || !sameType(st, ot)) return undefined;
  const isOutput = g.outputs.some((o) => o.name === out);
  if (isOutput && !producers(g).has(src)) return undefined; // an output must stay computed by a node
  const rename = (x: string): string => (x === out ? src : x);
  const nodes = g.nodes.filter((n) => n !== node).map((n) => ({ ...n, inputs: n.inputs.map(rename) }));
  const outputs = isOutput ? g.outputs.map((o) => (o.name === out ? { ...o, name: src } : o)) : g.outputs;
  if (new Set(outputs.map((o) => o.name)).size !== outputs.length) return undefined;
  const p = prune({ ...g, nodes, outputs, valueInfo: g.valueInfo.filter((v) => v.name !== src || !isOutput) }, feeds);
  return { ...p, edit: `bypass ${node.op} '${node.name}' (input ${input})` };
}

/**
 * Recomputes every node's output types from the inputs through the operator specs (after an attribute or an input
 * shape changed). Undefined when some node no longer accepts its inputs.
 */
export function reinfer(g: Graph): Graph | undefined {
  const known = new Map<string, InferInput>();
  for (const i of g.inputs) known.set(i.name, i);
  for (const i of g.initializers) known.set(i.name, i.kind === 'constant' ? { dtype: i.dtype, shape: i.shape, data: i.data } : i);
  for (const n of g.nodes) {
    const spec = findOp(n.op);
    if (!spec) return undefined;
    const ins = n.inputs.map((x) => (x === '' ? undefined : known.get(x)));
    let outs: TensorType[] | string;
    try {
      outs = spec.infer(ins, n.attrs, g.opset, n.outputs.length);
    } catch {
      return undefined;
    }
    if (typeof outs === 'string') return undefined;
    for (const [k, o] of n.outputs.entries()) {
      const t = outs[k];
      if (o === '') continue;
      if (!t || t.shape.some((d) => !Number.isInteger(d) || d < 0)) return undefined;
      known.set(o, { dtype: t.dtype, shape: t.shape });
    }
  }
  const retype = <V extends ValueInfo>(v: V): V => {
    const t = known.get(v.name);
    return t ? { ...v, dtype: t.dtype, shape: t.shape } : v;
  };
  return { ...g, valueInfo: g.valueInfo.map(retype), outputs: g.outputs.map(retype) };
}

/** Sets (or, with undefined, removes so the default applies) one attribute of a node, re-inferring types. */
export function setAttribute(g: Graph, feeds: Readonly<Record<string, Tensor>>, node: Node, attr: string, value: Attrs[string] | undefined): Candidate | undefined {
  const attrs: Record<string, Attrs[string]> = { ...node.attrs };
  if (value === undefined) delete attrs[attr];
  else attrs[attr] = value;
  const nodes = g.nodes.map((n) => (n === node ? { ...n, attrs } : n));
  const r = reinfer({ ...g, nodes });
  return r ? { graph: r, feeds, edit: value === undefined ? `drop ${node.op}.${attr} (default)` : `set ${node.op}.${attr} = ${JSON.stringify(value)}` } : undefined;
}

/** The first `keep` entries of axis `axis` of a tensor. */
export function sliceAxis(t: Tensor, axis: number, keep: number): Tensor {
  const shape = [...t.shape];
  const st = strides(t.shape);
  shape[axis] = keep;
  const out = new Float64Array(numel(shape));
  const ost = strides(shape);
  for (let i = 0; i < out.length; i++) {
    let src = 0;
    let rem = i;
    for (let d = 0; d < shape.length; d++) {
      const q = Math.floor(rem / ost[d]!);
      rem -= q * ost[d]!;
      src += q * st[d]!;
    }
    out[i] = t.data[src]!;
  }
  return tensor(t.dtype, shape, out);
}

/**
 * Shrinks one axis of a graph input (or a weight) to `keep` entries, keeping the leading values, and re-infers the
 * graph. Undefined when some operator no longer accepts the new shape.
 */
export function shrinkAxis(g: Graph, feeds: Readonly<Record<string, Tensor>>, name: string, axis: number, keep: number): Candidate | undefined {
  const inp = g.inputs.find((i) => i.name === name);
  const w = g.initializers.find((i) => i.name === name && i.kind === 'weight');
  const t = inp ? feeds[name] : w ? tensor(w.dtype, w.shape, w.data) : undefined;
  if (!t || axis >= t.shape.length || t.shape[axis]! <= keep) return undefined;
  const small = sliceAxis(t, axis, keep);
  const g2: Graph = inp
    ? { ...g, inputs: g.inputs.map((i) => (i.name === name ? { ...i, shape: small.shape } : i)) }
    : { ...g, initializers: g.initializers.map((i) => (i.name === name ? { ...i, shape: small.shape, data: Array.from(small.data) } : i)) };
  const r = reinfer(g2);
  if (!r) return undefined;
  return { graph: r, feeds: inp ? { ...feeds, [name]: small } : feeds, edit: `shrink '${name}' axis ${axis} from ${t.shape[axis]} to ${keep}` };
}

/** Rounds the values of a float graph input or weight to `digits` significant digits (readable repros). */
export function roundInput(g: Graph, feeds: Readonly<Record<string, Tensor>>, name: string, digits: number): Candidate | undefined {
  const w = g.initializers.find((i) => i.name === name && i.kind === 'weight');
  const t = w ? tensor(w.dtype, w.shape, w.data) : feeds[name];
  if (!t || (t.dtype !== 'float32' && t.dtype !== 'float64')) return undefined;
  const data = t.data.map((v) => (v === 0 ? 0 : Number(v.toPrecision(digits))));
  if (data.every((v, i) => v === t.data[i])) return undefined;
  const edit = `round '${name}' to ${digits} digit${digits > 1 ? 's' : ''}`;
  if (w) return { graph: { ...g, initializers: g.initializers.map((i) => (i === w ? { ...i, data: Array.from(data) } : i)) }, feeds, edit };
  return { graph: g, feeds: { ...feeds, [name]: tensor(t.dtype, t.shape, data) }, edit };
}
