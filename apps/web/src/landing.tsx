import { useEffect, useState } from 'preact/hooks';
import type { Directory } from '../../projector/src/panel/seat-contract.js';
import { Refusal, STACK_RETRY_MS, isStackDown, loadDirectory } from './api.js';
import { named } from './format.js';
import { Problem } from './problem.js';

/** Where the page's history entry keeps the seats ticked in each account's room picker. */
const TICKED = 'roomPicker';

/**
 * The seats ticked in each account's room picker, as this history entry kept them: the app draws the
 * landing page anew on Back and Forward, and would otherwise show the room just opened unticked, as
 * the browser does not restore what it did not draw (it would, for a page it loaded).
 */
const tickedInEntry = (): ReadonlyMap<string, readonly string[]> => {
  const kept = (history.state as { [TICKED]?: unknown } | null)?.[TICKED];
  if (!Array.isArray(kept)) return new Map();
  return new Map(
    kept.filter(
      (pair): pair is [string, string[]] =>
        Array.isArray(pair) &&
        typeof pair[0] === 'string' &&
        Array.isArray(pair[1]) &&
        pair[1].every((viewer) => typeof viewer === 'string'),
    ),
  );
};

/**
 * Every account and its parties, each a link to its seat, and a room of the seats ticked: nobody has
 * to type a query string.
 */
export function Landing() {
  const [directory, setDirectory] = useState<Directory>();
  const [ticked, setTicked] = useState(tickedInEntry);
  const tick = (account: string, party: string, on: boolean) => {
    const seats = new Set(ticked.get(account));
    if (on) seats.add(party);
    else seats.delete(party);
    const next = new Map(ticked).set(account, [...seats]);
    setTicked(next);
    // Kept with this entry (not a new one): a tick is no step Back should undo.
    history.replaceState({ ...(history.state as object | null), [TICKED]: [...next] }, '');
  };
  const [error, setError] = useState<Refusal>();
  /** The room picker submitted with no seat ticked (its account). */
  const [unticked, setUnticked] = useState<string>();
  useEffect(() => {
    document.title = 'Switchboard · seats';
    let left = false;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const load = () =>
      loadDirectory(true).then(
        (found) => {
          if (left) return;
          setDirectory(found);
          setError(undefined);
        },
        (e: Refusal) => {
          if (left) return;
          setError(e);
          // A stack restarting answers again soon: the page asks again by itself, as a seat's stream does.
          if (isStackDown(e)) retry = setTimeout(load, STACK_RETRY_MS);
        },
      );
    void load();
    return () => {
      left = true;
      clearTimeout(retry);
    };
  }, []);
  if (error) return <Problem error={error} />;
  if (!directory) return <p aria-busy="true">Loading…</p>;
  return (
    <main>
      <h1>Switchboard</h1>
      <p>Open a seat: the lines a party may use, live, with the actions its permissions allow.</p>
      {directory.accounts.length === 0 && (
        <p class="empty">
          No accounts yet. Fill a demo account with <code>npm run demo</code>.
        </p>
      )}
      {directory.accounts.map((account) => (
        <section key={account.accountId} class="account" aria-label={named(account.name)}>
          <h2>
            {named(account.name)} <small>({account.accountId})</small>
          </h2>
          {account.parties.length === 0 && (
            // Nothing to open yet, and a room picker without a seat to tick would only refuse.
            <p class="empty">
              No party yet: provision a phone user or a common-area phone on the api (
              <code>POST /accounts/{account.accountId}/phone-users</code> or <code>…/common-area-phones</code>
              ), then reload this page.
            </p>
          )}
          <ul class="parties">
            {account.parties.map((party) => (
              <li key={party.partyId}>
                <a
                  href={`/panel?${new URLSearchParams({ account: account.accountId, viewer: party.partyId })}`}
                >
                  {named(party.name)}
                </a>{' '}
                <small>
                  {party.kind === 'commonAreaPhone' ? 'common-area phone' : 'user'} ·{' '}
                  {party.lines === 1 ? '1 line' : `${party.lines} lines`}
                </small>
              </li>
            ))}
          </ul>
          {account.parties.length > 0 && (
            <form
              class="room-picker"
              method="get"
              action="/panel"
              aria-label={`A room of ${named(account.name)}`}
              onSubmit={(event) => {
                // With no viewer the address is the landing page again: nothing would seem to happen.
                if (new FormData(event.currentTarget).has('viewer')) return;
                event.preventDefault();
                setUnticked(account.accountId);
              }}
              onChange={() => setUnticked(undefined)}
            >
              <input type="hidden" name="account" value={account.accountId} />
              <fieldset>
                <legend>Seats side by side (a call's journey across them, live):</legend>
                {account.parties.map((party) => (
                  <label key={party.partyId}>
                    <input
                      type="checkbox"
                      name="viewer"
                      value={party.partyId}
                      checked={ticked.get(account.accountId)?.includes(party.partyId) ?? false}
                      onChange={(event) =>
                        tick(account.accountId, party.partyId, (event.target as HTMLInputElement).checked)
                      }
                    />{' '}
                    {named(party.name)}{' '}
                  </label>
                ))}
              </fieldset>
              <button type="submit">Open the room</button>
              {unticked === account.accountId && (
                <p class="refusal" role="alert">
                  Tick at least one seat to open a room of it.
                </p>
              )}
            </form>
          )}
        </section>
      ))}
    </main>
  );
}
