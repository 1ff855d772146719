/** Elementwise unary math: Abs, Neg, Exp, Log, Sqrt, ... (one tight family built on `unaryOp`). */
import { FLOAT_DTYPES, NUMERIC_DTYPES } from '../../src/ir/index.js';
import { unaryOp } from './elementwise.js';

export const Abs = unaryOp({ onnx: 'Abs', since: 13, dtypes: NUMERIC_DTYPES, fn: (x) => Math.abs(x) });

export const Log = unaryOp({
  onnx: 'Log',
  since: 13,
  dtypes: FLOAT_DTYPES,
  fn: (x) => Math.log(x),
  domain: () => [{ input: 0, rel: 'gt', value: 0 }],
});

/** This family's operators, in registry order. */
export const unaryMathOps = [Abs, Log];
