import { Fragment } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Directory, Seat, SeatParty, SeatsStart } from '../../projector/src/panel/seat-contract.js';
import { edgeSentenceOf } from '../../../libs/domain/src/reasons.js';
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
  loadSeatsStart,
  type PastPoint,
} from './api.js';
import { navigate } from './navigate.js';
import { named } from './format.js';
import { UnlistedTrails } from './audit.js';
import { Problem, UnknownViewer } from './problem.js';
import { SpeedDials } from './speed-dials.js';
import { liveSeats, type Connection } from './live.js';
import { lampChanges } from './announce.js';
import { fromStartWords, isBeforeStart, malformedPoint, pointNotCome, travelRefusal } from './past-point.js';
import type { Act, Method, Shown } from './controls.js';
import { type CardContext, HandedCallCard, LineCard, type OtherEndAct, handedWhere } from './call-card.js';
import { Clock } from './clock.js';
import { Dialer } from './dialer.js';
import { OutsideCaller } from './outside-caller.js';
import { Roster } from './roster.js';
import { TimeTravel } from './time-travel.js';

/**
 * How long after a lamp change others are told with it: the seats of a room each change on their own
 * update (a transfer changes the transferring seat's lamp and the target's), and a live region
 * rewritten at once would have the first never read.
 */
const TOLD_TOGETHER_MS = 1_000;

/** How long a command answered is held back from being sent again while the page has not shown it. */
const SHOWN_WITHIN_MS = 3_000;

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
  /** Why the past seats shown are of their first event: the point asked for is before it. */
  const [fromStart, setFromStart] = useState<string>();
  /** Where the seats start, asked once for the page (a party stays one) and again after a failed ask. */
  const seatsStart = useRef<Promise<SeatsStart> | undefined>(undefined);
  const startOfSeats = (): Promise<SeatsStart> => {
    const asking = seatsStart.current ?? loadSeatsStart(account, viewers);
    seatsStart.current = asking;
    asking.catch(() => {
      if (seatsStart.current === asking) seatsStart.current = undefined;
    });
    return asking;
  };
  /** Shows the seats as asked for `point`: as of it, or as of their first event when it is before it. */
  const showPast = (point: PastPoint, then: PastSeats) => {
    setPast(then.seats);
    setFromStart(then.start && fromStartWords(point, then.start, viewers.length > 1));
  };
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
  /** The stack's clock as the first live seat last showed it: no view after it shows anything. */
  const liveClock = seats.get(viewers[0]!)?.clock;
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
      setFromStart(undefined);
      setTravelError(undefined);
      return;
    }
    // Asked once the directory knows the seats: an unknown viewer is said from it, not by the past
    // seat's 404, which the browser would log as an error; and once a live seat has shown the stack's
    // clock, so a time after it is said here too, not by the projector's 422.
    if (!seatsKnown || !liveClock) return;
    const malformed = malformedPoint(point) ?? pointNotCome(point, stackTimeOf(liveClock));
    if (malformed) {
      setTravelError(malformed);
      return;
    }
    let current = true;
    setTravelError(undefined);
    seatsAsOf(account, viewers, point, startOfSeats()).then(
      (then) => {
        if (!current) return;
        shownPoint.current = pointKey;
        showPast(point, then);
        setTravelError(undefined);
      },
      (error: Refusal) => {
        if (current) setTravelError(travelRefusal(point, error, true));
      },
    );
    return () => {
      current = false;
    };
  }, [account, viewersKey, pointKey, seatsKnown, liveClock !== undefined]);

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
            new Map(shown).set(key, {
              code: error.code,
              message: error.message,
              fields: error.fields,
              call: callOfPath(path),
            }),
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
    return seatsAsOf(account, viewers, to, startOfSeats()).then(
      (then) => {
        if (asked !== travels.current) return undefined;
        shownPoint.current = new URLSearchParams(to).toString();
        showPast(to, then);
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
          stackNow={stackTimeOf(first.clock, tick)}
          past={past !== undefined}
          inAddress={point !== undefined}
          fromStart={fromStart}
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
      <UnlistedTrails
        viewer={seat.viewer.partyId}
        listed={new Set(shown.lines.flatMap((line) => line.history.map((call) => call.callId)))}
        asOf={past?.position}
      />
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

/** The seats as of a point of time travel, by viewer, and where they start if that is what is shown. */
interface PastSeats {
  readonly seats: ReadonlyMap<string, Seat>;
  /** Set when the point is before the seats' first event, and they are shown as of that event. */
  readonly start: SeatsStart | undefined;
}

/**
 * Each viewer's seat as of a point of time travel, or as of the seats' first event (`start`) for a
 * point before it: before it no seat of theirs was, and the projector's 404 for it would leave the
 * page nothing to show (and the browser an error logged) where the earliest view there is serves.
 */
const seatsAsOf = async (
  account: string,
  viewers: readonly string[],
  point: PastPoint,
  start: Promise<SeatsStart>,
): Promise<PastSeats> => {
  const first = await start;
  const early = isBeforeStart(point, first);
  const then = await Promise.all(
    viewers.map((viewer) => loadSeat(account, viewer, early ? { asOf: first.position } : point)),
  );
  return {
    seats: new Map(then.map((seat) => [seat.viewer.partyId, seat])),
    start: early ? first : undefined,
  };
};

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
    // The viewer comes from the address as typed, and may hold what reorders the sentence around it.
    const sentence = edgeSentenceOf('PARTY_NOT_FOUND', { party: named(unknown), account: found.name });
    throw new UnknownViewer(sentence, found, unknown);
  }
  return found;
};

/**
 * The stack's time now (ms), from a live seat's clock: the virtual clock's time, or in realtime mode
 * the wall clock's (`wallNow`, the page's last tick or now).
 */
const stackTimeOf = (clock: Seat['clock'], wallNow: number = Date.now()): number =>
  clock.mode === 'virtual' ? Date.parse(clock.now) : wallNow;
