/**
 * Kernel gaps (src/backends/kernel-gaps.ts): which load errors are a backend's missing kernel and which stay findings,
 * checked with the real onnxruntime-node 1.12.1 (npm alias ort-1-12) as the probe and with tfjs-wasm's own kernels.
 * Reading the messages and cutting out a node: test/unit/backends/kernel-gaps.test.ts.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as tfjs from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cachedKernel, forgetKernels, kernelCacheDir } from '../../../src/backends/kernel-gap-cache.js';
import { KernelGapError, ortKernelGap, PROBE_NODE } from '../../../src/backends/kernel-gaps.js';
import { createBackend } from '../../../src/backends/index.js';
import { evalTfjsNodes, leafTensors, tfjsBackend } from '../../../src/backends/tfjs.js';
import { errorText, runInProcess } from '../../../src/backends/types.js';
import type { Graph, Tensor } from '../../../src/ir/index.js';
import { exportModel } from '../../../src/onnx/index.js';

/** A chain of unary nodes over a float tensor of four elements. */
const chain = (dtype: 'float32' | 'float64', ops: readonly string[]): Graph => ({
  opset: 17,
  inputs: [{ name: 'x', dtype, shape: [4] }],
  initializers: [],
  nodes: ops.map((op, i) => ({ op, name: `n${i}`, inputs: [i === 0 ? 'x' : `t${i - 1}`], outputs: [i === ops.length - 1 ? 'y' : `t${i}`], attrs: {} })),
  outputs: [{ name: 'y', dtype, shape: [4] }],
  valueInfo: ops.slice(0, -1).map((_, i) => ({ name: `t${i}`, dtype, shape: [4] })),
});

interface OrtSession {
  release?(): Promise<void>;
}
const ort = createRequire(import.meta.url)('ort-1-12') as { InferenceSession: { create(p: string, o: object): Promise<OrtSession> } };
const options = { executionProviders: ['cpu'], graphOptimizationLevel: 'all', logSeverityLevel: 4 };
const dir = mkdtempSync(join(tmpdir(), 'onnxsmith-kernel-gaps-'));
let files = 0;
let probes = 0;

/** onnxruntime 1.12.1 loading a graph from a file, as ort-node.ts does: undefined when it loads, else its error. */
async function load112(g: Graph): Promise<string | undefined> {
  const path = join(dir, `m${files++}.onnx`);
  writeFileSync(path, exportModel(g));
  try {
    await (await ort.InferenceSession.create(path, options)).release?.();
    return undefined;
  } catch (e) {
    return errorText(e);
  }
}
const ctx = { backend: 'ort-node-cpu@1.12.1', probe: (g: Graph) => (probes++, load112(g)) };
/** The model's own load error on 1.12.1, then what ortKernelGap makes of it. */
async function judge112(g: Graph): Promise<{ said?: string; gap?: KernelGapError }> {
  const said = await load112(g);
  if (said === undefined) return {};
  return { said, gap: await ortKernelGap(new Error(said), { bytes: exportModel(g), path: join(dir, 'unused.onnx'), graph: g }, ctx) };
}

const savedCache = process.env.XDG_CACHE_HOME;
beforeAll(() => {
  process.env.XDG_CACHE_HOME = join(dir, 'cache');
});
beforeEach(() => {
  rmSync(join(dir, 'cache'), { recursive: true, force: true });
  forgetKernels();
  probes = 0;
});
afterAll(() => {
  if (savedCache === undefined) delete process.env.XDG_CACHE_HOME;
  else process.env.XDG_CACHE_HOME = savedCache;
  forgetKernels();
  rmSync(dir, { recursive: true, force: true });
});

