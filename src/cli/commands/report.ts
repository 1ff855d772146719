import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { CampaignError } from '../../campaign/errors.js';
import { KNOWN_FORMAT } from '../../campaign/known-sources.js';
import { readExpectations } from '../../gate/expectations.js';
import { writeReport } from '../../report/index.js';
import { UsageError } from '../errors.js';

/** `onnxsmith report`: a self-contained HTML report of a campaign folder. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write a self-contained HTML report of a campaign folder (charts, buckets, graphs; opens offline)')
    .argument('<dir>', 'campaign folder (what onnxsmith fuzz --out wrote)')
    .option('-o, --out <FILE>', 'HTML file to write (default DIR/report.html)')
    .option('--known <FILE>', 'label buckets known with this file (as fuzz --known) instead of the one the campaign ran with')
    .action((dir: string, flags: { out?: string; known?: string }) => {
      if (flags.out !== undefined) {
        const out = resolve(flags.out);
        if (!existsSync(dirname(out))) throw new UsageError(`--out: folder ${dirname(out)} does not exist`);
        if (!statSync(dirname(out)).isDirectory()) throw new UsageError(`--out: ${dirname(out)} is not a folder`);
        if (existsSync(out) && statSync(out).isDirectory()) throw new UsageError(`--out: ${flags.out} is a folder; name the HTML file to write`);
      }
      const known = flags.known !== undefined ? readExpectations(flags.known, KNOWN_FORMAT) : undefined;
      try {
        const written = writeReport(dir, { ...(flags.out !== undefined ? { out: flags.out } : {}), ...(known ? { known } : {}) });
        process.stdout.write(`report: ${written}\n`);
      } catch (e) {
        if (e instanceof CampaignError) throw new UsageError(e.message);
        throw e;
      }
    });
}
