import { PERMISSIONS, type AccountEvent } from './account.events.js';
import type { ClockEvent } from './clock.events.js';
import type { EventOfType } from './event.js';
import { RING_DECISION_REASONS, type LineEvent } from './line.events.js';

/**
 * Run-time shape checks of every event's data, at its current schema version (after upcasting). The
 * store is shared: another client can write an event of one of our types with data of another shape,
 * and a fold or projection that reads `undefined` where a string should be either throws far from the
 * cause or, worse, folds a wrong state. Checking here, once, lets every consumer treat such an event
 * as malformed by a stated policy.
 *
 * `Check<T>` carries the type it checks, and `DataSchemas` wants one field check for every field of
 * every event type's data: the compiler refuses a schema that forgets a field or checks the wrong kind.
 */
export interface Check<T> {
  /** Why `value` is not a T (a short phrase), or undefined when it is. */
  (value: unknown): string | undefined;
  /** Never set: ties the check to the type it checks. */
  readonly checks?: T;
}

type Shape<T> = { readonly [K in keyof T]-?: Check<T[K]> };

const check = <T>(test: (value: unknown) => string | undefined): Check<T> => test;

export const isString: Check<string> = check((value) =>
  typeof value === 'string' ? undefined : 'is not a string',
);
export const isNumber: Check<number> = check((value) =>
  typeof value === 'number' && Number.isFinite(value) ? undefined : 'is not a number',
);
export const isBoolean: Check<boolean> = check((value) =>
  typeof value === 'boolean' ? undefined : 'is not a boolean',
);

export const oneOf = <L extends string>(...literals: readonly L[]): Check<L> => {
  const allowed = new Set<unknown>(literals);
  return check((value) =>
    allowed.has(value) ? undefined : `is not one of ${literals.map((l) => `"${l}"`).join(', ')}`,
  );
};

export const nullable = <T>(inner: Check<T>): Check<T | null> =>
  check((value) => (value === null ? undefined : inner(value)));

export const arrayOf = <T>(item: Check<T>): Check<T[]> =>
  check((value) => {
    if (!Array.isArray(value)) return 'is not an array';
    for (let i = 0; i < value.length; i++) {
      const problem = item(value[i]);
      if (problem !== undefined) return `[${i}] ${problem}`;
    }
    return undefined;
  });

/**
 * Every event decoded runs one of these (the projector decodes 100,000s a second), so the fields
 * and their checks are laid out once, as arrays, and a passing check allocates nothing.
 */
export const objectOf = <T>(shape: Shape<T>): Check<T> => {
  const fields = Object.keys(shape);
  // eslint-disable-next-line local/no-prototype-lookup -- the shape's own keys, from Object.keys
  const checks = fields.map((field) => (shape as Record<string, Check<unknown>>)[field]!);
  return check((value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'is not an object';
    const record = value as Record<string, unknown>;
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i]!;
      // eslint-disable-next-line local/no-prototype-lookup -- a field name of our schema, not the writer's key
      const fieldValue = record[field];
      if (fieldValue === undefined && !Object.hasOwn(record, field)) return `.${field} is missing`;
      const problem = checks[i]!(fieldValue);
      if (problem !== undefined) return `.${field} ${problem}`;
    }
    return undefined;
  });
};

/** Either of two checks, for unions of object shapes. */
export const either = <A, B>(first: Check<A>, second: Check<B>): Check<A | B> =>
  check((value) => {
    const one = first(value);
    if (one === undefined) return undefined;
    const other = second(value);
    return other === undefined ? undefined : `${one}; or ${other}`;
  });

type Catalogue = AccountEvent | LineEvent | ClockEvent;
export type DataSchemas = { readonly [T in Catalogue['type']]: Shape<EventOfType<Catalogue, T>['data']> };