describe('ortKernelGap on onnxruntime-node 1.12.1', () => {
  it('makes a missing float64 Cos kernel a gap, named by operator, since-version and element type', async () => {
    const { said, gap } = await judge112(chain('float64', ['Relu', 'Cos']));
    expect(said).toBe("Could not find an implementation for Cos(7) node with name 'n1'");
    expect(gap?.gap).toEqual({
      backend: 'ort-node-cpu@1.12.1',
      key: 'Cos(7):float64',
      op: 'Cos',
      since: 7,
      dtype: 'float64',
      message: `Could not find an implementation for Cos(7) node with name '${PROBE_NODE}'`,
    });
    expect(gap?.message).toBe(`ort-node-cpu@1.12.1 has no kernel for Cos(7) on float64: ${said}`);
  });

  it('probes each kernel once, and gives the same answer from the cache file as from a fresh probe', async () => {
    const fresh = await judge112(chain('float64', ['Floor']));
    expect(probes).toBe(1);
    await judge112(chain('float64', ['Relu', 'Floor']));
    expect(probes).toBe(1);
    const file = JSON.parse(readFileSync(join(kernelCacheDir(), 'ort-node-cpu@1.12.1.json'), 'utf8')) as { kernels: Record<string, unknown> };
    expect(Object.keys(file.kernels)).toEqual(['Floor(13):float64']);
    forgetKernels(); // a new process: only the file remains
    const warm = await judge112(chain('float64', ['Floor']));
    expect(probes).toBe(1);
    expect({ ...warm.gap?.gap, said: warm.gap?.message }).toEqual({ ...fresh.gap?.gap, said: fresh.gap?.message });
  });

  it('keeps a missing kernel for a node the model does not have a finding (an optimiser made it)', async () => {
    const g = chain('float64', ['Sigmoid']);
    const quickGelu = "Failed to find kernel for com.microsoft.QuickGelu(1) (node:'n0' ep:'CPUExecutionProvider')";
    expect(await ortKernelGap(new Error(quickGelu), { bytes: exportModel(g), path: '', graph: g }, ctx)).toBeUndefined();
    const elsewhere = "Could not find an implementation for Cos(7) node with name 'fused'";
    expect(await ortKernelGap(new Error(elsewhere), { bytes: exportModel(g), path: '', graph: g }, ctx)).toBeUndefined();
    expect(probes).toBe(0);
  });

  it('keeps it a finding when the node alone loads (its kernel exists), and remembers that', async () => {
    // what an optimiser that rewrote the node's types would make 1.12.1 say about a float32 Relu
    const g = chain('float32', ['Relu']);
    const claimed = "Could not find an implementation for Relu(14) node with name 'n0'";
    expect(await ortKernelGap(new Error(claimed), { bytes: exportModel(g), path: '', graph: g }, ctx)).toBeUndefined();
    expect(cachedKernel('ort-node-cpu@1.12.1', 'Relu(14):float32')).toEqual({ gap: false });
  });

  it('keeps other load errors findings: an optimiser throwing, shape inference failing', async () => {
    const clip: Graph = {
      opset: 17,
      inputs: [{ name: 'x', dtype: 'float64', shape: [4] }],
      initializers: [
        { name: 'lo', dtype: 'float64', shape: [], kind: 'constant', data: [0] },
        { name: 'hi', dtype: 'float64', shape: [], kind: 'constant', data: [6] },
      ],
      nodes: [
        { op: 'Relu', name: 'r', inputs: ['x'], outputs: ['a'], attrs: {} },
        { op: 'Clip', name: 'c', inputs: ['a', 'lo', 'hi'], outputs: ['y'], attrs: {} },
      ],
      outputs: [{ name: 'y', dtype: 'float64', shape: [4] }],
      valueInfo: [{ name: 'a', dtype: 'float64', shape: [4] }],
    };
    const fused = await judge112(clip);
    expect(fused.said).toMatch(/FuseReluClip/);
    expect(fused.gap).toBeUndefined();
    expect(probes).toBe(0);
  });

  it('ignores a cache file it cannot read', async () => {
    mkdirSync(kernelCacheDir(), { recursive: true });
    writeFileSync(join(kernelCacheDir(), 'ort-node-cpu@1.12.1.json'), '{"format": 1, "backend": "ort-node-cpu@1.12.1", "kernels": {"Ceil(13):float64": {"gap": "yes"}');
    const { gap } = await judge112(chain('float64', ['Ceil']));
    expect(gap?.gap.key).toBe('Ceil(13):float64');
    expect(probes).toBe(1);
  });
});

