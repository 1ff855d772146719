import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { caseCommand } from '../../backends/index.js';
import { caseBackends, ReduceError, reduceCase, type CaseMeta } from '../../triage/reduce-case.js';
import { checkBackendNames, EXIT, intFlag, listFlag, readJsonObject, UsageError } from '../errors.js';
import { parseDuration } from './fuzz.js';
import { refuseCasePrograms } from './replay.js';

/**
 * `onnxsmith reduce CASE`: shrink a finding to the few nodes that matter; writes CASE/reduced/. Exit 0 when a
 * reduced case was written, 3 when the finding does not reproduce, 2 for bad arguments, a case that is not a finding, a
 * backend list without its culprit or a backend that cannot run here.
 */
export function registerReduce(program: Command): void {
  program
    .command('reduce')
    .description('shrink a case to the smallest graph that still lands in the same bucket; writes CASE/reduced/')
    .argument('<case>', 'case folder (model.onnx, inputs/, case.json) of a finding')
    .option('--time <duration>', 'time limit; the best result so far is kept (e.g. 60s, 2m)', '2m')
    .option('--backends <list>', "judge with these backends instead of the case's own")
    .option('--timeout <ms>', 'time limit per backend run', '30000')
    .option('--json', 'print JSON')
    .action(async (target: string, flags: { time: string; backends?: string; timeout: string; json?: boolean }) => {
      const timeMs = parseDuration(flags.time);
      const timeoutMs = intFlag('--timeout', flags.timeout, 1);
      const dir = resolve(target);
      for (const f of ['model.onnx', 'case.json']) if (!existsSync(join(dir, f))) throw new UsageError(`${target}: not a case folder (no ${f})`);
      const meta = readJsonObject(join(dir, 'case.json')) as Pick<CaseMeta, 'culprit' | 'backends'>;
      const backends = flags.backends ? listFlag(flags.backends).filter((b) => b !== 'reference') : undefined;
      if (!backends) refuseCasePrograms(caseBackends(meta), target);
      if (backends) await checkBackendNames(backends);
      const log = flags.json ? undefined : (line: string): void => void process.stderr.write(`  ${line}\n`);
      try {
        const r = await reduceCase(dir, { timeMs, timeoutMs, ...(backends ? { backends } : {}), ...(log ? { log } : {}) });
        const shown = (p: string): string => (relative(process.cwd(), p).startsWith('..') ? p : relative(process.cwd(), p));
        const rel = shown(r.reducedDir);
        if (flags.json) {
          const { graph: _g, feeds: _f, ...stats } = r.result;
          process.stdout.write(JSON.stringify({ case: dir, reduced: r.reducedDir, bucketKey: r.bucketKey, before: r.before, after: r.after, ...stats, others: r.others }, null, 2) + '\n');
        } else {
          process.stdout.write(
            `reduced ${r.before} → ${r.after} node${r.after === 1 ? '' : 's'} in ${(r.result.ms / 1000).toFixed(1)} s (${r.result.tests} candidates run, ${r.result.invalid} invalid skipped${r.result.timedOut ? ', time limit reached' : ''})\n` +
              `bucket: ${r.bucketKey}\n` +
              `written: ${rel}/ (replay: ${caseCommand('replay', rel, backends ?? caseBackends(meta))}; standalone: node ${rel}/repro.mjs)\n` +
              (r.others.length ? `other bugs met while reducing, saved: ${r.others.map(shown).join(', ')}\n` : ''),
          );
        }
        process.exitCode = EXIT.ok;
      } catch (e) {
        if (!(e instanceof ReduceError)) throw e;
        process.stderr.write(`onnxsmith reduce: ${e.message}\n`);
        // a case or backend list that cannot be used is the caller's to fix; one that does not reproduce is exit 3
        process.exitCode = e.setup ? EXIT.usage : EXIT.harness;
      }
    });
}