const by = { by: isString, at: isString };
const ofParty = { ...by, partyId: isString };
const ofSpeedDial = { ...by, ownerId: isString, entryId: isString };
const ofDelegation = { ...by, delegationId: isString, delegatorId: isString, delegateId: isString };
const callingPlan = oneOf('metered', 'unlimited', 'pro', 'none');
const permission = oneOf(...PERMISSIONS);
const linePermission = nullable(oneOf('placeCalls', 'answerCalls', 'pickUpHeldCalls', 'joinAndMerge'));
const desktopClient = objectOf({
  platform: oneOf('windows', 'macos', 'linux', 'web', 'mobile'),
  version: isString,
});
const businessHours = nullable(
  objectOf({
    utcOffsetMinutes: isNumber,
    windows: arrayOf(
      objectOf({ day: oneOf('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'), from: isString, to: isString }),
    ),
  }),
);
const policy = objectOf({
  delegationEnabled: isBoolean,
  autoActivateInvitations: isBoolean,
  maxDelegatesPerDelegator: isNumber,
  maxDelegatorsPerDelegate: isNumber,
  assistantMinimumVersion: isString,
  commonAreaDelegationNeedsPowerPack: isBoolean,
});
const strings = arrayOf(isString);
const callBy = { callId: isString, by: isString, at: isString };
const onBehalf = { onBehalfOf: nullable(isString), permission: linePermission };

