import { compareTensor } from './closeness.js';
import { tieTolerantMatch } from './ties.js';
import { pathTolerances, toleranceFor } from './tolerance.js';
import { defineOracle, type Verdict } from './types.js';

/** Outputs must have the reference's dtype and shape, the same NaN/Inf positions, and values within tolerance. */
export const valuesOracle = defineOracle({
  name: 'values',
  appliesTo: (o) => o.kind === 'ok',
  judge(o, ctx): Verdict {
    if (o.kind !== 'ok') return { kind: 'pass' };
    const tols = pathTolerances(ctx.graph, ctx.tolerances);
    for (const out of ctx.graph.outputs) {
      const exp = ctx.expected[out.name];
      const act = o.outputs[out.name];
      if (!exp) continue;
      if (!act) return { kind: 'fail', symptom: 'shape', stage: 'run', detail: `output '${out.name}' missing` };
      const c = compareTensor(out.name, exp, act, tols.get(out.name) ?? toleranceFor(exp.dtype, ctx.tolerances));
      if (c.verdict === 'match') continue;
      if (c.verdict === 'mismatch' && tieTolerantMatch(ctx.graph, out.name, exp, act, ctx.env, ctx.tolerances)) continue;
      const symptom = c.verdict === 'mismatch' ? 'wrong-value' : c.verdict;
      const detail =
        c.detail ??
        `output '${out.name}': ${c.badElements} element(s) off, max abs ${c.maxAbs.toPrecision(3)}, max rel ${c.maxRel.toPrecision(3)}` +
          (c.firstBad ? `; element ${c.firstBad.index}: ${c.firstBad.exact?.actual ?? c.firstBad.actual} vs expected ${c.firstBad.exact?.expected ?? c.firstBad.expected}` : '');
      return { kind: 'fail', symptom, stage: 'run', detail, comparison: c };
    }
    return { kind: 'pass' };
  },
});
