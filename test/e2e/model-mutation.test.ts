/**
 * Onnxsmith fuzzes its own front door: mutated models (onnx/mutate.ts) go through run's own path (prepareRun, then
 * the isolated reference and ort-node-cpu workers) in-process, and a handful through the real CLI. Whatever the
 * mutation, the outcome is a run (exit 0/1) or a ModelError (exit 2): never another exception (exit 3), never a stack
 * trace, and never the contents of a canary file planted outside the model's folder.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateGraph } from '../../generators/graph.js';
import type { Tensor } from '../../src/ir/index.js';
import { exportModel, ModelError } from '../../src/onnx/index.js';
import { mutateModel } from '../../src/onnx/mutate.js';
import { closeBackends, startBackends } from '../../src/backends/start.js';
import { runCase } from '../../src/run/run-case.js';
import { prepareRun } from '../../src/run/prepare.js';
import { formatRunTable } from '../../src/run/text.js';
import { onnxsmith } from '../helpers/cli.js';

const { onnx } = onnxProto;
const root = mkdtempSync(join(tmpdir(), 'onnxsmith-mutation-'));
const canary = join(root, 'secret', 'canary.bin');
// float32 values no generated graph computes by chance; 24 of them fill any [2,3] or [6] tensor pointed at the file
const CANARY = Array.from({ length: 64 }, (_, i) => 8191.25 + i);
const CANARY_SET = new Set(CANARY);
const climb = '../'.repeat(12) + canary.slice(1);
const HOSTILE = [canary, climb, 'link.bin', '/etc/passwd'];

/** A model that passes a weight straight to its output, so a weight read from the canary would show verbatim. */
function passThrough(): Uint8Array {
  const vi = (name: string) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 2 }, { dimValue: 3 }] } } } });
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'g',
      node: [{ opType: 'Relu', input: ['w'], output: ['r'] }, { opType: 'Add', input: ['r', 'x'], output: ['y'] }, { opType: 'Relu', input: ['w'], output: ['z'] }],
      input: [vi('x')],
      output: [vi('y'), vi('z')],
      initializer: [{ name: 'w', dataType: 1, dims: [2, 3], floatData: [1, 2, 3, 4, 5, 6] }],
    },
  }).finish();
}

const BASES: Uint8Array[] = [passThrough(), ...[1, 2, 3, 4].map((s) => exportModel(generateGraph(s, { nodes: 4, dtypes: ['float32', 'int64'] })))];

let cases = 0;
function write(bytes: Uint8Array): string {
  const dir = join(root, 'cases', String(cases++), 'deep');
  mkdirSync(dir, { recursive: true });
  symlinkSync(canary, join(dir, 'link.bin'));
  writeFileSync(join(dir, 'model.onnx'), bytes);
  return join(dir, 'model.onnx');
}

/** Every external-data location anywhere in a decoded model (a generic walk, independent of validate.ts). */
function locations(bytes: Uint8Array): string[] {
  let m: unknown;
  try {
    m = onnx.ModelProto.toObject(onnx.ModelProto.decode(bytes));
  } catch {
    return [];
  }
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object' && !(v instanceof Uint8Array)) {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'externalData' && Array.isArray(x)) for (const e of x as { key?: string; value?: string }[]) if (e.key === 'location') out.push(e.value ?? '');
        walk(x);
      }
    }
  };
  walk(m);
  return out;
}

function leaksCanary(outputs: Readonly<Record<string, Tensor>>): string | undefined {
  for (const [name, t] of Object.entries(outputs)) {
    const hits = Array.from(t.data).filter((v) => CANARY_SET.has(v)).length;
    if (hits >= 3) return `output '${name}' holds ${hits} canary values`;
  }
  return undefined;
}

