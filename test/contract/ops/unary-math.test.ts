import { describe, it } from 'vitest';
import { unaryMathOps } from '../../../generators/ops/unary-math.js';
import { checkOpContract } from '../../helpers/op-contract.js';

describe('unary math contract', () => {
  for (const op of unaryMathOps) it(op.onnx, async () => checkOpContract(op));
});
