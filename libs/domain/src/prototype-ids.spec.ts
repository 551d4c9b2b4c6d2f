import type { AccountEvent, LineEvent } from '#events';
import { PROTOTYPE_NAMES } from '../../events/src/prototype-names.fixture.js';
import type { AccountCommand } from './account/account.commands.js';
import { accountDecider } from './account/account.decider.js';
import * as A from './account/account.fixtures.js';
import type { LineCommand } from './line/line.commands.js';
import { lineDecider } from './line/line.decider.js';
import * as L from './line/line.fixtures.js';
import { fold, inContext, type CommandContext, type Decider, type Timed } from './shared/decider.js';
import { DomainError } from './shared/domain-error.js';

/**
 * Ids reach the deciders from clients. A lookup on a plain object once answered `constructor` with
 * Object.prototype's member: `ReadVoicemail` of message `constructor` on an empty inbox was accepted
 * and wrote a VoicemailRead the projector could not apply. Ids are opaque to the domain, so for every
 * command and every id it carries, a name Object.prototype knows must decide exactly as a fresh id
 * nobody used: the same rejection (a domain error, never a crash), the same "nothing to do", or the
 * same events with that id. The tables are keyed by command type, so a new command must join them.
 */
const FRESH = 'never-used-id';

/** The outcome of most commands for a fresh id in each of `fields`: no such thing, or an unknown actor. */
const rejected = <Field extends string>(...fields: Field[]) =>
  Object.fromEntries(fields.map((field) => [field, 'rejected'])) as Record<Field, 'rejected'>;

/** What a fresh id leads to: refused, accepted without events, or accepted with events. */
type Outcome = 'rejected' | 'nothing' | 'events';

interface Sample<Command, Event> {
  readonly given: readonly Event[];
  readonly command: Command;
  /** When the command is sent, if not at the context's `now` (a timer due later). */
  readonly at?: string;
  /** Each field holding an id, and what a fresh id there leads to. */
  readonly ids: Readonly<Partial<Record<keyof Command & string, Outcome>>>;
}

type Samples<Command extends { type: string }, Event> = {
  readonly [T in Command['type']]: Sample<Extract<Command, { type: T }>, Event>;
};

// ── Line ─────────────────────────────────────────────────────────────────────────────────────────

const lineContext = L.lineContext();
const TIMERS = { actor: L.TIMERS };
const idle = L.history(lineContext, L.incoming('c0'), {
  type: 'ExpireRing',
  callId: 'c0',
  ...TIMERS,
  at: L.at(30),
});
const ringing = [
  ...idle,
  ...L.history(lineContext, ...[]),
  ...decideOn(idle, L.incoming('c1', L.CALLER, L.at(40))),
];
const connected = [...ringing, ...decideOn(ringing, L.answer('c1', L.ASSISTANT))];
const recording = [
  ...connected,
  ...decideOn(connected, { type: 'StartRecording', callId: 'c1', recordingId: 'r1', actor: L.ASSISTANT }),
];
const held = [...recording, ...decideOn(recording, L.hold('c1', L.ASSISTANT))];
const transferring = [
  ...connected,
  ...decideOn(connected, { type: 'TransferCall', callId: 'c1', to: L.BOSS, actor: L.ASSISTANT }),
];
const dialing = [...idle, ...decideOn(idle, L.place('c2', L.BOSS))];

function decideOn(given: readonly LineEvent[], timed: Timed<LineCommand>): readonly LineEvent[] {
  const [command, context] = inContext(timed, lineContext);
  return lineDecider.decide(command, fold(lineDecider.evolve, lineDecider.initialState, given), context)
    .events;
}

