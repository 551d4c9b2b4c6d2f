import type { AccountEvent, LineEvent } from '#events';
import type { AccountCommand } from '../account/account.commands.js';
import { accountDecider } from '../account/account.decider.js';
import type { AccountState } from '../account/account.state.js';
import { fold, inContext, type Timed } from '../shared/decider.js';
import type { LineCommand } from '../line/line.commands.js';
import { lineDecider } from '../line/line.decider.js';
import type { LineState } from '../line/line.state.js';
import { lineContextFor } from './line-context.js';

/** One event of a log as the store would hold it: its stream and the event. */
export type LoggedEvent = readonly [stream: string, event: AccountEvent | LineEvent];

/**
 * A log built from behaviour: commands decided one after another by the real deciders, each line
 * command with the context the api builds for it (`lineContextFor` over the account's state at that
 * point). What it logs is therefore only what the domain can emit; a command the domain refuses
 * throws its DomainError, so a history that cannot happen cannot be written. For read-side specs,
 * benchmark workloads and integration tests.
 */
export class CommandHistory {
  readonly log: LoggedEvent[] = [];
  private readonly accounts = new Map<string, AccountState>();
  private readonly lines = new Map<string, LineState>();

  /** @param now the time of commands that carry no `at` of their own */
  constructor(private readonly now: string) {}

  account(accountId: string, ...commands: Timed<AccountCommand>[]): this {
    let state = this.accounts.get(accountId) ?? accountDecider.initialState;
    for (const timed of commands) {
      const [command, context] = inContext(timed, { now: this.now });
      const { events } = accountDecider.decide(command, state, context);
      state = fold(accountDecider.evolve, state, events);
      for (const event of events) this.log.push([`account-${accountId}`, event]);
    }
    this.accounts.set(accountId, state);
    return this;
  }

  /**
   * Line commands on `number` of account `accountId` (the number as provisioned, `+` and digits), in
   * the stream the api writes them to: `line-<accountId>.<digits>`.
   */
  line(accountId: string, number: string, ...commands: Timed<LineCommand>[]): this {
    const stream = `line-${accountId}.${number.replace(/^\+/, '')}`;
    const account = this.accounts.get(accountId) ?? accountDecider.initialState;
    let state = this.lines.get(stream) ?? lineDecider.initialState;
    // The account does not change while its line decides: the context differs only in its `now`.
    const accountView = lineContextFor(account, number, this.now);
    for (const timed of commands) {
      const [command, context] = inContext(timed, accountView);
      const { events } = lineDecider.decide(command, state, context);
      state = fold(lineDecider.evolve, state, events);
      for (const event of events) this.log.push([stream, event]);
    }
    this.lines.set(stream, state);
    return this;
  }

  /** The same account and line states with an empty log: to build several logs on one account. */
  fork(): CommandHistory {
    const fork = new CommandHistory(this.now);
    for (const [id, state] of this.accounts) fork.accounts.set(id, state);
    for (const [stream, state] of this.lines) fork.lines.set(stream, state);
    return fork;
  }

  /** The events of one stream, in order. */
  eventsOf(stream: string): (AccountEvent | LineEvent)[] {
    return this.log.filter(([name]) => name === stream).map(([, event]) => event);
  }
}
