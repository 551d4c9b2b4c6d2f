import { named, sentenceOf } from '#domain';
import { splitLineKey } from '#events';
import type { ReadModels } from '../engine/read-models.js';
import {
  accountsProjection,
  delegationKey,
  partyKey,
  type DelegationRow,
  type PartyRow,
} from '../projections/accounts.projection.js';
import type { CallRow } from '../projections/calls.projection.js';

export type LineAccess =
  | { readonly allowed: true; readonly role: 'delegator'; readonly owner: PartyRow }
  | {
      readonly allowed: true;
      readonly role: 'delegate';
      readonly owner: PartyRow;
      readonly delegation: DelegationRow;
    }
  | {
      readonly allowed: false;
      readonly rule: 'R10' | 'R17';
      readonly reason: string;
      readonly owner: PartyRow | undefined;
    };

/** A party of the account, or undefined when the account has no such party (or is unknown). */
export const accountParty = (
  readModels: ReadModels,
  accountId: string,
  partyId: string,
): PartyRow | undefined => readModels.state(accountsProjection).parties.get(partyKey(accountId, partyId));

/** The account's parties in the order they were provisioned; none for an unknown account. */
export const accountParties = (readModels: ReadModels, accountId: string): PartyRow[] => {
  const { accounts, parties } = readModels.state(accountsProjection);
  return (accounts.get(accountId)?.parties ?? []).map((partyId) =>
    parties.get(partyKey(accountId, partyId))!,
  );
};

/** The account's delegations in the order they were invited; none for an unknown account. */
export const accountDelegations = (readModels: ReadModels, accountId: string): DelegationRow[] => {
  const { accounts, delegations } = readModels.state(accountsProjection);
  return (accounts.get(accountId)?.delegations ?? []).map((delegationId) =>
    delegations.get(delegationKey(accountId, delegationId))!,
  );
};

export const partyName = (
  readModels: ReadModels,
  accountId: string,
  partyId: string | null,
): string | null => {
  if (partyId === null) return null;
  return accountParty(readModels, accountId, partyId)?.name ?? partyId;
};

/**
 * Lines are addressed by the digits of their number (a line stream is `line-<accountId>.<digits>`,
 * `+` being no stream-id character) while parties and delegations carry E.164 numbers: compare digits.
 */
export const sameNumber = (a: string, b: string): boolean => a.replace(/^\+/, '') === b.replace(/^\+/, '');

/** A number as people read it, always in E.164 with its `+`, however the line was addressed. */
export const shownNumber = (number: string): string => (number.startsWith('+') ? number : `+${number}`);

/** The party whose direct number the line is (R10: shared lines are the delegator's direct numbers). */
export const lineOwner = (readModels: ReadModels, accountId: string, number: string): PartyRow | undefined =>
  accountParties(readModels, accountId).find((party) =>
    party.directNumbers.some((own) => sameNumber(own, number)),
  );

/** Delegations of a delegator to a delegate that share `number`, newest first. */
export const delegationsFor = (
  readModels: ReadModels,
  accountId: string,
  delegatorId: string,
  delegateId: string,
): DelegationRow[] =>
  accountDelegations(readModels, accountId)
    .filter((d) => d.delegatorId === delegatorId && d.delegateId === delegateId)
    .reverse();

/**
 * Who may look at a line's shared inbox and history (R17): the delegator who owns the number, and
 * delegates whose active delegation shares it (R10). Everybody else is told which rule says no.
 */
export const lineAccess = (
  readModels: ReadModels,
  accountId: string,
  number: string,
  viewer: string,
): LineAccess => {
  const owner = lineOwner(readModels, accountId, number);
  if (!owner) {
    return {
      allowed: false,
      rule: 'R10',
      reason: sentenceOf('LINE_NOT_FOUND', { case: 'unowned', line: shownNumber(number) }),
      owner,
    };
  }
  if (owner.partyId === viewer) return { allowed: true, role: 'delegator', owner };
  const delegations = delegationsFor(readModels, accountId, owner.partyId, viewer);
  const active = delegations.find(
    (d) => d.status === 'active' && d.sharedLines.some((line) => sameNumber(line, number)),
  );
  if (active) return { allowed: true, role: 'delegate', owner, delegation: active };
  const latest = delegations[0];
  const ownerName = named(owner.name);
  const reason = !latest
    ? `${viewer} is neither ${ownerName} (the delegator) nor one of ${ownerName}'s delegates`
    : latest.status !== 'active'
      ? `${viewer}'s delegation from ${ownerName} is ${latest.status}, not active`
      : `${ownerName} does not share ${shownNumber(number)} with ${viewer}`;
  return { allowed: false, rule: 'R17', reason, owner };
};

/**
 * R10/R17: whether a call or voicemail of a line is of the ownership the number is in now. A number
 * an admin moves to another party starts a new ownership: its calls and messages from before stay
 * with the party they came in for (who sees those it took part in in its own history), and the new
 * owner and its delegates see only theirs. `owner` is the number's owner now (none: a number nobody
 * owns); a row logged before owners were recorded (`owner: null`) is the current ownership's.
 */
export const ofCurrentOwner = (
  owner: PartyRow | undefined,
  row: { readonly owner: string | null },
): boolean => row.owner === null || row.owner === owner?.partyId;

/**
 * R17, one rule for every call history: a viewer sees a call it took part in, and every call of a line
 * whose shared history it may see (`lineAccess`: the delegator and the active delegates sharing it)
 * from the number's current ownership (`ofCurrentOwner`).
 * A line's history asks the second half for the whole line; a party's history asks it per call.
 */
export const maySeeCall = (
  readModels: ReadModels,
  accountId: string,
  call: CallRow,
  viewer: string,
): boolean => {
  if (call.parties.includes(viewer)) return true;
  const access = lineAccess(readModels, accountId, splitLineKey(call.line).number, viewer);
  return access.allowed && ofCurrentOwner(access.owner, call);
};

export type PartyHistoryAccess =
  | { readonly allowed: true; readonly role: 'self' | 'delegator' | 'delegate' }
  | { readonly allowed: false; readonly rule: 'R17'; readonly reason: string };

/**
 * Who may ask for a party's history (R17): the party itself, and the parties it shares lines with
 * through an active delegation either way (its delegator, its delegates). They see only the calls
 * `maySeeCall` lets them; anybody else is refused as on a line.
 */
export const partyHistoryAccess = (
  readModels: ReadModels,
  accountId: string,
  partyId: string,
  viewer: string,
): PartyHistoryAccess => {
  if (viewer === partyId) return { allowed: true, role: 'self' };
  const active = (delegatorId: string, delegateId: string): boolean =>
    delegationsFor(readModels, accountId, delegatorId, delegateId).some((d) => d.status === 'active');
  if (active(partyId, viewer)) return { allowed: true, role: 'delegate' };
  if (active(viewer, partyId)) return { allowed: true, role: 'delegator' };
  const name = partyName(readModels, accountId, partyId);
  return {
    allowed: false,
    rule: 'R17',
    reason: `${viewer} is neither ${name} nor a party sharing lines with ${name} through an active delegation`,
  };
};
