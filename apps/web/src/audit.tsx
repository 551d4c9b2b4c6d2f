import { useEffect, useRef, useState } from 'preact/hooks';
import { useAddress } from './address.js';
import { navigate } from './navigate.js';
import { Refusal, isStackDown, loadJson } from './api.js';
import { liveSeats } from './live.js';
import { auditStep } from '../../../libs/read-models/src/queries/audit-steps.js';
import { named as isolated, phone, when } from './format.js';

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
  /** Who acted and for whom by name, as the projector names them; null for an actor that is no party. */
  readonly actorName: string | null;
  readonly onBehalfOfName: string | null;
}

/** The projector's trail: its entries, and every party its steps name, with its name. */
interface AuditAnswer {
  readonly entries: readonly AuditEntry[];
  readonly parties: readonly { readonly partyId: string; readonly name: string }[];
}

/** What a trail is filtered by: '' lets every row through. */
interface TrailFilter {
  readonly actor: string;
  readonly onBehalfOf: string;
  readonly step: string;
}

const EVERY_STEP: TrailFilter = { actor: '', onBehalfOf: '', step: '' };

/**
 * The address names every trail open and its filter, so a reload, Back, Forward or a shared link show
 * them all again: an auditor compares a call's trail on two seats of a room, or two calls of a line,
 * each filtered its own way. `audit` names an open trail as `<seat>.<call>` (a room shows a call on
 * several seats; ids never hold a `.`), once per trail; each filter is `<seat>.<call>.<value>`, once per
 * trail it filters: `auditActor` who acted, `auditFor` on whose behalf, `auditStep` the kind of step.
 */
const TRAIL = 'audit';
const FILTERS: Readonly<Record<keyof TrailFilter, string>> = {
  actor: 'auditActor',
  onBehalfOf: 'auditFor',
  step: 'auditStep',
};
/** Links shared before the page kept several trails name one: `audit=<call>&auditSeat=<seat>&auditActor=<actor>`. */
const ONE_TRAIL_SEAT = 'auditSeat';

const trailId = (viewer: string, callId: string): string => `${viewer}.${callId}`;

/** Every trail the address names open, with its filter, by `<seat>.<call>`. */
const trailsIn = (address: URLSearchParams): ReadonlyMap<string, TrailFilter> => {
  const oneTrailSeat = address.get(ONE_TRAIL_SEAT);
  const oneTrail = oneTrailSeat === null ? undefined : trailId(oneTrailSeat, address.get(TRAIL) ?? '');
  const trails = new Map<string, TrailFilter>(
    address.getAll(TRAIL).map((id) => [oneTrail ?? id, EVERY_STEP]),
  );
  for (const [field, name] of Object.entries(FILTERS) as [keyof TrailFilter, string][]) {
    for (const value of address.getAll(name)) {
      // `<seat>.<call>.` then the value whole, whatever it holds; an old link's value is the value alone.
      const [seat, call] = value.split('.', 2);
      const id = oneTrail ?? trailId(seat ?? '', call ?? '');
      const filter = trails.get(id);
      const chosen = oneTrail === undefined ? value.slice(id.length + 1) : value;
      if (filter && chosen !== '') trails.set(id, { ...filter, [field]: chosen });
    }
  }
  return trails;
};

/** Moves to this address with these trails open and filtered, as a step of the page's history. */
const navigateToTrails = (trails: ReadonlyMap<string, TrailFilter>): void => {
  const address = new URL(location.href);
  for (const name of [TRAIL, ONE_TRAIL_SEAT, ...Object.values(FILTERS)]) address.searchParams.delete(name);
  for (const [id, filter] of trails) {
    address.searchParams.append(TRAIL, id);
    for (const [field, name] of Object.entries(FILTERS) as [keyof TrailFilter, string][]) {
      if (filter[field] !== '') address.searchParams.append(name, `${id}.${filter[field]}`);
    }
  }
  if (address.href !== location.href) navigate(address);
};

/** Whether the address names this call's trail on this seat: its history is then opened too. */
export const trailInAddress = (address: URLSearchParams, viewer: string, callId: string): boolean =>
  trailsIn(address).has(trailId(viewer, callId));

const passes = (entry: AuditEntry, filter: TrailFilter): boolean =>
  (filter.actor === '' || entry.actor === filter.actor) &&
  (filter.onBehalfOf === '' || entry.onBehalfOf === filter.onBehalfOf) &&
  (filter.step === '' || entry.type === filter.step);

