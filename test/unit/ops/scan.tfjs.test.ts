/**
 * CumSum and Trilu lowered to tfjs: exclusive/reverse, every k form and bool data included.
 * Forward and backward instances on tfjs-cpu and tfjs-wasm (the backend contract samples only 4 forward ones);
 * float64 left out (tfjs has none). TFJS_RUNS=n samples more.
 */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tensorTypeArb } from '../../../generators/arb.js';
import { scanOps } from '../../../generators/ops/scan.js';
import type { BuildContext, Instance, OpSpec } from '../../../generators/ops/spec.js';
import { forwardArb, singleOpGraph } from '../../../generators/single-op.js';
import { createBackend } from '../../../src/backends/index.js';
import { checkGraph } from '../../../src/conformance/contract.js';
import type { DType, TensorType } from '../../../src/ir/index.js';

const RUNS = Number(process.env.TFJS_RUNS ?? 20);
const OPSETS = [17];
const DTYPES: DType[] = ['float32', 'int32', 'int64', 'bool'];

/** Forward and backward one-node instances of `spec` without float64. */
function instances(spec: OpSpec, ctx: BuildContext, seed: number): { anchor?: TensorType; inst: Instance }[] {
  const fwd = fc.sample(forwardArb(spec, ctx), { seed, numRuns: RUNS * 3 }).filter((s) => s.anchor.dtype !== 'float64');
  const bwdArb = tensorTypeArb(DTYPES, 0, 4, ctx.maxElems).chain((out) => spec.backward?.(out, ctx) ?? fc.constant(undefined));
  const bwd = fc.sample(bwdArb, { seed: seed + 1, numRuns: RUNS * 2 }).flatMap((inst) => (inst ? [{ inst }] : []));
  return [...fwd.slice(0, RUNS), ...bwd.slice(0, RUNS)];
}

for (const name of ['tfjs-cpu', 'tfjs-wasm']) {
  describe(`scan on ${name}`, () => {
    for (const spec of scanOps) {
      it(spec.onnx, async () => {
        const backend = await createBackend(name);
        const a = await backend.available();
        expect(a.ok, a.ok ? '' : a.reason).toBe(true);
        let compared = 0;
        const failures: string[] = [];
        for (const opset of OPSETS) {
          const ctx = { opset, maxElems: 128, dtypes: DTYPES };
          for (const [i, { anchor, inst }] of instances(spec, ctx, opset).entries()) {
            const g = singleOpGraph(spec, inst, anchor, opset);
            if (typeof g === 'string') throw new Error(`${spec.onnx}: invalid instance: ${g}`);
            if (g.inputs.some((t) => t.dtype === 'float64')) continue;
            const r = await checkGraph(backend, g, i);
            const consts = g.initializers.map((c) => JSON.stringify(c.data)).join(' ');
            if (r.status === 'fail') failures.push(`opset ${opset}: ${r.why} constants=${consts}`);
            else if (r.status === 'pass') compared++;
          }
        }
        expect(failures).toEqual([]);
        expect(compared).toBeGreaterThan(RUNS * OPSETS.length);
      }, 120_000);
    }
  });
}
