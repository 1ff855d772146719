/**
 * The planted-bug backends that `npm run bench` measures deduplication with (bench/dedup.ts) load and plant their
 * bug: each runs a hand-built graph that triggers it on the real onnxruntime-node, next to ort-node-cpu, and a
 * graph just outside its trigger as ort-node-cpu does. A fixture that stopped planting would make the figure
 * meaningless without failing anything else.
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PLANTED } from '../../bench/dedup.js';
import { IsolatedBackend } from '../../src/backends/isolated.js';
import type { Outcome } from '../../src/backends/types.js';
import type { DType, Graph, Node, Tensor, ValueInfo } from '../../src/ir/index.js';
import { exportModel } from '../../src/onnx/index.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/planted');
const dir = mkdtempSync(join(tmpdir(), 'onnxsmith-planted-'));
let models = 0;

const t = (dtype: DType, shape: number[], data: number[]): Tensor => ({ dtype, shape, data: Float64Array.from(data) });
const v = (name: string, dtype: DType, shape: number[]): ValueInfo => ({ name, dtype, shape });
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** A graph of `nodes` with one input `x`; `out` is the graph output, `mid` the intermediates. */
function graph(x: ValueInfo, nodes: Node[], out: ValueInfo, extra: Partial<Graph> = {}): Graph {
  return { opset: 17, inputs: [x], initializers: [], nodes, outputs: [out], valueInfo: [], ...extra };
}

async function run(b: IsolatedBackend, g: Graph, feeds: Record<string, Tensor>): Promise<Outcome> {
  const path = join(dir, `m${models++}.onnx`);
  writeFileSync(path, exportModel(g));
  return b.run(path, g, feeds, g.outputs.map((o) => o.name));
}

function values(o: Outcome, name = 'y'): { shape: readonly number[]; data: number[] } {
  expect(o.kind, JSON.stringify(o).slice(0, 300)).toBe('ok');
  if (o.kind !== 'ok') throw new Error('unreachable');
  const y = o.outputs[name]!;
  return { shape: y.shape, data: [...y.data] };
}

const ort = new IsolatedBackend('ort-node-cpu', { timeoutMs: 30_000 });
const planted = new Map<string, IsolatedBackend>();
function backend(file: string): IsolatedBackend {
  let b = planted.get(file);
  if (!b) planted.set(file, (b = new IsolatedBackend(`module:${join(FIXTURES, file)}`, { timeoutMs: 30_000 })));
  return b;
}
afterAll(async () => {
  await Promise.all([ort, ...planted.values()].map((b) => b.close()));
});

/** Conv of a [1,1,4,4] input with a 2x2 kernel of ones at the given strides. */
function conv(strides: number[]): Graph {
  const side = (4 - 2) / strides[0]! + 1;
  return graph(v('x', 'float32', [1, 1, 4, 4]), [{ op: 'Conv', name: 'conv', inputs: ['x', 'w'], outputs: ['y'], attrs: { strides } }], v('y', 'float32', [1, 1, side, side]), {
    initializers: [{ name: 'w', dtype: 'float32', shape: [1, 1, 2, 2], kind: 'weight', data: [1, 1, 1, 1] }],
  });
}

function unary(op: string, dtype: DType, n: number): Graph {
  return graph(v('x', dtype, [n]), [{ op, name: 'n', inputs: ['x'], outputs: ['y'], attrs: {} }], v('y', dtype, [n]));
}

function gather(indices: number[]): Graph {
  return graph(v('x', 'float32', [3, 2]), [{ op: 'Gather', name: 'gather', inputs: ['x', 'i'], outputs: ['y'], attrs: {} }], v('y', 'float32', [indices.length, 2]), {
    initializers: [{ name: 'i', dtype: 'int64', shape: [indices.length], kind: 'constant', data: indices }],
  });
}

function pad(mode: string): Graph {
  return graph(v('x', 'float32', [2, 3]), [{ op: 'Pad', name: 'pad', inputs: ['x', 'p'], outputs: ['y'], attrs: { mode } }], v('y', 'float32', [2, 5]), {
    initializers: [{ name: 'p', dtype: 'int64', shape: [4], kind: 'constant', data: [0, 1, 0, 1] }],
  });
}

