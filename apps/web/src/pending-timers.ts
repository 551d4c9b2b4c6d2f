import { useEffect, useState } from 'preact/hooks';
import { pendingTimers } from './api.js';

/** The api's next pending timer: its due time, `null` when none is pending, `undefined` while unknown. */
type NextTimer = string | null | undefined;

/** The next timer as last asked, and the seat position it was asked at: the tab's, whichever seat shows. */
let known: { readonly position: string; readonly next: NextTimer } | undefined;
/** The position the seat shown last is at, whose next timer is wanted. */
let wanted: string | undefined;
/** A look-up is on its way. */
let asking = false;
/** The pages' clocks, each told every answer. */
const told = new Set<(next: NextTimer) => void>();

/**
 * Asks for the next timer as of the position wanted, one look-up at a time: a seat that moves many
 * times a second (a load run firing at it) asks once, then once more for where it is when that answers,
 * not once per position, which would fire a request at the projector (and its one at the api) per event.
 */
const askForWanted = (): void => {
  const position = wanted;
  if (asking || position === undefined || known?.position === position) return;
  asking = true;
  void pendingTimers().then((timers) => {
    asking = false;
    const next = timers.answering ? (timers.pendingTimers[0]?.dueAt ?? null) : undefined;
    // An api not answering is asked again at the next position, not taken as the answer for this one.
    if (timers.answering) known = { position, next };
    // The latest answer is the best known while the seat moves on: the timers are the stack's anyway.
    for (const tell of told) tell(next);
    if (wanted !== position) askForWanted();
  });
};

/**
 * The api's next pending timer (a ring timeout, VIP escalation or transfer recall): its due time,
 * `null` when none is pending, `undefined` while unknown (not asked yet, or the api not answering).
 * Asked again whenever the seat's position moves (a ring sets a timer, an answer or the clock's move
 * takes one away), not again for the same position: moving between an account's seats and rooms asks
 * the server nothing. The clock is the stack's, so a timer set on another account, which this seat's
 * stream does not carry, shows at the seat's next change. Not `asked` (a realtime stack, whose clock
 * no one moves to a timer), nothing is asked.
 */
export function useNextTimer(position: string, asked: boolean): NextTimer {
  const [next, setNext] = useState(known?.position === position ? known.next : undefined);
  useEffect(() => {
    if (!asked) return;
    told.add(setNext);
    wanted = position;
    if (known?.position === position) setNext(known.next);
    else askForWanted();
    return () => {
      told.delete(setNext);
    };
  }, [position, asked]);
  return next;
}
