import { readFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import type { AttrValue, Attrs, Graph, Initializer, Node, ValueInfo } from '../ir/index.js';
import { ModelError } from './errors.js';
import { dtypeFromOnnx, fromTensorProto } from './tensor-proto.js';
import { checkElementCount, checkExternalData, checkGraph, checkOpset, DEFAULT_MAX_ELEMS, nodeWhere } from './validate.js';

const { onnx } = onnxProto;
const AT = onnx.AttributeProto.AttributeType;

function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v && typeof v === 'object' && 'toNumber' in v) return (v as { toNumber(): number }).toNumber();
  return Number(v);
}

function decodeAttr(a: onnxProto.onnx.IAttributeProto, where: string): AttrValue {
  const text = (b: Uint8Array | null | undefined): string => new TextDecoder().decode(b ?? new Uint8Array());
  switch (a.type) {
    case AT.INT:
      return num(a.i ?? 0);
    case AT.FLOAT:
      return a.f ?? 0;
    case AT.STRING:
      return text(a.s);
    case AT.INTS:
      return (a.ints ?? []).map(num);
    case AT.FLOATS:
      return [...(a.floats ?? [])];
    case AT.STRINGS:
      return (a.strings ?? []).map(text);
    default: {
      const t = (AT as unknown as Record<number, string>)[a.type ?? 0] ?? String(a.type);
      throw new ModelError(`${where}: attribute '${a.name}' has type ${t}, which onnxsmith does not support`);
    }
  }
}

function valueInfo(v: onnxProto.onnx.IValueInfoProto, what: string): ValueInfo {
  const name = v.name ?? '';
  const tt = v.type?.tensorType;
  if (!tt) throw new ModelError(`${what} '${name}' is not a tensor (sequences, maps and optionals are not supported)`);
  const dtype = dtypeFromOnnx(tt.elemType ?? 0, `${what} '${name}'`);
  // unknown or symbolic dims become -1: imported graphs take their concrete shapes from the data they run on
  const shape = (tt.shape?.dim ?? []).map((d) => (d.dimValue !== undefined && d.dimValue !== null ? num(d.dimValue) : -1));
  if (shape.some((d) => !Number.isSafeInteger(d) || d < -1)) throw new ModelError(`${what} '${name}': bad dims [${shape.join(',')}]`);
  return { name, dtype, shape };
}

/** A model read from ONNX bytes. */
export interface ImportedModel {
  readonly graph: Graph;
  readonly producer: string;
}

export interface ImportOptions {
  /** Where the model file is: external data is then also checked for symlinks leaving its folder. */
  readonly path?: string;
  /** Largest element count of one initializer, and of all of them together (default DEFAULT_MAX_ELEMS). */
  readonly maxElems?: number;
}

function dims(raw: readonly unknown[] | null | undefined, what: string): number[] {
  const shape = (raw ?? []).map(num);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new ModelError(`${what}: bad dims [${shape.join(',')}]`);
  return shape;
}

/** A dense initializer from a SparseTensorProto (values [NNZ], indices [NNZ] linear or [NNZ, rank]). */
function sparseInitializer(s: onnxProto.onnx.ISparseTensorProto, maxElems: number): Initializer {
  const name = s.values?.name ?? '';
  const what = `sparse initializer '${name}'`;
  if (!s.values || !s.indices) throw new ModelError(`${what}: values or indices missing`);
  const shape = dims(s.dims, what);
  checkElementCount(what, shape, maxElems);
  checkElementCount(`${what} values`, dims(s.values.dims, `${what} values`), maxElems);
  checkElementCount(`${what} indices`, dims(s.indices.dims, `${what} indices`), maxElems);
  const values = fromTensorProto(s.values, `${what} values`);
  const indices = fromTensorProto(s.indices, `${what} indices`);
  const nnz = values.shape[0] ?? 0;
  if (values.shape.length !== 1) throw new ModelError(`${what}: values have shape [${values.shape.join(',')}], expected one dimension`);
  if (indices.dtype !== 'int64') throw new ModelError(`${what}: indices are ${indices.dtype}, expected int64`);
  const linear = indices.shape.length === 1 && indices.shape[0] === nnz;
  if (!linear && !(indices.shape.length === 2 && indices.shape[0] === nnz && indices.shape[1] === shape.length)) {
    throw new ModelError(`${what}: indices have shape [${indices.shape.join(',')}], expected [${nnz}] or [${nnz},${shape.length}]`);
  }
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Array<number>(size).fill(0);
  for (let k = 0; k < nnz; k++) {
    let at = 0;
    if (linear) at = indices.data[k]!;
    else for (let d = 0; d < shape.length; d++) {
      const v = indices.data[k * shape.length + d]!;
      if (v < 0 || v >= shape[d]!) { at = -1; break; }
      at = at * shape[d]! + v;
    }
    if (!(at >= 0 && at < size)) throw new ModelError(`${what}: index ${k} is outside shape [${shape.join(',')}]`);
    data[at] = values.data[k]!;
  }
  return { name, dtype: values.dtype, shape, kind: 'weight', data };
}

