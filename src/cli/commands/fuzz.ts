import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { OptionError, resolveOptions } from '../../../generators/graph.js';
import { DEFAULT_BACKENDS } from '../../backends/index.js';
import { absoluteExternal } from '../../backends/names.js';
import { CampaignError, runCampaign, type CampaignConfig, type LiveStatus } from '../../campaign/campaign.js';
import { DEFAULT_KNOWN, KNOWN_FORMAT, loadKnown, readKnownSettings, writeKnownSettings, type KnownSettings } from '../../campaign/known-sources.js';
import type { KnownBugs } from '../../campaign/known.js';
import { readCampaignFile } from '../../campaign/state.js';
import { readExpectations } from '../../gate/expectations.js';
import type { DType } from '../../ir/index.js';
import { checkBackendNames, EXIT, intFlag, listFlag, UsageError } from '../errors.js';
import { probeBackends } from './backends.js';
import { writeReport } from '../../report/index.js';

interface FuzzFlags {
  time: string;
  seed: string;
  jobs?: string;
  backends?: string;
  nodes: string;
  out?: string;
  resume?: string;
  shard: string;
  maxCases?: string;
  search: string;
  timeout: string;
  include?: string;
  exclude?: string;
  dtypes?: string;
  maxElems: string;
  opset: string;
  keep: string;
  reduce?: string | boolean;
  report: boolean;
  json?: boolean;
  mutateModels?: boolean;
  /** A file of known bugs, or false for --no-known. */
  known?: string | false;
  corpus?: string;
}

function absolutePlugin(spec: string): string {
  return absoluteExternal(spec, (p) => resolve(p));
}

/** Parses 90s, 10m, 1h, 1h30m or plain milliseconds. */
export function parseDuration(raw: string, flag = '--time'): number {
  const s = raw.trim();
  if (/^\d+$/.test(s)) {
    if (Number(s) > 0) return Number(s);
    throw new UsageError(`${flag} must be longer than 0, got '${raw}'`);
  }
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(s)) !== null) {
    total += Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
    consumed = re.lastIndex;
  }
  if (consumed !== s.length || consumed === 0) throw new UsageError(`${flag} must look like 30s, 10m, 1h30m or milliseconds, got '${raw}'`);
  if (!(total > 0)) throw new UsageError(`${flag} must be longer than 0, got '${raw}'`);
  return total;
}

function parseShard(raw: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(raw.trim());
  if (!m || Number(m[2]) < 1 || Number(m[1]) >= Number(m[2])) throw new UsageError(`--shard must be i/n with 0 <= i < n (e.g. 0/4), got '${raw}'`);
  return { index: Number(m[1]), count: Number(m[2]) };
}

const sameList = (a: readonly string[] | undefined, b: readonly string[] | undefined): boolean => JSON.stringify([...(a ?? [])].sort()) === JSON.stringify([...(b ?? [])].sort());

/**
 * `--resume DIR` keeps the campaign's settings: a setting flag given with it must agree, or it would be silently
 * ignored.
 */
