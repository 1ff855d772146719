import { defineOracle } from './types.js';

/** A worker that died (segfault, abort, out of memory) is always a finding. */
export const crashOracle = defineOracle({
  name: 'crash',
  appliesTo: (o) => o.kind === 'crash',
  judge(o) {
    if (o.kind !== 'crash') return { kind: 'pass' };
    return { kind: 'fail', symptom: 'crash', stage: o.stage, detail: `${o.signal ?? `exit code ${o.exitCode ?? '?'}`}: ${o.message}` };
  },
});
