/** Broadcasting arithmetic: Add, Sub, Mul, Div, Pow, Mod, Max, Min. */
import type { DType } from '../../src/ir/index.js';
import { NUMERIC_DTYPES, isInt, wrapInt } from '../../src/ir/index.js';
import { binaryOp } from './elementwise.js';

export const Add = binaryOp({ onnx: 'Add', since: 14, dtypes: NUMERIC_DTYPES, fn: (a, b, t) => wrapInt(a + b, t) });

/** Integer division truncates toward zero (C semantics, as ONNX Runtime implements it). */
function divide(a: number, b: number, t: DType): number {
  return isInt(t) ? wrapInt(Math.trunc(a / b), t) : a / b;
}

export const Div = binaryOp({
  onnx: 'Div',
  since: 14,
  dtypes: NUMERIC_DTYPES,
  fn: divide,
  domain: (t) => [{ input: 1, rel: 'abs-ge', value: isInt(t) ? 1 : 1e-3 }],
  freshInputs: (t) => (isInt(t) ? [1] : []),
});

/** This family's operators, in registry order. */
export const binaryArithOps = [Add, Div];
