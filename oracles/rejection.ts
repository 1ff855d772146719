import { defineOracle } from './types.js';

/** Every generated model is valid ONNX that the reference runs: refusing to load or run it is a finding. */
export const rejectionOracle = defineOracle({
  name: 'rejection',
  appliesTo: (o) => o.kind === 'load-error' || o.kind === 'run-error',
  judge(o) {
    if (o.kind !== 'load-error' && o.kind !== 'run-error') return { kind: 'pass' };
    return { kind: 'fail', symptom: o.kind, stage: o.stage, detail: o.message };
  },
});
