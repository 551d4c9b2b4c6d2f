import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type {
  Availability,
  DiagnosedCallAction,
  Seat,
  SeatHandedCall,
  SeatLine,
  SeatOtherEnd,
  SeatParty,
  SeatRecording,
} from '../../projector/src/panel/seat-contract.js';
import { useAddress } from './address.js';
import { AuditTrail, trailInAddress } from './audit.js';
import { linePath } from './api.js';
import { duration, elapsed, lineLabel, named, permissionWords, phone, when, words } from './format.js';
import { SteadyButton } from './steady-button.js';
import {
  type Act,
  Diagnosed,
  GroupedControl,
  Reasons,
  RefusalNote,
  type Shown,
  Unavailable,
} from './controls.js';

/**
 * The other end of a call on a line (outside the account, so no actor) answers it or hangs up, from a
 * part of the page (a line's card, a handed call's card) where a refusal shows.
 */
export type OtherEndAct = (
  where: string,
  number: string,
  callId: string,
  action: 'external-answer' | 'external-hang-up',
) => Promise<boolean>;

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
export interface CardContext {
  seat: Seat;
  act: Act;
  otherEnd: OtherEndAct;
  now: number;
  /** A past state (time travel): shown, not acted on. */
  readOnly: boolean;
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
            disabledWhy={target ? undefined : 'Choose whom to transfer the call to first, in Transfer to.'}
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
export const handedWhere = (handed: SeatHandedCall): string => `handed:${handed.number}/${handed.callId}`;

/**
 * R10: a call the viewer is on whose number an admin handed to another party (or took from its owner)
 * mid-call. The number is no longer among the seat's lines, so the call has a card of its own, marked
 * as such, with what a party on a previous owner's call may still do: hang up, hold, resume its own
 * hold, record, and (the call's owner) lock it. Nothing new starts on the number from here: R20 says
 * why. The card goes when the call ends.
 */
export function HandedCallCard(props: CardContext & { handed: SeatHandedCall; refusal: Shown | undefined }) {
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

export function LineCard(props: CardContext & { line: SeatLine; refusal: Shown | undefined }) {
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
