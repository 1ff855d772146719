import { describe, it } from 'vitest';
import { expandTileOps } from '../../../generators/ops/expand-tile.js';
import { checkOpContract } from '../../helpers/op-contract.js';

describe('expand/tile contract', () => {
  for (const op of expandTileOps) it(op.onnx, async () => checkOpContract(op));
});
