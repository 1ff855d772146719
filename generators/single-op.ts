/**
 * A graph holding one operator instance: tensor operands become graph inputs, constants become initializers.
 * Used by operator contract tests and by the reducer.
 */
import type * as fc from 'fast-check';
import type { Graph, Initializer, TensorType, ValueInfo } from '../src/ir/index.js';
import { tensorTypeArb } from './arb.js';
import type { BuildContext, InferInput, Instance, OpSpec } from './ops/spec.js';

/** Instances from forward insertion: a random accepted anchor, then the spec's own arbitrary. */
export function forwardArb(spec: OpSpec, ctx: BuildContext): fc.Arbitrary<{ anchor: TensorType; inst: Instance }> {
  return tensorTypeArb(spec.dtypes.filter((d) => ctx.dtypes.includes(d)), spec.ranks[0], spec.ranks[1], ctx.maxElems)
    .filter((t) => spec.accepts?.(t, ctx) ?? true)
    .chain((anchor) => spec.build(anchor, ctx).map((inst) => ({ anchor, inst })));
}

/** Resolves an instance's operands to the types shape inference sees (undefined for absent inputs). */
export function operandTypes(inst: Instance, anchor: TensorType | undefined): (InferInput | undefined)[] {
  return inst.inputs.map((o) => {
    switch (o.kind) {
      case 'anchor':
        if (!anchor) throw new Error('operandTypes: instance has an anchor but none was given');
        return anchor;
      case 'tensor':
        return o.type;
      case 'const':
        return { dtype: o.dtype, shape: o.shape, data: o.data };
      case 'absent':
        return undefined;
    }
  });
}

/** One-node graph for `inst`, or the inference error message. */
export function singleOpGraph(spec: OpSpec, inst: Instance, anchor: TensorType | undefined, opset: number): Graph | string {
  const types = operandTypes(inst, anchor);
  const outs = spec.infer(types, inst.attrs, opset, inst.outputs);
  if (typeof outs === 'string') return outs;
  const inputs: ValueInfo[] = [];
  const initializers: Initializer[] = [];
  const names = inst.inputs.map((o, i) => {
    const name = `in${i}`;
    if (o.kind === 'absent') return '';
    if (o.kind === 'const') initializers.push({ name, dtype: o.dtype, shape: o.shape, kind: 'constant', data: o.data });
    else inputs.push({ name, ...types[i]! });
    return name;
  });
  const outputs = outs.map((t, k) => ({ name: `out${k}`, dtype: t.dtype, shape: t.shape }));
  return {
    opset,
    inputs,
    initializers,
    nodes: [{ op: spec.onnx, name: 'n0', inputs: names, outputs: outputs.map((o) => o.name), attrs: inst.attrs }],
    outputs,
    valueInfo: [],
  };
}
