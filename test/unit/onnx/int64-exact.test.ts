import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { exactOf, int64Tensor, tensor } from '../../../src/ir/index.js';
import type { Graph } from '../../../src/ir/index.js';
import { decodeTensor, encodeTensor, exportModel, fromTensorProto, importModel } from '../../../src/onnx/index.js';

const { onnx } = onnxProto;
const MAX = 2n ** 63n - 1n;
const MIN = -(2n ** 63n);
const BIG = 2n ** 53n + 1n;

describe('int64 TensorProto beyond 2^53', () => {
  it('round-trips 2^63-1, -2^63 and 2^53+1 exactly through raw_data', () => {
    const vals = BigInt64Array.from([MAX, MIN, BIG, -BIG, 5n]);
    const t = int64Tensor([5], vals);
    expect(t.exact).toBeDefined();
    const back = decodeTensor(encodeTensor('x', t), 'x.pb').tensor;
    expect(Array.from(exactOf(back))).toEqual(Array.from(vals));
    expect(Array.from(back.data)).toEqual(Array.from(vals, Number));
  });

  it('decodes int64_data (protobuf Longs) exactly', () => {
    const p = onnx.TensorProto.decode(onnx.TensorProto.encode({ dataType: 7, dims: [3], int64Data: [MAX.toString(), MIN.toString(), BIG.toString()] }).finish());
    expect(Array.from(exactOf(fromTensorProto(p, 'x')))).toEqual([MAX, MIN, BIG]);
  });

  it('adds no companion for values a float64 holds, and encodes them as before', () => {
    const t = int64Tensor([3], BigInt64Array.from([2n ** 53n, -(2n ** 62n), 7n]));
    expect(t.exact).toBeUndefined();
    const plain = tensor('int64', [3], [2 ** 53, -(2 ** 62), 7]);
    expect(encodeTensor('x', t)).toEqual(encodeTensor('x', plain));
    expect(decodeTensor(encodeTensor('x', plain), 'x').tensor.exact).toBeUndefined();
  });

  it('keeps an initializer exact through export, import and JSON (case.json)', () => {
    const graph: Graph = {
      opset: 17,
      inputs: [],
      initializers: [
        { name: 'w', dtype: 'int64', shape: [3], kind: 'weight', data: [Number(MAX), Number(MIN), Number(BIG)], exact: [MAX, MIN, BIG].map(String) },
        { name: 's', dtype: 'int64', shape: [1], kind: 'constant', data: [3] },
      ],
      nodes: [{ op: 'Reshape', name: 'r', inputs: ['w', 's'], outputs: ['y'], attrs: {} }],
      outputs: [{ name: 'y', dtype: 'int64', shape: [3] }],
      valueInfo: [],
    };
    const g = importModel(exportModel(graph)).graph;
    const w = JSON.parse(JSON.stringify(g.initializers[0])) as Graph['initializers'][number];
    expect(w.exact).toEqual([MAX, MIN, BIG].map(String));
  });

  it('says a file that is not a TensorProto is not one, naming it', () => {
    expect(() => decodeTensor(Uint8Array.from([0x78, 0x01]), 'in/x.pb')).toThrow(/^in\/x\.pb: not a valid TensorProto \(it has no element type\)$/);
    expect(() => decodeTensor(Uint8Array.from([0x10, 0x7f]), 'in/x.pb')).toThrow(/in\/x\.pb: not a valid TensorProto \(element type code 127/);
  });
});
