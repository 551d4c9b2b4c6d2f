import type { Availability, Seat } from '../../projector/src/panel/seat-contract.js';
import { sentenceOf } from '../../../libs/domain/src/reasons.js';
import { when } from './format.js';
import { useNextTimer } from './pending-timers.js';
import { type Act, RefusalNote, type Shown, Unavailable } from './controls.js';

/** Why "To the next timer" is disabled: the api's own refusal of it, in its sentence. */
const NO_PENDING_TIMER: Availability = {
  allowed: false,
  rule: 'R21',
  code: 'NO_PENDING_TIMER',
  sentence: sentenceOf('NO_PENDING_TIMER', {}),
};

/**
 * The stack's time; in virtual mode (R21) with the controls that move it on, the last exactly to the
 * next ring timeout, escalation or transfer recall: disabled with NO_PENDING_TIMER's sentence while the
 * api has none pending, which it would refuse.
 */
export function Clock({ seat, act, refusal }: { seat: Seat; act: Act; refusal: Shown | undefined }) {
  const virtual = seat.clock.mode === 'virtual';
  const next = useNextTimer(seat.position, virtual);
  if (!virtual) return null;
  return (
    <div class="clock" role="group" aria-label="Virtual clock">
      Virtual clock: <time dateTime={seat.clock.now}>{when(seat.clock.now)}</time>{' '}
      <button onClick={() => act('clock', 'POST', 'clock/advance', { bySeconds: 10 })}>+10 s</button>{' '}
      <button onClick={() => act('clock', 'POST', 'clock/advance', { bySeconds: 60 })}>+1 min</button>{' '}
      {next === null ? (
        <Unavailable label="To the next timer" availability={NO_PENDING_TIMER} />
      ) : (
        <button
          title={next === undefined ? undefined : `The next timer is due at ${when(next)}`}
          onClick={() => act('clock', 'POST', 'clock/advance-to-next-timer')}
        >
          To the next timer
        </button>
      )}
      <RefusalNote refusal={refusal} />
    </div>
  );
}
