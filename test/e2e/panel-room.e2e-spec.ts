import type { Page } from 'playwright-core';
import { edgeSentenceOf } from '#domain';
import { send } from '../../tools/demo-account.js';
import {
  SHOWN_MS,
  expectFitsWindow,
  expectRefusedField,
  holdRequests,
  panelBrowserSuite,
  streamLive,
} from '../support/panel-browser.js';

/**
 * The panel as trainers and architects use it, in Debian's Chromium over the real processes: a room of
 * seats side by side, the virtual clock moved to the next timer, time travel event by event, and the
 * whole panel used by keyboard. The virtual clock keeps ringing calls ringing until it is moved.
 */
describe('the panel in a browser: rooms, the clock, time travel, keyboard', () => {
  const suite = panelBrowserSuite();
  const { pages, open, seat, ring, ringing, browserTest } = suite;

  /** A fresh account of one executive with one line, and that line's number. */
  const demo = async (accountId: string, assistants = 2) => {
    const account = await suite.demo(accountId, { assistants });
    return { account, number: account.executives[0]!.numbers[0]! };
  };

  const seatOf = (page: Page, viewer: string) => page.locator(`section.seat[data-viewer="${viewer}"]`);
  const lampShows = (page: Page, viewer: string, number: string, state: string) =>
    page.waitForSelector(
      `section.seat[data-viewer="${viewer}"] section[data-line="${number}"] [data-lamp="${state}"]`,
      { timeout: SHOWN_MS },
    );
  /**
   * A fresh account of one executive and one assistant, and its room open and live on `viewers`' seats
   * (the two of them, unless named).
   */
  const roomOf = async (accountId: string, viewers: readonly string[] = ['exec1', 'assistant1']) => {
    const { account, number } = await demo(accountId, 1);
    return { account, number, room: await suite.room(accountId, viewers) };
  };
  /** A fresh room (see roomOf), its virtual clock, and the sentence saying no timer is pending, once it shows. */
  const clockRoom = async (accountId: string) => {
    const opened = await roomOf(accountId);
    const clock = opened.room.getByRole('group', { name: 'Virtual clock' });
    const noneSaid = clock.locator('.why[data-rule="R21"]');
    await noneSaid.waitFor({ timeout: SHOWN_MS });
    return { ...opened, clock, noneSaid };
  };
  /** A fresh account (see demo), and the landing page open on its form that picks the seats of a room. */
  const roomPicker = async (accountId: string, assistants?: number) => {
    const { number } = await demo(accountId, assistants);
    const landing = await open('');
    return { number, landing, picker: landing.getByRole('form', { name: `A room of ${accountId}` }) };
  };
  const streamsSince = (from: number) =>
    suite.browser.requests.slice(from).filter((url) => url.includes('/panel/stream')).length;

  browserTest(
    "a room opened from the landing page shows a call placed from an assistant's seat on the executive's and the other assistant's seats live, over one connection",
    'room',
    async () => {
      const before = suite.browser.requests.length;
      const { number, landing, picker } = await roomPicker('room');
      for (const name of ['Executive 1', 'Assistant 1', 'Assistant 2']) {
        await picker.getByRole('checkbox', { name }).check();
      }
      await picker.getByRole('button', { name: 'Open the room' }).click();
      await streamLive(landing);
      expect(await landing.locator('section.seat').count()).toBe(3);

      const assistant = seatOf(landing, 'assistant1');
      await assistant.getByLabel('Call from').selectOption(number);
      await assistant.getByRole('textbox', { name: 'Number to call' }).fill('+15559990000');
      await assistant.getByRole('button', { name: 'Call', exact: true }).click();

      for (const viewer of ['exec1', 'assistant1', 'assistant2']) {
        await lampShows(landing, viewer, number, 'busy');
      }
      await expect(
        seatOf(landing, 'exec1').locator(`section[data-line="${number}"] .lamp-row`).textContent(),
      ).resolves.toContain('Assistant 1 on behalf of Executive 1');
      expect(streamsSince(before)).toBe(1);

      // Back on the landing page, the boxes are as they were left: the room's seats ticked.
      const ticked = () =>
        Promise.all(
          ['Executive 1', 'Assistant 1', 'Assistant 2'].map((name) =>
            picker.getByRole('checkbox', { name }).isChecked(),
          ),
        );
      await landing.goBack();
      await picker.waitFor({ timeout: SHOWN_MS });
      await expect(ticked()).resolves.toEqual([true, true, true]);
      await picker.getByRole('checkbox', { name: 'Assistant 2' }).uncheck();
      await picker.getByRole('button', { name: 'Open the room' }).click();
      await landing.locator('section.seat').nth(1).waitFor({ timeout: SHOWN_MS });
      expect(await landing.locator('section.seat').count()).toBe(2);
      await landing.goBack();
      await picker.waitFor({ timeout: SHOWN_MS });
      await expect(ticked()).resolves.toEqual([true, true, false]);
      await landing.reload();
      await picker.waitFor({ timeout: SHOWN_MS });
      await expect(ticked()).resolves.toEqual([true, true, false]);
      await landing.goForward();
      await streamLive(landing);
      expect(await landing.locator('section.seat').count()).toBe(2);
    },
  );

  browserTest(
    "Given an account's four seats on the landing page, When it is read at a phone's width, Then each seat's box stays on the line of its name, left of it",
    'room-picker-narrow',
    async () => {
      const { landing, picker } = await roomPicker('picker-narrow', 3);
      await landing.setViewportSize({ width: 375, height: 800 });
      await picker.waitFor({ timeout: SHOWN_MS });
      // Where each box is, and the first letter of its name.
      const boxAndName = await picker.locator('label').evaluateAll((labels) =>
        labels.map((label) => {
          const input = label.querySelector('input')!;
          const box = input.getBoundingClientRect();
          const text = [...label.childNodes].find((node) => node !== input && /\S/.test(node.textContent!))!;
          const first = text.textContent!.search(/\S/);
          const range = label.ownerDocument.createRange();
          range.setStart(text, first);
          range.setEnd(text, first + 1);
          const letter = range.getBoundingClientRect();
          const middle = (box.top + box.bottom) / 2;
          return {
            name: label.textContent!.trim(),
            beside: middle > letter.top && middle < letter.bottom,
            leftOf: box.right <= letter.left,
          };
        }),
      );
      expect(boxAndName).toHaveLength(4);
      for (const seat of boxAndName) expect(seat).toEqual({ name: seat.name, beside: true, leftOf: true });
    },
  );

  browserTest(
    "Given a room of two seats, When it is read at a phone's width, Then each seat is as wide as the window at most, its controls whole, the seats scrolling sideways one by one, and the focus moved into a seat shows it whole from its edge",
    'room-narrow',
    async () => {
      const { room } = await roomOf('room-narrow');
      await room.setViewportSize({ width: 375, height: 800 });
      const seats = room.locator('.seats');
      const shownWidth = await seats.evaluate((element) => element.clientWidth);
      for (const viewer of ['exec1', 'assistant1']) {
        const seat = seatOf(room, viewer);
        await seat.scrollIntoViewIfNeeded();
        const [seatBox, seatsBox, call] = await Promise.all(
          [seat, seats, seat.getByRole('button', { name: 'Call', exact: true })].map(
            async (part) => (await part.boundingBox())!,
          ),
        );
        expect(seatBox.width).toBeLessThanOrEqual(shownWidth);
        for (const box of [seatBox, call]) {
          expect(box.x).toBeGreaterThanOrEqual(seatsBox.x);
          expect(box.x + box.width).toBeLessThanOrEqual(seatsBox.x + shownWidth);
        }
      }
      // The focus (Tab, or a control worked) scrolls the row only as far as its control: the row snaps
      // the seat holding it to its edge, rather than show the halves of two seats.
      for (const viewer of ['assistant1', 'exec1']) {
        const seat = seatOf(room, viewer);
        await seat.getByRole('button', { name: 'Call', exact: true }).focus();
        // Snapping may scroll smoothly: the seat settles at the row's edge.
        await room.waitForFunction(
          (shown) =>
            Math.abs(shown.getBoundingClientRect().x - shown.parentElement!.getBoundingClientRect().x) < 1,
          await seat.elementHandle(),
          { timeout: SHOWN_MS },
        );
      }
      await expectFitsWindow(room);
    },
  );

  browserTest(
    'a Ring whose answer was lost, rung again, rings once: the page sends the same command id again and the api answers with the first outcome',
    'lost-answer',
    async () => {
      const { account, number, room } = await roomOf('lost-answer');
      const outside = room.getByRole('form', { name: 'An outside caller' });
      await outside.getByRole('combobox', { name: 'calls' }).selectOption(number);
      await outside.getByRole('textbox', { name: 'An outside number' }).fill('+15556660001');
      // Given a Ring the api takes, whose answer never reaches the page (a connection reset on its way back)
      let answerLost!: () => void;
      const lost = new Promise<void>((resolve) => (answerLost = resolve));
      await room.route(
        '**/panel/api/**/incoming-calls',
        async (route) => {
          await route.fetch();
          await route.abort('connectionreset');
          answerLost();
        },
        { times: 1 },
      );
      await outside.getByRole('button', { name: 'Ring' }).click();
      await lost;
      for (const viewer of ['exec1', 'assistant1']) await lampShows(room, viewer, number, 'ringing');

      // When Ring is pressed again, as a viewer told the stack did not answer would
      await outside.getByRole('button', { name: 'Ring' }).click();
      await outside.locator('[role="alert"][data-code]').waitFor({ state: 'detached', timeout: SHOWN_MS });

      // Then the line has one call, not two
      const digits = number.replace(/^\+/, '');
      const history = (await (
        await fetch(`${suite.stack.projector}/lines/${account.accountId}/${digits}/history?viewer=exec1`)
      ).json()) as { calls: { callId: string }[] };
      expect(history.calls).toHaveLength(1);
      // The caller gives up: no ring timeout left pending on the stack's virtual clock for later steps
      await send(
        suite.stack.api,
        'POST',
        `/accounts/${account.accountId}/lines/${encodeURIComponent(number)}/calls/${history.calls[0]!.callId}/external-hang-up`,
        {},
      );
      for (const viewer of ['exec1', 'assistant1']) await lampShows(room, viewer, number, 'idle');
      // The reset the first Ring met is the browser's one console error
      expect(suite.forgiveErrors(/ERR_CONNECTION_RESET/)).toBe(1);
    },
  );

  browserTest(
    "an outside number calls the executive's line from the page: it rings on every seat of the room, the assistant answers it there, and a malformed number is refused where it was typed, the field marked and focused until a number is taken",
    'outside-caller',
    async () => {
      const { number, room } = await roomOf('outside');
      const outside = room.getByRole('form', { name: 'An outside caller' });
      const from = outside.getByRole('textbox', { name: 'An outside number' });

      await from.fill('12ab');
      await outside.getByRole('button', { name: 'Ring' }).click();
      const refusal = outside.locator('[role="alert"][data-code]');
      await refusal.waitFor({ timeout: SHOWN_MS });
      await expect(refusal.textContent()).resolves.toContain('from');
      await expectRefusedField(from);
      await lampShows(room, 'exec1', number, 'idle');

      await outside.getByRole('combobox', { name: 'calls' }).selectOption(number);
      await from.fill('+15556660000');
      await outside.getByRole('button', { name: 'Ring' }).click();
      for (const viewer of ['exec1', 'assistant1']) await lampShows(room, viewer, number, 'ringing');
      await refusal.waitFor({ state: 'detached', timeout: SHOWN_MS });
      await expect(from.getAttribute('aria-invalid')).resolves.toBeNull();
      await expect(
        seatOf(room, 'assistant1').locator(`section[data-line="${number}"] .lamp-row`).textContent(),
      ).resolves.toContain('from +15556660000');

      await seatOf(room, 'assistant1')
        .locator(`section[data-line="${number}"]`)
        .getByRole('button', { name: 'Answer', exact: true })
        .click();
      for (const viewer of ['exec1', 'assistant1']) await lampShows(room, viewer, number, 'busy');
      await expect(
        seatOf(room, 'exec1').locator(`section[data-line="${number}"] .lamp-row`).textContent(),
      ).resolves.toContain('Assistant 1 on behalf of Executive 1');

      // The page named the call, so its flow is one correlation id from the ring to the answer.
      await suite.expectOneCallFlow('outside', number, 'exec1', ['IncomingCallReceived', 'CallAnswered']);
    },
  );

  browserTest(
    'to the next timer is disabled, saying why, while no timer is pending; with a call ringing it moves the clock exactly to the ring timeout and the call goes to voicemail, then it is disabled again',
    'next-timer',
    async () => {
      const { account, number, room, clock, noneSaid } = await clockRoom('timer');
      const nextTimer = clock.getByRole('button', { name: 'To the next timer' });
      await expect(nextTimer.isDisabled()).resolves.toBe(true);
      await expect(noneSaid.textContent()).resolves.toMatch(/No timer is pending/);

      await ring(account, number, '+15558880000');
      await lampShows(room, 'exec1', number, 'ringing');
      await noneSaid.waitFor({ state: 'detached', timeout: SHOWN_MS });
      const before = Date.parse((await clock.locator('time').getAttribute('datetime'))!);

      await nextTimer.click();
      await lampShows(room, 'exec1', number, 'idle');
      await lampShows(room, 'assistant1', number, 'idle');
      const after = Date.parse((await clock.locator('time').getAttribute('datetime'))!);
      expect(after - before).toBe(30_000);
      await expect(
        seatOf(room, 'assistant1')
          .locator(`section[data-line="${number}"] details.voicemail summary`)
          .textContent(),
      ).resolves.toContain('1 unread');

      await noneSaid.waitFor({ timeout: SHOWN_MS });
      await expect(nextTimer.isDisabled()).resolves.toBe(true);
    },
  );
  browserTest(
    'Given the pending timers slow to answer, When the seat moves on again and again while they are asked (a ring, the clock moved twice), Then the page asks once on the way and once more for where the seat is when it answers, not once per move, and To the next timer follows the latest answer',
    'next-timer-burst',
    async () => {
      const { account, number, room, clock, noneSaid } = await clockRoom('timer-burst');
      const release = await holdRequests(room, '**/panel/timers');
      const heldFrom = suite.browser.requests.length;
      const timersAsked = () =>
        suite.browser.requests.slice(heldFrom).filter((url) => url.endsWith('/panel/timers')).length;

      await ring(account, number, '+15558880001');
      await lampShows(room, 'exec1', number, 'ringing');
      // Two moves of 10 s: the ring's 30 s timeout stays pending.
      for (let move = 0; move < 2; move++) {
        const before = await clock.locator('time').getAttribute('datetime');
        await clock.getByRole('button', { name: '+10 s' }).click();
        await clock.locator(`time:not([datetime="${before}"])`).waitFor({ timeout: SHOWN_MS });
      }
      expect(timersAsked()).toBe(1);

      let answered = 0;
      const secondAnswer = room.waitForResponse(
        (response) => response.url().endsWith('/panel/timers') && ++answered === 2,
        { timeout: SHOWN_MS },
      );
      release();
      await secondAnswer;
      await noneSaid.waitFor({ state: 'detached', timeout: SHOWN_MS });
      await clock.locator('button[title^="The next timer is due at"]').waitFor({ timeout: SHOWN_MS });
      const nextTimer = clock.getByRole('button', { name: 'To the next timer' });
      await expect(nextTimer.isEnabled()).resolves.toBe(true);
      expect(timersAsked()).toBe(2);
      // The ring's timeout is the stack's next timer: taken here, it is no later test's next one.
      await nextTimer.click();
      await lampShows(room, 'exec1', number, 'idle');
    },
  );
  browserTest(
    'time travel steps event by event back and forth from the live view, then forward into live again',
    'stepping',
    async () => {
      const { number, page } = await ringing('steps', ['exec1'], '+15557770000');
      await page
        .locator(`section[data-line="${number}"]`)
        .getByRole('button', { name: 'Answer', exact: true })
        .click();
      await lampShows(page, 'exec1', number, 'busy');

      const travel = page.getByRole('group', { name: 'Time travel' });
      const banner = travel.locator('[data-as-of]');
      const shows = async (event: string, lamp?: string) => {
        await banner.filter({ hasText: `after ${event}` }).waitFor({ timeout: SHOWN_MS });
        if (lamp) await lampShows(page, 'exec1', number, lamp);
      };
      await travel.getByRole('button', { name: 'Step back one event' }).click();
      await shows('CallRang', 'ringing');
      await travel.getByRole('button', { name: 'Step back one event' }).click();
      await shows('IncomingCallReceived');
      await travel.getByRole('button', { name: 'Step forward one event' }).click();
      await shows('CallRang', 'ringing');
      await travel.getByRole('button', { name: 'Step forward one event' }).click();
      await shows('CallAnswered', 'busy');
      await travel.getByRole('button', { name: 'Step forward to live' }).click();
      await banner.waitFor({ state: 'detached', timeout: SHOWN_MS });
      await lampShows(page, 'exec1', number, 'busy');
    },
  );
  browserTest(
    'a time typed past the year 9999 in time travel, or a date typed without its time, is refused where it was typed, and the page throws nothing',
    'time-typed',
    async () => {
      await demo('typed', 1);
      const page = await seat('typed', 'exec1');
      const travel = page.getByRole('group', { name: 'Time travel' });
      const field = travel.getByLabel('As of time');
      const show = travel.getByRole('button', { name: 'Show', exact: true });
      const refusal = travel.locator('[role="alert"][data-code]');
      // A date without its time leaves the field's value empty: Show says so when pressed by keyboard.
      await field.focus();
      await page.keyboard.type('01052026');
      await show.focus();
      await page.keyboard.press('Enter');
      await refusal.waitFor({ timeout: SHOWN_MS });
      await expect(refusal.textContent()).resolves.toMatch(
        /no time to show yet: type or pick a whole date and time/,
      );

      // The field takes years up to 275760; a date past 9999 is no ISO-8601 time the page could send.
      await field.fill('275760-09-12T23:59:59');
      await refusal.waitFor({ state: 'detached', timeout: SHOWN_MS });
      await show.click();
      await refusal.waitFor({ timeout: SHOWN_MS });
      await expect(refusal.textContent()).resolves.toMatch(/9999/);
      expect(await travel.locator('[data-as-of]').count()).toBe(0);
    },
  );
  browserTest(
    "stepping back from a seat's first event takes no step and asks for no seat: the button says the party was not there yet",
    'first-step',
    async () => {
      await demo('first', 1);
      await send(suite.stack.api, 'POST', '/accounts/first/phone-users', {
        actor: 'admin',
        partyId: 'late',
        name: 'Late',
        directNumbers: ['+15550009999'],
        callingPlan: 'pro',
      });
      const page = await seat('first', 'late');
      const travel = page.getByRole('group', { name: 'Time travel' });
      const stepBack = travel.getByRole('button', { name: 'Step back one event' });
      await stepBack.click();
      await page.waitForFunction(`document.querySelector('.time-travel button')?.disabled === true`, null, {
        timeout: SHOWN_MS,
      });
      await expect(stepBack.getAttribute('title')).resolves.toMatch(/party was not in the account yet/);
      // The projector said where the seat starts: no view before it was asked for, so none was refused.
      expect(await travel.locator('[data-as-of], [role="alert"]').count()).toBe(0);
    },
  );
  browserTest(
    'a room opened with no seat ticked says to tick one, rather than show the landing page again',
    'empty-room',
    async () => {
      const { landing, picker } = await roomPicker('empty', 1);
      await picker.getByRole('button', { name: 'Open the room' }).click();
      await picker
        .getByRole('alert')
        .filter({ hasText: 'Tick at least one seat' })
        .waitFor({ timeout: SHOWN_MS });
      expect(new URL(landing.url()).search).toBe('');

      await picker.getByRole('checkbox', { name: 'Assistant 1' }).check();
      await expect(picker.getByRole('alert').count()).resolves.toBe(0);
      await picker.getByRole('button', { name: 'Open the room' }).click();
      await streamLive(landing);
    },
  );
  browserTest(
    'eight tabs of the panel are all live over one shared connection; when the leading tab closes another takes over',
    'eight-tabs',
    async () => {
      const { account, number } = await demo('tabs');
      const viewers = ['exec1', 'assistant1', 'assistant2'];
      // Opened one after the other: with a stream per tab the seventh page would never load.
      const tabs: Page[] = [];
      const viewerOf = new Map<Page, string>();
      for (let i = 0; i < 8; i++) {
        const viewer = viewers[i % viewers.length]!;
        const tab = await seat('tabs', viewer);
        tabs.push(tab);
        viewerOf.set(tab, viewer);
      }
      const leading = async () => {
        const leaders: Page[] = [];
        for (const tab of tabs) {
          if (await tab.evaluate(`document.documentElement.dataset.streamLeader === 'true'`))
            leaders.push(tab);
        }
        return leaders;
      };
      const everyTabShows = (state: string) =>
        Promise.all(tabs.map((tab) => lampShows(tab, viewerOf.get(tab)!, number, state)));

      await ring(account, number, '+15554440000');
      await everyTabShows('ringing');
      const [leader, ...others] = await leading();
      expect(others).toEqual([]);

      await leader!.close();
      tabs.splice(tabs.indexOf(leader!), 1);
      pages.splice(pages.indexOf(leader!), 1);
      await send(suite.stack.api, 'POST', '/clock/advance-to-next-timer', { actor: 'trainer' });
      await everyTabShows('idle');
      expect(await leading()).toHaveLength(1);
    },
  );
  browserTest(
    "invites, acceptances, revocations, permission changes and shared lines appear live, and moving between the account's seats asks the server nothing",
    'roster',
    async () => {
      const account = await suite.demo('roster', { linesPerExecutive: 2 });
      const [first, second] = account.executives[0]!.numbers;
      const room = await suite.room('roster', ['exec1', 'assistant1']);
      const assistant = seatOf(room, 'assistant1');
      const lines = () =>
        assistant
          .locator('section[data-line]')
          .evaluateAll((all) => all.map((l) => l.getAttribute('data-line')));
      const linesAre = (numbers: readonly string[]) =>
        room.waitForFunction(
          `JSON.stringify([...document.querySelectorAll('section.seat[data-viewer="assistant1"] section[data-line]')]` +
            `.map((line) => line.getAttribute('data-line'))) === ${JSON.stringify(JSON.stringify(numbers))}`,
          null,
          { timeout: SHOWN_MS },
        );
      const own = (await lines())[0]!;
      const delegations = `/accounts/roster/delegations`;
      const [{ delegationId: old }] = account.delegations;

      await send(suite.stack.api, 'POST', `${delegations}/${old}/revoke`, { actor: 'exec1' });
      await linesAre([own]);
      const invited = await send(suite.stack.api, 'POST', delegations, {
        actor: 'exec1',
        delegatorId: 'exec1',
        delegateId: 'assistant1',
        permissions: ['answerCalls'],
        sharedLines: [first],
      });
      const delegation = invited.delegationId as string;
      const row = (viewer: string) => seatOf(room, viewer).locator(`li[data-delegation="${delegation}"]`);
      await row('assistant1').and(room.locator('[data-status="pending"]')).waitFor({ timeout: SHOWN_MS });
      await row('exec1').and(room.locator('[data-status="pending"]')).waitFor({ timeout: SHOWN_MS });

      await send(suite.stack.api, 'POST', `${delegations}/${delegation}/accept`, { actor: 'assistant1' });
      await linesAre([own, first!]);
      // The delegate's Opt out is disabled as the api would refuse it: its delegation has no optInOut
      // (R6). Its delegator is offered no toggle: only the delegate opts itself in or out (R13).
      await row('assistant1').locator('.why[data-code="PERMISSION_REQUIRED"]').waitFor({ timeout: SHOWN_MS });
      await expect(row('assistant1').getByRole('button', { name: 'Opt out' }).isDisabled()).resolves.toBe(
        true,
      );
      await expect(row('exec1').getByRole('button').count()).resolves.toBe(0);
      await send(suite.stack.api, 'PUT', `${delegations}/${delegation}/permissions`, {
        actor: 'exec1',
        permissions: ['answerCalls', 'placeCalls'],
      });
      await assistant
        .locator(`section[data-line="${first}"] .role`)
        .filter({ hasText: 'place calls' })
        .waitFor({ timeout: SHOWN_MS });
      await send(suite.stack.api, 'PUT', `${delegations}/${delegation}/shared-lines`, {
        actor: 'exec1',
        sharedLines: [first, second],
      });
      await linesAre([own, first!, second!]);

      // Switching to one seat of the room and back: the tab shows what it holds, and asks nothing.
      await room.evaluate(`window.stayedInPage = true`);
      const before = suite.browser.requests.length;
      await room
        .getByRole('navigation', { name: 'Other seats' })
        .getByRole('link', { name: 'Assistant 1' })
        .click();
      await room.waitForFunction(`document.querySelectorAll('section.seat').length === 1`, null, {
        timeout: SHOWN_MS,
      });
      expect(await room.locator('section.seat').count()).toBe(1);
      await linesAre([own, first!, second!]);
      await room.goBack();
      await room.locator('section.seat[data-viewer="exec1"]').waitFor({ timeout: SHOWN_MS });
      expect(await room.evaluate(`window.stayedInPage === true`)).toBe(true);
      expect(suite.browser.requests.slice(before).filter((url) => url.includes('/panel'))).toEqual([]);
    },
  );
  browserTest(
    "Given two unread voicemails and a call on the executive's line, When the executive works them by keyboard alone, Then each button names its message, and the focus stays on the page: Mark read hands it to the message's Delete, which takes no Enter pressed at once; Delete hands it to the next message; Hang up to the line's voicemail",
    'keyboard-focus-kept',
    async () => {
      const { account, number } = await demo('keys-kept', 1);
      const onLine = `/accounts/${account.accountId}/lines/${encodeURIComponent(number)}`;
      await send(suite.stack.api, 'POST', `${onLine}/calls`, { actor: 'exec1', to: '+15556660002' });
      // The line is busy: each outside call goes straight to its voicemail (R12).
      const leave = async (from: string) =>
        ((await send(suite.stack.api, 'POST', `${onLine}/incoming-calls`, { from })) as { callId: string })
          .callId;
      const older = await leave('+15553330001');
      const newer = await leave('+15553330002');
      const page = await seat(account.accountId, 'exec1');
      const card = page.locator(`section[data-line="${number}"]`);
      await card.locator('details.voicemail > summary').focus({ timeout: SHOWN_MS });
      await page.keyboard.press('Enter');
      const message = (id: string) => card.locator(`li[data-message="${id}"]`);
      /** Resolves once the focus is on `text` in the message `id` (or, without one, in the line's card). */
      const focusOn = (text: string, id?: string) => {
        const around = id ? `li[data-message="${id}"]` : `section[data-line="${number}"]`;
        return page.waitForFunction(
          `document.activeElement?.textContent?.startsWith(${JSON.stringify(text)}) &&
            document.activeElement.closest(${JSON.stringify(around)}) !== null`,
          null,
          { timeout: SHOWN_MS },
        );
      };
      // Whether the button under the focus was settling when each Enter came, as the page saw it.
      await page.evaluate(`window.settlingAtEnter = [];
        addEventListener('keydown', (event) => {
          if (event.key === 'Enter') settlingAtEnter.push(document.activeElement.classList.contains('settling'));
        });`);

      // A screen reader hears which message each button acts on, not a list of "Mark read".
      await card.getByRole('button', { name: 'Mark read: the message from +15553330002' }).focus();
      await page.keyboard.press('Enter');
      await message(newer).and(page.locator('.read')).waitFor({ timeout: SHOWN_MS });
      await focusOn('Delete', newer);
      await page.keyboard.press('Enter');
      await card.locator('button.settling').waitFor({ state: 'detached', timeout: SHOWN_MS });
      await expect(page.evaluate('window.settlingAtEnter')).resolves.toEqual([false, true]);
      await expect(message(newer).getAttribute('class')).resolves.toBe('read');

      await page.keyboard.press('Enter');
      await card.locator(`li.deleted[data-message="${newer}"]`).waitFor({ timeout: SHOWN_MS });
      await focusOn('Mark read', older);

      await card.getByRole('button', { name: 'Hang up' }).focus();
      await page.keyboard.press('Enter');
      await lampShows(page, 'exec1', number, 'idle');
      await focusOn('Voicemail');
    },
  );
  browserTest(
    'a delegate answers a ringing call by keyboard alone, sees where the focus is, and hears the lamps change',
    'keyboard',
    async () => {
      const { number, page } = await ringing('keys', ['assistant1'], '+15553330000');
      const announced = page.locator('[data-announcement]');
      await announced
        .filter({ hasText: `${number} is ringing from +15553330000` })
        .waitFor({ timeout: SHOWN_MS });

      const focused = `(() => {
        const at = document.activeElement;
        return at ? { text: at.textContent, line: at.closest('section[data-line]')?.getAttribute('data-line') ?? null,
          outline: getComputedStyle(at).outlineStyle } : null;
      })()`;
      let answer: { text: string; line: string | null; outline: string } | null = null;
      for (let presses = 0; presses < 60; presses++) {
        await page.keyboard.press('Tab');
        const at = await page.evaluate<{ text: string; line: string | null; outline: string } | null>(
          focused,
        );
        if (at?.text === 'Answer' && at.line === number) {
          answer = at;
          break;
        }
      }
      expect(answer).not.toBeNull();
      expect(answer!.outline).not.toBe('none');
      await page.keyboard.press('Enter');
      await lampShows(page, 'assistant1', number, 'busy');
      await announced.filter({ hasText: `${number} is busy` }).waitFor({ timeout: SHOWN_MS });

      const unknown = await open('?account=nowhere&viewer=assistant1');
      await unknown.getByRole('heading', { name: 'Unknown account' }).waitFor({ timeout: SHOWN_MS });
      const alert = await unknown.getByRole('alert').textContent();
      expect(alert).toContain('ACCOUNT_NOT_FOUND');
      expect(alert).toContain(edgeSentenceOf('ACCOUNT_NOT_FOUND', { account: 'nowhere' }));
    },
  );
});
