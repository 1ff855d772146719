/** Comparisons (Equal, Greater, Less, GreaterOrEqual, LessOrEqual) and boolean logic (And, Or, Xor, Not). */
import type * as tfjs from '@tensorflow/tfjs-core';
import * as fc from 'fast-check';
import type { DType } from '../../src/ir/index.js';
import { DTYPES, NUMERIC_DTYPES } from '../../src/ir/index.js';
import { allowed, broadcastPartnerArb } from '../arb.js';
import { broadcastSourcesArb } from './binary-arith.js';
import { binaryOp, unaryOp } from './elementwise.js';
import type { OpSpec } from './spec.js';
import { defineOp } from './spec.js';

type TfPredicate = (tf: typeof tfjs, a: tfjs.Tensor, b: tfjs.Tensor) => tfjs.Tensor;

/**
 * A broadcasting predicate: bool out, inputs of any of `dtypes`. Built on `binaryOp` (inference, reference),
 * with its own insertion: forward draws the partner shape against the anchor, and backward picks the input
 * element type from those the context allows, since nothing in a bool output fixes it. `tfFn` is the tfjs op,
 * which broadcasts like ONNX and gives bool.
 */
function predicate(onnx: string, since: number, dtypes: readonly DType[], fn: (a: number, b: number) => boolean, tfFn: TfPredicate): OpSpec {
  const base = binaryOp({
    onnx,
    since,
    dtypes,
    outDtype: 'bool',
    fn: (a, b) => (fn(a, b) ? 1 : 0),
    tfjs: { lower: (tf, inputs) => [tfFn(tf, inputs[0]!, inputs[1]!)] },
  });
  return defineOp({
    ...base,
    // the output is bool: a graph that must avoid bool has no place for a predicate
    accepts: (_anchor, ctx) => ctx.dtypes.includes('bool'),
    build(anchor, ctx) {
      return fc.record({ partner: broadcastPartnerArb(anchor.shape, ctx.maxElems), anchorFirst: fc.boolean() }).map(({ partner, anchorFirst }) => {
        const other = { kind: 'tensor' as const, type: { dtype: anchor.dtype, shape: partner } };
        return { inputs: anchorFirst ? [{ kind: 'anchor' as const }, other] : [other, { kind: 'anchor' as const }], attrs: {} };
      });
    },
    backward(out, ctx) {
      const ins = allowed(dtypes, ctx.dtypes);
      if (out.dtype !== 'bool' || ins.length === 0) return undefined;
      return fc.record({ dtype: fc.constantFrom(...ins), shapes: broadcastSourcesArb(out.shape, 2) }).map(({ dtype, shapes }) => ({
        inputs: shapes.map((shape) => ({ kind: 'tensor' as const, type: { dtype, shape } })),
        attrs: {},
      }));
    },
  });
}

// ORT CPU's Equal has bool, int32, int64, float and double kernels; ordering comparisons have no bool kernel
export const Equal = predicate('Equal', 13, DTYPES, (a, b) => a === b, (tf, a, b) => tf.equal(a, b));
export const Greater = predicate('Greater', 13, NUMERIC_DTYPES, (a, b) => a > b, (tf, a, b) => tf.greater(a, b));
export const Less = predicate('Less', 13, NUMERIC_DTYPES, (a, b) => a < b, (tf, a, b) => tf.less(a, b));
export const GreaterOrEqual = predicate('GreaterOrEqual', 16, NUMERIC_DTYPES, (a, b) => a >= b, (tf, a, b) => tf.greaterEqual(a, b));
export const LessOrEqual = predicate('LessOrEqual', 16, NUMERIC_DTYPES, (a, b) => a <= b, (tf, a, b) => tf.lessEqual(a, b));

export const And = predicate('And', 7, ['bool'], (a, b) => a !== 0 && b !== 0, (tf, a, b) => tf.logicalAnd(a, b));
export const Or = predicate('Or', 7, ['bool'], (a, b) => a !== 0 || b !== 0, (tf, a, b) => tf.logicalOr(a, b));
export const Xor = predicate('Xor', 7, ['bool'], (a, b) => a !== 0 !== (b !== 0), (tf, a, b) => tf.logicalXor(a, b));
export const Not = unaryOp({
  onnx: 'Not',
  since: 1,
  dtypes: ['bool'],
  fn: (x) => (x !== 0 ? 0 : 1),
  tfjs: { lower: (tf, inputs) => [tf.logicalNot(inputs[0]!)] },
});

/** This family's operators, in registry order. */
export const compareLogicOps: readonly OpSpec[] = [Equal, Greater, Less, GreaterOrEqual, LessOrEqual, And, Or, Xor, Not];
