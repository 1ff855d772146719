/**
 * One contract suite, run against every backend: each operator's single-node models and a set of generated
 * multi-operator graphs must match the float64 reference within the dtype's tolerance. Per-backend exclusions are
 * data with reasons (src/backends/exclusions.ts). Backends named in CI_BACKENDS must be available under CI.
 * CONTRACT_BACKENDS=ort-node-cuda,tfjs-node runs the suite on other backends (e.g. on a GPU machine).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseSeed, generateGraph, randomFromSeed, resolveOptions } from '../../generators/graph.js';
import { OPS } from '../../generators/ops/index.js';
import { singleOpGraph } from '../../generators/single-op.js';
import { sampleFeeds } from '../../generators/values.js';
import { compareTensor } from '../../oracles/closeness.js';
import { toleranceFor } from '../../oracles/tolerance.js';
import { createBackend } from '../../src/backends/index.js';
import { CI_BACKENDS, exclusionsFor } from '../../src/backends/exclusions.js';
import type { Backend } from '../../src/backends/types.js';
import { runInProcess } from '../../src/backends/types.js';
import type { Graph } from '../../src/ir/index.js';
import { DTYPES } from '../../src/ir/index.js';
import { exportModel } from '../../src/onnx/index.js';
import { interpret } from '../../src/reference/interpreter.js';
import { forwardArb } from '../helpers/op-contract.js';

const BACKENDS = process.env.CONTRACT_BACKENDS?.split(',') ?? [...CI_BACKENDS.filter((b) => b !== 'reference'), 'tfjs-cpu', 'tfjs-wasm'];
const PER_OP = Number(process.env.CONTRACT_PER_OP ?? 4);
const GRAPHS = Number(process.env.CONTRACT_GRAPHS ?? 10);
const dir = mkdtempSync(join(tmpdir(), 'onnxsmith-contract-'));
let fileNo = 0;

/** Runs a graph on the backend and on the reference; returns a failure message or undefined. */
async function check(b: Backend, g: Graph, seed: number): Promise<string | undefined> {
  const path = join(dir, `m${fileNo++}.onnx`);
  const bytes = exportModel(g);
  writeFileSync(path, bytes);
  const feeds = sampleFeeds(g, randomFromSeed(seed));
  const env = interpret(g, feeds);
  // NaN/Inf anywhere inside makes backends legitimately differ (NaN propagation through Max, comparisons);
  // the input search keeps campaign graphs finite, here such a draw is simply not compared
  if ([...env.values()].some((t) => t.data.some((v) => !Number.isFinite(v)))) return 'non-finite';
  const o = await runInProcess(b, { bytes, path, graph: g }, feeds, g.outputs.map((x) => x.name));
  if (o.kind === 'unsupported') return undefined;
  if (o.kind !== 'ok') return `${o.kind}: ${'message' in o ? o.message.split('\n')[0] : ''}`;
  for (const out of g.outputs) {
    const exp = env.get(out.name)!;
    const c = compareTensor(out.name, exp, o.outputs[out.name]!, toleranceFor(out.dtype));
    if (c.verdict !== 'match') {
      return `${out.name}: ${c.verdict} ${c.detail ?? ''} max abs ${c.maxAbs} first bad ${JSON.stringify(c.firstBad)}; ops ${g.nodes.map((n) => `${n.op}${JSON.stringify(n.attrs)}`).join(' ')}`;
    }
  }
  return undefined;
}

for (const name of BACKENDS) {
  describe(`backend contract: ${name}`, () => {
    let backend: Backend | undefined;
    let why = '';
    beforeAll(async () => {
      backend = await createBackend(name);
      const a = await backend.available();
      if (!a.ok) {
        why = a.reason;
        backend = undefined;
      }
    }, 120_000);
    afterAll(() => {
      backend = undefined;
    });

    it('is available (required under CI for the backends this machine can run)', () => {
      if (process.env.CI && CI_BACKENDS.includes(name)) expect(why).toBe('');
    });

    const excluded = new Map(exclusionsFor(name).map((e) => [e.op, e.reason]));
    for (const spec of OPS) {
      const reason = excluded.get(spec.onnx);
      it(`${spec.onnx}${reason ? ` (excluded: ${reason})` : ''}`, async (ctx) => {
        if (!backend) return ctx.skip(why);
        const c = { opset: 17, maxElems: 128, dtypes: DTYPES };
        const samples = fc.sample(forwardArb(spec, c), { seed: 1234, numRuns: PER_OP });
        const failures: string[] = [];
        for (const [i, { anchor, inst }] of samples.entries()) {
          const g = singleOpGraph(spec, inst, anchor, 17);
          if (typeof g === 'string') throw new Error(`${spec.onnx}: ${g}`);
          const f = await check(backend, g, i);
          if (f && f !== 'non-finite') failures.push(f);
        }
        if (reason) expect(failures.length, `${spec.onnx} passes on ${name} now: remove its exclusion`).toBeGreaterThan(0);
        else expect(failures).toEqual([]);
      }, 120_000);
    }

    it(`runs ${GRAPHS} generated 10-node graphs like the reference`, async (ctx) => {
      if (!backend) return ctx.skip(why);
      const skip = new Set(excluded.keys());
      const o = resolveOptions({ nodes: 10, maxElems: 256, exclude: [...skip] });
      const failures: string[] = [];
      let compared = 0;
      for (let i = 0; compared < GRAPHS && i < GRAPHS * 10; i++) {
        const g = generateGraph(caseSeed(77, i), o);
        const f = await check(backend, g, i);
        if (f !== 'non-finite') compared++;
        if (f && f !== 'non-finite') failures.push(`graph ${i}: ${f}`);
      }
      expect(failures).toEqual([]);
      expect(compared).toBe(GRAPHS);
    }, 300_000);
  });
}
