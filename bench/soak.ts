/**
 * `npm run soak -- [MINUTES] [fuzz flags...]`: runs a default campaign as a user would (the CLI, in its own process)
 * and checks that it keeps its pace: tests/s over the last 5 minutes against the first 5 after a minute of warm-up,
 * and the resident memory of the campaign and all its workers at minute 6 against the end. Reported as ratios of the
 * same run (no absolute numbers to tune to); writes soak.json beside the campaign. Run it alone on the machine.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Sample {
  readonly s: number;
  readonly rssMb: number;
  readonly processes: number;
}

const minutes = Number(process.argv[2] ?? 30);
if (!(minutes >= 2)) throw new Error('soak: give at least 2 minutes');
// windows of 5 minutes after a minute of warm-up and at the end; shorter runs (a smoke test) halve the rest
const span = Math.min(5, (minutes - 1) / 2);
const extra = process.argv.slice(3);
const out = join(mkdtempSync(join(tmpdir(), 'onnxsmith-soak-')), 'campaign');
const cli = join(import.meta.dirname, '../src/cli/main.js');

/** Resident memory of a process and every descendant (workers lead their own process groups, so walk parents). */
function treeRss(root: number): { rssMb: number; processes: number } {
  const parent = new Map<number, number>();
  const rss = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(d), Number(f[1]));
      rss.set(Number(d), Number(f[21]) * 4096);
    } catch {
      // gone meanwhile
    }
  }
  let total = 0;
  let n = 0;
  for (const pid of rss.keys()) {
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = parent.get(p)) {
      if (p === root) {
        total += rss.get(pid)!;
        n++;
        break;
      }
    }
  }
  return { rssMb: total / 2 ** 20, processes: n };
}

const t0 = Date.now();
const child = spawn(process.execPath, [cli, 'fuzz', '--time', `${minutes}m`, '--out', out, '--no-report', ...extra], { stdio: ['ignore', 'ignore', 'inherit'] });
const samples: Sample[] = [];
const timer = setInterval(() => {
  if (child.pid !== undefined) samples.push({ s: (Date.now() - t0) / 1000, ...treeRss(child.pid) });
}, 15_000);
const code = await new Promise<number | null>((r) => child.on('exit', r));
clearInterval(timer);

interface Rec {
  readonly status: string;
  readonly at: number;
  readonly backendMs: Record<string, number>;
}
const recs = readFileSync(join(out, 'progress.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as Rec);
const ran = recs.filter((r) => r.status === 'pass' || r.status === 'finding' || r.status === 'harness-bug');
const window = (fromMin: number, toMin: number): { testsPerSecond: number; backendMs: number } => {
  const w = ran.filter((r) => r.at >= fromMin * 60_000 && r.at < toMin * 60_000);
  const ms = w.flatMap((r) => Object.values(r.backendMs));
  return { testsPerSecond: w.length / ((toMin - fromMin) * 60), backendMs: ms.length ? ms.reduce((a, b) => a + b, 0) / ms.length : 0 };
};
const first = window(1, 1 + span);
const last = window(minutes - span, minutes);
const rssAt = (min: number): number => samples.reduce((best, s) => (Math.abs(s.s - min * 60) < Math.abs(best.s - min * 60) ? s : best), samples[0]!).rssMb;
const perMinute = Array.from({ length: Math.ceil(minutes) }, (_, m) => ({ minute: m + 1, ...window(m, m + 1) }));
const report = {
  minutes,
  exitCode: code,
  cases: recs.length,
  tests: ran.length,
  first5: first,
  last5: last,
  paceRatio: last.testsPerSecond / first.testsPerSecond,
  backendMsRatio: last.backendMs / first.backendMs,
  rssMbAtWarm: rssAt(1 + span),
  rssMbAtEnd: rssAt(minutes - 0.25),
  rssRatio: rssAt(minutes - 0.25) / rssAt(1 + span),
  perMinute,
  samples,
};
writeFileSync(join(out, '..', 'soak.json'), JSON.stringify(report, null, 2) + '\n');
process.stdout.write(
  `soak: ${minutes} min, ${ran.length} tests, exit ${code}\n` +
    `tests/s minutes 1-${1 + span} ${first.testsPerSecond.toFixed(2)}, last 5 ${last.testsPerSecond.toFixed(2)}: ratio ${report.paceRatio.toFixed(3)} (target >= 0.90)\n` +
    `mean backend ms per run: ${first.backendMs.toFixed(2)} -> ${last.backendMs.toFixed(2)} (ratio ${report.backendMsRatio.toFixed(3)})\n` +
    `resident memory (campaign + workers): ${report.rssMbAtWarm.toFixed(0)} MB at minute ${1 + span}, ${report.rssMbAtEnd.toFixed(0)} MB at the end: ratio ${report.rssRatio.toFixed(3)} (target within 1.20)\n` +
    `per minute (tests/s): ${perMinute.map((m) => m.testsPerSecond.toFixed(1)).join(' ')}\n` +
    `details: ${join(out, '..', 'soak.json')}\n`,
);
