import { useEffect } from 'preact/hooks';
import type { Directory } from '../../projector/src/panel/seat-contract.js';
import { Refusal, isStackDown } from './api.js';
import { named } from './format.js';

/** A seat or room whose address names a viewer its account has not: the account, and who is unknown. */
export class UnknownViewer extends Refusal {
  constructor(
    message: string,
    readonly account: Directory['accounts'][number],
    readonly unknown: string,
  ) {
    super(404, 'PARTY_NOT_FOUND', message);
  }
}

/**
 * A page that cannot be shown says why and what to do: unknown account or viewer, or a stack that is
 * down, which the page waits out by itself.
 */
export function Problem({ error }: { error: Refusal }) {
  const title = isStackDown(error)
    ? 'The stack is down'
    : error.code === 'ACCOUNT_NOT_FOUND'
      ? 'Unknown account'
      : error.code === 'PARTY_NOT_FOUND'
        ? 'Unknown viewer'
        : 'This page cannot be shown';
  // The tab says it too: reached by Back from a seat, it would go on naming a page no longer shown.
  useEffect(() => {
    document.title = `${title} · Switchboard`;
  }, [title]);
  return (
    <main class="problem">
      <div role="alert">
        <h1>{title}</h1>
        <p>
          <code>{error.code}</code> {error.message}
        </p>
      </div>
      {isStackDown(error) && (
        <p>The page asks again every few seconds, and shows itself once the stack answers.</p>
      )}
      {error instanceof UnknownViewer && <KnownSeats error={error} />}
      <p>
        <a href="/panel">All accounts and parties</a>
      </p>
    </main>
  );
}

/**
 * Where an address naming a viewer the account has not (mistyped, or of another account) goes on to:
 * the room without it, when others are known, and each seat of the account, as the landing page lists
 * them.
 */
function KnownSeats({ error }: { error: UnknownViewer }) {
  const { account, unknown } = error;
  const withoutIt = new URL(location.href);
  const viewers = withoutIt.searchParams.getAll('viewer').filter((viewer) => viewer !== unknown);
  withoutIt.searchParams.delete('viewer');
  for (const viewer of viewers) withoutIt.searchParams.append('viewer', viewer);
  return (
    <nav aria-label={`Seats of ${named(account.name)}`}>
      {viewers.length > 0 && (
        <p>
          <a href={withoutIt.href}>
            The {viewers.length === 1 ? 'seat' : 'room'} without "{named(unknown)}"
          </a>
        </p>
      )}
      <p>The seats of {named(account.name)}:</p>
      <ul>
        {account.parties.map((party) => (
          <li key={party.partyId}>
            <a href={`/panel?${new URLSearchParams({ account: account.accountId, viewer: party.partyId })}`}>
              {named(party.name)}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
