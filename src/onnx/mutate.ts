/**
 * Field-aware mutation of ONNX model bytes, deterministic from a seed: the hostile inputs onnxsmith's own front door
 * must survive (dims, element types, names, attributes, node wiring, opsets, external-data locations, truncation,
 * byte flips). Used by the model-mutation property test and meant for a `fuzz --mutate-models` campaign mode.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const AT = onnx.AttributeProto.AttributeType;
const EXTERNAL = onnx.TensorProto.DataLocation.EXTERNAL;

export interface MutateOptions {
  /**
   * External-data locations to point tensors at, besides the built-in ones (absolute paths, `..`): a caller that
   * plants a secret outside the model's folder passes its path, a climb to it, and a symlink name inside the folder.
   */
  readonly locations?: readonly string[];
  /** Most mutations applied in a row (at least one is). Default 3. */
  readonly maxMutations?: number;
}

export interface MutatedModel {
  readonly bytes: Uint8Array;
  /** What was done, in order, one phrase per mutation (for a failing property's report). */
  readonly applied: readonly string[];
}

/** A small deterministic generator (mulberry32): the same seed gives the same mutations on every platform. */
class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
}

type Model = onnxProto.onnx.IModelProto;
type Graph = onnxProto.onnx.IGraphProto;
type Tensor = onnxProto.onnx.ITensorProto;

const BUILTIN_LOCATIONS = ['/etc/passwd', '../../../../../../../../etc/passwd', 'sub/../../outside.bin', '', 'data.bin', 'C:\\Windows\\win.ini', 'a\nb'];
const DIMS = [0, 1, -1, -7, 3, 1e9, 2 ** 31, 2 ** 40, 2 ** 53 - 1];
const ELEM_TYPES = [0, 1, 2, 3, 6, 7, 8, 9, 10, 11, 12, 16, 17, 99];
const NAMES = ['', 'x', 'y', 'w', 'a\nb', 'evil\u001b[31mred\u001b[0m', 'rtl\u202eabc', 'n'.repeat(300), '..', '/etc/passwd'];
const OPS = ['Add', 'Relu', 'MatMul', 'Reshape', 'Concat', 'Split', 'Constant', 'If', 'Loop', 'Identity', 'NotAnOp', '', 'add', 'Expand', 'Gemm'];

/** Every tensor-typed value info and tensor of the main graph, with a setter for its dims. */
function valueInfos(g: Graph): onnxProto.onnx.IValueInfoProto[] {
  return [...(g.input ?? []), ...(g.output ?? []), ...(g.valueInfo ?? [])];
}

function tensorNames(g: Graph): string[] {
  const names = new Set<string>();
  for (const v of valueInfos(g)) names.add(v.name ?? '');
  for (const t of g.initializer ?? []) names.add(t.name ?? '');
  for (const n of g.node ?? []) for (const x of [...(n.input ?? []), ...(n.output ?? [])]) names.add(x);
  return [...names];
}

function external(location: string): Partial<Tensor> {
  return { dataLocation: EXTERNAL, externalData: [{ key: 'location', value: location }, { key: 'length', value: '24' }], rawData: new Uint8Array() };
}

