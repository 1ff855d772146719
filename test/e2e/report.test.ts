import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, type TestContext } from 'vitest';
import type { Graph } from '../../src/ir/index.js';
import { chromiumMissing, inChromium } from '../helpers/browser.js';
import { onnxsmith } from '../helpers/cli.js';

const shifted = `command:${join(import.meta.dirname, '../fixtures/backends/shifted-abs.mjs')}`;
const artifacts = join(import.meta.dirname, '../../test-artifacts');

interface BucketJson {
  key: string;
  cases: string[];
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'onnxsmith-report-'));
}

function buckets(dir: string): BucketJson[] {
  return JSON.parse(readFileSync(join(dir, 'buckets.json'), 'utf8')) as BucketJson[];
}

function graphOf(caseDir: string): Graph {
  return (JSON.parse(readFileSync(join(caseDir, 'case.json'), 'utf8')) as { graph: Graph }).graph;
}

/** Skips where there is no browser, except on CI, where the browser is part of the setup and must be there. */
function needChromium(ctx: TestContext): void {
  const why = chromiumMissing();
  if (!why) return;
  if (process.env.CI) throw new Error(`${why}; .ci/run installs it`);
  console.warn(`skipping the browser check: ${why}`);
  ctx.skip(why);
}

/** What the browser sees of a report. */
async function render(file: string, screenshot: string) {
  return inChromium(file, async (page) => {
    const canvases = await page.$$eval('.chart canvas', (cs) => cs.map((c) => ({ w: c.getBoundingClientRect().width, h: c.getBoundingClientRect().height })));
    const drawings = await page.$$eval('section.bucket', (ss) =>
      ss.map((s) => {
        const svg = s.querySelector('svg.graph');
        const box = svg?.getBoundingClientRect();
        return {
          key: s.getAttribute('data-key'),
          opNodes: svg?.querySelectorAll('g.op-node').length ?? 0,
          inputs: svg?.querySelectorAll('g.io-node.input').length ?? 0,
          outputs: svg?.querySelectorAll('g.io-node.output').length ?? 0,
          edges: svg?.querySelectorAll('g.edge').length ?? 0,
          width: box?.width ?? 0,
          height: box?.height ?? 0,
          text: s.textContent ?? '',
        };
      }),
    );
    const injected = await page.$$eval('img, section script', (xs) => xs.length);
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, screenshot), fullPage: true });
    return { canvases, drawings, injected };
  });
}

