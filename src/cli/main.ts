#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { createRequire } from 'node:module';
import { CampaignError } from '../campaign/errors.js';
import { ModelError } from '../onnx/errors.js';
import { registerGen } from './commands/gen.js';
import { registerOps } from './commands/ops.js';
import { registerRun } from './commands/run.js';
import { registerBackends } from './commands/backends.js';
import { registerFuzz } from './commands/fuzz.js';
import { registerMerge } from './commands/merge.js';
import { registerReplay } from './commands/replay.js';
import { registerGate } from './commands/gate.js';
import { registerReduce } from './commands/reduce.js';
import { registerReport } from './commands/report.js';
import { environmentProblem, EXIT, UsageError } from './errors.js';

const pkg = createRequire(import.meta.url)('../../../package.json') as { version: string };

/** Builds the command tree; exported so tests can run commands in-process. */
export function buildProgram(): Command {
  const program = new Command('onnxsmith')
    .description('fuzzing and differential testing of deep-learning compilers with generated ONNX graphs')
    .version(pkg.version)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  registerGen(program);
  registerOps(program);
  registerRun(program);
  registerBackends(program);
  registerFuzz(program);
  registerMerge(program);
  registerReplay(program);
  registerGate(program);
  registerReduce(program);
  registerReport(program);
  for (const c of program.commands) c.exitOverride();
  return program;
}

/** Runs the CLI; returns the exit code instead of exiting so callers decide. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv], { from: 'user' });
    return process.exitCode === undefined ? EXIT.ok : Number(process.exitCode);
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander already printed the message (or the help text)
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (e instanceof UsageError || e instanceof ModelError || e instanceof CampaignError) {
      process.stderr.write(`onnxsmith: ${e.message}\n`);
      return EXIT.usage;
    }
    // a folder that cannot be written, a file where a folder goes: the user's to fix, not a harness bug
    const env = environmentProblem(e, argv);
    if (env !== undefined) {
      process.stderr.write(`onnxsmith: ${env}\n`);
      return EXIT.usage;
    }
    process.stderr.write(`onnxsmith: internal error (a harness bug, please report it): ${(e as Error).stack ?? String(e)}\n`);
    return EXIT.harness;
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (invokedDirectly || process.argv[1]?.endsWith('/onnxsmith')) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
