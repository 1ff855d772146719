import { describe, it } from 'vitest';
import { poolOps } from '../../../generators/ops/pool.js';
import { checkOpContract } from '../../helpers/op-contract.js';

// ORT sums windows in float32, the reference in float64
const tol = { rtol: 1e-3, atol: 1e-4 };

describe('pooling contract', () => {
  for (const op of poolOps) it(op.onnx, async () => checkOpContract(op, tol));
});
