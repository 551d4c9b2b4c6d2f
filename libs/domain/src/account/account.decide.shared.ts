import type { AccountEvent, BusinessHours, Permission } from '#events';
import { OWN_AUTHORITY, type Authority, type CommandContext, type Decision } from '../shared/decider.js';
import type { RuleId } from '../reasons.js';
import { refusal, refuse, rejectWith, type Refusal, type Verdict } from '../shared/domain-error.js';
import { explainPermission, partyNotFound } from './account.eligibility.js';
import { delegationBetween, isAdmin } from './account.queries.js';
import type { ActiveAccount, Delegation, Party } from './account.state.js';
import { businessHoursProblem, VERSION_PATTERN } from './account.values.js';

// What the account's decide modules share: rejecting, who may act, and the lookups and checks several use.

/**
 * How each account command is decided: on an active account, at the context's `now` (R21), to its
 * events (none for a no-op), or to a decision where a delegate may act for a delegator.
 */
export type DecideOn<Command, Decided = AccountEvent[]> = (
  command: Command,
  state: ActiveAccount,
  context: CommandContext,
) => Decided;

/**
 * How a command a delegate may give for its delegator is decided (R13, R19, R22): to a decision that
 * says on whose authority its events were decided.
 */
export type DecideWithAuthority<Command> = DecideOn<Command, Decision<AccountEvent>>;

type DataOf<T extends AccountEvent['type']> = Extract<AccountEvent, { type: T }>['data'];

/** What a command says of its event of type `T`: the event's data but its stamp (see stamped). */
export type StampedFields<T extends AccountEvent['type']> = Omit<DataOf<T>, 'by' | 'at'>;

/**
 * An event a command decides, stamped as every account event is: `by` the command's actor, `at` the time
 * of the decision (R21). The stamp goes last, so the stored data reads as it always has. (The cast:
 * TypeScript cannot see that the fields without `by`/`at` plus `by`/`at` are the event's data again.)
 */
export const stamped = <T extends AccountEvent['type']>(
  { actor }: { readonly actor: string },
  at: string,
  type: T,
  fields: StampedFields<T>,
): AccountEvent => ({ type, data: { ...fields, by: actor, at } }) as unknown as AccountEvent;

/**
 * The decision of a command a delegate may give for its delegator (R13, R19, R22): its events (none
 * for a no-op) and the authority they were decided on, which the events' metadata records (SPEC §2).
 */
export const decidedOn = (authority: Authority, ...events: AccountEvent[]): Decision<AccountEvent> => ({
  events,
  authority,
});

/** Rejects with exactly what eligibility says, so a rejection and a diagnosis never disagree. */
export const check = (verdict: Verdict): void => {
  if (!verdict.ok) rejectWith(verdict);
};

export const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

// ── Who may act ──────────────────────────────────────────────────────────────────────────────────

export const requireAdmin = (state: ActiveAccount, actor: string, rule: RuleId, what: string): void => {
  if (!isAdmin(state, actor)) refuse('ADMIN_ONLY', rule, { account: state.accountId, action: what });
};

export const requireSelfOrAdmin = (
  state: ActiveAccount,
  actor: string,
  partyId: string,
  rule: RuleId,
  what: string,
) => {
  if (actor !== partyId && !isAdmin(state, actor))
    refuse('ACTOR_NOT_ALLOWED', rule, { case: 'selfOrAdmin', party: partyId, action: what });
};

/**
 * `requireSelfOrAdmin` for a command on its own `partyId`: the settings of a party are changed by the
 * party or an admin, and the refusal names what was tried "of" that party.
 */
export const requireSelfOrAdminOf = (
  state: ActiveAccount,
  { actor, partyId }: { readonly actor: string; readonly partyId: string },
  rule: RuleId,
  doing: string,
) => requireSelfOrAdmin(state, actor, partyId, rule, `${doing} of ${partyId}`);

/**
 * R19, R22: a party's own list (VIP contacts, speed dials) is edited by the party, an admin, or an
 * active delegate of the party holding the list's `permission`, a delegate on the party's behalf. A
 * delegate's failure is the one the account's eligibility names (pending invitation, missing
 * permission), so a diagnosis and a refusal agree; anybody else is refused `notAnEditor`.
 */
export const requireListEditor = (
  state: ActiveAccount,
  actor: string,
  ownerId: string,
  permission: Extract<Permission, 'manageVipContacts' | 'manageSpeedDials'>,
  notAnEditor: Refusal,
): Authority => {
  if (actor === ownerId || isAdmin(state, actor)) return OWN_AUTHORITY;
  if (!delegationBetween(state, ownerId, actor)) rejectWith(notAnEditor);
  check(explainPermission(state, ownerId, actor, permission));
  return { onBehalfOf: ownerId, permission };
};

// ── Lookups that reject ──────────────────────────────────────────────────────────────────────────

export const partyOf = (state: ActiveAccount, partyId: string): Party =>
  state.parties.get(partyId) ?? rejectWith(partyNotFound(partyId));

/** R3: an admin lock freezes every delegation setting of the party, whoever asks: the first locked, or null. */
export const lockRefusal = (...parties: readonly Party[]): Refusal | null => {
  const locked = parties.find((party) => party.delegationLocked);
  return locked ? refusal('DELEGATION_LOCKED', 'R3', { party: locked.id }) : null;
};

export const requireUnlocked = (...parties: readonly Party[]): void => {
  const locked = lockRefusal(...parties);
  if (locked) rejectWith(locked);
};

// ── Value checks ─────────────────────────────────────────────────────────────────────────────────

export const checkVersion = (version: string, rule: RuleId): void => {
  if (!VERSION_PATTERN.test(version)) refuse('INVALID_VERSION', rule, { version });
};

export const checkBusinessHours = (hours: BusinessHours | null): void => {
  const problem = hours && businessHoursProblem(hours);
  if (problem) refuse('INVALID_BUSINESS_HOURS', 'R13', { problem });
};

// ── Event data ───────────────────────────────────────────────────────────────────────────────────

export const delegationRef = (delegation: Delegation) => ({
  delegationId: delegation.id,
  delegatorId: delegation.delegatorId,
  delegateId: delegation.delegateId,
});
