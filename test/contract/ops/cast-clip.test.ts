import { describe, it } from 'vitest';
import { castClipOps } from '../../../generators/ops/cast-clip.js';
import { checkOpContract } from '../../helpers/op-contract.js';

describe('cast and clip contract', () => {
  for (const op of castClipOps) it(op.onnx, async () => checkOpContract(op));
});