/** The values a filter offers: those of the trail in the order they first come, and the one chosen. */
const choices = (values: readonly (string | null)[], chosen: string): string[] => [
  ...new Set([...values.filter((value): value is string => value !== null), ...(chosen ? [chosen] : [])]),
];

/** A trail as of a view (`asOf`, or live), in a format of the projector's (`json` or `csv`). */
const trailQuery = (path: string, asOf: string | undefined, format?: 'csv'): string => {
  const search = new URLSearchParams({
    ...(asOf === undefined ? {} : { asOf }),
    ...(format ? { format } : {}),
  });
  return search.size === 0 ? path : `${path}?${search}`;
};

/**
 * The projector's own exports of a trail, which `switchboard audit verify` checks (JSON or CSV,
 * hash-chained), named as the projector names its CSV; a past view's export says the position it is
 * cut at, since the log holds more of the call than the file.
 */
function Exports({ path, callId, asOf }: { path: string; callId: string; asOf: string | undefined }) {
  const exportOf = (format: 'json' | 'csv') =>
    `call-${callId}-audit${asOf === undefined ? '' : `-as-of-${asOf}`}.${format}`;
  return (
    <>
      <a href={trailQuery(path, asOf)} download={exportOf('json')}>
        Export JSON
      </a>{' '}
      ·{' '}
      <a href={trailQuery(path, asOf, 'csv')} download={exportOf('csv')}>
        Export CSV
      </a>
    </>
  );
}

/**
 * How many times a read that found the stack down is to be read again, once the page's connection is
 * live again: the seat's position may not have moved meanwhile (nothing happened), which alone would
 * leave the read saying the stack is not answering long after it answers.
 */
const useRevivals = (error: Refusal | undefined): number => {
  const [revivals, setRevivals] = useState(0);
  useEffect(() => {
    if (!isStackDown(error)) return;
    return liveSeats.whenLiveAgain(() => setRevivals((count) => count + 1));
  }, [error]);
  return revivals;
};

/**
 * The story of one call, opened from its history entry: who did what, for whom, under which permission.
 * `at` is the `$all` position of the seat it is shown on. Live, an open trail is read again whenever the
 * seat moves on, so a call still going on shows its later events as the lamp does. In time travel
 * (`past`) it is the story as of `at`, as the history entry it opens from is: a later event would tell
 * what the view has not reached yet.
 */
