/**
 * Checks on a raw ModelProto before anything reads its tensors or hands it to a backend: external data stays inside
 * the model's folder, the opset is one onnxsmith knows, and the graph is well formed (names, arity, order).
 */
import { lstatSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import onnxProto from 'onnx-proto';
import { ModelError } from './errors.js';
import { ARITY, MAX_IMPORT_OPSET, MIN_IMPORT_OPSET } from './opset.js';

const { onnx } = onnxProto;

/** Default element limit of one tensor and of all of a model's tensors together (`run --max-elems`). */
export const DEFAULT_MAX_ELEMS = 100_000_000;

/** Refuses a tensor of more than `limit` elements, naming it, its shape and the limit. */
export function checkElementCount(what: string, shape: readonly number[], limit: number): void {
  let n = 1;
  for (const d of shape) n *= d;
  if (n > limit) {
    throw new ModelError(`${what} has shape [${shape.join(',')}] (${countText(n)} elements), over the limit of ${countText(limit)} elements per tensor (run --max-elems N)`);
  }
}

/** An element count as people read it: 1000000000 as 1e9, 1234 as is. */
export function countText(n: number): string {
  return n >= 1e6 ? n.toExponential(n === Number(n.toExponential(0)) ? 0 : 2).replace('+', '') : String(n);
}

/** `node 3 (Add 'n3')`: how messages name a node. */
export function nodeWhere(index: number, n: onnxProto.onnx.INodeProto, prefix = ''): string {
  return `${prefix}node ${index} (${n.opType || '?'}${n.name ? ` '${n.name}'` : ''})`;
}

/** Every TensorProto a model holds, wherever ONNX allows one, with a phrase naming it. */
function* tensorsOfGraph(g: onnxProto.onnx.IGraphProto | null | undefined, prefix: string): Generator<[string, onnxProto.onnx.ITensorProto]> {
  if (!g) return;
  for (const t of g.initializer ?? []) yield [`${prefix}initializer '${t.name ?? ''}'`, t];
  for (const s of g.sparseInitializer ?? []) yield* tensorsOfSparse(s, `${prefix}sparse initializer '${s.values?.name ?? ''}'`);
  for (const [i, n] of (g.node ?? []).entries()) yield* tensorsOfNode(n, nodeWhere(i, n, prefix));
}

function* tensorsOfSparse(s: onnxProto.onnx.ISparseTensorProto | null | undefined, what: string): Generator<[string, onnxProto.onnx.ITensorProto]> {
  if (s?.values) yield [`${what} values`, s.values];
  if (s?.indices) yield [`${what} indices`, s.indices];
}

function* tensorsOfNode(n: onnxProto.onnx.INodeProto, where: string): Generator<[string, onnxProto.onnx.ITensorProto]> {
  for (const a of n.attribute ?? []) yield* tensorsOfAttr(a, `${where} attribute '${a.name ?? ''}'`);
}

function* tensorsOfAttr(a: onnxProto.onnx.IAttributeProto, what: string): Generator<[string, onnxProto.onnx.ITensorProto]> {
  // every field is walked whatever `type` claims: a backend may read a field the type does not name
  if (a.t) yield [what, a.t];
  for (const [k, t] of (a.tensors ?? []).entries()) yield [`${what} tensor ${k}`, t];
  yield* tensorsOfSparse(a.sparseTensor, what);
  for (const [k, s] of (a.sparseTensors ?? []).entries()) yield* tensorsOfSparse(s, `${what} sparse tensor ${k}`);
  if (a.g) yield* tensorsOfGraph(a.g, `${what} subgraph: `);
  for (const [k, g] of (a.graphs ?? []).entries()) yield* tensorsOfGraph(g, `${what} subgraph ${k}: `);
}

function* tensorsOfModel(m: onnxProto.onnx.IModelProto, bytes: Uint8Array): Generator<[string, onnxProto.onnx.ITensorProto]> {
  yield* tensorsOfGraph(m.graph, '');
  for (const [k, t] of (m.trainingInfo ?? []).entries()) {
    yield* tensorsOfGraph(t.initialization, `training info ${k} initialization: `);
    yield* tensorsOfGraph(t.algorithm, `training info ${k} algorithm: `);
  }
  for (const f of m.functions ?? []) {
    for (const [i, n] of (f.node ?? []).entries()) yield* tensorsOfNode(n, nodeWhere(i, n, `function '${f.name ?? ''}': `));
  }
  // FunctionProto.attribute_proto (field 11: attribute defaults, which may hold tensors) is newer than onnx-proto's
  // schema, so protobufjs skips it; read it from the wire
  for (const [k, fn] of fieldBytes(bytes, 25).entries()) {
    for (const raw of fieldBytes(fn, 11)) {
      let a: onnxProto.onnx.AttributeProto;
      try {
        a = onnx.AttributeProto.decode(raw);
      } catch (e) {
        throw new ModelError(`function ${k}: attribute default is not a valid AttributeProto (${(e as Error).message})`);
      }
      yield* tensorsOfAttr(a, `function ${k} attribute default '${a.name}'`);
    }
  }
}

/** The payloads of every length-delimited occurrence of `field` in a protobuf message (a plain wire-format walk). */
function fieldBytes(msg: Uint8Array, field: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let p = 0;
  const varint = (): number => {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (p >= msg.length) throw new ModelError('not a valid ONNX model: truncated varint');
      const b = msg[p++]!;
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 128;
    }
    throw new ModelError('not a valid ONNX model: varint too long');
  };
  while (p < msg.length) {
    const tag = varint();
    const wire = tag % 8;
    const f = Math.floor(tag / 8);
    if (wire === 0) varint();
    else if (wire === 1) p += 8;
    else if (wire === 5) p += 4;
    else if (wire === 2) {
      const len = varint();
      if (p + len > msg.length) throw new ModelError('not a valid ONNX model: a field runs past the end');
      if (f === field) out.push(msg.subarray(p, p + len));
      p += len;
    } else return out; // groups: protobufjs accepted the message, and ONNX has none worth reading
  }
  return out;
}