/** One field-aware mutation of a decoded model; returns a phrase saying what it did. */
function mutateFields(m: Model, r: Rng, locations: readonly string[]): string {
  const g = (m.graph ??= { name: 'g' });
  g.node ??= [];
  g.input ??= [];
  g.output ??= [];
  g.initializer ??= [];
  const nodes = g.node;
  const node = nodes.length > 0 ? r.pick(nodes) : undefined;
  switch (r.int(12)) {
    case 0: {
      const vis = valueInfos(g).filter((v) => v.type?.tensorType);
      const inits = g.initializer;
      const d = r.pick(DIMS);
      if (vis.length > 0 && (inits.length === 0 || r.int(2) === 0)) {
        const v = r.pick(vis);
        const dims = (v.type!.tensorType!.shape ??= { dim: [] }).dim ??= [];
        if (dims.length === 0 || r.int(4) === 0) dims.push({ dimValue: d });
        else if (r.int(5) === 0) dims[r.int(dims.length)] = { dimParam: 'N' };
        else dims[r.int(dims.length)] = { dimValue: d };
        return `dim of '${v.name}' set to ${d}`;
      }
      if (inits.length === 0) return 'no dims to change';
      const t = r.pick(inits);
      const dims = (t.dims ??= []);
      if (dims.length === 0 || r.int(3) === 0) dims.push(d);
      else dims[r.int(dims.length)] = d;
      return `dim of initializer '${t.name}' set to ${d}`;
    }
    case 1: {
      const e = r.pick(ELEM_TYPES);
      const vis = valueInfos(g).filter((v) => v.type?.tensorType);
      if (vis.length > 0 && r.int(2) === 0) {
        const v = r.pick(vis);
        v.type!.tensorType!.elemType = e;
        return `element type of '${v.name}' set to ${e}`;
      }
      if (g.initializer.length === 0) return 'no element type to change';
      const t = r.pick(g.initializer);
      t.dataType = e;
      return `element type of initializer '${t.name}' set to ${e}`;
    }
    case 2: {
      const names = tensorNames(g);
      const to = r.int(3) === 0 ? r.pick(names) : r.pick(NAMES);
      const where = r.int(4);
      if (where === 0 && node && (node.input ?? []).length > 0) {
        node.input![r.int(node.input!.length)] = to;
        return `a node input renamed to ${JSON.stringify(to)}`;
      }
      if (where === 1 && node && (node.output ?? []).length > 0) {
        node.output![r.int(node.output!.length)] = to;
        return `a node output renamed to ${JSON.stringify(to)}`;
      }
      const vs = [...g.input, ...g.output, ...g.initializer];
      if (vs.length === 0) return 'no name to change';
      const v = r.pick(vs);
      v.name = to;
      return `a graph input, output or initializer renamed to ${JSON.stringify(to)}`;
    }
    case 3: {
      if (!node) return 'no node';
      const choice = r.int(6);
      if (choice === 0) {
        nodes.splice(nodes.indexOf(node), 1);
        return 'a node removed';
      }
      if (choice === 1) {
        nodes.push({ ...node, input: [...(node.input ?? [])], output: [...(node.output ?? [])] });
        return 'a node duplicated';
      }
      if (choice === 2 && nodes.length > 1) {
        const i = r.int(nodes.length);
        const j = r.int(nodes.length);
        [nodes[i], nodes[j]] = [nodes[j]!, nodes[i]!];
        return `nodes ${i} and ${j} swapped`;
      }
      if (choice === 3) {
        node.input = [...(node.input ?? [])];
        if (node.input.length > 0 && r.int(2) === 0) node.input.pop();
        else node.input.push(r.pick(tensorNames(g)));
        return 'a node input count changed';
      }
      if (choice === 4 && (node.output ?? []).length > 0) {
        node.input = [...(node.input ?? []), node.output![0]!];
        return 'a node reads its own output';
      }
      node.opType = r.pick(OPS);
      if (r.int(4) === 0) node.domain = r.pick(['com.microsoft', 'ai.onnx.ml', 'local']);
      return `an operator changed to ${JSON.stringify(node.opType)}`;
    }
    case 4: {
      if (!node) return 'no node';
      const attrs = (node.attribute ??= []);
      const choice = r.int(5);
      if (choice === 0 && attrs.length > 0) {
        const a = r.pick(attrs);
        a.type = r.pick([AT.INT, AT.FLOAT, AT.STRING, AT.INTS, AT.TENSOR, AT.GRAPH, 99 as onnxProto.onnx.AttributeProto.AttributeType]);
        return `attribute '${a.name}' retyped to ${a.type}`;
      }
      if (choice === 1 && attrs.length > 0) {
        const a = r.pick(attrs);
        a.ints = [r.pick(DIMS), -r.pick(DIMS)];
        a.i = r.pick(DIMS);
        a.f = r.pick([NaN, Infinity, -0, 1e38]);
        return `attribute '${a.name}' given extreme values`;
      }
      if (choice === 2 && attrs.length > 0) {
        attrs.splice(r.int(attrs.length), 1);
        return 'an attribute removed';
      }
      if (choice === 3) {
        attrs.push({ name: r.pick(['axis', 'perm', 'kernel_shape', 'to', 'unknown_attr', '']), type: AT.INTS, ints: [r.pick(DIMS)] });
        return 'an attribute added';
      }
      attrs.push({ name: 'value', type: AT.TENSOR, t: { dataType: 1, dims: [r.pick(DIMS)], floatData: [1] } });
      return 'a tensor attribute added';
    }
    case 5:
    case 6:
      return externalData(g, m, r, node, [...BUILTIN_LOCATIONS, ...locations]);
    case 7: {
      const v = r.pick([0, -1, 1, 6, 13, 17, 18, 23, 24, 99, 2 ** 31]);
      m.opsetImport = r.int(5) === 0 ? [] : [{ domain: r.int(6) === 0 ? 'ai.onnx' : '', version: v }];
      return `opset set to ${v}`;
    }
    case 8: {
      if (g.initializer.length === 0) return 'no initializer';
      const t = r.pick(g.initializer);
      const raw = t.rawData ?? new Uint8Array();
      const choice = r.int(4);
      if (choice === 0) t.rawData = raw.subarray(0, r.int(raw.length + 1));
      else if (choice === 1) t.rawData = new Uint8Array([...raw, ...raw]);
      else if (choice === 2) {
        t.rawData = new Uint8Array();
        t.floatData = [1, 2, 3];
      } else t.int64Data = [2 ** 53 + 2, -1, 0];
      return `data of initializer '${t.name}' changed`;
    }
    case 9: {
      const name = g.initializer.length > 0 ? r.pick(g.initializer).name ?? 'w' : 'w';
      (g.sparseInitializer ??= []).push({
        dims: [r.pick([2, 6, 1e9]), r.pick([1, 3])],
        values: { name: r.int(2) === 0 ? name : 'sp', dataType: 1, dims: [2], floatData: [1, 2] },
        indices: { dataType: r.pick([7, 6]), dims: [2], int64Data: [0, r.pick([1, 5, 999, -1])] },
      });
      return 'a sparse initializer added';
    }
    case 10:
      m.irVersion = r.pick([0, 3, 8, 10, 99]);
      return `IR version set to ${String(m.irVersion)}`;
    default: {
      const e = r.pick(g.output.length > 0 ? g.output : g.input);
      if (!e) return 'no graph input or output';
      if (r.int(2) === 0) g.input.push({ ...e });
      else g.output.push({ ...e });
      return `graph input or output '${e.name}' listed again`;
    }
  }
}

