import { describe, it } from 'vitest';
import { transposeOps } from '../../../generators/ops/transpose.js';
import { checkOpContract } from '../../helpers/op-contract.js';

describe('transpose contract', () => {
  for (const op of transposeOps) it(op.onnx, async () => checkOpContract(op));
});
