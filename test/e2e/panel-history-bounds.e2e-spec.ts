import type { Page } from 'playwright-core';
import { delegationReadyPhoneUser, send } from '../../tools/demo-account.js';
import { SHOWN_MS, panelBrowserSuite } from '../support/panel-browser.js';

/**
 * Where a seat's history ends and starts, in Debian's Chromium over the real processes: a delegation
 * that is over offers nothing to do on it, and time travel stops at the seat's first event without
 * asking the projector for a seat that did not exist yet. Both are the projector's answers (R20).
 */
describe('the panel in a browser: the ends of a seat’s history', () => {
  const suite = panelBrowserSuite();
  const { seat, browserTest } = suite;

  /** The requests of `page` that failed or were refused (4xx, 5xx), each as its method and address. */
  const failedRequests = (page: Page): string[] => {
    const failed: string[] = [];
    page.on('requestfailed', (request) => failed.push(`${request.method()} ${request.url()}`));
    page.on('response', (response) => {
      if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
    });
    return failed;
  };

  /**
   * A new account `accountId` whose phone users `first` and `then` were provisioned one after the
   * other, each with a number; resolves with the `$all` position of `then`'s provisioning, where its
   * seat starts.
   */
  const provisionedInTurn = async (accountId: string, first: string, then: string): Promise<string> => {
    await send(suite.stack.api, 'POST', '/accounts', { actor: 'admin', accountId, name: accountId });
    const provision = (partyId: string, number: string) =>
      send(
        suite.stack.api,
        'POST',
        `/accounts/${accountId}/phone-users`,
        delegationReadyPhoneUser('admin', partyId, partyId, [number]),
      );
    await provision(first, '+15554440041');
    return (await provision(then, '+15554440042')).position as string;
  };

  browserTest(
    'R7: Given Assistant 1’s delegation revoked, a second invitation declined and a third accepted, When Assistant 1 looks at its roster, Then only the live delegation offers to opt in or out of ringing',
    'finished-delegations-toggle',
    async () => {
      const account = await suite.demo('finished');
      const delegations = `/accounts/finished/delegations`;
      const invite = async () => {
        const invited = await send(suite.stack.api, 'POST', delegations, {
          actor: 'exec1',
          delegatorId: 'exec1',
          delegateId: 'assistant1',
          permissions: ['answerCalls', 'optInOut'],
          sharedLines: account.executives[0]!.numbers,
        });
        return invited.delegationId as string;
      };
      const [{ delegationId: revoked }] = account.delegations;
      await send(suite.stack.api, 'POST', `${delegations}/${revoked}/revoke`, { actor: 'exec1' });
      const declined = await invite();
      await send(suite.stack.api, 'POST', `${delegations}/${declined}/decline`, { actor: 'assistant1' });
      const active = await invite();
      await send(suite.stack.api, 'POST', `${delegations}/${active}/accept`, { actor: 'assistant1' });

      const page = await seat('finished', 'assistant1');
      const row = (delegation: string) => page.locator(`li[data-delegation="${delegation}"]`);
      await row(active).and(page.locator('[data-status="active"]')).waitFor({ timeout: SHOWN_MS });
      await expect(
        row(active)
          .getByRole('button', { name: /^Opt (in|out)$/ })
          .isEnabled(),
      ).resolves.toBe(true);
      for (const [delegation, status] of [
        [revoked, 'revoked'],
        [declined, 'declined'],
      ] as const) {
        await expect(row(delegation).getAttribute('data-status')).resolves.toBe(status);
        await expect(row(delegation).getByRole('button').count()).resolves.toBe(0);
        await expect(row(delegation).textContent()).resolves.not.toMatch(/opted (in|out)/);
      }
    },
  );

  browserTest(
    'Given a seat live one event after its party’s first, When the architect steps back to that first event, Then Step back is disabled with the sentence why, and no request is refused',
    'time-travel-seat-start',
    async () => {
      await provisionedInTurn('start', 'solo', 'later');
      const page = await seat('start', 'solo');
      const failed = failedRequests(page);
      const travel = page.getByRole('group', { name: 'Time travel' });
      const stepBack = travel.getByRole('button', { name: 'Step back one event' });

      await stepBack.click();
      await travel.locator('[data-as-of]').waitFor({ timeout: SHOWN_MS });
      const why = 'This is the first event of the seat: before it, its party was not in the account yet.';
      await page.waitForSelector(`.time-travel button[title="${why}"]:disabled`, { timeout: SHOWN_MS });
      await expect(travel.locator('.why').textContent()).resolves.toBe(why);
      await expect(travel.textContent()).resolves.toContain('after PhoneUserProvisioned');
      // The one view asked for is the seat's first; nothing before it was asked, so nothing was refused.
      const pastSeats = suite.browser.requests.filter((url) =>
        /\/panel\/seat\?account=start&.*asOf=/.test(url),
      );
      expect(pastSeats).toHaveLength(1);
      expect(failed).toEqual([]);
    },
  );

  browserTest(
    'Given a seat whose party joined the account after another, When the architect opens its address as of position 0, and then shows a time before its first event, Then each shows the seat as of that first event, saying so, with no step back, and no request is refused',
    'time-travel-before-seat',
    async () => {
      const joined = await provisionedInTurn('before', 'founder', 'joiner');
      const page = await suite.open('?account=before&viewer=joiner&asOf=0');
      const travel = page.getByRole('group', { name: 'Time travel' });
      const fromStart = travel.locator('[data-from-start]');
      /** Expects the seat shown as of its first event, asked for as `asked`, and nothing before it offered. */
      const expectShownFromStart = async (asked: string) => {
        await page.waitForSelector(`[data-as-of="${joined}"]`, { timeout: SHOWN_MS });
        await expect(fromStart.textContent()).resolves.toBe(
          `${asked} is before this seat's history starts: shown as of its first event (position ${joined}), when its party joined the account.`,
        );
        await page
          .locator('section.seat[data-viewer="joiner"] section[data-line="+15554440042"]')
          .waitFor({ timeout: SHOWN_MS });
        await page.waitForSelector(
          '.time-travel button[title^="This is the first event of the seat"]:disabled',
          {
            timeout: SHOWN_MS,
          },
        );
        await expect(travel.locator('[role="alert"]').count()).resolves.toBe(0);
      };

      await expectShownFromStart('asOf=0');
      expect(new URL(page.url()).searchParams.get('asOf')).toBe('0');

      const failed = failedRequests(page);
      await travel.getByRole('button', { name: 'Back to live' }).click();
      await fromStart.waitFor({ state: 'detached', timeout: SHOWN_MS });
      // Days before the stack's clock started: no event of the account, nor of any other, is that old.
      await travel.getByLabel('As of time').fill('2026-01-01T00:00:00');
      await travel.getByRole('button', { name: 'Show' }).click();
      await page.waitForURL(/asOfTime=/, { timeout: SHOWN_MS });
      await expectShownFromStart(`asOfTime=${new URL(page.url()).searchParams.get('asOfTime')}`);
      // The seat as of a point before it was never asked for: no 404 to log, nothing refused.
      expect(
        suite.browser.requests.filter((url) =>
          /\/panel\/seat\?account=before&.*asOf(Time)?=(0|2026-01-01)/.test(url),
        ),
      ).toEqual([]);
      expect(failed).toEqual([]);
    },
  );
});
