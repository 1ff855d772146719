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
 * Sets of graphs from different seeds: A, which the search's development looked at most, B, which it looked at
 * later, and C to H, held out (no failure in them has been examined), so that a change fitted to the graphs looked at
 * shows as a gap between them. Sets of 200 differ by a few points at 30 nodes on their own: the held-out rows at the
 * end pool C to H.
 */
const SETS = [
  { name: 'A', base: 1000, heldOut: false },
  { name: 'B', base: 5000, heldOut: false },
  { name: 'C', base: 13000, heldOut: true },
  { name: 'D', base: 37000, heldOut: true },
  { name: 'E', base: 61000, heldOut: true },
  { name: 'F', base: 65000, heldOut: true },
  { name: 'G', base: 85000, heldOut: true },
  { name: 'H', base: 89000, heldOut: true },
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
    `\n## Input search (${count} graphs per size with domain-limited operators: sets A and B, which the search was tuned against, and sets C to H, held out; NNSmith reports ~98/95/86% at ~4 ms per 10-node graph)\n`,
  );
  process.stdout.write('set  nodes  method     success   median ms   success vs sampling\n');
  // pooled counts by size and method: the sets tuned against, and the held-out ones
  const pooled = new Map<string, { ok: number; n: number }>();
  const pool = (key: string, ok: number, n: number): void => {
    const p = pooled.get(key) ?? { ok: 0, n: 0 };
    pooled.set(key, { ok: p.ok + ok, n: p.n + n });
  };
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
      pool(`${set.heldOut ? 'held-out' : 'tuned'} ${nodes} ${method}`, r.ok, graphs.length);
      const rate = r.ok / graphs.length;
      const base = rows.sampling.ok / graphs.length;
      process.stdout.write(
        `${set.name.padStart(3)}  ${String(nodes).padStart(5)}  ${method.padEnd(9)}  ${(rate * 100).toFixed(1).padStart(6)}%  ${median(r.ms).toFixed(2).padStart(10)}   ${method === 'sampling' ? '1.00 (baseline)' : (rate / Math.max(base, 1e-9)).toFixed(2)}\n`,
      );
    }
  }
  process.stdout.write('pooled                 nodes  method     success   graphs   success vs sampling (target for gradient: 99 / 97 / 95%)\n');
  for (const group of ['tuned', 'held-out']) for (const nodes of [10, 20, 30]) for (const method of ['sampling', 'gradient'] as const) {
    const p = pooled.get(`${group} ${nodes} ${method}`)!;
    const b = pooled.get(`${group} ${nodes} sampling`)!;
    const names = SETS.filter((x) => x.heldOut === (group === 'held-out')).map((x) => x.name).join('');
    process.stdout.write(
      `${`${group} (${names})`.padEnd(21)}  ${String(nodes).padStart(5)}  ${method.padEnd(9)}  ${((p.ok / p.n) * 100).toFixed(1).padStart(6)}%  ${String(p.n).padStart(7)}   ${method === 'sampling' ? '1.00 (baseline)' : (p.ok / Math.max(b.ok, 1)).toFixed(2)}\n`,
    );
  }
}
