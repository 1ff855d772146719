/**
 * Input search: success rate and median time on graphs of 10, 20 and 30 nodes that contain domain-limited
 * operators, gradient search against the sampling baseline on the same graphs in the same process.
 */
import { caseSeed, generateGraph, resolveOptions } from '../generators/graph.js';
import { findOp } from '../generators/ops/index.js';
import type { Graph } from '../src/ir/index.js';
import { loadSearchTf, searchInputs, type SearchMethod } from '../src/search/search.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1] ?? 0;
}

/**
 * Four sets of graphs from different seeds: A, which the search's development looked at most, B, which it looked
 * at later, and C and D, held out (no failure in them has been examined; D is new in session 6), so that a change
 * fitted to the graphs looked at shows as a gap between them. Sets differ by a few points at 30 nodes on their own.
 */
const SETS = [
  { name: 'A', base: 1000 },
  { name: 'B', base: 5000 },
  { name: 'C', base: 13000 },
  { name: 'D', base: 37000 },
] as const;

/** Graphs holding at least one operator with a declared input domain (what makes the search necessary). */
function domainGraphs(base: number, nodes: number, count: number): Graph[] {
  const o = resolveOptions({ nodes });
  const out: Graph[] = [];
  for (let i = 0; out.length < count; i++) {
    const g = generateGraph(caseSeed(base + nodes, i), o);
    if (g.nodes.some((n) => findOp(n.op)?.domain !== undefined)) out.push(g);
  }
  return out;
}

export async function benchSearch(count: number): Promise<void> {
  const tf = await loadSearchTf();
  process.stdout.write(
    `\n## Input search (${count} graphs per size with domain-limited operators: sets A and B, which the search was tuned against, and sets C and D, held out; NNSmith reports ~98/95/86% at ~4 ms per 10-node graph)\n`,
  );
  process.stdout.write('set  nodes  method     success   median ms   success vs sampling\n');
  for (const set of SETS) for (const nodes of [10, 20, 30]) {
    const graphs = domainGraphs(set.base, nodes, count);
    const rows: Record<SearchMethod, { ok: number; ms: number[] }> = { sampling: { ok: 0, ms: [] }, gradient: { ok: 0, ms: [] } };
    for (const method of ['sampling', 'gradient'] as const) {
      graphs.forEach((g, i) => {
        const r = searchInputs(g, i, tf, { method });
        if (r.ok) rows[method].ok++;
        rows[method].ms.push(r.ms);
      });
    }
    for (const method of ['sampling', 'gradient'] as const) {
      const r = rows[method];
      const rate = r.ok / graphs.length;
      const base = rows.sampling.ok / graphs.length;
      process.stdout.write(
        `${set.name.padStart(3)}  ${String(nodes).padStart(5)}  ${method.padEnd(9)}  ${(rate * 100).toFixed(1).padStart(6)}%  ${median(r.ms).toFixed(2).padStart(10)}   ${method === 'sampling' ? '1.00 (baseline)' : (rate / Math.max(base, 1e-9)).toFixed(2)}\n`,
      );
    }
  }
}
