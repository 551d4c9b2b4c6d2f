import { Fragment, type ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type {
  Availability,
  DiagnosedCallAction,
  Directory,
  Seat,
  SeatDelegation,
  SeatHandedCall,
  SeatLine,
  SeatOtherEnd,
  SeatParty,
  SeatRecording,
  Steps,
} from '../../projector/src/panel/seat-contract.js';
import { edgeSentenceOf, sentenceOf } from '../../../libs/domain/src/reasons.js';
import { useAddress } from './address.js';
import { AuditTrail, trailInAddress } from './audit.js';
import {
  Refusal,
  STACK_RETRY_MS,
  apiAnswers,
  command,
  isApiAway,
  isStackDown,
  linePath,
  loadDirectory,
  loadSeat,
  loadSteps,
  type PastPoint,
} from './api.js';
import { navigate } from './navigate.js';
import {
  duration,
  elapsed,
  lineLabel,
  named,
  permissionWords,
  phone,
  streamWords,
  when,
  words,
  zoneName,
} from './format.js';
import { PageForm } from './page-form.js';
import { PhoneField } from './phone-field.js';
import { Problem } from './problem.js';
import { SpeedDials } from './speed-dials.js';
import { SteadyButton } from './steady-button.js';
import { liveSeats, type Connection } from './live.js';
import { lampChanges } from './announce.js';
import { useNextTimer } from './pending-timers.js';
import { malformedPoint, travelRefusal } from './past-point.js';

type Method = 'POST' | 'PUT' | 'DELETE';
/**
 * Runs one api command for a part of the page (a line, the dialer, the roster) and shows its refusal
 * there; resolves with whether the api took it (false when refused, or not sent again: a double click).
 */
type Act = (where: string, method: Method, path: string, body?: Record<string, unknown>) => Promise<boolean>;
/**
 * The other end of a call on a line (outside the account, so no actor) answers it or hangs up, from a
 * part of the page (a line's card, a handed call's card) where a refusal shows.
 */
type OtherEndAct = (
  where: string,
  number: string,
  callId: string,
  action: 'external-answer' | 'external-hang-up',
) => Promise<boolean>;

/**
 * How long after a lamp change others are told with it: the seats of a room each change on their own
 * update (a transfer changes the transferring seat's lamp and the target's), and a live region
 * rewritten at once would have the first never read.
 */
const TOLD_TOGETHER_MS = 1_000;

/** How long a command answered is held back from being sent again while the page has not shown it. */
const SHOWN_WITHIN_MS = 3_000;

interface Shown {
  readonly code: string;
  readonly message: string;
}

/** A refusal shown for a part of the page, and the call the refused command was about, if any. */
interface Refused extends Shown {
  readonly call?: string;
}

/** The call a command's path acts on (`…/calls/<call>/answer`): none for placing one or for a voicemail. */
const callOfPath = (path: string): string | undefined => {
  const call = /\/calls\/([^/]+)/.exec(path)?.[1];
  return call === undefined ? undefined : decodeURIComponent(call);
};

/**
 * The refusals still worth showing once a viewer's seat moved on: one about a call the seat shows no
 * more (on a line, or handed over with its number) (answered by another, then ended) is over with it, and would otherwise stand
 * beside the next call on the line, saying it was already answered.
 */
const refusalsStill = (
  refusals: ReadonlyMap<string, Refused>,
  viewer: string,
  seat: Seat,
): ReadonlyMap<string, Refused> => {
  const calls = new Set([
    ...seat.lines.flatMap(({ lamp }) => ('callId' in lamp ? [lamp.callId] : [])),
    ...seat.handedCalls.map((handed) => handed.callId),
  ]);
  const over = [...refusals].filter(
    ([key, refusal]) =>
      key.startsWith(`${viewer}:`) && refusal.call !== undefined && !calls.has(refusal.call),
  );
  if (over.length === 0) return refusals;
  const still = new Map(refusals);
  for (const [key] of over) still.delete(key);
  return still;
};

/**
 * One party's seat, or a room of several side by side (an executive and its assistants, say) so a call's
 * journey shows across them: every seat live over the page's one connection, every action its
 * viewer's permissions allow, with the viewer as actor.
 */
export function SeatPage(props: {
  account: string;
  viewers: readonly string[];
  /** The point of time travel the address names; none: live. */
  point: PastPoint | undefined;
}) {
  const { account, viewers, point } = props;
  const [seats, setSeats] = useState<ReadonlyMap<string, Seat>>(new Map());
  const [problem, setProblem] = useState<Refusal>();
  /** How many times the seats were looked up again because the stack did not answer. */
  const [lookUps, setLookUps] = useState(0);
  const [connection, setConnection] = useState<Connection>('connecting');
  const [refusals, setRefusals] = useState<ReadonlyMap<string, Refused>>(new Map());
  const [busy, setBusy] = useState<string>();
  const [tick, setTick] = useState(Date.now());
  /** Time travel: the seats as of an earlier point, shown instead of the live ones until "Back to live". */
  const [past, setPast] = useState<ReadonlyMap<string, Seat>>();
  const [travelError, setTravelError] = useState<Shown>();
  /**
   * The point the past seats shown are of, as its address writes it ('' when live): a view travelled
   * to here is in the address already, one reached by the address (a reload, Back, Forward, a link) is
   * read for it.
   */
  const shownPoint = useRef('');
  /**
   * How many moves in time were asked for: a step's answer that comes after a later move (another
   * step, Back to live, the browser's Back) is not shown, as it would pull the page back to where the
   * user has left.
   */
  const travels = useRef(0);
  const pointKey = point === undefined ? '' : new URLSearchParams(point).toString();
  /**
   * The last lamp changes, for screen readers (a polite live region), and when the first of them was
   * told: a room's seats each bring their own, one after another, and are told together.
   */
  const [announcement, setAnnouncement] = useState({ text: '', since: 0 });
  /** The account's parties, each a seat to switch to. */
  const [parties, setParties] = useState<readonly SeatParty[]>([]);
  /** The directory knows the account and every viewer: they have a seat, now at least. */
  const seatsKnown = parties.length > 0;
  const viewersKey = viewers.join(',');
  /**
   * Commands sent and not yet shown on the page, each with the $all position its answer named (none
   * while it is on its way): the same command again before then (a double click, a button clicked
   * again before its lamp changed) is not sent a second time, to be refused by the effect of the first.
   */
  const pending = useRef(new Map<string, bigint | undefined>());
  /** The furthest $all position a live seat of the page showed: the stream may outrun an answer. */
  const shownAt = useRef(0n);

  useEffect(() => {
    // The directory says clearly when the account or a viewer is unknown or the stack down; the
    // stream then carries every state of every seat's lines and roster.
    let stops: (() => void)[] = [];
    let closed = false;
    /** The state each seat was last seen in, to tell screen readers which lamps changed. */
    const seen = new Map<string, Seat>();
    let retry: ReturnType<typeof setTimeout> | undefined;
    knownSeats(account, viewers).then(
      (found) => {
        if (closed) return;
        setProblem(undefined);
        setParties(found.parties);
        stops = viewers.map((viewer) =>
          liveSeats.watch(account, viewer, {
            seat: (seat) => {
              const at = BigInt(seat.position);
              if (at > shownAt.current) shownAt.current = at;
              for (const [sent, position] of pending.current) {
                if (position !== undefined && at >= position) pending.current.delete(sent);
              }
              const said = lampChanges(seen.get(viewer), seat, viewers.length > 1);
              seen.set(viewer, seat);
              if (said.length > 0) {
                const at = performance.now();
                setAnnouncement((told) =>
                  at - told.since < TOLD_TOGETHER_MS
                    ? { text: `${told.text} ${said.join(' ')}`, since: told.since }
                    : { text: said.join(' '), since: at },
                );
              }
              setSeats((shown) => new Map(shown).set(viewer, seat));
              setRefusals((shown) => refusalsStill(shown, viewer, seat));
            },
            connection: setConnection,
          }),
        );
      },
      (error: Refusal) => {
        if (closed) return;
        setProblem(error);
        // A stack restarting answers again soon: the page asks again by itself, as its stream does.
        if (isStackDown(error)) retry = setTimeout(() => setLookUps((count) => count + 1), STACK_RETRY_MS);
      },
    );
    const timer = setInterval(() => setTick(Date.now()), 1000);
    return () => {
      closed = true;
      for (const stop of stops) stop();
      clearInterval(timer);
      clearTimeout(retry);
    };
  }, [account, viewersKey, lookUps]);

  // A command refused because the stack did not answer is no longer so once the page is live again:
  // left, its refusal would say the stack is not answering beside a page that says it is live.
  useEffect(
    () =>
      liveSeats.whenLiveAgain(() => {
        setRefusals((shown) => new Map([...shown].filter(([, refusal]) => !isStackDown(refusal))));
        setTravelError((shown) => (isStackDown(shown) ? undefined : shown));
      }),
    [],
  );

  // A command refused for want of the api while the page stays live (only the api was stopped, or the
  // projector restarted with its address set) is no longer so once the projector reaches the api:
  // the page asks while it shows such a refusal, as nothing on its live connection would tell it.
  const apiAway = [...refusals.values()].some(isApiAway);
  useEffect(() => {
    if (!apiAway) return;
    const timer = setInterval(() => {
      void apiAnswers().then((answering) => {
        if (answering)
          setRefusals((shown) => new Map([...shown].filter(([, refusal]) => !isApiAway(refusal))));
      });
    }, STACK_RETRY_MS);
    return () => clearInterval(timer);
  }, [apiAway]);

  useEffect(() => {
    if (pointKey === shownPoint.current) {
      // Back at the point shown (Back to live from an address naming a point that could not be shown):
      // the refusal of that point is no longer the address's.
      setTravelError(undefined);
      return;
    }
    // The address moved to a point no step showed (Back to live, Back, Forward, a link).
    travels.current += 1;
    if (point === undefined) {
      shownPoint.current = '';
      setPast(undefined);
      setTravelError(undefined);
      return;
    }
    // Asked once the directory knows the seats: an unknown viewer is said from it, not by the past
    // seat's 404, which the browser would log as an error.
    if (!seatsKnown) return;
    const malformed = malformedPoint(point);
    if (malformed) {
      setTravelError(malformed);
      return;
    }
    let current = true;
    setTravelError(undefined);
    seatsAsOf(account, viewers, point).then(
      (then) => {
        if (!current) return;
        shownPoint.current = pointKey;
        setPast(then);
        setTravelError(undefined);
      },
      (error: Refusal) => {
        if (current) setTravelError(travelRefusal(point, error, true));
      },
    );
    return () => {
      current = false;
    };
  }, [account, viewersKey, pointKey, seatsKnown]);

  const live = viewers.map((viewer) => seats.get(viewer));
  useEffect(() => {
    if (live.every((seat) => seat !== undefined)) {
      document.title = `${live.map((seat) => named(seat.viewer.name)).join(' · ')} · Switchboard`;
    }
  }, [live.map((seat) => seat?.viewer.name).join()]);

  if (problem) return <Problem error={problem} />;
  if (!live.every((seat) => seat !== undefined)) return <p aria-busy="true">Loading the seat…</p>;
  const first = live[0]!;

  /** Runs a command for a part of the page (`key`) and shows its refusal there until one succeeds. */
  const send = (
    key: string,
    method: Method,
    path: string,
    body: Record<string, unknown>,
  ): Promise<boolean> => {
    // Moving the clock twice is meant twice: only those commands are sent again at once.
    const sent = path.startsWith('clock/') ? undefined : `${method} ${path} ${JSON.stringify(body)}`;
    if (sent !== undefined) {
      if (pending.current.has(sent)) return Promise.resolve(false);
      pending.current.set(sent, undefined);
    }
    setBusy(key);
    return command(method, path, body)
      .then(
        (answer) => {
          const { position } = (answer ?? {}) as { position?: unknown };
          const at = typeof position === 'string' && /^\d+$/.test(position) ? BigInt(position) : undefined;
          if (sent !== undefined && at !== undefined && at > shownAt.current) {
            pending.current.set(sent, at);
            // Shown by the stream at once, as a rule; a command no seat shows is free again soon anyway.
            setTimeout(() => {
              if (pending.current.get(sent) === at) pending.current.delete(sent);
            }, SHOWN_WITHIN_MS);
          } else if (sent !== undefined) pending.current.delete(sent);
          setRefusals((shown) => {
            const next = new Map(shown);
            next.delete(key);
            return next;
          });
          return true;
        },
        (error: Refusal) => {
          if (sent !== undefined) pending.current.delete(sent);
          setRefusals((shown) =>
            new Map(shown).set(key, { code: error.code, message: error.message, call: callOfPath(path) }),
          );
          return false;
        },
      )
      .finally(() => setBusy(undefined));
  };
  const actAs =
    (viewer: string): Act =>
    (where, method, path, body = {}) =>
      send(`${viewer}:${where}`, method, path, { actor: viewer, ...body });
  /** Its refusal shows on the card of the seat it was worked from, until the call is over. */
  const otherEndOn =
    (viewer: string): OtherEndAct =>
    (where, number, callId, action) =>
      send(
        `${viewer}:${where}`,
        'POST',
        `${linePath(account, number)}/calls/${encodeURIComponent(callId)}/${action}`,
        {},
      );
  /**
   * Shows the seats as of a point, in the address too (a history entry); resolves with the refusal's
   * code when they cannot be shown.
   */
  const travel = (to: PastPoint): Promise<string | undefined> => {
    const asked = ++travels.current;
    return seatsAsOf(account, viewers, to).then(
      (then) => {
        if (asked !== travels.current) return undefined;
        shownPoint.current = new URLSearchParams(to).toString();
        setPast(then);
        setTravelError(undefined);
        navigate(addressOf(to));
        return undefined;
      },
      (error: Refusal) => {
        if (asked !== travels.current) return undefined;
        setTravelError(travelRefusal(to, error, false));
        return error.code;
      },
    );
  };
  const shownFirst = past?.get(first.viewer.partyId) ?? first;
  // Durations run on the stack's clock: the wall clock in realtime mode, the virtual clock otherwise;
  // in the past, at the time the view is of.
  const now = past || first.clock.mode === 'virtual' ? Date.parse(shownFirst.clock.now) : tick;
  const room = live.length > 1;
  /**
   * The address names a past view not shown yet (a reload, Back, Forward, a link): until it comes, no
   * seat is shown, as the seats shown would be another time's, live ones inviting an action.
   */
  const arriving = point !== undefined && pointKey !== shownPoint.current && !travelError;

  return (
    <main aria-busy={busy !== undefined} class={room ? 'room' : undefined}>
      <header class="seat-header">
        <h1>
          {room
            ? `Room: ${live.map((seat) => named(seat.viewer.name)).join(', ')}`
            : named(first.viewer.name)}{' '}
          <small>· {named(first.account.name)}</small>
        </h1>
        <p class={`connection ${connection}`} role="status" data-connection={connection}>
          {connection === 'live'
            ? 'Live'
            : connection === 'lost'
              ? 'The stack is not answering: reconnecting…'
              : 'Connecting…'}
        </p>
        <Clock
          seat={first}
          act={actAs(first.viewer.partyId)}
          refusal={refusals.get(`${first.viewer.partyId}:clock`)}
        />
        {/* Before the outside caller, which a past view hides: the step buttons stay where they are. */}
        <TimeTravel
          shown={shownFirst}
          viewers={live.map((seat) => seat.viewer.partyId)}
          stackNow={first.clock.mode === 'virtual' ? Date.parse(first.clock.now) : tick}
          past={past !== undefined}
          inAddress={point !== undefined}
          travel={travel}
          live={() => navigate(addressOf(undefined))}
          refusal={travelError}
        />
        {!past && !arriving && (
          <OutsideCaller
            seats={live}
            ring={(number, from) =>
              send('outside', 'POST', `${linePath(first.account.accountId, number)}/incoming-calls`, { from })
            }
            refusal={refusals.get('outside')}
          />
        )}
        <nav aria-label="Other seats">
          <a href="/panel">All seats</a>
          {parties.length > 1 && ' · this account: '}
          {parties.length > 1 &&
            parties.map((party, i) => (
              <Fragment key={party.partyId}>
                {i > 0 && ', '}
                <a
                  href={`/panel?${new URLSearchParams({ account, viewer: party.partyId })}`}
                  aria-current={!room && party.partyId === first.viewer.partyId ? 'page' : undefined}
                >
                  {named(party.name)}
                </a>
              </Fragment>
            ))}
        </nav>
      </header>
      <p class="visually-hidden" role="status" aria-live="polite" data-announcement>
        {announcement.text}
      </p>
      {arriving ? (
        <p aria-busy="true">
          Loading the {room ? 'seats' : 'seat'} as of{' '}
          {'asOf' in point ? `position ${point.asOf}` : point.asOfTime}…
        </p>
      ) : (
        <div class="seats">
          {live.map((seat) => (
            <SeatColumn
              key={seat.viewer.partyId}
              seat={seat}
              shown={past?.get(seat.viewer.partyId)}
              act={actAs(seat.viewer.partyId)}
              otherEnd={otherEndOn(seat.viewer.partyId)}
              refusal={(where) => refusals.get(`${seat.viewer.partyId}:${where}`)}
              now={now}
            />
          ))}
        </div>
      )}
    </main>
  );
}

/**
 * Record the call at `call` as R20 says the viewer may, or stop the viewer's recording on it when one
 * runs (`recording`: the projector lists the viewer's own running recordings), as R20 says of that.
 */
function RecordingToggle(props: {
  call: string;
  recording: SeatRecording | undefined;
  availability: Availability;
  run: (path: string) => unknown;
}) {
  const { call, recording, availability, run } = props;
  if (recording)
    return (
      <GroupedControl
        label="Stop recording"
        availability={recording.stop}
        onClick={() => run(`${call}/recordings/${encodeURIComponent(recording.recordingId)}/stop`)}
      />
    );
  return (
    <GroupedControl label="Record" availability={availability} onClick={() => run(`${call}/recordings`)} />
  );
}

/** What each card of a seat (a line's, a handed call's) is given besides what it shows. */
interface CardContext {
  seat: Seat;
  act: Act;
  otherEnd: OtherEndAct;
  now: number;
  /** A past state (time travel): shown, not acted on. */
  readOnly: boolean;
}

/** What one seat shows: the dialer, every line it may use, and its delegations; past states read only. */
function SeatColumn(props: {
  seat: Seat;
  /** A past state (time travel): shown, not acted on. */
  shown: Seat | undefined;
  act: Act;
  otherEnd: OtherEndAct;
  refusal: (where: string) => Shown | undefined;
  now: number;
}) {
  const { seat, act, otherEnd, refusal, now } = props;
  const past = props.shown;
  const shown = past ?? seat;
  const card: CardContext = { seat: shown, act, otherEnd, now, readOnly: past !== undefined };
  return (
    <section class="seat" aria-label={`Seat of ${named(seat.viewer.name)}`} data-viewer={seat.viewer.partyId}>
      <h2 class="seat-name">{named(seat.viewer.name)}</h2>
      {past ? null : seat.lines.length === 0 ? (
        <p class="empty">
          {named(seat.viewer.name)} has no line to use: no direct number, and no active delegation shares one.
        </p>
      ) : (
        <Dialer seat={seat} act={act} refusal={refusal('dialer')} />
      )}
      {!past && <SpeedDials seat={seat} act={act} refusal={refusal('speed-dials')} />}
      <div class="lines">
        {shown.lines.map((line) => (
          <LineCard key={line.number} line={line} {...card} refusal={refusal(line.number)} />
        ))}
        {shown.handedCalls.map((handed) => (
          <HandedCallCard
            key={`${handed.number}/${handed.callId}`}
            handed={handed}
            {...card}
            refusal={refusal(handedWhere(handed))}
          />
        ))}
      </div>
      <Roster seat={shown} act={act} refusal={refusal('roster')} />
    </section>
  );
}

/** Each viewer's seat as of a point of time travel, by viewer. */
const seatsAsOf = (
  account: string,
  viewers: readonly string[],
  point: PastPoint,
): Promise<ReadonlyMap<string, Seat>> =>
  Promise.all(viewers.map((viewer) => loadSeat(account, viewer, point))).then(
    (then) => new Map(then.map((seat) => [seat.viewer.partyId, seat])),
  );

/** This page's address as of a point of time travel, or live (`undefined`). */
const addressOf = (point: PastPoint | undefined): URL => {
  const address = new URL(location.href);
  address.searchParams.delete('asOf');
  address.searchParams.delete('asOfTime');
  for (const [name, value] of Object.entries(point ?? {})) address.searchParams.set(name, value);
  return address;
};

/**
 * An unknown account or viewer is told apart from the directory (a 200) rather than from the seat's
 * 404, which the browser would log as a console error on a page that is working as meant.
 */
const knownSeats = async (
  account: string,
  viewers: readonly string[],
): Promise<Directory['accounts'][number]> => {
  const lookUp = (directory: Directory) => {
    const found = directory.accounts.find((a) => a.accountId === account);
    return found && viewers.every((viewer) => found.parties.some((p) => p.partyId === viewer))
      ? found
      : undefined;
  };
  // The tab's directory first; one fresh look when it lacks someone (added since it was read).
  const cached = lookUp(await loadDirectory());
  if (cached) return cached;
  const found = (await loadDirectory(true)).accounts.find((a) => a.accountId === account);
  // Worded as the projector words the same answers: from the catalogue of reasons.
  if (!found) throw new Refusal(404, 'ACCOUNT_NOT_FOUND', edgeSentenceOf('ACCOUNT_NOT_FOUND', { account }));
  const unknown = viewers.find((viewer) => !found.parties.some((p) => p.partyId === viewer));
  if (unknown !== undefined) {
    const sentence = edgeSentenceOf('PARTY_NOT_FOUND', { party: unknown, account: found.name });
    throw new Refusal(404, 'PARTY_NOT_FOUND', sentence);
  }
  return found;
};

function RefusalNote({ refusal }: { refusal: Shown | undefined }) {
  if (!refusal) return null;
  return (
    <p class="refusal" role="alert" data-code={refusal.code}>
      <code>{refusal.code}</code> {named(refusal.message)}
    </p>
  );
}

/** A diagnosed action: enabled when R20 says the viewer can, else disabled with the rule's sentence. */
function Diagnosed(props: { label: string; availability: Availability; onClick: () => void }) {
  const { label, availability, onClick } = props;
  if (availability.allowed) return <SteadyButton label={label} onClick={onClick} />;
  return <Unavailable label={label} availability={availability} />;
}

/** An action R20 says the viewer cannot take: its button disabled, the rule's sentence beside it. */
function Unavailable({ label, availability }: { label: string; availability: Availability }) {
  return (
    <span class="unavailable">
      <button disabled title={availability.sentence}>
        {label}
      </button>
      <span class="why" data-rule={availability.rule ?? ''}>
        {availability.rule && <code>{availability.rule}</code>} {named(availability.sentence)}
      </span>
    </span>
  );
}

/**
 * A control of a group (a call the viewer is on, a message, a delegation), enabled when R20 says the api
 * takes it, else disabled with the diagnosis as its title; the reason itself is said once for the group
 * (`Reasons`), as several controls are often refused for one (a call still dialing is neither held,
 * recorded nor transferred).
 */
function GroupedControl(props: {
  label: string;
  availability: Availability;
  onClick: () => void;
  /** Disabled besides, for a reason of the page's own (no transfer target chosen yet). */
  disabled?: boolean;
  /** The control's name for assistive technology, when the label alone would not say which it acts on. */
  ariaLabel?: string;
}) {
  const { label, availability, onClick, disabled = false, ariaLabel } = props;
  return (
    <SteadyButton
      label={label}
      ariaLabel={ariaLabel}
      disabled={!availability.allowed || disabled}
      title={availability.allowed ? undefined : availability.sentence}
      onClick={onClick}
    />
  );
}

/** The reasons R20 gives for the controls of a group that are refused, each said once, code first. */
function Reasons({ refused }: { refused: readonly Availability[] }) {
  const reasons = new Map<string, Availability>();
  for (const availability of refused) {
    if (availability.allowed || availability.reason === undefined) continue;
    reasons.set(`${availability.code ?? ''} ${availability.reason}`, availability);
  }
  return (
    <>
      {[...reasons.values()].map((availability) => (
        <span
          key={`${availability.code ?? ''} ${availability.reason}`}
          class="why"
          data-code={availability.code ?? ''}
          data-rule={availability.rule ?? ''}
        >
          {availability.code && <code>{availability.code}</code>} {named(availability.reason ?? '')}
        </span>
      ))}
    </>
  );
}

/**
 * The first control of a call the viewer is on: Hold, or Resume while it holds the call. A group of
 * call actions starts with it whatever the call's phase, so the button under the focus stays the same
 * element as Resume gives way to Hold (keep-focus.ts: it settles before taking a key).
 */
function HoldOrResume(props: {
  call: string;
  can: Readonly<Record<DiagnosedCallAction, Availability>>;
  held: boolean;
  run: (path: string) => unknown;
}) {
  const { call, can, held, run } = props;
  return held ? (
    <GroupedControl label="Resume" availability={can.resume} onClick={() => run(`${call}/resume`)} />
  ) : (
    <GroupedControl label="Hold" availability={can.hold} onClick={() => run(`${call}/hold`)} />
  );
}

/**
 * What the viewer, on a call, may do on it after `HoldOrResume`: hold it locked (when the call is one it
 * may lock, see `PrivacyLock`), hang up, record or stop its recording, lock or unlock it, and transfer
 * it to one of `targets`. Each is enabled or disabled as R20's diagnosis of the call says (`can`); the
 * reasons said are those of these controls and of `HoldOrResume`'s.
 */
function OnCallActions(props: {
  call: string;
  can: Readonly<Record<DiagnosedCallAction, Availability>>;
  locked: boolean;
  held: boolean;
  recording: SeatRecording | undefined;
  /**
   * Who the call may go to, and the target chosen for it (kept by the call's card across its phases);
   * `null` where no transfer is offered.
   */
  transfer: {
    readonly targets: readonly SeatParty[];
    readonly target: string;
    readonly onTarget: (target: string) => void;
  } | null;
  run: (path: string, body?: Record<string, unknown>) => unknown;
}) {
  const { call, can, locked, held, recording, transfer, run } = props;
  const { targets, target, onTarget } = transfer ?? { targets: [], target: '', onTarget: undefined };
  const chosen = targets.find((t) => t.partyId === target);
  const locks = can.privacyLock.allowed;
  return (
    <>
      {!held && locks && (
        <GroupedControl
          label="Hold, locked"
          availability={can.holdLocked}
          onClick={() => run(`${call}/hold`, { privacyLock: true })}
        />
      )}
      <GroupedControl label="Hang up" availability={can.hangUp} onClick={() => run(`${call}/hang-up`)} />
      {!held && <RecordingToggle call={call} recording={recording} availability={can.record} run={run} />}
      <PrivacyLock call={call} can={can} locked={locked} run={run} />
      {!held && targets.length > 0 && (
        <span class="transfer">
          <label>
            Transfer to{' '}
            {/* The closed picker may cut a long name short (style.css): its title holds the name whole. */}
            <select
              value={target}
              disabled={!can.transfer.allowed}
              title={chosen ? named(chosen.name) : undefined}
              onChange={(e) => onTarget?.((e.target as HTMLSelectElement).value)}
            >
              <option value="">choose…</option>
              {targets.map((t) => (
                <option key={t.partyId} value={t.partyId} title={named(t.name)}>
                  {named(t.name)}
                </option>
              ))}
            </select>
          </label>{' '}
          <GroupedControl
            label="Transfer"
            availability={can.transfer}
            disabled={!target}
            onClick={() => run(`${call}/transfer`, { to: target })}
          />
        </span>
      )}
      <Reasons
        refused={[
          held ? can.resume : can.hold,
          ...(!held && locks ? [can.holdLocked] : []),
          can.hangUp,
          ...(!held ? [recording ? recording.stop : can.record] : []),
          ...(!held && targets.length > 0 ? [can.transfer] : []),
        ]}
      />
    </>
  );
}

/**
 * R15: lock the call for privacy, or unlock it, offered when R20 says the viewer may. Its steps ask who
 * the viewer is and whether it is on the call, never the call's phase: refused, it is not offered.
 */
function PrivacyLock(props: {
  call: string;
  can: Readonly<Record<DiagnosedCallAction, Availability>>;
  locked: boolean;
  run: (path: string, body?: Record<string, unknown>) => unknown;
}) {
  const { call, can, locked, run } = props;
  if (!can.privacyLock.allowed) return null;
  return (
    <SteadyButton
      label={locked ? 'Unlock privacy' : 'Lock for privacy'}
      onClick={() => run(`${call}/privacy-lock`, { locked: !locked })}
    />
  );
}

/** R11: the viewer picks which line's caller ID the callee sees, then dials. */
function Dialer({ seat, act, refusal }: { seat: Seat; act: Act; refusal: Shown | undefined }) {
  const [from, setFrom] = useState(seat.lines[0]!.number);
  const [to, setTo] = useState('');
  const line = seat.lines.find((l) => l.number === from) ?? seat.lines[0]!;
  return (
    <PageForm
      class="dialer"
      label="Place a call"
      send={() =>
        act('dialer', 'POST', `${linePath(seat.account.accountId, line.number)}/calls`, { to: to.trim() })
      }
    >
      <label>
        Call from{' '}
        <select value={line.number} onChange={(e) => setFrom((e.target as HTMLSelectElement).value)}>
          {seat.lines.map((l) => (
            <option key={l.number} value={l.number}>
              {lineLabel(l)}
            </option>
          ))}
        </select>
      </label>{' '}
      <PhoneField label="Number to call" value={to} onChange={setTo} />{' '}
      {line.availability.placeCall.allowed ? (
        <button type="submit">Call</button>
      ) : (
        <span class="unavailable">
          <button type="submit" disabled>
            Call
          </button>
          <span class="why">
            <code>{line.availability.placeCall.rule}</code> {named(line.availability.placeCall.sentence)}
          </span>
        </span>
      )}
      <RefusalNote refusal={refusal} />
    </PageForm>
  );
}

const nameOf = (id: string | null, ...known: readonly (SeatParty | undefined)[]): string =>
  named(known.find((p) => p?.partyId === id)?.name ?? id ?? '');

/** A lamp, the parties it names resolved through `known` when it carries no name of its own. */
function Lamp(props: {
  lamp: SeatLine['lamp'];
  known: readonly SeatParty[];
  viewer: SeatParty;
  now: number;
}) {
  const { lamp, known, viewer, now } = props;
  const names = (ids: readonly string[], resolved: readonly (string | null)[]): string =>
    ids.map((id, i) => (id === viewer.partyId ? 'you' : named(resolved[i] ?? id))).join(', ');
  switch (lamp.state) {
    case 'idle':
      return <LampRow state="idle" label="Idle" />;
    case 'ringing':
      return (
        <LampRow state="ringing" label="Ringing">
          from {phone(lamp.from)} · alerting {names(lamp.alerted, lamp.alertedNames)} · for{' '}
          {elapsed(lamp.since, now)}
        </LampRow>
      );
    case 'busy': {
      const transferring = lamp.transferringTo !== null;
      return (
        <LampRow
          state={transferring ? 'transferring' : 'busy'}
          label={transferring ? 'Transferring' : 'Busy'}
        >
          {names(lamp.by, lamp.byNames)}
          {lamp.onBehalfOf && ` on behalf of ${named(lamp.onBehalfOfName ?? lamp.onBehalfOf)}`}
          {lamp.phase === 'dialing' && ' (dialing)'} · for {elapsed(lamp.since, now)}
          {transferring &&
            ` · to ${lamp.transferringTo === viewer.partyId ? 'you' : named(lamp.transferringToName ?? lamp.transferringTo ?? '')}; recalls to ${names(lamp.by, lamp.byNames)} if not answered`}
          {lamp.locked && <strong class="locked"> · locked for privacy</strong>}
        </LampRow>
      );
    }
    case 'occupied':
      // R10: a call of the number's previous owner; whose it is and who is on it are not this seat's.
      return (
        <LampRow state="busy" label="Busy">
          with a call of the number's previous owner · for {elapsed(lamp.since, now)}
        </LampRow>
      );
    case 'held':
      return (
        <LampRow state="held" label="Held">
          by {lamp.heldBy === viewer.partyId ? 'you' : named(lamp.heldByName ?? lamp.heldBy)}
          {lamp.onBehalfOf && ` on behalf of ${nameOf(lamp.onBehalfOf, ...known, viewer)}`} · for{' '}
          {elapsed(lamp.since, now)}
          {lamp.locked && <strong class="locked"> · locked for privacy</strong>}
        </LampRow>
      );
  }
}

/** A line's lamp, its state named in `data-lamp`, then what the state says (who, since when). */
function LampRow({ state, label, children }: { state: string; label: string; children?: ComponentChildren }) {
  return (
    <p class="lamp-row">
      <span class={`lamp ${state}`} data-lamp={state}>
        {label}
      </span>
      {children && ' '}
      {children}
    </p>
  );
}

/**
 * The actions on the line's call, as its lamp shows it: ringing (answer, decline), held (resume or pick
 * up, merge), transferred to the viewer (answer or decline the transfer), on a call the viewer is not on
 * (join) or is on (`OnCallActions`). Whether each is enabled is R20's answer for the call, never the
 * page's own reading of the lamp.
 */
function CallActions({ line, seat, act }: { line: SeatLine; seat: Seat; act: Act }) {
  // Chosen for the call, it stays chosen while the call is held, picked up or its transfer declined.
  const [target, setTarget] = useState('');
  const { lamp } = line;
  const can = line.callAvailability;
  // Nothing to do on a call of the number's previous owner (R10): it is not this line's call.
  if (lamp.state === 'idle' || lamp.state === 'occupied' || can === null) return null;
  const me = seat.viewer.partyId;
  const call = `${linePath(seat.account.accountId, line.number)}/calls/${encodeURIComponent(lamp.callId)}`;
  const run = (path: string, body?: Record<string, unknown>) => act(line.number, 'POST', path, body);
  const transferredToMe = lamp.state === 'busy' && lamp.transferringTo === me;
  if (lamp.state === 'ringing' || transferredToMe) {
    // R16: the target answers a transfer as a ringing call, or declines it and the call goes back to who
    // transferred it; the buttons say which of the two they act on.
    const what = transferredToMe ? ' transfer' : '';
    return (
      <div class="actions" role="group" aria-label="Call actions">
        <Diagnosed
          label={`Answer${what}`}
          availability={line.availability.answer}
          onClick={() => run(`${call}/answer`)}
        />
        <Diagnosed
          label={`Decline${what}`}
          availability={can.decline}
          onClick={() => run(`${call}/decline`)}
        />
      </div>
    );
  }
  // On the call, or holding it, is what the api lets hang up.
  const onCall = can.hangUp.allowed;
  if (lamp.state === 'held') {
    // The holder resumes its call, anybody else picks it up; either may merge it into a call of its own.
    return (
      <div class="actions" role="group" aria-label="Call actions">
        {/* Resume stays the group's first child, so Hold takes its place as the same button. */}
        {onCall ? (
          <HoldOrResume call={call} can={can} held run={run} />
        ) : (
          <Diagnosed
            label="Pick up"
            availability={line.availability.pickUp}
            onClick={() => run(`${call}/pick-up`)}
          />
        )}
        {onCall && (
          <GroupedControl label="Hang up" availability={can.hangUp} onClick={() => run(`${call}/hang-up`)} />
        )}
        <Diagnosed
          label="Merge into my call"
          availability={line.availability.merge}
          onClick={() => run(`${call}/merge`)}
        />
        <PrivacyLock call={call} can={can} locked={lamp.locked} run={run} />
        {onCall && <Reasons refused={[can.resume, can.hangUp]} />}
      </div>
    );
  }
  if (onCall) {
    return (
      <div class="actions" role="group" aria-label="Call actions">
        <HoldOrResume call={call} can={can} held={false} run={run} />
        <OnCallActions
          call={call}
          can={can}
          locked={lamp.locked}
          held={false}
          recording={line.recordings[0]}
          transfer={{ targets: line.transferTargets, target, onTarget: setTarget }}
          run={run}
        />
      </div>
    );
  }
  return (
    <div class="actions" role="group" aria-label="Call actions">
      <Diagnosed label="Join" availability={line.availability.join} onClick={() => run(`${call}/join`)} />
    </div>
  );
}

/**
 * The other end of a call, which the simulator plays as it plays an outside caller: the number a seat
 * called answers (R12), and the caller or the callee hangs up (a caller hanging up while the call rings
 * abandons it: a missed call). Without it a call placed from the page would dial for ever, never to be
 * held, recorded or transferred, and only the account's side could end one. Each act is offered when
 * R20 says the api takes it (answering, only while the call dials: after, the other end has nothing to
 * answer). `where` is the card it is worked from, where a refusal shows; `number` the line's.
 */
function OtherEnd(props: { where: string; number: string; end: SeatOtherEnd | null; act: OtherEndAct }) {
  const { where, number, end, act } = props;
  if (!end) return null;
  return (
    <div class="actions other-end" role="group" aria-label="The other end of the call">
      <span>The other end, {phone(end.number)}:</span>
      {end.answer.allowed && (
        <SteadyButton
          label="Answers"
          ariaLabel={`${phone(end.number)} answers`}
          onClick={() => act(where, number, end.callId, 'external-answer')}
        />
      )}
      {end.hangUp.allowed && (
        <SteadyButton
          label="Hangs up"
          ariaLabel={`${phone(end.number)} hangs up`}
          onClick={() => act(where, number, end.callId, 'external-hang-up')}
        />
      )}
    </div>
  );
}

/** Where a refusal of a command on a handed call shows: its own card, not a line's. */
const handedWhere = (handed: SeatHandedCall): string => `handed:${handed.number}/${handed.callId}`;

/**
 * R10: a call the viewer is on whose number an admin handed to another party (or took from its owner)
 * mid-call. The number is no longer among the seat's lines, so the call has a card of its own, marked
 * as such, with what a party on a previous owner's call may still do: hang up, hold, resume its own
 * hold, record, and (the call's owner) lock it. Nothing new starts on the number from here: R20 says
 * why. The card goes when the call ends.
 */
function HandedCallCard(props: CardContext & { handed: SeatHandedCall; refusal: Shown | undefined }) {
  const { handed, seat, act, otherEnd, now, readOnly, refusal } = props;
  const { lamp, callAvailability: can } = handed;
  const call = `${linePath(seat.account.accountId, handed.number)}/calls/${encodeURIComponent(handed.callId)}`;
  const where = handedWhere(handed);
  const run = (path: string, body?: Record<string, unknown>) => act(where, 'POST', path, body);
  const mine = handed.callOwner.partyId === seat.viewer.partyId;
  const title = `${phone(handed.number)} · ${
    handed.handedTo ? `handed to ${named(handed.handedTo.name)}` : "no longer anybody's number"
  } — this call only`;
  const locked = lamp.state === 'busy' || lamp.state === 'held' ? lamp.locked : false;
  return (
    <section class="line handed" aria-label={title} data-handed-call={handed.number}>
      <h2>{title}</h2>
      <p class="role">
        {mine ? 'No longer your number' : `No longer ${named(handed.callOwner.name)}'s number`}: this call is
        still {mine ? 'yours' : `${named(handed.callOwner.name)}'s`} until it ends.
      </p>
      <Lamp lamp={lamp} known={[handed.callOwner]} viewer={seat.viewer} now={now} />
      {!readOnly && (
        <div class="actions" role="group" aria-label="Call actions">
          <HoldOrResume call={call} can={can} held={lamp.state === 'held'} run={run} />
          <OnCallActions
            call={call}
            can={can}
            locked={locked}
            held={lamp.state === 'held'}
            recording={handed.recordings[0]}
            // Nobody on the number now is this call's party to take it: no transfer (R16, R10).
            transfer={null}
            run={run}
          />
          <Unavailable label="Call from this number" availability={handed.availability.placeCall} />
        </div>
      )}
      {!readOnly && <OtherEnd where={where} number={handed.number} end={handed.otherEnd} act={otherEnd} />}
      <RefusalNote refusal={refusal} />
    </section>
  );
}

function LineCard(props: CardContext & { line: SeatLine; refusal: Shown | undefined }) {
  const { line, seat, act, otherEnd, now, readOnly, refusal } = props;
  const { lamp } = line;
  // R10: a call of the number's previous owner the viewer is on, the number now shared with it too: the
  // line's actions (transfer to the new owner's parties, join) are not the call's; its own card's are.
  const handedHere =
    'callId' in lamp &&
    seat.handedCalls.some((handed) => handed.number === line.number && handed.callId === lamp.callId);
  const inbox = `${linePath(seat.account.accountId, line.number)}/voicemails`;
  /** A message as a screen reader names the buttons acting on it: a list of "Delete" says not which. */
  const message = (m: { from: string; at: string }) => `the message from ${phone(m.from)}, ${when(m.at)}`;
  const by = (acts: readonly { byName: string | null; by: string; at: string }[]) =>
    acts.map((a) => `${named(a.byName ?? a.by)} (${when(a.at)})`).join(', ');
  const address = useAddress();
  const history = useRef<HTMLDetailsElement>(null);
  /** The address names the trail of one of the calls listed: the history is opened to show it. */
  const trailNamed = line.history.some((h) => trailInAddress(address, seat.viewer.partyId, h.callId));
  useEffect(() => {
    if (trailNamed && history.current && !history.current.open) history.current.open = true;
  }, [trailNamed]);
  return (
    <section class="line" aria-label={lineLabel(line)} data-line={line.number}>
      {/* R23: the line's name is part of its key, beside the number (in the label, R11). */}
      <h2 data-line-name={line.name ?? ''}>{lineLabel(line)}</h2>
      <p class="role">
        {line.role === 'delegator'
          ? 'Your line'
          : `Shared by ${named(line.owner.name)} · you may ${line.permissions.length ? line.permissions.map(permissionWords).join(', ') : 'do nothing on it'}`}
      </p>
      <Lamp lamp={line.lamp} known={[line.owner, ...line.transferTargets]} viewer={seat.viewer} now={now} />
      {readOnly ? null : handedHere ? (
        <p class="role" data-handed-here>
          The call on it started before the number was {named(line.owner.name)}'s: act on it on its own card.
        </p>
      ) : (
        // One call's choices (the transfer target picked) are not the next call's: keyed by the call.
        <CallActions key={'callId' in lamp ? lamp.callId : 'none'} line={line} seat={seat} act={act} />
      )}
      {!readOnly && !handedHere && (
        <OtherEnd where={line.number} number={line.number} end={line.otherEnd} act={otherEnd} />
      )}
      <RefusalNote refusal={refusal} />
      <details class="voicemail">
        <summary>
          Voicemail · {line.voicemail.unread} unread
          {line.voicemail.missedCalls.length > 0 && ` · ${line.voicemail.missedCalls.length} missed`}
        </summary>
        {line.voicemail.messages.length === 0 && <p class="empty">No messages</p>}
        <ul>
          {line.voicemail.messages.map((m) => (
            <li key={m.messageId} class={m.read ? 'read' : 'unread'} data-message={m.messageId}>
              {when(m.at)} · from {phone(m.from)}{' '}
              {m.read ? `· read by ${by(m.readBy)}` : <strong>new</strong>}{' '}
              {/* Newest first: a message arriving slides the others' buttons down, under a still pointer. */}
              {/* R17: read once, read for all; reading it again is a no-op, not offered. */}
              {!readOnly && !m.read && (
                <GroupedControl
                  label="Mark read"
                  ariaLabel={`Mark read: ${message(m)}`}
                  availability={m.can.read}
                  onClick={() => act(line.number, 'POST', `${inbox}/${encodeURIComponent(m.messageId)}/read`)}
                />
              )}{' '}
              {!readOnly && (
                <>
                  <GroupedControl
                    label="Delete"
                    ariaLabel={`Delete: ${message(m)}`}
                    availability={m.can.delete}
                    onClick={() => act(line.number, 'DELETE', `${inbox}/${encodeURIComponent(m.messageId)}`)}
                  />
                  <Reasons refused={m.read ? [m.can.delete] : [m.can.read, m.can.delete]} />
                </>
              )}
            </li>
          ))}
          {line.voicemail.deleted.map((m) => (
            <li key={m.messageId} class="deleted" data-message={m.messageId}>
              {when(m.at)} · from {phone(m.from)} · deleted by {m.deleted && by([m.deleted])}
            </li>
          ))}
        </ul>
        {line.voicemail.missedCalls.length > 0 && (
          <>
            <h4>Missed calls</h4>
            <ul>
              {line.voicemail.missedCalls.map((c) => (
                <li key={c.callId}>
                  {when(c.receivedAt)} · {phone(c.from)} · {words(c.reason)}
                </li>
              ))}
            </ul>
          </>
        )}
      </details>
      <details class="history" ref={history}>
        <summary>
          History ·{' '}
          {line.history.length < line.historyCalls
            ? `the latest ${line.history.length} of ${line.historyCalls} calls`
            : line.historyCalls === 1
              ? '1 call'
              : `${line.historyCalls} calls`}
        </summary>
        <ul>
          {line.history.map((h) => (
            <li key={h.callId}>
              {when(h.startedAt)} · {h.direction} {phone(h.external)} · {words(h.result ?? h.status)}
              {h.durationSeconds !== null && ` · ${duration(h.durationSeconds)}`}
              {h.labels.length > 0 && (
                <ul class="labels">
                  {h.labels.map((label) => (
                    <li key={label}>{named(label)}</li>
                  ))}
                </ul>
              )}
              <AuditTrail
                account={seat.account.accountId}
                viewer={seat.viewer.partyId}
                number={line.number}
                callId={h.callId}
                at={seat.position}
                past={readOnly}
              />
            </li>
          ))}
        </ul>
        {line.history.length < line.historyCalls && (
          <p class="more">
            The line's history holds{' '}
            <a
              href={`/lines/${encodeURIComponent(seat.account.accountId)}/${encodeURIComponent(line.number.replace(/^\+/, ''))}/history?${new URLSearchParams({ viewer: seat.viewer.partyId, ...(readOnly ? { asOf: seat.position } : {}) })}`}
            >
              all {line.historyCalls} calls
            </a>{' '}
            (JSON, from the projector).
          </p>
        )}
      </details>
    </section>
  );
}

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

function Roster({ seat, act, refusal }: { seat: Seat; act: Act; refusal: Shown | undefined }) {
  return (
    <section class="roster" aria-label="Delegations">
      <h2>Delegations</h2>
      <Delegations title="My delegates" rows={seat.delegates} seat={seat} act={act} />
      <Delegations title="I assist" rows={seat.delegators} seat={seat} act={act} />
      <RefusalNote refusal={refusal} />
    </section>
  );
}

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
function Clock({ seat, act, refusal }: { seat: Seat; act: Act; refusal: Shown | undefined }) {
  const next = useNextTimer(seat.position);
  if (seat.clock.mode !== 'virtual') return null;
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

/**
 * The world outside the account, which a simulator has to play: an external number calls one of the
 * lines on the page, which then rings as R13 and R19 say (or goes to voicemail when busy, R14), on
 * every seat that shows it. Without it a call could only be placed, never answered, from the page.
 */
function OutsideCaller(props: {
  seats: readonly Seat[];
  ring: (number: string, from: string) => void;
  refusal: Shown | undefined;
}) {
  const { seats, ring, refusal } = props;
  // Every line on the page once, named by its owner rather than by how one viewer sees it ("My number").
  const lines = [...new Map(seats.flatMap((seat) => seat.lines.map((line) => [line.number, line]))).values()];
  const [number, setNumber] = useState('');
  const [from, setFrom] = useState('');
  if (lines.length === 0) return null;
  const target = lines.find((line) => line.number === number) ?? lines[0]!;
  return (
    <PageForm class="outside-caller" label="An outside caller" send={() => ring(target.number, from.trim())}>
      <PhoneField label="An outside number" value={from} onChange={setFrom} />{' '}
      <label>
        calls{' '}
        <select value={target.number} onChange={(e) => setNumber((e.target as HTMLSelectElement).value)}>
          {lines.map((line) => (
            <option key={line.number} value={line.number}>
              {named(line.owner.name)} · {line.name ? `${named(line.name)} ` : ''}
              {phone(line.number)}
            </option>
          ))}
        </select>
      </label>{' '}
      <button type="submit">Ring</button>
      <RefusalNote refusal={refusal} />
    </PageForm>
  );
}

/**
 * Time travel (the projector's asOf / asOfTime): step event by event through the account's events,
 * back and forth from any point (a time jumped to, too), then back to live.
 */
function TimeTravel(props: {
  shown: Seat;
  /** The parties whose seats the page shows: no step back goes before the last of them was one. */
  viewers: readonly string[];
  /** The stack's time now (ms): its virtual clock, or the wall clock in realtime mode. */
  stackNow: number;
  past: boolean;
  /** The address names a point of time travel, shown or not (refused, or on its way). */
  inAddress: boolean;
  travel: (to: PastPoint) => Promise<string | undefined>;
  live: () => void;
  refusal: Shown | undefined;
}) {
  const { shown, viewers, stackNow, past, inAddress, travel, live, refusal } = props;
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
    // A year past 9999 is no ISO-8601 date: Date parses it as nothing, which has no ISO string.
    const at = new Date(time);
    if (Number.isNaN(at.getTime()) || at.getFullYear() > 9999) {
      setTyped({
        code: 'INVALID_REQUEST',
        message: `${time.replace('T', ' ')} is no time to travel to: pick one from the year 1 to 9999.`,
      });
      return;
    }
    // Nothing has happened after the stack's clock: a view "as of" a later time would be today's
    // lamps with durations run on to then, a state no one saw.
    if (at.getTime() > stackNow) {
      setTyped({
        code: 'INVALID_REQUEST',
        message: `${when(at.toISOString())} has not come yet: the stack's clock is at ${when(new Date(stackNow).toISOString())}. Pick an earlier time${past ? ', or go Back to live' : ''}.`,
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
      <button disabled={!time} onClick={show}>
        Show
      </button>
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
      <RefusalNote refusal={typed ?? refusal ?? stepError} />
    </div>
  );
}
