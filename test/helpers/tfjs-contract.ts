/**
 * The harness the tfjs lowering tests share: one-node instances of each operator, sampled forward and backward,
 * run on tfjs-cpu and tfjs-wasm through the backend contract's checkGraph and compared with the reference (the
 * backend contract itself samples only 4 forward instances). TFJS_RUNS=n samples more.
 */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tensorTypeArb } from '../../generators/arb.js';
import type { BuildContext, Instance, OpSpec } from '../../generators/ops/spec.js';
import { forwardArb, singleOpGraph } from '../../generators/single-op.js';
import { createBackend } from '../../src/backends/index.js';
import type { Backend } from '../../src/backends/types.js';
import { checkGraph } from '../../src/conformance/contract.js';
import type { DType, Graph, TensorType } from '../../src/ir/index.js';

/** The tfjs backends every lowering is checked on. */
export const TFJS_BACKENDS = ['tfjs-cpu', 'tfjs-wasm'] as const;

/** The element types tfjs computes in (it has no float64). */
export const TFJS_DTYPES: readonly DType[] = ['float32', 'int32', 'int64', 'bool'];

/** Instances to sample per operator and opset: the TFJS_RUNS environment variable, else `fallback`. */
export function tfjsRuns(fallback: number): number {
  return Number(process.env.TFJS_RUNS ?? fallback);
}

/** Creates the named backend and asserts that it is available (with its reason when not). */
export async function availableBackend(name: string): Promise<Backend> {
  const backend = await createBackend(name);
  const a = await backend.available();
  expect(a.ok, a.ok ? '' : a.reason).toBe(true);
  return backend;
}

/** A sampled one-node instance; forward ones carry the anchor type their operands were built around. */
export interface SampledInstance {
  readonly anchor?: TensorType;
  readonly inst: Instance;
}

/**
 * Up to `runs` forward instances of `spec` (anchors of `ctx.dtypes`, drawn from `runs * 3` samples with `seed`),
 * then up to `runs` backward ones (outputs of `ctx.dtypes` with ranks in `backwardRanks`, drawn from `runs * 2`
 * samples with `seed + 1`; none when the spec has no backward builder).
 */
export function sampleForwardAndBackward(spec: OpSpec, ctx: BuildContext, seed: number, runs: number, backwardRanks: readonly [number, number] = [0, 4]): SampledInstance[] {
  const fwd = fc.sample(forwardArb(spec, ctx), { seed, numRuns: runs * 3 }).filter((s) => ctx.dtypes.includes(s.anchor.dtype));
  const bwdArb = tensorTypeArb(ctx.dtypes, backwardRanks[0], backwardRanks[1], ctx.maxElems).chain((out) => spec.backward?.(out, ctx) ?? fc.constant(undefined));
  const bwd = spec.backward ? fc.sample(bwdArb, { seed: seed + 1, numRuns: runs * 2 }).flatMap((inst) => (inst ? [{ inst }] : [])) : [];
  return [...fwd.slice(0, runs), ...bwd.slice(0, runs)];
}

/** Backend bugs a test knows about: the failures they explain are set aside, and must keep showing. */
export interface KnownTfjsBugs {
  /** Whether a failure of `g` on `backend` is one of the known bugs. */
  readonly explains: (backend: string, g: Graph) => boolean;
  /** For an operator a known bug must still break on `backend`: the message to fail with once none shows. */
  readonly mustStillFail: (backend: string, spec: OpSpec) => string | undefined;
}

