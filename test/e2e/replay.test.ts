import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { onnxsmith } from '../helpers/cli.js';

const corpus = join(import.meta.dirname, '../../corpus');
const cases = readdirSync(corpus).filter((d) => existsSync(join(corpus, d, 'case.json')));

describe('onnxsmith replay', () => {
  // every kept finding is still open upstream for the installed onnxruntime: replay must say it reproduces
  for (const c of cases) {
    it(`${c} still reproduces (exit 1)`, () => {
      const r = onnxsmith(['replay', join(corpus, c)]);
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stdout).toMatch(/still reproduces/);
    });
  }

  it('exits 0 when the culprit is not among the backends run', () => {
    const r = onnxsmith(['replay', join(corpus, 'ort-quickgelu-fusion-float64'), '--backends', 'ort-node-cpu-noopt']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/no longer reproduces/);
  });

  it('rejects a folder that is not a case with exit 2', () => {
    const r = onnxsmith(['replay', corpus]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a case folder/);
  });
});
