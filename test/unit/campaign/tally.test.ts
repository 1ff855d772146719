import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Tally, type CaseStatus, type ProgressRecord } from '../../../src/campaign/state.js';

const STATUSES: CaseStatus[] = ['pass', 'finding', 'harness-bug', 'search-failed', 'generator-bug'];
const KEYS = ['ort-node-cpu|wrong-value|run|Abs:float32', 'tfjs-wasm|crash|run|?:SIGSEGV', 'tfjs-cpu|nan-inf|run|Exp:float32'];

/** A synthetic campaign: case k's status, hits, timings and time are drawn from k alone. */
function campaign(n: number, seed: number): ProgressRecord[] {
  return Array.from({ length: n }, (_, k) => {
    const h = (k * 2654435761 + seed) >>> 0;
    const status = STATUSES[h % STATUSES.length]!;
    const hits =
      status === 'finding'
        ? KEYS.filter((_, i) => (h >> (i + 3)) & 1).map((key) => ({ key, slug: key.replace(/\W/g, '-'), culprit: key.split('|')[0]!, symptom: key.split('|')[1]!, stage: 'run', op: 'Abs', dtype: 'float32', detail: `seen at ${k}`, ...((h >> 7) % 3 === 0 ? { caseDir: `cases/x/${k}` } : {}) }))
        : [];
    const ms = { generate: 1, search: h % 7, reference: 0.5, backends: 3, localise: 0, write: 0, total: 5 };
    return { k, seed: h, session: 1 + (k % 2), backendMs: { 'ort-node-cpu': (h % 5) + 1, 'tfjs-cpu': 2 }, status, hits, ops: ['Abs', k % 3 ? 'Add' : 'Mul'], search: { ok: h % 4 !== 0, iterations: 3, ms: h % 11, method: 'gradient' }, ms, at: k * 700 };
  });
}

describe('Tally', () => {
  it('gives the same buckets.json and stats.json whatever order the cases finish in', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 80 }), fc.infiniteStream(fc.nat()), (seed, n, picks) => {
        const inOrder = campaign(n, seed);
        const shuffled = [...inOrder];
        const it = picks[Symbol.iterator]();
        for (let i = shuffled.length - 1; i > 0; i--) {
          const j = it.next().value! % (i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
        }
        const a = new Tally(inOrder);
        const b = new Tally();
        for (const r of shuffled) b.add(r);
        expect(b.bucketList()).toEqual(a.bucketList());
        const { status: sa, ...restA } = a.stats(1000, {});
        const { status: sb, ...restB } = b.stats(1000, {});
        expect(restB).toEqual(restA);
        expect(sb).toEqual(sa);
      }),
      { seed: 7, numRuns: 200 },
    );
  });

  it('describes a bucket by its lowest case and keeps its folders in case order', () => {
    const rs = campaign(60, 3).filter((r) => r.hits.length > 0);
    const t = new Tally([...rs].reverse());
    for (const b of t.bucketList()) {
      const mine = rs.filter((r) => r.hits.some((h) => h.key === b.key));
      expect(b.first).toBe(mine[0]!.k);
      expect(b.detail).toBe(`seen at ${mine[0]!.k}`);
      expect(b.hits).toBe(mine.length);
      expect(b.cases).toEqual(mine.flatMap((r) => r.hits.filter((h) => h.key === b.key && h.caseDir).map((h) => h.caseDir)));
    }
  });

  it('reports opened buckets once, and counts and averages per status and backend', () => {
    const t = new Tally();
    const rs = campaign(40, 11);
    const opened = rs.flatMap((r) => t.add(r));
    expect(new Set(opened).size).toBe(opened.length);
    expect(opened.sort()).toEqual([...t.buckets.keys()].sort());
    for (const s of STATUSES) expect(t.count(s)).toBe(rs.filter((r) => r.status === s).length);
    const runs = rs.map((r) => r.backendMs['ort-node-cpu']!);
    expect(t.backendAvg('ort-node-cpu')).toBeCloseTo(runs.reduce((x, y) => x + y, 0) / runs.length, 12);
    expect(t.backendAvg('nobody')).toBe(0);
  });
});
