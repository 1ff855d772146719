/**
 * Input and weight search: find values for a graph's float inputs and weights such that every intermediate tensor
 * is finite under the float64 reference and every operator's domain holds. Gradient search (tfjs autodiff through
 * the operators' own lowerings) minimises the domain violation at the first offending node; operators whose true
 * gradient is zero or missing get a straight-through proxy; when the path to the offending node cannot be
 * differentiated the search resamples the leaves feeding it. All randomness comes from the seed.
 */
import type * as tfjs from '@tensorflow/tfjs-core';
import type * as fc from 'fast-check';
import { randomFromSeed } from '../../generators/graph.js';
import { findOp } from '../../generators/ops/index.js';
import type { DomainConstraint } from '../../generators/ops/spec.js';
import { intervalFor, leafConstraints, sampleTensor } from '../../generators/values.js';
import { evalTfjsNodes, leafTensors, type LoweringWrap } from '../backends/tfjs.js';
import type { Graph, Initializer, Node, Tensor } from '../ir/index.js';
import { castValue, isFloat } from '../ir/index.js';
import { firstViolation, nodeConstraints, type Violation } from './violations.js';

export type SearchMethod = 'gradient' | 'sampling';

export interface SearchOptions {
  readonly method?: SearchMethod;
  /** Evaluations of the reference before giving up (default 64). */
  readonly maxIterations?: number;
  /** Step size relative to the input range (default 0.5). */
  readonly learningRate?: number;
}

export interface SearchResult {
  readonly ok: boolean;
  readonly method: SearchMethod;
  readonly iterations: number;
  /** Gradient steps that fell back to resampling (non-differentiable path, zero gradient). */
  readonly fallbacks: number;
  readonly ms: number;
  /** The graph with the searched weight values. */
  readonly graph: Graph;
  readonly feeds: Record<string, Tensor>;
  /** Where the last attempt still failed. */
  readonly failure?: { readonly node: string; readonly op: string; readonly reason: string };
}

type TF = typeof tfjs;

/** tfjs variable names must be unique per process; a counter keeps them deterministic. */
let variableNo = 0;

/** Leaves (graph inputs and weights) that feed `target`, transitively. */
function upstreamLeaves(graph: Graph, target: Node): Set<string> {
  const producer = new Map<string, Node>();
  for (const n of graph.nodes) for (const o of n.outputs) producer.set(o, n);
  const leaves = new Set<string>();
  const seen = new Set<Node>();
  const stack = [target];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    for (const i of n.inputs) {
      if (i === '') continue;
      const p = producer.get(i);
      if (p) stack.push(p);
      else leaves.add(i);
    }
  }
  return leaves;
}

/** Per-element loss for a constraint: zero inside the domain, growing with the distance outside it. */
function constraintLoss(tf: TF, c: DomainConstraint, v: tfjs.Tensor): tfjs.Tensor {
  const margin = 1e-2;
  const x = v.toFloat();
  switch (c.rel) {
    case 'gt':
      return tf.relu(tf.sub(c.value + margin, x));
    case 'ge':
      return tf.relu(tf.sub(c.value, x));
    case 'lt':
      return tf.relu(tf.sub(x, c.value - margin));
    case 'le':
      return tf.relu(tf.sub(x, c.value));
    case 'abs-le':
      return tf.relu(tf.sub(tf.abs(x), c.value));
    case 'abs-ge':
      return tf.relu(tf.sub(c.value + margin, tf.abs(x)));
  }
}

/** Sums `dy` down to `shape` (undoing broadcasting), for straight-through gradients. */
function reduceTo(tf: TF, dy: tfjs.Tensor, shape: readonly number[]): tfjs.Tensor {
  let g = dy;
  while (g.rank > shape.length) g = tf.sum(g, 0);
  for (let ax = 0; ax < shape.length; ax++) if (shape[ax] === 1 && g.shape[ax] !== 1) g = tf.sum(g, ax, true);
  return g.shape.length === shape.length && g.shape.every((d, i) => d === shape[i]) ? g : tf.zeros([...shape]);
}

