import { useState } from 'preact/hooks';
import { Refusal, loadJson } from './api.js';
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
}

/** The story of one call, opened from its history entry: who did what, for whom, under which permission. */
export function AuditTrail(props: { account: string; number: string; callId: string }) {
  const { account, number, callId } = props;
  const [entries, setEntries] = useState<readonly AuditEntry[]>();
  const [error, setError] = useState<Refusal>();
  const path = `/lines/${encodeURIComponent(account)}/${encodeURIComponent(number.replace(/^\+/, ''))}/calls/${encodeURIComponent(callId)}/audit`;
  return (
    <details
      class="audit"
      onToggle={(event) => {
        if ((event.currentTarget as HTMLDetailsElement).open && !entries) {
          loadJson<{ entries: AuditEntry[] }>(path).then(
            (trail) => setEntries(trail.entries),
            (e: Refusal) => setError(e),
          );
        }
      }}
    >
      <summary>Audit trail</summary>
      {error && (
        <p class="refusal" role="alert">
          <code>{error.code}</code> {error.message}
        </p>
      )}
      {entries && (
        <table>
          <thead>
            <tr>
              <th>time</th>
              <th>event</th>
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
                <td>{when(e.simulatedTime)}</td>
                <td>{e.type}</td>
                <td>{e.actor}</td>
                <td>{e.onBehalfOf ?? ''}</td>
                <td>{e.permission ?? ''}</td>
                <td>{e.position}</td>
                <td title={e.chainHash}>
                  <code>{e.chainHash.slice(0, 12)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </details>
  );
}