/**
 * Reads a model file that backends will be given, refusing one whose external data leaves its folder: a case
 * folder may carry a graph in case.json beside a model.onnx that points elsewhere.
 */
export function readModelFile(path: string): Uint8Array {
  const bytes = readFileSync(path);
  let m: onnxProto.onnx.ModelProto;
  try {
    m = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new ModelError(`${path}: not a valid ONNX model: ${(e as Error).message}`);
  }
  checkExternalData(m, bytes, path);
  return bytes;
}

/**
 * Reads ONNX model bytes into the IR. Throws ModelError, naming the problem, for malformed bytes, external data
 * leaving the model's folder, an unknown opset, malformed graphs (validate.ts), unsupported element types,
 * non-default operator domains, subgraphs and external data, and initializers over the element limit.
 */
export function importModel(bytes: Uint8Array, opts: ImportOptions = {}): ImportedModel {
  const maxElems = opts.maxElems ?? DEFAULT_MAX_ELEMS;
  let m: onnxProto.onnx.ModelProto;
  try {
    m = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new ModelError(`not a valid ONNX model: ${(e as Error).message}`);
  }
  // first, before any tensor is read: backends given this file would read what it points to
  checkExternalData(m, bytes, opts.path);
  const g = m.graph;
  if (!g || (g.node ?? []).length === 0 && (g.output ?? []).length === 0) {
    throw new ModelError('not a valid ONNX model: it has no graph');
  }
  const opset = checkOpset(m);
  checkGraph(g);

  let total = 0;
  const initializers: Initializer[] = [];
  for (const t of g.initializer ?? []) {
    const what = `initializer '${t.name ?? ''}'`;
    const shape = dims(t.dims, what);
    checkElementCount(what, shape, maxElems);
    total += shape.reduce((a, b) => a * b, 1);
    if (total > maxElems) throw new ModelError(`the initializers hold more than ${maxElems} elements together (run --max-elems N)`);
    const ten = fromTensorProto(t, what);
    // int64 beyond 2^53 keeps its exact values, as decimal strings (JSON-safe in case.json)
    const exact = ten.exact ? { exact: Array.from(ten.exact, String) } : {};
    initializers.push({ name: t.name ?? '', dtype: ten.dtype, shape: ten.shape, kind: 'weight', data: Array.from(ten.data), ...exact });
  }
  for (const s of g.sparseInitializer ?? []) {
    const init = sparseInitializer(s, maxElems);
    total += init.data.length;
    if (total > maxElems) throw new ModelError(`the initializers hold more than ${maxElems} elements together (run --max-elems N)`);
    initializers.push(init);
  }
  const initNames = new Set(initializers.map((i) => i.name));
  const nodes: Node[] = (g.node ?? []).map((n, i) => {
    const where = nodeWhere(i, n);
    if (n.domain && n.domain !== 'ai.onnx') throw new ModelError(`${where}: operator domain '${n.domain}' is not supported`);
    const attrs: Record<string, AttrValue> = {};
    for (const a of n.attribute ?? []) {
      if (Object.hasOwn(attrs, a.name ?? '')) throw new ModelError(`${where}: attribute '${a.name}' is given twice`);
      attrs[a.name ?? ''] = decodeAttr(a, where);
    }
    return { op: n.opType ?? '', name: n.name || `n${i}`, inputs: [...(n.input ?? [])], outputs: [...(n.output ?? [])], attrs: attrs as Attrs };
  });
  return {
    producer: m.producerName ?? '',
    graph: {
      opset,
      // ONNX lets initializers also appear as inputs (overridable defaults); they are weights here
      inputs: (g.input ?? []).filter((v) => !initNames.has(v.name ?? '')).map((v) => valueInfo(v, 'input')),
      initializers,
      nodes,
      outputs: (g.output ?? []).map((v) => valueInfo(v, 'output')),
      valueInfo: (g.valueInfo ?? []).flatMap((v) => {
        try {
          return [valueInfo(v, 'value')];
        } catch {
          return [];
        }
      }),
    },
  };
}
