import { useEffect, useState } from 'preact/hooks';
import { pendingTimers } from './api.js';

/** The next timer as last asked, and the seat position it was asked at: the tab's, whichever seat shows. */
let known: { readonly position: string; readonly next: string | null | undefined } | undefined;

/**
 * The api's next pending timer (a ring timeout, VIP escalation or transfer recall): its due time,
 * `null` when none is pending, `undefined` while unknown (not asked yet, or the api not answering).
 * Asked again whenever the seat's position moves (a ring sets a timer, an answer or the clock's move
 * takes one away), not again for the same position: moving between an account's seats and rooms asks
 * the server nothing. The clock is the stack's, so a timer set on another account, which this seat's
 * stream does not carry, shows at the seat's next change.
 */
export function useNextTimer(position: string): string | null | undefined {
  const [next, setNext] = useState(known?.position === position ? known.next : undefined);
  useEffect(() => {
    if (known?.position === position) {
      setNext(known.next);
      return;
    }
    let current = true;
    void pendingTimers().then((timers) => {
      const soonest = timers.answering ? (timers.pendingTimers[0]?.dueAt ?? null) : undefined;
      // An api not answering is asked again at the next position, not taken as the answer for this one.
      if (timers.answering) known = { position, next: soonest };
      if (current) setNext(soonest);
    });
    return () => {
      current = false;
    };
  }, [position]);
  return next;
}
