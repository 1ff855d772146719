/**
 * Runs a backend in a worker child process with a per-case time limit. A segfault, abort, out-of-memory kill
 * or hang becomes an Outcome (crash / timeout, with the stage it happened in); the worker is restarted for the
 * next case. The worker leads its own process group so that tools it spawns die with it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Graph, Tensor } from '../ir/index.js';
import { killProcessGroup } from './command.js';
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
/** Process groups of external tools the live workers run, and the workers' scratch folders. */
const toolGroups = new Map<ChildProcess, Set<number>>();
const scratch = new Map<ChildProcess, string>();
process.on('exit', () => {
  for (const c of live) {
    killGroup(c);
    release(c);
  }
});

/** Kills what a dead or dying worker left behind: its tools' process groups and its scratch folder. */
function release(c: ChildProcess): void {
  for (const pgid of toolGroups.get(c) ?? []) killProcessGroup(pgid);
  toolGroups.delete(c);
  const dir = scratch.get(c);
  if (dir) rmSync(dir, { recursive: true, force: true });
  scratch.delete(c);
}

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
    const dir = mkdtempSync(join(tmpdir(), 'onnxsmith-worker-'));
    const child = fork(WORKER, [], {
      serialization: 'advanced',
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      execArgv: [],
      env: { ...process.env, ONNXSMITH_SCRATCH: dir },
    });
    this.starts++;
    live.add(child);
    scratch.set(child, dir);
    toolGroups.set(child, new Set());
    child.on('message', (m: FromWorker) => {
      if (m.type !== 'tool-group') return;
      if (m.alive) toolGroups.get(child)?.add(m.pgid);
      else toolGroups.get(child)?.delete(m.pgid);
    });
    child.once('exit', () => {
      live.delete(child);
      release(child);
    });
    this.child = child;
    this.stderrTail = '';
    // a write to a worker that died between cases (EPIPE) must become that case's crash, never an unhandled error
    child.on('error', (e) => this.onError(child, e));
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => {
      // a killed worker's last words must not land in the next case's crash report
      if (this.child !== child) return;
      this.stderrTail = (this.stderrTail + d).slice(-4000);
    });
    let onStartExit: (code: number | null, signal: NodeJS.Signals | null) => void = () => {};
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
      onStartExit = (code: number | null, signal: NodeJS.Signals | null): void => {
        clearTimeout(timer);
        reject(new Error(`backend '${this.spec}' worker exited while starting (${signal ?? `code ${code}`}): ${this.lastStderr()}`));
      };
      child.once('exit', onStartExit);
      child.send({ type: 'init', spec: this.spec } satisfies ToWorker, (e) => {
        if (!e) return;
        clearTimeout(timer);
        killGroup(child);
        reject(new Error(`backend '${this.spec}' worker could not be reached while starting: ${e.message}`));
      });
    });
    child.removeListener('exit', onStartExit);
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

  /** Forgets a worker at once, so the next case starts a fresh one instead of writing to a dying process. */
  private detach(child: ChildProcess): void {
    if (this.child !== child) return;
    this.child = undefined;
    this.info_ = undefined;
  }

  private onError(child: ChildProcess, e: Error): void {
    const current = this.child === child;
    this.detach(child);
    killGroup(child);
    if (!current || !this.pending) return;
    this.settle({ kind: 'crash', stage: this.pending.stage, message: `worker unreachable: ${e.message}` });
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    const current = this.child === child;
    this.detach(child);
    // a worker killed after its case timed out exits while the next case may already run on a new worker
    if (!current) return;
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

  /**
   * Runs one case; the model must be on disk at `path` already, so a crash never loses it. `timeoutMs` overrides the
   * backend's limit for this case (the second chance a timed-out case gets).
   */
  async run(path: string, graph: Graph | undefined, feeds: Readonly<Record<string, Tensor>>, outputs: readonly string[], timeoutMs = this.opts.timeoutMs): Promise<Outcome> {
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
        this.detach(child);
        killGroup(child);
        release(child);
        this.settle({ kind: 'timeout', stage, limitMs: timeoutMs });
      }, timeoutMs);
      this.pending = { id, stage: 'load', resolve, timer };
      // a crash report quotes this case's stderr only: earlier cases' log lines would make crash buckets depend on order
      this.stderrTail = '';
      const message = { type: 'run', id, path, ...(graph ? { graph } : {}), feeds, outputs } satisfies ToWorker;
      try {
        child.send(message, (e) => {
          if (e) this.onError(child, e);
        });
      } catch (e) {
        this.onError(child, e as Error);
      }
    });
  }

  /** Stops the worker. */
  async close(): Promise<void> {
    const c = this.child;
    if (!c) return;
    this.child = undefined;
    this.info_ = undefined;
    if (c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise<void>((r) => c.once('exit', () => r()));
    if (c.connected) c.disconnect();
    const t = setTimeout(() => killGroup(c), 2000);
    await gone;
    clearTimeout(t);
  }
}
