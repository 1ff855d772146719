import { describe, it } from 'vitest';
import { argOps } from '../../../generators/ops/arg.js';
import { checkOpContract } from '../../helpers/op-contract.js';

describe('arg-extreme contract', () => {
  for (const op of argOps) it(op.onnx, async () => checkOpContract(op));
});
