import { CommandHandler, Command, type ICommandHandler } from '@nestjs/cqrs';
import { accountDecider, type AccountCommand } from '#domain';
import { accountStream, type AccountEvent } from '#events';
import type { CommandOutcome } from '#eventstore';
import { CommandPipeline, type SentCommand } from '../shared/command-pipeline.js';
import { AccountAppends } from './account-appends.js';
import { AccountRepository } from './account.repository.js';

/** One command on an account's stream, as the api received it. */
export class ExecuteAccountCommand extends Command<CommandOutcome<AccountEvent>> {
  constructor(
    readonly accountId: string,
    readonly sent: SentCommand<AccountCommand>,
  ) {
    super();
  }
}

/** The account's stream through the command pipeline: decided at the command's time, in no other context. */
@CommandHandler(ExecuteAccountCommand)
export class AccountCommandHandler implements ICommandHandler<ExecuteAccountCommand> {
  constructor(
    private readonly repository: AccountRepository,
    private readonly pipeline: CommandPipeline,
    private readonly appends: AccountAppends,
  ) {}

  async execute({ accountId, sent }: ExecuteAccountCommand): Promise<CommandOutcome<AccountEvent>> {
    const outcome = await this.pipeline.execute(
      {
        repository: this.repository,
        stream: accountStream(accountId),
        decider: accountDecider,
        contextAt: (now) => ({ now }),
      },
      sent,
    );
    // Before the answer: what the change did to the account's lines is done by the time it is read.
    if (!outcome.duplicate && outcome.events.length > 0)
      await this.appends.record(accountId, outcome, sent.origin);
    return outcome;
  }
}