function checkResumeFlags(cmd: Command, flags: FuzzFlags, dir: string): void {
  const cfg = readCampaignFile(dir).config;
  const given = (name: keyof FuzzFlags): boolean => cmd.getOptionValueSource(name) === 'cli';
  const graph = cfg.graph as { nodes?: number; maxElems?: number; opset?: number; include?: string[]; exclude?: string[]; dtypes?: string[] };
  const show = (v: unknown): string => (Array.isArray(v) ? v.join(',') || '(none)' : v === undefined ? '(default)' : String(v));
  const checks: [keyof FuzzFlags, string, () => boolean, unknown][] = [
    ['seed', '--seed', () => intFlag('--seed', flags.seed, -(2 ** 31), 2 ** 31 - 1) === cfg.seed, cfg.seed],
    ['backends', '--backends', () => sameList(listFlag(flags.backends ?? '').filter((b) => b !== 'reference').map(absolutePlugin), cfg.backends), cfg.backends],
    ['shard', '--shard', () => { const sh = parseShard(flags.shard); return sh.index === cfg.shard.index && sh.count === cfg.shard.count; }, `${cfg.shard.index}/${cfg.shard.count}`],
    ['nodes', '--nodes', () => intFlag('--nodes', flags.nodes, 1, 10_000) === graph.nodes, graph.nodes],
    ['maxElems', '--max-elems', () => intFlag('--max-elems', flags.maxElems, 1) === (graph.maxElems ?? 512), graph.maxElems],
    ['opset', '--opset', () => intFlag('--opset', flags.opset, 1, 100) === (graph.opset ?? 17), graph.opset],
    ['include', '--include', () => sameList(listFlag(flags.include ?? ''), graph.include), graph.include],
    ['exclude', '--exclude', () => sameList(listFlag(flags.exclude ?? ''), graph.exclude), graph.exclude],
    ['dtypes', '--dtypes', () => sameList(listFlag(flags.dtypes ?? ''), graph.dtypes), graph.dtypes],
    ['search', '--search', () => flags.search === cfg.search, cfg.search],
    ['timeout', '--timeout', () => intFlag('--timeout', flags.timeout, 1) === cfg.timeoutMs, cfg.timeoutMs],
    ['keep', '--keep', () => intFlag('--keep', flags.keep, 0) === cfg.keepPerBucket, cfg.keepPerBucket],
    ['mutateModels', '--mutate-models', () => cfg.mode === 'mutate-models', cfg.mode ?? 'differential'],
  ];
  for (const [name, flag, agrees, theirs] of checks) {
    if (given(name) && !agrees()) {
      throw new UsageError(`${flag} ${String(flags[name])} conflicts with the campaign in ${dir}, which has ${flag.slice(2)} ${show(theirs)}: --resume keeps the campaign's settings (leave ${flag} out, or start a new campaign with --out)`);
    }
  }
  if (flags.out !== undefined && resolve(flags.out) !== dir) throw new UsageError(`--out ${flags.out} and --resume ${dir} name different folders: --resume continues the campaign where it is`);
}

/** The folder for a new campaign: its parent must be a writable folder. */
function outFolder(out: string): string {
  const dir = resolve(out);
  const parent = dirname(dir);
  if (!existsSync(parent)) throw new UsageError(`--out: parent folder ${parent} does not exist`);
  if (!statSync(parent).isDirectory()) throw new UsageError(`--out: ${parent} is not a folder`);
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`--out: ${dir} exists and is not a folder`);
  const target = existsSync(dir) ? dir : parent;
  try {
    accessSync(target, constants.W_OK);
  } catch {
    throw new UsageError(`--out: ${target} is not writable`);
  }
  return dir;
}

/**
 * What counts as known this session: each of --known and --corpus replaces its part of what a resumed campaign ran
 * with (or of the defaults); --no-known turns it all off.
 */
export function knownSettings(flags: Pick<FuzzFlags, 'known' | 'corpus'>, resumed?: string): KnownSettings {
  if (flags.known === false) {
    if (flags.corpus !== undefined) throw new UsageError('--no-known labels nothing known, so --corpus has no use with it; leave one out');
    return { enabled: false, entries: [] };
  }
  let base = DEFAULT_KNOWN;
  try {
    if (resumed) base = readKnownSettings(resumed);
  } catch (e) {
    if (e instanceof CampaignError) throw new UsageError(e.message);
    throw e;
  }
  if (flags.known === undefined && flags.corpus === undefined) return base;
  let corpus = base.enabled ? base.corpus : undefined;
  if (flags.corpus !== undefined) {
    corpus = resolve(flags.corpus);
    if (!existsSync(corpus) || !statSync(corpus).isDirectory()) throw new UsageError(`--corpus: ${flags.corpus} is not a folder (a corpus is a folder of case folders, like onnxsmith's corpus/)`);
  }
  const file = typeof flags.known === 'string' ? { entries: readExpectations(flags.known, KNOWN_FORMAT), file: resolve(flags.known) } : { entries: base.entries, ...(base.file ? { file: base.file } : {}) };
  return { enabled: true, ...(corpus ? { corpus } : {}), ...file };
}

