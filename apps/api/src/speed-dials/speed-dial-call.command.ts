import { Command, CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  ACCOUNT_NOT_FOUND,
  DomainError,
  speedDialNumber,
  type PlaceCallOnSharedLine,
  type Timed,
} from '#domain';
import { accountStream, type LineEvent } from '#events';
import type { CommandOutcome } from '#eventstore';
import { AccountRepository } from '../accounts/account.repository.js';
import type { CommandOrigin } from '../shared/command-metadata.js';
import { ExecuteLineCommand } from '../lines/line.command.js';
import type { LineNumber } from '../lines/line-number.pipe.js';

/** A party presses speed-dial key `entryId` of `ownerId`'s list to call out on `line` (R22). */
export class PlaceSpeedDialCall extends Command<CommandOutcome<LineEvent>> {
  constructor(
    readonly accountId: string,
    readonly ownerId: string,
    readonly entryId: string,
    readonly line: LineNumber,
    readonly call: Timed<Omit<PlaceCallOnSharedLine, 'type' | 'to'>>,
    readonly origin: CommandOrigin,
  ) {
    super();
  }
}

/**
 * The key only says which number to dial (and that the actor may use the list): the call is then the
 * very `PlaceCallOnSharedLine` that dialling the number on that line would be, through the same line
 * handler and decider, so R10–R12 (who may call from the line, busy, exactly one winner) decide it
 * exactly as they decide a dialled call. Nothing is appended to the account.
 */
@CommandHandler(PlaceSpeedDialCall)
export class PlaceSpeedDialCallHandler implements ICommandHandler<PlaceSpeedDialCall> {
  constructor(
    private readonly accounts: AccountRepository,
    private readonly commands: CommandBus,
  ) {}

  async execute({
    accountId,
    ownerId,
    entryId,
    line,
    call,
    origin,
  }: PlaceSpeedDialCall): Promise<CommandOutcome<LineEvent>> {
    const { state } = await this.accounts.current(accountStream(accountId), 'refuse');
    if (state.status !== 'active') {
      throw new DomainError(ACCOUNT_NOT_FOUND);
    }
    const entry = speedDialNumber(state, { actor: call.actor, ownerId, entryId });
    const { at, ...placed } = call;
    return this.commands.execute(
      new ExecuteLineCommand(
        accountId,
        line,
        { command: { type: 'PlaceCallOnSharedLine', ...placed, to: entry.number }, at, origin },
        'refuse',
      ),
    );
  }
}
