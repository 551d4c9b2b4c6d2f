import {
  DEFAULT_RING_TIMEOUT_SECONDS,
  DEFAULT_VIP_ROUTING,
  type AccountState,
} from '../account/account.state.js';
import {
  ACCOUNT_NOT_FOUND,
  explainCommonAreaPremium,
  explainDelegateEligibility,
  explainDelegationEligibility,
} from '../account/account.eligibility.js';
import { delegationsSharingLine, lineOwner, partyById } from '../account/account.queries.js';
import { DomainError, refuse, type Refusal, type Verdict } from '../shared/domain-error.js';
import type { LineCommand } from '../line/line.commands.js';
import type { LineContext } from '../line/line.context.js';

const failureOrNull = (verdict: Verdict): Refusal | null => (verdict.ok ? null : verdict);
const firstRefusal = (...verdicts: readonly Verdict[]): Verdict =>
  verdicts.find((verdict) => !verdict.ok) ?? verdicts[0]!;

/**
 * The account as a shared line sees it at `now` (R10–R14, R19): who owns the number, who it is shared
 * with and with which permissions, and why a party cannot take part. Only pending and active
 * delegations that share this very number count (R10; the pending ones let R20 explain "why not");
 * eligibility (R2–R4, and R5 for a premium common-area delegation) is carried as the failure the
 * account side would report, so a line rejection and an account diagnostic name the same rule and
 * code. The one mapping from account terms into line terms: the line decider, routing and
 * diagnostics all read this.
 */
export const lineContextFor = (
  account: AccountState,
  number: string,
  now: string,
  commandType?: LineCommand['type'],
): LineContext => {
  // A line of an account that does not exist is not a missing line: say which is missing.
  if (account.status !== 'active') {
    throw new DomainError(ACCOUNT_NOT_FOUND);
  }
  const owner = lineOwner(account, number);
  if (!owner) {
    if (commandType !== undefined && ON_A_CALL_ALREADY_THERE.has(commandType))
      return unownedLine(number, now);
    refuse('LINE_NOT_FOUND', 'R10', { case: 'unowned', line: number }, { line: number });
  }
  return {
    now,
    line: {
      number,
      name: owner.lineNames.get(number) ?? null,
      ringTimeoutSeconds: owner.ringTimeoutSeconds,
      businessHours: owner.businessHours,
      owned: true,
    },
    delegator: {
      partyId: owner.id,
      name: owner.name,
      eligibility: failureOrNull(explainDelegationEligibility(account, owner.id)),
      powerPack: owner.powerPack,
    },
    delegates: delegationsSharingLine(account, number).map((delegation) => ({
      partyId: delegation.delegateId,
      name: partyById(account, delegation.delegateId)?.name ?? delegation.delegateId,
      active: delegation.status === 'active',
      permissions: delegation.permissions,
      // R13: opting out needs `optInOut`; a delegate that lost the permission rings again.
      optedIn: delegation.optedIn || !delegation.permissions.includes('optInOut'),
      businessHours: delegation.businessHours,
      eligibility: failureOrNull(
        firstRefusal(
          explainDelegateEligibility(account, delegation.delegateId),
          explainCommonAreaPremium(account, owner.id, delegation.delegateId),
        ),
      ),
    })),
    vip: { contacts: [...owner.vipContacts.keys()], routing: owner.vipRouting },
  };
};

/**
 * The line commands on a call already on a line, that a number nobody owns any more (its owner gave it
 * up mid-call) still decides (R10): a party on the call hangs up, holds it, resumes its own hold,
 * locks it (its owner) or records; the other end answers a call placed before (it knows nothing of
 * the number changing hands, and R20 offers it, as on a number passed to another party) or hangs up,
 * a ring times out to voicemail (R14), a transfer is recalled (R16). The call stays its owner's, as on a
 * number that passed to another party, so its parties keep what R15 gives them, its placed call still
 * connects, and its timers, refused, would be dropped for good. The deciders of the parties' own acts
 * refuse anybody not on the call (LINE_NOT_FOUND); anything that starts a call, rings, lets a party
 * answer or takes one over still needs an owner (LINE_NOT_FOUND here).
 */
const ON_A_CALL_ALREADY_THERE: ReadonlySet<LineCommand['type']> = new Set<LineCommand['type']>([
  'HangUp',
  'HoldCall',
  'ResumeCall',
  'SetCallPrivacyLock',
  'StartRecording',
  'StopRecording',
  'HangUpAsExternalParty',
  'AnswerAsExternalParty',
  'ExpireRing',
  'RecallTransfer',
]);

/** A number no party owns, as the commands on a call already there see it: no delegator, no delegate, no VIP. */
const unownedLine = (number: string, now: string): LineContext => ({
  now,
  line: {
    number,
    name: null,
    ringTimeoutSeconds: DEFAULT_RING_TIMEOUT_SECONDS,
    businessHours: null,
    owned: false,
  },
  delegator: { partyId: '', name: number, eligibility: null, powerPack: false },
  delegates: [],
  vip: { contacts: [], routing: DEFAULT_VIP_ROUTING },
});
