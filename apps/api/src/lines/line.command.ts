import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { lineContextFor, lineDecider, type AccountState, type LineCommand, type LineContext } from '#domain';
import { accountStream, lineStream, type LineEvent } from '#events';
import type { CommandOutcome, ForeignEventPolicy } from '#eventstore';
import { AccountRepository } from '../accounts/account.repository.js';
import { ClockService } from '../clock/clock.service.js';
import { commandMetadata, type CommandOrigin } from '../shared/command-metadata.js';
import { LineAppends } from './line-appends.js';
import type { LineNumber } from './line-number.pipe.js';
import { LineRepository } from './line.repository.js';

/**
 * One command on a shared line's stream, from a client or from the timer process manager.
 * `foreignEvents` is what the sender accepts when the line's or its account's stream holds an event
 * that claims to be Switchboard's but cannot be read: a client's command is refused (`refuse`), a
 * timer's folds past it (`skip`, see LineTimersProcessManager).
 */
export class ExecuteLineCommand extends Command<CommandOutcome<LineEvent>> {
  constructor(
    readonly accountId: string,
    readonly number: LineNumber,
    readonly command: LineCommand,
    readonly origin: CommandOrigin,
    readonly foreignEvents: ForeignEventPolicy,
  ) {
    super();
  }
}

/**
 * Time from the clock, the account as the line sees it, then load → decide → append with the
 * expected revision; the repository re-decides after a conflict (R12/R13: exactly one wins).
 */
@CommandHandler(ExecuteLineCommand)
export class LineCommandHandler implements ICommandHandler<ExecuteLineCommand> {
  /**
   * The line's view of its account only changes with the account: folds are immutable, so it is
   * worked out once per account fold and line (it walks every delegation of the account) and only
   * `now` is set per command.
   */
  private readonly contexts = new WeakMap<AccountState, Map<string, LineContext>>();

  constructor(
    private readonly accounts: AccountRepository,
    private readonly lines: LineRepository,
    private readonly clock: ClockService,
    private readonly appends: LineAppends,
  ) {}

  async execute({
    accountId,
    number,
    command,
    origin,
    foreignEvents,
  }: ExecuteLineCommand): Promise<CommandOutcome<LineEvent>> {
    const now = await this.clock.timeFor(command.at, command.actor);
    const { state: account } = await this.accounts.current(accountStream(accountId), foreignEvents);
    const context = this.contextFor(account, number.e164, now.toISOString());
    const outcome = await this.lines.handle(
      lineStream(accountId, number.digits),
      (state) => lineDecider.decide(command, state, context),
      commandMetadata(origin, command.actor, { onBehalfOf: null, permission: null }, now),
      { foreignEvents },
    );
    this.appends.record(outcome.position);
    return outcome;
  }

  private contextFor(account: AccountState, number: string, now: string): LineContext {
    let byLine = this.contexts.get(account);
    if (!byLine) {
      byLine = new Map();
      this.contexts.set(account, byLine);
    }
    let context = byLine.get(number);
    if (!context) {
      context = lineContextFor(account, number, now);
      byLine.set(number, context);
    }
    return context.now === now ? context : { ...context, now };
  }
}
