/**
 * Backend names, read in one place. A name is `reference`, a built-in flavour (`ort-node-cpu`), a built-in
 * pinned to an installed release (`ort-node-cpu@1.12.1`), `command:<path>` or `module:<path>`. Each built-in is
 * described once here: what runs it, which npm packages provide it, which kernels it shares with others, and how
 * a report names it. Nothing else splits a backend name (test/unit/backends/names-only-here.test.ts).
 */

/** A name that matches nothing; the message lists what is known (a usage error at the CLI). */
export class UnknownBackend extends Error {
  override readonly name = 'UnknownBackend';
}

/** onnxruntime-node's execution provider and optimisation level per flavour. */
export const ORT_NODE_FLAVOURS = {
  'ort-node-cpu': { provider: 'cpu', optimization: 'all' },
  'ort-node-cpu-noopt': { provider: 'cpu', optimization: 'disabled' },
  'ort-node-webgpu': { provider: 'webgpu', optimization: 'all' },
  'ort-node-cuda': { provider: 'cuda', optimization: 'all' },
} as const;
export type OrtNodeFlavour = keyof typeof ORT_NODE_FLAVOURS;

/** The tfjs backend package and the name tfjs registers it under, per flavour. */
export const TFJS_FLAVOURS = {
  'tfjs-cpu': { pkg: '@tensorflow/tfjs-backend-cpu', tfBackend: 'cpu' },
  'tfjs-wasm': { pkg: '@tensorflow/tfjs-backend-wasm', tfBackend: 'wasm' },
  'tfjs-node': { pkg: '@tensorflow/tfjs-node', tfBackend: 'tensorflow' },
} as const;
export type TfjsFlavour = keyof typeof TFJS_FLAVOURS;

/** What runs a built-in backend (index.ts maps each to its factory). */
export type Runtime = 'reference' | 'onnxruntime-node' | 'onnxruntime-web' | 'tfjs';

/** One built-in backend, described once. */
export interface Builtin {
  readonly runtime: Runtime;
  /** Whether `@version` may pin an installed release (side-by-side installs under npm aliases). */
  readonly versioned: boolean;
  /** The npm packages a standalone reproduction needs, in install order (none for the reference). */
  readonly packages: readonly string[];
  /**
   * Backends that run the same kernels count as one witness against the reference: onnxruntime's CPU kernels are
   * compiled into onnxruntime-node (with and without graph optimisations) and into onnxruntime-web's wasm build.
   * Every other backend is its own family.
   */
  readonly family?: string;
  /** The project a report names, and what of it runs (`CPU execution provider, ...`). */
  readonly project: string;
  readonly detail?: string;
}

const ORT_CPU = 'onnxruntime-cpu';
const ortNode = (detail: string, family?: string): Builtin => ({
  runtime: 'onnxruntime-node',
  versioned: true,
  packages: ['onnxruntime-node'],
  project: 'onnxruntime-node',
  detail,
  ...(family ? { family } : {}),
});
const tfjs = (flavour: TfjsFlavour, project: string, detail?: string): Builtin => ({
  runtime: 'tfjs',
  versioned: false,
  packages: flavour === 'tfjs-node' ? [TFJS_FLAVOURS[flavour].pkg] : ['@tensorflow/tfjs-core', TFJS_FLAVOURS[flavour].pkg],
  project,
  ...(detail ? { detail } : {}),
});

/** Every built-in backend, in the order the CLI lists them. */
export const BUILTINS: Readonly<Record<string, Builtin>> = {
  reference: { runtime: 'reference', versioned: false, packages: [], project: 'onnxsmith', detail: 'float64 reference interpreter' },
  'ort-node-cpu': ortNode('CPU execution provider, graph optimisations on (level "all")', ORT_CPU),
  'ort-node-cpu-noopt': ortNode('CPU execution provider, graph optimisations off', ORT_CPU),
  'ort-node-webgpu': ortNode('WebGPU execution provider'),
  'ort-node-cuda': ortNode('CUDA execution provider'),
  'ort-web-wasm': { runtime: 'onnxruntime-web', versioned: true, packages: ['onnxruntime-web'], project: 'onnxruntime-web', detail: 'wasm execution provider (single thread)', family: ORT_CPU },
  'tfjs-cpu': tfjs('tfjs-cpu', 'tfjs', 'cpu backend'),
  'tfjs-wasm': tfjs('tfjs-wasm', 'tfjs', 'wasm backend'),
  'tfjs-node': tfjs('tfjs-node', 'tfjs-node'),
};

/** Every built-in backend name (the versioned ones also take @version). */
export const BUILTIN_BACKENDS: readonly string[] = Object.keys(BUILTINS);

/** A backend name read into its parts. */
export type BackendName =
  /** `base` is a built-in name; `version` the release it pins, if any. */
  | { readonly kind: 'builtin'; readonly spec: string; readonly base: string; readonly version?: string; readonly builtin: Builtin }
  /** An external program or JavaScript module; its path may hold '@', so the whole spec is its base. */
  | { readonly kind: 'command'; readonly spec: string; readonly base: string; readonly path: string }
  | { readonly kind: 'module'; readonly spec: string; readonly base: string; readonly path: string }
  /** No built-in (a culprit a test or an older case recorded): read as `base[@version]`, resolved by nothing. */
  | { readonly kind: 'unregistered'; readonly spec: string; readonly base: string; readonly version?: string };

const EXTERNAL = /^(command|module):/;
/** A release as npm spells it: x.y.z with an optional pre-release or build tail. */
const VERSION = /^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]*)?$/;

