import type { AccountState } from '../account/account.state.js';
import { ACCOUNT_NOT_FOUND } from '../account/account.eligibility.js';
import { sharedLineView } from '../account/account.queries.js';
import { DomainError } from '../shared/domain-error.js';
import type { LineContext } from '../line/line.context.js';

/**
 * The account as a shared line sees it at `now` (R10–R14, R19): who owns the number, who it is shared
 * with and with which permissions, and why a party cannot take part. Only delegations that share
 * this very number count (R10); eligibility (R2–R4) is carried as the failure the account side would
 * report, so a line rejection and an account diagnostic name the same rule and code.
 */
export const lineContextFor = (account: AccountState, number: string, now: string): LineContext => {
  // A line of an account that does not exist is not a missing line: say which is missing.
  if (account.status !== 'active') {
    throw DomainError.of(ACCOUNT_NOT_FOUND);
  }
  const view = sharedLineView(account, number);
  if (!view) {
    throw new DomainError(
      'LINE_NOT_FOUND',
      'R10',
      `No party of this account owns the number ${number}; provision it as a direct number first.`,
      { line: number },
    );
  }
  return {
    now,
    line: view.line,
    delegator: view.delegator,
    delegates: view.delegates.map((delegate) => ({
      partyId: delegate.partyId,
      name: delegate.name,
      active: delegate.active,
      permissions: delegate.permissions,
      // R13: opting out needs `optInOut`; a delegate that lost the permission rings again.
      optedIn: delegate.optedIn || !delegate.permissions.includes('optInOut'),
      businessHours: delegate.businessHours,
      eligibility: delegate.eligibility,
    })),
    vip: view.vip,
  };
};
