/**
 * The reducer: greedy delta debugging over graph edits. Each round proposes every structural edit (keep one node
 * alone, keep one output, cut a tensor into an input, bypass a node), tries them smallest result first, and keeps
 * the first that still shows the same bug; when none does, it simplifies what is left (attributes back to their
 * defaults, smaller input shapes, rounder input values). A candidate is tried only if it is a valid graph whose
 * reference values are finite and stable everywhere, the same standard generated cases meet, so the reducer can
 * never hand back an invalid graph. The time limit keeps the best result found so far.
 */
import { validateGraph } from '../../generators/validate.js';
import type { Graph, Node, Tensor } from '../ir/index.js';
import { canonicalJson, graphHash } from '../ir/index.js';
import { exportModel } from '../onnx/index.js';
import { firstViolation } from '../search/violations.js';
import { bypass, cut, keepOutputs, roundInput, setAttribute, shrinkAxis, type Candidate } from './transforms.js';
import { findOp } from '../../generators/ops/index.js';
import { createHash } from 'node:crypto';

/** What a candidate shows: the bug being reduced, another bug, or none. */
export type TestResult = { readonly kind: 'same' } | { readonly kind: 'other'; readonly keys: readonly string[] } | { readonly kind: 'gone' };

/** Runs a valid candidate and says which bug it shows. */
export type Tester = (c: Candidate) => Promise<TestResult>;

export interface ReduceOptions {
  /** Wall-clock budget (ms); the best candidate so far is returned when it runs out. */
  readonly timeMs: number;
  /** Node to try alone first (the first divergent node, when localisation named one). */
  readonly focusNode?: string;
  /** Operator the bucket names, tried alone before the others. */
  readonly focusOp?: string;
  /** Called for every accepted edit. */
  readonly log?: (line: string) => void;
}

export interface ReduceResult {
  readonly graph: Graph;
  readonly feeds: Readonly<Record<string, Tensor>>;
  readonly edits: readonly string[];
  /** Candidates run on the backends. */
  readonly tests: number;
  /** Candidates rejected before running (invalid graph or non-finite values). */
  readonly invalid: number;
  readonly ms: number;
  readonly timedOut: boolean;
}

/** Why a candidate is not a valid case, or undefined when it is. */
export function invalidReason(graph: Graph, feeds: Readonly<Record<string, Tensor>>): string | undefined {
  if (graph.nodes.length === 0) return 'no nodes';
  const errs = validateGraph(graph);
  if (errs.length > 0) return errs[0];
  for (const i of graph.inputs) {
    const t = feeds[i.name];
    if (!t || t.dtype !== i.dtype || t.shape.length !== i.shape.length || t.shape.some((d, k) => d !== i.shape[k])) return `feed for '${i.name}' does not match the input`;
  }
  try {
    const v = firstViolation(graph, feeds).violation;
    if (v) return `${v.node.op} '${v.node.name}': ${v.unstable ? 'unstable values' : v.nonFinite ? 'non-finite values' : 'input outside its domain'}`;
    exportModel(graph);
  } catch (e) {
    return (e as Error).message;
  }
  return undefined;
}

function fingerprint(c: { graph: Graph; feeds: Readonly<Record<string, Tensor>> }): string {
  const h = createHash('sha256').update(graphHash(c.graph));
  for (const k of Object.keys(c.feeds).sort()) h.update(k).update(canonicalJson({ s: c.feeds[k]!.shape, d: Array.from(c.feeds[k]!.data) }));
  return h.digest('hex');
}

/** The used outputs of a node. */
function usedOutputs(g: Graph, n: Node): string[] {
  const outs = new Set(g.outputs.map((o) => o.name));
  return n.outputs.filter((o) => o !== '' && (outs.has(o) || g.nodes.some((m) => m.inputs.includes(o))));
}

