/**
 * Entry point of a backend worker process: hosts one backend and runs cases the parent sends over IPC.
 * A native crash or hang here takes down only this process; the parent turns it into an Outcome.
 */
import { readFileSync } from 'node:fs';
import type { Graph, Tensor } from '../ir/index.js';
import { setToolGroupHooks } from './command.js';
import { createBackend } from './index.js';
import type { Backend, Outcome, Stage } from './types.js';
import { errorText, runInProcess } from './types.js';

export type ToWorker =
  | { readonly type: 'init'; readonly spec: string }
  | {
      readonly type: 'run';
      readonly id: number;
      readonly path: string;
      readonly graph?: Graph;
      readonly feeds: Readonly<Record<string, Tensor>>;
      readonly outputs: readonly string[];
    };

export type FromWorker =
  | { readonly type: 'ready'; readonly name: string; readonly version: string; readonly available: { ok: true } | { ok: false; reason: string } }
  | { readonly type: 'init-error'; readonly message: string }
  | { readonly type: 'stage'; readonly id: number; readonly stage: Stage }
  | { readonly type: 'result'; readonly id: number; readonly outcome: Outcome }
  | { readonly type: 'tool-group'; readonly pgid: number; readonly alive: boolean };

let backend: Backend | undefined;

function send(m: FromWorker): void {
  process.send?.(m);
}

// the parent kills tools' process groups if this worker dies with one running (it cannot do so itself then)
setToolGroupHooks({
  started: (pgid) => send({ type: 'tool-group', pgid, alive: true }),
  ended: (pgid) => send({ type: 'tool-group', pgid, alive: false }),
});

process.on('message', (m: ToWorker) => {
  void handle(m);
});
// the parent going away must not leave workers behind
process.on('disconnect', () => process.exit(0));

async function handle(m: ToWorker): Promise<void> {
  if (m.type === 'init') {
    try {
      backend = await createBackend(m.spec);
      send({ type: 'ready', name: backend.name, version: backend.version(), available: await backend.available() });
    } catch (e) {
      send({ type: 'init-error', message: errorText(e) });
    }
    return;
  }
  if (!backend) {
    send({ type: 'result', id: m.id, outcome: { kind: 'run-error', stage: 'run', message: 'worker received a case before init' } });
    return;
  }
  const model = { bytes: readFileSync(m.path), path: m.path, ...(m.graph ? { graph: m.graph } : {}) };
  const outcome = await runInProcess(backend, model, m.feeds, m.outputs, (stage) => send({ type: 'stage', id: m.id, stage }));
  send({ type: 'result', id: m.id, outcome });
}
