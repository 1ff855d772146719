import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { CampaignError } from '../../campaign/campaign.js';
import { gateExitCode } from '../../gate/classify.js';
import { defaultCorpus, packageRoot } from '../../gate/corpus.js';
import { readExpectations } from '../../gate/expectations.js';
import { junitXml } from '../../gate/junit.js';
import { GateCannotRun, runGate, type GateOptions } from '../../gate/run.js';
import { sarifLog } from '../../gate/sarif.js';
import { classLabel, formatSummary, reportJson } from '../../gate/summary.js';
import { writeFileAtomic } from '../../util/fs.js';
import { checkBackendNames, EXIT, intFlag, UsageError } from '../errors.js';
import { parseDuration } from './fuzz.js';

interface GateFlags {
  baseline: string;
  candidate: string;
  corpus?: string;
  fuzz?: string;
  seed?: string;
  jobs?: string;
  out?: string;
  timeout: string;
  junit?: string;
  sarif?: string;
  expect?: string;
  json?: boolean;
}

function fuzzOptions(flags: GateFlags): GateOptions['fuzz'] {
  if (flags.fuzz === undefined) {
    for (const f of ['seed', 'jobs', 'out'] as const) if (flags[f] !== undefined) throw new UsageError(`--${f} only applies with --fuzz DURATION`);
    return undefined;
  }
  const timeMs = parseDuration(flags.fuzz, '--fuzz');
  if (timeMs <= 0) throw new UsageError(`--fuzz must be a positive duration, got '${flags.fuzz}'`);
  const seed = intFlag('--seed', flags.seed ?? '1', -(2 ** 31), 2 ** 31 - 1);
  const jobs = flags.jobs ? intFlag('--jobs', flags.jobs, 1, 256) : availableParallelism();
  let dir: string;
  if (flags.out) {
    dir = resolve(flags.out);
    if (existsSync(join(dir, 'campaign.json'))) throw new UsageError(`--out: ${dir} already holds a campaign; give a new folder for the gate's fuzz cases`);
    if (!existsSync(dirname(dir))) throw new UsageError(`--out: parent folder ${dirname(dir)} does not exist`);
  } else {
    dir = mkdtempSync(join(tmpdir(), 'onnxsmith-gate-fuzz-'));
  }
  return { seed, timeMs, jobs, dir };
}

/** The corpus to replay: --corpus as given (must exist: a typo is a usage error), else the package's own. */
function corpusOption(flags: GateFlags, fuzzing: boolean): string | undefined {
  if (flags.corpus !== undefined) {
    const dir = resolve(flags.corpus);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`--corpus: ${flags.corpus} is not a folder (expected a folder of case folders, e.g. corpus/)`);
    return dir;
  }
  const dir = defaultCorpus();
  if (existsSync(dir)) return dir;
  if (fuzzing) return undefined;
  throw new GateCannotRun(`the default corpus ${dir} is missing; pass --corpus DIR or --fuzz DURATION`);
}

function writeOutput(file: string, text: string): void {
  writeFileAtomic(resolve(file), text);
}

/** `onnxsmith gate`: compare two versions of a backend on the corpus (and fresh fuzz cases); exit 1 on a new failure. */
export function registerGate(program: Command): void {
  program
    .command('gate')
    .description('replay the corpus (and optionally fresh fuzz cases) on two versions of a backend; exit 1 on a new failure, 3 if the gate could not run')
    .requiredOption('--baseline <backend@version>', 'the version in use, e.g. ort-node-cpu@1.30.0')
    .requiredOption('--candidate <backend@version>', 'the version to move to, e.g. ort-node-cpu@1.31.0 (installed side by side under an npm alias)')
    .option('--corpus <dir>', "folder of case folders (default: onnxsmith's corpus/)")
    .option('--fuzz <duration>', 'also fuzz both versions for this long (30s, 5m, 1h)')
    .option('-s, --seed <S>', 'fuzz campaign seed (default 1)')
    .option('-j, --jobs <N>', `fuzz cases in parallel (default: cores = ${availableParallelism()})`)
    .option('-o, --out <dir>', 'folder for the fuzz campaign and its saved cases (default: a new temporary folder)')
    .option('--timeout <ms>', 'time limit per backend per case', '30000')
    .option('--junit <file>', 'write a JUnit XML report')
    .option('--sarif <file>', 'write a SARIF 2.1.0 log')
    .option('--expect <file>', 'accepted new failures: lines "CASE-OR-RULE-ID: reason" (or a .json array of {id, reason})')
    .option('--json', 'print the report as JSON instead of the table')
    .action(async (flags: GateFlags) => {
      const expectations = flags.expect !== undefined ? readExpectations(flags.expect) : [];
      if (flags.baseline === flags.candidate) {
        throw new UsageError(`--baseline and --candidate are both '${flags.baseline}'; name two versions, e.g. --baseline ort-node-cpu@1.30.0 --candidate ort-node-cpu@1.12.1`);
      }
      await checkBackendNames([flags.baseline, flags.candidate]);
      const timeoutMs = intFlag('--timeout', flags.timeout, 1);
      const fuzz = fuzzOptions(flags);
      let report;
      try {
        const corpus = corpusOption(flags, fuzz !== undefined);
        report = await runGate({
          baseline: flags.baseline,
          candidate: flags.candidate,
          ...(corpus ? { corpus } : {}),
          ...(fuzz ? { fuzz } : {}),
          timeoutMs,
          expectations,
          onCase: (c) => process.stderr.write(`${c.id}: ${classLabel(c)}\n`),
          onFuzz: (dir, ms) => process.stderr.write(`fuzzing both versions for ${Math.round(ms / 1000)} s into ${dir}\n`),
        });
      } catch (e) {
        if (e instanceof GateCannotRun || e instanceof CampaignError) {
          process.stderr.write(`onnxsmith: gate could not run: ${e.message}\n`);
          process.exitCode = EXIT.harness;
          return;
        }
        throw e;
      }
      const version = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
      if (flags.junit) writeOutput(flags.junit, junitXml(report));
      if (flags.sarif) writeOutput(flags.sarif, JSON.stringify(sarifLog(report, { root: process.cwd(), toolVersion: version }), null, 2) + '\n');
      process.stdout.write(flags.json ? JSON.stringify(reportJson(report), null, 2) + '\n' : formatSummary(report));
      process.exitCode = gateExitCode(report);
    });
}