/** Reads any name into its parts without judging it (culprits, exclusion keys, case.json entries). */
export function readBackendName(spec: string): BackendName {
  const ext = EXTERNAL.exec(spec);
  if (ext) return { kind: ext[1] === 'command' ? 'command' : 'module', spec, base: spec, path: spec.slice(ext[0].length) };
  const at = spec.indexOf('@');
  const base = at < 0 ? spec : spec.slice(0, at);
  const version = at < 0 ? {} : { version: spec.slice(at + 1) };
  const builtin = Object.hasOwn(BUILTINS, base) ? BUILTINS[base] : undefined;
  return builtin ? { kind: 'builtin', spec, base, builtin, ...version } : { kind: 'unregistered', spec, base, ...version };
}

/**
 * Reads a name the user wrote and checks it names something: a built-in (with @version only where releases can be
 * installed side by side) or an external program or module with a path. Throws UnknownBackend saying what is wrong
 * and listing the known names. Whether a pinned release is installed, or a path exists, is for the backend to say.
 */
export function parseBackendName(spec: string): Exclude<BackendName, { kind: 'unregistered' }> {
  const n = readBackendName(spec);
  if (n.kind === 'command' && !n.path) throw new UnknownBackend(`'command:' needs a path, e.g. command:./my-compiler.sh`);
  if (n.kind === 'module' && !n.path) throw new UnknownBackend(`'module:' needs a path, e.g. module:./my-backend.mjs`);
  if (n.kind === 'command' || n.kind === 'module') return n;
  if (n.version !== undefined && !VERSION.test(n.version)) throw new UnknownBackend(`backend '${spec}': version '${n.version}' is not x.y.z`);
  if (n.kind === 'builtin' && (n.version === undefined || n.builtin.versioned)) return n;
  throw new UnknownBackend(
    `unknown backend '${spec}' (known: ${BUILTIN_BACKENDS.join(', ')}, command:<path>, module:<path>; ort-* take @version for side-by-side installs)`,
  );
}

/** Whether `name` is well formed for a backend to declare: lower-kebab with an optional @version, or external. */
export function isWellFormedName(name: string): boolean {
  const n = readBackendName(name);
  if (n.kind === 'command' || n.kind === 'module') return n.path.length > 0;
  return /^[a-z0-9][a-z0-9.-]*$/.test(n.base) && (n.version === undefined || VERSION.test(n.version));
}

/** `ort-node-cpu@1.12.1` → `ort-node-cpu`; names without a version, and external programs, unchanged. */
export function backendBase(spec: string): string {
  return readBackendName(spec).base;
}

/**
 * The release a name stands for: `ort-node-cpu` that resolved to `version` is `ort-node-cpu@version`; a pinned
 * name and an external program are already one release.
 */
export function withVersion(spec: string, version: string | undefined): string {
  const n = readBackendName(spec);
  if (n.kind === 'command' || n.kind === 'module' || n.version !== undefined || !version) return spec;
  return `${n.base}@${version}`;
}

/** The version a name pins (`ort-node-cpu@1.12.1` → `1.12.1`), if any. */
export function pinnedVersion(spec: string): string | undefined {
  const n = readBackendName(spec);
  return n.kind === 'command' || n.kind === 'module' ? undefined : n.version;
}

/** Backends that run code from outside onnxsmith and its packages: an executable or a JavaScript module. */
export function isExternalProgram(spec: string): boolean {
  return EXTERNAL.test(spec);
}

/** `command:`/`module:` with its path made absolute by `resolvePath`, so a saved case replays from any folder. */
export function absoluteExternal(spec: string, resolvePath: (p: string) => string): string {
  const n = readBackendName(spec);
  return (n.kind === 'command' || n.kind === 'module') && n.path ? `${n.kind}:${resolvePath(n.path)}` : spec;
}

/** The name of the backend running the program at `path`. */
export function commandName(path: string): string {
  return `command:${path}`;
}

/** The kernel family attribution counts as one witness (see Builtin.family); the base name for the rest. */
export function kernelFamily(spec: string): string {
  const n = readBackendName(spec);
  return n.kind === 'builtin' ? (n.builtin.family ?? n.base) : n.base;
}

/** The npm packages a standalone reproduction of this backend installs; empty for anything else. */
export function packagesOf(spec: string): readonly string[] {
  const n = readBackendName(spec);
  return n.kind === 'builtin' ? n.builtin.packages : [];
}

/** What a name means in the terms of its own project (`onnxruntime-node 1.12.1, CPU execution provider, ...`). */
export function displayName(spec: string, version?: string): string {
  const v = version ? ` ${version}` : '';
  const n = readBackendName(spec);
  if (n.kind !== 'builtin' || n.base === 'reference') return `${spec}${v}`;
  return `${n.builtin.project}${v}${n.builtin.detail ? `, ${n.builtin.detail}` : ''}`;
}

/** What runs a built-in name (`onnxruntime-web` for `ort-web-wasm@1.30.0`); undefined for anything else. */
export function runtimeOf(spec: string): Runtime | undefined {
  const n = readBackendName(spec);
  return n.kind === 'builtin' ? n.builtin.runtime : undefined;
}

/** The onnxruntime-node flavour a name runs, if it is one. */
export function ortNodeFlavour(spec: string): OrtNodeFlavour | undefined {
  const n = readBackendName(spec);
  return n.kind === 'builtin' && n.builtin.runtime === 'onnxruntime-node' ? (n.base as OrtNodeFlavour) : undefined;
}

/** The tfjs flavour a name runs, if it is one. */
export function tfjsFlavour(spec: string): TfjsFlavour | undefined {
  const n = readBackendName(spec);
  return n.kind === 'builtin' && n.builtin.runtime === 'tfjs' ? (n.base as TfjsFlavour) : undefined;
}
