/**
 * Oracles judge one backend's outcome for a case. Each oracle is a small declaration in its own file,
 * registered in oracles/index.ts; the first oracle that applies gives the verdict.
 */
import type { Outcome } from '../src/backends/types.js';
import type { DType, Graph, Tensor } from '../src/ir/index.js';
import type { OutputComparison } from './closeness.js';
import type { Tolerance } from './tolerance.js';

export type Symptom = 'wrong-value' | 'nan-inf' | 'shape' | 'dtype' | 'crash' | 'timeout' | 'load-error' | 'run-error';

export type Verdict =
  | { readonly kind: 'pass' }
  /** Not comparable: the backend declared it cannot run the graph, or is unavailable. */
  | { readonly kind: 'skip'; readonly reason: string }
  | {
      readonly kind: 'fail';
      readonly symptom: Symptom;
      readonly stage: 'load' | 'run';
      readonly detail: string;
      /** For value symptoms: the first output that differs, with its numbers. */
      readonly comparison?: OutputComparison;
    };

export interface OracleContext {
  readonly graph: Graph;
  /** Outputs the backend is expected to produce (the reference's). */
  readonly expected: Readonly<Record<string, Tensor>>;
  readonly tolerances: Partial<Record<DType, Tolerance>>;
  /** Every tensor the reference computed, intermediates included (index outputs are judged against their input). */
  readonly env?: ReadonlyMap<string, Tensor>;
}

export interface Oracle {
  readonly name: string;
  appliesTo(outcome: Outcome): boolean;
  judge(outcome: Outcome, ctx: OracleContext): Verdict;
}

export function defineOracle(o: Oracle): Oracle {
  return Object.freeze(o);
}
