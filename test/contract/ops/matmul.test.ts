import { describe, it } from 'vitest';
import { matmulOps } from '../../../generators/ops/matmul.js';
import { checkOpContract } from '../../helpers/op-contract.js';

describe('MatMul and Gemm contract', () => {
  for (const op of matmulOps) it(op.onnx, async () => checkOpContract(op));
});