describe('planted-bug backends', () => {
  it('are all listed in the deduplication benchmark', () => {
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.mjs') && f !== 'plant.mjs');
    expect(PLANTED.map((p) => p.file).sort()).toEqual(files.sort());
  });

  it('conv-strided-bias: a strided Conv is 0.05 off, a Conv with stride 1 is right', async () => {
    const b = backend('conv-strided-bias.mjs');
    const feeds = { x: t('float32', [1, 1, 4, 4], range(16)) };
    const right = values(await run(ort, conv([2, 2]), feeds)).data;
    const wrong = values(await run(b, conv([2, 2]), feeds)).data;
    expect(wrong.map((w, i) => w - right[i]!).every((d) => Math.abs(d - 0.05) < 1e-5)).toBe(true);
    expect(values(await run(b, conv([1, 1]), feeds))).toEqual(values(await run(ort, conv([1, 1]), feeds)));
  });

  it('sqrt-epsilon: Sqrt gives NaN below 1/16 and slightly wrong values above', async () => {
    const x = [0, 0.05, 1, 4];
    for (const dtype of ['float32', 'float64'] as const) {
      const y = values(await run(backend('sqrt-epsilon.mjs'), unary('Sqrt', dtype, 4), { x: t(dtype, [4], x) })).data;
      expect(y.slice(0, 2).every(Number.isNaN)).toBe(true);
      expect(y[2]).toBeCloseTo(Math.sqrt(1 - 1 / 16), 6);
      expect(y[3]).toBeCloseTo(Math.sqrt(4 - 1 / 16), 6);
    }
  });

  it('flatten-axis: Flatten returns another shape than declared, and an op downstream fails at run time', async () => {
    const b = backend('flatten-axis.mjs');
    const x = v('x', 'float32', [2, 3, 4]);
    const feeds = { x: t('float32', [2, 3, 4], range(24)) };
    const alone = graph(x, [{ op: 'Flatten', name: 'flatten', inputs: ['x'], outputs: ['y'], attrs: { axis: 1 } }], v('y', 'float32', [2, 12]));
    expect(values(await run(ort, alone, feeds)).shape).toEqual([2, 12]);
    expect(values(await run(b, alone, feeds)).shape).toEqual([6, 4]);
    const downstream = graph(
      x,
      [
        { op: 'Flatten', name: 'flatten', inputs: ['x'], outputs: ['f'], attrs: { axis: 1 } },
        { op: 'Add', name: 'add', inputs: ['f', 'w'], outputs: ['y'], attrs: {} },
      ],
      v('y', 'float32', [2, 12]),
      { valueInfo: [v('f', 'float32', [2, 12])], initializers: [{ name: 'w', dtype: 'float32', shape: [2, 12], kind: 'weight', data: range(24) }] },
    );
    expect(values(await run(ort, downstream, feeds)).shape).toEqual([2, 12]);
    const o = await run(b, downstream, feeds);
    expect(o).toMatchObject({ kind: 'run-error', stage: 'run' });
    expect(o.kind === 'run-error' && o.message).toMatch(/Add node/);
  });

  it('gather-negative-segv: a Gather with a negative constant index dies of SIGSEGV when run; others run', async () => {
    const b = backend('gather-negative-segv.mjs');
    const feeds = { x: t('float32', [3, 2], range(6)) };
    expect(await run(b, gather([-1, 0]), feeds)).toMatchObject({ kind: 'crash', stage: 'run', signal: 'SIGSEGV' });
    expect(values(await run(b, gather([2, 0]), feeds))).toEqual(values(await run(ort, gather([2, 0]), feeds)));
  });

  it('tanh-half: Tanh computes tanh(x/2) in float32 and float64 alike', async () => {
    const x = [-3, -0.5, 0, 1, 2];
    for (const dtype of ['float32', 'float64'] as const) {
      const y = values(await run(backend('tanh-half.mjs'), unary('Tanh', dtype, 5), { x: t(dtype, [5], x) })).data;
      y.forEach((e, i) => expect(e).toBeCloseTo(Math.tanh(x[i]! / 2), 6));
    }
  });

  it("pad-mode-rejected: a Pad with mode 'reflect' fails to load with NOT_IMPLEMENTED; mode 'constant' runs", async () => {
    const b = backend('pad-mode-rejected.mjs');
    const feeds = { x: t('float32', [2, 3], range(6)) };
    const o = await run(b, pad('reflect'), feeds);
    expect(o).toMatchObject({ kind: 'load-error', stage: 'load' });
    expect(o.kind === 'load-error' && o.message).toMatch(/NOT_IMPLEMENTED : padding mode 'reflect' has no kernel for a tensor of shape \{2,3\}/);
    expect(values(await run(b, pad('constant'), feeds))).toEqual(values(await run(ort, pad('constant'), feeds)));
  });
});
