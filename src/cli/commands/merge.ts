import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { CampaignError } from '../../campaign/campaign.js';
import { mergeCampaigns } from '../../campaign/merge.js';
import { UsageError } from '../errors.js';

/** `onnxsmith merge`: combine the folders of sharded campaigns. */
export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('merge campaign folders (e.g. the shards of one run) into one, recomputing buckets and stats')
    .requiredOption('-o, --out <DIR>', 'new folder for the merged campaign')
    .argument('<dirs...>', 'campaign folders')
    .option('--json', 'print JSON')
    .action((dirs: string[], flags: { out: string; json?: boolean }) => {
      const out = resolve(flags.out);
      if (!existsSync(dirname(out))) throw new UsageError(`--out: parent folder ${dirname(out)} does not exist`);
      if (!statSync(dirname(out)).isDirectory()) throw new UsageError(`--out: ${dirname(out)} is not a folder`);
      try {
        const r = mergeCampaigns(out, dirs.map((d) => resolve(d)));
        const { count, held, missing } = r.shards;
        if (missing.length > 0) {
          process.stderr.write(
            `warning: shard${missing.length > 1 ? 's' : ''} ${missing.join(',')} of ${count} missing: ${out} holds shards ${held.join(',')} of ${count}, not the whole campaign (merge again with the missing shard folders)\n`,
          );
        }
        if (flags.json) process.stdout.write(JSON.stringify({ out, ...r }, null, 2) + '\n');
        else process.stdout.write(`merged ${r.sources} campaigns into ${out}: ${r.cases} cases${r.duplicates ? ` (${r.duplicates} duplicate cases skipped: overlapping shards?)` : ''}\n`);
      } catch (e) {
        if (e instanceof CampaignError) throw new UsageError(e.message);
        throw e;
      }
    });
}
