/**
 * Kernel gaps: a backend that has no kernel for an operator and element type rejects the model, which says nothing
 * about its correctness. Such a rejection becomes an `unsupported` outcome, but only when the operator it names is
 * a node of the model with those types and the node alone is refused the same way (a one-node probe, learned once
 * per backend version: kernel-gap-cache.ts). An optimiser that creates a node without a kernel (QuickGelu fused from
 * float64 x*Sigmoid(x)) names a node the model lacks, or one whose probe loads: that stays a finding.
 */
import { findOp } from '../../generators/ops/index.js';
import type { Graph, Initializer, Node, TensorType, ValueInfo } from '../ir/index.js';
import { importModel } from '../onnx/index.js';
import { cachedKernel, rememberKernel } from './kernel-gap-cache.js';
import type { KernelGap, ModelInput } from './types.js';
import { errorText } from './types.js';

/** Thrown by a backend's prepare or run for a confirmed kernel gap; runInProcess makes it an `unsupported` outcome. */
export class KernelGapError extends Error {
  override readonly name = 'KernelGap';
  /** `said`: the backend's error for the model itself (the gap's message is the probe's, the same for every model). */
  constructor(
    readonly gap: KernelGap,
    said: string,
  ) {
    super(`${gap.backend} has no kernel for ${gap.op}${gap.since !== undefined ? `(${gap.since})` : ''} on ${gap.dtype}: ${said}`);
  }
}

/** What an onnxruntime missing-kernel error names. */
export interface OrtMissingKernel {
  readonly domain: string;
  readonly op: string;
  readonly since: number;
  readonly node: string;
}

// 1.12: "Could not find an implementation for Cos(7) node with name 'n3'"
const ORT_OLD = /Could not find an implementation for ([\w.]+)\((\d+)\) node with name '([^']*)'/;
// later releases: "Failed to find kernel for com.microsoft.QuickGelu(1) (node:'mul/QuickGeluFusion/' ep:'CPUExecutionProvider')"
const ORT_NEW = /Failed to find kernel for ([\w.]+)\((\d+)\) \(node:'([^']*)' ep:/;

/** The operator and node an onnxruntime (node or web) missing-kernel message names, if it is one. */
export function parseOrtMissingKernel(message: string): OrtMissingKernel | undefined {
  const m = ORT_OLD.exec(message) ?? ORT_NEW.exec(message);
  if (!m) return undefined;
  const qualified = m[1]!;
  const dot = qualified.lastIndexOf('.');
  return { domain: dot < 0 ? '' : qualified.slice(0, dot), op: qualified.slice(dot + 1), since: Number(m[2]), node: m[3]! };
}

/** Every tensor's type: declared ones, then what the operator specs infer for undeclared node outputs. */
export function tensorTypes(graph: Graph): Map<string, TensorType & { data?: readonly number[] }> {
  const types = new Map<string, TensorType & { data?: readonly number[] }>();
  for (const v of [...graph.inputs, ...graph.valueInfo, ...graph.outputs]) types.set(v.name, v);
  // small constants feed shape inference (a Reshape target); big ones only their type
  for (const i of graph.initializers) types.set(i.name, i.data.length <= 64 ? i : { dtype: i.dtype, shape: i.shape });
  for (const n of graph.nodes) {
    if (n.outputs.every((o) => o === '' || types.has(o))) continue;
    const spec = findOp(n.op);
    const ins = n.inputs.map((x) => (x === '' ? undefined : types.get(x)));
    if (!spec || ins.some((t, k) => t === undefined && n.inputs[k] !== '')) continue;
    let outs: TensorType[] | string;
    try {
      outs = spec.infer(ins, n.attrs, graph.opset, n.outputs.length);
    } catch {
      continue; // an imported node inference cannot read: its outputs stay unknown
    }
    if (typeof outs === 'string') continue;
    n.outputs.forEach((o, k) => {
      const t = outs[k];
      if (o !== '' && t && !types.has(o)) types.set(o, t);
    });
  }
  return types;
}

/**
 * A node's element types as a kernel registry sees them: its inputs' types in order (repeats once), then `→` and the
 * output types its inputs do not already show (Cast float64→int32, Less float32→bool). Undefined when one is unknown.
 */
export function nodeDtype(node: Node, types: ReadonlyMap<string, TensorType>): string | undefined {
  const of = (names: readonly string[]): string[] | undefined => {
    const ts = names.filter((x) => x !== '').map((x) => types.get(x)?.dtype);
    return ts.every((t) => t !== undefined) ? (ts as string[]) : undefined;
  };
  const ins = of(node.inputs);
  const outs = of(node.outputs);
  if (!ins || !outs) return undefined;
  const seen = [...new Set(ins)];
  const extra = [...new Set(outs)].filter((t) => !seen.includes(t));
  return seen.join(',') + (extra.length ? `→${extra.join(',')}` : '');
}