/** Structural edits of the current graph, most promising (smallest, focused) first. */
function structural(g: Graph, feeds: Readonly<Record<string, Tensor>>, env: ReadonlyMap<string, Tensor>, o: ReduceOptions): Candidate[] {
  const out: { c: Candidate; rank: number }[] = [];
  const add = (c: Candidate | undefined, bias = 0): void => {
    if (c && c.graph.nodes.length <= g.nodes.length) out.push({ c, rank: c.graph.nodes.length * 4 + bias });
  };
  const produced = new Set(g.nodes.flatMap((n) => n.outputs));
  for (const n of g.nodes) {
    const focus = n.name === o.focusNode ? -8 : n.op === o.focusOp ? -4 : 0;
    // the node alone: its outputs kept, its inputs cut
    const alone = keepOutputs(g, feeds, usedOutputs(g, n).length ? usedOutputs(g, n) : n.outputs.filter((x) => x !== ''));
    if (alone) {
      add(cut(alone.graph, alone.feeds, env, n.inputs.filter((x) => produced.has(x))) ?? alone, focus);
      // the node with the nodes that feed it (a fusion needs its producer): cut one level further up
      const feeders = alone.graph.nodes.filter((m) => m !== n && m.outputs.some((x) => n.inputs.includes(x)));
      const further = feeders.flatMap((m) => m.inputs).filter((x) => produced.has(x));
      if (feeders.length > 0) add(cut(alone.graph, alone.feeds, env, further) ?? alone, focus);
    }
    for (const x of n.outputs) if (x !== '') add(keepOutputs(g, feeds, [x]), focus + 1);
    for (const x of n.outputs) if (x !== '' && g.nodes.some((m) => m.inputs.includes(x))) add(cut(g, feeds, env, [x]), 2);
    n.inputs.forEach((_, i) => add(bypass(g, feeds, n, i), 3));
  }
  if (g.outputs.length > 1) for (const x of g.outputs) add(keepOutputs(g, feeds, g.outputs.filter((y) => y.name !== x.name).map((y) => y.name)), 1);
  out.sort((a, b) => a.rank - b.rank);
  return out.map((x) => x.c);
}

/** Simplifications that keep the structure: default attributes, smaller shapes, rounder values. */
function simplifications(g: Graph, feeds: Readonly<Record<string, Tensor>>): Candidate[] {
  const out: (Candidate | undefined)[] = [];
  for (const n of g.nodes) {
    const spec = findOp(n.op);
    for (const [k, v] of Object.entries(n.attrs)) {
      const def = spec?.attributes[k]?.default;
      if (def !== undefined && canonicalJson(def) !== canonicalJson(v)) out.push(setAttribute(g, feeds, n, k, undefined));
    }
  }
  const shrinkable = [...g.inputs.map((i) => i.name), ...g.initializers.filter((i) => i.kind === 'weight').map((i) => i.name)];
  const shapeOf = (name: string): readonly number[] => (g.inputs.find((i) => i.name === name) ?? g.initializers.find((i) => i.name === name))!.shape;
  for (const name of shrinkable) {
    shapeOf(name).forEach((d, axis) => {
      if (d > 1) out.push(shrinkAxis(g, feeds, name, axis, 1));
      if (d > 3) out.push(shrinkAxis(g, feeds, name, axis, Math.ceil(d / 2)));
    });
  }
  for (const digits of [1, 2, 3]) for (const name of shrinkable) out.push(roundInput(g, feeds, name, digits));
  return out.filter((c): c is Candidate => c !== undefined);
}

/**
 * Reduces `start` (which must show the bug) with `test`, within `o.timeMs`. Returns the smallest candidate that
 * still shows the same bug.
 */
export async function reduce(start: { graph: Graph; feeds: Readonly<Record<string, Tensor>> }, test: Tester, o: ReduceOptions): Promise<ReduceResult> {
  const t0 = performance.now();
  const over = (): boolean => performance.now() - t0 >= o.timeMs;
  let best = { graph: start.graph, feeds: start.feeds };
  let env = firstViolation(best.graph, best.feeds).env;
  const edits: string[] = [];
  const seen = new Set<string>([fingerprint(best)]);
  let tests = 0;
  let invalid = 0;
  const tryOne = async (c: Candidate): Promise<boolean> => {
    const f = fingerprint(c);
    if (seen.has(f)) return false;
    seen.add(f);
    if (invalidReason(c.graph, c.feeds) !== undefined) {
      invalid++;
      return false;
    }
    tests++;
    const r = await test(c);
    if (r.kind !== 'same') return false;
    best = { graph: c.graph, feeds: c.feeds };
    env = firstViolation(best.graph, best.feeds).env;
    edits.push(c.edit);
    o.log?.(`${c.edit}: ${best.graph.nodes.length} node${best.graph.nodes.length === 1 ? '' : 's'}`);
    return true;
  };
  const pass = async (propose: () => Candidate[]): Promise<boolean> => {
    let any = false;
    for (let progress = true; progress && !over(); ) {
      progress = false;
      for (const c of propose()) {
        if (over()) break;
        if (await tryOne(c)) {
          progress = any = true;
          break;
        }
      }
    }
    return any;
  };
  // structure first (it removes the most), then simplify, then once more structure: a default attribute or a
  // smaller shape can make a node removable
  await pass(() => structural(best.graph, best.feeds, env, o));
  if (await pass(() => simplifications(best.graph, best.feeds))) await pass(() => structural(best.graph, best.feeds, env, o));
  return { ...best, edits, tests, invalid, ms: performance.now() - t0, timedOut: over() };
}
