import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium: the browser tests drive it and download none of their own. */
export const CHROMIUM = '/usr/bin/chromium';

/** Where a failing browser test leaves its screenshots (gitignored). */
export const SCREENSHOTS = resolve('test-results', 'screenshots');

/** One headless Chromium with its own fresh profile; each seat is a page of it. */
export interface Browser {
  open(url: string): Promise<Page>;
  /** What the pages logged as errors, and scripts that threw. */
  readonly errors: string[];
  /** Every URL the pages requested, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The browser tests drive Debian's Chromium at ${CHROMIUM}, which is not installed: ` +
        'run `apt-get update && apt-get install -y chromium` as root (.ci/run does this when it is missing).',
    );
  }
  const profile = await mkdtemp(join(tmpdir(), 'switchboard-chromium-'));
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const errors: string[] = [];
  const requests: string[] = [];
  context.on('request', (request) => requests.push(request.url()));
  return {
    errors,
    requests,
    async open(url) {
      const page = await context.newPage();
      page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`));
      page.on('console', (message) => {
        // A refused command is an HTTP 4xx the page shows as its reason; Chromium also logs the
        // status as a "Failed to load resource" error. Any other error is the app's fault.
        if (message.type() === 'error' && !/Failed to load resource.* (409|422|400)/.test(message.text())) {
          errors.push(`${page.url()}: ${message.text()}`);
        }
      });
      await page.goto(url);
      return page;
    },
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Runs a browser test's steps; when one fails, every open page is photographed into SCREENSHOTS
 * (named after the test) before the failure is reported.
 */
export async function photographedOnFailure(
  name: string,
  pages: () => readonly Page[],
  steps: () => Promise<void>,
): Promise<void> {
  try {
    await steps();
  } catch (error) {
    await mkdir(SCREENSHOTS, { recursive: true });
    const slug = name.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
    await Promise.all(
      pages().map((page, i) =>
        page
          .screenshot({ path: join(SCREENSHOTS, `${slug}-${i + 1}.png`), fullPage: true })
          .catch(() => undefined),
      ),
    );
    throw error;
  }
}
