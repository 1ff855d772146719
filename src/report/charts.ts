/**
 * The report's time charts. Series are computed here; the page draws them with uPlot, whose script and style
 * are inlined from node_modules so the file opens offline.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { TimelinePoint } from './data.js';

export interface ChartSeries {
  readonly label: string;
  readonly values: readonly number[];
  readonly color: string;
  /** Series on the right-hand axis use scale 'right'. */
  readonly scale?: 'right';
}

/** One chart: `id` is the element it is drawn into. */
export interface ChartSpec {
  readonly id: string;
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly rightLabel?: string;
  readonly x: readonly number[];
  readonly series: readonly ChartSeries[];
}

/** Bins of a readable width that give at most about 60 points over the campaign. */
const STEPS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];
/** More points than this add bytes, not information, to the cumulative chart. */
const MAX_POINTS = 2000;

const round = (x: number): number => Math.round(x * 1000) / 1000;

/** Tests per second in fixed time steps, plus the step width (seconds). */
function throughput(timeline: readonly TimelinePoint[]): { x: number[]; rate: number[]; stepS: number } {
  const end = timeline.reduce((m, p) => Math.max(m, p.t), 0) / 1000;
  const stepS = STEPS_S.find((s) => s * 60 >= end) ?? Math.ceil(end / 60);
  const counts = new Array<number>(Math.max(1, Math.ceil(end / stepS))).fill(0);
  for (const p of timeline) if (p.tested) counts[Math.min(counts.length - 1, Math.floor(p.t / 1000 / stepS))]!++;
  return { x: counts.map((_, i) => (i + 1) * stepS), rate: counts.map((c) => round(c / stepS)), stepS };
}

function cumulative(timeline: readonly TimelinePoint[]): { x: number[]; tests: number[]; findings: number[] } {
  const every = Math.max(1, Math.ceil(timeline.length / MAX_POINTS));
  const out = { x: [0], tests: [0], findings: [0] };
  let tests = 0;
  let findings = 0;
  timeline.forEach((p, i) => {
    if (p.tested) tests++;
    if (p.finding) findings++;
    if (i % every === every - 1 || i === timeline.length - 1) {
      out.x.push(round(p.t / 1000));
      out.tests.push(tests);
      out.findings.push(findings);
    }
  });
  return out;
}

/** The throughput and the cumulative tests/findings charts for a campaign's timeline. */
export function timeCharts(timeline: readonly TimelinePoint[]): ChartSpec[] {
  if (timeline.length === 0) return [];
  const t = throughput(timeline);
  const c = cumulative(timeline);
  return [
    {
      id: 'chart-throughput',
      title: `Throughput (tests per second, ${t.stepS} s steps)`,
      xLabel: 'campaign time (s)',
      yLabel: 'tests/s',
      x: t.x,
      series: [{ label: 'tests/s', values: t.rate, color: '#2266bb' }],
    },
    {
      id: 'chart-cumulative',
      title: 'Tests and findings so far',
      xLabel: 'campaign time (s)',
      yLabel: 'tests',
      rightLabel: 'findings',
      x: c.x,
      series: [
        { label: 'tests', values: c.tests, color: '#2266bb' },
        { label: 'findings', values: c.findings, color: '#cc3322', scale: 'right' },
      ],
    },
  ];
}

const require = createRequire(import.meta.url);

/** uPlot's browser build and stylesheet, for inlining. */
export function uplotAssets(): { js: string; css: string } {
  return {
    js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  };
}

/**
 * Browser script that draws every chart spec found in the `#chart-data` JSON element. Plain ES2017 in a string:
 * it runs in the page, not in Node.
 */
export const CHART_SCRIPT = `
(function () {
  var specs = JSON.parse(document.getElementById('chart-data').textContent);
  var plots = [];
  specs.forEach(function (s) {
    var el = document.getElementById(s.id);
    if (!el) return;
    var series = [{ label: s.xLabel }].concat(s.series.map(function (z) {
      return { label: z.label, stroke: z.color, width: 2, fill: z.scale ? undefined : z.color + '22', scale: z.scale || 'y' };
    }));
    var axes = [{ label: s.xLabel }, { label: s.yLabel, scale: 'y' }];
    if (s.rightLabel) axes.push({ label: s.rightLabel, scale: 'right', side: 1, grid: { show: false } });
    var opts = {
      title: s.title,
      width: Math.max(320, el.clientWidth),
      height: 260,
      scales: { x: { time: false }, y: { range: function (u, min, max) { return [0, Math.max(1, max * 1.1)]; } },
        right: { range: function (u, min, max) { return [0, Math.max(1, max * 1.1)]; } } },
      series: series,
      axes: axes,
    };
    plots.push({ el: el, plot: new uPlot(opts, [s.x].concat(s.series.map(function (z) { return z.values; })), el) });
  });
  window.addEventListener('resize', function () {
    plots.forEach(function (p) { p.plot.setSize({ width: Math.max(320, p.el.clientWidth), height: 260 }); });
  });
})();
`;
