import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Three tiers, one project each: `vitest run --project unit` (pure TypeScript: no runtime, process or worker,
// which test/helpers/unit-guard.ts enforces), `contract` (operators and backends on the real runtimes) and `e2e`
// (the CLI and campaigns). `vitest run` runs them all together.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Unit test files share worker threads, which halves the tier's time (the generators and tfjs are imported once
    // per worker, not once per file): a unit test leaves no global state behind (environment variables, mocks).
    // Vitest reads isolation per pool, not per project: only the unit tier runs in the threads pool. It takes a
    // thread per core (vitest's default leaves one core to its main process, which has little to do in this tier).
    poolOptions: { threads: { isolate: false, maxThreads: availableParallelism() } },
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], setupFiles: ['test/helpers/unit-guard.ts'], pool: 'threads' } },
      { extends: true, test: { name: 'contract', include: ['test/contract/**/*.test.ts'] } },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'] } },
    ],
  },
});
