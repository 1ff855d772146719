import onnxProto from 'onnx-proto';
import { findOp } from '../../generators/ops/index.js';
import type { AttrKind } from '../../generators/ops/spec.js';
import type { AttrValue, Graph, ValueInfo } from '../ir/index.js';
import { DTYPE_TO_ONNX, toTensorProto } from './tensor-proto.js';
import { IR_VERSION } from './opset.js';

const { onnx } = onnxProto;
const AT = onnx.AttributeProto.AttributeType;

function valueInfo(v: ValueInfo): onnxProto.onnx.IValueInfoProto {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: DTYPE_TO_ONNX[v.dtype],
        shape: { dim: v.shape.map((d) => ({ dimValue: d })) },
      },
    },
  };
}

function attribute(name: string, kind: AttrKind, value: AttrValue): onnxProto.onnx.IAttributeProto {
  switch (kind) {
    case 'int':
      return { name, type: AT.INT, i: value as number };
    case 'float':
      return { name, type: AT.FLOAT, f: value as number };
    case 'string':
      return { name, type: AT.STRING, s: new TextEncoder().encode(value as string) };
    case 'ints':
      return { name, type: AT.INTS, ints: [...(value as number[])] };
    case 'floats':
      return { name, type: AT.FLOATS, floats: [...(value as number[])] };
    case 'strings':
      return { name, type: AT.STRINGS, strings: (value as string[]).map((s) => new TextEncoder().encode(s)) };
  }
}

/** The ModelProto message for a graph; attributes are encoded by each operator's declared schema. */
export function toModelProto(graph: Graph, graphName = 'onnxsmith'): onnxProto.onnx.IModelProto {
  const nodes = graph.nodes.map((n) => {
    const spec = findOp(n.op);
    if (!spec) throw new Error(`export: operator '${n.op}' has no spec, so its attribute types are unknown`);
    const attribute_ = Object.keys(n.attrs)
      .sort()
      .map((k) => {
        const schema = spec.attributes[k];
        if (!schema) throw new Error(`export: ${n.op} has no attribute '${k}' (known: ${Object.keys(spec.attributes).join(', ') || 'none'})`);
        return attribute(k, schema.type, n.attrs[k]!);
      });
    return { opType: n.op, name: n.name, input: [...n.inputs], output: [...n.outputs], attribute: attribute_, domain: '' };
  });
  return {
    irVersion: IR_VERSION,
    producerName: 'onnxsmith',
    opsetImport: [{ domain: '', version: graph.opset }],
    graph: {
      name: graphName,
      node: nodes,
      input: graph.inputs.map(valueInfo),
      initializer: graph.initializers.map((i) => toTensorProto(i.name, i.dtype, i.shape, i.data, i.exact)),
      output: graph.outputs.map(valueInfo),
      valueInfo: graph.valueInfo.map(valueInfo),
    },
  };
}

/** Serialised ONNX model bytes; deterministic for a given graph. */
export function exportModel(graph: Graph, graphName?: string): Uint8Array {
  return onnx.ModelProto.encode(toModelProto(graph, graphName)).finish();
}