/** The known bugs of `settings`; a corpus case or --known entry that cannot be read is a usage error. */
export function knownBugs(settings: KnownSettings): KnownBugs {
  try {
    const { known, notes } = loadKnown(settings);
    for (const n of notes) process.stderr.write(`note: ${n}\n`);
    return known;
  } catch (e) {
    if (e instanceof CampaignError) throw new UsageError(e.message);
    throw e;
  }
}

function statusLine(s: LiveStatus): string {
  const secs = Math.round(s.elapsedMs / 1000);
  const per = Object.entries(s.backendAvgMs)
    .map(([b, ms]) => `${b} ${ms.toFixed(1)}ms`)
    .join(' ');
  const middle = s.refused !== undefined ? `${s.refused} refused` : `search ${(s.searchRate * 100).toFixed(1)}%`;
  return `[${Math.floor(secs / 60)}m${String(secs % 60).padStart(2, '0')}s] ${s.tests} tests (${s.testsPerSecond.toFixed(1)}/s) · ${s.findings} findings in ${s.buckets} buckets (${s.buckets - s.knownBuckets} new, ${s.knownBuckets} known) · ${middle}${s.unstable ? ` · ${s.unstable} unstable` : ''}${s.harnessBugs ? ` · ${s.harnessBugs} HARNESS BUGS` : ''} · ${per}`;
}

