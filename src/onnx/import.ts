import onnxProto from 'onnx-proto';
import type { AttrValue, Attrs, Graph, Initializer, Node, ValueInfo } from '../ir/index.js';
import { ModelError } from './errors.js';
import { dtypeFromOnnx, fromTensorProto } from './tensor-proto.js';

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
  return { name, dtype, shape };
}

/** A model read from ONNX bytes. */
export interface ImportedModel {
  readonly graph: Graph;
  readonly producer: string;
}

/**
 * Reads ONNX model bytes into the IR. Throws ModelError, naming the problem, for malformed bytes,
 * unsupported element types, non-default operator domains, subgraphs and external data.
 */
export function importModel(bytes: Uint8Array): ImportedModel {
  let m: onnxProto.onnx.ModelProto;
  try {
    m = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new ModelError(`not a valid ONNX model: ${(e as Error).message}`);
  }
  const g = m.graph;
  if (!g || (g.node ?? []).length === 0 && (g.output ?? []).length === 0) {
    throw new ModelError('not a valid ONNX model: it has no graph');
  }
  const opsetEntry = (m.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  if (!opsetEntry) throw new ModelError('model imports no default-domain opset');
  const opset = num(opsetEntry.version ?? 0);

  const initializers: Initializer[] = (g.initializer ?? []).map((t) => {
    const ten = fromTensorProto(t, `initializer '${t.name}'`);
    // int64 beyond 2^53 keeps its exact values, as decimal strings (JSON-safe in case.json)
    const exact = ten.exact ? { exact: Array.from(ten.exact, String) } : {};
    return { name: t.name ?? '', dtype: ten.dtype, shape: ten.shape, kind: 'weight', data: Array.from(ten.data), ...exact };
  });
  const initNames = new Set(initializers.map((i) => i.name));
  const nodes: Node[] = (g.node ?? []).map((n, i) => {
    const where = `node ${i} (${n.opType ?? '?'}${n.name ? ` '${n.name}'` : ''})`;
    if (n.domain && n.domain !== 'ai.onnx') throw new ModelError(`${where}: operator domain '${n.domain}' is not supported`);
    const attrs: Record<string, AttrValue> = {};
    for (const a of n.attribute ?? []) attrs[a.name ?? ''] = decodeAttr(a, where);
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