/** Points some tensor (an initializer, a sparse one, an attribute, a subgraph's, a function's) at `locations`. */
function externalData(g: Graph, m: Model, r: Rng, node: onnxProto.onnx.INodeProto | undefined, locations: readonly string[]): string {
  const loc = r.pick(locations);
  const place = r.int(6);
  if (place === 0 && (g.initializer ?? []).length > 0) {
    const t = r.pick(g.initializer!);
    Object.assign(t, external(loc));
    if (r.int(3) === 0) t.dataLocation = onnx.TensorProto.DataLocation.DEFAULT; // the field alone, unmarked
    return `initializer '${t.name}' data at ${JSON.stringify(loc)}`;
  }
  const ext: Tensor = { dataType: 1, dims: [2, 3], ...external(loc) };
  if (place === 1 || (place === 0 && !node)) {
    const name = (g.initializer ?? []).length > 0 ? r.pick(g.initializer!).name ?? 'w' : 'w';
    if (r.int(2) === 0) g.initializer = (g.initializer ?? []).filter((t) => t.name !== name);
    (g.sparseInitializer ??= []).push({ dims: [2, 3], values: { ...ext, name, dims: [6] }, indices: { dataType: 7, dims: [6], int64Data: [0, 1, 2, 3, 4, 5] } });
    return `sparse initializer '${name}' values at ${JSON.stringify(loc)}`;
  }
  if (place === 2 && node) {
    (node.attribute ??= []).push({ name: 'value', type: AT.TENSOR, t: ext });
    return `a tensor attribute's data at ${JSON.stringify(loc)}`;
  }
  if (place === 3 && node) {
    const sub: Graph = { name: 's', node: [{ opType: 'Identity', input: ['k'], output: ['o'] }], initializer: [{ ...ext, name: 'k' }], output: [{ name: 'o' }] };
    (node.attribute ??= []).push({ name: 'then_branch', type: AT.GRAPH, g: r.int(2) === 0 ? sub : { name: 'outer', node: [{ opType: 'If', input: ['c'], output: ['o'], attribute: [{ name: 'then_branch', type: AT.GRAPH, g: sub }] }] } });
    return `a subgraph initializer's data at ${JSON.stringify(loc)}`;
  }
  if (place === 4) {
    (m.functions ??= []).push({ name: 'F', domain: 'local', output: ['c'], node: [{ opType: 'Constant', output: ['c'], attribute: [{ name: 'value', type: AT.TENSOR, t: ext }] }] });
    return `a local function's constant at ${JSON.stringify(loc)}`;
  }
  (node?.attribute ?? (g.node ??= [{ opType: 'Constant', output: ['c'] }])[0]!.attribute ?? []).push({
    name: 'sparse_value',
    type: AT.SPARSE_TENSOR,
    sparseTensor: { dims: [6], values: { ...ext, dims: [6] }, indices: { dataType: 7, dims: [6], int64Data: [0, 1, 2, 3, 4, 5] } },
  });
  return `a sparse tensor attribute's data at ${JSON.stringify(loc)}`;
}