const late = L.at(3600);
const LINE_SAMPLES: Samples<LineCommand, LineEvent> = {
  PlaceCallOnSharedLine: {
    given: idle,
    command: L.place('c9', L.BOSS),
    ids: { callId: 'events', actor: 'rejected' },
  },
  AnswerAsExternalParty: {
    given: dialing,
    command: { type: 'AnswerAsExternalParty', callId: 'c2', actor: `external:${L.CALLER}` },
    ids: rejected('callId'),
  },
  HangUpAsExternalParty: {
    given: dialing,
    command: { type: 'HangUpAsExternalParty', callId: 'c2', actor: `external:${L.CALLER}` },
    ids: rejected('callId'),
  },
  ReceiveIncomingCall: {
    given: idle,
    command: { type: 'ReceiveIncomingCall', callId: 'c9', from: L.CALLER, actor: `external:${L.CALLER}` },
    ids: { callId: 'events' },
  },
  AnswerCall: { given: ringing, command: L.answer('c1', L.ASSISTANT), ids: rejected('callId', 'actor') },
  DeclineCall: { given: ringing, command: L.decline('c1', L.ASSISTANT), ids: rejected('callId', 'actor') },
  HoldCall: { given: connected, command: L.hold('c1', L.ASSISTANT), ids: rejected('callId', 'actor') },
  ResumeCall: { given: held, command: L.resume('c1', L.ASSISTANT), ids: rejected('callId', 'actor') },
  PickUpHeldCall: { given: held, command: L.pickUp('c1', L.DEPUTY), ids: rejected('callId', 'actor') },
  SetCallPrivacyLock: {
    given: connected,
    command: L.lockPrivacy('c1', L.BOSS),
    ids: rejected('callId', 'actor'),
  },
  TransferCall: {
    given: connected,
    command: { type: 'TransferCall', callId: 'c1', to: L.BOSS, actor: L.ASSISTANT },
    ids: rejected('callId', 'to', 'actor'),
  },
  JoinCall: { given: connected, command: L.join('c1', L.DEPUTY), ids: rejected('callId', 'actor') },
  MergeHeldCall: { given: held, command: L.merge('c1', L.DEPUTY), ids: rejected('callId', 'actor') },
  HangUp: { given: connected, command: L.hangUp('c1', L.ASSISTANT), ids: rejected('callId', 'actor') },
  StartRecording: {
    given: connected,
    command: { type: 'StartRecording', callId: 'c1', recordingId: 'r9', actor: L.ASSISTANT },
    ids: { callId: 'rejected', recordingId: 'events', actor: 'rejected' },
  },
  StopRecording: {
    given: recording,
    command: { type: 'StopRecording', callId: 'c1', recordingId: 'r1', actor: L.ASSISTANT },
    ids: rejected('callId', 'recordingId', 'actor'),
  },
  ReadVoicemail: {
    given: idle,
    command: { type: 'ReadVoicemail', messageId: 'c0', actor: L.ASSISTANT },
    ids: rejected('messageId', 'actor'),
  },
  DeleteVoicemail: {
    given: idle,
    command: { type: 'DeleteVoicemail', messageId: 'c0', actor: L.ASSISTANT },
    ids: rejected('messageId', 'actor'),
  },
  ExpireRing: {
    given: ringing,
    command: { type: 'ExpireRing', callId: 'c1', ...TIMERS },
    at: late,
    ids: { callId: 'nothing' },
  },
  EscalateVipRing: {
    given: ringing,
    command: { type: 'EscalateVipRing', callId: 'c1', ...TIMERS },
    at: late,
    ids: { callId: 'nothing' },
  },
  RecallTransfer: {
    given: transferring,
    command: { type: 'RecallTransfer', callId: 'c1', attempt: 1, ...TIMERS },
    at: late,
    ids: { callId: 'nothing' },
  },
  RecheckTransferTarget: {
    given: transferring,
    command: { type: 'RecheckTransferTarget', callId: 'c1', attempt: 1, ...TIMERS },
    ids: { callId: 'nothing' },
  },
};

// ── Account ──────────────────────────────────────────────────────────────────────────────────────

const acme = A.history(...A.ACME, A.givePowerPack(A.ALICE));
const invited = A.extend(
  acme,
  A.invite('d1', A.ALICE, A.BOB, { permissions: [...A.EVERYDAY, 'optInOut', 'overrideBusinessHours'] }),
);
const active = A.extend(invited, A.accept('d1', A.BOB));
const withVip = A.extend(active, A.addVip(A.ALICE, A.VIP));
const withSpeedDial = A.extend(acme, A.addSpeedDial(A.ALICE, 'k1'));
const now = { now: A.T0 };
const hours = { utcOffsetMinutes: 0, windows: [] };

