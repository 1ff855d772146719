import { defineOracle } from './types.js';

/** A backend that gives no result within the case's time limit (a hang or a pathological slowdown). */
export const timeoutOracle = defineOracle({
  name: 'timeout',
  appliesTo: (o) => o.kind === 'timeout',
  judge(o) {
    if (o.kind !== 'timeout') return { kind: 'pass' };
    return { kind: 'fail', symptom: 'timeout', stage: o.stage, detail: `no result within ${o.limitMs} ms` };
  },
});
