/** Where: elementwise select between X and Y by a bool condition, all three broadcast together. */
import type * as tfjs from '@tensorflow/tfjs-core';
import * as fc from 'fast-check';
import type { TensorType } from '../../src/ir/index.js';
import { DTYPES, NUMERIC_DTYPES, broadcastShapes } from '../../src/ir/index.js';
import { allowed } from '../arb.js';
import { broadcastPartnersArb, broadcastSourcesArb } from './binary-arith.js';
import { broadcastMap, tfBroadcast } from './elementwise.js';
import type { Instance, Operand, OpSpec } from './spec.js';
import { defineOp, passRange } from './spec.js';

type Role = 'condition' | 'x' | 'y';

export const Where = defineOp({
  // moves or selects input values: the output stays within their bounds
  range: passRange([1, 2]),
  onnx: 'Where',
  exact: true,
  since: 16,
  // the anchor is X/Y or, when bool, the condition. ORT CPU has no bool X/Y kernel (ONNX allows it):
  // "Could not find an implementation for Where(16)"
  dtypes: DTYPES,
  ranks: [0, 5],
  attributes: {},
  // the condition is bool whatever X and Y are, and a bool anchor can only be the condition
  accepts: (anchor, ctx) => ctx.dtypes.includes('bool') && (anchor.dtype !== 'bool' || allowed(NUMERIC_DTYPES, ctx.dtypes).length > 0),
  build(anchor, ctx) {
    const roles: Role[] = anchor.dtype === 'bool' ? ['condition'] : ['x', 'y'];
    const values = allowed(NUMERIC_DTYPES, ctx.dtypes);
    return fc
      .record({
        role: fc.constantFrom(...roles),
        valueDtype: fc.constantFrom(...(values.length > 0 ? values : NUMERIC_DTYPES)),
        partners: broadcastPartnersArb(anchor.shape, 2, ctx.maxElems),
      })
      .map(({ role, valueDtype, partners }): Instance => {
        const [p0, p1] = partners as [number[], number[]];
        const dtype = role === 'condition' ? valueDtype : anchor.dtype;
        const cond: Operand = { kind: 'tensor', type: { dtype: 'bool', shape: p0 } };
        const val = (shape: number[]): Operand => ({ kind: 'tensor', type: { dtype, shape } });
        const me: Operand = { kind: 'anchor' };
        switch (role) {
          case 'condition':
            return { inputs: [me, val(p0), val(p1)], attrs: {} };
          case 'x':
            return { inputs: [cond, me, val(p1)], attrs: {} };
          case 'y':
            return { inputs: [cond, val(p1), me], attrs: {} };
        }
      });
  },
  backward(out, ctx) {
    if (!ctx.dtypes.includes('bool') || !NUMERIC_DTYPES.includes(out.dtype)) return undefined;
    return broadcastSourcesArb(out.shape, 3).map(([c, x, y]) => ({
      inputs: [
        { kind: 'tensor', type: { dtype: 'bool', shape: c! } },
        { kind: 'tensor', type: { dtype: out.dtype, shape: x! } },
        { kind: 'tensor', type: { dtype: out.dtype, shape: y! } },
      ],
      attrs: {},
    }));
  },
  infer(inputs) {
    const [c, x, y] = inputs;
    if (!c || !x || !y) return 'Where: needs condition, X and Y';
    if (c.dtype !== 'bool') return `Where: condition must be bool, got ${c.dtype}`;
    if (x.dtype !== y.dtype) return `Where: X and Y dtypes differ (${x.dtype} vs ${y.dtype})`;
    const shape = broadcastShapes(...[c, x, y].map((t: TensorType) => t.shape));
    if (!shape) return `Where: shapes [${c.shape.join(',')}] [${x.shape.join(',')}] [${y.shape.join(',')}] do not broadcast`;
    return [{ dtype: x.dtype, shape }];
  },
  reference(inputs) {
    const [c, x, y] = [inputs[0]!, inputs[1]!, inputs[2]!];
    return [broadcastMap([c, x, y], x.dtype, (v) => (v[0] !== 0 ? v[1]! : v[2]!))];
  },
  tfjs: {
    // all three are broadcast to the output shape first: tf.where's own broadcasting is not relied on
    lower(tf, inputs, _attrs, ctx) {
      const shape = [...ctx.outputTypes[0]!.shape];
      const [c, x, y] = inputs.map((t) => tfBroadcast(tf, t!, shape)) as [tfjs.Tensor, tfjs.Tensor, tfjs.Tensor];
      return [tf.where(c, x, y)];
    },
  },
});

/** This family's operators, in registry order. */
export const whereOps: readonly OpSpec[] = [Where];
