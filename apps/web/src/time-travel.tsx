import { useEffect, useRef, useState } from 'preact/hooks';
import type { Seat, Steps } from '../../projector/src/panel/seat-contract.js';
import { Refusal, loadSteps, type PastPoint } from './api.js';
import { streamWords, when, zoneName } from './format.js';
import { SteadyButton } from './steady-button.js';
import { RefusalNote, type Shown } from './controls.js';
import { notComeYet } from './past-point.js';

/**
 * Time travel (the projector's asOf / asOfTime): step event by event through the account's events,
 * back and forth from any point (a time jumped to, too), then back to live.
 */
export function TimeTravel(props: {
  shown: Seat;
  /** The parties whose seats the page shows: no step back goes before the last of them was one. */
  viewers: readonly string[];
  /** The stack's time now (ms): its virtual clock, or the wall clock in realtime mode. */
  stackNow: number;
  past: boolean;
  /** The address names a point of time travel, shown or not (refused, or on its way). */
  inAddress: boolean;
  /** Why the view shown is of the seats' first event: the point asked for was before it. */
  fromStart: string | undefined;
  travel: (to: PastPoint) => Promise<string | undefined>;
  live: () => void;
  refusal: Shown | undefined;
}) {
  const { shown, viewers, stackNow, past, inAddress, fromStart, travel, live, refusal } = props;
  const [time, setTime] = useState('');
  /** A time typed that no view can be asked for (the field takes years up to 275760). */
  const [typed, setTyped] = useState<Shown>();
  /** The steps around a view, with the position they were looked up for: a newer view never uses older ones. */
  const [around, setAround] = useState<{ readonly position: string; readonly steps: Steps }>();
  const [stepError, setStepError] = useState<Shown>();
  const account = shown.account.accountId;
  const stepsHere = (): Promise<Steps | undefined> =>
    loadSteps(account, shown.position, viewers).then(
      (found) => {
        setStepError(undefined);
        return found;
      },
      (error: Refusal) => {
        setStepError({ code: error.code, message: error.message });
        return undefined;
      },
    );
  // In the past the steps around the view are looked up once per view; live, only when a step is asked.
  useEffect(() => {
    const position = shown.position;
    if (past) void stepsHere().then((steps) => steps && setAround({ position, steps }));
  }, [past, account, shown.position]);
  const steps = around?.position === shown.position ? around.steps : undefined;
  /** The view shown now, read when a step's look-up answers: a step from a view left since is not taken. */
  const here = useRef('');
  here.current = past ? shown.position : 'live';

  /**
   * Why there is no step back, once the steps say so. The projector offers none from the event the
   * seats start at, as no view before it shows them; a view showing them is at or after it, so a view
   * with no step back is their first.
   */
  const firstView =
    steps?.back === null
      ? `This is the first event of ${viewers.length > 1 ? 'these seats' : 'the seat'}: before it, ${viewers.length > 1 ? 'one of their parties was' : 'its party was'} not in the account yet.`
      : undefined;
  const stepBack = () => {
    setTyped(undefined);
    const from = shown.position;
    const view = here.current;
    void (steps ? Promise.resolve(steps) : stepsHere()).then((found) => {
      if (!found || here.current !== view) return;
      // Live, the steps are looked up only now: kept, a view with none before it disables the button.
      setAround({ position: from, steps: found });
      if (found.back !== null) void travel({ asOf: found.back });
    });
  };
  const show = () => {
    // The field's value stays empty until its date and time are whole: a time half typed is none yet.
    if (!time) {
      setTyped({
        code: 'INVALID_REQUEST',
        message: 'There is no time to show yet: type or pick a whole date and time in As of time first.',
      });
      return;
    }
    // A year past 9999 is no ISO-8601 date: Date parses it as nothing, which has no ISO string.
    const at = new Date(time);
    if (Number.isNaN(at.getTime()) || at.getFullYear() > 9999) {
      setTyped({
        code: 'INVALID_REQUEST',
        message: `${time.replace('T', ' ')} is no time to travel to: pick one from the year 1 to 9999.`,
      });
      return;
    }
    if (at.getTime() > stackNow) {
      setTyped({
        code: 'INVALID_REQUEST',
        message: `${notComeYet(at.getTime(), stackNow)} Pick an earlier time${past ? ', or go Back to live' : ''}.`,
      });
      return;
    }
    void travel({ asOfTime: at.toISOString() });
  };
  const stepForward = () => {
    const view = here.current;
    void (steps ? Promise.resolve(steps) : stepsHere()).then((found) => {
      if (!found || here.current !== view) return;
      if (found.forward) void travel({ asOf: found.forward.position });
      else live();
    });
  };
  return (
    <div class={`time-travel${past ? ' past' : ''}`} role="group" aria-label="Time travel">
      {/* Disabled only once known to lead nowhere, not while the steps of a new view are looked up: a
          button disabled under the focus drops it, and a keyboard user's next Enter with it. */}
      <SteadyButton
        label="Step back one event"
        disabled={firstView !== undefined}
        title={firstView}
        onClick={stepBack}
      />{' '}
      {firstView && <span class="why">{firstView}</span>}{' '}
      {past && (
        <>
          {/* Turning into "to live" under a pointer stepping forward, it takes no click at once. */}
          <SteadyButton
            label={steps && !steps.forward ? 'Step forward to live' : 'Step forward one event'}
            onClick={stepForward}
          />{' '}
        </>
      )}
      <label>
        {/* The field reads the time in the viewer's zone: the stack's times are UTC, and say so. */}
        As of time ({zoneName(time ? new Date(time) : new Date())}){' '}
        <input
          type="datetime-local"
          step="1"
          value={time}
          min="0001-01-01T00:00:00"
          max="9999-12-31T23:59:59"
          onInput={(e) => {
            setTime((e.target as HTMLInputElement).value);
            setTyped(undefined);
          }}
        />
      </label>{' '}
      {/* Never disabled: a date typed without its time leaves the field empty, and a button disabled
          then would not say why, nor take the focus of a keyboard user looking for it. */}
      <button onClick={show}>Show</button>
      {(past || inAddress) && (
        <>
          {' '}
          <button onClick={live}>Back to live</button>
        </>
      )}
      {/* Below the controls, not before them: its length changes with every step, which would move the
          step buttons away from a pointer clicking them again and again. */}
      {past && (
        <strong class="as-of" data-as-of={shown.position} role="status">
          As of position {shown.position} ({when(shown.clock.now)})
          {steps?.current && `, after ${steps.current.type} on ${streamWords(steps.current.stream)}`}
        </strong>
      )}
      {fromStart && (
        <p class="from-start" data-from-start role="status">
          {fromStart}
        </p>
      )}
      <RefusalNote refusal={typed ?? refusal ?? stepError} />
    </div>
  );
}
