/** Hand-built ONNX models for bad-input tests (things the generator never makes). */
import onnxProto from 'onnx-proto';
import { generateGraph } from '../../generators/graph.js';
import type { Graph } from '../../src/ir/index.js';
import { exportModel } from '../../src/onnx/index.js';

const { onnx } = onnxProto;

function vi(name: string) {
  return { name, type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 2 }, { dimValue: 3 }] } } } };
}

/** A model whose single node is an operator nobody knows. */
export function unknownOpModel(op = 'NotAnOperator'): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: { name: 'g', node: [{ opType: op, input: ['x'], output: ['y'] }], input: [vi('x')], output: [vi('y')] },
  }).finish();
}

/** A model whose weight points at a file outside its folder (external data). */
export function externalDataModel(location = '../../../etc/passwd'): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'g',
      node: [{ opType: 'Add', input: ['x', 'w'], output: ['y'] }],
      input: [vi('x')],
      output: [vi('y')],
      initializer: [
        { name: 'w', dataType: 1, dims: [2, 3], dataLocation: onnx.TensorProto.DataLocation.EXTERNAL, externalData: [{ key: 'location', value: location }] },
      ],
    },
  }).finish();
}

/** A float32 graph holding `op` among Add nodes (the generator restricted to those operators). */
export function graphWith(ops: readonly string[], seed = 1, nodes = 6): Graph {
  for (let s = seed; s < seed + 200; s++) {
    const g = generateGraph(s, { include: [...ops], dtypes: ['float32'], nodes });
    if (ops.every((o) => g.nodes.some((n) => n.op === o))) return g;
  }
  throw new Error(`no graph with ${ops.join(', ')}`);
}

export function modelWith(ops: readonly string[], seed = 1): Uint8Array {
  return exportModel(graphWith(ops, seed));
}
