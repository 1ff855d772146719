/**
 * The report's overview: how the campaign was run, what it found, how fast it went (chart placeholders the
 * page script fills), findings per backend and which operators the tested cases exercised.
 */
import type { ChartSpec } from './charts.js';
import type { ReportData } from './data.js';
import { duration, esc, num, pct, table } from './html.js';

function stat(label: string, value: string, warn = false): string {
  return `<div class="stat${warn ? ' warn' : ''}"><div class="value">${value}</div><div class="label">${esc(label)}</div></div>`;
}

function configTable(d: ReportData): string {
  const o = d.overview;
  const rows: [string, string][] = [
    ['folder', esc(d.dir)],
    ['seed', o.seed !== undefined ? String(o.seed) : '?'],
    ['backends', o.backends.map((b) => `${esc(b.name)} <span class="version">${esc(b.version)}</span>`).join('<br>') || '—'],
    ['nodes per graph', o.nodes !== undefined ? String(o.nodes) : '?'],
    ['jobs', o.jobs !== undefined ? String(o.jobs) : '?'],
    ['shard', !o.shard ? '0/1' : o.shard.index !== undefined ? `${o.shard.index}/${o.shard.count}` : `${o.shard.held?.join(',') ?? '?'} of ${o.shard.count} (missing ${o.shard.missing?.join(',') ?? '?'})`],
    ['input search', esc(o.search ?? '?')],
    ['opset', o.opset !== undefined ? String(o.opset) : 'default'],
    ['dtypes', esc(o.dtypes?.join(', ') ?? 'all')],
    ['sessions', String(o.sessions)],
  ];
  return `<table class="kv"><tbody>${rows.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('')}</tbody></table>`;
}

function numbers(d: ReportData): string {
  const o = d.overview;
  return `<div class="stats">${[
    stat('tests', String(o.tests)),
    stat('wall time', esc(duration(o.wallMs))),
    stat('tests per second', num(o.testsPerSecond, 3)),
    stat('findings', String(o.findings), o.findings > 0),
    stat('new buckets', String(o.buckets - o.knownBuckets), o.buckets - o.knownBuckets > 0),
    stat('known buckets', String(o.knownBuckets)),
    stat('search success', `${pct(o.searchRate)} <small>of ${o.searchAttempts}</small>`),
    stat('harness bugs', String(o.harnessBugs + o.generatorBugs), o.harnessBugs + o.generatorBugs > 0),
  ].join('')}</div>
<p class="note">${o.cases} cases in all: ${o.tests} tested (${o.unstable} of them unstable: a backend left the reference where the reference's own kernel, on that backend's inputs, agrees with it), ${o.searchFailed} without valid inputs found, ${o.unsupported} that no backend could run, ${o.harnessBugs} harness bugs, ${o.generatorBugs} generator bugs.</p>`;
}

function backendsTable(d: ReportData): string {
  if (d.backends.length === 0) return '<p class="note">No backends recorded.</p>';
  const rows = d.backends.map((b) => [
    esc(b.backend),
    esc(b.version),
    String(b.findingCases),
    String(b.buckets),
    esc(Object.entries(b.symptoms).sort(([x], [y]) => (x < y ? -1 : 1)).map(([s, n]) => `${s} ${n}`).join(', ') || '—'),
    `${num(b.avgMs, 3)} ms`,
  ]);
  return table(['backend', 'version', 'cases with findings', 'buckets', 'hits by symptom', 'mean time per case'], rows);
}

function coverage(d: ReportData): string {
  if (d.coverage.length === 0) return '<p class="note">No tested case yet.</p>';
  const max = d.coverage[0]!.cases;
  const rows = d.coverage.map((c) => [esc(c.op), String(c.cases), `<div class="bar" style="width:${((c.cases / max) * 100).toFixed(1)}%"></div>`]);
  const never = d.neverCovered.length
    ? `<p><b>Never covered</b> (${d.neverCovered.length} operators this campaign could draw): ${d.neverCovered.map(esc).join(', ')}</p>`
    : '<p>Every operator this campaign could draw was covered.</p>';
  const off = d.notSelected.length ? `<p class="note">Left out by --include/--exclude (${d.notSelected.length}): ${d.notSelected.map(esc).join(', ')}</p>` : '';
  return `<p class="note">How many tested cases contained each operator.</p>${table(['operator', 'cases', ''], rows, 'coverage')}${never}${off}`;
}

/** Overview, charts, findings per backend and operator coverage. */
export function overviewSections(d: ReportData, charts: readonly ChartSpec[]): string {
  const chartDivs = charts.length ? charts.map((c) => `<div class="chart" id="${c.id}"></div>`).join('\n') : '<p class="note">No finished case to chart.</p>';
  return [
    `<section id="overview"><h2>Overview</h2>${configTable(d)}${numbers(d)}</section>`,
    `<section id="throughput"><h2>Throughput over time</h2>${chartDivs}${d.sessionStarts.length > 1 ? `<p class="note">${d.sessionStarts.length} sessions, laid end to end.</p>` : ''}</section>`,
    `<section id="backends"><h2>Findings per backend</h2>${backendsTable(d)}</section>`,
    `<section id="coverage"><h2>Operator coverage</h2>${coverage(d)}</section>`,
  ].join('\n');
}
