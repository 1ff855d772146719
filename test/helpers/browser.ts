import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium, type Page } from 'playwright-core';

/** Where the tests look for Chromium: ONNXSMITH_CHROMIUM, else Debian's package. */
export const CHROMIUM = process.env.ONNXSMITH_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Why browser tests cannot run here, or undefined when they can. On CI a missing browser is an error (the CI
 * script installs it), so the caller fails there instead of skipping.
 */
export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `Chromium not found at ${CHROMIUM} (apt-get install chromium, or set ONNXSMITH_CHROMIUM)`;
}

/** What went wrong while the page was open. */
export interface PageProblems {
  readonly consoleErrors: string[];
  readonly pageErrors: string[];
  /** Requests for anything but the file itself: an offline report makes none. */
  readonly network: string[];
}

/** Opens `file` in headless Chromium with the network cut off, runs `inspect`, and reports what went wrong. */
export async function inChromium<T>(file: string, inspect: (page: Page) => Promise<T>): Promise<{ result: T; problems: PageProblems }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  const problems: PageProblems = { consoleErrors: [], pageErrors: [], network: [] };
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (m) => {
      if (m.type() === 'error') problems.consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => problems.pageErrors.push(e.message));
    const url = pathToFileURL(file).href;
    await page.route('**/*', async (route) => {
      if (route.request().url() === url) return route.continue();
      problems.network.push(route.request().url());
      return route.abort();
    });
    await page.goto(url, { waitUntil: 'load' });
    return { result: await inspect(page), problems };
  } finally {
    await browser.close();
  }
}