beforeAll(() => {
  mkdirSync(join(root, 'secret'));
  writeFileSync(canary, new Uint8Array(Float32Array.from(CANARY).buffer));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('mutated models through run', () => {
  it('the canary check would see a leak: the pass-through model shows a weight verbatim', async () => {
    const started = await startBackends(['reference'], 10_000);
    try {
      const path = write(passThrough());
      const p = prepareRun(path, { seed: 0, maxElems: 1e6 });
      const res = await runCase(started, path, p.graph, { x: p.feeds.x! }, { unknownOps: p.unknownOps });
      const o = res.reports[0]!.outcome;
      expect(o.kind).toBe('ok');
      if (o.kind === 'ok') expect(Array.from(o.outputs.z!.data)).toEqual([1, 2, 3, 4, 5, 6]);
    } finally {
      await closeBackends(started);
    }
  });

  it('never throws anything but a ModelError, never reads outside the folder, never leaks the canary (fixed seed, bounded time)', async () => {
    const started = await startBackends(['reference', 'ort-node-cpu'], 5_000);
    let ran = 0;
    let refused = 0;
    try {
      await fc.assert(
        fc.asyncProperty(fc.nat(BASES.length - 1), fc.integer(), async (k, seed) => {
          const m = mutateModel(BASES[k]!, seed, { locations: HOSTILE });
          const path = write(m.bytes);
          const why = `base ${k}, seed ${seed}: ${m.applied.join('; ')}`;
          let p: ReturnType<typeof prepareRun>;
          try {
            p = prepareRun(path, { seed: 0, maxElems: 1e6 });
          } catch (e) {
            // a refusal is exit 2 with one line; anything else would be exit 3
            expect(e, why).toBeInstanceOf(ModelError);
            expect((e as Error).message, why).not.toMatch(/[\n\r\u001b]/);
            refused++;
            return;
          }
          // accepted: no tensor anywhere points outside the folder
          for (const loc of locations(m.bytes)) expect(HOSTILE, `${why}: accepted a model reading ${JSON.stringify(loc)}`).not.toContain(loc);
          const res = await runCase(started, path, p.graph, p.feeds, { unknownOps: p.unknownOps });
          ran++;
          for (const r of res.reports) {
            if (r.outcome.kind === 'ok') expect(leaksCanary(r.outcome.outputs), `${why}: ${r.backend}`).toBeUndefined();
            if ('message' in r.outcome) expect(r.outcome.message, why).not.toContain('8191.25');
          }
          expect(() => formatRunTable(p.graph, res, p.unknownOps)).not.toThrow();
        }),
        { seed: 20261208, numRuns: 1500, interruptAfterTimeLimit: 40_000, markInterruptAsFailure: false },
      );
    } finally {
      await closeBackends(started);
    }
    // both paths were exercised: some mutants ran, many were refused
    expect(ran).toBeGreaterThan(10);
    expect(refused).toBeGreaterThan(10);
  }, 90_000);

  it('through the real CLI: exit 0, 1 or 2, no stack trace, no internal error, no canary', () => {
    const seeds = [3, 11, 27, 40, 58, 77];
    for (const [i, seed] of seeds.entries()) {
      const m = mutateModel(BASES[i % BASES.length]!, seed, { locations: HOSTILE });
      const r = onnxsmith(['run', write(m.bytes), '--backends', 'reference,ort-node-cpu', '--json', '--timeout', '10000']);
      const why = `seed ${seed}: ${m.applied.join('; ')}\n${r.stderr}`;
      expect([0, 1, 2], why).toContain(r.code);
      expect(r.stderr, why).not.toMatch(/internal error|\n\s+at /);
      expect(r.stdout + r.stderr, why).not.toContain('8191.25');
      if (r.code === 2) expect(r.stderr, why).toMatch(/^onnxsmith: [^\n]*\n$/);
    }
    // an outside location in a model that decodes is always refused
    const direct = onnx.ModelProto.decode(passThrough());
    const w = direct.graph!.initializer![0]!;
    w.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
    w.externalData = [onnx.StringStringEntryProto.create({ key: 'location', value: 'link.bin' })];
    const r = onnxsmith(['run', write(onnx.ModelProto.encode(direct).finish()), '--backends', 'reference,ort-node-cpu']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/initializer 'w': .*location 'link\.bin' is outside the model's folder \(a symlink resolving to .*canary\.bin\)/);
  });
});
