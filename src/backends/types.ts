/**
 * The backend interface. A backend loads an ONNX model and runs it; everything that can go wrong is an
 * Outcome, never an exception crossing into the harness. Isolation (worker processes), time limits and restarts
 * wrap backends from outside (see isolated.ts); backends themselves stay small.
 */
import type { Graph, Tensor } from '../ir/index.js';
import { isWellFormedName } from './names.js';

export type Stage = 'load' | 'run';

/** Per-stage wall times in milliseconds. */
export interface Timings {
  readonly loadMs: number;
  readonly runMs: number;
}

/** What running one model on one backend produced. */
export type Outcome =
  | { readonly kind: 'ok'; readonly outputs: Readonly<Record<string, Tensor>>; readonly timings: Timings }
  /** The backend refused the model (session creation / compilation failed). */
  | { readonly kind: 'load-error'; readonly stage: 'load'; readonly message: string }
  /** The model loaded but running it failed with an error the backend reported. */
  | { readonly kind: 'run-error'; readonly stage: 'run'; readonly message: string }
  /** The worker process died: a segfault, an abort, out of memory. */
  | { readonly kind: 'crash'; readonly stage: Stage; readonly signal?: string; readonly exitCode?: number; readonly message: string }
  | { readonly kind: 'timeout'; readonly stage: Stage; readonly limitMs: number }
  /** The backend declared up front that it cannot run this graph, or has no kernel for a node of it (not a finding). */
  | { readonly kind: 'unsupported'; readonly reasons: readonly string[]; readonly kernelGap?: KernelGap };

/** A backend release without a kernel for an operator on some element types (kernel-gaps.ts). */
export interface KernelGap {
  /** `flavour@version`. */
  readonly backend: string;
  /** `Op(since):dtypes` for onnxruntime, `Op:dtypes` for tfjs. */
  readonly key: string;
  readonly op: string;
  readonly since?: number;
  readonly dtype: string;
  /** The backend's own words, from the node alone. */
  readonly message: string;
}

export type Availability = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** A model as backends receive it: bytes, the file they came from, and the IR when onnxsmith has it. */
export interface ModelInput {
  readonly bytes: Uint8Array;
  /** A file holding exactly `bytes` (older onnxruntime-node releases ignore session options for buffers). */
  readonly path: string;
  readonly graph?: Graph;
}

/** A loaded model; opaque to the harness. */
export type Session = unknown;

/** One backend, as declared by `defineBackend`. Methods may throw: the runner turns throws into Outcomes. */
export interface Backend {
  /** The name users write (`ort-node-cpu`, `ort-node-cpu@1.12.1`, `command:/path/to/tool`). */
  readonly name: string;
  /** Version of the runtime behind it (package version or the command's own). */
  version(): string;
  /** Whether it can run here; probes (loads the runtime, opens a device) may take a moment. */
  available(): Promise<Availability>;
  /** Why this graph cannot run here; empty when it can. */
  supports(graph: Graph): string[];
  prepare(model: ModelInput): Promise<Session>;
  run(session: Session, feeds: Readonly<Record<string, Tensor>>, outputNames: readonly string[]): Promise<Record<string, Tensor>>;
  release?(session: Session): Promise<void>;
}

/** Declares a backend; validates the name once so a typo fails at load. */
export function defineBackend(b: Backend): Backend {
  if (!isWellFormedName(b.name)) {
    throw new Error(`defineBackend: bad backend name '${b.name}' (lower-kebab, optionally @version)`);
  }
  return b;
}

/** Runs prepare + run in-process, turning exceptions into Outcomes (crashes and hangs need isolation). */
export async function runInProcess(
  b: Backend,
  model: ModelInput,
  feeds: Readonly<Record<string, Tensor>>,
  outputNames: readonly string[],
  onStage?: (s: Stage) => void,
): Promise<Outcome> {
  if (model.graph) {
    const reasons = b.supports(model.graph);
    if (reasons.length > 0) return { kind: 'unsupported', reasons };
  }
  const t0 = performance.now();
  let session: Session;
  try {
    session = await b.prepare(model);
  } catch (e) {
    return kernelGapOutcome(e) ?? { kind: 'load-error', stage: 'load', message: errorText(e) };
  }
  const t1 = performance.now();
  onStage?.('run');
  try {
    const outputs = await b.run(session, feeds, outputNames);
    const t2 = performance.now();
    return { kind: 'ok', outputs, timings: { loadMs: t1 - t0, runMs: t2 - t1 } };
  } catch (e) {
    return thrownOutcome(e);
  } finally {
    try {
      await b.release?.(session);
    } catch {
      // a failing release must not hide the outcome
    }
  }
}

/** A KernelGapError (kernel-gaps.ts) as the outcome it stands for. */
function kernelGapOutcome(e: unknown): Outcome | undefined {
  const g = e as { name?: string; gap?: KernelGap };
  return g.name === 'KernelGap' && g.gap ? { kind: 'unsupported', reasons: [errorText(e)], kernelGap: g.gap } : undefined;
}

/** Backends that manage their own processes throw these; anything else thrown by run() is a run error. */
function thrownOutcome(e: unknown): Outcome {
  const gap = kernelGapOutcome(e);
  if (gap) return gap;
  const crash = e as { name?: string; stage?: Stage; signal?: string; exitCode?: number };
  if (crash.name === 'BackendCrash') {
    return {
      kind: 'crash',
      stage: crash.stage ?? 'run',
      ...(crash.signal ? { signal: crash.signal } : {}),
      ...(crash.exitCode !== undefined ? { exitCode: crash.exitCode } : {}),
      message: errorText(e),
    };
  }
  if (crash.name === 'BackendRejection') return { kind: 'load-error', stage: 'load', message: errorText(e) };
  // the reference met something it cannot compute exactly (an int64 beyond 2^53 through an operator it cannot follow)
  if (crash.name === 'ReferenceUnsupported') return { kind: 'unsupported', reasons: [errorText(e)] };
  return { kind: 'run-error', stage: 'run', message: errorText(e) };
}

/** One-line error text without ANSI colour codes. */
export function errorText(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
   
  return msg.replace(/\u001b\[[0-9;]*m/g, '').trim();
}
