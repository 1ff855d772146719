/**
 * `command:<path>`: any external program as a backend — the way to plug in TVM, TensorRT or an in-house
 * compiler without writing TypeScript. Protocol (docs/command-backend.md):
 *   onnxsmith makes a fresh folder D with D/model.onnx, D/inputs/<file>.pb (ONNX TensorProto, name set),
 *   D/io.json ({inputs, outputs: [{name, file, dtype, shape}]}) and an empty D/outputs/, then runs `<path> D`.
 *   Exit 0: D/outputs/<file>.pb written for every output. Exit 10: the tool rejects the model (a load error).
 *   Any other exit code: a run error (stderr's last lines are kept). Killed by a signal: a crash.
 *   The tool may create D/loaded once the model is compiled, so a later crash is attributed to the run stage.
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Tensor } from '../ir/index.js';
import { decodeTensor, encodeTensor, importModel } from '../onnx/index.js';
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

/** File name for a tensor name: names may hold '/' or ':' in imported models. */
export function tensorFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, (c) => `_${c.charCodeAt(0).toString(16).padStart(2, '0')}`) + '.pb';
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
    name: `command:${path}`,
    version() {
      if (version === undefined) {
        const r = spawnSync(exe, ['--version'], { encoding: 'utf8', timeout: 5000 });
        version = r.status === 0 && r.stdout.trim() ? r.stdout.trim().split('\n')[0]! : 'unknown';
      }
      return version;
    },
    async available(): Promise<Availability> {
      if (!existsSync(exe)) return { ok: false, reason: `${exe} does not exist` };
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
      const dir = mkdtempSync(join(tmpdir(), 'onnxsmith-cmd-'));
      try {
        mkdirSync(join(dir, 'inputs'));
        mkdirSync(join(dir, 'outputs'));
        writeFileSync(join(dir, 'model.onnx'), model.bytes);
        const graph = model.graph ?? importModel(model.bytes).graph;
        const inputs = Object.entries(feeds).map(([name, t]) => {
          writeFileSync(join(dir, 'inputs', tensorFileName(name)), encodeTensor(name, t));
          return { name, file: `inputs/${tensorFileName(name)}`, dtype: t.dtype, shape: t.shape };
        });
        const outputs = outputNames.map((name) => {
          const o = graph.outputs.find((x) => x.name === name);
          return { name, file: `outputs/${tensorFileName(name)}`, dtype: o?.dtype, shape: o?.shape };
        });
        writeFileSync(join(dir, 'io.json'), JSON.stringify({ inputs, outputs }, null, 2));
        const { code, signal, stderr } = await new Promise<{ code: number | null; signal: string | null; stderr: string }>((res, rej) => {
          const child = spawn(exe, [dir], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ONNXSMITH_CASE_DIR: dir } });
          let err = '';
          child.stderr.setEncoding('utf8');
          child.stderr.on('data', (d: string) => {
            if (err.length < 64_000) err += d;
          });
          child.on('error', rej);
          child.on('close', (c, s) => res({ code: c, signal: s, stderr: err }));
        });
        const stage: Stage = existsSync(join(dir, 'loaded')) ? 'run' : 'load';
        if (signal) throw new BackendCrash(`${path} was killed by ${signal}${stderr ? `: ${tail(stderr, 3)}` : ''}`, stage, signal);
        if (code === COMMAND_REJECT_EXIT) throw new BackendRejection(tail(stderr) || `${path} rejected the model (exit ${code})`);
        if (code !== 0) throw new Error(tail(stderr) || `${path} exited with code ${code}`);
        const out: Record<string, Tensor> = {};
        for (const o of outputs) {
          const f = join(dir, o.file);
          if (!existsSync(f)) throw new Error(`${path} exited 0 but wrote no ${o.file} (output '${o.name}')`);
          out[o.name] = decodeTensor(readFileSync(f), `${path}: ${o.file}`).tensor;
        }
        return out;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  });
}