/** Byte-level damage: truncation, flipped bytes, a spliced run. */
function mutateBytes(bytes: Uint8Array, r: Rng): [Uint8Array, string] {
  const b = new Uint8Array(bytes);
  switch (r.int(3)) {
    case 0: {
      const n = r.int(b.length + 1);
      return [b.subarray(0, n), `truncated to ${n} bytes`];
    }
    case 1: {
      const k = 1 + r.int(8);
      for (let i = 0; i < k && b.length > 0; i++) b[r.int(b.length)] = r.int(256);
      return [b, `${k} bytes flipped`];
    }
    default: {
      if (b.length === 0) return [b, 'nothing to splice'];
      const at = r.int(b.length);
      const len = 1 + r.int(16);
      const from = r.int(b.length);
      const out = new Uint8Array([...b.subarray(0, at), ...b.subarray(from, from + len), ...b.subarray(at)]);
      return [out, `${len} bytes spliced in at ${at}`];
    }
  }
}

/**
 * Mutates model bytes: one to `maxMutations` changes, mostly field-aware (the bytes decoded, changed, re-encoded),
 * sometimes byte-level. Never throws: bytes that do not decode get byte-level mutations only.
 */
export function mutateModel(bytes: Uint8Array, seed: number, opts: MutateOptions = {}): MutatedModel {
  const r = new Rng(seed);
  const applied: string[] = [];
  const count = 1 + r.int(Math.max(1, opts.maxMutations ?? 3));
  let model: Model | undefined;
  try {
    model = onnx.ModelProto.toObject(onnx.ModelProto.decode(bytes), { defaults: false, arrays: true }) as Model;
  } catch {
    model = undefined;
  }
  let out = bytes;
  let fieldsDone = false;
  for (let i = 0; i < count; i++) {
    if (model && !fieldsDone && r.int(8) !== 0) {
      applied.push(mutateFields(model, r, opts.locations ?? []));
      continue;
    }
    if (model && !fieldsDone) {
      out = encode(model);
      fieldsDone = true;
    }
    const [b, what] = mutateBytes(out, r);
    out = b;
    applied.push(what);
  }
  if (model && !fieldsDone) out = encode(model);
  return { bytes: out, applied };
}

function encode(m: Model): Uint8Array {
  try {
    return onnx.ModelProto.encode(onnx.ModelProto.fromObject(m)).finish();
  } catch {
    try {
      return onnx.ModelProto.encode(m).finish();
    } catch {
      return new Uint8Array(); // a mutation protobufjs cannot write at all: an empty model is hostile too
    }
  }
}
