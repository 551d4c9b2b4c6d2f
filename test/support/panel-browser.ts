import type { Locator, Page } from 'playwright-core';
import {
  fillDemoAccount,
  send,
  DEFAULT_DEMO,
  type DemoAccount,
  type DemoOptions,
} from '../../tools/demo-account.js';
import { launchBrowser, photographedOnFailure, type Browser } from './browser.js';
import { startPanelStack, type PanelStack } from './panel-stack.js';

/** Starting Chromium and the three processes, or stopping them, on a machine whose 2 cores are shared. */
export const STARTUP_MS = 90_000;
/** One browser test: several seats, each waiting for what it shows. */
const TEST_MS = 120_000;
/** How long a page may take to show a change: generous, on a machine whose 2 cores are shared. */
export const SHOWN_MS = 30_000;

/** What a browser suite works with: the stack, the browser, and the pages its current test opened. */
export interface PanelBrowserSuite {
  readonly stack: PanelStack;
  readonly browser: Browser;
  /** The current test's pages, photographed if it fails and closed after it. */
  readonly pages: Page[];
  /**
   * A new demo account filled in through the api, named `accountId` as it is: one executive with
   * one line, shared with one assistant, unless `shape` says otherwise.
   */
  demo(
    accountId: string,
    shape?: Partial<Pick<DemoOptions, 'executives' | 'linesPerExecutive' | 'assistants'>>,
  ): Promise<DemoAccount>;
  /** Opens `/panel<query>` on the projector. */
  open(query: string): Promise<Page>;
  /** Opens a viewer's seat on an account and waits until its stream is live. */
  seat(accountId: string, viewer: string): Promise<Page>;
  /** Opens a room of an account's `viewers`' seats side by side and waits until its stream is live. */
  room(accountId: string, viewers: readonly string[]): Promise<Page>;
  /** A call from `from`, outside the account, to one of its lines. */
  ring(account: DemoAccount, number: string, from: string): Promise<Record<string, unknown>>;
  /**
   * Where the tests of what happens to a ringing call start: a new demo account (see `demo`), the
   * seats of `viewers` open and live side by side, and a call from `caller` ringing on the executive's
   * line, shown ringing on the first of them.
   */
  ringing(
    accountId: string,
    viewers: readonly [string, ...string[]],
    caller: string,
  ): Promise<{ account: DemoAccount; number: string; callId: string; page: Page }>;
  /**
   * Expects the latest call on a line to be one flow, as the page names a call it starts: its audit
   * trail holds `types`, every entry under the correlation id `call-<account>-<digits>-<call id>`.
   */
  expectOneCallFlow(
    accountId: string,
    number: string,
    viewer: string,
    types: readonly string[],
  ): Promise<void>;
  /**
   * Expects the enabled buttons of a group of call actions to be `expected`, by label, once they have
   * settled after a change (they come in one seat update, but a control appearing under the pointer
   * is dimmed a moment).
   */
  expectEnabledActions(actions: Locator, expected: readonly string[]): Promise<void>;
  /**
   * Stops the projector under an open page, and waits until the page shows its stream lost. Ctrl-C
   * must stop it (exit 0), not the grace period's kill: the page's open stream may not hold it up.
   */
  stopProjectorSeenBy(page: Page): Promise<void>;
  /** Starts the projector again, and waits until the open page shows its stream live. */
  startProjectorSeenBy(page: Page): Promise<void>;
  /**
   * Takes the errors the pages logged that match `expected`, and only those, off the list that fails
   * the test: a test that makes a request fail on purpose expects the browser to log it. Returns how
   * many it took off.
   */
  forgiveErrors(expected: RegExp): number;
  /**
   * A test of the suite (`it`, within TEST_MS): its steps, then no error logged by a page, and every
   * open page photographed under `photo` if either fails.
   */
  browserTest(name: string, photo: string, steps: () => Promise<void>): void;
}

/**
 * The actions a seat offers enabled to the delegator on a connected call of its own: hold (also locked
 * for privacy), hang up, record, lock (R15, R18). A delegate on it is offered no lock.
 */
export const DELEGATOR_ON_CONNECTED_CALL = ['Hold', 'Hold, locked', 'Hang up', 'Record', 'Lock for privacy'];

/** Waits until the page's stream is live: it shows the seats as they are, and every change to them. */
export const streamLive = (page: Page) =>
  page.waitForSelector('[data-connection="live"]', { timeout: SHOWN_MS });

/**
 * Holds the page's requests that match `pattern` on their way, as a busy server would, until the
 * function it resolves with is called; then they go on.
 */
export async function holdRequests(page: Page, pattern: string): Promise<() => void> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route(pattern, async (route) => {
    await released;
    await route.continue();
  });
  return release;
}

/**
 * Starts keeping every text the page's screen-reader announcement (its live region) holds from now on.
 * The region holds one text at a time, and a change that comes later than the page tells changes
 * together (a second on a loaded machine) replaces the one before: waiting for both in the region at
 * once then depended on the machine's speed. `waitUntilAnnounced` checks what was told, in any text.
 */
export async function recordAnnouncements(page: Page): Promise<void> {
  await page.evaluate(`(() => {
    const told = (window.__announced = []);
    const keep = () => {
      const text = document.querySelector('[data-announcement]')?.textContent ?? '';
      if (text !== '' && told.at(-1) !== text) told.push(text);
    };
    keep();
    new MutationObserver(keep).observe(document.body, { childList: true, characterData: true, subtree: true });
  })()`);
}

