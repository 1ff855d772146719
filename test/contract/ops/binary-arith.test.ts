import { describe, it } from 'vitest';
import { binaryArithOps } from '../../../generators/ops/binary-arith.js';
import { checkOpContract } from '../../helpers/op-contract.js';

describe('binary arithmetic contract', () => {
  for (const op of binaryArithOps) it(op.onnx, async () => checkOpContract(op));
});
