/** The oracle registry, in the order they are asked; the first that applies judges the outcome. */
import type { Outcome } from '../src/backends/types.js';
import { crashOracle } from './crash.js';
import { rejectionOracle } from './rejection.js';
import { timeoutOracle } from './timeout.js';
import type { Oracle, OracleContext, Verdict } from './types.js';
import { unsupportedOracle } from './unsupported.js';
import { valuesOracle } from './values.js';

export const ORACLES: readonly Oracle[] = [unsupportedOracle, crashOracle, timeoutOracle, rejectionOracle, valuesOracle];

/** The verdict on one backend's outcome. */
export function judge(outcome: Outcome, ctx: OracleContext): Verdict {
  for (const o of ORACLES) if (o.appliesTo(outcome)) return o.judge(outcome, ctx);
  return { kind: 'pass' };
}

export type { Oracle, OracleContext, Symptom, Verdict } from './types.js';
