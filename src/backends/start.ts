/** Starting the isolated workers a command runs a case on, each probed for availability inside its own worker. */
import { IsolatedBackend, type BackendInfo } from './isolated.js';

export interface StartedBackend {
  readonly backend: IsolatedBackend;
  readonly info: BackendInfo | { readonly error: string };
}

/** Starts one worker per spec; a worker that fails to start is reported, not thrown, so every failure is seen at once. */
export async function startBackends(specs: readonly string[], timeoutMs: number): Promise<StartedBackend[]> {
  return Promise.all(
    specs.map(async (spec) => {
      const backend = new IsolatedBackend(spec, { timeoutMs });
      try {
        return { backend, info: await backend.start() };
      } catch (e) {
        return { backend, info: { error: (e as Error).message } };
      }
    }),
  );
}

/** Why a started backend cannot run here, or undefined when it can. */
export function unavailableReason(s: StartedBackend): string | undefined {
  if ('error' in s.info) return s.info.error;
  return s.info.available.ok ? undefined : s.info.available.reason;
}

/** Closes every worker; for `finally` blocks. */
export async function closeBackends(started: readonly StartedBackend[]): Promise<void> {
  await Promise.all(started.map((s) => s.backend.close()));
}
