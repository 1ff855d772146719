import { describe, it } from 'vitest';
import { scanOps } from '../../../generators/ops/scan.js';
import { checkOpContract } from '../../helpers/op-contract.js';

describe('scan-and-triangle contract', () => {
  for (const op of scanOps) it(op.onnx, async () => checkOpContract(op));
});
