/**
 * Element limits for `run`: a model may declare or compute tensors far larger than memory (a 1e9 dimension, an
 * Expand to 1e18 elements); they are refused before anything is allocated, naming the tensor, its shape and the limit.
 */
import { findOp } from '../../generators/ops/index.js';
import type { InferInput } from '../../generators/ops/spec.js';
import type { Graph, Tensor } from '../ir/index.js';
import { numel } from '../ir/index.js';
import { checkElementCount, countText, ModelError } from '../onnx/index.js';

/** Constant values shape inference may need (a Reshape target, Expand's shape) are passed up to this size. */
const CONSTANT_DATA_LIMIT = 4096;

class Budget {
  private total = 0;
  constructor(private readonly limit: number) {}
  add(what: string, shape: readonly number[]): void {
    checkElementCount(what, shape, this.limit);
    this.total += numel(shape);
    if (this.total > this.limit) {
      throw new ModelError(`the model's tensors hold more than ${countText(this.limit)} elements together (reached at ${what}, shape [${shape.join(',')}]); run --max-elems N to allow more`);
    }
  }
}

/** Refuses graph inputs whose declared (concrete) shapes exceed the limit: checked before inputs are drawn. */
export function checkDeclaredInputs(graph: Graph, maxElems: number): void {
  const budget = new Budget(maxElems);
  for (const i of graph.initializers) budget.add(`initializer '${i.name}'`, i.shape);
  for (const i of graph.inputs) if (i.shape.every((d) => d >= 0)) budget.add(`input '${i.name}'`, i.shape);
}

/**
 * Refuses a run whose inputs, weights or inferred intermediate tensors exceed the limit, each alone or all together.
 * Intermediate shapes come from the operator specs' shape inference, as far as it goes: a node it cannot infer (an
 * unknown operator, an older opset's form) leaves its outputs unchecked, and the backends judge them.
 */
export function checkRunSizes(graph: Graph, feeds: Readonly<Record<string, Tensor>>, maxElems: number): void {
  const budget = new Budget(maxElems);
  const known = new Map<string, InferInput>();
  for (const i of graph.initializers) {
    budget.add(`initializer '${i.name}'`, i.shape);
    known.set(i.name, { dtype: i.dtype, shape: i.shape, ...(i.data.length <= CONSTANT_DATA_LIMIT ? { data: i.data } : {}) });
  }
  for (const i of graph.inputs) {
    const t = feeds[i.name];
    if (!t) continue;
    budget.add(`input '${i.name}'`, t.shape);
    known.set(i.name, { dtype: t.dtype, shape: t.shape });
  }
  for (const n of graph.nodes) {
    const spec = findOp(n.op);
    if (!spec) continue;
    const ins = n.inputs.map((name) => (name === '' ? undefined : known.get(name)));
    if (ins.some((t, k) => t === undefined && n.inputs[k] !== '')) continue;
    let outs: ReturnType<typeof spec.infer>;
    try {
      outs = spec.infer(ins, n.attrs, graph.opset, n.outputs.length);
    } catch {
      continue; // inference cannot read this node; the backends will
    }
    if (typeof outs === 'string') continue;
    n.outputs.forEach((name, k) => {
      const t = outs[k];
      if (name === '' || !t) return;
      budget.add(`tensor '${name}' (output ${k} of ${n.op} '${n.name}')`, t.shape);
      known.set(name, t);
    });
  }
}
