import { describe, it } from 'vitest';
import { reshapeOps } from '../../../generators/ops/reshape.js';
import { checkOpContract } from '../../helpers/op-contract.js';

describe('reshape family contract', () => {
  for (const op of reshapeOps) it(op.onnx, async () => checkOpContract(op));
});
