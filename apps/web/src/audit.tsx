import { useEffect, useState } from 'preact/hooks';
import { Refusal, isStackDown, loadJson } from './api.js';
import { liveSeats } from './live.js';
import { auditStep } from '../../../libs/read-models/src/queries/audit-steps.js';
import { when } from './format.js';

/** One event of a call's audit trail, as the projector's `/lines/…/calls/…/audit` lists it. */
interface AuditEntry {
  readonly eventId: string;
  readonly type: string;
  readonly position: string;
  readonly actor: string;
  readonly onBehalfOf: string | null;
  readonly permission: string | null;
  readonly simulatedTime: string;
  readonly chainHash: string;
  /** The event's data, from which its step is told (`auditStep`, as `switchboard audit call` tells it). */
  readonly data: object;
}

/**
 * The story of one call, opened from its history entry: who did what, for whom, under which permission.
 * `at` is the `$all` position of the seat it is shown on. Live, an open trail is read again whenever the
 * seat moves on, so a call still going on shows its later events as the lamp does. In time travel
 * (`past`) it is the story as of `at`, as the history entry it opens from is: a later event would tell
 * what the view has not reached yet.
 */
export function AuditTrail(props: {
  account: string;
  number: string;
  callId: string;
  at: string;
  past: boolean;
}) {
  const { account, number, callId, at, past } = props;
  const asOf = past ? at : undefined;
  const [open, setOpen] = useState(false);
  /**
   * The entries read, with the past view they were read for: another view's entries are never shown;
   * live ones stay shown while the next read is on its way.
   */
  const [trail, setTrail] = useState<{ readonly asOf?: string; readonly entries: readonly AuditEntry[] }>();
  const [error, setError] = useState<Refusal>();
  /** How many times the trail was read again because the stack answers again after not answering. */
  const [revivals, setRevivals] = useState(0);
  const path = `/lines/${encodeURIComponent(account)}/${encodeURIComponent(number.replace(/^\+/, ''))}/calls/${encodeURIComponent(callId)}/audit`;
  /** The trail as of the view, in a format of the projector's (`json` or `csv`). */
  const query = (format?: 'csv') => {
    const search = new URLSearchParams({
      ...(asOf === undefined ? {} : { asOf }),
      ...(format ? { format } : {}),
    });
    return search.size === 0 ? path : `${path}?${search}`;
  };
  /**
   * The projector's own exports, which `switchboard audit verify` checks (JSON or CSV, hash-chained),
   * named as the projector names its CSV; a past view's export says the position it is cut at, since
   * the log holds more of the call than the file.
   */
  const exportOf = (format: 'json' | 'csv') =>
    `call-${callId}-audit${asOf === undefined ? '' : `-as-of-${asOf}`}.${format}`;
  useEffect(() => {
    if (!open) return;
    let current = true;
    loadJson<{ entries: AuditEntry[] }>(query()).then(
      (read) => {
        if (!current) return;
        setTrail({ asOf, entries: read.entries });
        setError(undefined);
      },
      (e: Refusal) => {
        if (current) setError(e);
      },
    );
    return () => {
      current = false;
    };
  }, [open, path, at, past, revivals]);
  // A trail read while the stack was down is read again once the page's connection is live again: the
  // seat's position may not have moved meanwhile (nothing happened), which alone would leave the trail
  // saying the stack is not answering long after it answers.
  useEffect(() => {
    if (!open || !isStackDown(error)) return;
    return liveSeats.whenLiveAgain(() => setRevivals((count) => count + 1));
  }, [open, error]);
  const entries = trail && trail.asOf === asOf ? trail.entries : undefined;
  return (
    <details class="audit" onToggle={(event) => setOpen((event.currentTarget as HTMLDetailsElement).open)}>
      <summary>Audit trail</summary>
      {error && (
        <p class="refusal" role="alert">
          <code>{error.code}</code> {error.message}
        </p>
      )}
      {!entries && !error && open && <p aria-busy="true">Loading the trail…</p>}
      {entries && (
        <div class="trail">
          <table>
            <thead>
              <tr>
                <th>time</th>
                <th>event</th>
                <th>what</th>
                <th>actor</th>
                <th>on behalf of</th>
                <th>permission</th>
                <th>position</th>
                <th>hash</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.eventId}>
                  <td>
                    <time dateTime={e.simulatedTime}>{when(e.simulatedTime)}</time>
                  </td>
                  <td data-type={e.type}>{e.type}</td>
                  <td data-what>{auditStep(e)}</td>
                  <td>{e.actor}</td>
                  <td>{e.onBehalfOf ?? ''}</td>
                  <td>{e.permission ?? ''}</td>
                  <td data-position={e.position}>{e.position}</td>
                  <td title={e.chainHash}>
                    <code>{e.chainHash.slice(0, 12)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {entries && (
        <p class="export">
          <a href={query()} download={exportOf('json')}>
            Export JSON
          </a>{' '}
          ·{' '}
          <a href={query('csv')} download={exportOf('csv')}>
            Export CSV
          </a>{' '}
          · check a file with <code>switchboard audit verify FILE</code>
        </p>
      )}
    </details>
  );
}
