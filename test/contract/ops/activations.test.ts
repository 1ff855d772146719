import { describe, it } from 'vitest';
import { activationOps } from '../../../generators/ops/activations.js';
import { checkOpContract } from '../../helpers/op-contract.js';

describe('activations contract', () => {
  for (const op of activationOps) it(op.onnx, async () => checkOpContract(op));
});
