/**
 * Runs a backend in a worker child process with a per-case time limit. A segfault, abort, out-of-memory kill
 * or hang becomes an Outcome (crash / timeout, with the stage it happened in); the worker is restarted for the
 * next case. The worker leads its own process group so that tools it spawns die with it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Graph, Tensor } from '../ir/index.js';
import type { Availability, Outcome, Stage } from './types.js';
import type { FromWorker, ToWorker } from './worker.js';

// the worker is a built file: tests that import this module from src/ (vitest) fork the one in dist/
const WORKER = [join(import.meta.dirname, 'worker.js'), join(import.meta.dirname, '../../dist/src/backends/worker.js')].find((p) => existsSync(p)) ?? join(import.meta.dirname, 'worker.js');

export interface IsolationOptions {
  /** Limit for one case, load and run together (ms). */
  readonly timeoutMs: number;
  /** Limit for starting the worker and probing the backend (ms). */
  readonly startTimeoutMs?: number;
}

export interface BackendInfo {
  readonly name: string;
  readonly version: string;
  readonly available: Availability;
}

interface Pending {
  readonly id: number;
  stage: Stage;
  readonly resolve: (o: Outcome) => void;
  readonly timer: NodeJS.Timeout;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) killGroup(c);
});

function killGroup(c: ChildProcess): void {
  if (c.pid === undefined || c.exitCode !== null || c.signalCode !== null) return;
  try {
    process.kill(-c.pid, 'SIGKILL');
  } catch {
    try {
      c.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** One backend behind a worker process. */
export class IsolatedBackend {
  private child: ChildProcess | undefined;
  private info_: BackendInfo | undefined;
  private pending: Pending | undefined;
  private nextId = 1;
  private stderrTail = '';
  /** Workers started so far (1 + restarts). */
  starts = 0;

  constructor(
    readonly spec: string,
    private readonly opts: IsolationOptions,
  ) {}

  /** Starts the worker (if needed) and returns the backend's name, version and availability. */
  async start(): Promise<BackendInfo> {
    if (this.child && this.info_) return this.info_;
    const child = fork(WORKER, [], {
      serialization: 'advanced',
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      execArgv: [],
    });
    this.starts++;
    live.add(child);
    this.child = child;
    this.stderrTail = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => {
      this.stderrTail = (this.stderrTail + d).slice(-4000);
    });
    const info = await new Promise<BackendInfo>((resolve, reject) => {
      const limit = this.opts.startTimeoutMs ?? 120_000;
      const timer = setTimeout(() => {
        killGroup(child);
        reject(new Error(`backend '${this.spec}' did not start within ${limit} ms`));
      }, limit);
      const onMessage = (m: FromWorker): void => {
        if (m.type === 'ready') {
          clearTimeout(timer);
          child.off('message', onMessage);
          resolve({ name: m.name, version: m.version, available: m.available });
        } else if (m.type === 'init-error') {
          clearTimeout(timer);
          child.off('message', onMessage);
          reject(new Error(m.message));
        }
      };
      child.on('message', onMessage);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`backend '${this.spec}' worker exited while starting (${signal ?? `code ${code}`}): ${this.lastStderr()}`));
      });
      child.send({ type: 'init', spec: this.spec } satisfies ToWorker);
    });
    child.removeAllListeners('exit');
    child.on('message', (m: FromWorker) => this.onMessage(m));
    child.on('exit', (code, signal) => this.onExit(child, code, signal));
    this.info_ = info;
    return info;
  }

  private lastStderr(): string {
    return this.stderrTail.trim().split('\n').slice(-3).join(' | ');
  }

  private onMessage(m: FromWorker): void {
    const p = this.pending;
    if (!p || !('id' in m) || m.id !== p.id) return;
    if (m.type === 'stage') p.stage = m.stage;
    else if (m.type === 'result') this.settle(m.outcome);
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    live.delete(child);
    if (this.child === child) {
      this.child = undefined;
      this.info_ = undefined;
    }
    const p = this.pending;
    if (!p) return;
    const detail = this.lastStderr();
    this.settle({
      kind: 'crash',
      stage: p.stage,
      ...(signal ? { signal } : {}),
      ...(code !== null ? { exitCode: code } : {}),
      message: `worker died (${signal ?? `exit code ${code}`})${detail ? `: ${detail}` : ''}`,
    });
  }

  private settle(o: Outcome): void {
    const p = this.pending;
    if (!p) return;
    clearTimeout(p.timer);
    this.pending = undefined;
    p.resolve(o);
  }

  /** Runs one case; the model must be on disk at `path` already, so a crash never loses it. */
  async run(path: string, graph: Graph | undefined, feeds: Readonly<Record<string, Tensor>>, outputs: readonly string[]): Promise<Outcome> {
    if (this.pending) throw new Error(`backend '${this.spec}' is already running a case`);
    try {
      await this.start();
    } catch (e) {
      return { kind: 'crash', stage: 'load', message: `worker failed to start: ${(e as Error).message}` };
    }
    const child = this.child!;
    const id = this.nextId++;
    return new Promise<Outcome>((resolve) => {
      const timer = setTimeout(() => {
        const stage = this.pending?.stage ?? 'load';
        this.settle({ kind: 'timeout', stage, limitMs: this.opts.timeoutMs });
        killGroup(child);
      }, this.opts.timeoutMs);
      this.pending = { id, stage: 'load', resolve, timer };
      // a crash report quotes this case's stderr only: earlier cases' log lines would make crash buckets depend on order
      this.stderrTail = '';
      child.send({ type: 'run', id, path, ...(graph ? { graph } : {}), feeds, outputs } satisfies ToWorker);
    });
  }

  /** Stops the worker. */
  async close(): Promise<void> {
    const c = this.child;
    if (!c) return;
    this.child = undefined;
    this.info_ = undefined;
    const gone = new Promise<void>((r) => c.once('exit', () => r()));
    c.disconnect?.();
    const t = setTimeout(() => killGroup(c), 2000);
    await gone;
    clearTimeout(t);
  }
}