export const dataSchemas: DataSchemas = {
  // Account
  AccountCreated: { ...by, accountId: isString, name: isString, admins: strings, policy },
  AccountPolicyChanged: { ...by, policy },
  PhoneUserProvisioned: {
    ...ofParty,
    name: isString,
    directNumbers: strings,
    callingPlan,
    powerPack: isBoolean,
    assistantEnabled: isBoolean,
    desktopClient: nullable(desktopClient),
  },
  CommonAreaPhoneProvisioned: {
    ...ofParty,
    name: isString,
    directNumbers: strings,
    callingPlan,
    powerPack: isBoolean,
  },
  PartyDirectNumbersChanged: { ...ofParty, directNumbers: strings },
  PartyCallingPlanChanged: { ...ofParty, callingPlan },
  PartyPowerPackChanged: { ...ofParty, powerPack: isBoolean },
  PartyAssistantChanged: { ...ofParty, assistantEnabled: isBoolean },
  PartyDesktopClientChanged: { ...ofParty, desktopClient },
  BusinessHoursSet: { ...ofParty, businessHours },
  RingTimeoutChanged: { ...ofParty, ringTimeoutSeconds: isNumber },
  DelegationEnabledForUser: ofParty,
  DelegationDisabledForUser: ofParty,
  DelegationLockedByAdmin: ofParty,
  DelegationUnlockedByAdmin: ofParty,
  DelegateInvited: { ...ofDelegation, permissions: arrayOf(permission), sharedLines: strings },
  DelegationAccepted: ofDelegation,
  DelegationDeclined: ofDelegation,
  DelegationActivatedByPolicy: ofDelegation,
  DelegationRevoked: ofDelegation,
  DelegationPermissionsChanged: { ...ofDelegation, permissions: arrayOf(permission) },
  DelegationSharedLinesChanged: { ...ofDelegation, sharedLines: strings },
  DelegateOptedIn: ofDelegation,
  DelegateOptedOut: ofDelegation,
  DelegateBusinessHoursSet: { ...ofDelegation, businessHours },
  VipContactAdded: { ...by, delegatorId: isString, number: isString, name: isString },
  VipContactRemoved: { ...by, delegatorId: isString, number: isString },
  VipRoutingChanged: {
    ...by,
    delegatorId: isString,
    routing: either(
      objectOf({ mode: oneOf('delegatorOnly') }),
      objectOf({ mode: oneOf('delegatorFirst'), delaySeconds: isNumber }),
    ),
  },
  SpeedDialAdded: { ...ofSpeedDial, label: isString, number: isString, position: isNumber },
  SpeedDialRelabelled: { ...ofSpeedDial, label: isString },
  SpeedDialMoved: { ...ofSpeedDial, fromPosition: isNumber, position: isNumber },
  SpeedDialRemoved: ofSpeedDial,
  SpeedDialLimitChanged: { ...by, maxSpeedDials: isNumber },
  LineNamed: { ...ofParty, number: isString, name: nullable(isString) },
  // Line
  CallPlacedOnSharedLine: {
    callId: isString,
    line: isString,
    to: isString,
    placedBy: isString,
    ...onBehalf,
    callerId: objectOf({ number: isString, name: isString }),
    at: isString,
    owner: nullable(isString),
  },
  CallAnsweredByExternalParty: { callId: isString, at: isString },
  IncomingCallReceived: {
    callId: isString,
    line: isString,
    from: isString,
    vip: isBoolean,
    at: isString,
    owner: nullable(isString),
  },
  CallRang: {
    callId: isString,
    stage: oneOf('initial', 'vipEscalation'),
    alerted: strings,
    decisions: arrayOf(
      objectOf({
        partyId: isString,
        role: oneOf('delegator', 'delegate'),
        rings: isBoolean,
        afterSeconds: isNumber,
        rule: check<`R${number}`>((value) =>
          typeof value === 'string' && /^R\d+$/.test(value) ? undefined : 'is not a rule like "R13"',
        ),
        reason: oneOf(...RING_DECISION_REASONS),
        message: isString,
      }),
    ),
    ringTimeoutAt: isString,
    escalationAt: nullable(isString),
    at: isString,
  },
  CallDeclined: { ...callBy, onBehalfOf: nullable(isString) },
  CallAnswered: { ...callBy, ...onBehalf, ringLegsEnded: strings },
  CallSentToVoicemail: {
    callId: isString,
    reason: oneOf('ringTimeout', 'allDeclined', 'lineBusy'),
    missedBy: strings,
    ringLegsEnded: strings,
    at: isString,
  },
  CallHeld: { ...callBy, onBehalfOf: nullable(isString), privacyLocked: isBoolean },
  CallResumed: callBy,
  HeldCallPickedUp: { ...callBy, ...onBehalf, heldBy: isString },
  CallPrivacyLockChanged: { ...callBy, locked: isBoolean },
  CallTransferRequested: {
    ...callBy,
    attempt: isNumber,
    onBehalfOf: nullable(isString),
    to: isString,
    recallAt: isString,
  },
  CallTransferred: { ...callBy, ...onBehalf, attempt: isNumber, transferredBy: isString },
  CallTransferRecalled: {
    callId: isString,
    attempt: isNumber,
    to: isString,
    target: isString,
    reason: oneOf('timeout', 'declined', 'targetNotAllowed'),
    at: isString,
  },
  CallJoined: { ...callBy, ...onBehalf },
  CallsMerged: { ...callBy, ...onBehalf, heldBy: isString, participants: strings },
  CallLeft: callBy,
  CallEnded: {
    callId: isString,
    by: nullable(isString),
    reason: oneOf('hungUp', 'externalHungUp', 'callerAbandoned'),
    missedBy: strings,
    ringLegsEnded: strings,
    at: isString,
  },
  RecordingStarted: { ...callBy, recordingId: isString },
  RecordingStopped: {
    callId: isString,
    recordingId: isString,
    owner: isString,
    reason: oneOf('stoppedByOwner', 'ownerLeftCall', 'callEnded'),
    at: isString,
  },
  VoicemailLeft: {
    messageId: isString,
    callId: isString,
    from: isString,
    at: isString,
    owner: nullable(isString),
  },
  VoicemailRead: { messageId: isString, by: isString, onBehalfOf: nullable(isString), at: isString },
  VoicemailDeleted: { messageId: isString, by: isString, onBehalfOf: nullable(isString), at: isString },
  // Clock
  VirtualClockAdvanced: { from: isString, to: isString },
};

/** Each type's data check, by type name: what the catalogue's registry runs after upcasting. */
export const dataChecks: Readonly<Record<string, Check<unknown>>> = Object.fromEntries(
  Object.entries(dataSchemas).map(([type, shape]) => [
    type,
    objectOf(shape as Shape<Record<string, unknown>>),
  ]),
);
