/**
 * Setup file of the unit tier (vitest.config.ts): a unit test starts no process or worker and loads no runtime
 * under test. Starting a process throws at the call; a runtime package the file's tests brought into the module
 * cache fails the file once they have run, even when the code that loaded it caught the error (unit files share
 * worker threads, so a package already there was loaded by an earlier file, which failed for it). Tests that need either belong in
 * test/contract (runtimes) or test/e2e (the CLI). tfjs-core and tfjs-cpu are allowed: the input search
 * (src/search) differentiates with them in-process; the tfjs backends under test are caught by tfjs-wasm, which
 * every tfjs backend test runs too.
 */
import childProcess from 'node:child_process';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import workerThreads from 'node:worker_threads';
import { afterAll } from 'vitest';

/** Packages that are runtimes under test (ort-1-12 is onnxruntime-node 1.12.1 under an npm alias). */
const RUNTIME_PACKAGES = ['onnxruntime-node', 'onnxruntime-web', 'ort-1-12', '@tensorflow/tfjs-backend-wasm'] as const;

const MOVE = 'a unit test starts no process or runtime: move it to test/contract (runtimes) or test/e2e (the CLI)';

function refuse(what: string): () => never {
  return () => {
    throw new Error(`${what} in the unit tier; ${MOVE}`);
  };
}

const cp = childProcess as unknown as Record<string, unknown>;
for (const f of ['spawn', 'spawnSync', 'fork', 'exec', 'execSync', 'execFile', 'execFileSync']) cp[f] = refuse(`child_process.${f}`);
(workerThreads as unknown as Record<string, unknown>).Worker = class {
  constructor() {
    refuse('new Worker')();
  }
};
// ESM named imports of built-in modules are copies: bring them in line with the patched CommonJS exports
syncBuiltinESMExports();

const requireCache = createRequire(import.meta.url).cache;

/** The runtime packages some module of which is loaded in this process. */
export function loadedRuntimes(): string[] {
  const paths = Object.keys(requireCache).map((p) => p.replaceAll('\\', '/'));
  return RUNTIME_PACKAGES.filter((pkg) => paths.some((p) => p.includes(`/node_modules/${pkg}/`)));
}

const loadedBefore = new Set(loadedRuntimes());

afterAll(() => {
  const loaded = loadedRuntimes().filter((pkg) => !loadedBefore.has(pkg));
  if (loaded.length > 0) throw new Error(`this file's tests loaded ${loaded.join(', ')}; ${MOVE}`);
});
