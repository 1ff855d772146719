import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCase } from '../../../src/campaign/case.js';
import { recordTfjs } from '../../../src/triage/tfjs-trace.js';

describe('recording the tfjs calls of a lowering', () => {
  it('records the forward calls of a lowering with its own gradient (3-D ConvTranspose uses tf.customGrad)', async () => {
    const dir = join(import.meta.dirname, '..', '..', '..', 'corpus', 'tfjs-wasm-conv3d-transpose');
    const c = readCase(dir);
    const script = await recordTfjs(c.meta.graph!, c.feeds);
    expect(script).toMatch(/conv3dTranspose/);
    expect(script).not.toMatch(/customGrad/);
    // the corpus case's repro.mjs holds the same calls
    expect(readFileSync(join(dir, 'repro.mjs'), 'utf8')).toMatch(/conv3dTranspose/);
  });
});
