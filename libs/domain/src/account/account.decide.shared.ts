import type { AccountEvent, BusinessHours } from '#events';
import type { CommandContext } from '../shared/decider.js';
import type { ReasonCode, RuleId } from '../reasons.js';
import { DomainError, type Refusal, type Verdict } from '../shared/domain-error.js';
import { partyNotFound } from './account.eligibility.js';
import { isAdmin } from './account.queries.js';
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

type DataOf<T extends AccountEvent['type']> = Extract<AccountEvent, { type: T }>['data'];

/**
 * An event a command decides, stamped as every account event is: `by` the command's actor, `at` the time
 * of the decision (R21). The stamp goes last, so the stored data reads as it always has. (The cast:
 * TypeScript cannot see that the fields without `by`/`at` plus `by`/`at` are the event's data again.)
 */
export const stamped = <T extends AccountEvent['type']>(
  { actor }: { readonly actor: string },
  at: string,
  type: T,
  fields: Omit<DataOf<T>, 'by' | 'at'>,
): AccountEvent => ({ type, data: { ...fields, by: actor, at } }) as unknown as AccountEvent;

export function reject(code: ReasonCode, rule: RuleId, message: string): never {
  throw new DomainError(code, rule, message);
}

/** Rejects with exactly what eligibility says, so a rejection and a diagnosis never disagree. */
export const refuse = (refusal: Refusal): never => {
  throw DomainError.of(refusal);
};

export const check = (verdict: Verdict): void => {
  if (!verdict.ok) refuse(verdict);
};

export const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

// ── Who may act ──────────────────────────────────────────────────────────────────────────────────

export const requireAdmin = (state: ActiveAccount, actor: string, rule: RuleId, what: string): void => {
  if (!isAdmin(state, actor))
    reject(
      'ADMIN_ONLY',
      rule,
      `Only an admin of account ${state.accountId} may ${what}: ask an admin to do it.`,
    );
};

export const requireSelfOrAdmin = (
  state: ActiveAccount,
  actor: string,
  partyId: string,
  rule: RuleId,
  what: string,
) => {
  if (actor !== partyId && !isAdmin(state, actor))
    reject('ACTOR_NOT_ALLOWED', rule, `Only ${partyId} or an admin may ${what}.`);
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

// ── Lookups that reject ──────────────────────────────────────────────────────────────────────────

export const partyOf = (state: ActiveAccount, partyId: string): Party =>
  state.parties.get(partyId) ?? refuse(partyNotFound(partyId));

/** R3: an admin lock freezes every delegation setting of the party, whoever asks. */
export const requireUnlocked = (...parties: readonly Party[]): void => {
  for (const party of parties)
    if (party.delegationLocked)
      reject(
        'DELEGATION_LOCKED',
        'R3',
        `An admin locked the delegation settings of ${party.id}: ask an admin to unlock them first.`,
      );
};

// ── Value checks ─────────────────────────────────────────────────────────────────────────────────

export const checkVersion = (version: string, rule: RuleId): void => {
  if (!VERSION_PATTERN.test(version))
    reject('INVALID_VERSION', rule, `"${version}" is not a version: write it as dotted numbers, e.g. 6.2.1.`);
};

export const checkBusinessHours = (hours: BusinessHours | null): void => {
  const problem = hours && businessHoursProblem(hours);
  if (problem) reject('INVALID_BUSINESS_HOURS', 'R13', `The business hours are not valid: ${problem}.`);
};

// ── Event data ───────────────────────────────────────────────────────────────────────────────────

export const delegationRef = (delegation: Delegation) => ({
  delegationId: delegation.id,
  delegatorId: delegation.delegatorId,
  delegateId: delegation.delegateId,
});
