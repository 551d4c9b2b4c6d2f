import { CommandHandler, Command, type ICommandHandler } from '@nestjs/cqrs';
import { accountDecider, type AccountCommand } from '#domain';
import { accountStream, type AccountEvent } from '#events';
import type { CommandOutcome } from '#eventstore';
import { commandMetadata, type CommandOrigin } from '../shared/command-metadata.js';
import { AccountRepository } from './account.repository.js';

/** One command on an account's stream, as the api received it. */
export class ExecuteAccountCommand extends Command<CommandOutcome<AccountEvent>> {
  constructor(
    readonly accountId: string,
    readonly command: AccountCommand,
    readonly origin: CommandOrigin,
  ) {
    super();
  }
}

/** Load → decide → append with the expected revision; the repository re-decides after a conflict (R8). */
@CommandHandler(ExecuteAccountCommand)
export class AccountCommandHandler implements ICommandHandler<ExecuteAccountCommand> {
  constructor(private readonly repository: AccountRepository) {}

  execute({ accountId, command, origin }: ExecuteAccountCommand): Promise<CommandOutcome<AccountEvent>> {
    return this.repository.handle(
      accountStream(accountId),
      (state) => accountDecider.decide(command, state, { now: command.now }),
      commandMetadata(origin, command.actor, { onBehalfOf: null, permission: null }, new Date(command.now)),
    );
  }
}
