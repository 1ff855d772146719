import { describe, it } from 'vitest';
import { normalizationOps } from '../../../generators/ops/normalization.js';
import { checkOpContract } from '../../helpers/op-contract.js';

// ORT computes statistics in float32 (LayerNorm: E[x^2] - E[x]^2), the reference in float64
const tol = { rtol: 1e-3, atol: 1e-4 };

describe('normalization contract', () => {
  for (const op of normalizationOps) it(op.onnx, async () => checkOpContract(op, tol));
});
