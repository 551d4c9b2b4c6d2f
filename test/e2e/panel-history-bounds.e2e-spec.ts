import { send } from '../../tools/demo-account.js';
import { SHOWN_MS, panelBrowserSuite } from '../support/panel-browser.js';

/**
 * Where a seat's history ends, in Debian's Chromium over the real processes: a delegation that is
 * over offers nothing to do on it, as the projector's answer says (R20).
 */
describe('the panel in a browser: the ends of a seat’s history', () => {
  const suite = panelBrowserSuite();
  const { seat, browserTest } = suite;

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
});
