/**
 * tfjs backends. tfjs has no ONNX importer: graphs are lowered node by node through each operator spec's `tfjs`
 * lowering. tfjs has no float64 and no int64: float64 graphs are unsupported, int64 tensors are computed as int32
 * (values the generator draws are small). tfjs-node is optional: its install downloads libtensorflow, so it is
 * used when present and reported unavailable, with the reason, when not.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type * as tfjs from '@tensorflow/tfjs-core';
import { findOp } from '../../generators/ops/index.js';
import type { TfjsContext } from '../../generators/ops/spec.js';
import type { Graph, Node, Tensor, TensorType } from '../ir/index.js';
import { importModel } from '../onnx/index.js';
import { withDefaults } from '../reference/interpreter.js';
import { nodeDtype, tfjsKernelGap } from './kernel-gaps.js';
import { TFJS_FLAVOURS, withVersion, type TfjsFlavour } from './names.js';
import type { Availability, Backend, ModelInput, Session } from './types.js';
import { defineBackend, errorText } from './types.js';

export { TFJS_FLAVOURS, type TfjsFlavour };

const require_ = createRequire(import.meta.url);

function installedVersion(pkg: string): string | undefined {
  try {
    return (require_(`${pkg}/package.json`) as { version: string }).version;
  } catch {
    return undefined;
  }
}

type TF = typeof tfjs;

/** Loads tfjs-core with the flavour's backend registered and selected. */
async function loadTf(flavour: TfjsFlavour): Promise<TF> {
  const cfg = TFJS_FLAVOURS[flavour];
  let tf: TF;
  if (flavour === 'tfjs-node') {
    // tfjs-node bundles its own tfjs-core and registers the 'tensorflow' backend on import
    tf = require_('@tensorflow/tfjs-node') as TF;
  } else {
    tf = (await import('@tensorflow/tfjs-core')) as TF;
    if (flavour === 'tfjs-cpu') await import('@tensorflow/tfjs-backend-cpu');
    else {
      const wasm = (await import('@tensorflow/tfjs-backend-wasm')) as { setWasmPaths(p: string): void };
      wasm.setWasmPaths(`${dirname(require_.resolve('@tensorflow/tfjs-backend-wasm/package.json'))}/dist/`);
    }
  }
  if (!(await tf.setBackend(cfg.tfBackend))) throw new Error(`tfjs could not initialise its ${cfg.tfBackend} backend`);
  await tf.ready();
  quietCpuBackend(tf);
  return tf;
}

/**
 * tfjs's cpu backend greets every Node.js process on its first tensor with a banner recommending tfjs-node; in
 * a fuzzer's output that is noise (tfjs-node is its own backend here), so it is marked as already shown.
 */
export function quietCpuBackend(tf: TF): void {
  const b = tf.engine().registry.cpu as { firstUse?: boolean } | undefined;
  if (b && 'firstUse' in b) b.firstUse = false;
}

function typeMap(graph: Graph): Map<string, TensorType> {
  const types = new Map<string, TensorType>();
  for (const v of [...graph.inputs, ...graph.initializers, ...graph.valueInfo, ...graph.outputs]) types.set(v.name, v);
  return types;
}

function contextOf(graph: Graph, n: Node, types: Map<string, TensorType>, constants: Map<string, readonly number[]>): TfjsContext {
  return {
    inputTypes: n.inputs.map((x) => (x === '' ? undefined : types.get(x))),
    outputTypes: n.outputs.map((x) => types.get(x)!),
    constants: n.inputs.map((x) => constants.get(x)),
    opset: graph.opset,
  };
}

function constantsOf(graph: Graph): Map<string, readonly number[]> {
  // weights count too: their values are fixed once the model is loaded (imported models mark every initializer a weight)
  return new Map(graph.initializers.map((i) => [i.name, i.data]));
}

/** Why tfjs cannot run this graph: element types it lacks, operators or attribute forms without a lowering. */
export function tfjsUnsupported(graph: Graph): string[] {
  const reasons = new Set<string>();
  const all = [...graph.inputs, ...graph.initializers, ...graph.valueInfo, ...graph.outputs];
  if (all.some((v) => v.dtype === 'float64')) reasons.add('tfjs has no float64');
  const types = typeMap(graph);
  const constants = constantsOf(graph);
  for (const n of graph.nodes) {
    const spec = findOp(n.op);
    if (!spec) reasons.add(`${n.op} is unknown to onnxsmith`);
    else if (!spec.tfjs) reasons.add(`${n.op} has no tfjs lowering yet`);
    else if ('unsupported' in spec.tfjs) reasons.add(`${n.op}: ${spec.tfjs.unsupported}`);
    else {
      const why = spec.tfjs.supports?.(withDefaults(n), contextOf(graph, n, types, constants));
      if (why) reasons.add(`${n.op}: ${why}`);
    }
  }
  return [...reasons];
}

function tfDtype(t: TensorType): 'float32' | 'int32' | 'bool' {
  return t.dtype === 'bool' ? 'bool' : t.dtype === 'float32' || t.dtype === 'float64' ? 'float32' : 'int32';
}

/** A tfjs tensor holding `t` (int64 as int32, bool as 0/1 bytes). */
export function toTf(tf: TF, t: Tensor): tfjs.Tensor {
  const dt = tfDtype(t);
  const data = dt === 'float32' ? Float32Array.from(t.data) : dt === 'int32' ? Int32Array.from(t.data) : Uint8Array.from(t.data, (v) => (v ? 1 : 0));
  return tf.tensor(data, [...t.shape], dt);
}

