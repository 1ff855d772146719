import { findOp } from '../../generators/ops/index.js';
import type { Tensor } from '../ir/index.js';
import { interpret, ReferenceUnsupported } from '../reference/interpreter.js';
import type { NodeTestCase } from './node-tests.js';
import { allClose } from './node-tests.js';

export type NodeTestVerdict =
  | { readonly status: 'pass' }
  | { readonly status: 'mismatch'; readonly detail: string }
  | { readonly status: 'unsupported'; readonly detail: string }
  | { readonly status: 'error'; readonly detail: string };

/** Runs one ONNX node test on the reference interpreter. */
export function runNodeTestOnReference(c: NodeTestCase): NodeTestVerdict {
  if (!c.graph) return { status: 'unsupported', detail: c.importError ?? 'not importable' };
  const missing = c.ops.filter((o) => !findOp(o));
  if (missing.length > 0) return { status: 'unsupported', detail: `operators not implemented: ${[...new Set(missing)].join(', ')}` };
  const g = c.graph;
  for (const [si, set] of c.sets.entries()) {
    const feeds: Record<string, Tensor> = {};
    g.inputs.forEach((inp, i) => {
      const t = set.inputs[i];
      if (t) feeds[inp.name] = t;
    });
    let env: Map<string, Tensor>;
    try {
      env = interpret(g, feeds);
    } catch (e) {
      if (e instanceof ReferenceUnsupported) return { status: 'unsupported', detail: e.message };
      return { status: 'error', detail: (e as Error).message };
    }
    for (const [oi, out] of g.outputs.entries()) {
      const exp = set.outputs[oi];
      const act = env.get(out.name);
      if (!exp || !act) return { status: 'error', detail: `set ${si}: output '${out.name}' missing` };
      const why = allClose(exp, act);
      if (why) return { status: 'mismatch', detail: `set ${si} output '${out.name}': ${why}` };
    }
  }
  return { status: 'pass' };
}
