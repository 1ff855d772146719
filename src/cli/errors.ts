import { readFileSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { createBackend, UnknownBackend } from '../backends/index.js';

/** Exit codes every command uses. */
export const EXIT = { ok: 0, findings: 1, usage: 2, harness: 3 } as const;

/** Bad flags or arguments: printed without a stack trace, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Parses a positive integer flag, naming the flag in the error. */
export function intFlag(name: string, raw: string, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  const v = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new UsageError(`${name} must be an integer from ${min} to ${max}, got '${raw}'`);
  }
  return v;
}

/** Parses a comma-separated list flag. */
export function listFlag(raw: string): string[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Checks that every backend name resolves; an unknown one is a usage error listing the known names. */
export async function checkBackendNames(specs: readonly string[]): Promise<void> {
  for (const s of specs) {
    try {
      await createBackend(s);
    } catch (e) {
      if (e instanceof UnknownBackend) throw new UsageError(e.message);
      throw e;
    }
  }
}

/** Filesystem errors that are the machine's, whatever the path: no permission, read-only, full. */
const ENVIRONMENT_CODES: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
};

/** Filesystem errors that are the user's when they hit a path the user named (a file where a folder goes ...). */
const PATH_CODES: Readonly<Record<string, string>> = {
  ENOTDIR: 'part of that path is a file, not a folder',
  EISDIR: 'it is a folder, not a file',
  EEXIST: 'it already exists',
};

const VERBS: Readonly<Record<string, string>> = { open: 'open', mkdir: 'create folder', read: 'read', write: 'write', rename: 'write', scandir: 'list', rmdir: 'remove', unlink: 'remove', copyfile: 'copy', cp: 'copy', access: 'use' };

/** Whether `path` is one of `roots` or inside one. */
function under(path: string, roots: readonly string[]): boolean {
  return roots.some((r) => path === r || path.startsWith(r.endsWith(sep) ? r : r + sep));
}

/**
 * The one-line message for a filesystem error caused by the environment or by a path the user gave (`argv`), or
 * undefined when the error is onnxsmith's own.
 */
export function environmentProblem(e: unknown, argv: readonly string[], cwd = process.cwd()): string | undefined {
  const err = e as NodeJS.ErrnoException;
  if (!(e instanceof Error) || typeof err.code !== 'string') return undefined;
  const path = typeof err.path === 'string' ? resolve(cwd, err.path) : undefined;
  const what = (reason: string): string => (path ? `cannot ${VERBS[err.syscall ?? ''] ?? err.syscall ?? 'use'} ${path}: ${reason}` : `${reason} (${err.message})`);
  const env = ENVIRONMENT_CODES[err.code];
  if (env) return what(env);
  const user = PATH_CODES[err.code];
  if (!user || !path) return undefined;
  const given = argv.flatMap((a) => (a.startsWith('-') ? (a.includes('=') ? [a.slice(a.indexOf('=') + 1)] : []) : [a])).filter((a) => a.length > 0);
  return under(path, given.map((a) => resolve(cwd, a))) ? what(user) : undefined;
}

/** Reads a JSON object a user's folder holds (case.json ...): anything else is a UsageError naming the file. */
export function readJsonObject(file: string): Record<string, unknown> {
  let j: unknown;
  try {
    j = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    if (e instanceof SyntaxError) throw new UsageError(`${file} is not valid JSON (${e.message})`);
    throw e;
  }
  if (typeof j !== 'object' || j === null || Array.isArray(j)) throw new UsageError(`${file} holds ${JSON.stringify(j).slice(0, 40)}, not a JSON object`);
  return j as Record<string, unknown>;
}
