import { findOp } from '../../generators/ops/index.js';
import type { Attrs, AttrValue, Graph, Node, Tensor } from '../ir/index.js';
import { broadcastIndex, tensor } from '../ir/index.js';
import { ELEMENTWISE_MAPS } from '../../generators/ops/ranges.js';

/** The reference cannot evaluate this graph (an operator or attribute form it does not implement). */
export class ReferenceUnsupported extends Error {
  override readonly name = 'ReferenceUnsupported';
}

/** Attributes with the spec's defaults filled in; unknown or missing required attributes are errors. */
export function withDefaults(node: Node): Attrs {
  const spec = findOp(node.op);
  if (!spec) throw new ReferenceUnsupported(`reference: operator '${node.op}' is not implemented`);
  const out: Record<string, AttrValue> = {};
  for (const [k, v] of Object.entries(node.attrs)) {
    if (!spec.attributes[k]) {
      throw new ReferenceUnsupported(`reference: ${node.op} attribute '${k}' is not implemented (known: ${Object.keys(spec.attributes).join(', ') || 'none'})`);
    }
    out[k] = v;
  }
  for (const [k, s] of Object.entries(spec.attributes)) {
    if (out[k] !== undefined) continue;
    if (s.default !== undefined) out[k] = s.default;
    else if (s.required) throw new Error(`reference: ${node.op} '${node.name}' lacks required attribute '${k}'`);
  }
  return out;
}

/** Options for `interpret`. */
export interface InterpretOptions {
  /**
   * Perturb every float output of a computing (not `exact`) operator by this relative amount after each node, alternating the sign by element (and by
   * `perturbSign`): an evaluation that shows which values sit so close to a discontinuity (Floor, a comparison,
   * an ArgMax tie, fmod) or amplify error so much that a backend's own rounding could change the result.
   */
  readonly perturb?: Partial<Record<'float32' | 'float64', number>>;
  readonly perturbSign?: 1 | -1;
}

/** Below this magnitude a float32 value is denormal or flushed to zero, depending on the backend. */
const FLOAT32_TINY = 1e-30;

/**
 * The stability check's perturbation of element `i` (value `v`) of a computed float tensor: relative, alternating in
 * sign by element. Non-zero integers are what exact arithmetic produces (a saturated clamp, Floor, a count): backends
 * get them exactly, so they stay; zero is also what cancellation produces (x - mean), so it moves by the absolute term.
 */
function perturbElement(v: number, i: number, dtype: 'float32' | 'float64', rel: number, sign: 1 | -1): number {
  const s = i % 2 === 0 ? sign : -sign;
  const tiny = dtype === 'float32' ? FLOAT32_TINY : 0;
  if (Math.abs(v) < tiny || v === 0) return rel * s;
  return Number.isInteger(v) ? v : v * (1 + rel * s) + rel * s;
}

/**
 * Output `out` of an `op` node perturbed like the stability check does, given the node's inputs. An exact operator
 * (a copy, a selection) rounds nothing. A zero that an elementwise operator computes from a zero (Sqrt(0), 0 * x)
 * or from whole numbers alone (Log(1), 3 - 3) is exact too: only a zero from cancellation moves.
 */
export function perturbOutput(op: string, inputs: readonly (Tensor | undefined)[], out: Tensor, rel: number, sign: 1 | -1): Tensor {
  const spec = findOp(op);
  if (spec?.exact) return out;
  const dtype = out.dtype === 'float64' ? 'float64' : 'float32';
  const map = ELEMENTWISE_MAPS.has(op);
  let reads: { data: Tensor['data']; idx: Int32Array }[] | undefined;
  const data = new Float64Array(out.data.length);
  for (let i = 0; i < data.length; i++) {
    const v = out.data[i]!;
    if (v === 0 && map) {
      reads ??= inputs.flatMap((x) => (x ? [{ data: x.data, idx: broadcastIndex(x.shape, out.shape) }] : []));
      let zero = false;
      let whole = true;
      for (const r of reads) {
        const x = r.data[r.idx[i]!]!;
        if (x === 0) zero = true;
        if (!Number.isInteger(x)) whole = false;
      }
      if (zero || whole) {
        data[i] = v;
        continue;
      }
    }
    data[i] = perturbElement(v, i, dtype, rel, sign);
  }
  return { ...out, data };
}

/**
 * Evaluates a graph in float64 and returns every tensor it computed, intermediates included
 * (the input search and divergence localisation need them). Feeds must cover every graph input.
 */
export function interpret(graph: Graph, feeds: Readonly<Record<string, Tensor>>, opts: InterpretOptions = {}): Map<string, Tensor> {
  const env = new Map<string, Tensor>();
  for (const i of graph.initializers) env.set(i.name, tensor(i.dtype, i.shape, i.data));
  for (const inp of graph.inputs) {
    const t = feeds[inp.name];
    if (!t) throw new Error(`reference: no value fed for graph input '${inp.name}'`);
    env.set(inp.name, t);
  }
  for (const node of graph.nodes) {
    const spec = findOp(node.op);
    if (!spec) throw new ReferenceUnsupported(`reference: operator '${node.op}' is not implemented`);
    const attrs = withDefaults(node);
    const inputs = node.inputs.map((name) => {
      if (name === '') return undefined;
      const t = env.get(name);
      if (!t) throw new Error(`reference: ${node.op} '${node.name}' reads '${name}', which nothing produced`);
      return t;
    });
    const outs = spec.reference(inputs, attrs, graph.opset, node.outputs.length);
    node.outputs.forEach((name, k) => {
      if (name === '') return;
      const t = outs[k];
      if (!t) throw new ReferenceUnsupported(`reference: ${node.op} output ${k} ('${name}') is not implemented`);
      const rel = t.dtype === 'float32' || t.dtype === 'float64' ? opts.perturb?.[t.dtype] : undefined;
      env.set(name, rel === undefined ? t : perturbOutput(node.op, inputs, t, rel, opts.perturbSign ?? 1));
    });
  }
  return env;
}
