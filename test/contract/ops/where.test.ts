import { describe, it } from 'vitest';
import { whereOps } from '../../../generators/ops/where.js';
import { checkOpContract } from '../../helpers/op-contract.js';

describe('Where contract', () => {
  for (const op of whereOps) it(op.onnx, async () => checkOpContract(op));
});