/** How one family of tfjs lowerings is sampled, run and judged by {@link describeSampledOnTfjs}. */
export interface SampledOnTfjsOptions {
  /** The title of the describe block for `backend`. */
  readonly title: (backend: string) => string;
  /** The operators, one test each. */
  readonly ops: readonly OpSpec[];
  /** Forward and backward instances to keep per opset (see {@link sampleForwardAndBackward}). */
  readonly runs: number;
  /** The opsets to sample at; each is also the seed of its sample (default [17]). */
  readonly opsets?: readonly number[];
  /** The element types to build (default {@link TFJS_DTYPES}). */
  readonly dtypes?: readonly DType[];
  /** Output ranks of the backward instances of `spec` (default 0 to 4). */
  readonly backwardRanks?: (spec: OpSpec) => readonly [number, number];
  /** Instance graphs left unrun on `backend` (default: those with a float64 input). */
  readonly skip?: (g: Graph, backend: string) => boolean;
  /** The graphs to check for an instance's graph `g` (default `g` alone). */
  readonly variants?: (spec: OpSpec, g: Graph) => readonly Graph[];
  /** Why tfjs would not run `g`; any reason is a failure (the graph is still checked). */
  readonly unsupported?: (g: Graph) => readonly string[];
  /** A failure's line (default: `opset N: why constants=...`, the initializers' data). */
  readonly failureText?: (why: string, g: Graph, opset: number) => string;
  /** Failures the backends are known to produce. */
  readonly knownBugs?: KnownTfjsBugs;
  /**
   * How many instances of each operator must pass: more than `moreThan` or at least `atLeast` (default: more than
   * `runs` times the number of opsets).
   */
  readonly compared?: { readonly moreThan: number } | { readonly atLeast: number };
  /** Each operator test's timeout (default 120 s). */
  readonly timeoutMs?: number;
  /** Declares further tests inside the describe block for `backend`. */
  readonly moreTests?: (backend: string) => void;
}

/** The opsets sampled when a family names none. */
const DEFAULT_OPSETS: readonly number[] = [17];

const hasFloat64Input = (g: Graph): boolean => g.inputs.some((t) => t.dtype === 'float64');

const opsetAndConstants = (why: string, g: Graph, opset: number): string => `opset ${opset}: ${why} constants=${g.initializers.map((c) => JSON.stringify(c.data)).join(' ')}`;

/** Tallies of one operator's sampled instances on one backend. */
interface SampledOutcome {
  compared: number;
  readonly failures: string[];
  readonly knownBugHits: string[];
}

/** Samples `spec` at every opset, runs each instance's graphs on `backend` (named `name`) and tallies the outcomes. */
async function checkSampled(name: string, backend: Backend, spec: OpSpec, o: SampledOnTfjsOptions): Promise<SampledOutcome> {
  const dtypes = o.dtypes ?? TFJS_DTYPES;
  const skip = o.skip ?? hasFloat64Input;
  const failureText = o.failureText ?? opsetAndConstants;
  const outcome: SampledOutcome = { compared: 0, failures: [], knownBugHits: [] };
  for (const opset of o.opsets ?? DEFAULT_OPSETS) {
    const ctx: BuildContext = { opset, maxElems: 128, dtypes };
    for (const [i, { anchor, inst }] of sampleForwardAndBackward(spec, ctx, opset, o.runs, o.backwardRanks?.(spec)).entries()) {
      const g0 = singleOpGraph(spec, inst, anchor, opset);
      if (typeof g0 === 'string') throw new Error(`${spec.onnx}: invalid instance: ${g0}`);
      if (skip(g0, name)) continue;
      for (const g of o.variants?.(spec, g0) ?? [g0]) {
        const why = o.unsupported?.(g) ?? [];
        if (why.length > 0) outcome.failures.push(failureText(`unsupported: ${why.join('; ')}`, g, opset));
        const r = await checkGraph(backend, g, i);
        if (r.status === 'fail') (o.knownBugs?.explains(name, g) ? outcome.knownBugHits : outcome.failures).push(failureText(r.why, g, opset));
        else if (r.status === 'pass') outcome.compared++;
      }
    }
  }
  return outcome;
}

/**
 * For each tfjs backend, a describe block with one test per operator: its sampled instances must show no failure
 * (known bugs aside), enough of them must pass, and every known bug must still show.
 */
export function describeSampledOnTfjs(o: SampledOnTfjsOptions): void {
  const compared = o.compared ?? { moreThan: o.runs * (o.opsets ?? DEFAULT_OPSETS).length };
  for (const name of TFJS_BACKENDS) {
    describe(o.title(name), () => {
      for (const spec of o.ops) {
        it(
          spec.onnx,
          async () => {
            const backend = await availableBackend(name);
            const r = await checkSampled(name, backend, spec, o);
            expect(r.failures).toEqual([]);
            if ('atLeast' in compared) expect(r.compared).toBeGreaterThanOrEqual(compared.atLeast);
            else expect(r.compared).toBeGreaterThan(compared.moreThan);
            const stillFails = o.knownBugs?.mustStillFail(name, spec);
            if (stillFails !== undefined) expect(r.knownBugHits.length, stillFails).toBeGreaterThan(0);
          },
          o.timeoutMs ?? 120_000,
        );
      }
      o.moreTests?.(name);
    });
  }
}