describe('kernel gaps through the backends themselves', () => {
  // onnxruntime 1.30 registers Tan for float only, in both its Node binding and its WebAssembly build
  for (const spec of ['ort-node-cpu', 'ort-web-wasm']) {
    it(`${spec}: a float64 Tan model is unsupported, with the gap`, async () => {
      const b = await createBackend(spec);
      const g = chain('float64', ['Relu', 'Tan']);
      const path = join(dir, `${spec}.onnx`);
      writeFileSync(path, exportModel(g));
      const x: Tensor = { dtype: 'float64', shape: [4], data: Float64Array.from([0.1, 0.2, 0.3, 0.4]) };
      const o = await runInProcess(b, { bytes: exportModel(g), path, graph: g }, { x }, ['y']);
      expect(o).toMatchObject({ kind: 'unsupported', kernelGap: { backend: `${spec}@${b.version()}`, key: 'Tan(7):float64', op: 'Tan', since: 7, dtype: 'float64' } });
      expect(o.kind === 'unsupported' ? o.reasons[0] : '').toMatch(/Could not find an implementation for Tan\(7\) node with name 'n1'/);
    }, 60_000);
  }
});

describe('tfjsKernelGap on tfjs-wasm', () => {
  let tf: typeof tfjs;
  beforeAll(async () => {
    const b = tfjsBackend('tfjs-wasm');
    expect(await b.available()).toEqual({ ok: true });
    tf = await import('@tensorflow/tfjs-core');
    await tf.setBackend('wasm');
  }, 60_000);

  const matmul = (dtype: 'int32' | 'float32'): Graph => ({
    opset: 17,
    inputs: [{ name: 'a', dtype, shape: [2, 2] }, { name: 'b', dtype, shape: [2, 2] }],
    initializers: [],
    nodes: [{ op: 'MatMul', name: 'mm', inputs: ['a', 'b'], outputs: ['y'], attrs: {} }],
    outputs: [{ name: 'y', dtype, shape: [2, 2] }],
    valueInfo: [],
  });
  const feeds = (dtype: 'int32' | 'float32'): Record<string, Tensor> => ({
    a: { dtype, shape: [2, 2], data: Float64Array.from([1, 2, 3, 4]) },
    b: { dtype, shape: [2, 2], data: Float64Array.from([1, 0, 0, 1]) },
  });
  // a lowering that calls tf.matMul on integers, which tfjs-wasm has no kernel for (matmul.ts works around it)
  const plainMatMul = (_n: unknown, _base: unknown) => (ins: readonly (tfjs.Tensor | undefined)[]) => [tf.matMul(ins[0]!, ins[1]!)];
  const evalWith = (g: Graph, f: Record<string, Tensor>): unknown => {
    try {
      tf.tidy(() => evalTfjsNodes(tf, g, g.nodes, leafTensors(tf, g, f), plainMatMul, 'tfjs-wasm@test'));
      return undefined;
    } catch (e) {
      return e;
    }
  };

  it("makes a kernel that refuses the node's declared types a gap, attributed to the ONNX node", () => {
    const e = evalWith(matmul('int32'), feeds('int32'));
    expect(e).toBeInstanceOf(KernelGapError);
    const gap = (e as KernelGapError).gap;
    expect(gap).toMatchObject({ backend: 'tfjs-wasm@test', key: 'MatMul:int32', op: 'MatMul', dtype: 'int32' });
    expect(gap.message).toMatch(/BatchMatMul for non non-float32 tensors not yet supported/);
  });

  it('keeps the error when the tensors reaching the node are not of the types the graph declares', () => {
    // declared float32, but int32 tensors arrive: whoever made them is wrong, not the kernel
    const e = evalWith(matmul('float32'), feeds('int32'));
    expect(e).toBeInstanceOf(Error);
    expect(e).not.toBeInstanceOf(KernelGapError);
  });
});
