/** The float64 reference interpreter as a backend. */
import { findOp } from '../../generators/ops/index.js';
import type { Graph, Tensor } from '../ir/index.js';
import { importModel } from '../onnx/index.js';
import { interpret } from '../reference/interpreter.js';
import type { Backend, ModelInput, Session } from './types.js';
import { defineBackend } from './types.js';

const pkgVersion = '1';

export const referenceBackend: Backend = defineBackend({
  name: 'reference',
  version: () => `onnxsmith-reference-${pkgVersion}`,
  available: async () => ({ ok: true }),
  supports(graph: Graph) {
    const missing = [...new Set(graph.nodes.map((n) => n.op).filter((op) => !findOp(op)))];
    return missing.map((op) => `the reference interpreter does not implement ${op}`);
  },
  async prepare(model: ModelInput): Promise<Session> {
    return model.graph ?? importModel(model.bytes, { path: model.path }).graph;
  },
  async run(session: Session, feeds: Readonly<Record<string, Tensor>>, outputNames: readonly string[]) {
    const env = interpret(session as Graph, feeds);
    const out: Record<string, Tensor> = {};
    for (const n of outputNames) {
      const t = env.get(n);
      if (!t) throw new Error(`reference computed no output '${n}'`);
      out[n] = t;
    }
    return out;
  },
});
