import type { Page } from 'playwright-core';
import { send } from '../../tools/demo-account.js';
import {
  DELEGATOR_ON_CONNECTED_CALL,
  SHOWN_MS,
  panelBrowserSuite,
  recordAnnouncements,
  waitUntilAnnounced,
} from '../support/panel-browser.js';

/**
 * What a call's controls offer as it goes from phase to phase, in Debian's Chromium over the real
 * processes: every control a seat shows enabled is one the api takes, and one it would refuse is
 * disabled with the refusal's sentence. The virtual clock keeps a transfer ringing until it is moved.
 */
describe('the panel in a browser: a call’s controls, phase by phase', () => {
  const suite = panelBrowserSuite();
  const { browserTest } = suite;

  const seatOf = (page: Page, viewer: string) => page.locator(`section.seat[data-viewer="${viewer}"]`);
  const lineOf = (page: Page, viewer: string, number: string) =>
    seatOf(page, viewer).locator(`section[data-line="${number}"]`);
  const lampShows = (page: Page, viewer: string, number: string, state: string) =>
    page.waitForSelector(
      `section.seat[data-viewer="${viewer}"] section[data-line="${number}"] [data-lamp="${state}"]`,
      { timeout: SHOWN_MS },
    );
  const actionsOf = (page: Page, viewer: string, number: string) =>
    lineOf(page, viewer, number).getByRole('group', { name: 'Call actions' });
  /** Expects a seat's enabled call actions on a line to be `expected`, by label, once they have settled. */
  const expectEnabled = (page: Page, viewer: string, number: string, expected: readonly string[]) =>
    suite.expectEnabledActions(actionsOf(page, viewer, number), expected);

  browserTest(
    "Given a call an assistant places on its executive's line, When it dials, connects, is transferred (declined, then answered) and held, Then each seat offers enabled only what the api takes then, and the next call starts with no transfer target chosen, until its caller hangs up",
    'call-phases',
    async () => {
      const account = await suite.demo('phases', { assistants: 2 });
      const number = account.executives[0]!.numbers[0]!;
      const page = await suite.room('phases', ['exec1', 'assistant1']);

      // When Assistant 1 places a call from Executive 1's line
      const dialer = seatOf(page, 'assistant1').getByRole('form', { name: 'Place a call' });
      await dialer.getByLabel('Call from').selectOption(number);
      await dialer.getByRole('textbox', { name: 'Number to call' }).fill('+15559990000');
      await dialer.getByRole('button', { name: 'Call', exact: true }).click();
      await lampShows(page, 'exec1', number, 'busy');
      // Then, while it dials, the assistant may only hang up: Hold, Record and Transfer say why not (R15, R16, R18)
      await expectEnabled(page, 'assistant1', number, ['Hang up']);
      await expect(
        actionsOf(page, 'assistant1', number).locator('.why[data-code="CALL_NOT_CONNECTED"]').textContent(),
      ).resolves.toMatch(/^CALL_NOT_CONNECTED Call \S+ is dialing, not connected;/);
      await expect(
        actionsOf(page, 'assistant1', number).getByLabel('Transfer to').isDisabled(),
      ).resolves.toBe(true);
      // And Executive 1, not on the call, is offered no privacy lock: the api takes it only from a party on it (R15)
      await expectEnabled(page, 'exec1', number, []);

      // When the called number answers, played from the line's card as the outside world is
      await lineOf(page, 'exec1', number).getByRole('button', { name: '+15559990000 answers' }).click();
      // Then the assistant may hold, record and transfer it; Executive 1 may join it, still not lock it
      await expectEnabled(page, 'assistant1', number, ['Hold', 'Hang up', 'Record']);
      await expect(actionsOf(page, 'assistant1', number).locator('.why').count()).resolves.toBe(0);
      await expectEnabled(page, 'exec1', number, ['Join']);
      // And the assistant may transfer it to Executive 1 only, not to Assistant 2: a delegate transfers to
      // its delegator (R16), and the executive to either assistant
      await expect(
        actionsOf(page, 'assistant1', number).getByLabel('Transfer to').locator('option').allTextContents(),
      ).resolves.toEqual(['choose…', 'Executive 1']);
      // And, until a target is chosen, Transfer is disabled saying so
      await expect(
        actionsOf(page, 'assistant1', number).getByRole('button', { name: 'Transfer' }).getAttribute('title'),
      ).resolves.toBe('Choose whom to transfer the call to first, in Transfer to.');

      // When the assistant transfers it to Executive 1, by keyboard
      await recordAnnouncements(page);
      await actionsOf(page, 'assistant1', number).getByLabel('Transfer to').selectOption('exec1');
      await actionsOf(page, 'assistant1', number).getByRole('button', { name: 'Transfer' }).press('Enter');
      await lampShows(page, 'exec1', number, 'transferring');
      // Then, while Executive 1's phone rings, the assistant may only hang up, and its page says why
      await expectEnabled(page, 'assistant1', number, ['Hang up']);
      await expect(
        actionsOf(page, 'assistant1', number).locator('.why[data-code="CALL_NOT_CONNECTED"]').textContent(),
      ).resolves.toMatch(/is transferring, not connected;/);
      await expectEnabled(page, 'exec1', number, ['Answer transfer', 'Decline transfer']);
      // And a screen reader is told, of both seats, that the transfer rings for Executive 1
      await waitUntilAnnounced(page, [
        `Executive 1: My number ${number} is transferring to you.`,
        `Assistant 1: Executive 1 · ${number} is transferring.`,
      ]);

      // When Executive 1 declines it, Then the call is the assistant's again (R16), to transfer once more
      await actionsOf(page, 'exec1', number).getByRole('button', { name: 'Decline transfer' }).click();
      await lampShows(page, 'exec1', number, 'busy');
      await expectEnabled(page, 'assistant1', number, ['Hold', 'Hang up', 'Record', 'Transfer']);
      await actionsOf(page, 'assistant1', number).getByRole('button', { name: 'Transfer' }).click();
      await lampShows(page, 'exec1', number, 'transferring');

      // When Executive 1 answers it, Then everything an owner on its call may do is offered
      await actionsOf(page, 'exec1', number).getByRole('button', { name: 'Answer transfer' }).click();
      await expectEnabled(page, 'exec1', number, DELEGATOR_ON_CONNECTED_CALL);
      await expect(
        actionsOf(page, 'exec1', number).getByLabel('Transfer to').locator('option').allTextContents(),
      ).resolves.toEqual(['choose…', 'Assistant 1', 'Assistant 2']);

      // When Executive 1 holds it, Then it may resume it, hang up (the holder is on it, R12) and lock it;
      // the assistant may pick it up or merge it into a call of its own (R16), and sees no lock to set
      await actionsOf(page, 'exec1', number).getByRole('button', { name: 'Hold', exact: true }).click();
      await lampShows(page, 'assistant1', number, 'held');
      await expectEnabled(page, 'exec1', number, ['Resume', 'Hang up', 'Lock for privacy']);
      await expectEnabled(page, 'assistant1', number, ['Pick up', 'Merge into my call']);
      await actionsOf(page, 'assistant1', number).getByRole('button', { name: 'Pick up' }).click();
      await lampShows(page, 'exec1', number, 'busy');

      // When the assistant holds it in turn, Then Executive 1, not on it, may pick it up or merge it but not
      // lock it (the assistant's Transfer is enabled: Executive 1 is still the target it chose for this call)
      await expectEnabled(page, 'assistant1', number, ['Hold', 'Hang up', 'Record', 'Transfer']);
      await actionsOf(page, 'assistant1', number).getByRole('button', { name: 'Hold', exact: true }).click();
      await lampShows(page, 'exec1', number, 'held');
      await expectEnabled(page, 'exec1', number, ['Pick up', 'Merge into my call']);
      await expectEnabled(page, 'assistant1', number, ['Resume', 'Hang up']);
      await expect(actionsOf(page, 'assistant1', number).locator('.why').textContent()).resolves.toMatch(
        /^R16 .*cannot merge held calls on line .*: You hold call \S+; resume it instead\./,
      );
      // When Executive 1 merges it, Then both are on the call
      await actionsOf(page, 'exec1', number).getByRole('button', { name: 'Merge into my call' }).click();
      await lampShows(page, 'assistant1', number, 'busy');
      await expect(lineOf(page, 'exec1', number).locator('.lamp-row').textContent()).resolves.toMatch(
        /Busy\s*Assistant 1, you/,
      );
      await actionsOf(page, 'assistant1', number).getByRole('button', { name: 'Hang up' }).click();
      await actionsOf(page, 'exec1', number).getByRole('button', { name: 'Hang up' }).click();
      await lampShows(page, 'assistant1', number, 'idle');

      // When the next call rings and the assistant answers it, Then no transfer target is chosen for it:
      // Executive 1, chosen for the last call, is not one click away on this one
      await send(
        suite.stack.api,
        'POST',
        `/accounts/phases/lines/${encodeURIComponent(number)}/incoming-calls`,
        {
          from: '+15558880000',
        },
      );
      await lampShows(page, 'assistant1', number, 'ringing');
      await actionsOf(page, 'assistant1', number)
        .getByRole('button', { name: 'Answer', exact: true })
        .click();
      await expectEnabled(page, 'assistant1', number, ['Hold', 'Hang up', 'Record']);
      await expect(
        actionsOf(page, 'assistant1', number).getByLabel('Transfer to').inputValue(),
      ).resolves.toBe('');
      // When the assistant records it, Then Stop recording takes Record's place as R20 says of it (R18)
      await actionsOf(page, 'assistant1', number).getByRole('button', { name: 'Record' }).click();
      await expectEnabled(page, 'assistant1', number, ['Hold', 'Hang up', 'Stop recording']);
      await actionsOf(page, 'assistant1', number).getByRole('button', { name: 'Stop recording' }).click();
      await expectEnabled(page, 'assistant1', number, ['Hold', 'Hang up', 'Record']);

      // When the caller hangs up, Then the call is over on both seats
      await lineOf(page, 'assistant1', number).getByRole('button', { name: '+15558880000 hangs up' }).click();
      await lampShows(page, 'exec1', number, 'idle');
      await lampShows(page, 'assistant1', number, 'idle');
      await expect(page.getByRole('group', { name: 'The other end of the call' }).count()).resolves.toBe(0);
    },
  );
});