const ACCOUNT_SAMPLES: Samples<AccountCommand, AccountEvent> = {
  CreateAccount: {
    given: [],
    command: { ...A.createAccount(), admins: [A.ADMIN] },
    ids: { accountId: 'events', actor: 'events' },
  },
  ChangeAccountPolicy: {
    given: acme,
    command: A.changePolicy({ autoActivateInvitations: true }),
    ids: rejected('actor'),
  },
  ProvisionPhoneUser: {
    given: acme,
    command: A.provisionUser('dave'),
    ids: { partyId: 'events', actor: 'rejected' },
  },
  ProvisionCommonAreaPhone: {
    given: acme,
    command: A.provisionCommonArea('hall', { directNumbers: ['+15550000099'] }),
    ids: { partyId: 'events', actor: 'rejected' },
  },
  ChangeDirectNumbers: {
    given: acme,
    command: {
      type: 'ChangeDirectNumbers',
      partyId: A.BOB,
      directNumbers: ['+15550000098'],
      actor: A.ADMIN,
      ...now,
    },
    ids: rejected('partyId', 'actor'),
  },
  ChangeCallingPlan: {
    given: acme,
    command: { type: 'ChangeCallingPlan', partyId: A.BOB, callingPlan: 'metered', actor: A.ADMIN, ...now },
    ids: rejected('partyId', 'actor'),
  },
  ChangePowerPack: { given: acme, command: A.givePowerPack(A.BOB), ids: rejected('partyId', 'actor') },
  ChangeAssistant: {
    given: acme,
    command: { type: 'ChangeAssistant', partyId: A.BOB, assistantEnabled: false, actor: A.ADMIN, ...now },
    ids: rejected('partyId', 'actor'),
  },
  ReportDesktopClient: {
    given: acme,
    command: {
      type: 'ReportDesktopClient',
      partyId: A.BOB,
      desktopClient: { platform: 'macos', version: '6.3.0' },
      actor: A.BOB,
      ...now,
    },
    ids: rejected('partyId', 'actor'),
  },
  SetBusinessHours: {
    given: acme,
    command: { type: 'SetBusinessHours', partyId: A.BOB, businessHours: null, actor: A.ADMIN, ...now },
    ids: rejected('partyId', 'actor'),
  },
  ChangeRingTimeout: {
    given: acme,
    command: { type: 'ChangeRingTimeout', partyId: A.BOB, ringTimeoutSeconds: 20, actor: A.ADMIN, ...now },
    ids: rejected('partyId', 'actor'),
  },
  EnableDelegationForUser: {
    given: A.extend(acme, A.disableFor(A.BOB)),
    command: A.enableFor(A.BOB),
    ids: rejected('partyId', 'actor'),
  },
  DisableDelegationForUser: { given: acme, command: A.disableFor(A.BOB), ids: rejected('partyId', 'actor') },
  LockDelegation: { given: acme, command: A.lock(A.BOB), ids: rejected('partyId', 'actor') },
  UnlockDelegation: {
    given: A.extend(acme, A.lock(A.BOB)),
    command: A.unlock(A.BOB),
    ids: rejected('partyId', 'actor'),
  },
  InviteDelegate: {
    given: acme,
    command: A.invite('d9', A.ALICE, A.CAROL),
    ids: { delegationId: 'events', delegatorId: 'rejected', delegateId: 'rejected', actor: 'rejected' },
  },
  AcceptInvitation: {
    given: invited,
    command: A.accept('d1', A.BOB),
    ids: rejected('delegationId', 'actor'),
  },
  DeclineInvitation: {
    given: invited,
    command: A.decline('d1', A.BOB),
    ids: rejected('delegationId', 'actor'),
  },
  RevokeDelegation: {
    given: active,
    command: A.revoke('d1', A.ALICE),
    ids: rejected('delegationId', 'actor'),
  },
  ChangeDelegationPermissions: {
    given: active,
    command: A.changePermissions('d1', A.ALICE, ['answerCalls']),
    ids: rejected('delegationId', 'actor'),
  },
  ChangeSharedLines: {
    given: active,
    command: A.changeSharedLines('d1', A.ALICE, [A.numberOf(A.ALICE)]),
    ids: rejected('delegationId', 'actor'),
  },
  OptIn: {
    given: A.extend(active, A.optOut('d1', A.BOB)),
    command: A.optIn('d1', A.BOB),
    ids: rejected('delegationId', 'actor'),
  },
  OptOut: { given: active, command: A.optOut('d1', A.BOB), ids: rejected('delegationId', 'actor') },
  SetDelegateBusinessHours: {
    given: active,
    command: {
      type: 'SetDelegateBusinessHours',
      delegationId: 'd1',
      businessHours: hours,
      actor: A.BOB,
      ...now,
    },
    ids: rejected('delegationId', 'actor'),
  },
  AddVipContact: {
    given: active,
    command: A.addVip(A.ALICE, '+15557770002'),
    ids: rejected('delegatorId', 'actor'),
  },
  RemoveVipContact: {
    given: withVip,
    command: {
      type: 'RemoveVipContact',
      delegatorId: A.ALICE,
      number: A.VIP,
      actor: A.ALICE,
      ...now,
    },
    ids: rejected('delegatorId', 'actor'),
  },
  ChangeVipRouting: {
    given: withVip,
    command: {
      type: 'ChangeVipRouting',
      delegatorId: A.ALICE,
      routing: { mode: 'delegatorFirst', delaySeconds: 10 },
      actor: A.ALICE,
      ...now,
    },
    ids: rejected('delegatorId', 'actor'),
  },
  AddSpeedDial: {
    given: acme,
    command: A.addSpeedDial(A.ALICE, 'k1'),
    ids: { ownerId: 'rejected', entryId: 'events', actor: 'rejected' },
  },
  RelabelSpeedDial: {
    given: withSpeedDial,
    command: {
      type: 'RelabelSpeedDial',
      ownerId: A.ALICE,
      entryId: 'k1',
      label: 'Desk',
      actor: A.ALICE,
      ...now,
    },
    ids: rejected('ownerId', 'entryId', 'actor'),
  },
  MoveSpeedDial: {
    given: withSpeedDial,
    command: { type: 'MoveSpeedDial', ownerId: A.ALICE, entryId: 'k1', position: 2, actor: A.ALICE, ...now },
    ids: rejected('ownerId', 'entryId', 'actor'),
  },
  RemoveSpeedDial: {
    given: withSpeedDial,
    command: { type: 'RemoveSpeedDial', ownerId: A.ALICE, entryId: 'k1', actor: A.ALICE, ...now },
    ids: rejected('ownerId', 'entryId', 'actor'),
  },
  ChangeSpeedDialLimit: {
    given: acme,
    command: { type: 'ChangeSpeedDialLimit', maxSpeedDials: 5, actor: A.ADMIN, ...now },
    ids: rejected('actor'),
  },
  NameLine: { given: acme, command: A.nameLine(A.ALICE, 'Front desk'), ids: rejected('partyId', 'actor') },
};