/** The real path `loc` names under the real folder `base`, following every symlink on the way. */
function resolveInside(base: string, loc: string): string {
  let cur = base;
  const parts = loc.split(/[\\/]+/).filter((s) => s !== '' && s !== '.');
  for (let i = 0; i < parts.length; i++) {
    const next = join(cur, parts[i]!);
    let isLink: boolean;
    try {
      isLink = lstatSync(next).isSymbolicLink();
    } catch {
      return join(next, ...parts.slice(i + 1)); // nothing there yet: the rest stays where it is spelled
    }
    if (isLink) {
      try {
        cur = realpathSync(next);
      } catch {
        return '\0dangling'; // a symlink to nowhere may point anywhere later
      }
    } else cur = next;
  }
  return cur;
}

/** Why an external-data location leaves the model's folder, or undefined when it stays inside. */
function escapeReason(loc: string, modelPath: string | undefined): string | undefined {
  if (/[\u0000-\u001f]/.test(loc)) return 'it holds control characters';
  if (isAbsolute(loc) || /^[A-Za-z]:/.test(loc) || loc.startsWith('\\')) return 'an absolute path';
  if (loc.split(/[\\/]/).includes('..')) return "it climbs out with '..'";
  if (modelPath === undefined) return undefined;
  let base: string;
  try {
    base = realpathSync(dirname(resolve(modelPath)));
  } catch {
    return undefined;
  }
  const real = resolveInside(base, loc);
  if (real === '\0dangling') return 'a dangling symlink';
  if (real !== base && !real.startsWith(base + sep)) return `a symlink resolving to ${real}`;
  return undefined;
}

/**
 * Refuses a model any of whose tensors (initializers, sparse initializers, tensor attributes, subgraphs at any depth,
 * training graphs, functions) keeps external data outside the model's folder: an absolute path, a `..`, or a symlink
 * resolving elsewhere (checked with realpath when `modelPath` is known). Runs on the raw model, before any backend,
 * because a backend would read the file whatever onnxsmith itself supports.
 */
export function checkExternalData(m: onnxProto.onnx.IModelProto, bytes: Uint8Array, modelPath?: string): void {
  for (const [what, t] of tensorsOfModel(m, bytes)) {
    const entries = t.externalData ?? [];
    if (t.dataLocation !== onnx.TensorProto.DataLocation.EXTERNAL && entries.length === 0) continue;
    const locs = entries.filter((e) => e.key === 'location').map((e) => e.value ?? '');
    if (locs.length === 0) throw new ModelError(`${what}: external tensor data without a location`);
    for (const loc of locs) {
      const why = loc === '' ? 'an empty path' : escapeReason(loc, modelPath);
      if (why) {
        throw new ModelError(`${what}: external tensor data is not supported, and its location '${loc}' is outside the model's folder (${why}); nothing was run`);
      }
    }
  }
}

/** The default-domain opset, refused when missing or outside the opsets onnxsmith knows. */
export function checkOpset(m: onnxProto.onnx.IModelProto): number {
  const entries = (m.opsetImport ?? []).filter((o) => !o.domain || o.domain === 'ai.onnx');
  if (entries.length === 0) throw new ModelError('model imports no default-domain opset');
  const versions = [...new Set(entries.map((o) => Number(o.version ?? 0)))];
  if (versions.length > 1) throw new ModelError(`model imports the default domain at opsets ${versions.join(' and ')}`);
  const v = versions[0]!;
  if (!Number.isSafeInteger(v) || v < MIN_IMPORT_OPSET || v > MAX_IMPORT_OPSET) {
    throw new ModelError(`model imports opset ${v} of the default domain; onnxsmith knows opsets ${MIN_IMPORT_OPSET} to ${MAX_IMPORT_OPSET}`);
  }
  return v;
}

function countRange([lo, hi]: readonly [number, number]): string {
  return lo === hi ? String(lo) : hi === Infinity ? `at least ${lo}` : `${lo} to ${hi}`;
}