export function AuditTrail(props: {
  account: string;
  /** The seat's viewer: the address names a trail with its seat. */
  viewer: string;
  number: string;
  callId: string;
  at: string;
  past: boolean;
}) {
  const { account, viewer, number, callId, at, past } = props;
  const asOf = past ? at : undefined;
  const [open, setOpen] = useState(false);
  const trails = trailsIn(useAddress());
  const id = trailId(viewer, callId);
  const named = trails.has(id);
  const filter = trails.get(id) ?? EVERY_STEP;
  const details = useRef<HTMLDetailsElement>(null);
  // Open exactly while its address names it: a reload, Back, Forward or a link open it, and Back past
  // the step that opened it closes it again. The address names every trail open, so another trail
  // opened since leaves this one named; only a move to an address without it (Back, a link to the
  // seat) drops it.
  useEffect(() => {
    if (details.current && details.current.open !== named) details.current.open = named;
  }, [named]);
  /** Names this trail in the address with a filter, beside the other trails open. */
  const filterBy = (changes: Partial<TrailFilter>) =>
    navigateToTrails(new Map(trails).set(id, { ...filter, ...changes }));
  /**
   * The entries read, with the past view they were read for: another view's entries are never shown;
   * live ones stay shown while the next read is on its way.
   */
  const [trail, setTrail] = useState<{
    readonly asOf?: string;
    readonly entries: readonly AuditEntry[];
    /** Party names by id: a Map, as the ids are the log's, which no lookup may take for an object's member. */
    readonly names: ReadonlyMap<string, string>;
  }>();
  const [error, setError] = useState<Refusal>();
  const revivals = useRevivals(open ? error : undefined);
  const path = `/lines/${encodeURIComponent(account)}/${encodeURIComponent(number.replace(/^\+/, ''))}/calls/${encodeURIComponent(callId)}/audit`;
  useEffect(() => {
    if (!open) return;
    let current = true;
    loadJson<AuditAnswer>(trailQuery(path, asOf)).then(
      (read) => {
        if (!current) return;
        const names = new Map(read.parties.map((party) => [party.partyId, party.name]));
        setTrail({ asOf, entries: read.entries, names });
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
  const entries = trail && trail.asOf === asOf ? trail.entries : undefined;
  const names = trail?.names ?? new Map<string, string>();
  const nameOf = (party: string): string => isolated(names.get(party) ?? party);
  /** A party as an option names it: by name, then its id, which the address and the exports keep. */
  const partyChoice = (party: string): string => {
    const name = names.get(party);
    return name === undefined ? party : `${isolated(name)} (${party})`;
  };
  const shown = entries?.filter((entry) => passes(entry, filter));
  const filtered = filter.actor !== '' || filter.onBehalfOf !== '' || filter.step !== '';
  const picker = (
    label: string,
    name: keyof TrailFilter,
    every: string,
    values: readonly string[],
    shown: (value: string) => string = (value) => value,
  ) => (
    <label>
      {label}{' '}
      <select
        value={filter[name]}
        onChange={(event) => filterBy({ [name]: (event.currentTarget as HTMLSelectElement).value })}
      >
        <option value="">{every}</option>
        {values.map((value) => (
          <option key={value} value={value}>
            {shown(value)}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <details
      class="audit"
      ref={details}
      onToggle={(event) => {
        const opened = (event.currentTarget as HTMLDetailsElement).open;
        setOpen(opened);
        if (opened && !named) filterBy(EVERY_STEP);
        if (!opened && named) {
          const others = new Map(trails);
          others.delete(id);
          navigateToTrails(others);
        }
      }}
    >
      <summary>Audit trail</summary>
      {error && (
        <p class="refusal" role="alert">
          <code>{error.code}</code> {error.message}
        </p>
      )}
      {!entries && !error && open && <p aria-busy="true">Loading the trail…</p>}
      {entries && shown && (
        <div class="trail-filter" role="group" aria-label="Filter the trail">
          {picker(
            'Acted by',
            'actor',
            'anyone',
            choices(
              entries.map((e) => e.actor),
              filter.actor,
            ),
            partyChoice,
          )}{' '}
          {picker(
            'On behalf of',
            'onBehalfOf',
            'anyone or no one',
            choices(
              entries.map((e) => e.onBehalfOf),
              filter.onBehalfOf,
            ),
            partyChoice,
          )}{' '}
          {picker(
            'Step',
            'step',
            'every step',
            choices(
              entries.map((e) => e.type),
              filter.step,
            ),
          )}{' '}
          <output data-count={shown.length} data-of={entries.length}>
            {shown.length} of {entries.length} steps
          </output>
          {filtered && (
            <>
              {' '}
              <button type="button" onClick={() => filterBy(EVERY_STEP)}>
                Show every step
              </button>
            </>
          )}
        </div>
      )}
      {entries && shown && (
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
              {shown.map((e) => (
                <tr key={e.eventId}>
                  <td>
                    <time dateTime={e.simulatedTime}>{when(e.simulatedTime)}</time>
                  </td>
                  <td data-type={e.type}>{e.type}</td>
                  <td data-what>
                    <StepWords entry={e} nameOf={nameOf} />
                  </td>
                  <td data-actor={e.actor}>
                    <PartyCell id={e.actor} name={e.actorName} />
                  </td>
                  <td data-on-behalf-of={e.onBehalfOf ?? ''}>
                    {e.onBehalfOf !== null && <PartyCell id={e.onBehalfOf} name={e.onBehalfOfName} />}
                  </td>
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
          <Exports path={path} callId={callId} asOf={asOf} /> · check a file with{' '}
          <code>switchboard audit verify FILE</code>
          {filtered && (
            <>
              {' '}
              · the exports hold the whole trail (all {entries.length} steps, not only the {shown?.length}{' '}
              shown): a file without some steps would break the hash chain that links each to the one before,
              and would not verify.
            </>
          )}
        </p>
      )}
    </details>
  );
}

/** A party in a trail's row: its name, and under it its id, which auditors trace through the log. */
function PartyCell({ id, name }: { id: string; name: string | null }) {
  if (name === null) return <>{id}</>;
  return (
    <>
      {isolated(name)}
      <br />
      <small class="party-id">{id}</small>
    </>
  );
}

/** An instant as the log writes it (`toISOString`), within a step's sentence; captured, to split on. */
const LOGGED_INSTANT = /(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z)/;

/**
 * What a step did, as `switchboard audit call` says it (auditStep), with the times it names (when an
 * unanswered ring goes to voicemail, when a transfer comes back) written as the row's own time is: in
 * the viewer's zone, named. The sentence writes them as the log does, in UTC, which beside a row's
 * local time reads as another hour of the same clock.
 */
function StepWords({ entry, nameOf }: { entry: AuditEntry; nameOf: (party: string) => string }) {
  return (
    <>
      {auditStep(entry, nameOf)
        .split(LOGGED_INSTANT)
        .map((part, i) =>
          // Split on a captured pattern, the instants are the odd parts.
          i % 2 === 1 ? (
            <time key={i} dateTime={part}>
              {when(part)}
            </time>
          ) : (
            part
          ),
        )}
    </>
  );
}

/** The projector's trail of a call found by its id alone (`/calls/…/audit`): where the call was. */
interface CallTrail {
  readonly line: { readonly accountId: string; readonly number: string };
  readonly entries: readonly { readonly position: string; readonly simulatedTime: string }[];
}

/**
 * The trails the address names on a seat for calls none of its lines lists: a call older than the
 * latest calls a line lists (a link an auditor shared before more calls came), a call of another seat,
 * a mistyped id. The address would open nothing and say nothing; here the seat says which call, where
 * it was and when, gives its exports, and closes it.
 */
export function UnlistedTrails(props: {
  viewer: string;
  /** Every call the seat's lines list. */
  listed: ReadonlySet<string>;
  /** The view's `$all` position in time travel; undefined live. */
  asOf: string | undefined;
}) {
  const { viewer, listed, asOf } = props;
  const trails = trailsIn(useAddress());
  const prefix = `${viewer}.`;
  const unlisted = [...trails.keys()]
    .filter((id) => id.startsWith(prefix) && !listed.has(id.slice(prefix.length)))
    .map((id) => id.slice(prefix.length));
  if (unlisted.length === 0) return null;
  const close = (callId: string) => {
    const others = new Map(trails);
    others.delete(trailId(viewer, callId));
    navigateToTrails(others);
  };
  return (
    <div class="unlisted-trails">
      {unlisted.map((callId) => (
        <UnlistedTrail key={callId} callId={callId} asOf={asOf} close={() => close(callId)} />
      ))}
    </div>
  );
}

function UnlistedTrail(props: { callId: string; asOf: string | undefined; close: () => void }) {
  const { callId, asOf, close } = props;
  const [found, setFound] = useState<{ readonly trail?: CallTrail; readonly error?: Refusal }>();
  const revivals = useRevivals(found?.error);
  const path = `/calls/${encodeURIComponent(callId)}/audit`;
  // Read live whatever the view: a past view before the call began (a trail left open while stepping
  // back) is told by the call's first event, where the projector would answer that view with a 404.
  useEffect(() => {
    let current = true;
    loadJson<CallTrail>(path).then(
      (trail) => current && setFound({ trail }),
      (error: Refusal) => current && setFound({ error }),
    );
    return () => {
      current = false;
    };
  }, [callId, revivals]);
  const { trail, error } = found ?? {};
  const first = trail?.entries[0];
  const later = first !== undefined && asOf !== undefined && BigInt(first.position) > BigInt(asOf);
  return (
    <p class="refusal" role="alert" data-call={callId} data-code={error?.code ?? ''}>
      The address opens the audit trail of call <code>{callId}</code>, which no line of this seat lists
      {asOf === undefined ? '' : ' as of this view'}
      {error && (
        <>
          : <code>{error.code}</code> {error.message}{' '}
        </>
      )}
      {trail && first && (
        <>
          {later ? ': ' : ' (a line lists only its latest calls): '}a call on line {phone(trail.line.number)}{' '}
          of account {isolated(trail.line.accountId)}
          {later ? ', which begins after this view, at ' : ', from '}
          <time dateTime={first.simulatedTime}>{when(first.simulatedTime)}</time>.{' '}
          {!later && (
            <>
              Its whole trail: <Exports path={path} callId={callId} asOf={asOf} />.{' '}
            </>
          )}
        </>
      )}
      {!error && !(trail && first) && '. '}
      <button type="button" onClick={close}>
        Close it
      </button>
    </p>
  );
}
