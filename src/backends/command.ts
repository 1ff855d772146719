/**
 * `command:<path>`: any external program as a backend — the way to plug in TVM, TensorRT or an in-house
 * compiler without writing TypeScript. Protocol (docs/command-backend.md):
 *   onnxsmith makes a fresh folder D with D/model.onnx, D/inputs/<file>.pb (ONNX TensorProto, name set),
 *   D/io.json ({inputs, outputs: [{name, file, dtype, shape}]}) and an empty D/outputs/, then runs `<path> D`.
 *   Exit 0: D/outputs/<file>.pb written for every output. Exit 10: the tool rejects the model (a load error).
 *   Any other exit code: a run error (stderr's last lines are kept). Killed by a signal: a crash.
 *   The tool may create D/loaded once the model is compiled, so a later crash is attributed to the run stage.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { numel, type Tensor } from '../ir/index.js';
import { decodeTensor, encodeTensor, importModel } from '../onnx/index.js';
import { commandName } from './names.js';
import type { Availability, Backend, ModelInput, Session, Stage } from './types.js';
import { defineBackend } from './types.js';

/** Exit code a command uses to say it rejects the model. */
export const COMMAND_REJECT_EXIT = 10;

/** A backend's own process died (thrown by backends that manage processes; the runner makes it an Outcome). */
export class BackendCrash extends Error {
  override readonly name = 'BackendCrash';
  constructor(
    message: string,
    readonly stage: Stage,
    readonly signal?: string,
    readonly exitCode?: number,
  ) {
    super(message);
  }
}

/** A backend reported that it refuses the model (thrown from run() by backends that load lazily). */
export class BackendRejection extends Error {
  override readonly name = 'BackendRejection';
}

/** Longest file stem a tensor name maps to; longer names keep a prefix and a hash (file systems stop at 255 bytes). */
const MAX_STEM = 120;

/**
 * File name for a tensor name: every byte of its UTF-8 outside `[A-Za-z0-9.-]` becomes `_xx`, so distinct names
 * give distinct files (`a/b` → `a_2fb`, `a_2fb` → `a_5f2fb`); a long name keeps its first characters and a hash.
 */
export function tensorFileName(name: string): string {
  let stem = '';
  for (const b of Buffer.from(name, 'utf8')) {
    const c = String.fromCharCode(b);
    stem += /[A-Za-z0-9.-]/.test(c) ? c : `_${b.toString(16).padStart(2, '0')}`;
  }
  if (stem.length > MAX_STEM) {
    // '~' never appears in an escaped stem, so a shortened name cannot meet an unshortened one
    stem = `${stem.slice(0, MAX_STEM - 18)}~${createHash('sha256').update(name).digest('hex').slice(0, 16)}`;
  }
  return `${stem}.pb`;
}

/** Most stderr kept from a tool: its last lines carry the error, the first ones are often log noise. */
const STDERR_KEEP = 64 * 1024;

/** Largest output file read for an output of unknown size; a known size allows this much slack on top. */
const OUTPUT_SLACK_BYTES = 1 << 20;
const BYTES_PER_ELEMENT: Readonly<Record<string, number>> = { float32: 4, float64: 8, int32: 4, int64: 8, bool: 1 };
const UNKNOWN_OUTPUT_LIMIT = 256 << 20;

/**
 * Who owns the tools' process groups: a worker process reports them to its parent, which kills them if the
 * worker itself is killed mid-case (a timeout) and so can no longer do it.
 */
export interface ToolGroupHooks {
  started(pgid: number): void;
  ended(pgid: number): void;
}
let toolGroupHooks: ToolGroupHooks = { started() {}, ended() {} };
export function setToolGroupHooks(h: ToolGroupHooks): void {
  toolGroupHooks = h;
}

/** Folder under which per-case tool folders are made; a worker's parent removes it if the worker dies. */
function scratchRoot(): string {
  const d = process.env.ONNXSMITH_SCRATCH;
  if (d) {
    mkdirSync(d, { recursive: true });
    return d;
  }
  return tmpdir();
}

/** Tools running now: killed if this process exits first (a tool runs in a group of its own, so nothing else would). */
const running = new Set<number>();
process.on('exit', () => {
  for (const pgid of running) killProcessGroup(pgid);
});

/** SIGKILLs every process of a group; an empty group is no error. */
export function killProcessGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // the group is empty already
  }
}

interface ToolResult {
  readonly code: number | null;
  readonly signal: string | null;
  readonly stderr: string;
}

/**
 * Runs a tool in a process group of its own. When the tool exits, whatever it started is killed with the group:
 * a leftover child would hold the stderr pipe open (turning a good run into a timeout) and outlive the campaign.
 */
