import { describe, it } from 'vitest';
import { gatherOps } from '../../../generators/ops/gather.js';
import { checkOpContract } from '../../helpers/op-contract.js';

describe('gather contract', () => {
  for (const op of gatherOps) it(op.onnx, async () => checkOpContract(op));
});
