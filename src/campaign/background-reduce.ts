/**
 * `fuzz --reduce`: the first case of each new bucket is reduced while the campaign goes on, one at a time, with
 * its own backend workers. A reduction that fails never disturbs the campaign; one still queued when the
 * campaign stops is named in the summary (and picked up again by `fuzz --resume ... --reduce`).
 */
import { isReduced, reduceCase } from '../triage/reduce-case.js';

export interface ReductionDone {
  readonly dir: string;
  readonly before: number;
  readonly after: number;
  readonly ms: number;
}

export interface BackgroundReduceOptions {
  readonly timeMs: number;
  readonly backends: readonly string[];
  readonly timeoutMs: number;
  readonly onDone?: (r: ReductionDone) => void;
  readonly onFailed?: (dir: string, reason: string) => void;
}

export class BackgroundReducer {
  private readonly queue: string[] = [];
  private readonly seen = new Set<string>();
  private running: Promise<void> | undefined;
  private stopped = false;
  readonly done: ReductionDone[] = [];
  readonly failed: { dir: string; reason: string }[] = [];

  constructor(private readonly o: BackgroundReduceOptions) {}

  /** Queues a case folder (once; a case already reduced is skipped). */
  add(dir: string): void {
    if (this.seen.has(dir) || isReduced(dir)) return;
    this.seen.add(dir);
    this.queue.push(dir);
    this.kick();
  }

  private kick(): void {
    if (this.running || this.stopped) return;
    const dir = this.queue.shift();
    if (dir === undefined) return;
    this.running = reduceCase(dir, { timeMs: this.o.timeMs, backends: this.o.backends, timeoutMs: this.o.timeoutMs })
      .then(
        (r) => {
          const d = { dir, before: r.before, after: r.after, ms: r.result.ms };
          this.done.push(d);
          this.o.onDone?.(d);
        },
        (e: unknown) => {
          const reason = (e as Error).message ?? String(e);
          this.failed.push({ dir, reason });
          this.o.onFailed?.(dir, reason);
        },
      )
      .finally(() => {
        this.running = undefined;
        this.kick();
      });
  }

  /** Lets the reduction in flight finish (it is time-limited) and returns the cases never started. */
  async finish(): Promise<string[]> {
    this.stopped = true;
    await this.running;
    return this.queue.splice(0);
  }
}
