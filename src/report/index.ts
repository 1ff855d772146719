/**
 * The campaign report: one self-contained HTML file (styles, scripts, data and graph drawings inline) that
 * opens offline. Its content depends only on the campaign folder, so the same folder gives the same file.
 */
import { dirname, join, relative, resolve, sep } from 'node:path';
import { writeFileAtomic } from '../util/fs.js';
import type { Expectation } from '../gate/expectations.js';
import { gatherReport } from './data.js';
import { renderPage } from './page.js';

export interface ReportOptions {
  /** Where to write the HTML (default: CAMPAIGN_DIR/report.html). */
  readonly out?: string;
  /** --known entries to label buckets with, in place of those the campaign ran with. */
  readonly known?: readonly Expectation[];
}

/**
 * Writes the HTML report of campaign folder `campaignDir` and returns the path written.
 * @throws CampaignError when `campaignDir` is not a campaign folder.
 */
export function writeReport(campaignDir: string, opts: ReportOptions = {}): string {
  const out = resolve(opts.out ?? join(campaignDir, 'report.html'));
  const data = gatherReport(campaignDir, opts.known ? { known: opts.known } : {});
  // links stay relative, so the report and the campaign folder can move together
  const href = (absDir: string): string => relative(dirname(out), absDir).split(sep).map(encodeURIComponent).join('/') + '/';
  writeFileAtomic(out, renderPage(data, href));
  return out;
}
