/**
 * What kernel probes learned, per backend release: in memory for the worker's life and in
 * `$XDG_CACHE_HOME/onnxsmith/kernel-gaps/<backend>@<version>.json` across runs. Only definite answers are kept
 * (the node alone loads, or is refused for that missing kernel), and those depend on nothing but the release and
 * the key (operator, since-version, element types), so a verdict is the same with or without the cache.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/fs.js';

/** A kernel as a release's registry answered for one key. */
export type KnownKernel = { readonly gap: false } | { readonly gap: true; readonly message: string };

interface CacheFile {
  readonly format: 1;
  readonly backend: string;
  readonly kernels: Record<string, KnownKernel>;
}

const memory = new Map<string, Map<string, KnownKernel>>();

/** The folder of the persistent cache (XDG_CACHE_HOME, else ~/.cache). */
export function kernelCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'onnxsmith', 'kernel-gaps');
}

function fileOf(backend: string): string {
  return join(kernelCacheDir(), `${backend.replace(/[^A-Za-z0-9@.+-]/g, '_')}.json`);
}

function isKnown(x: unknown): x is KnownKernel {
  const k = x as { gap?: unknown; message?: unknown } | null;
  return typeof k === 'object' && k !== null && (k.gap === false || (k.gap === true && typeof k.message === 'string'));
}

/** The cache file's entries; an unreadable or foreign file counts as empty (it is only a cache). */
function readFile(backend: string): Map<string, KnownKernel> {
  const out = new Map<string, KnownKernel>();
  const f = fileOf(backend);
  if (!existsSync(f)) return out;
  try {
    const j = JSON.parse(readFileSync(f, 'utf8')) as Partial<CacheFile>;
    if (j.format !== 1 || j.backend !== backend || typeof j.kernels !== 'object' || j.kernels === null) return out;
    for (const [k, v] of Object.entries(j.kernels)) if (isKnown(v)) out.set(k, v);
  } catch {
    // a torn or hand-edited file: probes run again and rewrite it
  }
  return out;
}

function entries(backend: string): Map<string, KnownKernel> {
  let m = memory.get(backend);
  if (!m) memory.set(backend, (m = readFile(backend)));
  return m;
}

/** What is known about `key` on `backend` (`flavour@version`), from this process or the cache file. */
export function cachedKernel(backend: string, key: string): KnownKernel | undefined {
  return entries(backend).get(key);
}

/** Remembers a definite answer, in memory and in the cache file (merged with what other processes wrote). */
export function rememberKernel(backend: string, key: string, known: KnownKernel): void {
  const m = entries(backend);
  const had = m.get(key);
  if (had && had.gap === known.gap && (!had.gap || !known.gap || had.message === known.message)) return;
  m.set(key, known);
  const merged = readFile(backend);
  for (const [k, v] of m) merged.set(k, v);
  const kernels = Object.fromEntries([...merged].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  try {
    writeFileAtomic(fileOf(backend), JSON.stringify({ format: 1, backend, kernels } satisfies CacheFile, null, 2) + '\n');
  } catch {
    // a read-only home: the answer is kept in memory, and probed again by the next process
  }
}

/** Forgets what this process learned (tests that compare a cold run with a warm one). */
export function forgetKernels(): void {
  memory.clear();
}
