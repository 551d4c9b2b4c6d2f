import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  lineContextFor,
  lineDecider,
  lineOwner,
  type AccountState,
  type LineCommand,
  type LineContext,
} from '#domain';
import { accountStream, lineStream, type LineEvent } from '#events';
import type { CommandOutcome, ForeignEventPolicy } from '#eventstore';
import { AccountRepository } from '../accounts/account.repository.js';
import { CommandPipeline, type SentCommand } from '../shared/command-pipeline.js';
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
    readonly sent: SentCommand<LineCommand>,
    readonly foreignEvents: ForeignEventPolicy,
  ) {
    super();
  }
}

/**
 * The line's stream through the command pipeline, decided in the account as the line sees it at the
 * command's time; what it appended puts the line's timers on the clock before it is answered (R21).
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
    private readonly pipeline: CommandPipeline,
    private readonly appends: LineAppends,
  ) {}

  async execute({
    accountId,
    number,
    sent,
    foreignEvents,
  }: ExecuteLineCommand): Promise<CommandOutcome<LineEvent>> {
    const outcome = await this.pipeline.execute(
      {
        repository: this.lines,
        stream: lineStream(accountId, number.digits),
        decider: lineDecider,
        contextAt: async (now) => {
          const { state: account } = await this.accounts.current(accountStream(accountId), foreignEvents);
          return this.contextFor(account, number.e164, now, sent.command.type);
        },
        foreignEvents,
      },
      sent,
    );
    this.appends.record(outcome, sent.origin);
    return outcome;
  }

  private contextFor(
    account: AccountState,
    number: string,
    now: string,
    type: LineCommand['type'],
  ): LineContext {
    // A number nobody owns: refused, or (a command winding a call down) a stand-in, never kept.
    if (!lineOwner(account, number)) return lineContextFor(account, number, now, type);
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
