import { Injectable } from '@nestjs/common';
import { parseAccountStream, type AccountEvent } from '#events';
import type { CommandOutcome } from '#eventstore';
import type { CommandOrigin } from '../shared/command-metadata.js';
import { AccountRepository } from './account.repository.js';

/** An account change: the account, the event that changed it (the last of its append) and its correlation. */
export interface AccountChange {
  readonly accountId: string;
  readonly eventId: string;
  readonly correlationId: string;
}

/** What is told of each account change; never failing (a check that fails is the listener's to tell). */
export type AccountChangeListener = (change: AccountChange) => Promise<void>;

/**
 * Where the line timers hear of account changes (they send line commands, and the lines depend on
 * the accounts, so the account handler cannot depend on them), so that a transfer under way on one
 * of the account's lines is checked again against the account as it now is (R16). From two sides:
 *
 * - this process's own account commands, told by the handler before the command is answered
 *   (`record`), so the change's effect on the lines is done by the time its answer is read;
 * - every account event in the log (another api instance's, a history import's, another tool's,
 *   and this process's own again), through the account repository's subscription (`follow`), so
 *   every instance that holds a transfer's recall timer checks it, whoever took the change; one
 *   written while the subscription was down too, once it follows again from where it got to.
 *
 * Both name the change by the same event id (its append's last event), so the checks they start are
 * sent under the same command id and all but the first are answered as duplicates.
 */
@Injectable()
export class AccountAppends {
  private listener: AccountChangeListener | undefined;

  constructor(accounts: AccountRepository) {
    accounts.onFollowed((stored) => {
      const accountId = parseAccountStream(stored.stream);
      if (accountId === undefined) return;
      void this.listener?.({
        accountId,
        eventId: stored.id,
        correlationId: stored.metadata.$correlationId,
      });
    });
  }

  listen(listener: AccountChangeListener): void {
    this.listener = listener;
  }

  async record(
    accountId: string,
    outcome: CommandOutcome<AccountEvent>,
    origin: CommandOrigin,
  ): Promise<void> {
    await this.listener?.({
      accountId,
      eventId: outcome.eventIds.at(-1)!,
      correlationId: origin.correlationId,
    });
  }
}
