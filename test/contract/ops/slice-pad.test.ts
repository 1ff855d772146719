import { describe, it } from 'vitest';
import { Pad, Slice } from '../../../generators/ops/slice-pad.js';
import { checkOpContract } from '../../helpers/op-contract.js';

describe('slice/pad contract', () => {
  it('Slice', async () => checkOpContract(Slice, { runs: 100 }));
  // opset 18 adds the axes input
  it('Pad', async () => {
    await checkOpContract(Pad, { runs: 100 });
    await checkOpContract(Pad, { opset: 18, runs: 40 });
  });
});
