/**
 * Structural and type validation of a graph against the operator specs. The generator's own output must always
 * pass; imported models are checked before the reference interpreter runs them.
 */
import type { Graph, TensorType } from '../src/ir/index.js';
import { formatType, numel, sameType } from '../src/ir/index.js';
import { findOp } from './ops/index.js';
import type { InferInput } from './ops/spec.js';

/** Every problem found, as messages naming the node or tensor; empty when the graph is valid. */
export function validateGraph(g: Graph): string[] {
  const errs: string[] = [];
  const known = new Map<string, InferInput>();
  const define = (name: string, t: InferInput, what: string): void => {
    if (name === '') errs.push(`${what} has an empty name`);
    else if (known.has(name)) errs.push(`tensor '${name}' is defined twice (${what})`);
    else known.set(name, t);
  };
  for (const i of g.inputs) define(i.name, i, 'graph input');
  for (const i of g.initializers) {
    if (i.data.length !== numel(i.shape)) errs.push(`initializer '${i.name}' holds ${i.data.length} values for ${formatType(i)}`);
    define(i.name, i.kind === 'constant' ? { dtype: i.dtype, shape: i.shape, data: i.data } : i, 'initializer');
  }
  const declared = new Map<string, TensorType>([...g.valueInfo, ...g.outputs].map((v) => [v.name, v]));
  for (const n of g.nodes) {
    const spec = findOp(n.op);
    if (!spec) {
      errs.push(`node '${n.name}': unknown operator '${n.op}'`);
      continue;
    }
    for (const k of Object.keys(n.attrs)) {
      if (!spec.attributes[k]) errs.push(`node '${n.name}' (${n.op}): unknown attribute '${k}'`);
    }
    const ins = n.inputs.map((name) => {
      if (name === '') return undefined;
      const t = known.get(name);
      if (!t) errs.push(`node '${n.name}' (${n.op}) reads '${name}' before it is defined`);
      return t;
    });
    if (ins.some((t, i) => t === undefined && n.inputs[i] !== '')) continue;
    const outs = spec.infer(ins, n.attrs, g.opset, n.outputs.length);
    if (typeof outs === 'string') {
      errs.push(`node '${n.name}' (${n.op}): ${outs}`);
      continue;
    }
    n.outputs.forEach((name, k) => {
      if (name === '') return;
      const t = outs[k];
      if (!t) {
        errs.push(`node '${n.name}' (${n.op}) has no output ${k}`);
        return;
      }
      const d = declared.get(name);
      if (d && !sameType(d, t)) errs.push(`tensor '${name}' declared ${formatType(d)} but ${n.op} infers ${formatType(t)}`);
      define(name, t, `output of '${n.name}'`);
    });
  }
  for (const o of g.outputs) if (!known.has(o.name)) errs.push(`graph output '${o.name}' is never produced`);
  return errs;
}
