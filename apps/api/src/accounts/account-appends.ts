import { Injectable } from '@nestjs/common';
import type { AccountEvent } from '#events';
import type { CommandOutcome } from '#eventstore';
import type { CommandOrigin } from '../shared/command-metadata.js';

/** What is told of each account append of this process: the account, the outcome, where it came from. */
export type AccountAppendListener = (
  accountId: string,
  outcome: CommandOutcome<AccountEvent>,
  origin: CommandOrigin,
) => Promise<void>;

/**
 * Where the account command handler tells of what it appended, before the command is answered, and
 * where the line timers hear of it (they send line commands, and the lines depend on the accounts,
 * so the handler cannot depend on them): a transfer under way on one of the account's lines is
 * checked again against the account as it now is (R16).
 */
@Injectable()
export class AccountAppends {
  private listener: AccountAppendListener | undefined;

  listen(listener: AccountAppendListener): void {
    this.listener = listener;
  }

  async record(
    accountId: string,
    outcome: CommandOutcome<AccountEvent>,
    origin: CommandOrigin,
  ): Promise<void> {
    await this.listener?.(accountId, outcome, origin);
  }
}
