/**
 * The contract every operator spec must satisfy (the fast-check "ArbitraryAssertions" idea): instances built
 * forward and backward infer valid types, and the reference kernel produces exactly those types. The contract tier
 * also passes `backend` (test/helpers/ort-compare.ts): onnxruntime-node accepts each one-node model and computes
 * the same values. The unit tier runs the same instances without it.
 */
import * as fc from 'fast-check';
import { xoroshiro128plus as xoroshiro } from 'pure-rand/generator/xoroshiro128plus';
import { expect } from 'vitest';
import { tensorTypeArb } from '../../generators/arb.js';
import { forwardArb, singleOpGraph } from '../../generators/single-op.js';
import type { BuildContext, Instance, OpSpec } from '../../generators/ops/spec.js';
import { sampleTensor } from '../../generators/values.js';
import type { Graph, Tensor, TensorType } from '../../src/ir/index.js';
import { DTYPES, formatType, numel } from '../../src/ir/index.js';
import { interpret } from '../../src/reference/interpreter.js';

/**
 * Runs one instance's graph on a backend and compares it with the reference's values `env`; `where` names the
 * instance in failure messages.
 */
export type BackendCheck = (g: Graph, feeds: Readonly<Record<string, Tensor>>, env: ReadonlyMap<string, Tensor>, where: string, o: ContractOptions) => Promise<void>;

export interface ContractOptions {
  readonly runs?: number;
  readonly seed?: number;
  readonly opset?: number;
  readonly maxElems?: number;
  /** Runs each instance on a backend too (none: the reference alone). */
  readonly backend?: BackendCheck;
  /** Relative/absolute tolerance for float outputs against the backend. */
  readonly rtol?: number;
  readonly atol?: number;
}

function ctxOf(o: ContractOptions): BuildContext {
  return { opset: o.opset ?? 17, maxElems: o.maxElems ?? 256, dtypes: DTYPES };
}

function feedsFor(g: Graph, spec: OpSpec, inst: Instance, anchor: TensorType | undefined, seed: number): Record<string, Tensor> {
  const rng = new fc.Random(xoroshiro(seed));
  const types = inst.inputs.map((o) => (o.kind === 'anchor' ? anchor! : o.kind === 'tensor' ? o.type : undefined));
  const present = types.filter((t): t is TensorType => t !== undefined);
  const dom = spec.domain?.(present, inst.attrs) ?? [];
  const feeds: Record<string, Tensor> = {};
  for (const inp of g.inputs) {
    const idx = Number(inp.name.slice(2));
    feeds[inp.name] = sampleTensor(rng, inp, dom.filter((c) => c.input === idx));
  }
  return feeds;
}

async function checkOne(spec: OpSpec, inst: Instance, anchor: TensorType | undefined, o: ContractOptions, seed: number): Promise<void> {
  const ctx = ctxOf(o);
  const g = singleOpGraph(spec, inst, anchor, ctx.opset);
  expect(typeof g, `${spec.onnx} infer rejected its own instance: ${String(g)} attrs=${JSON.stringify(inst.attrs)}`).toBe('object');
  if (typeof g === 'string') return;
  for (const out of g.outputs) {
    expect(out.shape.every((d) => Number.isInteger(d) && d >= 0), `bad inferred shape ${formatType(out)}`).toBe(true);
  }
  for (const t of [...g.inputs, ...g.initializers, ...g.outputs]) {
    expect(numel(t.shape), `${spec.onnx}: ${t.name} ${formatType(t)} exceeds maxElems ${ctx.maxElems}`).toBeLessThanOrEqual(ctx.maxElems);
  }
  const feeds = feedsFor(g, spec, inst, anchor, seed);
  const env = interpret(g, feeds);
  const where = `${spec.onnx} inputs=${g.inputs.map(formatType).join(' ')} attrs=${JSON.stringify(inst.attrs)}`;
  for (const out of g.outputs) {
    const t = env.get(out.name)!;
    expect(t.dtype, `${where}: reference dtype`).toBe(out.dtype);
    expect([...t.shape], `${where}: reference shape`).toEqual([...out.shape]);
  }
  await o.backend?.(g, feeds, env, where, o);
}

/** Checks the contract for forward instances and, when the spec has one, backward instances. */
export async function checkOpContract(spec: OpSpec, o: ContractOptions = {}): Promise<void> {
  const ctx = ctxOf(o);
  const params = { numRuns: o.runs ?? 60, seed: o.seed ?? 42, endOnFailure: true };
  await fc.assert(
    fc.asyncProperty(forwardArb(spec, ctx), fc.integer(), async ({ anchor, inst }, seed) => checkOne(spec, inst, anchor, o, seed)),
    params,
  );
  if (!spec.backward) return;
  // targets of any dtype: backward() says when it cannot produce one (comparisons produce bool from numbers)
  const outArb = tensorTypeArb(DTYPES, 0, 4, ctx.maxElems).chain((out) => {
    const b = spec.backward!(out, ctx);
    return b ? b.map((inst) => ({ out, inst: inst as Instance | undefined })) : fc.constant({ out, inst: undefined as Instance | undefined });
  });
  await fc.assert(
    fc.asyncProperty(outArb, fc.integer(), async ({ out, inst }, seed) => {
      if (!inst) return;
      const g = singleOpGraph(spec, inst, undefined, ctx.opset);
      expect(typeof g, `${spec.onnx} backward instance rejected: ${String(g)}`).toBe('object');
      if (typeof g === 'string') return;
      expect(g.outputs[0]!.dtype).toBe(out.dtype);
      expect([...g.outputs[0]!.shape], `${spec.onnx} backward for ${formatType(out)} attrs=${JSON.stringify(inst.attrs)}`).toEqual([...out.shape]);
      await checkOne(spec, inst, undefined, o, seed);
    }),
    params,
  );
}
