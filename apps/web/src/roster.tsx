import type { Seat, SeatDelegation } from '../../projector/src/panel/seat-contract.js';
import { named, permissionWords, phone, when } from './format.js';
import { type Act, GroupedControl, Reasons, RefusalNote, type Shown } from './controls.js';

function Delegations(props: { title: string; rows: readonly SeatDelegation[]; seat: Seat; act: Act }) {
  const { title, rows, seat, act } = props;
  return (
    <>
      <h3>{title}</h3>
      {rows.length === 0 ? (
        <p class="empty">None</p>
      ) : (
        <ul>
          {rows.map((d) => (
            <li key={d.delegationId} data-delegation={d.delegationId} data-status={d.status}>
              <strong>{named(d.other.name)}</strong> · <span class={`status ${d.status}`}>{d.status}</span>{' '}
              since {when(d.statusSince)} ·{' '}
              {d.permissions.length ? d.permissions.map(permissionWords).join(', ') : 'no permissions'} ·
              lines {d.sharedLines.length ? d.sharedLines.map(phone).join(', ') : 'none'}
              {d.activationRefused && (
                <>
                  {' '}
                  ·{' '}
                  <span class="activation-refused" data-code={d.activationRefused.code}>
                    cannot be accepted yet ({d.activationRefused.rule}): {d.activationRefused.message}
                  </span>
                </>
              )}
              {d.optInOut && (
                <>
                  {' '}
                  · {d.optedIn ? 'opted in' : 'opted out'}{' '}
                  <GroupedControl
                    label={d.optedIn ? 'Opt out' : 'Opt in'}
                    availability={d.optInOut}
                    onClick={() =>
                      act(
                        'roster',
                        'POST',
                        `accounts/${encodeURIComponent(seat.account.accountId)}/delegations/${encodeURIComponent(d.delegationId)}/${d.optedIn ? 'opt-out' : 'opt-in'}`,
                      )
                    }
                  />{' '}
                  <Reasons refused={[d.optInOut]} />
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

export function Roster({ seat, act, refusal }: { seat: Seat; act: Act; refusal: Shown | undefined }) {
  return (
    <section class="roster" aria-label="Delegations">
      <h2>Delegations</h2>
      <Delegations title="My delegates" rows={seat.delegates} seat={seat} act={act} />
      <Delegations title="I assist" rows={seat.delegators} seat={seat} act={act} />
      <RefusalNote refusal={refusal} />
    </section>
  );
}
