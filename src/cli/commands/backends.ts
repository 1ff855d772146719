import type { Command } from 'commander';
import { BUILTIN_BACKENDS } from '../../backends/index.js';
import { IsolatedBackend } from '../../backends/isolated.js';
import { versionsOf } from '../../backends/packages.js';
import { ORT_NODE_FLAVOURS, withVersion } from '../../backends/names.js';

export interface BackendRow {
  readonly name: string;
  readonly version: string;
  readonly available: boolean;
  readonly reason?: string;
}

/** Built-in backends plus every side-by-side onnxruntime-node release under its @version names. */
export function knownBackendNames(): string[] {
  const extra = versionsOf('onnxruntime-node')
    .slice(1)
    .flatMap((p) => Object.keys(ORT_NODE_FLAVOURS).map((f) => withVersion(f, p.version)));
  return [...BUILTIN_BACKENDS, ...extra];
}

/** Probes each backend in its own worker (a backend that crashes while probing is reported, not fatal). */
export async function probeBackends(names: readonly string[]): Promise<BackendRow[]> {
  const rows: BackendRow[] = [];
  // two at a time: probes load native runtimes and compile shaders; more would only fight for the cores
  for (let i = 0; i < names.length; i += 2) {
    const batch = names.slice(i, i + 2);
    rows.push(
      ...(await Promise.all(
        batch.map(async (name) => {
          const b = new IsolatedBackend(name, { timeoutMs: 60_000, startTimeoutMs: 120_000 });
          try {
            const info = await b.start();
            return info.available.ok
              ? { name, version: info.version, available: true }
              : { name, version: info.version, available: false, reason: info.available.reason };
          } catch (e) {
            return { name, version: '?', available: false, reason: (e as Error).message };
          } finally {
            await b.close();
          }
        }),
      )),
    );
  }
  return rows;
}

/** `onnxsmith backends`: every backend with its version, and whether it is available here (or why not). */
export function registerBackends(program: Command): void {
  program
    .command('backends')
    .description('list backends with versions and availability (probed in worker processes)')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      const rows = await probeBackends(knownBackendNames());
      if (flags.json) {
        process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
        return;
      }
      const w = Math.max(...rows.map((r) => r.name.length));
      const v = Math.max(7, ...rows.map((r) => r.version.length));
      process.stdout.write(`${'backend'.padEnd(w)}  ${'version'.padEnd(v)}  status\n`);
      for (const r of rows) {
        process.stdout.write(`${r.name.padEnd(w)}  ${r.version.padEnd(v)}  ${r.available ? 'available' : `unavailable: ${r.reason}`}\n`);
      }
    });
}
