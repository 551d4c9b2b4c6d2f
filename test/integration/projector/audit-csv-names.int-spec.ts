import { randomUUID } from 'node:crypto';
import { eventSchemas, type AccountEvent } from '#events';
import { csvText, parseCsv } from '#http';
import { accountEvents, delegatorOf, lineEvents } from '../../../bench/replay/workload.js';
import { serveAccount } from '../../support/account-projector.js';
import { connectToSharedStore, testMetadata } from '../../support/shared-store.js';

/**
 * A name the api refuses today (bidi controls, since the last session) may sit in a store written
 * before: the audit trail's CSV carries it as data, character for character, and still never as a
 * formula a spreadsheet would run, even with the formula behind an invisible bidi control.
 */
describe('an audit CSV of a party named with bidi controls and a formula, written to the store before the api refused them', () => {
  const { store } = connectToSharedStore(eventSchemas);
  const HOSTILE = '\u202E=HYPERLINK("http://evil.example")';

  it('keeps every character of the name, behind the quote mark that keeps a spreadsheet from running it', async () => {
    // Given an account whose delegator is named with a right-to-left override before a formula,
    // appended straight to the store, and its line's calls
    const accountId = `csv${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const options = { seed: 3, accountId, lines: 1, callsPerLine: 12 };
    const account = accountEvents(options);
    const renamed = account.events.map((event) =>
      'name' in event.data && event.data.name === 'Boss 0'
        ? ({ ...event, data: { ...event.data, name: HOSTILE } } as AccountEvent)
        : event,
    );
    expect(renamed).not.toEqual(account.events);
    await store.append(account.stream, renamed, 'any', testMetadata({ actor: 'system:test' }));
    // (all of them said to be the delegator's: the trail names each step's actor from its metadata)
    const line = lineEvents(options, 0);
    const { position } = await store.append(
      line.stream,
      line.events,
      'any',
      testMetadata({ actor: delegatorOf(0) }),
    );
    const served = await serveAccount(store, accountId);
    try {
      await served.projector.waitForPosition(position);
      const history = (await (
        await fetch(
          `${served.url}/lines/${accountId}/${line.stream.split('.')[1]}/history?viewer=${delegatorOf(0)}`,
        )
      ).json()) as { calls: { callId: string }[] };

      // When the trails of its calls are exported as CSV
      const cells: string[] = [];
      for (const { callId } of history.calls) {
        const [header, ...rows] = parseCsv(
          await (await fetch(`${served.url}/calls/${callId}/audit?format=csv`)).text(),
        );
        const actorName = header!.indexOf('actorName');
        cells.push(
          ...rows
            .filter((row) => row[header!.indexOf('actor')] === delegatorOf(0))
            .map((row) => row[actorName]!),
        );
      }

      // Then the delegator's name is in them, neutralised as a formula and otherwise unchanged
      expect(cells.length).toBeGreaterThan(0);
      expect(new Set(cells)).toEqual(new Set([`'${HOSTILE}`]));
      expect(csvText(cells[0]!)).toBe(HOSTILE);
    } finally {
      await served.close();
    }
  });
});
