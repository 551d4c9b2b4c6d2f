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
      await send(suite.stack.api, 'POST', '/accounts', { actor: 'admin', accountId: 'start', name: 'Start' });
      const provision = (partyId: string, number: string) =>
        send(
          suite.stack.api,
          'POST',
          '/accounts/start/phone-users',
          delegationReadyPhoneUser('admin', partyId, partyId, [number]),
        );
      await provision('solo', '+15554440041');
      await provision('later', '+15554440042');
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
});
