import { describe, it } from 'vitest';
import { compareLogicOps } from '../../../generators/ops/compare-logic.js';
import { defineOp } from '../../../generators/ops/spec.js';
import { checkOpContract } from '../../helpers/op-contract.js';

describe('comparison and logic contract', () => {
  for (const op of compareLogicOps) it(op.onnx, async () => checkOpContract(op));
});

// checkOpContract draws backward targets from the op's input dtypes, which for the ordering comparisons never
// include bool: run their backward instances as the forward build for bool anchors instead
describe('comparison backward from bool outputs', () => {
  for (const op of compareLogicOps.filter((o) => !o.dtypes.includes('bool'))) {
    it(op.onnx, async () =>
      checkOpContract(defineOp({ ...op, dtypes: ['bool'], build: (anchor, ctx) => op.backward!(anchor, ctx)! }), { runs: 30 }),
    );
  }
});
