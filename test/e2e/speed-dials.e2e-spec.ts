import { fillDemoAccount, send, DEFAULT_DEMO } from '../../tools/demo-account.js';
import { SHOWN_MS, panelBrowserSuite } from '../support/panel-browser.js';

/**
 * R22 and R23 in Debian's Chromium over the real processes: a delegate presses a speed-dial key of
 * its executive's list on the executive's line, the call is placed as dialling would place it, the
 * key of the executive turns busy (BLF), and every line key carries the line's name.
 */
describe('speed dials and line names in the browser', () => {
  const suite = panelBrowserSuite();
  const { seat, browserTest } = suite;

  browserTest(
    'R22/R23: a delegate presses a key on the executive’s named line; the call is placed and the BLF lamp turns busy',
    'speed-dials',
    async () => {
      const account = await fillDemoAccount(suite.stack.api, {
        ...DEFAULT_DEMO,
        accountId: 'dials',
        name: 'dials',
        executives: 1,
        linesPerExecutive: 1,
        assistants: 1,
        permissions: [...DEFAULT_DEMO.permissions, 'manageSpeedDials'],
      });
      const number = account.executives[0]!.numbers[0]!;
      const dials = `/accounts/dials/parties/exec1/speed-dials`;
      await send(
        suite.stack.api,
        'PUT',
        `/accounts/dials/parties/exec1/lines/${encodeURIComponent(number)}/name`,
        {
          actor: 'exec1',
          name: 'Front desk',
        },
      );
      // The assistant manages the executive's keys (manageSpeedDials): one external, one for the executive.
      await send(suite.stack.api, 'POST', dials, {
        actor: 'assistant1',
        entryId: 'travel',
        label: 'Travel desk',
        number: '+15559990001',
        position: 1,
      });
      await send(suite.stack.api, 'POST', dials, {
        actor: 'assistant1',
        entryId: 'boss',
        label: 'Boss',
        number,
        position: 2,
      });

      const assistantSeat = await seat('dials', 'assistant1');
      const executiveSeat = await seat('dials', 'exec1');
      // R23: the line's key carries its name, on both seats.
      for (const page of [assistantSeat, executiveSeat]) {
        const key = page.locator(`section[data-line="${number}"] h2`);
        await page.waitForSelector(`section[data-line="${number}"] h2[data-line-name="Front desk"]`, {
          timeout: SHOWN_MS,
        });
        await expect(key.textContent()).resolves.toContain('Front desk');
      }
      await expect(
        assistantSeat.locator(`section[data-line="${number}"] h2`).textContent(),
      ).resolves.toContain('Executive 1 · Front desk');

      const keys = assistantSeat.locator('.speed-dial-list[data-owner="exec1"]');
      await keys.locator('[data-entry="boss"][data-presence="idle"]').waitFor({ timeout: SHOWN_MS });
      await assistantSeat.getByLabel('Speed-dial line').selectOption(number);
      await keys.locator('[data-entry="travel"]').click();

      // The call is placed on the executive's line, on its behalf, as dialling would place it.
      await executiveSeat.waitForSelector(`section[data-line="${number}"] [data-lamp="busy"]`, {
        timeout: SHOWN_MS,
      });
      await expect(
        executiveSeat.locator(`section[data-line="${number}"] .lamp-row`).textContent(),
      ).resolves.toContain('Assistant 1 on behalf of Executive 1');
      // R22: the executive's line is in use, so the key for the executive shows busy (BLF).
      await keys.locator('[data-entry="boss"][data-presence="busy"]').waitFor({ timeout: SHOWN_MS });

      // Pressing a key on the busy line is refused as dialling is (R12), and the refusal is shown.
      await keys.locator('[data-entry="boss"]').click();
      await assistantSeat.waitForSelector('.speed-dials [role="alert"][data-code="LINE_BUSY"]', {
        timeout: SHOWN_MS,
      });
    },
  );

  browserTest(
    'a key refused (a number that is not E.164) keeps what was typed, to be corrected; a key added clears the form',
    'speed-dial-refused',
    async () => {
      await fillDemoAccount(suite.stack.api, {
        ...DEFAULT_DEMO,
        accountId: 'typed',
        name: 'typed',
        executives: 1,
        linesPerExecutive: 1,
        assistants: 0,
      });
      const page = await seat('typed', 'exec1');
      const form = page.getByRole('form', { name: 'Add a speed dial for Executive 1' });
      const label = form.getByRole('textbox', { name: 'Label' });
      const number = form.getByRole('textbox', { name: 'Number' });
      await label.fill('Travel desk');
      await number.fill('+12');
      await form.getByRole('button', { name: 'Add key 1' }).click();
      await page.waitForSelector('.speed-dials [role="alert"][data-code="INVALID_REQUEST"]', {
        timeout: SHOWN_MS,
      });
      await expect(label.inputValue()).resolves.toBe('Travel desk');
      await expect(number.inputValue()).resolves.toBe('+12');

      await number.fill('+15559990001');
      await form.getByRole('button', { name: 'Add key 1' }).click();
      await page.locator('.speed-dial-list [data-entry="travel-desk-1"]').waitFor({ timeout: SHOWN_MS });
      await expect(
        page
          .getByRole('form', { name: 'Add a speed dial for Executive 1' })
          .getByRole('textbox', { name: 'Label' })
          .inputValue(),
      ).resolves.toBe('');
    },
  );
});
