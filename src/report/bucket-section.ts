/**
 * One report section per bucket: what the bucket is, its first saved case drawn as a graph, every backend's
 * verdict on that case and the culprit's numbers next to the reference's.
 */
import type { KnownLabel } from '../campaign/known.js';
import type { CaseView } from './case-view.js';
import type { BucketView } from './data.js';
import { graphSvg } from './graph-svg.js';
import { esc, num, table } from './html.js';
import type { OutputDiff } from './output-diff.js';

/** Error texts can be whole stack dumps; the case folder keeps all of it. */
const DETAIL_MAX = 2000;

function detail(text: string): string {
  const t = text.length > DETAIL_MAX ? `${text.slice(0, DETAIL_MAX)}… (${text.length - DETAIL_MAX} more characters in case.json)` : text;
  return `<pre class="detail">${esc(t)}</pre>`;
}

/** The anchor id of a bucket's section. */
export function bucketAnchor(slug: string): string {
  return `bucket-${slug.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/** Mismatching outputs whose elements are listed; the summary table still names every output. */
const DETAILED_OUTPUTS = 3;

function diffSummary(diffs: readonly OutputDiff[]): string {
  const rows = diffs.map((d) => [
    esc(d.name),
    `<code>${esc(d.expectedType)}</code>${d.actualType !== d.expectedType ? ` (actual <code>${esc(d.actualType)}</code>)` : ''}`,
    `<span class="verdict ${d.verdict === 'match' ? 'pass' : 'fail'}">${esc(d.verdict)}</span>`,
    `${d.badElements} of ${d.elements}`,
    num(d.maxAbs),
    num(d.maxRel),
  ]);
  return table(['output', 'type', 'verdict', 'elements off', 'max abs error', 'max rel error'], rows);
}

function elementTable(d: OutputDiff): string {
  const rows = d.samples.map((s) => [String(s.index), num(s.expected, 7), num(s.actual, 7), num(Math.abs(s.actual - s.expected))]);
  return `<p><b>${esc(d.name)}</b>, a few elements:</p>${table(['element', 'expected (reference)', 'actual', '|difference|'], rows, 'values', (i) => (d.samples[i]?.bad ? 'bad' : ''))}`;
}

function verdictsTable(c: CaseView): string {
  if (c.verdicts.length === 0) return '';
  const rows = c.verdicts.map((v) => [esc(v.backend), `<span class="verdict ${esc(v.kind)}">${esc(v.kind)}</span>`, esc([v.symptom, v.stage].filter(Boolean).join(' / ')), v.detail ? detail(v.detail) : '']);
  return `<h4>Verdicts</h4>${table(['backend', 'verdict', 'symptom / stage', 'detail'], rows)}`;
}

function caseBlock(c: CaseView, culprit: string, uid: string, href: (absDir: string) => string): string {
  const parts: string[] = [];
  parts.push(`<p>Case folder: <a href="${esc(href(c.dir))}">${esc(c.dir)}</a></p>`);
  parts.push(`<p>Replay: <code class="cmd">${esc(c.replay)}</code>${c.reducedReplay ? `<br>Replay the reduced case: <code class="cmd">${esc(c.reducedReplay)}</code>` : ''}</p>`);
  if (c.divergence) {
    const d = c.divergence;
    parts.push(`<p>First divergent node: <b>${esc(d.node)}</b> (${esc(d.op)}, ${esc(d.dtype)})${d.reproducedWithIntermediates ? '' : ' — with intermediates exposed the bug vanished, so this is the producer of the first wrong output'}</p>`);
  }
  parts.push(verdictsTable(c));
  if (c.diffs.length > 0) {
    const detailed = c.diffs.filter((d) => d.verdict !== 'match' && d.samples.length > 0).slice(0, DETAILED_OUTPUTS);
    const from = c.diffsFrom ?? (c.reduced ? 'the reduced case' : undefined);
    parts.push(`<h4>Expected vs actual (${esc(culprit)})${from ? `, values from ${esc(from)}` : ''}</h4>`);
    parts.push(diffSummary(c.diffs), ...detailed.map(elementTable));
  }
  if (c.graph) {
    const g = c.graph;
    const caption = c.reduced ? `Reduced graph: reduced from ${c.reduced.from} to ${c.reduced.to} nodes` : `Graph (${g.nodes.length} nodes)`;
    parts.push(`<h4>${esc(caption)}</h4><div class="graph-wrap">${graphSvg(g, uid, c.divergence?.node)}</div>`);
  } else {
    parts.push('<p class="note">case.json holds no graph to draw.</p>');
  }
  return parts.join('\n');
}

/** What a known bucket is known as: the corpus case and its status, or the exclusion or --known entry and why. */
function knownAs(k: KnownLabel): string {
  const parts = [`<b>${esc(k.source)}</b>${k.status ? ` (${esc(k.status)})` : ''}`, k.reason ? esc(k.reason) : '', `matched by <code>${esc(k.match)}</code>${k.at ? ` at ${esc(k.at)}` : ''}`];
  return parts.filter(Boolean).join('<br>');
}

/** The section for bucket number `index` (1-based); `href` turns a case folder into a link from the report. */
export function bucketSection(v: BucketView, index: number, href: (absDir: string) => string): string {
  const b = v.bucket;
  const rows = [
    ['known as', b.known ? knownAs(b.known) : '<span class="new-tag">new</span>: matches no corpus case, exclusion or --known entry'],
    ['key', `<code>${esc(b.key)}</code>`],
    ['culprit', esc(b.culprit)],
    ['symptom', esc(b.symptom)],
    ['stage', esc(b.stage)],
    ['operator', esc(b.op ?? '—')],
    ['dtype', esc(b.dtype ?? '—')],
    ['hits', String(b.hits)],
    ['first case', `#${b.first}`],
    ['saved cases', String(b.cases.length)],
    ['detail', detail(b.detail)],
  ];
  const title = `${b.symptom} in ${b.culprit}${b.op ? ` at ${b.op}${b.dtype ? ` (${b.dtype})` : ''}` : ''}`;
  return [
    `<section class="bucket${b.known ? ' known' : ''}" id="${bucketAnchor(b.slug)}" data-key="${esc(b.key)}" data-known="${b.known ? esc(b.known.source) : ''}">`,
    `<h3>Bucket ${index}: ${esc(title)} <span class="hits">${b.hits} hit${b.hits === 1 ? '' : 's'}</span> ${b.known ? `<span class="known-tag">known: ${esc(b.known.source)}</span>` : '<span class="new-tag">new</span>'}</h3>`,
    `<table class="kv"><tbody>${rows.map(([k, val]) => `<tr><th>${k}</th><td>${val}</td></tr>`).join('')}</tbody></table>`,
    v.shownCase
      ? `<h4>${v.shownCase.reduced ? 'Reduced case' : 'First saved case'}</h4>${caseBlock(v.shownCase, b.culprit, `b${index}`, href)}`
      : '<p class="note">No case folder was saved for this bucket.</p>',
    '</section>',
  ].join('\n');
}