function runTool(exe: string, dir: string): Promise<ToolResult> {
  return new Promise((res, rej) => {
    let child: ChildProcess;
    try {
      child = spawn(exe, [dir], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], detached: true, env: { ...process.env, ONNXSMITH_CASE_DIR: dir } });
    } catch (e) {
      rej(e as Error);
      return;
    }
    const pgid = child.pid;
    if (pgid !== undefined) {
      running.add(pgid);
      toolGroupHooks.started(pgid);
    }
    let err = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      err += d;
      if (err.length > 2 * STDERR_KEEP) err = err.slice(-STDERR_KEEP);
    });
    let exited: { code: number | null; signal: string | null } | undefined;
    let done = false;
    const finish = (): void => {
      if (done || !exited) return;
      done = true;
      clearTimeout(drain);
      if (pgid !== undefined) toolGroupHooks.ended(pgid);
      res({ ...exited, stderr: err.slice(-STDERR_KEEP) });
    };
    let drain: NodeJS.Timeout | undefined;
    child.on('error', (e) => {
      if (pgid !== undefined) toolGroupHooks.ended(pgid);
      rej(e);
    });
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      if (pgid !== undefined) {
        killProcessGroup(pgid);
        running.delete(pgid);
      }
      // a grandchild that left the group may still hold stderr: stop waiting for it shortly after the tool's exit
      drain = setTimeout(() => {
        child.stderr?.destroy();
        finish();
      }, 1000);
    });
    child.on('close', finish);
  });
}

/** Reads one output file, refusing one far larger than its type and shape allow (a runaway tool). */
function readOutput(path: string, file: string, dtype: string | undefined, shape: readonly number[] | undefined): Buffer {
  const size = statSync(file).size;
  const per = dtype ? BYTES_PER_ELEMENT[dtype] : undefined;
  const known = per !== undefined && shape !== undefined && shape.every((d) => Number.isSafeInteger(d) && d >= 0);
  const limit = known ? 2 * per! * numel(shape!) + OUTPUT_SLACK_BYTES : UNKNOWN_OUTPUT_LIMIT;
  if (size > limit) {
    throw new Error(`${path} wrote ${size} bytes to ${file.slice(file.lastIndexOf('/outputs/') + 1)}, more than ${limit} for a ${dtype ?? '?'}[${shape?.join(',') ?? '?'}] output`);
  }
  return readFileSync(file);
}

interface CommandSession {
  readonly model: ModelInput;
}

function tail(text: string, lines = 6): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

export function commandBackend(path: string): Backend {
  const exe = resolve(path);
  let version: string | undefined;
  return defineBackend({
    name: commandName(path),
    version() {
      if (version === undefined) {
        const r = spawnSync(exe, ['--version'], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] });
        version = r.status === 0 && r.stdout.trim() ? r.stdout.trim().split('\n')[0]! : 'unknown';
      }
      return version;
    },
    async available(): Promise<Availability> {
      if (!existsSync(exe)) return { ok: false, reason: `${exe} does not exist` };
      if (!statSync(exe).isFile()) return { ok: false, reason: `${exe} is not a file (a command backend names an executable)` };
      try {
        accessSync(exe, constants.X_OK);
      } catch {
        return { ok: false, reason: `${exe} is not executable (chmod +x it)` };
      }
      return { ok: true };
    },
    supports: () => [],
    async prepare(model: ModelInput): Promise<Session> {
      return { model } satisfies CommandSession;
    },
    async run(session: Session, feeds: Readonly<Record<string, Tensor>>, outputNames: readonly string[]) {
      const { model } = session as CommandSession;
      const dir = mkdtempSync(join(scratchRoot(), 'onnxsmith-cmd-'));
      try {
        mkdirSync(join(dir, 'inputs'));
        mkdirSync(join(dir, 'outputs'));
        writeFileSync(join(dir, 'model.onnx'), model.bytes);
        const graph = model.graph ?? importModel(model.bytes, { path: model.path }).graph;
        const inputs = Object.entries(feeds).map(([name, t]) => {
          writeFileSync(join(dir, 'inputs', tensorFileName(name)), encodeTensor(name, t));
          return { name, file: `inputs/${tensorFileName(name)}`, dtype: t.dtype, shape: t.shape };
        });
        const outputs = outputNames.map((name) => {
          const o = graph.outputs.find((x) => x.name === name);
          return { name, file: `outputs/${tensorFileName(name)}`, dtype: o?.dtype, shape: o?.shape };
        });
        writeFileSync(join(dir, 'io.json'), JSON.stringify({ inputs, outputs }, null, 2));
        const { code, signal, stderr } = await runTool(exe, dir);
        const stage: Stage = existsSync(join(dir, 'loaded')) ? 'run' : 'load';
        if (signal) throw new BackendCrash(`${path} was killed by ${signal}${stderr ? `: ${tail(stderr, 3)}` : ''}`, stage, signal);
        if (code === COMMAND_REJECT_EXIT) throw new BackendRejection(tail(stderr) || `${path} rejected the model (exit ${code})`);
        if (code !== 0) throw new Error(tail(stderr) || `${path} exited with code ${code}`);
        const out: Record<string, Tensor> = {};
        for (const o of outputs) {
          const f = join(dir, o.file);
          if (!existsSync(f)) throw new Error(`${path} exited 0 but wrote no ${o.file} (output '${o.name}')`);
          out[o.name] = decodeTensor(readOutput(path, f, o.dtype, o.shape), `${path}: ${o.file}`).tensor;
        }
        return out;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  });
}
