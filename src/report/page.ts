/**
 * The report page: one HTML document with its style, data and scripts inline. A Content-Security-Policy that
 * allows nothing but inline code and data: URLs makes "opens offline" a property of the file, not a promise.
 */
import { bucketAnchor, bucketSection } from './bucket-section.js';
import { CHART_SCRIPT, timeCharts, uplotAssets } from './charts.js';
import type { ReportData } from './data.js';
import { esc, scriptJson, scriptText, table } from './html.js';
import { overviewSections } from './overview-section.js';
import { KERNEL_COVERAGE_ID, kernelCoverageSection } from './coverage-section.js';

const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:";

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #1d2330; background: #f6f7f9; }
header { background: #1d2330; color: #fff; padding: 14px 24px; }
header h1 { margin: 0; font-size: 20px; }
header .sub { color: #b8c0d0; font-size: 13px; word-break: break-all; }
nav { padding: 8px 24px; background: #e6e9ef; font-size: 13px; }
nav a { margin-right: 14px; }
main { padding: 8px 24px 40px; max-width: 1280px; }
section { background: #fff; border: 1px solid #dde1e8; border-radius: 6px; padding: 12px 18px; margin: 16px 0; }
h2 { margin: 4px 0 12px; font-size: 18px; }
h3 { font-size: 16px; margin: 4px 0 10px; }
h4 { font-size: 14px; margin: 16px 0 6px; }
table { border-collapse: collapse; margin: 6px 0; }
th, td { text-align: left; vertical-align: top; padding: 3px 10px 3px 0; border-bottom: 1px solid #eceff3; }
table.kv th { color: #5a6375; font-weight: normal; white-space: nowrap; }
code, pre, .version { font-family: ui-monospace, monospace; font-size: 12px; }
.version { color: #5a6375; }
pre.detail { white-space: pre-wrap; word-break: break-word; margin: 0; max-width: 900px; background: #f6f7f9; padding: 4px 6px; }
code.cmd { background: #1d2330; color: #e6e9ef; padding: 2px 6px; border-radius: 3px; word-break: break-all; }
.stats { display: flex; flex-wrap: wrap; gap: 10px; margin: 12px 0; }
.stat { border: 1px solid #dde1e8; border-radius: 6px; padding: 8px 14px; min-width: 110px; }
.stat .value { font-size: 22px; font-weight: 600; }
.stat .label { color: #5a6375; font-size: 12px; }
.stat.warn .value { color: #cc3322; }
.note { color: #5a6375; font-size: 13px; }
.chart { margin: 8px 0 16px; }
table.coverage td:last-child { width: 320px; }
.bar { height: 10px; background: #2266bb; border-radius: 2px; min-width: 2px; }
.hits { font-size: 13px; color: #cc3322; font-weight: normal; margin-left: 8px; }
.verdict.fail { color: #cc3322; font-weight: 600; }
.new-tag, .known-tag { font-size: 12px; font-weight: 600; padding: 1px 8px; border-radius: 9px; margin-left: 6px; }
.new-tag { background: #fde8e4; color: #cc3322; }
.known-tag { background: #eceff3; color: #5a6375; }
section.bucket.known { border-color: #eceff3; }
section.bucket.known h3 { color: #5a6375; }
.verdict.pass { color: #227733; }
table.values td { font-family: ui-monospace, monospace; font-size: 12px; padding-right: 18px; }
tr.bad td { background: #fde8e4; }
.graph-wrap { overflow: auto; border: 1px solid #eceff3; border-radius: 4px; padding: 6px; background: #fcfcfd; }
svg.graph text { font: 12px ui-monospace, monospace; text-anchor: middle; fill: #1d2330; }
svg.graph .op-name { font-weight: 700; }
svg.graph .edge path { fill: none; stroke: #8a93a6; stroke-width: 1.3; }
svg.graph .edge text { font-size: 10px; fill: #5a6375; paint-order: stroke; stroke: #fcfcfd; stroke-width: 3px; }
svg.graph marker path { fill: #8a93a6; }
svg.graph .op-node rect { fill: #e7eefa; stroke: #2266bb; }
svg.graph .op-node.diverged rect { fill: #fde8e4; stroke: #cc3322; stroke-width: 2.5; }
svg.graph .io-node.input rect { fill: #e5f4e8; stroke: #227733; }
svg.graph .io-node.weight rect { fill: #f3eefa; stroke: #7a4fb0; stroke-dasharray: 4 2; }
svg.graph .io-node.constant rect { fill: #f1f1f1; stroke: #888; stroke-dasharray: 2 2; }
svg.graph .io-node.output rect { fill: #fff4dc; stroke: #b07a10; }
.legend span { display: inline-block; padding: 1px 8px; margin-right: 6px; border-radius: 9px; font-size: 12px; border: 1px solid; }
.legend .input { background: #e5f4e8; border-color: #227733; }
.legend .op { background: #e7eefa; border-color: #2266bb; border-radius: 3px; }
.legend .diverged { background: #fde8e4; border-color: #cc3322; border-radius: 3px; }
.legend .weight { background: #f3eefa; border-color: #7a4fb0; border-style: dashed; }
.legend .constant { background: #f1f1f1; border-color: #888; border-style: dotted; }
.legend .output { background: #fff4dc; border-color: #b07a10; }
`;

const LEGEND = '<p class="legend"><span class="input">graph input</span><span class="weight">weight</span><span class="constant">constant</span><span class="op">operator</span><span class="diverged">first divergent operator</span><span class="output">graph output</span> edges: tensor: dtype[shape]</p>';

/** Harness-bug cases in all (the table has one row per group). */
function harnessCases(d: ReportData): number {
  return d.harnessBugs.reduce((n, h) => n + h.hits, 0);
}

function harnessBugs(d: ReportData, href: (absDir: string) => string): string {
  if (d.harnessBugs.length === 0) return '';
  const rows = d.harnessBugs.map((h) => [
    `#${h.k}`,
    esc(h.status),
    h.where ? `<code>${esc(h.where)}</code>` : '—',
    String(h.hits),
    `<pre class="detail">${esc(h.detail)}</pre>`,
    h.caseDir ? `<a href="${esc(href(`${d.dir}/${h.caseDir}`))}">${esc(h.caseDir)}</a><br><code class="cmd">${esc(h.replay ?? '')}</code>` : '—',
  ]);
  return `<section id="harness-bugs"><h2>Harness bugs (${harnessCases(d)})</h2><p class="note">The reference alone disagreed with every backend, or the reference or generator failed: not filed against a backend. Grouped by the operator where the backends leave the reference. Backends that share one implementation (every onnxruntime flavour) agree on its bugs too, so read the case (or <code>onnxsmith reduce</code> it) before blaming the reference.</p>${table(['first case', 'kind', 'where', 'cases', 'reason', 'case folder'], rows)}</section>`;
}

/** `N new, M known`, as the live line and the summary say it. */
function newKnown(d: ReportData): string {
  return `${d.overview.buckets - d.overview.knownBuckets} new, ${d.overview.knownBuckets} known`;
}

function bucketList(d: ReportData, href: (absDir: string) => string): string {
  if (d.buckets.length === 0) return '<section id="buckets"><h2>Buckets</h2><p>No findings: every backend agreed with the reference.</p></section>';
  const known = d.overview.knownBuckets;
  const note =
    known === d.buckets.length
      ? '<p><b>Nothing new:</b> every bucket is a known bug (a corpus case, a backend exclusion or a --known entry), listed below with what it is known as.</p>'
      : `<p>New bugs come first${known ? `; the ${known} known one${known === 1 ? '' : 's'} (corpus cases, backend exclusions, --known entries) follow, greyed` : ''}.</p>`;
  return `<section id="buckets"><h2>Buckets (${d.buckets.length}: ${newKnown(d)})</h2>${note}${LEGEND}</section>\n${d.buckets.map((b, i) => bucketSection(b, i + 1, href)).join('\n')}`;
}

/** The whole report document; `href` turns an absolute case folder into a link relative to the report file. */
export function renderPage(d: ReportData, href: (absDir: string) => string): string {
  const charts = timeCharts(d.timeline);
  const lib = uplotAssets();
  const kernels = kernelCoverageSection(d.dir);
  const nav: [id: string, label: string][] = [
    ['overview', 'Overview'],
    ['throughput', 'Throughput'],
    ['backends', 'Per backend'],
    ['coverage', 'Coverage'],
    ...(kernels ? [[KERNEL_COVERAGE_ID, 'Kernel coverage'] satisfies [string, string]] : []),
    ['buckets', `Buckets (${newKnown(d)})`],
    ...d.buckets.map((b, i): [string, string] => [bucketAnchor(b.bucket.slug), `#${i + 1}`]),
    ...(d.harnessBugs.length ? [['harness-bugs', `Harness bugs (${harnessCases(d)})`] satisfies [string, string]] : []),
  ];
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>onnxsmith report: ${esc(d.dir)}</title>
<style>${lib.css}</style>
<style>${STYLE}</style>
</head>
<body>
<header><h1>onnxsmith campaign report</h1><div class="sub">${esc(d.dir)} · ${d.overview.tests} tests · ${d.overview.findings} findings in ${d.overview.buckets} buckets (${newKnown(d)})</div></header>
<nav>${nav.map(([id, label]) => `<a href="#${esc(id)}">${esc(label)}</a>`).join('')}</nav>
<main>
${overviewSections(d, charts)}
${kernels}
${bucketList(d, href)}
${harnessBugs(d, href)}
</main>
<script type="application/json" id="chart-data">${scriptJson(charts)}</script>
<script>${scriptText(lib.js)}</script>
<script>${CHART_SCRIPT}</script>
</body>
</html>
`;
}
