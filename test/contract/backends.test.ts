/**
 * One contract suite, run against every backend (src/conformance/contract.ts): each operator's one-node models
 * and a set of generated graphs must match the float64 reference. Per-backend exclusions are data with reasons
 * (src/backends/exclusions.ts), and an excluded operator must still fail there. Backends in CI_BACKENDS must be
 * available under CI. CONTRACT_BACKENDS=a,b picks others (e.g. ort-node-cuda on a GPU machine).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { OPS } from '../../generators/ops/index.js';
import { createBackend } from '../../src/backends/index.js';
import { CI_BACKENDS, exclusionsFor } from '../../src/backends/exclusions.js';
import type { Backend } from '../../src/backends/types.js';
import { checkExactOverOne, checkGeneratedGraphs, checkOperator } from '../../src/conformance/contract.js';

const BACKENDS = process.env.CONTRACT_BACKENDS?.split(',') ?? [...CI_BACKENDS.filter((b) => b !== 'reference'), 'tfjs-cpu', 'tfjs-wasm'];
const PER_OP = Number(process.env.CONTRACT_PER_OP ?? 4);
const GRAPHS = Number(process.env.CONTRACT_GRAPHS ?? 10);
// CONTRACT_OPS=Conv,MaxPool narrows the per-operator checks while writing a lowering
const ONLY = process.env.CONTRACT_OPS?.split(',');

for (const name of BACKENDS) {
  describe(`backend contract: ${name}`, () => {
    let backend: Backend | undefined;
    let why = '';
    beforeAll(async () => {
      const b = await createBackend(name);
      const a = await b.available();
      if (a.ok) backend = b;
      else why = a.reason;
    }, 120_000);

    it('is available (required under CI for the backends this machine can run)', () => {
      if (process.env.CI && CI_BACKENDS.includes(name)) expect(why).toBe('');
    });

    const excluded = new Map(exclusionsFor(name).map((e) => [e.op, e.reason]));
    for (const spec of OPS.filter((o) => !ONLY || ONLY.includes(o.onnx))) {
      const reason = excluded.get(spec.onnx);
      it(`${spec.onnx}${reason ? ` (excluded: ${reason})` : ''}`, async (ctx) => {
        if (!backend) return ctx.skip(why);
        const { failures } = await checkOperator(backend, spec, PER_OP);
        if (reason) expect(failures.length, `${spec.onnx} passes on ${name} now: remove its exclusion`).toBeGreaterThan(0);
        else expect(failures).toEqual([]);
      }, 120_000);
    }

    it('computes Softmax, LogSoftmax and LayerNormalization over lanes of one element exactly (the stability check relies on it)', async (ctx) => {
      if (!backend) return ctx.skip(why);
      expect(await checkExactOverOne(backend)).toEqual([]);
    }, 60_000);

    it(`runs ${GRAPHS} generated 10-node graphs like the reference`, async (ctx) => {
      if (!backend) return ctx.skip(why);
      const { failures, compared } = await checkGeneratedGraphs(backend, GRAPHS, [...excluded.keys()]);
      expect(failures).toEqual([]);
      expect(compared).toBe(GRAPHS);
    }, 300_000);
  });
}
