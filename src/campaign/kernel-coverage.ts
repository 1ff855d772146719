/**
 * The kernel gaps a campaign met, per backend: operator and element types the backend has no kernel for, with its
 * own words and how many cases met each. Kept in the campaign folder's kernel-gaps.json (a resumed campaign adds
 * to it), copied into stats.json and shown by the report as each backend's kernel coverage. A gap is never a bucket.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KernelGap, Outcome } from '../backends/types.js';
import { writeFileAtomic } from '../util/fs.js';

/** One gap as the campaign saw it. */
export interface CoverageGap {
  readonly key: string;
  readonly op: string;
  readonly since?: number;
  readonly dtype: string;
  readonly message: string;
  /** Case numbers: the lowest that met it, and how many did (a case a killed session ran again counts twice). */
  first: number;
  cases: number;
}

/** kernel-gaps.json: per campaign backend (as named with --backends), the release and its gaps by key. */
export interface CoverageFile {
  readonly format: 1;
  readonly backends: Record<string, { release: string; gaps: Record<string, CoverageGap> }>;
}

export const KERNEL_GAPS_FILE = 'kernel-gaps.json';

/** A campaign folder's kernel-gaps.json, or undefined when it has none (or an unreadable one). */
export function readKernelCoverage(dir: string): CoverageFile | undefined {
  const f = join(dir, KERNEL_GAPS_FILE);
  if (!existsSync(f)) return undefined;
  try {
    const j = JSON.parse(readFileSync(f, 'utf8')) as Partial<CoverageFile>;
    return j.format === 1 && typeof j.backends === 'object' && j.backends !== null ? (j as CoverageFile) : undefined;
  } catch {
    return undefined;
  }
}

const byKey = <T extends { key: string }>(a: T, b: T): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** Collects the gaps a campaign's outcomes report, for kernel-gaps.json and stats.json. */
export class KernelCoverage {
  private readonly file: CoverageFile;
  private changed = false;

  constructor(private readonly dir: string) {
    this.file = readKernelCoverage(dir) ?? { format: 1, backends: {} };
  }

  /** Notes case `k`'s outcomes. */
  note(k: number, results: readonly { readonly backend: string; readonly outcome: Outcome }[]): void {
    for (const { backend, outcome } of results) {
      if (outcome.kind === 'unsupported' && outcome.kernelGap) this.add(backend, k, outcome.kernelGap);
    }
  }

  private add(backend: string, k: number, g: KernelGap): void {
    const b = (this.file.backends[backend] ??= { release: g.backend, gaps: {} });
    const had = b.gaps[g.key];
    if (had) {
      had.cases++;
      had.first = Math.min(had.first, k);
    } else {
      b.gaps[g.key] = { key: g.key, op: g.op, ...(g.since !== undefined ? { since: g.since } : {}), dtype: g.dtype, message: g.message, first: k, cases: 1 };
    }
    this.changed = true;
  }

  /** For stats.json: per backend, its release and its gaps sorted by key. */
  summary(): Record<string, { release: string; gaps: CoverageGap[] }> {
    return Object.fromEntries(Object.entries(this.file.backends).map(([name, b]) => [name, { release: b.release, gaps: Object.values(b.gaps).sort(byKey) }]));
  }

  /** Writes kernel-gaps.json when something new was noted. */
  write(): void {
    if (!this.changed) return;
    // sorted, so the file does not depend on the order cases finished in
    const backends = Object.fromEntries(
      Object.entries(this.summary())
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([name, b]) => [name, { release: b.release, gaps: Object.fromEntries(b.gaps.map((g) => [g.key, g])) }]),
    );
    writeFileAtomic(join(this.dir, KERNEL_GAPS_FILE), JSON.stringify({ format: 1, backends } satisfies CoverageFile, null, 2) + '\n');
    this.changed = false;
  }
}