describe('onnxsmith report', () => {
  let campaign: string;

  beforeAll(() => {
    campaign = join(tmp(), 'c');
    // a few small graphs; Abs triggers the planted bug, so the campaign has a bucket to show
    const r = onnxsmith(['fuzz', '--nodes', '4', '--include', 'Abs,Add,Mul,Relu,Sub,Neg', '--dtypes', 'float32', '--time', '5m', '--seed', '7', '--max-cases', '12', '--jobs', '1', '--backends', `ort-node-cpu,${shifted}`, '--out', campaign], { timeoutMs: 240_000 });
    expect(r.code, r.stderr).toBe(1);
    expect(buckets(campaign).length).toBeGreaterThan(0);
  }, 300_000);

  it('writes DIR/report.html, the same bytes for the same campaign folder', () => {
    const a = onnxsmith(['report', campaign]);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toContain(join(campaign, 'report.html'));
    const first = readFileSync(join(campaign, 'report.html'), 'utf8');
    expect(onnxsmith(['report', campaign]).code).toBe(0);
    expect(readFileSync(join(campaign, 'report.html'), 'utf8')).toBe(first);
    // offline: no resource outside the file (the library's licence comment may name its home page)
    expect(first).not.toMatch(/<(script|link|img)[^>]+(src|href)=["']?(https?:)?\/\//i);
  });

  it('renders in headless Chromium with charts, graph drawings and bucket sections, and no errors', async (ctx) => {
    needChromium(ctx);
    const file = join(tmp(), 'report.html');
    expect(onnxsmith(['report', campaign, '--out', file]).code).toBe(0);
    const { result, problems } = await render(file, 'report.png');
    expect(problems).toEqual({ consoleErrors: [], pageErrors: [], network: [] });
    expect(result.canvases.length).toBeGreaterThanOrEqual(2);
    for (const c of result.canvases) expect(c.w * c.h).toBeGreaterThan(0);
    const expected = buckets(campaign);
    expect(result.drawings.map((d) => d.key)).toEqual(expected.map((b) => b.key));
    for (const [i, d] of result.drawings.entries()) {
      const caseDir = join(campaign, expected[i]!.cases[0]!);
      const g = graphOf(caseDir);
      expect(d.opNodes).toBe(g.nodes.length);
      expect(d.inputs).toBe(g.inputs.length);
      expect(d.outputs).toBe(g.outputs.length);
      expect(d.edges).toBeGreaterThanOrEqual(g.nodes.length);
      expect(d.width * d.height).toBeGreaterThan(0);
      expect(d.text).toContain(`onnxsmith replay ${caseDir}`);
      expect(d.text).toMatch(/Expected vs actual/);
    }
  }, 120_000);

  it('draws the reduced graph when the reducer left one, and escapes text from files', async (ctx) => {
    const copy = join(tmp(), 'c');
    cpSync(campaign, copy, { recursive: true });
    const caseDir = join(copy, buckets(copy)[0]!.cases[0]!);
    const original = JSON.parse(readFileSync(join(caseDir, 'case.json'), 'utf8')) as { graph: Graph; divergence: { node: string } };
    // a reducer's result: the divergent node alone, its tensors now the graph's input and output
    const node = original.graph.nodes.find((n) => n.name === original.divergence.node)!;
    const typeOf = (name: string) => [...original.graph.inputs, ...original.graph.valueInfo, ...original.graph.outputs].find((v) => v.name === name)!;
    const reduced: Graph = { ...original.graph, nodes: [node], inputs: [typeOf(node.inputs[0]!)], initializers: [], outputs: [typeOf(node.outputs[0]!)], valueInfo: [] };
    mkdirSync(join(caseDir, 'reduced'));
    writeFileSync(join(caseDir, 'reduced', 'case.json'), JSON.stringify({ ...original, graph: reduced }));
    const nasty = `reference disagrees: <img src=x onerror="alert(1)"> & </script><script>alert(2)</script>`;
    appendFileSync(join(copy, 'progress.jsonl'), JSON.stringify({ k: 999, seed: 1, session: 1, backendMs: {}, status: 'harness-bug', hits: [], ops: [], search: { ok: false, iterations: 0, ms: 0, method: 'gradient' }, ms: { generate: 0, search: 0, reference: 0, backends: 0, localise: 0, write: 0, total: 0 }, detail: nasty, at: 1 }) + '\n');

    expect(onnxsmith(['report', copy]).code).toBe(0);
    const html = readFileSync(join(copy, 'report.html'), 'utf8');
    expect(html).toContain(`reduced from ${original.graph.nodes.length} to 1 nodes`);
    expect(html).toContain('Harness bugs (1)');
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &lt;/script&gt;');
    expect(html).not.toContain('<img');

    needChromium(ctx);
    const { result, problems } = await render(join(copy, 'report.html'), 'report-reduced.png');
    expect(problems).toEqual({ consoleErrors: [], pageErrors: [], network: [] });
    expect(result.injected).toBe(0);
    expect(result.drawings[0]!.opNodes).toBe(1);
  }, 120_000);

  it.each([
    [['report', '/no/such/campaign'], /\/no\/such\/campaign does not exist/],
    [['report', import.meta.dirname], /is not a campaign folder \(no readable campaign\.json\)/],
    [['report', import.meta.dirname, '--out', '/no/such/dir/r.html'], /--out: folder \/no\/such\/dir does not exist/],
  ])('rejects %j with exit code 2 and a clear message', (args, message) => {
    const r = onnxsmith(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
