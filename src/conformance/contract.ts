/**
 * The backend contract, shared by the vitest suite (test/contract) and the standalone check script that runs
 * where vitest is not installed (a GPU machine): each operator's one-node models and generated multi-operator
 * graphs must match the float64 reference within the dtype's tolerance.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as fc from 'fast-check';
import { caseSeed, generateGraph, randomFromSeed, resolveOptions } from '../../generators/graph.js';
import type { OpSpec } from '../../generators/ops/spec.js';
import { forwardArb, singleOpGraph } from '../../generators/single-op.js';
import { sampleFeeds } from '../../generators/values.js';
import { compareTensor } from '../../oracles/closeness.js';
import { pathTolerances } from '../../oracles/tolerance.js';
import type { Backend } from '../backends/types.js';
import { runInProcess } from '../backends/types.js';
import type { Graph, Tensor } from '../ir/index.js';
import { DTYPES } from '../ir/index.js';
import { exportModel } from '../onnx/index.js';
import { interpret } from '../reference/interpreter.js';

/** A check's result: passed, failed (with why), or not comparable (NaN/Inf inside, or unsupported there). */
export type CheckResult = { readonly status: 'pass' } | { readonly status: 'fail'; readonly why: string } | { readonly status: 'skip'; readonly why: string };

const dir = mkdtempSync(join(tmpdir(), 'onnxsmith-contract-'));
let fileNo = 0;

/** Runs a graph on the backend, in process, from a model file of its own. */
function runGraph(b: Backend, g: Graph, feeds: Readonly<Record<string, Tensor>>): ReturnType<typeof runInProcess> {
  const path = join(dir, `m${fileNo++}.onnx`);
  const bytes = exportModel(g);
  writeFileSync(path, bytes);
  return runInProcess(b, { bytes, path, graph: g }, feeds, g.outputs.map((x) => x.name));
}

/** Runs a graph on the backend and the reference, and compares every output. */
export async function checkGraph(b: Backend, g: Graph, seed: number): Promise<CheckResult> {
  const feeds = sampleFeeds(g, randomFromSeed(seed));
  const env = interpret(g, feeds);
  // NaN/Inf anywhere inside makes backends legitimately differ (NaN through Max, comparisons);
  // campaign graphs get finite inputs from the input search, here such a draw is not compared
  if ([...env.values()].some((t) => t.data.some((v) => !Number.isFinite(v)))) return { status: 'skip', why: 'non-finite reference values' };
  const o = await runGraph(b, g, feeds);
  if (o.kind === 'unsupported') return { status: 'skip', why: o.reasons.join('; ') };
  if (o.kind !== 'ok') return { status: 'fail', why: `${o.kind}: ${'message' in o ? o.message.split('\n')[0] : ''}` };
  const tols = pathTolerances(g);
  for (const out of g.outputs) {
    const c = compareTensor(out.name, env.get(out.name)!, o.outputs[out.name]!, tols.get(out.name)!);
    if (c.verdict !== 'match') {
      const ops = g.nodes.map((n) => `${n.op}${JSON.stringify(n.attrs)}`).join(' ');
      return { status: 'fail', why: `${out.name}: ${c.verdict} ${c.detail ?? ''} max abs ${c.maxAbs} first bad ${JSON.stringify(c.firstBad)}; ${ops}` };
    }
  }
  return { status: 'pass' };
}

/** One-node models of `spec` (seeded) checked on the backend; returns the failure messages. */
export async function checkOperator(b: Backend, spec: OpSpec, perOp: number, seed = 1234): Promise<{ failures: string[]; compared: number }> {
  const ctx = { opset: 17, maxElems: 128, dtypes: DTYPES };
  const failures: string[] = [];
  let compared = 0;
  for (const [i, { anchor, inst }] of fc.sample(forwardArb(spec, ctx), { seed, numRuns: perOp }).entries()) {
    const g = singleOpGraph(spec, inst, anchor, 17);
    if (typeof g === 'string') throw new Error(`${spec.onnx}: its own instance is invalid: ${g}`);
    const r = await checkGraph(b, g, i);
    if (r.status !== 'skip') compared++;
    if (r.status === 'fail') failures.push(r.why);
  }
  return { failures, compared };
}

/** `count` comparable generated graphs (skipping draws with NaN/Inf inside) without the excluded operators. */
export async function checkGeneratedGraphs(b: Backend, count: number, exclude: readonly string[], seed = 77): Promise<{ failures: string[]; compared: number }> {
  const o = resolveOptions({ nodes: 10, maxElems: 256, exclude: [...exclude] });
  const failures: string[] = [];
  let compared = 0;
  for (let i = 0; compared < count && i < count * 10; i++) {
    const r = await checkGraph(b, generateGraph(caseSeed(seed, i), o), i);
    if (r.status === 'skip') continue;
    compared++;
    if (r.status === 'fail') failures.push(`graph ${i}: ${r.why}`);
  }
  return { failures, compared };
}

/**
 * What the stability check takes every backend to compute exactly (interpreter.ts exactOverOne), over 1024 lanes of
 * one element each: Softmax gives 1, LogSoftmax 0, LayerNormalization its bias. Returns what did not hold.
 */
export async function checkExactOverOne(b: Backend): Promise<string[]> {
  const n = 1024;
  const rng = randomFromSeed(99);
  const x: Tensor = { dtype: 'float32', shape: [n, 1], data: Float64Array.from({ length: n }, () => Math.fround((rng.nextDouble() - 0.5) * 20)) };
  const node = (op: string, inputs: string[], attrs = {}): Graph['nodes'][number] => ({ op, name: 'n0', inputs, outputs: ['y'], attrs });
  const graph = (n0: Graph['nodes'][number], initializers: Graph['initializers'] = []): Graph => ({
    opset: 17,
    inputs: [{ name: 'x', dtype: 'float32', shape: [n, 1] }],
    initializers,
    nodes: [n0],
    outputs: [{ name: 'y', dtype: 'float32', shape: [n, 1] }],
    valueInfo: [],
  });
  const bias = Math.fround(-0.8875);
  const cases: [string, Graph, number][] = [
    ['Softmax', graph(node('Softmax', ['x'], { axis: 1 })), 1],
    ['LogSoftmax', graph(node('LogSoftmax', ['x'], { axis: 1 })), 0],
    ['LayerNormalization', graph(node('LayerNormalization', ['x', 's', 'b'], { axis: -1 }), [
      { name: 's', dtype: 'float32', shape: [1], kind: 'weight', data: [Math.fround(1.7)] },
      { name: 'b', dtype: 'float32', shape: [1], kind: 'weight', data: [bias] },
    ]), bias],
  ];
  const failures: string[] = [];
  for (const [op, g, want] of cases) {
    const o = await runGraph(b, g, { x });
    if (o.kind !== 'ok') {
      if (o.kind !== 'unsupported') failures.push(`${op}: ${o.kind}`);
      continue;
    }
    const y = o.outputs['y']!.data;
    const off = Array.from(y).findIndex((v) => v !== want);
    if (off >= 0) failures.push(`${op} over one element gave ${y[off]} for ${x.data[off]}, not ${want}`);
  }
  return failures;
}
