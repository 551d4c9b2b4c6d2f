import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BACKWARDS, END } from '@eventstore/db-client';
import type { Page } from 'playwright-core';
import { accountStream, eventSchemas, type AccountEvent } from '#events';
import { EventStore, createEventStoreClient } from '#eventstore';
import { startProcess } from '#stack';
import { delegationReadyPhoneUser, send, type DemoAccount } from '../../tools/demo-account.js';
import {
  DELEGATOR_ON_CONNECTED_CALL,
  SHOWN_MS,
  STARTUP_MS,
  expectFitsWindow,
  expectRefusedField,
  holdRequests,
  panelBrowserSuite,
  streamLive,
} from '../support/panel-browser.js';
import { testMetadata } from '../support/shared-store.js';

/**
 * The web app in Debian's Chromium over the real processes: seats act through the api, and every seat
 * sees every change live over its one stream. The virtual clock keeps ringing calls ringing.
 */
describe('the panel in a browser', () => {
  const suite = panelBrowserSuite();
  const { demo, open, seat, ring, browserTest } = suite;

  /** Where most of these tests start: one executive's one line, and the first assistant's seat open on it. */
  const firstAssistantSeat = async (accountId: string, assistants = 1) => {
    const account = await demo(accountId, { assistants });
    const number = account.executives[0]!.numbers[0]!;
    return { account, number, page: await seat(account.accountId, 'assistant1') };
  };
  const line = (page: Page, number: string) => page.locator(`section[data-line="${number}"]`);
  const lampOf = (page: Page, number: string) =>
    line(page, number).locator('[data-lamp]').getAttribute('data-lamp');
  const lampShows = (page: Page, number: string, state: string) =>
    page.waitForSelector(`section[data-line="${number}"] [data-lamp="${state}"]`, { timeout: SHOWN_MS });
  /**
   * Runs `steps` with a projector of the suite's store of its own, started with `variables` and its own
   * snapshot directory, given its address once it has caught up with the store (it starts from the first
   * event, which on a machine whose cores are shared may take longer than a page waits to show); stops it
   * and removes the directory after.
   */
  const ownProjector = async (
    variables: Record<string, string>,
    steps: (address: string) => Promise<void>,
  ) => {
    const data = await mkdtemp(join(tmpdir(), 'switchboard-panel-'));
    const projector = await startProcess(
      'projector',
      'dist/apps/projector/src/main.js',
      [],
      {
        EVENTSTORE_CONNECTION_STRING: suite.stack.store,
        PROJECTOR_PORT: '0',
        PROJECTOR_DATA_DIR: data,
        ...variables,
      },
      /projector listening on (http:\/\/\S+)/,
    );
    try {
      for (const giveUp = Date.now() + STARTUP_MS; ;) {
        const health = await fetch(`${projector.address}/health`).then(
          async (answer) => (await answer.json()) as { status?: string },
          () => ({ status: undefined }),
        );
        if (health.status === 'live') break;
        if (Date.now() > giveUp) throw new Error(`the projector did not catch up within ${STARTUP_MS} ms`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      await steps(projector.address);
    } finally {
      await projector.stop();
      await rm(data, { recursive: true, force: true });
    }
  };
  /** A viewer's seat opened on `projector` (one of ownProjector's), not the suite's, once live. */
  const seatOn = async (projector: string, accountId: string, viewer: string) => {
    const page = await suite.browser.open(`${projector}/panel?account=${accountId}&viewer=${viewer}`);
    suite.pages.push(page);
    await streamLive(page);
    return page;
  };
  /** Rings the seat's line from `from` with the page's outside caller; resolves with that form. */
  const ringFromPage = async (page: Page, from: string) => {
    const outside = page.getByRole('form', { name: 'An outside caller' });
    await outside.getByRole('textbox', { name: 'An outside number' }).fill(from);
    await outside.getByRole('button', { name: 'Ring' }).click();
    return outside;
  };
  /** The tab's title is set by an effect after the page shows what it names: wait for it, as for the page. */
  const titleMatches = (page: Page, title: RegExp) =>
    page.waitForFunction(`${String(title)}.test(document.title)`, undefined, { timeout: SHOWN_MS });

  browserTest(
    "a delegate places a call from its seat on the executive's line; the executive's seat shows it busy and its audit trail",
    'place-call',
    async () => {
      const { account, number, page: assistantSeat } = await firstAssistantSeat('place');
      const executiveSeat = await seat(account.accountId, 'exec1');
      expect(await lampOf(executiveSeat, number)).toBe('idle');

      await assistantSeat.getByLabel('Call from').selectOption(number);
      await assistantSeat.getByRole('textbox', { name: 'Number to call' }).fill('+15559990000');
      await assistantSeat.getByRole('button', { name: 'Call', exact: true }).click();

      await lampShows(executiveSeat, number, 'busy');
      await expect(line(executiveSeat, number).locator('.lamp-row').textContent()).resolves.toContain(
        'Assistant 1 on behalf of Executive 1',
      );
      await lampShows(assistantSeat, number, 'busy');

      // The call's history entry opens its audit trail: who placed it, for whom, under which permission.
      const entry = line(executiveSeat, number);
      await entry.locator('details.history > summary').click();
      await entry.locator('details.audit > summary').first().click();
      const placed = entry.locator('details.audit tbody tr').first();
      await placed.waitFor({ timeout: SHOWN_MS });
      await expect(placed.textContent()).resolves.toMatch(/assistant1.*exec1.*placeCalls/);

      // Time travel: stepping back event by event reaches the line before the call, then back to live.
      const stepBack = executiveSeat.getByRole('button', { name: 'Step back one event' });
      const asOf = `document.querySelector('[data-as-of]')?.getAttribute('data-as-of') ?? null`;
      for (let step = 0; step < 10 && (await lampOf(executiveSeat, number)) !== 'idle'; step++) {
        const before = await executiveSeat.evaluate<string | null>(asOf);
        await stepBack.click();
        await executiveSeat.waitForFunction(`(${asOf}) !== ${JSON.stringify(before)}`, null, {
          timeout: SHOWN_MS,
        });
      }
      expect(await lampOf(executiveSeat, number)).toBe('idle');
      await executiveSeat.getByRole('button', { name: 'Back to live' }).click();
      await lampShows(executiveSeat, number, 'busy');

      // The call's flow is one correlation id, from its placement to its hang-up.
      await line(assistantSeat, number).getByRole('button', { name: 'Hang up' }).click();
      await lampShows(executiveSeat, number, 'idle');
      await suite.expectOneCallFlow('place', number, 'exec1', ['CallPlacedOnSharedLine', 'CallEnded']);
    },
  );

  browserTest(
    'two seats race to answer one call: exactly one wins, the other shows ALREADY_ANSWERED',
    'race-to-answer',
    async () => {
      const { account, number, page: first } = await firstAssistantSeat('race', 2);
      const second = await seat(account.accountId, 'assistant2');
      await ring(account, number, '+15558880000');
      await Promise.all([lampShows(first, number, 'ringing'), lampShows(second, number, 'ringing')]);

      const answer = (page: Page) => line(page, number).getByRole('button', { name: 'Answer', exact: true });
      // Both answers leave their pages before either reaches the api, so the race is the server's: on a
      // busy machine the second click could otherwise come after its page already showed the call
      // answered, and land on the Join button that took the Answer button's place.
      let bothSent!: () => void;
      const sent = new Promise<void>((resolve) => (bothSent = resolve));
      let held = 0;
      for (const page of [first, second]) {
        await page.route('**/panel/api/**/answer', async (route) => {
          if (++held === 2) bothSent();
          await sent;
          await route.continue();
        });
      }
      await Promise.all([answer(first).click(), answer(second).click()]);

      await Promise.all([lampShows(first, number, 'busy'), lampShows(second, number, 'busy')]);
      // The loser's refusal may come a while after the lamps change on a busy machine: wait for it on
      // whichever page shows one, then the other page must show none.
      const refusalOn = (page: Page) => line(page, number).locator('[role="alert"][data-code]');
      const loser = await Promise.any(
        [first, second].map(async (page) => {
          await refusalOn(page).waitFor({ timeout: SHOWN_MS });
          return page;
        }),
      );
      const winner = loser === first ? second : first;
      await expect(refusalOn(loser).getAttribute('data-code')).resolves.toBe('ALREADY_ANSWERED');
      await expect(refusalOn(loser).textContent()).resolves.toMatch(/ALREADY_ANSWERED .*answered/i);
      expect(await refusalOn(winner).count()).toBe(0);
      await expect(line(winner, number).locator('.lamp-row').textContent()).resolves.toMatch(/Busy\s*you/);
    },
  );

  browserTest(
    'Given an Answer refused as ALREADY_ANSWERED, When that call ends, Then its refusal goes with it, and the next call rings without it',
    'refusal-call-over',
    async () => {
      const { account, number, callId, page } = await suite.ringing(
        'refusal-over',
        ['assistant1'],
        '+15558880001',
      );
      // The assistant's answer is held on its way until the executive has answered on the desk phone.
      const release = await holdRequests(page, '**/panel/api/**/answer');
      await line(page, number).getByRole('button', { name: 'Answer', exact: true }).click();
      const onCall = `/accounts/${account.accountId}/lines/${encodeURIComponent(number)}/calls/${callId}`;
      await send(suite.stack.api, 'POST', `${onCall}/answer`, { actor: 'exec1' });
      release();
      const refusal = line(page, number).locator('[role="alert"][data-code="ALREADY_ANSWERED"]');
      await refusal.waitFor({ timeout: SHOWN_MS });

      await send(suite.stack.api, 'POST', `${onCall}/hang-up`, { actor: 'exec1' });
      await lampShows(page, number, 'idle');
      await refusal.waitFor({ state: 'detached', timeout: SHOWN_MS });
      await ring(account, number, '+15558880002');
      await lampShows(page, number, 'ringing');
      expect(await line(page, number).locator('[role="alert"]').count()).toBe(0);
    },
  );

  browserTest(
    'a 40-line viewer sees every lamp live over one connection, and a revoked delegation takes its lines away live',
    'forty-lines',
    async () => {
      const account = await demo('forty', { executives: 10, linesPerExecutive: 4 });
      const shared = account.executives.flatMap((e) => e.numbers);
      expect(shared).toHaveLength(40);
      const before = suite.browser.requests.length;
      const page = await seat(account.accountId, 'assistant1');
      expect(await page.locator('section[data-line]').count()).toBe(41);

      for (const [i, number] of shared.entries()) {
        await ring(account, number, `+1555777${String(i).padStart(4, '0')}`);
      }
      await page.waitForFunction(`document.querySelectorAll('[data-lamp="ringing"]').length === 40`, null, {
        timeout: SHOWN_MS,
      });
      for (const number of shared) expect(await lampOf(page, number)).toBe('ringing');

      const revoked = account.delegations.find((d) => d.delegatorId === 'exec1')!;
      await send(
        suite.stack.api,
        'POST',
        `/accounts/${account.accountId}/delegations/${revoked.delegationId}/revoke`,
        {
          actor: 'exec1',
        },
      );
      await page.waitForFunction(`document.querySelectorAll('section[data-line]').length === 37`, null, {
        timeout: SHOWN_MS,
      });
      await expect(
        page.locator(`li[data-delegation="${revoked.delegationId}"]`).getAttribute('data-status'),
      ).resolves.toBe('revoked');

      const streams = suite.browser.requests.slice(before).filter((url) => url.includes('/panel/stream'));
      expect(streams).toHaveLength(1);
    },
  );

  browserTest(
    'R7: an invitation that cannot be accepted yet says why beside it, in the seats of both its parties',
    'invitation-refused',
    async () => {
      const account = await demo('invite-refused', { assistants: 1 });
      const path = `/accounts/${account.accountId}`;
      // A new assistant without the Assistant panel (R4), invited by the executive: pending
      await send(suite.stack.api, 'POST', `${path}/phone-users`, {
        ...delegationReadyPhoneUser('admin', 'late1', 'Late 1', ['+15558880001']),
        assistantEnabled: false,
      });
      const invited = await send(suite.stack.api, 'POST', `${path}/delegations`, {
        actor: 'exec1',
        delegatorId: 'exec1',
        delegateId: 'late1',
        permissions: ['answerCalls'],
        sharedLines: account.executives[0]!.numbers,
      });
      const sentence = 'The Assistant is disabled for late1: an admin must enable it.';

      for (const viewer of ['exec1', 'late1']) {
        const page = await seat(account.accountId, viewer);
        const why = page.locator(
          `li[data-delegation="${invited.delegationId as string}"][data-status="pending"] .activation-refused`,
        );
        await why.waitFor({ timeout: SHOWN_MS });
        await expect(why.getAttribute('data-code')).resolves.toBe('ASSISTANT_DISABLED');
        await expect(why.textContent()).resolves.toContain(sentence);
      }
      // The delegations that may be accepted (or are active) say nothing of the kind
      const executive = await seat(account.accountId, 'exec1');
      expect(await executive.locator('.activation-refused').count()).toBe(1);
    },
  );

  browserTest(
    'a refused action shows its reason code and sentence; an unavailable one is disabled with the rule that says no',
    'refusals',
    async () => {
      const { account, number, page } = await firstAssistantSeat('refuse');

      await page.getByRole('textbox', { name: 'Number to call' }).fill('+12');
      await page.getByRole('button', { name: 'Call', exact: true }).click();
      const refusal = page.locator('form.dialer [role="alert"]');
      await refusal.waitFor({ timeout: SHOWN_MS });
      await expect(refusal.getAttribute('data-code')).resolves.toBe('INVALID_REQUEST');
      await expect(refusal.textContent()).resolves.toMatch(/E\.164/);
      await expectRefusedField(page.getByRole('textbox', { name: 'Number to call' }));

      await send(
        suite.stack.api,
        'POST',
        `/accounts/${account.accountId}/lines/${encodeURIComponent(number)}/calls`,
        {
          actor: 'exec1',
          to: '+15556660000',
        },
      );
      await lampShows(page, number, 'busy');
      await page.getByLabel('Call from').selectOption(number);
      await expect(page.getByRole('button', { name: 'Call', exact: true }).isDisabled()).resolves.toBe(true);
      await expect(page.locator('form.dialer .why').textContent()).resolves.toMatch(/R12.*busy/s);

      const unknown = await open('?account=refuse&viewer=nobody');
      await unknown.getByRole('heading', { name: 'Unknown viewer' }).waitFor({ timeout: SHOWN_MS });
    },
  );

  browserTest(
    "Given a link to a viewer the account does not have, then All accounts and a seat, When the user goes Back to it, Then the tab's title says the viewer is unknown, not the page left",
    'problem-title',
    async () => {
      const account = await demo('problem-title');
      const page = await open(`?account=${account.accountId}&viewer=ghost`);
      const unknown = page.getByRole('heading', { name: 'Unknown viewer' });
      await unknown.waitFor({ timeout: SHOWN_MS });
      await titleMatches(page, /^Unknown viewer · Switchboard$/);

      await page.getByRole('link', { name: 'All accounts and parties' }).click();
      const landing = page.getByRole('region', { name: account.accountId });
      await landing.getByRole('link', { name: 'Executive 1', exact: true }).click();
      await streamLive(page);
      await titleMatches(page, /^Executive 1 · /);

      await page.goBack();
      await page.goBack();
      await unknown.waitFor({ timeout: SHOWN_MS });
      await titleMatches(page, /^Unknown viewer · Switchboard$/);
    },
  );

  browserTest(
    "Given a room's link naming a viewer the account does not have, When it is opened, Then the page offers the room without it and each seat of the account, and the room without it opens live",
    'problem-known-seats',
    async () => {
      const account = await demo('problem-seats');
      const page = await open(`?account=${account.accountId}&viewer=exec1&viewer=ghost&viewer=assistant1`);
      await page.getByRole('heading', { name: 'Unknown viewer' }).waitFor({ timeout: SHOWN_MS });
      const seats = page.getByRole('navigation', { name: /^Seats of / });
      await expect(
        seats.getByRole('listitem').evaluateAll((items) => items.map((item) => item.textContent)),
      ).resolves.toEqual(['Executive 1', 'Assistant 1']);

      await seats.getByRole('link', { name: 'The room without "ghost"' }).click();
      await streamLive(page);
      expect(new URL(page.url()).searchParams.getAll('viewer')).toEqual(['exec1', 'assistant1']);
    },
  );

  browserTest(
    "Given a delegate allowed to opt in and out, When its seat lists what it may do on the executive's line and in its roster, Then it reads 'opt in and out'",
    'permission-words',
    async () => {
      const { number, page } = await firstAssistantSeat('permission-words');
      const role = line(page, number).locator('p.role');
      await expect(role.textContent()).resolves.toMatch(/you may .*, opt in and out$/);
      const roster = page.getByRole('region', { name: 'Delegations' });
      await expect(roster.textContent()).resolves.toContain('opt in and out');
      await expect(roster.textContent()).resolves.not.toContain('opt in out');
    },
  );

  browserTest(
    'the projector restarted while a seat is open: it stops at once, the page says it is reconnecting, then is live again without a reload',
    'projector-restart',
    async () => {
      const { account, number, page } = await firstAssistantSeat('restart');
      await page.evaluate(`window.notReloaded = true`);

      await suite.stopProjectorSeenBy(page);
      await expect(page.locator('[data-connection]').textContent()).resolves.toMatch(/reconnecting/);
      // Down for longer than the stream waits between its tries, as a projector slow to start on a
      // loaded machine is: the page keeps trying, and the browser logs each try refused.
      await page.waitForTimeout(4_000);

      await suite.startProjectorSeenBy(page);
      await ring(account, number, '+15552220000');
      await lampShows(page, number, 'ringing');
      expect(await page.evaluate(`window.notReloaded === true`)).toBe(true);
      // Those refused tries are the only errors the page may log.
      suite.forgiveErrors(/ERR_CONNECTION_REFUSED/);
    },
  );

  browserTest(
    'Given the projector stopped under an open seat, When the user goes to All seats, Then the page says the stack is down and asks again by itself; once the projector is back it lists the accounts without a reload',
    'landing-stack-back',
    async () => {
      const { page } = await firstAssistantSeat('landing-back');
      await page.evaluate(`window.notReloaded = true`);
      await suite.stopProjectorSeenBy(page);

      await page.getByRole('link', { name: 'All seats' }).click();
      const down = page.getByRole('heading', { name: 'The stack is down' });
      await down.waitFor({ timeout: SHOWN_MS });
      await page.getByText('The page asks again every few seconds').waitFor({ timeout: SHOWN_MS });

      await suite.stack.startProjector();
      await page.getByRole('region', { name: 'landing-back' }).waitFor({ timeout: SHOWN_MS });
      expect(await down.count()).toBe(0);
      expect(await page.evaluate(`window.notReloaded === true`)).toBe(true);
      suite.forgiveErrors(/ERR_CONNECTION_REFUSED/);
    },
  );

  browserTest(
    "Given a seat's page opened while the projector does not answer its look-ups (a tab restored from the browser's cache), When the projector answers again, Then the seat shows without a reload",
    'seat-stack-back',
    async () => {
      const account = await demo('seat-back');
      let refused = 0;
      const page = await suite.browser.open('about:blank');
      suite.pages.push(page);
      await page.route('**/panel/directory', (route) =>
        ++refused <= 2 ? route.abort('connectionrefused') : route.continue(),
      );
      await page.goto(`${suite.stack.projector}/panel?account=${account.accountId}&viewer=assistant1`);
      await page.getByRole('heading', { name: 'The stack is down' }).waitFor({ timeout: SHOWN_MS });

      await streamLive(page);
      await page.locator('[data-lamp]').first().waitFor({ timeout: SHOWN_MS });
      expect(refused).toBeGreaterThan(2);
      suite.forgiveErrors(/ERR_CONNECTION_REFUSED/);
    },
  );

  browserTest(
    'Given the projector stopped under a seat, When the user rings a line from the page, Then the refusal says the stack is not answering; once the page is live again, that refusal is gone',
    'refusal-stack-back',
    async () => {
      const { page } = await firstAssistantSeat('refusal-back');
      await suite.stopProjectorSeenBy(page);
      const outside = await ringFromPage(page, '+15556660003');
      const refusal = outside.locator('[role="alert"][data-code="STACK_UNAVAILABLE"]');
      await refusal.waitFor({ timeout: SHOWN_MS });
      await expect(refusal.textContent()).resolves.toMatch(/not answering/);

      await suite.startProjectorSeenBy(page);
      await refusal.waitFor({ state: 'detached', timeout: SHOWN_MS });
      suite.forgiveErrors(/ERR_CONNECTION_REFUSED/);
    },
  );

  browserTest(
    'Given the api stopped under a live seat, When the user rings a line, Then the refusal says the api is not answering; once the api is back it is gone without another click',
    'refusal-api-back',
    async () => {
      const { page } = await firstAssistantSeat('api-back');
      await suite.stack.stopApi();
      try {
        const outside = await ringFromPage(page, '+15556660005');
        const refusal = outside.locator('[role="alert"][data-code="API_UNAVAILABLE"]');
        await refusal.waitFor({ timeout: SHOWN_MS });
        // The page's own connection, to the projector, never dropped: only the api is away.
        await expect(page.locator('[data-connection]').textContent()).resolves.toBe('Live');
      } finally {
        await suite.stack.startApi();
      }
      await page
        .locator('[role="alert"][data-code="API_UNAVAILABLE"]')
        .waitFor({ state: 'detached', timeout: SHOWN_MS });
      expect(suite.forgiveErrors(/status of 502/)).toBe(1);
    },
  );

  browserTest(
    "Given a projector with no address for the api it can use, When the user rings a line from the page, Then the refusal says the api's address is not set and which variables set it, not that the stack is down",
    'api-address-not-set',
    async () => {
      const account = await demo('no-api-address');
      // Blank variables count as unset: whatever the test's own environment holds, none reaches it.
      const unset = { CLOCK_MODE: 'virtual', SWITCHBOARD_API_URL: '', API_HOST: '', API_PORT: '0' };
      await ownProjector(unset, async (projector) => {
        const page = await seatOn(projector, account.accountId, 'assistant1');
        const outside = await ringFromPage(page, '+15556660004');

        const refusal = outside.locator('[role="alert"]');
        await refusal.waitFor({ timeout: SHOWN_MS });
        await expect(refusal.getAttribute('data-code')).resolves.toBe('API_ADDRESS_NOT_SET');
        const said = await refusal.textContent();
        expect(said).toMatch(/SWITCHBOARD_API_URL \(or API_HOST and API_PORT\)/);
        expect(said).not.toMatch(/not answering|is the stack running/);
        await expect(page.locator('[data-connection]').textContent()).resolves.toBe('Live');
        expect(suite.forgiveErrors(/status of 502/)).toBe(1);
      });
    },
  );

  browserTest(
    'Given a stack on the wall clock, When a seat moves on (a call rings, then its caller hangs up), Then the page offers no clock to move and asks for no pending timer, one request per event a load run would fire at the projector and the api',
    'wall-clock-timers',
    async () => {
      const account = await demo('wall-clock');
      const number = account.executives[0]!.numbers[0]!;
      await ownProjector(
        { CLOCK_MODE: 'realtime', SWITCHBOARD_API_URL: suite.stack.api },
        async (projector) => {
          const page = await seatOn(projector, account.accountId, 'exec1');
          const { callId } = (await ring(account, number, '+15556660006')) as { callId: string };
          await lampShows(page, number, 'ringing');
          const onLine = `/accounts/${account.accountId}/lines/${encodeURIComponent(number)}`;
          await send(suite.stack.api, 'POST', `${onLine}/calls/${callId}/external-hang-up`, {});
          await lampShows(page, number, 'idle');

          await expect(page.getByRole('group', { name: 'Virtual clock' }).count()).resolves.toBe(0);
          expect(suite.browser.requests.filter((url) => url.startsWith(`${projector}/panel/timers`))).toEqual(
            [],
          );
        },
      );
    },
  );

  /**
   * Appends account events straight to the store through its client, bypassing the api, as an imported
   * history or an older version wrote them: with names the api now refuses (direction overrides). Each
   * is stamped with the time of the account's last event; the append is the first one's `by`'s command.
   */
  const appendAsImported = async (
    accountId: string,
    events: readonly { type: AccountEvent['type']; data: { by: string } & Record<string, unknown> }[],
  ) => {
    const store = new EventStore(createEventStoreClient(suite.stack.store), eventSchemas);
    try {
      const stream = accountStream(accountId);
      let at = '';
      const last = store.client.readStream(stream, { direction: BACKWARDS, fromRevision: END, maxCount: 1 });
      for await (const { event } of last) at = (event!.data as { at: string }).at;
      const stamped = events.map(({ type, data }) => ({ type, data: { ...data, at } }));
      await store.append(
        stream,
        stamped as AccountEvent[],
        'any',
        testMetadata({ actor: events[0]!.data.by, simulatedTime: at }),
      );
    } finally {
      await store.client.dispose();
    }
  };

  /** In a page's script: where on the screen the `i`th character of a text node starts, from the left. */
  const leftOfCharacter = `(text, i) => {
    const range = document.createRange();
    range.setStart(text, i);
    range.setEnd(text, i + 1);
    return range.getBoundingClientRect().left;
  }`;

  /**
   * In a page's script: whether `words`, in the first text under `container` holding them, read from
   * left to right on the screen (their first letter left of their last), not reversed by a name before them.
   */
  const readsForward = (container: string, words: string) => `(() => {
    const left = ${leftOfCharacter};
    const walker = document.createTreeWalker(document.querySelector(${JSON.stringify(container)}), NodeFilter.SHOW_TEXT);
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
      const at = text.data.indexOf(${JSON.stringify(words)});
      if (at >= 0) return left(text, at) < left(text, at + ${words.length - 1});
    }
  })()`;

  browserTest(
    'hostile names (markup, a right-to-left override, an isolate closed that the name never opened, 100 letters unbroken) run nothing, leave every number and the words after a name readable and the page no wider than the window',
    'hostile-names',
    async () => {
      const api = (method: string, path: string, body: Record<string, unknown>) =>
        send(suite.stack.api, method, `/accounts/hostile${path}`, body);
      await send(suite.stack.api, 'POST', '/accounts', {
        actor: 'admin',
        accountId: 'hostile',
        name: '<script>window.ran = 1</script>"><img src=x onerror="window.ran = 2">',
      });
      // The api refuses direction controls in names: these come from a history written before it did.
      const provisioned = (partyId: string, name: string, number: string) => {
        const { actor, ...party } = delegationReadyPhoneUser('admin', partyId, name, [number]);
        return { type: 'PhoneUserProvisioned' as const, data: { ...party, powerPack: false, by: actor } };
      };
      await appendAsImported('hostile', [
        provisioned('exec', '"><img src=x onerror="window.ran = 3">Exec \u202Eevil', '+15551230000'),
        // An isolate closed that the name never opened: set in an isolate of the page's own, it would
        // close that one, and the override after it would run on over the words after the name.
        provisioned('assistant', `${'A'.repeat(100)}\u2069\u202E`, '+15559990001'),
      ]);
      const { delegationId } = await api('POST', '/delegations', {
        actor: 'exec',
        delegatorId: 'exec',
        delegateId: 'assistant',
        permissions: ['placeCalls', 'answerCalls'],
        sharedLines: ['+15551230000'],
      });
      await api('POST', `/delegations/${delegationId as string}/accept`, { actor: 'assistant' });
      await appendAsImported('hostile', [
        {
          type: 'LineNamed',
          data: { by: 'exec', partyId: 'exec', number: '+15551230000', name: 'Front \u202Edesk' },
        },
        {
          type: 'SpeedDialAdded',
          data: {
            by: 'exec',
            ownerId: 'exec',
            entryId: 'spoof',
            label: '<img src=x onerror="window.ran=4">\u202Eevil',
            number: '+15559990001',
            position: 1,
          },
        },
      ]);
      const { callId } = await suite.ring(
        { accountId: 'hostile' } as DemoAccount,
        '+15551230000',
        '+15557770000',
      );

      for (const page of [await seat('hostile', 'exec'), await seat('hostile', 'assistant')]) {
        await lampShows(page, '+15551230000', 'ringing');
        expect(await page.evaluate('window.ran')).toBeUndefined();
        // A name's right-to-left override stays in the name: a number after it (in a line's heading, on
        // a speed-dial key) reads "+1555…" from left to right, not "…5551+". Each number found: is its
        // "+" left of its last digit on the screen?
        const plusLeftOfLastDigit = `(() => {
          const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
          const left = ${leftOfCharacter};
          const sides = [];
          for (let text = walker.nextNode(); text; text = walker.nextNode()) {
            const number = /\\+1555\\d+/.exec(text.data);
            if (number && text.parentElement.closest('section[data-line] h2, button.speed-dial'))
              sides.push(left(text, number.index) < left(text, number.index + number[0].length - 1));
          }
          return sides;
        })()`;
        const sides = await page.evaluate<boolean[]>(plusLeftOfLastDigit);
        expect(sides.length).toBeGreaterThan(0);
        expect(sides.every(Boolean)).toBe(true);
        await expectFitsWindow(page);
      }

      const executive = await seat('hostile', 'exec');
      const card = 'section[data-line="+15551230000"]';
      await api('POST', `/lines/${encodeURIComponent('+15551230000')}/calls/${callId as string}/answer`, {
        actor: 'assistant',
      });
      await lampShows(executive, '+15551230000', 'busy');
      // The words after the assistant's name read from left to right, on the lamp and in the call's trail.
      await expect(executive.evaluate(readsForward(card, 'on behalf of'))).resolves.toBe(true);
      await line(executive, '+15551230000').locator('details.history > summary').first().click();
      const trail = line(executive, '+15551230000').locator('details.audit').first();
      await trail.locator('> summary').click();
      await trail.locator('td[data-type="CallAnswered"]').waitFor({ timeout: SHOWN_MS });
      await expect(executive.evaluate(readsForward(`${card} details.audit tbody`, 'answered'))).resolves.toBe(
        true,
      );

      // A viewer the account has not, named in the address with an override, is set apart in the sentence.
      await executive.goto(
        `${suite.stack.projector}/panel?account=hostile&viewer=${encodeURIComponent('\u202Enobody')}`,
      );
      await executive.getByText('is not a party of account').waitFor({ timeout: SHOWN_MS });
      await expect(executive.locator('main').textContent()).resolves.toContain(
        '"\u2068\u202Enobody\u2069" is not a party',
      );
    },
  );

  browserTest(
    "Given an assistant whose name is 100 letters unbroken, When the executive on a call opens the transfer picker, at a phone's width and a desktop's, Then the picker stays inside the line's card and the full name is there to read",
    'transfer-long-name',
    async () => {
      const name = 'B'.repeat(100);
      const api = (path: string, body: Record<string, unknown>) =>
        send(suite.stack.api, 'POST', `/accounts/long-target${path}`, body);
      await send(suite.stack.api, 'POST', '/accounts', {
        actor: 'admin',
        accountId: 'long-target',
        name: 'Long',
      });
      await api('/phone-users', delegationReadyPhoneUser('admin', 'exec', 'Exec', ['+15551240000']));
      await api('/phone-users', delegationReadyPhoneUser('admin', 'assistant', name, ['+15559990002']));
      const { delegationId } = await api('/delegations', {
        actor: 'exec',
        delegatorId: 'exec',
        delegateId: 'assistant',
        permissions: ['placeCalls', 'answerCalls'],
        sharedLines: ['+15551240000'],
      });
      await api(`/delegations/${delegationId as string}/accept`, { actor: 'assistant' });
      const { callId } = await api(`/lines/${encodeURIComponent('+15551240000')}/calls`, {
        actor: 'exec',
        to: '+15553330000',
      });
      // Answered: a call still dialing is not transferred (CALL_NOT_CONNECTED), and its picker is disabled.
      await api(`/lines/${encodeURIComponent('+15551240000')}/calls/${callId as string}/external-answer`, {});
      const page = await seat('long-target', 'exec');
      await lampShows(page, '+15551240000', 'busy');
      const card = line(page, '+15551240000');
      const picker = card.getByLabel('Transfer to');
      await picker.selectOption('assistant');

      for (const width of [360, 1280]) {
        await page.setViewportSize({ width, height: 900 });
        const [cardBox, pickerBox, buttonBox, labelBox] = await Promise.all(
          [
            card,
            picker,
            card.getByRole('button', { name: 'Transfer', exact: true }),
            card.locator('.transfer label'),
          ].map(async (part) => (await part.boundingBox())!),
        );
        for (const part of [pickerBox, buttonBox]) {
          expect(part.x).toBeGreaterThanOrEqual(cardBox.x);
          expect(part.x + part.width).toBeLessThanOrEqual(cardBox.x + cardBox.width);
        }
        // "Transfer to" on one line beside the picker, not stacked letter by letter.
        expect(labelBox.height).toBeLessThan(pickerBox.height * 1.5);
        const [wide, window] = await page.evaluate<[number, number]>(
          '[document.documentElement.scrollWidth, innerWidth]',
        );
        expect(wide).toBeLessThanOrEqual(window);
      }
      // The name cut short on the screen is whole where a pointer or a screen reader finds it.
      await expect(picker.getAttribute('title')).resolves.toBe(name);
      await expect(picker.locator('option[value="assistant"]').getAttribute('title')).resolves.toBe(name);
      await expect(picker.locator('option[value="assistant"]').textContent()).resolves.toBe(name);
    },
  );

  browserTest(
    'a double click sends its command once: the call placed is not then refused as busy with itself',
    'double-click',
    async () => {
      const { number, page } = await firstAssistantSeat('double');
      const before = suite.browser.requests.length;
      const sent = (path: RegExp) =>
        suite.browser.requests.slice(before).filter((url) => url.includes('/panel/api/') && path.test(url))
          .length;

      await page.getByLabel('Call from').selectOption(number);
      await page.getByRole('textbox', { name: 'Number to call' }).fill('+15559990000');
      await page.getByRole('button', { name: 'Call', exact: true }).dblclick();
      await lampShows(page, number, 'busy');
      await line(page, number).getByRole('button', { name: 'Hang up' }).dblclick();
      await lampShows(page, number, 'idle');
      // One more click, once the page shows the call gone, is a command again.
      await page.getByRole('button', { name: 'Call', exact: true }).click();
      await lampShows(page, number, 'busy');

      await page.waitForTimeout(500);
      expect(sent(/\/calls$/)).toBe(2);
      expect(sent(/\/hang-up$/)).toBe(1);
      expect(await page.locator('[role="alert"][data-code]').count()).toBe(0);
    },
  );

  /** Given the executive's seat on its one line. */
  const executiveSeat = async (accountId: string) => {
    const account = await demo(accountId);
    const number = account.executives[0]!.numbers[0]!;
    return { account, number, page: await seat(account.accountId, 'exec1') };
  };
  /** The executive acting on a call from the desk phone, away from the page. */
  const onDeskPhone = (account: DemoAccount, number: string, callId: string, act: string) =>
    send(
      suite.stack.api,
      'POST',
      `/accounts/${account.accountId}/lines/${encodeURIComponent(number)}/calls/${callId}/${act}`,
      { actor: 'exec1' },
    );
  /** Counts the hold commands the page sends from now on. */
  const holdsSentFromNow = () => {
    const before = suite.browser.requests.length;
    return () =>
      suite.browser.requests.slice(before).filter((url) => /\/panel\/api\/.*\/hold$/.test(url)).length;
  };
  /**
   * Then the Hold that took the place of the control the user aimed at, and took `press` while settling,
   * held nothing and the call stays busy; once it has settled, the same press holds the call.
   */
  const expectHoldOnlyOnceSettled = async (
    page: Page,
    number: string,
    holdsSent: () => number,
    press: () => Promise<void>,
  ) => {
    await page.waitForTimeout(300);
    expect(holdsSent()).toBe(0);
    expect(await lampOf(page, number)).toBe('busy');

    await line(page, number).locator('button.settling').waitFor({ state: 'detached', timeout: SHOWN_MS });
    await press();
    await lampShows(page, number, 'held');
    expect(holdsSent()).toBe(1);
  };

  /** A user's hand: where it points before it presses, if it can point without pressing, and its press. */
  interface Hand {
    aim?(x: number, y: number): Promise<void>;
    press(x: number, y: number): Promise<void>;
  }
  /**
   * Given a call ringing on the executive's seat and a hand aimed at Answer, When the executive answers
   * on the desk phone while the hand is on its way, and its press lands once the page shows the call
   * busy, Then the press landed on the Hold that took Answer's place and held nothing while it settled;
   * the same press on the same spot once it has settled holds the call.
   */
  const expectAnswerReplacedUnderHand = async (
    { account, number, page }: { account: DemoAccount; number: string; page: Page },
    from: string,
    hand: Hand,
  ) => {
    const { callId } = (await ring(account, number, from)) as { callId: string };
    await lampShows(page, number, 'ringing');
    const box = (await line(page, number)
      .getByRole('button', { name: 'Answer', exact: true })
      .boundingBox())!;
    // Near Answer's top left corner: the busy lamp's row is one line shorter than the ringing one's,
    // so the call's controls move up, and Hold's lower half covers Answer's upper part.
    const [x, y] = [box.x + box.width / 4, box.y + 4];
    await hand.aim?.(x, y);
    const holdsSent = holdsSentFromNow();

    await onDeskPhone(account, number, callId, 'answer');
    await lampShows(page, number, 'busy');
    await hand.press(x, y);

    await expect(
      page.evaluate(`document.elementFromPoint(${x}, ${y})?.closest('button')?.textContent`),
    ).resolves.toBe('Hold');
    await expectHoldOnlyOnceSettled(page, number, holdsSent, () => hand.press(x, y));
  };

  browserTest(
    'Given a ringing call with the pointer on Answer, When the call is answered from a desk phone and the click lands, Then the Hold that took its place does nothing until it has settled',
    'click-on-replaced',
    async () => {
      const seated = await executiveSeat('replaced');
      const { mouse } = seated.page;
      await expectAnswerReplacedUnderHand(seated, '+15552220002', {
        aim: (x, y) => mouse.move(x, y),
        press: async () => {
          await mouse.down();
          await mouse.up();
        },
      });
    },
  );

  browserTest(
    'Given a ringing call on a touch screen, When it is answered from a desk phone just before a finger taps Answer, Then the Hold that took its place does nothing, and a later tap holds',
    'tap-on-replaced',
    async () => {
      const seated = await executiveSeat('replaced-tap');
      const touch = await seated.page.context().newCDPSession(seated.page);
      await touch.send('Emulation.setTouchEmulationEnabled', { enabled: true, maxTouchPoints: 1 });
      // A finger has no hover: where it is heading shows only when it lands.
      await expectAnswerReplacedUnderHand(seated, '+15552220004', {
        press: async (x, y) => {
          await touch.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x, y }] });
          await touch.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
        },
      });
    },
  );

  browserTest(
    'Given a held call with the focus on Resume, When it is resumed from a desk phone and Enter is pressed, Then the Hold now under the focus does nothing until it has settled',
    'key-on-replaced',
    async () => {
      const account = await demo('replaced-key');
      const number = account.executives[0]!.numbers[0]!;
      const { callId } = (await ring(account, number, '+15552220003')) as { callId: string };
      await onDeskPhone(account, number, callId, 'answer');
      await onDeskPhone(account, number, callId, 'hold');
      const page = await seat(account.accountId, 'exec1');
      await lampShows(page, number, 'held');
      await line(page, number).getByRole('button', { name: 'Resume' }).focus();
      const holdsSent = holdsSentFromNow();
      const pressEnter = () => page.keyboard.press('Enter');

      await onDeskPhone(account, number, callId, 'resume');
      await lampShows(page, number, 'busy');
      await pressEnter();

      // Enter reached Hold, which took Resume's place under the focus, and was not taken as a hold.
      await expect(page.evaluate('document.activeElement?.textContent')).resolves.toBe('Hold');
      await expectHoldOnlyOnceSettled(page, number, holdsSent, pressEnter);
    },
  );

  browserTest(
    "Given two voicemails listed newest first and the pointer on the older one's Delete, When a third arrives and slides the list down under the still pointer just before the click lands, Then the click deletes nothing, and a click aimed at the new message deletes it alone",
    'voicemail-slid-under',
    async () => {
      const { account, number, page } = await executiveSeat('voicemail-slid');
      // Tall enough for the inbox under the line's call: a pointer is only on a control in the window.
      await page.setViewportSize({ width: 1280, height: 1600 });
      // A call on the line: an outside call then goes straight to its voicemail (R12). Answered, it
      // shows no sentence of why it cannot be held yet, which would push the inbox below the window.
      const calls = `/accounts/${account.accountId}/lines/${encodeURIComponent(number)}/calls`;
      const { callId } = await send(suite.stack.api, 'POST', calls, { actor: 'exec1', to: '+15556660001' });
      await send(suite.stack.api, 'POST', `${calls}/${callId as string}/external-answer`, {});
      const leave = async (from: string) =>
        ((await ring(account, number, from)) as { callId: string }).callId;
      const first = await leave('+15552230001');
      const second = await leave('+15552230002');
      const inbox = line(page, number).locator('details.voicemail');
      await inbox.locator('> summary').click();
      const message = (id: string) => inbox.locator(`li[data-message="${id}"]`);
      const deleteOf = (id: string) => message(id).getByRole('button', { name: 'Delete' });
      const box = (await (await deleteOf(first).elementHandle({ timeout: SHOWN_MS }))!.boundingBox())!;
      const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
      await page.mouse.move(x, y);
      const before = suite.browser.requests.length;

      const third = await leave('+15552230003');
      await message(third).waitFor({ timeout: SHOWN_MS });
      await expect(
        page.evaluate(`document.elementFromPoint(${x}, ${y})?.closest('li')?.dataset.message`),
      ).resolves.toBe(second);
      await page.mouse.down();
      await page.mouse.up();

      await deleteOf(third).click();
      await inbox.locator(`li.deleted[data-message="${third}"]`).waitFor({ timeout: SHOWN_MS });
      // The page shows the account's events in order: a delete sent by the first click would show by now.
      for (const id of [first, second])
        await expect(message(id).getAttribute('class')).resolves.toBe('unread');
      const deletes = suite.browser.requests
        .slice(before)
        .filter((url) => /\/panel\/api\/.*\/voicemails\/[^/]+$/.test(url));
      expect(deletes).toEqual([expect.stringMatching(new RegExp(`/voicemails/${third}$`))]);
    },
  );

  browserTest(
    'a stream refused while the projector restarts (a 503 from it or a proxy, a 404 while it catches up) is tried again until the page is live',
    'stream-refused',
    async () => {
      const { account, number, page } = await firstAssistantSeat('refused');
      // The browser gives up on an event stream answered with an error status: it never tries again itself.
      await page.route('**/panel/stream?**', (route) => route.fulfill({ status: 503, body: 'restarting' }), {
        times: 1,
      });
      await suite.stopProjectorSeenBy(page);
      await suite.startProjectorSeenBy(page);
      await ring(account, number, '+15552220001');
      await lampShows(page, number, 'ringing');
      // The 503 the test answered is logged by the browser; nothing else may be.
      suite.forgiveErrors(/status of 503/);
    },
  );
  /**
   * A demo account of two executives whose call on Executive 1's second number, rung from `from`, is
   * answered by `answeredBy` (or, `placed`, which `answeredBy` places to `from` and leaves dialing);
   * then an admin hands the number to Executive 2, who shares it on with Assistant 1 when `sharedOnByExec2`.
   */
  const callOnHandedNumber = async (
    accountId: string,
    answeredBy: string,
    from: string,
    { sharedOnByExec2, placed = false }: { sharedOnByExec2: boolean; placed?: boolean },
  ) => {
    const account = await demo(accountId, { executives: 2, linesPerExecutive: 2 });
    const { api } = suite.stack;
    const [exec1, exec2] = account.executives;
    const number = exec1!.numbers[1]!;
    const delegationOf = (delegatorId: string) =>
      account.delegations.find((d) => d.delegatorId === delegatorId)!.delegationId;
    const accountPath = `/accounts/${account.accountId}`;
    const linePath = `${accountPath}/lines/${encodeURIComponent(number)}`;
    const callId = placed ? `${accountId}-placed` : ((await ring(account, number, from)).callId as string);
    const callPath = `${linePath}/calls/${callId}`;
    if (placed) await send(api, 'POST', `${linePath}/calls`, { actor: answeredBy, to: from, callId });
    else await send(api, 'POST', `${callPath}/answer`, { actor: answeredBy });
    await send(api, 'PUT', `${accountPath}/delegations/${delegationOf('exec1')}/shared-lines`, {
      actor: 'exec1',
      sharedLines: [exec1!.numbers[0]],
    });
    await send(api, 'PUT', `${accountPath}/parties/exec1/direct-numbers`, {
      actor: 'admin',
      directNumbers: [exec1!.numbers[0]],
    });
    await send(api, 'PUT', `${accountPath}/parties/exec2/direct-numbers`, {
      actor: 'admin',
      directNumbers: [...exec2!.numbers, number],
    });
    if (sharedOnByExec2)
      await send(api, 'PUT', `${accountPath}/delegations/${delegationOf('exec2')}/shared-lines`, {
        actor: 'exec2',
        sharedLines: [...exec2!.numbers, number],
      });
    return { account, number, callPath };
  };
  /**
   * The card a seat shows for its call on a number handed to another executive (not one of its lines),
   * once shown, and the card's call actions.
   */
  const handedCallCard = async (page: Page, number: string) => {
    const card = page.locator(`section[data-handed-call="${number}"]`);
    await card.waitFor({ timeout: SHOWN_MS });
    return { card, actions: card.getByRole('group', { name: 'Call actions' }) };
  };

  browserTest(
    "a number handed to another executive mid-call: the new owner's seat shows the line busy for how long, not whose call it is, and offers no action on it",
    'handed-over',
    async () => {
      // Given Executive 1 on a call on the number
      // When an admin gives the number to Executive 2, who shares it with Assistant 1
      const { account, number, callPath } = await callOnHandedNumber('handover', 'exec1', '+15557770000', {
        sharedOnByExec2: true,
      });
      // Then both Executive 2's and Assistant 1's seats show the line busy, with a call of its previous owner
      const seats = [await seat(account.accountId, 'exec2'), await seat(account.accountId, 'assistant1')];
      for (const page of seats) {
        await lampShows(page, number, 'busy');
        const lamp = await line(page, number).locator('.lamp-row').textContent();
        expect(lamp).toContain("with a call of the number's previous owner");
        expect(lamp).not.toMatch(/Executive 1|\+15557770000/);
        await expect(line(page, number).getByRole('group', { name: 'Call actions' }).count()).resolves.toBe(
          0,
        );
      }
      // And once Executive 1 hangs up, the line is idle for them
      await send(suite.stack.api, 'POST', `${callPath}/hang-up`, { actor: 'exec1' });
      for (const page of seats) await lampShows(page, number, 'idle');
    },
  );

  browserTest(
    "Given a number handed to another executive mid-call, When its previous owner hangs up from its own seat, Then the new owner's seat shows the line idle",
    'handed-hang-up',
    async () => {
      // Given Executive 1 on a call on the number
      // And an admin gives the number to Executive 2
      const { account, number } = await callOnHandedNumber('handback', 'exec1', '+15557770001', {
        sharedOnByExec2: false,
      });
      const previousOwner = await seat(account.accountId, 'exec1');
      const newOwner = await seat(account.accountId, 'exec2');
      await lampShows(newOwner, number, 'busy');
      // Then Executive 1's seat shows the call on the number, marked as handed over, not as one of its lines
      const { card, actions } = await handedCallCard(previousOwner, number);
      await expect(card.locator('h2').textContent()).resolves.toBe(
        `${number} · handed to Executive 2 — this call only`,
      );
      await expect(card.locator('[data-lamp]').getAttribute('data-lamp')).resolves.toBe('busy');
      expect(await line(previousOwner, number).count()).toBe(0);
      await expect(
        previousOwner.getByLabel('Call from').locator(`option[value="${number}"]`).count(),
      ).resolves.toBe(0);
      // With what the domain lets it do on that call, and why it starts nothing new on the number (R20)
      await suite.expectEnabledActions(actions, DELEGATOR_ON_CONNECTED_CALL);
      await expect(actions.getByRole('button', { name: 'Call from this number' }).isDisabled()).resolves.toBe(
        true,
      );
      await expect(actions.locator('.why').textContent()).resolves.toMatch(
        /^R10 .*cannot place calls on line/,
      );
      // When Executive 1 hangs up from its seat
      await actions.getByRole('button', { name: 'Hang up' }).click();
      // Then Executive 2's seat shows the line idle, and the call is gone from Executive 1's seat
      await lampShows(newOwner, number, 'idle');
      await card.waitFor({ state: 'detached', timeout: SHOWN_MS });
    },
  );

  browserTest(
    "Given an assistant on a call of its executive's, When the number passes to another executive who shares it with the same assistant, Then the assistant acts on the call from its own card, not from the new owner's line",
    'handed-shared',
    async () => {
      // Given Assistant 1 on a call on Executive 1's number, for Executive 1
      // When the number passes to Executive 2, who shares it with Assistant 1
      const { account, number } = await callOnHandedNumber('handshare', 'assistant1', '+15557770002', {
        sharedOnByExec2: true,
      });
      const assistant = await seat(account.accountId, 'assistant1');
      const { card, actions } = await handedCallCard(assistant, number);
      // Then Executive 2's line on its seat offers no action on the call (no transfer to Executive 2's parties)
      await line(assistant, number).locator('[data-handed-here]').waitFor({ timeout: SHOWN_MS });
      await expect(
        line(assistant, number).getByRole('group', { name: 'Call actions' }).count(),
      ).resolves.toBe(0);
      // And its card, Executive 1's call, offers what a delegate on it may do: no lock, no transfer
      await suite.expectEnabledActions(actions, ['Hold', 'Hang up', 'Record']);
      // When the assistant hangs up there, Then Executive 2's seat shows the line idle
      const newOwner = await seat(account.accountId, 'exec2');
      await actions.getByRole('button', { name: 'Hang up' }).click();
      await lampShows(newOwner, number, 'idle');
      await lampShows(assistant, number, 'idle');
      await card.waitFor({ state: 'detached', timeout: SHOWN_MS });
    },
  );
  browserTest(
    "Given a call Executive 1 placed on its number, still dialing when an admin hands the number to Executive 2, When the called number answers, then hangs up, from the call's own card, Then the call connects there, and ends on both seats",
    'handed-other-end',
    async () => {
      // Given Executive 1's call to +15557770003, dialing, on a number an admin hands to Executive 2
      const { account, number } = await callOnHandedNumber('handdial', 'exec1', '+15557770003', {
        sharedOnByExec2: false,
        placed: true,
      });
      const previousOwner = await seat(account.accountId, 'exec1');
      const newOwner = await seat(account.accountId, 'exec2');
      const { card, actions } = await handedCallCard(previousOwner, number);
      // Then, while it dials, the card offers hanging up and locking it; holding and recording it wait (R15, R18)
      await suite.expectEnabledActions(actions, ['Hang up', 'Lock for privacy']);
      await expect(actions.locator('.why[data-code="CALL_NOT_CONNECTED"]').count()).resolves.toBe(1);
      // When the called number answers, played from the call's card as the outside world is
      await card.getByRole('button', { name: '+15557770003 answers' }).click();
      // Then the call is connected: Executive 1 may hold and record it from the card
      await suite.expectEnabledActions(actions, DELEGATOR_ON_CONNECTED_CALL);
      // When the called number hangs up, Then the call is over: gone from the card, the line idle for Executive 2
      await card.getByRole('button', { name: '+15557770003 hangs up' }).click();
      await card.waitFor({ state: 'detached', timeout: SHOWN_MS });
      await lampShows(newOwner, number, 'idle');
    },
  );
});
