import { describe, it } from 'vitest';
import { reduceOps } from '../../../generators/ops/reduce.js';
import { checkOpContract } from '../../helpers/op-contract.js';

// opset 17 writes axes as an attribute (ReduceSum: an input); opset 18 moves every reduction to the input form
describe('reduction contract', () => {
  for (const op of reduceOps) {
    it(op.onnx, async () => {
      await checkOpContract(op, { opset: 17 });
      await checkOpContract(op, { opset: 18, runs: 40, seed: 18 });
    });
  }
});