/** Waits until every one of `sentences` was announced since `recordAnnouncements`, together or not. */
export async function waitUntilAnnounced(page: Page, sentences: readonly string[]): Promise<void> {
  await page.waitForFunction(
    (wanted: readonly string[]) => {
      const told = (globalThis as unknown as { __announced: string[] }).__announced;
      return wanted.every((sentence) => told.some((text) => text.includes(sentence)));
    },
    sentences,
    { timeout: SHOWN_MS },
  );
}

/**
 * Expects a field of a form the api refused with a 400 naming it marked invalid and holding the focus,
 * to be corrected where it was typed; called once the refusal shows.
 */
export async function expectRefusedField(field: Locator): Promise<void> {
  await expect(field.getAttribute('aria-invalid')).resolves.toBe('true');
  await expect(field.evaluate((element) => element === element.ownerDocument.activeElement)).resolves.toBe(
    true,
  );
}

/** Expects the page no wider than its window: whatever is wide scrolls inside it, not the page. */
export async function expectFitsWindow(page: Page): Promise<void> {
  const [pageWidth, windowWidth] = await page.evaluate<[number, number]>(
    '[document.documentElement.scrollWidth, innerWidth]',
  );
  expect(pageWidth).toBeLessThanOrEqual(windowWidth);
}

/**
 * A browser suite's setup: Debian's Chromium and a panel stack on the virtual clock (ringing calls
 * keep ringing until a test moves it), started before the suite's first test and stopped after its
 * last; the pages a test opened are closed after it. Called inside a `describe`.
 */
export function panelBrowserSuite(): PanelBrowserSuite {
  let stack: PanelStack | undefined;
  let browser: Browser | undefined;
  const pages: Page[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    stack = await startPanelStack({ CLOCK_MODE: 'virtual' });
  }, STARTUP_MS);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  }, STARTUP_MS);

  afterEach(async () => {
    await Promise.all(pages.map((page) => page.close()));
    pages.length = 0;
  });

  const started = <T>(what: T | undefined): T => {
    if (what === undefined) throw new Error('the browser suite is used before its beforeAll started it');
    return what;
  };
  const open = async (query: string): Promise<Page> => {
    const page = await started(browser).open(`${started(stack).projector}/panel${query}`);
    pages.push(page);
    return page;
  };
  const room = async (accountId: string, viewers: readonly string[]): Promise<Page> => {
    const page = await open(`?account=${accountId}${viewers.map((viewer) => `&viewer=${viewer}`).join('')}`);
    await streamLive(page);
    return page;
  };
  const suite: PanelBrowserSuite = {
    get stack() {
      return started(stack);
    },
    get browser() {
      return started(browser);
    },
    pages,
    demo: (accountId, shape) =>
      fillDemoAccount(started(stack).api, {
        ...DEFAULT_DEMO,
        accountId,
        name: accountId,
        executives: 1,
        linesPerExecutive: 1,
        assistants: 1,
        ...shape,
      }),
    open,
    seat: (accountId, viewer) => room(accountId, [viewer]),
    room,
    ring: (account, number, from) =>
      send(
        started(stack).api,
        'POST',
        `/accounts/${account.accountId}/lines/${encodeURIComponent(number)}/incoming-calls`,
        { from },
      ),
    async ringing(accountId, viewers, caller) {
      const account = await suite.demo(accountId);
      const number = account.executives[0]!.numbers[0]!;
      const page = await room(accountId, viewers);
      const { callId } = await suite.ring(account, number, caller);
      await page.waitForSelector(
        `section.seat[data-viewer="${viewers[0]}"] section[data-line="${number}"] [data-lamp="ringing"]`,
        { timeout: SHOWN_MS },
      );
      return { account, number, callId: callId as string, page };
    },
    async expectOneCallFlow(accountId, number, viewer, types) {
      const digits = number.replace(/^\+/, '');
      const line = `${started(stack).projector}/lines/${accountId}/${digits}`;
      const history = (await (await fetch(`${line}/history?viewer=${viewer}`)).json()) as {
        calls: { callId: string }[];
      };
      const { callId } = history.calls[0]!;
      const { entries } = (await (await fetch(`${line}/calls/${callId}/audit`)).json()) as {
        entries: { type: string; correlationId: string }[];
      };
      expect(entries.map((entry) => entry.type)).toEqual(expect.arrayContaining([...types]));
      for (const entry of entries) expect(entry.correlationId).toBe(`call-${accountId}-${digits}-${callId}`);
    },
    async expectEnabledActions(actions, expected) {
      const enabled = () => actions.locator('button:not([disabled])').allTextContents();
      const until = Date.now() + SHOWN_MS;
      let shown = await enabled();
      while (JSON.stringify(shown) !== JSON.stringify(expected) && Date.now() < until) {
        await actions.page().waitForTimeout(100);
        shown = await enabled();
      }
      expect(shown).toEqual(expected);
    },
    async stopProjectorSeenBy(page) {
      await expect(started(stack).stopProjector()).resolves.toBe(0);
      await page.waitForSelector('[data-connection="lost"]', { timeout: SHOWN_MS });
    },
    async startProjectorSeenBy(page) {
      await started(stack).startProjector();
      await streamLive(page);
    },
    forgiveErrors(expected) {
      const { errors } = started(browser);
      const others = errors.filter((error) => !expected.test(error));
      const forgiven = errors.length - others.length;
      errors.splice(0, errors.length, ...others);
      return forgiven;
    },
    browserTest: (name, photo, steps) =>
      it(
        name,
        () =>
          photographedOnFailure(
            photo,
            () => pages,
            async () => {
              await steps();
              expect(started(browser).errors).toEqual([]);
            },
          ),
        TEST_MS,
      ),
  };
  return suite;
}