/** `onnxsmith fuzz`: a differential fuzz campaign. */
export function registerFuzz(program: Command): void {
  program
    .command('fuzz')
    .description('run a fuzz campaign: generate graphs, search valid inputs, compare backends, bucket findings')
    .option('--time <T>', 'wall-clock budget: 30s, 10m, 1h', '10m')
    .option('-s, --seed <S>', 'campaign seed (case k uses a seed derived from S and k)', '1')
    .option('-j, --jobs <N>', `cases in parallel (default: cores = ${availableParallelism()})`)
    .option('--backends <list>', `comma-separated backends (default: every available one of ${DEFAULT_BACKENDS.filter((b) => b !== 'reference').join(',')}); the reference always runs`)
    .option('-k, --nodes <K>', 'operators per graph', '10')
    .option('-o, --out <DIR>', 'campaign folder (default reports/fuzz-<date>)')
    .option('--resume <DIR>', 'continue a stopped or killed campaign (its settings are kept)')
    .option('--shard <i/n>', 'run only seeds k with k mod n = i (for n machines)', '0/1')
    .option('--max-cases <N>', 'stop after N cases')
    .option('--search <method>', 'input search: gradient or sampling', 'gradient')
    .option('--timeout <ms>', 'limit per backend per case', '20000')
    .option('--include <ops>', 'only these operators')
    .option('--exclude <ops>', 'never these operators')
    .option('--dtypes <list>', 'element types allowed')
    .option('--max-elems <N>', 'largest element count of any tensor', '512')
    .option('--opset <V>', 'opset (17 or 18)', '17')
    .option('--keep <N>', 'case folders kept per bucket', '5')
    .option('--reduce [T]', 'reduce the first case of each new bucket in the background, each for at most T (60s when T is left out)')
    .option('--mutate-models', "fuzz the backends' model loaders: run mutated models, findings are crashes and hangs only")
    .option('--known <FILE>', "bugs you already know, labelled known like the corpus's: lines 'BUCKET-KEY-OR-SLUG: reason' (a key may use * and leave parts open), or JSON [{id, reason}]")
    .option('--corpus <DIR>', "corpus whose cases count as known bugs (default: onnxsmith's own corpus/)")
    .option('--no-known', 'label nothing known: every bucket is new (no corpus, exclusions or --known)')
    .option('--no-report', 'do not write report.html at the end')
    .option('--json', 'print the summary as JSON')
    .action(async (flags: FuzzFlags, cmd: Command) => {
      const timeMs = parseDuration(flags.time);
      const reduceMs = flags.reduce === undefined || flags.reduce === false ? undefined : flags.reduce === true ? 60_000 : parseDuration(flags.reduce, '--reduce');
      const jobs = flags.jobs ? intFlag('--jobs', flags.jobs, 1, 256) : availableParallelism();
      const maxCases = flags.maxCases ? intFlag('--max-cases', flags.maxCases, 1) : undefined;
      const mutating = flags.mutateModels === true || (flags.resume !== undefined && existsSync(join(resolve(flags.resume), 'campaign.json')) && readCampaignFile(resolve(flags.resume)).config.mode === 'mutate-models');
      if (mutating && reduceMs !== undefined) throw new UsageError('--reduce does not apply to --mutate-models (a mutant is not a graph to reduce)');
      let dir: string;
      let config: CampaignConfig | undefined;
      if (flags.resume) {
        dir = resolve(flags.resume);
        if (!existsSync(join(dir, 'campaign.json'))) throw new UsageError(`--resume: ${dir} is not a campaign folder (no campaign.json)`);
        checkResumeFlags(cmd, flags, dir);
      } else {
        const seed = intFlag('--seed', flags.seed, -(2 ** 31), 2 ** 31 - 1);
        const shard = parseShard(flags.shard);
        if (flags.search !== 'gradient' && flags.search !== 'sampling') throw new UsageError(`--search must be gradient or sampling, got '${flags.search}'`);
        const graph = {
          nodes: intFlag('--nodes', flags.nodes, 1, 10_000),
          maxElems: intFlag('--max-elems', flags.maxElems, 1),
          opset: intFlag('--opset', flags.opset, 1, 100),
          ...(flags.include ? { include: listFlag(flags.include) } : {}),
          ...(flags.exclude ? { exclude: listFlag(flags.exclude) } : {}),
          ...(flags.dtypes ? { dtypes: listFlag(flags.dtypes) as DType[] } : {}),
        };
        try {
          resolveOptions(graph);
        } catch (e) {
          if (e instanceof OptionError) throw new UsageError(e.message);
          throw e;
        }
        // command:/module: paths made absolute, so saved cases replay from any folder
        let backends = flags.backends ? listFlag(flags.backends).filter((b) => b !== 'reference').map(absolutePlugin) : undefined;
        await checkBackendNames(backends ?? []);
        if (!backends) {
          const rows = await probeBackends(DEFAULT_BACKENDS.filter((b) => b !== 'reference'));
          for (const r of rows.filter((x) => !x.available)) process.stderr.write(`note: ${r.name} is unavailable here and not used (${r.reason})\n`);
          backends = rows.filter((r) => r.available).map((r) => r.name);
        }
        if (backends.length === 0) throw new UsageError('no backend to compare with the reference');
        if (flags.out) {
          dir = outFolder(flags.out);
        } else {
          dir = resolve('reports', `fuzz-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}`);
          mkdirSync(dirname(dir), { recursive: true });
        }
        config = {
          seed,
          backends,
          graph,
          shard,
          search: flags.search,
          timeoutMs: intFlag('--timeout', flags.timeout, 1),
          keepPerBucket: intFlag('--keep', flags.keep, 0),
          ...(flags.mutateModels ? { mode: 'mutate-models' as const } : {}),
        };
      }
      const settings = knownSettings(flags, flags.resume ? dir : undefined);
      const known = knownBugs(settings);
      const signal = { stop: false };
      let interrupts = 0;
      const onSigint = (): void => {
        interrupts++;
        if (interrupts > 1) process.exit(130);
        signal.stop = true;
        process.stderr.write('\nstopping: finishing the cases in flight (Ctrl-C again to abort at once)\n');
      };
      process.on('SIGINT', onSigint);
      const tty = process.stderr.isTTY;
      let lastPrint = 0;
      try {
        const summary = await runCampaign(dir, config, { timeMs, jobs, known, ...(maxCases ? { maxCases } : {}), ...(reduceMs !== undefined ? { reduceMs } : {}) }, {
          onStarted(session) {
            // the folder is locked and set up: resume, merge and report label buckets as this session does
            writeKnownSettings(dir, settings);
            process.stderr.write(`campaign ${dir} (session ${session})\n`);
          },
          onStatus(s) {
            if (tty) process.stderr.write(`\r\x1b[K${statusLine(s)}`);
            else if (s.elapsedMs - lastPrint >= 10_000) {
              lastPrint = s.elapsedMs;
              process.stderr.write(`${statusLine(s)}\n`);
            }
          },
          onHarnessBug(k, reason) {
            process.stderr.write(`${tty ? '\n' : ''}HARNESS BUG at case ${k}: ${reason}\n`);
          },
          onNewBucket(key, _k, label) {
            if (!tty) return;
            // a known bug is worth a dim line, a new one a loud one
            process.stderr.write(label ? `\r\x1b[K\x1b[2mknown bucket: ${key} (${label.source})\x1b[0m\n` : `\r\x1b[Knew bucket: ${key}\n`);
          },
          onReduced(r) {
            process.stderr.write(`${tty ? '\r\x1b[K' : ''}reduced ${relative(dir, r.dir)}: ${r.before} → ${r.after} nodes in ${(r.ms / 1000).toFixed(1)} s\n`);
          },
          onReduceFailed(d, reason) {
            process.stderr.write(`${tty ? '\r\x1b[K' : ''}could not reduce ${relative(dir, d)}: ${reason}\n`);
          },
          onNote(msg) {
            process.stderr.write(`${tty ? '\r\x1b[K' : ''}note: ${msg}\n`);
          },
        }, signal);
        if (tty) process.stderr.write('\n');
        const report = flags.report ? writeReport(dir) : undefined;
        if (flags.json) process.stdout.write(JSON.stringify({ ...summary, ...(report ? { report } : {}) }, null, 2) + '\n');
        else {
          const red = summary.reductions;
          process.stdout.write(
            `${summary.sessionCases} cases this session (${summary.cases} in all), ${summary.findings} findings in ${summary.buckets} buckets (${summary.newBuckets} new, ${summary.knownBuckets} known), ${summary.refused !== undefined ? `${summary.refused} mutants refused, ` : ''}${summary.harnessBugs} harness bugs, ${summary.unstable} unstable${summary.unsupported ? `, ${summary.unsupported} no backend could run` : ''}; stopped by ${summary.stopped}\n` +
              (summary.buckets > 0 && summary.newBuckets === 0 ? 'nothing new: every bucket is a known bug (buckets.json says which)\n' : '') +
              (summary.newBuckets > 0 && summary.knownBuckets > 0 ? `new bugs are listed first in buckets.json and the report\n` : '') +
              (red ? `reduced ${red.done.length} bucket${red.done.length === 1 ? '' : 's'}${red.failed.length ? `, ${red.failed.length} could not be reduced` : ''}${red.pending.length ? `, ${red.pending.length} not reached (onnxsmith reduce CASE, or resume with --reduce)` : ''}\n` : '') +
              `results: ${join(dir, 'stats.json')}, ${join(dir, 'buckets.json')}, cases under ${join(dir, 'cases')}\n` +
              (report ? `report: ${report}\n` : '') +
              `resume: onnxsmith fuzz --resume ${dir}\n`,
          );
        }
        // a nightly run that meets only known bugs has nothing to say
        process.exitCode = summary.harnessBugs > 0 ? EXIT.harness : summary.newBuckets > 0 ? EXIT.findings : EXIT.ok;
      } catch (e) {
        if (e instanceof CampaignError) throw new UsageError(e.message);
        throw e;
      } finally {
        process.off('SIGINT', onSigint);
      }
    });
}
