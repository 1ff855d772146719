/**
 * The backend registry: names users write, resolved to backends. names.ts reads a name and describes each
 * built-in; here each runtime gets its factory. `command:<path>` runs an external program and `module:<path>`
 * loads a backend written in JavaScript.
 */
import { existsSync, statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { commandBackend } from './command.js';
import { BUILTIN_BACKENDS, isExternalProgram, parseBackendName, UnknownBackend, type OrtNodeFlavour, type TfjsFlavour } from './names.js';
import { ortNodeBackend } from './ort-node.js';
import { ortWebWasmBackend } from './ort-web.js';
import { referenceBackend } from './reference.js';
import { tfjsBackend } from './tfjs.js';
import type { Backend } from './types.js';

export { BUILTIN_BACKENDS, UnknownBackend };

/** Backends a campaign uses when none are named: everything that runs on a CPU. */
export const DEFAULT_BACKENDS: readonly string[] = ['reference', 'ort-node-cpu', 'ort-node-cpu-noopt', 'ort-web-wasm', 'tfjs-cpu', 'tfjs-wasm'];

/** Resolves a backend name (`ort-node-cpu`, `ort-node-cpu@1.12.1`, `command:./tool`, `module:./b.js`); names.ts reads it. */
export async function createBackend(spec: string): Promise<Backend> {
  const n = parseBackendName(spec);
  if (n.kind === 'command') return commandBackend(n.path);
  if (n.kind === 'module') return moduleBackend(spec, n.path);
  switch (n.builtin.runtime) {
    case 'reference':
      return referenceBackend;
    case 'onnxruntime-node':
      return ortNodeBackend(n.base as OrtNodeFlavour, n.version);
    case 'onnxruntime-web':
      return ortWebWasmBackend(n.version);
    case 'tfjs':
      return tfjsBackend(n.base as TfjsFlavour);
  }
}

/** A backend written in JavaScript: the default export of the module at `path`, named by its spec. */
async function moduleBackend(spec: string, path: string): Promise<Backend> {
  if (!existsSync(path) || !statSync(path).isFile()) throw new UnknownBackend(`backend '${spec}': ${resolve(path)} is not a file`);
  let mod: { default?: Backend | (() => Backend) };
  try {
    mod = (await import(pathToFileURL(resolve(path)).href)) as typeof mod;
  } catch (e) {
    throw new UnknownBackend(`backend '${spec}' failed to load: ${(e as Error).message.split('\n')[0]}`);
  }
  const b = typeof mod.default === 'function' ? mod.default() : mod.default;
  if (!b || typeof b !== 'object' || typeof b.run !== 'function') {
    throw new UnknownBackend(`${path} must export a backend (defineBackend({...})) as its default export`);
  }
  return { ...b, name: spec };
}

/**
 * A case folder may come from anyone: the external programs its case.json names run only when the user names
 * them too. Throws UnknownBackend (a usage error) naming each one otherwise.
 */
export function checkCaseBackends(fromCase: readonly string[], where: string): void {
  const external = fromCase.filter(isExternalProgram);
  if (external.length === 0) return;
  throw new UnknownBackend(
    `${where} names ${external.join(', ')}, which would run a program of the case's choosing; name ${external.length > 1 ? 'them' : 'it'} yourself to run ${external.length > 1 ? 'them' : 'it'}: --backends ${fromCase.join(',')}`,
  );
}

/** The command that replays (or reduces) a case folder: external programs must be named, so they are spelled out. */
export function caseCommand(verb: 'replay' | 'reduce', dir: string, specs: readonly string[]): string {
  const own = specs.filter((s) => s !== 'reference');
  return `onnxsmith ${verb} ${dir}${own.some(isExternalProgram) ? ` --backends ${own.join(',')}` : ''}`;
}

export type { Backend, Outcome, ModelInput, Stage, Availability } from './types.js';
