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
