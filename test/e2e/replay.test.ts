import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createBackend } from '../../src/backends/index.js';
import { onnxsmith, onnxsmithAsync } from '../helpers/cli.js';

const corpus = join(import.meta.dirname, '../../corpus');
const cases = readdirSync(corpus).filter((d) => existsSync(join(corpus, d, 'case.json')));

const culpritOf = (c: string): string => (JSON.parse(readFileSync(join(corpus, c, 'case.json'), 'utf8')) as { culprit: string }).culprit;

describe('onnxsmith replay', () => {
  // culprits this machine cannot run (WebGPU without Mesa's lavapipe, which .ci/run installs), with the reason: their
  // cases are skipped outside CI and fail under it
  const missing = new Map<string, string>();
  beforeAll(async () => {
    for (const culprit of new Set(cases.map(culpritOf))) {
      const a = await (await createBackend(culprit)).available();
      if (!a.ok) missing.set(culprit, a.reason);
    }
  }, 120_000);

  // every kept finding is still open upstream for the installed onnxruntime: replay must say it reproduces
  for (const c of cases) {
    it(`${c} still reproduces (exit 1)`, async (ctx) => {
      const why = missing.get(culpritOf(c));
      if (why && !process.env['CI']) return ctx.skip(`${culpritOf(c)} cannot run here: ${why}`);
      const r = await onnxsmithAsync(['replay', join(corpus, c)]);
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stdout).toMatch(/still reproduces/);
    });
  }

  // the standalone repro needs only the culprit's package, which resolves to the installed release: cases whose
  // culprit is another release (ort-node-cpu@1.12.1) are run by the gate tests instead
  for (const c of cases) {
    const meta = JSON.parse(readFileSync(join(corpus, c, 'case.json'), 'utf8')) as { culprit: string; status: string };
    if (meta.culprit.includes('@') || !meta.status.startsWith('open')) continue;
    it(`${c}: repro.mjs fails while the bug is present`, () => {
      expect(existsSync(join(corpus, c, 'report.md'))).toBe(true);
      const r = spawnSync(process.execPath, [join(corpus, c, 'repro.mjs')], { encoding: 'utf8', timeout: 60_000 });
      if (r.signal === null) {
        expect(r.status, r.stdout + r.stderr).toBe(1);
        expect(r.stdout).toContain('BUG PRESENT');
      } else expect(['SIGFPE', 'SIGSEGV', 'SIGABRT', 'SIGILL']).toContain(r.signal);
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