/** Straight-through proxies for operators that ask for them. */
function proxyWrap(tf: TF): LoweringWrap {
  return (node, lower) => {
    if (!findOp(node.op)?.proxyGrad) return lower;
    return (inputs) => {
      const present = inputs.filter((t): t is tfjs.Tensor => t !== undefined && t.dtype === 'float32');
      if (present.length === 0) return lower(inputs);
      const body = (...args: unknown[]): { value: tfjs.Tensor; gradFunc: (dy: tfjs.Tensor) => tfjs.Tensor[] } => {
        // customGrad passes a `save` function after the tensors
        const xs = args.slice(0, present.length) as tfjs.Tensor[];
        let k = 0;
        const value = lower(inputs.map((t) => (t !== undefined && t.dtype === 'float32' ? xs[k++]! : t)))[0]!;
        return { value, gradFunc: (dy) => xs.map((a) => reduceTo(tf, dy, a.shape)) };
      };
      const f = tf.customGrad(body as unknown as Parameters<TF["customGrad"]>[0]);
      return [f(...present)];
    };
  };
}

/**
 * One gradient step on the float leaves upstream of the violation; returns false when no useful gradient exists
 * (a lowering is missing, tfjs has no gradient for an operator on the path, or the gradient vanishes).
 */
function gradientStep(tf: TF, graph: Graph, feeds: Record<string, Tensor>, weights: Map<string, number[]>, v: Violation, lr: number): boolean {
  const leaves = [...upstreamLeaves(graph, v.node)].filter((name) => {
    const t = graph.inputs.find((i) => i.name === name) ?? graph.initializers.find((i) => i.name === name && i.kind === 'weight');
    return t !== undefined && isFloat(t.dtype);
  });
  if (leaves.length === 0) return false;
  const current = withWeights(graph, weights);
  const typeOf = new Map([...graph.inputs, ...graph.initializers, ...graph.valueInfo, ...graph.outputs].map((t) => [t.name, t]));
  let updated: Map<string, Float32Array> | undefined;
  try {
    tf.tidy(() => {
      const env = leafTensors(tf, current, feeds);
      const vars = leaves.map((name) => tf.variable(env.get(name)!.toFloat(), true, `search_${name}_${variableNo++}`));
      try {
        const { value, grads } = tf.variableGrads(() => {
          const local = new Map(env);
          leaves.forEach((name, i) => local.set(name, vars[i]!));
          evalTfjsNodes(tf, current, current.nodes.slice(0, v.nodeIndex), local, proxyWrap(tf));
          const ins = v.node.inputs.map((x) => (x === '' ? undefined : local.get(x)));
          let loss: tfjs.Tensor = tf.scalar(0);
          // every domain up to the offending node counts: fixing one node must not break an earlier one
          for (const n of current.nodes.slice(0, v.nodeIndex + 1)) {
            const nIns = n.inputs.map((x) => (x === '' ? undefined : local.get(x)));
            const types = n.inputs.map((x) => (x === '' ? undefined : typeOf.get(x)));
            for (const c of nodeConstraints(n, types)) {
              const t = nIns[c.input];
              if (t && t.dtype === 'float32') loss = tf.add(loss, tf.sum(constraintLoss(tf, c, t)));
            }
          }
          if (v.constraints.length === 0) {
            // an overflow with no declared domain: pull the node's float inputs toward moderate magnitudes
            for (const t of ins) if (t && t.dtype === 'float32') loss = tf.add(loss, tf.mean(tf.square(t)));
          }
          return loss as tfjs.Scalar;
        }, vars);
        if (!Number.isFinite(value.dataSync()[0]!)) return;
        const out = new Map<string, Float32Array>();
        leaves.forEach((name, i) => {
          const g = grads[vars[i]!.name];
          if (!g) return;
          const gd = g.dataSync() as Float32Array;
          if (!gd.some((x) => Number.isFinite(x) && x !== 0)) return;
          // sign steps: every element the loss depends on moves by lr, however flat its own gradient
          const cur = vars[i]!.dataSync() as Float32Array;
          const next = new Float32Array(cur.length);
          for (let k = 0; k < cur.length; k++) next[k] = cur[k]! - lr * (Number.isFinite(gd[k]!) ? Math.sign(gd[k]!) : 0);
          out.set(name, next);
        });
        if (out.size > 0) updated = out;
      } finally {
        for (const x of vars) x.dispose();
      }
    });
    if (!updated) return false;
    const cons = leafConstraints(graph);
    for (const [name, data] of updated) {
      const c = cons.get(name);
      const iv = c ? intervalFor('float32', c) : undefined;
      const inp = graph.inputs.find((i) => i.name === name);
      const dtype = inp?.dtype ?? graph.initializers.find((i) => i.name === name)!.dtype;
      // stay inside the leaf's own domain (a divisor away from zero is re-established by the next check)
      const values = Array.from(data, (x) => castValue(iv ? Math.min(Math.max(x, iv.lo), iv.hi) : x, dtype));
      if (inp) feeds[name] = { dtype, shape: inp.shape, data: Float64Array.from(values) };
      else weights.set(name, values);
    }
    return true;
  } catch {
    return false;
  }
}

