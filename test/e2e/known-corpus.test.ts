import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BACKENDS } from '../../src/backends/index.js';
import { IsolatedBackend } from '../../src/backends/isolated.js';
import { corpusKnown } from '../../src/campaign/known-sources.js';
import { KnownBugs } from '../../src/campaign/known.js';
import { defaultCorpus, findCases, loadCase } from '../../src/gate/corpus.js';
import { evaluateCase } from '../../src/triage/evaluate.js';

const corpus = defaultCorpus();
const cases = corpusKnown(corpus);
/** The backends a case's knownAs names by spec (a family stands for its installed release); globs name none. */
const named = (c: (typeof cases)[number]): string[] => [...new Set(c.patterns.map((p) => p.culprit).filter((s) => !s.includes('*')))];

// every case runs as a campaign would run it: on every backend at once, so the ones without the bug outvote the
// ones with it and the hits are the campaign's
describe("corpus cases' knownAs", () => {
  const backends: IsolatedBackend[] = [];
  const versions: Record<string, string> = {};
  const unavailable = new Map<string, string>();
  beforeAll(async () => {
    const specs = [...new Set([...DEFAULT_BACKENDS.filter((b) => b !== 'reference'), 'ort-node-webgpu', ...cases.flatMap(named)])];
    const all = specs.map((s) => new IsolatedBackend(s, { timeoutMs: 30_000 }));
    const infos = await Promise.all(all.map((b) => b.start().catch((e: unknown) => ({ version: '?', available: { ok: false as const, reason: (e as Error).message } }))));
    for (const [i, b] of all.entries()) {
      const info = infos[i]!;
      if (info.available.ok) {
        backends.push(b);
        versions[b.spec] = info.version;
      } else {
        unavailable.set(b.spec, info.available.reason);
        await b.close();
      }
    }
  }, 180_000);
  afterAll(async () => {
    await Promise.all(backends.map((b) => b.close()));
  });

  const refs = new Map(findCases(corpus).map((r) => [r.id, r]));
  for (const c of cases) {
    it(`${c.id}: its hits on the backends it names are the buckets it stands for`, async (ctx) => {
      const mine = named(c).filter((s) => !unavailable.has(s));
      if (mine.length === 0) return ctx.skip(`none of ${named(c).join(', ')} runs here`);
      const loaded = loadCase(refs.get(c.id)!);
      const e = await evaluateCase(backends, loaded.modelPath, loaded.graph, loaded.feeds, { workDir: mkdtempSync(join(tmpdir(), 'onnxsmith-known-')), versions, tolerances: loaded.tolerances });
      expect(e.verdict.kind, JSON.stringify(e.verdict).slice(0, 400)).toBe('finding');
      const label = new KnownBugs(c.entries, false, []).labeller(versions);
      for (const spec of mine) {
        const hits = e.hits.filter((h) => h.culprit === spec);
        expect(hits.length, `${c.id} shows on ${spec} (knownAs names it)`).toBeGreaterThan(0);
        for (const h of hits) expect(label(h)?.source, `${h.key} (detail: ${h.detail.slice(0, 200)})`).toBe(`corpus/${c.id}`);
      }
    }, 120_000);
  }
});
