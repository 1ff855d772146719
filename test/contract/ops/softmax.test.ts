import { describe, it } from 'vitest';
import { softmaxOps } from '../../../generators/ops/softmax.js';
import { checkOpContract } from '../../helpers/op-contract.js';

describe('softmax contract', () => {
  for (const op of softmaxOps) it(op.onnx, async () => checkOpContract(op));
});
