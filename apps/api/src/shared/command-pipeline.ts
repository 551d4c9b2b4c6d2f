import { Injectable } from '@nestjs/common';
import type { CommandContext, Decider } from '#domain';
import type { DomainEvent } from '#events';
import type { AggregateRepository, CommandOutcome, ForeignEventPolicy } from '#eventstore';
import { ClockService } from '../clock/clock.service.js';
import { commandMetadata, type CommandOrigin } from './command-metadata.js';

/**
 * A command as an edge received it (a client's request, a timer falling due): the domain command,
 * the time it was sent for if the sender named one (`at`, R21), and where it came from.
 */
export interface SentCommand<Command> {
  readonly command: Command;
  readonly at?: string;
  readonly origin: CommandOrigin;
}

/** The stream a command goes to, the aggregate that decides it, and what it is decided in. */
export interface CommandTarget<State, E extends DomainEvent, Command, Context extends CommandContext> {
  readonly repository: AggregateRepository<State, E>;
  readonly stream: string;
  readonly decider: Decider<Command, E, State, Context>;
  /** The context at `now`: for a line, the account as the line sees it, loaded before deciding. */
  readonly contextAt: (now: string) => Context | Promise<Context>;
  /** Refusing unless the sender states otherwise: see ForeignEventPolicy. */
  readonly foreignEvents?: ForeignEventPolicy;
}

/**
 * The one way a command reaches a stream, for every aggregate: time → context → load → decide →
 * append with the expected revision. The time is resolved here and only here: the clock's `now`, or
 * the `at` the command was sent for, to which a virtual clock first advances so that timers due
 * before it fire first (R21); the decider reads it as `context.now`, which the repository moves up to
 * the stream's last event when another instance appended a later one. The repository re-decides after
 * a version conflict (R8, R12/R13: exactly one wins) and writes the authority the accepted decision
 * used (who acted for whom, SPEC §2) into the metadata of its events.
 */
@Injectable()
export class CommandPipeline {
  constructor(private readonly clock: ClockService) {}

  async execute<
    State,
    E extends DomainEvent,
    Command extends { readonly actor: string },
    Context extends CommandContext,
  >(
    target: CommandTarget<State, E, Command, Context>,
    { command, at, origin }: SentCommand<Command>,
  ): Promise<CommandOutcome<E>> {
    const sentFor = at === undefined ? undefined : await this.clock.timeFor(at, command.actor);
    const loaded = await target.contextAt((sentFor ?? this.clock.now()).toISOString());
    // Without `at`, a command is decided at the time it joins its stream's queue: taken here, with no
    // await before `handle` queues it, so a stream's commands are decided in the order of their times.
    // Taken before the context's load, it let a later command whose account came back first record its
    // events before an earlier one's (a line's events out of time order after a store's freeze).
    const now = sentFor ?? this.clock.now();
    const context = loaded.now === now.toISOString() ? loaded : { ...loaded, now: now.toISOString() };
    return target.repository.handle(
      target.stream,
      // Later than `now` only after another instance appended a later event to the stream.
      (state, decidedAt) =>
        target.decider.decide(
          command,
          state,
          decidedAt === context.now ? context : { ...context, now: decidedAt },
        ),
      commandMetadata(origin, command.actor, now),
      { foreignEvents: target.foreignEvents ?? 'refuse', clientCommandId: origin.clientCommandId === true },
    );
  }
}