/**
 * Refuses a malformed graph, naming the node (index, operator, name) and the tensor: empty or duplicate names, a
 * tensor produced twice, an input nothing produces, a node reading its own output, cycles, nodes out of topological
 * order, and input or output counts the operator does not take (operators onnxsmith implements).
 */
export function checkGraph(g: onnxProto.onnx.IGraphProto): void {
  // where each tensor comes from: a graph input, an initializer, or a node (by index)
  const source = new Map<string, string | number>();
  const inputs = new Set<string>();
  for (const [k, v] of (g.input ?? []).entries()) {
    const name = v.name ?? '';
    if (name === '') throw new ModelError(`graph input ${k} has an empty name`);
    if (inputs.has(name)) throw new ModelError(`graph input '${name}' is listed twice`);
    inputs.add(name);
    source.set(name, 'a graph input');
  }
  const inits = new Set<string>();
  const initNames = [
    ...(g.initializer ?? []).map((t) => ['initializer', t.name ?? ''] as const),
    ...(g.sparseInitializer ?? []).map((s) => ['sparse initializer', s.values?.name ?? ''] as const),
  ];
  for (const [k, [what, name]] of initNames.entries()) {
    if (name === '') throw new ModelError(`${what} ${k} has an empty name`);
    if (inits.has(name)) throw new ModelError(`${what} '${name}' is defined twice`);
    inits.add(name);
    // an initializer may also be listed as a graph input (a default the caller can override)
    source.set(name, 'an initializer');
  }
  const nodes = g.node ?? [];
  for (const [i, n] of nodes.entries()) {
    const where = nodeWhere(i, n);
    const arity = !n.domain || n.domain === 'ai.onnx' ? ARITY.get(n.opType ?? '') : undefined;
    const outs = n.output ?? [];
    if (arity && (outs.length < arity.outputs[0] || outs.length > arity.outputs[1])) {
      throw new ModelError(`${where} has ${outs.length} outputs; ${n.opType} takes ${countRange(arity.outputs)}`);
    }
    for (const [k, name] of outs.entries()) {
      if (name === '') {
        if (arity && k < arity.outputs[0]) throw new ModelError(`${where}: required output ${k} has an empty name`);
        continue;
      }
      const before = source.get(name);
      if (before !== undefined) {
        const by = typeof before === 'number' ? nodeWhere(before, nodes[before]!) : before;
        throw new ModelError(`${where}: output '${name}' is already produced by ${by}`);
      }
      source.set(name, i);
    }
  }
  for (const [i, n] of nodes.entries()) {
    const where = nodeWhere(i, n);
    const arity = !n.domain || n.domain === 'ai.onnx' ? ARITY.get(n.opType ?? '') : undefined;
    const ins = n.input ?? [];
    if (arity && (ins.length < arity.inputs[0] || ins.length > arity.inputs[1])) {
      throw new ModelError(`${where} has ${ins.length} inputs; ${n.opType} takes ${countRange(arity.inputs)}`);
    }
    for (const [k, name] of ins.entries()) {
      if (name === '') {
        if (arity && k < arity.inputs[0]) throw new ModelError(`${where}: required input ${k} is empty`);
        continue;
      }
      const from = source.get(name);
      if (from === undefined) throw new ModelError(`${where} reads '${name}', which no node, graph input or initializer produces`);
      if (typeof from !== 'number' || from < i) continue;
      if (from === i) throw new ModelError(`${where} reads its own output '${name}' (a self-loop)`);
      if (reaches(nodes, source, i, from)) {
        throw new ModelError(`${where} reads '${name}' from ${nodeWhere(from, nodes[from]!)}, which depends on it: the graph has a cycle`);
      }
      throw new ModelError(`${where} reads '${name}' before ${nodeWhere(from, nodes[from]!)} produces it (ONNX nodes must be in topological order)`);
    }
  }
  const outputs = new Set<string>();
  for (const [k, v] of (g.output ?? []).entries()) {
    const name = v.name ?? '';
    if (name === '') throw new ModelError(`graph output ${k} has an empty name`);
    if (outputs.has(name)) throw new ModelError(`graph output '${name}' is listed twice`);
    outputs.add(name);
    if (!source.has(name)) throw new ModelError(`graph output '${name}' is produced by no node, graph input or initializer`);
  }
}

/** Whether node `to` depends, through any chain of tensors, on an output of node `from`. */
function reaches(nodes: readonly onnxProto.onnx.INodeProto[], source: ReadonlyMap<string, string | number>, from: number, to: number): boolean {
  const seen = new Set<number>();
  const stack = [to];
  while (stack.length > 0) {
    const j = stack.pop()!;
    if (j === from) return true;
    if (seen.has(j)) continue;
    seen.add(j);
    for (const name of nodes[j]?.input ?? []) {
      const s = source.get(name);
      if (typeof s === 'number') stack.push(s);
    }
  }
  return false;
}
