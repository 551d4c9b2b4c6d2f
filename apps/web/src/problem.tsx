import { useEffect } from 'preact/hooks';
import { Refusal, isStackDown } from './api.js';

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
      <p>
        <a href="/panel">All accounts and parties</a>
      </p>
    </main>
  );
}
