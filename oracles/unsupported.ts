import { defineOracle } from './types.js';

/** A backend that says up front it cannot run the graph is skipped, not blamed. */
export const unsupportedOracle = defineOracle({
  name: 'unsupported',
  appliesTo: (o) => o.kind === 'unsupported',
  judge(o) {
    return { kind: 'skip', reason: o.kind === 'unsupported' ? o.reasons.join('; ') : 'unsupported' };
  },
});
