import { useEffect, useState } from 'preact/hooks';
import { STACK_RETRY_MS, pendingTimers } from './api.js';

/**
 * The api's next pending timer (a ring timeout, VIP escalation or transfer recall): its due time,
 * `null` when none is pending, `undefined` while unknown (not asked yet, or the api not answering).
 * Asked again whenever the seat's position moves (a ring sets a timer, an answer or the clock's move
 * takes one away), and, while none is pending, every few seconds too: the clock is the stack's, and a
 * call ringing on another account, which this seat's stream does not carry, sets a timer on it as well.
 */
export function useNextTimer(position: string): string | null | undefined {
  const [next, setNext] = useState<string | null>();
  useEffect(() => {
    let current = true;
    let again: ReturnType<typeof setTimeout> | undefined;
    const ask = () =>
      void pendingTimers().then((timers) => {
        if (!current) return;
        const soonest = timers.answering ? (timers.pendingTimers[0]?.dueAt ?? null) : undefined;
        setNext(soonest);
        if (soonest !== undefined && soonest !== null) return;
        again = setTimeout(ask, STACK_RETRY_MS);
      });
    ask();
    return () => {
      current = false;
      clearTimeout(again);
    };
  }, [position]);
  return next;
}