// ── The property ─────────────────────────────────────────────────────────────────────────────────

type Decision =
  | { readonly outcome: 'rejected'; readonly code: string; readonly rule: string | undefined }
  | { readonly outcome: 'nothing' | 'events'; readonly events: unknown };

/** Every string equal to `id` written as `<id>`, so decisions with different ids compare. */
const withoutId = (value: unknown, id: string): unknown => {
  if (value === id) return '<id>';
  if (Array.isArray(value)) return value.map((item) => withoutId(item, id));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, member]) => [key, withoutId(member, id)]));
  return value;
};

const decision = <C, E, S, X extends CommandContext>(
  decider: Decider<C, E, S, X>,
  context: X,
  sample: Sample<C, E>,
  field: string,
  id: string,
): Decision => {
  const command = { ...sample.command, [field]: id } as C;
  const state = fold(decider.evolve, decider.initialState, sample.given);
  try {
    const { events } = decider.decide(
      command,
      state,
      sample.at === undefined ? context : { ...context, now: sample.at },
    );
    return events.length === 0
      ? { outcome: 'nothing', events }
      : { outcome: 'events', events: withoutId(events, id) };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return { outcome: 'rejected', code: error.code, rule: error.rule };
  }
};

const cases = (samples: object) =>
  Object.entries(samples as Record<string, Sample<object, unknown>>).flatMap(([type, sample]) =>
    Object.entries(sample.ids).map(([field, outcome]) => ({
      type,
      field,
      outcome: outcome as Outcome,
      sample,
    })),
  );

describe('ids are opaque to the deciders: a name Object.prototype knows is just an unused id', () => {
  describe.each([
    [
      'line',
      lineDecider as Decider<unknown, unknown, unknown, CommandContext>,
      lineContext,
      cases(LINE_SAMPLES),
    ],
    [
      'account',
      accountDecider as Decider<unknown, unknown, unknown, CommandContext>,
      { now: A.T0 },
      cases(ACCOUNT_SAMPLES),
    ],
  ] as const)('%s commands', (_name, decider, context, table) => {
    it.each(table.map((c) => [c.type, c.field, c.outcome, c.sample] as const))(
      '%s with %s set to a prototype member decides as a fresh id would (%s)',
      (_type, field, outcome, sample) => {
        const fresh = decision(decider, context, sample, field, FRESH);
        expect(fresh.outcome).toBe(outcome);
        for (const name of PROTOTYPE_NAMES) {
          expect({ name, ...decision(decider, context, sample, field, name) }).toEqual({ name, ...fresh });
        }
      },
    );
  });
});
