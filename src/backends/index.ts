/**
 * The backend registry: names users write, resolved to backends. Built-in names are listed explicitly;
 * `command:<path>` runs an external program and `module:<path>` loads a backend written in JavaScript.
 */
import { existsSync, statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { commandBackend } from './command.js';
import { ORT_NODE_FLAVOURS, ortNodeBackend, type OrtNodeFlavour } from './ort-node.js';
import { ortWebWasmBackend } from './ort-web.js';
import { referenceBackend } from './reference.js';
import { TFJS_FLAVOURS, tfjsBackend, type TfjsFlavour } from './tfjs.js';
import type { Backend } from './types.js';

/** Every built-in backend name (each may take @version where several releases can be installed). */
export const BUILTIN_BACKENDS: readonly string[] = ['reference', ...Object.keys(ORT_NODE_FLAVOURS), 'ort-web-wasm', ...Object.keys(TFJS_FLAVOURS)];

/** Backends a campaign uses when none are named: everything that runs on a CPU. */
export const DEFAULT_BACKENDS: readonly string[] = ['reference', 'ort-node-cpu', 'ort-node-cpu-noopt', 'ort-web-wasm', 'tfjs-cpu', 'tfjs-wasm'];

/** A backend name that matches nothing; the message lists what is known. */
export class UnknownBackend extends Error {
  override readonly name = 'UnknownBackend';
}

/** Resolves a backend name (`ort-node-cpu`, `ort-node-cpu@1.12.1`, `command:./tool`, `module:./b.js`). */
export async function createBackend(spec: string): Promise<Backend> {
  if (spec.startsWith('command:')) {
    const path = spec.slice('command:'.length);
    if (!path) throw new UnknownBackend(`'command:' needs a path, e.g. command:./my-compiler.sh`);
    return commandBackend(path);
  }
  if (spec.startsWith('module:')) {
    const path = spec.slice('module:'.length);
    if (!path) throw new UnknownBackend(`'module:' needs a path, e.g. module:./my-backend.mjs`);
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
  const at = spec.indexOf('@');
  const base = at < 0 ? spec : spec.slice(0, at);
  const version = at < 0 ? undefined : spec.slice(at + 1);
  if (version !== undefined && !/^\d+\.\d+\.\d+/.test(version)) throw new UnknownBackend(`backend '${spec}': version '${version}' is not x.y.z`);
  if (base === 'reference' && version === undefined) return referenceBackend;
  if (base in ORT_NODE_FLAVOURS) return ortNodeBackend(base as OrtNodeFlavour, version);
  if (base === 'ort-web-wasm') return ortWebWasmBackend(version);
  if (base in TFJS_FLAVOURS && version === undefined) return tfjsBackend(base as TfjsFlavour);
  throw new UnknownBackend(
    `unknown backend '${spec}' (known: ${BUILTIN_BACKENDS.join(', ')}, command:<path>, module:<path>; ort-* take @version for side-by-side installs)`,
  );
}

/** Backends that run code from outside onnxsmith and its packages: an executable or a JavaScript module. */
export function runsExternalCode(spec: string): boolean {
  return spec.startsWith('command:') || spec.startsWith('module:');
}

/**
 * A case folder may come from anyone: the external programs its case.json names run only when the user names
 * them too. Throws UnknownBackend (a usage error) naming each one otherwise.
 */
export function checkCaseBackends(fromCase: readonly string[], where: string): void {
  const external = fromCase.filter(runsExternalCode);
  if (external.length === 0) return;
  throw new UnknownBackend(
    `${where} names ${external.join(', ')}, which would run a program of the case's choosing; name ${external.length > 1 ? 'them' : 'it'} yourself to run ${external.length > 1 ? 'them' : 'it'}: --backends ${fromCase.join(',')}`,
  );
}

/** The command that replays (or reduces) a case folder: external programs must be named, so they are spelled out. */
export function caseCommand(verb: 'replay' | 'reduce', dir: string, specs: readonly string[]): string {
  const own = specs.filter((s) => s !== 'reference');
  return `onnxsmith ${verb} ${dir}${own.some(runsExternalCode) ? ` --backends ${own.join(',')}` : ''}`;
}

export type { Backend, Outcome, ModelInput, Stage, Availability } from './types.js';