/** The name the probe gives its one node, so its own error can be told from others. */
export const PROBE_NODE = 'kernel-probe';

/**
 * `node` alone: its computed inputs become graph inputs, the initializers it reads stay initializers, its outputs
 * are the graph's. Undefined when a type is unknown.
 */
export function probeGraph(graph: Graph, node: Node, types: ReadonlyMap<string, TensorType>): Graph | undefined {
  const inits = new Map(graph.initializers.map((i) => [i.name, i]));
  const used = [...new Set(node.inputs.filter((x) => x !== ''))];
  const initializers: Initializer[] = used.flatMap((x) => (inits.has(x) ? [inits.get(x)!] : []));
  const valueOf = (name: string): ValueInfo | undefined => {
    const t = types.get(name);
    return t ? { name, dtype: t.dtype, shape: t.shape } : undefined;
  };
  const inputs = used.filter((x) => !inits.has(x)).map(valueOf);
  const outputs = node.outputs.filter((x) => x !== '').map(valueOf);
  if (inputs.some((v) => !v) || outputs.some((v) => !v)) return undefined;
  return {
    opset: graph.opset,
    inputs: inputs as ValueInfo[],
    initializers,
    nodes: [{ ...node, name: PROBE_NODE }],
    outputs: outputs as ValueInfo[],
    valueInfo: [],
  };
}

/** What a backend's load error is checked with: who it is, and how it loads a graph (undefined: it loaded). */
export interface GapContext {
  /** `flavour@version`, the release the kernel registry belongs to. */
  readonly backend: string;
  probe(graph: Graph): Promise<string | undefined>;
}

function graphOf(model: ModelInput): Graph | undefined {
  if (model.graph) return model.graph;
  try {
    return importModel(model.bytes, { path: model.path }).graph;
  } catch {
    return undefined; // a model onnxsmith cannot read: its load error stays what it is
  }
}

/**
 * Whether onnxruntime's load error `e` is a kernel gap: it names an operator of the default domain, the model has a
 * node of that name and operator, and that node alone is refused for a missing kernel too (probed once per backend
 * version and node types, then remembered). Returns the KernelGapError to throw instead, or undefined.
 */
export async function ortKernelGap(e: unknown, model: ModelInput, ctx: GapContext): Promise<KernelGapError | undefined> {
  const message = errorText(e);
  const named = parseOrtMissingKernel(message);
  if (!named || (named.domain !== '' && named.domain !== 'ai.onnx')) return undefined;
  const graph = graphOf(model);
  if (!graph) return undefined;
  const node = graph.nodes.find((n) => n.name === named.node && n.op === named.op);
  if (!node) return undefined;
  const types = tensorTypes(graph);
  const dtype = nodeDtype(node, types);
  if (dtype === undefined) return undefined;
  const key = `${named.op}(${named.since}):${dtype}`;
  let known = cachedKernel(ctx.backend, key);
  if (!known) {
    const g = probeGraph(graph, node, types);
    if (!g) return undefined;
    const probeError = await ctx.probe(g);
    const refused = probeError === undefined ? undefined : parseOrtMissingKernel(probeError);
    // a probe refused for another reason proves nothing either way: not remembered, and not a gap
    if (probeError !== undefined && !(refused && refused.op === named.op && refused.since === named.since && refused.node === PROBE_NODE)) return undefined;
    known = probeError === undefined ? { gap: false } : { gap: true, message: probeError };
    rememberKernel(ctx.backend, key, known);
  }
  if (!known.gap) return undefined;
  return new KernelGapError({ backend: ctx.backend, key, op: named.op, since: named.since, dtype, message: known.message }, message);
}

// tfjs-core: "Kernel 'X' not registered for backend 'wasm'", "'X' not yet implemented or not found in the registry";
// tfjs-backend-wasm: "BatchMatMul for non non-float32 tensors not yet supported.", "Tensor x must have dtype float32, got int32"
const TFJS_GAP = /Kernel '[^']+' not registered for backend|' not yet implemented or not found in the registry|not yet supported\.?$|must have dtype \w+, got \w+/;

/**
 * Whether an error tfjs raised while lowering `node` is a kernel gap of the tfjs backend: a missing kernel or an
 * element type its kernel refuses, for inputs whose tfjs types are those the graph declares (a tensor of the wrong
 * type from upstream is somebody's bug, not a gap). tfjs has no optimiser: the node lowered is the model's node.
 */
export function tfjsKernelGap(e: unknown, node: Node, declared: string | undefined, actualMatchesDeclared: boolean, backend: string): KernelGapError | undefined {
  const message = errorText(e).split('\n')[0]!;
  if (!TFJS_GAP.test(message) || declared === undefined || !actualMatchesDeclared) return undefined;
  const key = `${node.op}:${declared}`;
  rememberKernel(backend, key, { gap: true, message });
  return new KernelGapError({ backend, key, op: node.op, dtype: declared, message }, `${message} (node '${node.name}')`);
}
