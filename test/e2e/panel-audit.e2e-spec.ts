import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { delegationReadyPhoneUser, send, type DemoAccount } from '../../tools/demo-account.js';
import { runCli } from '../support/cli.js';
import { SHOWN_MS, expectFitsWindow, holdRequests, panelBrowserSuite } from '../support/panel-browser.js';

/** An entry of a call's audit trail, as far as these specs read it. */
interface AuditEntry {
  readonly type: string;
  readonly actor: string;
  readonly onBehalfOf: string | null;
  readonly simulatedTime: string;
  readonly data: Record<string, unknown>;
}

/**
 * The panel as an auditor and an architect use it, in Debian's Chromium over the real processes: a
 * call's audit trail opened from its history entry, live and in time travel, and time travel itself.
 */
describe('the panel for auditors and architects in a browser', () => {
  const suite = panelBrowserSuite();
  const { open, seat, ring, browserTest } = suite;
  /** How many lines of text each of the trail's cells matching `selector` runs over, as laid out. */
  const linesOf = (trail: Locator, selector: string) =>
    trail.locator(selector).evaluateAll((cells) =>
      cells.map((cell) => {
        const range = cell.ownerDocument.createRange();
        range.selectNodeContents(cell);
        return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size;
      }),
    );

  /** One executive's one line, shared with one assistant: the account, and the line's number. */
  const account = async (accountId: string): Promise<{ demo: DemoAccount; number: string }> => {
    const demo = await suite.demo(accountId);
    return { demo, number: demo.executives[0]!.numbers[0]! };
  };
  const onCall = (
    demo: DemoAccount,
    number: string,
    callId: string,
    act: string,
    actor: string,
    body: Record<string, unknown> = {},
  ) =>
    send(
      suite.stack.api,
      'POST',
      `/accounts/${demo.accountId}/lines/${encodeURIComponent(number)}/calls/${callId}/${act}`,
      { actor, ...body },
    );
  /** Given: the executive's seat on a fresh account's one line. */
  const executiveSeat = async (accountId: string) => {
    const { demo, number } = await account(accountId);
    return { demo, number, page: await seat(demo.accountId, 'exec1') };
  };
  const line = (page: Page, number: string) => page.locator(`section[data-line="${number}"]`);
  const lampShows = (page: Page, number: string, state: string) =>
    page.waitForSelector(`section[data-line="${number}"] [data-lamp="${state}"]`, { timeout: SHOWN_MS });
  /** The executive's seat, once its lamp on `number` shows `state`, as the Given left it. */
  const executiveSeatShowing = async (demo: DemoAccount, number: string, state: string) => {
    const page = await seat(demo.accountId, 'exec1');
    await lampShows(page, number, state);
    return page;
  };
  /** Opens the line's history and the audit trail of its newest call; resolves with the trail. */
  const openNewestTrail = async (where: Page | Locator, number: string) => {
    const history = where.locator(`section[data-line="${number}"] details.history`).first();
    await history.locator('> summary').click();
    const trail = history.locator('details.audit').first();
    await trail.locator('> summary').click();
    return trail;
  };
  const eventsOf = (trail: Locator) =>
    trail
      .locator('tbody tr td[data-type]')
      .evaluateAll((cells) => cells.map((c) => c.getAttribute('data-type')));
  /**
   * Given: `caller` rings the one line of a fresh account; `act` is a party's act on that call, and
   * `auditEntries` its audit trail as the projector's api answers it.
   */
  const incomingCall = async (accountId: string, caller: string) => {
    const { demo, number } = await account(accountId);
    const { callId } = (await ring(demo, number, caller)) as { callId: string };
    const act = (name: string, actor: string, body: Record<string, unknown> = {}) =>
      onCall(demo, number, callId, name, actor, body);
    const auditEntries = async () => {
      const trail = `${suite.stack.projector}/lines/${demo.accountId}/${number.slice(1)}/calls/${callId}/audit`;
      return ((await (await fetch(trail)).json()) as { entries: AuditEntry[] }).entries;
    };
    return { demo, number, callId, act, auditEntries };
  };
  /** Given: a call assistant1 answered for exec1 and hung up. */
  const endedCall = async (accountId: string, caller: string) => {
    const call = await incomingCall(accountId, caller);
    await call.act('answer', 'assistant1');
    await call.act('hang-up', 'assistant1');
    return call;
  };
  /** Given: a call assistant1 answered for exec1 and transferred to exec1, who took it. */
  const transferredToExecutive = async (accountId: string, caller: string) => {
    const call = await incomingCall(accountId, caller);
    await call.act('answer', 'assistant1');
    await call.act('transfer', 'assistant1', { to: 'exec1' });
    await call.act('answer', 'exec1');
    return call;
  };
  /** Given: a call assistant1 answered for exec1 and hung up, on exec1's seat once its lamp is idle again. */
  const endedCallOnSeat = async (accountId: string, caller: string) => {
    const call = await endedCall(accountId, caller);
    return { ...call, page: await executiveSeatShowing(call.demo, call.number, 'idle') };
  };
  /**
   * The trail export `follow` starts on `page`, saved to a temporary folder and checked against the
   * stack's log by `switchboard audit verify`: the file's name, and what the CLI said.
   */
  const verifiedExport = async (page: Page, follow: () => Promise<unknown>) => {
    const dir = await mkdtemp(join(tmpdir(), 'switchboard-audit-export-'));
    try {
      const [download] = await Promise.all([page.waitForEvent('download'), follow()]);
      const file = join(dir, download.suggestedFilename());
      await download.saveAs(file);
      const verified = await runCli(['audit', 'verify', file, '--store', suite.stack.store]);
      return { name: download.suggestedFilename(), verified };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
  /**
   * Reloads the page as a viewer in Kolkata sees it: half an hour off UTC, so neither the hour nor the
   * minutes read as the stack's UTC times do.
   */
  const reloadInKolkata = async (page: Page) => {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setTimezoneOverride', { timezoneId: 'Asia/Kolkata' });
    await page.reload();
  };
  /** The page's time zone at `iso`, as the viewer's browser names it (its locale decides the words, not a test). */
  const zoneNameAt = (page: Page, iso: string) =>
    page.evaluate(
      (at) =>
        new Intl.DateTimeFormat(undefined, { timeZoneName: 'short' })
          .formatToParts(new Date(at))
          .find((part) => part.type === 'timeZoneName')!.value,
      iso,
    );
  /** Steps an ended call's seat back one event from live, to the call answered; resolves with the view's position. */
  const stepBackToAnswered = async (page: Page, number: string) => {
    await page.getByRole('button', { name: 'Step back one event' }).click();
    await lampShows(page, number, 'busy');
    return (await page.locator('[data-as-of]').getAttribute('data-as-of'))!;
  };
  /** Given: an ended call's seat (see endedCallOnSeat) shown as of an earlier event, the call answered. */
  const seatAsOfAnswered = async (accountId: string, caller: string) => {
    const call = await endedCallOnSeat(accountId, caller);
    return { ...call, asOf: await stepBackToAnswered(call.page, call.number) };
  };

  browserTest(
    'Given a call answered then ended, When the seat is shown as of before the end, Then its audit trail stops there too',
    'audit-as-of',
    async () => {
      const { number, callId, page } = await endedCallOnSeat('audit-past', '+15554440000');

      // Back one event from live: the call answered, not yet ended.
      const asOf = BigInt(await stepBackToAnswered(page, number));

      const trail = await openNewestTrail(page, number);
      await trail.locator('tbody tr').first().waitFor({ timeout: SHOWN_MS });
      expect(await eventsOf(trail)).toEqual(['IncomingCallReceived', 'CallRang', 'CallAnswered']);
      const positions = await trail
        .locator('tbody tr td[data-position]')
        .evaluateAll((cells) => cells.map((c) => c.getAttribute('data-position')!));
      for (const position of positions) expect(BigInt(position)).toBeLessThanOrEqual(asOf);
      // Its export is the same cut-short trail, and its name says so.
      const exported = trail.getByRole('link', { name: 'Export JSON' });
      await expect(exported.getAttribute('download')).resolves.toBe(
        `call-${callId}-audit-as-of-${asOf}.json`,
      );
      await expect(exported.getAttribute('href')).resolves.toContain(`asOf=${asOf}`);
    },
  );
  browserTest(
    'Given a ringing call with its audit trail open, When a delegate answers it, Then the open trail shows the answer',
    'audit-live',
    async () => {
      const {
        account: demo,
        number,
        callId,
        page,
      } = await suite.ringing('audit-live', ['exec1'], '+15554440002');
      const trail = await openNewestTrail(page, number);
      await trail.locator('td[data-type="CallRang"]').waitFor({ timeout: SHOWN_MS });

      await onCall(demo, number, callId, 'answer', 'assistant1');
      await lampShows(page, number, 'busy');
      const answered = trail.locator('tr:has(td[data-type="CallAnswered"])');
      await answered.waitFor({ timeout: SHOWN_MS });
      await expect(answered.textContent()).resolves.toMatch(/assistant1.*exec1.*answerCalls/);
    },
  );
  browserTest(
    "Given a viewer in another time zone than the stack's, When they read a call's audit trail, Then each time names its zone, the times a step's sentence names too",
    'audit-time-zone',
    async () => {
      const { demo, number, auditEntries } = await incomingCall('audit-zone', '+15554440003');
      const page = await seat(demo.accountId, 'exec1');
      await reloadInKolkata(page);
      await lampShows(page, number, 'ringing');
      const trail = await openNewestTrail(page, number);
      const rangRow = trail.locator('tr:has(td[data-type="CallRang"])');
      const rang = rangRow.locator('td:first-child time');
      await rang.waitFor({ timeout: SHOWN_MS });

      const entries = await auditEntries();
      const rangEntry = entries.find((entry) => entry.type === 'CallRang')!;
      const { simulatedTime } = rangEntry;
      await expect(rang.getAttribute('datetime')).resolves.toBe(simulatedTime);
      const zone = await zoneNameAt(page, simulatedTime);
      expect(zone).toMatch(/5:30|India|IST/);
      await expect(rang.textContent()).resolves.toContain(zone);
      // When the unanswered call goes to voicemail, as the step says it: in the viewer's zone, not the log's UTC.
      const ringTimeoutAt = rangEntry.data['ringTimeoutAt'] as string;
      const voicemailAt = rangRow.locator('td[data-what] time');
      await expect(voicemailAt.getAttribute('datetime')).resolves.toBe(ringTimeoutAt);
      await expect(voicemailAt.textContent()).resolves.toContain(zone);
      await expect(rangRow.locator('td[data-what]').textContent()).resolves.not.toContain(ringTimeoutAt);
    },
  );
  browserTest(
    'Given a call a delegate answered, When an auditor exports its trail from the page, Then both exports verify against the log',
    'audit-export',
    async () => {
      const { number, callId, page } = await endedCallOnSeat('audit-export', '+15554440004');
      const trail = await openNewestTrail(page, number);
      await trail.locator('td[data-type="CallEnded"]').waitFor({ timeout: SHOWN_MS });

      for (const format of ['JSON', 'CSV']) {
        // Keyboard only: the export is a link reached and followed like any other.
        const link = trail.getByRole('link', { name: `Export ${format}` });
        await link.focus({ timeout: SHOWN_MS });
        const { name, verified } = await verifiedExport(page, () => page.keyboard.press('Enter'));
        expect(name).toBe(`call-${callId}-audit.${format.toLowerCase()}`);
        expect(verified.stderr).toBe('');
        expect(verified.stdout).toMatch(/4 rows, hash chain intact .*every row matches the log/);
        expect(verified.code).toBe(0);
      }
    },
  );
  browserTest(
    "Given a link to a call's trail, When 20 newer calls on its line push it out of the line's history, Then the seat says no line lists it, names its line and time, exports its whole trail, which verifies, and Close it takes the trail out of the address",
    'audit-unlisted',
    async () => {
      const { demo, number, callId } = await endedCall('audit-unlisted', '+15554440050');
      for (let newer = 0; newer < 20; newer += 1) {
        const ringing = (await ring(demo, number, '+15554440051')) as { callId: string };
        // The caller gives up: a missed call, in the line's history as any call.
        await send(
          suite.stack.api,
          'POST',
          `/accounts/${demo.accountId}/lines/${encodeURIComponent(number)}/calls/${ringing.callId}/external-hang-up`,
          {},
        );
      }
      const page = await open(`?account=${demo.accountId}&viewer=exec1&audit=exec1.${callId}`);
      const said = page.locator(`.unlisted-trails [data-call="${callId}"]`);
      await said.getByRole('link', { name: 'Export JSON' }).waitFor({ timeout: SHOWN_MS });
      await expect(said.textContent()).resolves.toContain(
        `no line of this seat lists (a line lists only its latest calls): a call on line ${number}`,
      );

      const { name, verified } = await verifiedExport(page, () =>
        said.getByRole('link', { name: 'Export JSON' }).click(),
      );
      expect(name).toBe(`call-${callId}-audit.json`);
      expect(verified.stdout).toMatch(/4 rows, hash chain intact .*every row matches the log/);
      expect(verified.code).toBe(0);

      await said.getByRole('button', { name: 'Close it' }).click();
      await said.waitFor({ state: 'detached', timeout: SHOWN_MS });
      expect(new URL(page.url()).searchParams.getAll('audit')).toEqual([]);
    },
  );
  browserTest(
    'Given a call\'s trail opened while the projector is down, When the projector answers again, Then the trail drops its "not answering" message and shows the steps',
    'audit-stack-back',
    async () => {
      const { number, page } = await endedCallOnSeat('audit-stack-back', '+15554440009');
      await line(page, number).locator('details.history > summary').click();
      await suite.stopProjectorSeenBy(page);

      const trail = line(page, number).locator('details.audit').first();
      await trail.locator('> summary').click();
      const refusal = trail.locator('[role="alert"]');
      await refusal.waitFor({ timeout: SHOWN_MS });
      await expect(refusal.textContent()).resolves.toMatch(/STACK_UNAVAILABLE.*not answering/);

      // Nothing happens on the account meanwhile: the seat comes back as it was, at the same position.
      await suite.startProjectorSeenBy(page);
      await trail.locator('td[data-type="CallEnded"]').waitFor({ timeout: SHOWN_MS });
      await refusal.waitFor({ state: 'detached', timeout: SHOWN_MS });
      expect(await eventsOf(trail)).toEqual([
        'IncomingCallReceived',
        'CallRang',
        'CallAnswered',
        'CallEnded',
      ]);
      // The reads the browser could not make while the projector was down are logged; nothing else may be.
      suite.forgiveErrors(/ERR_CONNECTION_REFUSED/);
    },
  );
  browserTest(
    'Given a call a delegate answered and transferred, When an auditor filters its trail by who acted and by step, Then it counts the steps shown of all, the address keeps the filter through a reload and Back, and the export stays the whole verifiable trail',
    'audit-filter',
    async () => {
      const { demo, number, callId, act, auditEntries } = await transferredToExecutive(
        'audit-filter',
        '+15554440010',
      );
      await act('hang-up', 'exec1');
      const entries = await auditEntries();
      const all = entries.length;
      const page = await executiveSeatShowing(demo, number, 'idle');
      const trail = await openNewestTrail(page, number);
      await trail.locator('td[data-type="CallEnded"]').waitFor({ timeout: SHOWN_MS });
      await expect(trail.locator('output[data-count]').textContent()).resolves.toBe(`${all} of ${all} steps`);
      const address = () => new URL(page.url()).searchParams;
      expect(address().getAll('audit')).toEqual([`exec1.${callId}`]);
      /** The trail shows these steps, and counts them of all. */
      const shows = async (where: Locator, types: string[]) => {
        await where.locator(`output[data-count="${types.length}"]`).waitFor({ timeout: SHOWN_MS });
        expect(await eventsOf(where)).toEqual(types);
        await expect(where.locator('output[data-count]').textContent()).resolves.toBe(
          `${types.length} of ${all} steps`,
        );
      };

      // Keyboard only: each filter is a labelled field.
      await trail.getByLabel('Acted by').focus();
      await trail.getByLabel('Acted by').selectOption('assistant1');
      const byAssistant = entries.filter((e) => e.actor === 'assistant1').map((e) => e.type);
      expect(byAssistant).toEqual(['CallAnswered', 'CallTransferRequested']);
      await shows(trail, byAssistant);
      await trail.getByLabel('Step').selectOption('CallTransferRequested');
      await shows(trail, ['CallTransferRequested']);
      expect(address().getAll('auditActor')).toEqual([`exec1.${callId}.assistant1`]);
      expect(address().getAll('auditStep')).toEqual([`exec1.${callId}.CallTransferRequested`]);
      // The export is the whole trail, and the page says so.
      await expect(trail.locator('.export').textContent()).resolves.toMatch(
        new RegExp(`whole trail \\(all ${all} steps, not only the 1 shown\\)`),
      );

      await page.reload();
      const reloaded = page.locator(`section[data-line="${number}"] details.audit[open]`);
      await shows(reloaded, ['CallTransferRequested']);
      await expect(reloaded.getByLabel('Acted by').inputValue()).resolves.toBe('assistant1');
      await expect(reloaded.getByLabel('Step').inputValue()).resolves.toBe('CallTransferRequested');

      await page.goBack();
      await shows(reloaded, byAssistant);
      expect(address().has('auditStep')).toBe(false);

      // On whose behalf: the steps assistant1 took for exec1, and none exec1 took itself.
      await reloaded.getByLabel('Acted by').selectOption('');
      await shows(
        reloaded,
        entries.map((e) => e.type),
      );
      await reloaded.getByLabel('On behalf of').selectOption('exec1');
      const forExecutive = entries.filter((e) => e.onBehalfOf === 'exec1').map((e) => e.type);
      expect(forExecutive).toEqual(byAssistant);
      await shows(reloaded, forExecutive);
      expect([address().get('auditFor'), address().has('auditActor')]).toEqual([
        `exec1.${callId}.exec1`,
        false,
      ]);

      const { verified } = await verifiedExport(page, () =>
        reloaded.getByRole('link', { name: 'Export JSON' }).click(),
      );
      expect(verified.stdout).toMatch(
        new RegExp(`${all} rows, hash chain intact .*every row matches the log`),
      );
      expect(verified.code).toBe(0);
    },
  );
  browserTest(
    "Given a room with a call's trail open on both seats, each filtered its own way, When the room is reloaded or its address opened in another tab, Then both trails open again with their own filters; a one-trail link made before opens its trail filtered too",
    'audit-filters-room',
    async () => {
      const { demo, number, callId, auditEntries } = await endedCall('audit-filters', '+15554440011');
      const entries = await auditEntries();
      const room = `?account=${demo.accountId}&viewer=exec1&viewer=assistant1`;
      const page = await open(room);
      await page.waitForSelector('[data-connection="live"]', { timeout: SHOWN_MS });
      const seatOf = (where: Page, viewer: string) => where.locator(`section.seat[data-viewer="${viewer}"]`);
      for (const viewer of ['exec1', 'assistant1']) {
        const trail = await openNewestTrail(seatOf(page, viewer), number);
        await trail.locator('td[data-type="CallEnded"]').waitFor({ timeout: SHOWN_MS });
      }
      const trailOn = (where: Page, viewer: string) =>
        seatOf(where, viewer).locator(`section[data-line="${number}"] details.audit[open]`);
      /** Each seat's trail shows the steps its filter lets through, its filter's field set to it. */
      const showsBothFilters = async (where: Page) => {
        const byAssistant = entries.filter((e) => e.actor === 'assistant1').map((e) => e.type);
        for (const [viewer, label, value, types] of [
          ['exec1', 'Acted by', 'assistant1', byAssistant],
          ['assistant1', 'Step', 'CallRang', ['CallRang']],
        ] as const) {
          const trail = trailOn(where, viewer);
          await trail.locator(`output[data-count="${types.length}"]`).waitFor({ timeout: SHOWN_MS });
          expect(await eventsOf(trail)).toEqual(types);
          await expect(trail.getByLabel(label).inputValue()).resolves.toBe(value);
        }
      };

      await trailOn(page, 'exec1').getByLabel('Acted by').selectOption('assistant1');
      await trailOn(page, 'assistant1').getByLabel('Step').selectOption('CallRang');
      await showsBothFilters(page);
      await page.reload();
      await showsBothFilters(page);
      await showsBothFilters(await open(new URL(page.url()).search));

      const oneTrailLink = await open(`${room}&audit=${callId}&auditSeat=assistant1&auditStep=CallAnswered`);
      const trail = trailOn(oneTrailLink, 'assistant1');
      await trail.locator('output[data-count="1"]').waitFor({ timeout: SHOWN_MS });
      expect(await eventsOf(trail)).toEqual(['CallAnswered']);
      expect(await trailOn(oneTrailLink, 'exec1').count()).toBe(0);
    },
  );
  browserTest(
    'Given a seat with a call answered then ended, When an architect clicks Step back one event again and again without moving the pointer, Then each click steps one event further back, the button staying under the pointer',
    'time-travel-steady',
    async () => {
      const { page } = await endedCallOnSeat('travel-steady', '+15554440012');
      const box = (await page.getByRole('button', { name: 'Step back one event' }).boundingBox())!;
      const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
      await page.mouse.move(x, y);
      const asOf = `document.querySelector('[data-as-of]')?.getAttribute('data-as-of') ?? null`;
      const positions: bigint[] = [];
      for (let step = 0; step < 3; step++) {
        // Each view looks up the events around it before it offers a step from it.
        await page.waitForFunction(
          `(() => {
            const under = document.elementFromPoint(${x}, ${y})?.closest('button');
            return under !== null && !under.disabled && !under.classList.contains('settling') ? under.textContent : null;
          })()`,
          null,
          { timeout: SHOWN_MS },
        );
        await expect(
          page.evaluate(`document.elementFromPoint(${x}, ${y})?.closest('button')?.textContent`),
        ).resolves.toBe('Step back one event');
        const before = await page.evaluate<string | null>(asOf);
        await page.mouse.down();
        await page.mouse.up();
        await page.waitForFunction(`(${asOf}) !== ${JSON.stringify(before)}`, null, { timeout: SHOWN_MS });
        positions.push(BigInt((await page.evaluate<string | null>(asOf))!));
      }
      expect(positions).toEqual([...positions].sort((a, b) => (a > b ? -1 : 1)));
      expect(new Set(positions).size).toBe(3);
    },
  );
  browserTest(
    'Given a seat shown as of an earlier event, When Back to live is pressed by keyboard, Then the focus stays in time travel, not on the link to all seats that comes next on the page',
    'time-travel-keys',
    async () => {
      const { page } = await seatAsOfAnswered('travel-keys', '+15554440013');
      await page.getByRole('button', { name: 'Back to live' }).focus();
      await page.keyboard.press('Enter');
      await page.locator('[data-as-of]').waitFor({ state: 'detached', timeout: SHOWN_MS });
      await page.waitForFunction(
        `document.activeElement?.closest('[role="group"][aria-label="Time travel"]') != null`,
        null,
        { timeout: SHOWN_MS },
      );
    },
  );
  browserTest(
    'Given a seat shown as of an earlier event, When it is reloaded, Then it shows the same view; Back goes live, Forward returns',
    'time-travel-address',
    async () => {
      const { number, page, asOf } = await seatAsOfAnswered('travel-address', '+15554440005');
      expect(new URL(page.url()).searchParams.get('asOf')).toBe(asOf);

      await page.reload();
      await page.locator(`[data-as-of="${asOf}"]`).waitFor({ timeout: SHOWN_MS });
      await lampShows(page, number, 'busy');

      await page.goBack();
      await page.locator('[data-as-of]').waitFor({ state: 'detached', timeout: SHOWN_MS });
      await lampShows(page, number, 'idle');
      await page.goForward();
      await page.locator(`[data-as-of="${asOf}"]`).waitFor({ timeout: SHOWN_MS });
      await lampShows(page, number, 'busy');

      await page.getByRole('button', { name: 'Back to live' }).click();
      await page.locator('[data-as-of]').waitFor({ state: 'detached', timeout: SHOWN_MS });
      expect(new URL(page.url()).searchParams.has('asOf')).toBe(false);
    },
  );
  browserTest(
    'Given a seat with a call answered then ended, When an architect steps back and then forward by keyboard alone, pressing Enter again and again, Then each press steps one event and the focus stays on the step button',
    'time-travel-keyboard',
    async () => {
      const { page } = await endedCallOnSeat('travel-enter', '+15554440030');
      const asOf = `document.querySelector('[data-as-of]')?.getAttribute('data-as-of') ?? null`;
      const focused = `document.activeElement?.textContent ?? 'nothing'`;
      /** Presses Enter on the focused control and waits until the view is as of another position. */
      const pressEnterToStep = async () => {
        const before = await page.evaluate<string | null>(asOf);
        await page.keyboard.press('Enter');
        await page.waitForFunction(`(${asOf}) !== ${JSON.stringify(before)}`, null, { timeout: SHOWN_MS });
        return page.evaluate<string | null>(asOf);
      };

      await page.getByRole('button', { name: 'Step back one event' }).focus();
      const back: (string | null)[] = [];
      for (let step = 0; step < 3; step++) {
        back.push(await pressEnterToStep());
        // The steps of the new view are still being looked up: the button keeps the focus meanwhile.
        await expect(page.evaluate(focused)).resolves.toBe('Step back one event');
      }
      expect(new Set(back).size).toBe(3);

      await page.getByRole('button', { name: 'Step forward one event' }).focus();
      await expect(pressEnterToStep()).resolves.toBe(back[1]);
      await expect(page.evaluate(focused)).resolves.toBe('Step forward one event');
      await expect(pressEnterToStep()).resolves.toBe(back[0]);
    },
  );
  browserTest(
    "Given a seat live at its party's first event, When an architect presses Enter on Step back one event, Then the button, disabled as nothing earlier shows the seat, hands the focus on to the time field instead of dropping it",
    'time-travel-first-event-focus',
    async () => {
      await send(suite.stack.api, 'POST', '/accounts', {
        actor: 'admin',
        accountId: 'first-focus',
        name: 'First',
      });
      await send(
        suite.stack.api,
        'POST',
        '/accounts/first-focus/phone-users',
        delegationReadyPhoneUser('admin', 'solo', 'Solo', ['+15554440031']),
      );
      const page = await seat('first-focus', 'solo');
      const stepBack = page.getByRole('button', { name: 'Step back one event' });
      await stepBack.focus();
      await page.keyboard.press('Enter');

      await page.waitForSelector('button[title^="This is the first event"]:disabled', { timeout: SHOWN_MS });
      await page.waitForFunction(`document.activeElement?.type === 'datetime-local'`, null, {
        timeout: SHOWN_MS,
      });
    },
  );
  browserTest(
    'Given a seat shown as of an earlier event and a step back slow to come, When the architect goes Back to live before it comes, Then the page stays live when it does',
    'time-travel-late-step',
    async () => {
      const { number, page } = await seatAsOfAnswered('travel-late', '+15554440032');
      const release = await holdRequests(page, '**/panel/seat?*asOf*');
      const late = page.waitForResponse((response) => /\/panel\/seat\?.*asOf/.test(response.url()));
      await page.getByRole('button', { name: 'Step back one event' }).click();
      await page.getByRole('button', { name: 'Back to live' }).click();
      await page.locator('[data-as-of]').waitFor({ state: 'detached', timeout: SHOWN_MS });

      release();
      await late;
      // Time for the page to take the answer in, were it to show it.
      await page.waitForTimeout(1_000);
      expect(await page.locator('[data-as-of]').count()).toBe(0);
      expect(new URL(page.url()).searchParams.has('asOf')).toBe(false);
      await lampShows(page, number, 'idle');
    },
  );
  browserTest(
    'Given two audit trails opened one after the other, When the user goes Back, Then the second closes and the first stays open; Back again closes it, Forward opens them again',
    'audit-back-closes',
    async () => {
      const { demo, number } = await account('audit-back');
      /** A call from `caller` that the executive answers and hangs up. */
      const endedByExecutive = async (caller: string) => {
        const { callId } = (await ring(demo, number, caller)) as { callId: string };
        await onCall(demo, number, callId, 'answer', 'exec1');
        await onCall(demo, number, callId, 'hang-up', 'exec1');
      };
      await endedByExecutive('+15554440020');
      await endedByExecutive('+15554440021');
      const page = await executiveSeatShowing(demo, number, 'idle');
      const history = line(page, number).locator('details.history');
      await history.locator('> summary').click();
      const trails = history.locator('details.audit');
      await trails.nth(1).waitFor({ timeout: SHOWN_MS });
      await trails.nth(0).locator('> summary').click();
      await trails.nth(1).locator('> summary').click();
      /** Waits until the address names `named` trails and the two trails' open states are `open`. */
      const shows = (named: number, open: readonly boolean[]) =>
        page.waitForFunction(
          `new URL(location.href).searchParams.getAll('audit').length === ${named} &&
           JSON.stringify([...document.querySelectorAll('details.history details.audit')].map((t) => t.open)) ===
             ${JSON.stringify(JSON.stringify(open))}`,
          null,
          { timeout: SHOWN_MS },
        );
      await shows(2, [true, true]);

      await page.goBack();
      await shows(1, [true, false]);
      await page.goBack();
      await shows(0, [false, false]);
      await page.goForward();
      await page.goForward();
      await shows(2, [true, true]);
    },
  );
  browserTest(
    'Given an account with no party yet, When the landing page lists it, Then it says so and offers no room to pick seats from',
    'landing-no-party',
    async () => {
      await send(suite.stack.api, 'POST', '/accounts', {
        actor: 'admin',
        accountId: 'no-party',
        name: 'No party yet',
      });
      const landing = await open('');
      const section = landing.getByRole('region', { name: 'No party yet' });
      await section.waitFor({ timeout: SHOWN_MS });
      await expect(section.locator('.empty').textContent()).resolves.toMatch(
        /no party yet.*\/accounts\/no-party\/phone-users/i,
      );
      expect(await section.getByRole('button', { name: 'Open the room' }).count()).toBe(0);
    },
  );
  browserTest(
    'Given a delegate answered a call and transferred it to the executive, When an auditor reads its trail, Then each row says what it did by the names of who rang, to whom the transfer went, who took it, each actor named with its id under the name, as the filter and the CSV export name them',
    'audit-what',
    async () => {
      const { demo, number } = await transferredToExecutive('audit-what', '+15554440006');
      const page = await executiveSeatShowing(demo, number, 'busy');
      const trail = await openNewestTrail(page, number);
      const row = (type: string) => trail.locator(`tr:has(td[data-type="${type}"])`);
      const what = (type: string) => row(type).locator('td[data-what]');
      await what('CallTransferred').waitFor({ timeout: SHOWN_MS });

      await expect(what('CallRang').textContent()).resolves.toMatch(/alerted Executive 1, Assistant 1/);
      await expect(what('CallAnswered').textContent()).resolves.toMatch(
        /Assistant 1 for Executive 1 answered/,
      );
      await expect(what('CallTransferRequested').textContent()).resolves.toMatch(
        /Assistant 1 for Executive 1 transferred the call to Executive 1/,
      );
      await expect(what('CallTransferred').textContent()).resolves.toMatch(
        /Executive 1 took the transfer from Assistant 1/,
      );
      // Who acted, by name, the id beside it for tracing; a step no party took keeps its actor's id.
      const answered = row('CallAnswered');
      await expect(answered.locator('td[data-actor]').innerText()).resolves.toBe('Assistant 1\nassistant1');
      await expect(answered.locator('td[data-on-behalf-of]').innerText()).resolves.toBe('Executive 1\nexec1');
      await expect(row('CallRang').locator('td[data-actor]').innerText()).resolves.toBe(
        'external:+15554440006',
      );
      await expect(
        trail.getByLabel('Acted by').locator('option[value="assistant1"]').textContent(),
      ).resolves.toBe('Assistant 1 (assistant1)');

      const csvLink = trail.getByRole('link', { name: 'Export CSV' });
      const csv = await (
        await fetch(new URL((await csvLink.getAttribute('href'))!, suite.stack.projector))
      ).text();
      const [header, ...rows] = csv.trimEnd().split('\r\n');
      expect(header!.endsWith(',chainHash,actorName,onBehalfOfName')).toBe(true);
      expect(rows.some((line) => line.endsWith(',Assistant 1,Executive 1'))).toBe(true);
    },
  );
  browserTest(
    'Given a line with more calls than a seat lists, When its history is opened, Then it says how many it shows of how many, and where the rest are',
    'history-count',
    async () => {
      const { demo, number } = await account('history-count');
      const calls = 25;
      for (let call = 0; call < calls; call++) {
        const placed = await send(
          suite.stack.api,
          'POST',
          `/accounts/${demo.accountId}/lines/${encodeURIComponent(number)}/calls`,
          { actor: 'exec1', to: `+1555333${String(call).padStart(4, '0')}` },
        );
        await onCall(demo, number, placed.callId as string, 'hang-up', 'exec1');
      }
      const page = await seat(demo.accountId, 'exec1');
      const history = line(page, number).locator('details.history');
      await expect(history.locator('> summary').textContent()).resolves.toBe(
        `History · the latest 20 of ${calls} calls`,
      );
      await history.locator('> summary').click();
      expect(await history.locator('> ul > li').count()).toBe(20);
      const rest = history.getByRole('link', { name: `all ${calls} calls` });
      const all = (await (
        await fetch(new URL((await rest.getAttribute('href'))!, suite.stack.projector))
      ).json()) as {
        calls: unknown[];
      };
      expect(all.calls).toHaveLength(calls);
    },
  );
  browserTest(
    "Given a viewer in another time zone than the stack's, When they travel to a time they type, Then the field names the zone it reads the time in",
    'time-travel-zone',
    async () => {
      const { page } = await executiveSeat('travel-zone');
      await reloadInKolkata(page);
      await page.waitForSelector('[data-connection="live"]', { timeout: SHOWN_MS });
      const zone = await zoneNameAt(page, '2026-01-05T09:00:00Z');

      const field = page.getByLabel(`As of time (${zone})`);
      await field.fill('2026-01-05T14:30:00');
      await page.getByRole('button', { name: 'Show', exact: true }).click();
      await page.locator('[data-as-of]').waitFor({ timeout: SHOWN_MS });
      expect(new URL(page.url()).searchParams.get('asOfTime')).toBe('2026-01-05T09:00:00.000Z');
    },
  );
  browserTest(
    "Given a room of two seats, When an auditor opens a call's trail in one, Then each event type and position reads whole, the trail scrolling sideways instead",
    'audit-narrow',
    async () => {
      const { demo, number, act } = await incomingCall('audit-narrow', '+15554440007');
      await act('answer', 'assistant1');
      const room = await suite.room(demo.accountId, ['exec1', 'assistant1']);
      const seatOfExecutive = room.locator('section[data-viewer="exec1"]');
      const trail = await openNewestTrail(seatOfExecutive, number);
      await trail.locator('td[data-type="CallAnswered"]').waitFor({ timeout: SHOWN_MS });

      expect(await linesOf(trail, 'td[data-type]')).toEqual([1, 1, 1]);
      expect(await linesOf(trail, 'td[data-position]')).toEqual([1, 1, 1]);
      // The page itself does not widen: the trail scrolls within the seat.
      await expectFitsWindow(room);
    },
  );
  browserTest(
    "Given the stack's clock, When an architect asks for a time after it, Then the page says that time has not come rather than show today's lamps dated then; and an address naming no point of time, or a time after the clock, is refused naming it and what is taken, the live seat still working",
    'time-travel-future',
    async () => {
      const { demo, page } = await executiveSeat('travel-future');
      await page.getByLabel('As of time').fill('9999-12-31T23:59:59');
      await page.getByRole('button', { name: 'Show', exact: true }).click();
      const refusal = page.locator('.time-travel [role="alert"]');
      await refusal.waitFor({ timeout: SHOWN_MS });
      await expect(refusal.textContent()).resolves.toMatch(/has not come yet.*pick an earlier time/i);
      expect(await page.locator('[data-as-of]').count()).toBe(0);
      expect(new URL(page.url()).searchParams.has('asOfTime')).toBe(false);

      const addressed: [string, RegExp][] = [
        [
          'asOf=yesterday',
          /asOf=yesterday is no point of time travel\. A view in the past is asOf=<a \$all position/,
        ],
        [
          'asOfTime=2026-13-45',
          /asOfTime=2026-13-45 is no point of time travel\. .*asOfTime=<a time with its zone/,
        ],
        [
          // Before the stack's clock, and read by Date.parse as 1 March 2025: a day the calendar has not.
          'asOfTime=2025-02-29T09:00:00Z',
          /asOfTime=2025-02-29T09:00:00Z names no such day: 2025-02-29 is not in the calendar\. .*asOfTime=<a time with its zone/,
        ],
        [
          'asOfTime=2030-01-01T00:00:00Z',
          // Both times as the page writes times (in the viewer's zone, named), not the log's UTC form.
          /asOfTime=2030-01-01T00:00:00Z: (?!\d{4}-).+ has not come yet: the stack's clock is at (?!\d{4}-)/,
        ],
      ];
      for (const [query, said] of addressed) {
        await page.goto(`${suite.stack.projector}/panel?account=${demo.accountId}&viewer=exec1&${query}`);
        await refusal.waitFor({ timeout: SHOWN_MS });
        await expect(refusal.textContent()).resolves.toMatch(said);
        // The live seat is shown under it, and time travel goes on from there.
        await page.locator('[data-lamp]').first().waitFor({ timeout: SHOWN_MS });
        await page.getByRole('button', { name: 'Back to live' }).click();
        await refusal.waitFor({ state: 'detached', timeout: SHOWN_MS });
        expect(new URL(page.url()).search).toBe(`?account=${demo.accountId}&viewer=exec1`);
      }
      // A point that is none, or not come, is told by the page, which asks the projector nothing it would refuse.
      const asked = suite.browser.requests.filter((url) =>
        /asOf(Time)?=(yesterday|2026-13-45|2025-02-29|2030-01-01)/.test(url),
      );
      expect(asked.filter((url) => url.includes('/panel/seat'))).toEqual([]);
      await page.getByRole('button', { name: 'Step back one event' }).click();
      await page.locator('[data-as-of]').waitFor({ timeout: SHOWN_MS });
      // A point for a viewer the account has not is said as the live seat says it, from the directory.
      await page.goto(`${suite.stack.projector}/panel?account=${demo.accountId}&viewer=nobody&asOf=5`);
      await page.getByText('"nobody" is not a party').waitFor({ timeout: SHOWN_MS });
      // Said from the directory: no seat of the unknown viewer is asked for, so no 404 is logged.
      await page.waitForLoadState('networkidle', { timeout: SHOWN_MS });
    },
  );
  browserTest(
    'Given the address of a past view, When the page opens on it, Then it shows no live seat to act on while the past one is on its way',
    'time-travel-arriving',
    async () => {
      const { demo, number } = await incomingCall('travel-arriving', '+15554440008');
      const page = await executiveSeatShowing(demo, number, 'ringing');
      await page.getByRole('button', { name: 'Step back one event' }).click();
      const asOf = (await page.locator('[data-as-of]').getAttribute('data-as-of'))!;

      // The past seat is held back on its way, as a busy projector would.
      const release = await holdRequests(page, '**/panel/seat?*asOf=*');
      await page.reload();
      await page.locator('[data-connection="live"]').waitFor({ timeout: SHOWN_MS });
      await page.getByText(`Loading the seat as of position ${asOf}…`).waitFor({ timeout: SHOWN_MS });
      expect(await page.locator('[data-lamp]').count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Answer', exact: true }).count()).toBe(0);

      release();
      await page.locator(`[data-as-of="${asOf}"]`).waitFor({ timeout: SHOWN_MS });
      await page.locator('[data-lamp]').first().waitFor({ timeout: SHOWN_MS });
    },
  );
});