function withWeights(graph: Graph, weights: Map<string, number[]>): Graph {
  if (weights.size === 0) return graph;
  return { ...graph, initializers: graph.initializers.map((i): Initializer => (weights.has(i.name) ? { ...i, data: weights.get(i.name)! } : i)) };
}

/** Resamples the leaves feeding the violation (all leaves when it cannot tell). */
function resample(rng: fc.Random, graph: Graph, feeds: Record<string, Tensor>, weights: Map<string, number[]>, v: Violation | undefined): void {
  const targets = v ? upstreamLeaves(graph, v.node) : new Set([...graph.inputs.map((i) => i.name), ...graph.initializers.map((i) => i.name)]);
  const cons = leafConstraints(graph);
  for (const i of graph.inputs) if (targets.has(i.name)) feeds[i.name] = sampleTensor(rng, i, cons.get(i.name) ?? []);
  for (const w of graph.initializers) {
    if (w.kind === 'weight' && targets.has(w.name)) weights.set(w.name, Array.from(sampleTensor(rng, w, cons.get(w.name) ?? []).data));
  }
}

function describe(v: Violation): string {
  if (v.unstable) return 'values at a discontinuity (unstable under float32 rounding)';
  if (v.constraints.length > 0) return `domain ${v.constraints.map((c) => `input ${c.input} ${c.rel} ${c.value}`).join(', ')}`;
  return 'non-finite output';
}

/**
 * Searches values for `graph`'s inputs and weights. `tf` is a tfjs module with gradients registered
 * (see loadSearchTf); without it, or with method 'sampling', only resampling is used.
 */
export function searchInputs(graph: Graph, seed: number, tf: TF | undefined, o: SearchOptions = {}): SearchResult {
  const t0 = performance.now();
  const method: SearchMethod = o.method ?? (tf ? 'gradient' : 'sampling');
  // the search differentiates on tfjs-cpu; another tfjs backend loaded in this process must not take over
  if (tf && tf.getBackend() !== 'cpu') void tf.setBackend('cpu');
  const maxIterations = o.maxIterations ?? 64;
  const rng = randomFromSeed(seed ^ 0x5eed);
  const feeds: Record<string, Tensor> = {};
  const weights = new Map<string, number[]>();
  const cons = leafConstraints(graph);
  for (const i of graph.inputs) feeds[i.name] = sampleTensor(rng, i, cons.get(i.name) ?? []);
  let fallbacks = 0;
  let last: Violation | undefined;
  let lr = o.learningRate ?? 0.5;
  let sameNode = 0;
  for (let it = 1; it <= maxIterations; it++) {
    const current = withWeights(graph, weights);
    const { violation } = firstViolation(current, feeds);
    if (!violation) {
      return { ok: true, method, iterations: it, fallbacks, ms: performance.now() - t0, graph: current, feeds };
    }
    sameNode = last && last.nodeIndex === violation.nodeIndex ? sameNode + 1 : 0;
    last = violation;
    // gradient first; resample when it cannot help or keeps failing at the same node
    const stepped = method === 'gradient' && tf && !violation.unstable && sameNode < 12 && gradientStep(tf, graph, feeds, weights, violation, lr);
    if (!stepped) {
      if (method === 'gradient') fallbacks++;
      resample(rng, graph, feeds, weights, violation);
      sameNode = 0;
      lr = o.learningRate ?? 0.5;
    } else lr = Math.max(lr * 0.93, 0.01);
  }
  const current = withWeights(graph, weights);
  return {
    ok: false,
    method,
    iterations: maxIterations,
    fallbacks,
    ms: performance.now() - t0,
    graph: current,
    feeds,
    ...(last ? { failure: { node: last.node.name, op: last.node.op, reason: describe(last) } } : {}),
  };
}

let searchTf: Promise<TF> | undefined;

/** tfjs on its CPU backend with every gradient registered (the union package registers them). */
export function loadSearchTf(): Promise<TF> {
  searchTf ??= (async () => {
    const tf = (await import('@tensorflow/tfjs-core')) as TF;
    await import('@tensorflow/tfjs-backend-cpu');
    await import('@tensorflow/tfjs');
    await tf.setBackend('cpu');
    return tf;
  })();
  return searchTf;
}
