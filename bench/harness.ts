/**
 * A small benchmark harness: every case runs for a fixed time budget and is reported as a rate and as a ratio
 * against a baseline measured in the same process, so numbers compare across machines.
 */
export interface BenchResult {
  readonly name: string;
  readonly iterations: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly unit: string;
}

/** Runs `fn(i)` repeatedly for `seconds` (after a short warm-up) and returns its rate. */
export function measure(name: string, unit: string, fn: (i: number) => void, seconds = 2): BenchResult {
  const warm = performance.now();
  let i = 0;
  while (performance.now() - warm < 200) fn(i++);
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < seconds * 1000) fn(i + n++);
  const s = (performance.now() - start) / 1000;
  return { name, iterations: n, seconds: s, perSecond: n / s, unit };
}

/** Prints results as a table with each rate's ratio to the baseline's. */
export function report(title: string, baseline: BenchResult, results: readonly BenchResult[]): void {
  process.stdout.write(`\n## ${title}\n`);
  const w = Math.max(...[baseline, ...results].map((r) => r.name.length));
  process.stdout.write(`${'case'.padEnd(w)}  ${'rate'.padStart(12)}  unit            ratio to baseline\n`);
  for (const r of [baseline, ...results]) {
    const ratio = r === baseline ? '1.00 (baseline)' : (r.perSecond / baseline.perSecond).toFixed(3);
    process.stdout.write(`${r.name.padEnd(w)}  ${r.perSecond.toFixed(1).padStart(12)}  ${r.unit.padEnd(14)}  ${ratio}\n`);
  }
}
