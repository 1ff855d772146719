import { describe, it } from 'vitest';
import { Resize } from '../../../generators/ops/resize.js';
import { checkOpContract } from '../../helpers/op-contract.js';

describe('resize contract', () => {
  // opset 18 adds the axes attribute
  it('Resize', async () => {
    await checkOpContract(Resize, { runs: 150 });
    await checkOpContract(Resize, { opset: 18, runs: 60 });
  });
});