/** Wraps one node's lowering (the input search swaps in proxy gradients this way). */
export type LoweringWrap = (node: Node, lower: (inputs: readonly (tfjs.Tensor | undefined)[]) => tfjs.Tensor[]) => (inputs: readonly (tfjs.Tensor | undefined)[]) => tfjs.Tensor[];

/**
 * Evaluates `nodes` of the graph eagerly on tfjs, reading and extending `env` (tensor name → tfjs tensor).
 * Callers own the tidy scope.
 */
export function evalTfjsNodes(tf: TF, graph: Graph, nodes: readonly Node[], env: Map<string, tfjs.Tensor>, wrap?: LoweringWrap, gapBackend?: string): void {
  const types = typeMap(graph);
  const constants = constantsOf(graph);
  for (const n of nodes) {
    const spec = findOp(n.op);
    const lowering = spec?.tfjs;
    if (!lowering || 'unsupported' in lowering) throw new Error(`${n.op} has no tfjs lowering`);
    const ctx = contextOf(graph, n, types, constants);
    const attrs = withDefaults(n);
    const base = (inputs: readonly (tfjs.Tensor | undefined)[]): tfjs.Tensor[] => lowering.lower(tf, inputs, attrs, ctx);
    const inputs = n.inputs.map((x) => (x === '' ? undefined : env.get(x)));
    let outs: tfjs.Tensor[];
    try {
      outs = (wrap ? wrap(n, base) : base)(inputs);
    } catch (e) {
      if (gapBackend === undefined) throw e;
      // the kernel refused types the graph declares: a gap of this backend for this node, not a wrong answer
      const asDeclared = n.inputs.every((x, k) => x === '' || (types.has(x) && inputs[k]?.dtype === tfDtype(types.get(x)!)));
      throw tfjsKernelGap(e, n, nodeDtype(n, types), asDeclared, gapBackend) ?? e;
    }
    n.outputs.forEach((name, k) => {
      const t = outs[k];
      if (name !== '' && t) env.set(name, t);
    });
  }
}

/** tfjs tensors for the graph's initializers and the given feeds. */
export function leafTensors(tf: TF, graph: Graph, feeds: Readonly<Record<string, Tensor>>): Map<string, tfjs.Tensor> {
  const env = new Map<string, tfjs.Tensor>();
  for (const i of graph.initializers) env.set(i.name, toTf(tf, { dtype: i.dtype, shape: i.shape, data: Float64Array.from(i.data) }));
  for (const i of graph.inputs) env.set(i.name, toTf(tf, feeds[i.name]!));
  return env;
}

/** Executes the graph eagerly, node by node, inside one tidy scope; returns the graph outputs. With `gapBackend`
 * (`flavour@version`), a kernel tfjs lacks for a node's declared types is thrown as a KernelGapError. */
export function runTfjsGraph(tf: TF, graph: Graph, feeds: Readonly<Record<string, Tensor>>, outputNames: readonly string[], gapBackend?: string): Record<string, Tensor> {
  const types = typeMap(graph);
  const results = tf.tidy(() => {
    const env = leafTensors(tf, graph, feeds);
    evalTfjsNodes(tf, graph, graph.nodes, env, undefined, gapBackend);
    return outputNames.map((name) => {
      const t = env.get(name);
      if (!t) throw new Error(`tfjs lowering produced no output '${name}'`);
      return t;
    });
  });
  const out: Record<string, Tensor> = {};
  outputNames.forEach((name, k) => {
    const t = results[k]!;
    const declared = types.get(name);
    const data = Float64Array.from(t.dataSync() as ArrayLike<number>);
    out[name] = { dtype: declared?.dtype ?? (t.dtype === 'bool' ? 'bool' : t.dtype === 'int32' ? 'int32' : 'float32'), shape: [...t.shape], data };
  });
  // two outputs can be one tensor object (a lowering that returns its input): dispose each once, after reading all
  for (const t of new Set(results)) t.dispose();
  return out;
}

export function tfjsBackend(flavour: TfjsFlavour): Backend {
  const cfg = TFJS_FLAVOURS[flavour];
  const version = installedVersion(cfg.pkg);
  let tf: Promise<TF> | undefined;
  const load = (): Promise<TF> => (tf ??= loadTf(flavour));
  return defineBackend({
    name: flavour,
    version: () => version ?? 'not installed',
    async available(): Promise<Availability> {
      if (!version) {
        return flavour === 'tfjs-node'
          ? { ok: false, reason: '@tensorflow/tfjs-node is not installed (its install downloads libtensorflow; install it where that host is reachable)' }
          : { ok: false, reason: `${cfg.pkg} is not installed` };
      }
      try {
        await load();
        return { ok: true };
      } catch (e) {
        return { ok: false, reason: `tfjs ${cfg.tfBackend} backend failed to start: ${errorText(e)}` };
      }
    },
    supports: tfjsUnsupported,
    async prepare(model: ModelInput): Promise<Session> {
      await load();
      return model.graph ?? importModel(model.bytes, { path: model.path }).graph;
    },
    async run(session: Session, feeds: Readonly<Record<string, Tensor>>, outputNames: readonly string[]) {
      const tf = await load();
      // tfjs-cpu and tfjs-wasm share one tfjs engine when they live in one process: select ours every time
      if (tf.getBackend() !== cfg.tfBackend) await tf.setBackend(cfg.tfBackend);
      return runTfjsGraph(tf, session as Graph, feeds, outputNames, withVersion(flavour, version ?? '?'));
    },
  });
}
