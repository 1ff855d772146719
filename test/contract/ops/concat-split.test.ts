import { describe, it } from 'vitest';
import { Concat, Split } from '../../../generators/ops/concat-split.js';
import { checkOpContract } from '../../helpers/op-contract.js';

describe('concat/split contract', () => {
  it('Concat', async () => checkOpContract(Concat));
  // opset 18 adds the num_outputs form
  it('Split', async () => {
    await checkOpContract(Split);
    await checkOpContract(Split, { opset: 18, runs: 40 });
  });
});
