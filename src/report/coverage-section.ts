/**
 * The report's kernel coverage: per backend, the operators and element types it has no kernel for, as the
 * campaign met them (kernel-gaps.json). Cases that met one were not run on that backend; none is a finding.
 */
import { readKernelCoverage } from '../campaign/kernel-coverage.js';
import { esc, table } from './html.js';

/** The section's anchor, for the page's navigation. */
export const KERNEL_COVERAGE_ID = 'kernel-coverage';

/** The kernel coverage section of campaign folder `dir`, or '' when no backend lacked a kernel. */
export function kernelCoverageSection(dir: string): string {
  const file = readKernelCoverage(dir);
  const backends = Object.entries(file?.backends ?? {})
    .map(([name, b]) => [name, b.release, Object.values(b.gaps).sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0))] as const)
    .filter(([, , gaps]) => gaps.length > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (backends.length === 0) return '';
  const parts = backends.map(([name, release, gaps]) => {
    const rows = gaps.map((g) => [
      `<code>${esc(g.op)}${g.since !== undefined ? `(${g.since})` : ''}</code>`,
      `<code>${esc(g.dtype)}</code>`,
      String(g.cases),
      `#${g.first}`,
      `<pre class="detail">${esc(g.message)}</pre>`,
    ]);
    const as = release !== name ? ` <span class="version">${esc(release)}</span>` : '';
    return `<h3>${esc(name)}${as}: ${gaps.length} missing kernel${gaps.length > 1 ? 's' : ''}</h3>${table(['operator', 'element types', 'cases', 'first case', 'the backend says (for the node alone)'], rows)}`;
  });
  return `<section id="${KERNEL_COVERAGE_ID}"><h2>Kernel coverage</h2><p class="note">Operators and element types a backend has no kernel for: a case that needs one is not run there (unsupported), and none of them is a bucket. A gap counts only when the model itself has that node and the node alone is refused the same way; a kernel missing for a node an optimiser made stays a finding.</p>${parts.join('\n')}</section>`;
}
