import { describe, it } from 'vitest';
import { convOps } from '../../../generators/ops/conv.js';
import { checkOpContract } from '../../helpers/op-contract.js';

// ORT accumulates in float32 (and may reorder sums), the reference in float64
const tol = { rtol: 1e-3, atol: 1e-4 };

describe('convolution contract', () => {
  for (const op of convOps) it(op.onnx, async () => checkOpContract(op, tol));
});
