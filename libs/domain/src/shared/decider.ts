/**
 * Who acted for whom, with which delegation permission (SPEC §2): what every event's metadata
 * records. A party acting on its own authority (a delegator, an admin, an external caller, a timer)
 * acts for nobody and exercises no permission.
 */
export interface Authority {
  readonly onBehalfOf: string | null;
  readonly permission: string | null;
}

export const OWN_AUTHORITY: Authority = { onBehalfOf: null, permission: null };

/**
 * What deciding a command yields: the events to append and the authority the decision used, worked
 * out where the rule that allowed it was checked (never read back from the events afterwards).
 */
export interface Decision<Event> {
  readonly events: readonly Event[];
  readonly authority: Authority;
}

/** A decision on the actor's own authority (or no change at all). */
export const ownDecision = <Event>(events: readonly Event[]): Decision<Event> => ({
  events,
  authority: OWN_AUTHORITY,
});

/**
 * What every decision is made in: `now`, the time the command takes effect (ISO-8601), resolved
 * once at the edge from the clock port or the command's `at` (R21). Deciders read no other time.
 */
export interface CommandContext {
  readonly now: string;
}

/**
 * A command as a sender wrote it, with the time it is meant for (`at`, R21) when the sender named
 * one: what an edge (the api, a command history, a spec) receives and turns into the command and its
 * context, once, with `inContext`.
 */
export type Timed<Command> = Command & { readonly at?: string };

/** The command and the time it was sent for, apart: the time is the context's, not the command's. */
export const untimed = <Command>({ at, ...command }: Timed<Command>): { command: Command; at?: string } => ({
  command: command as Command,
  ...(at === undefined ? {} : { at }),
});

/** The command without its time, and the context at that time (the given context's `now` without one). */
export const inContext = <Command, Context extends CommandContext>(
  timed: Timed<Command>,
  context: Context,
): readonly [Command, Context] => {
  const { command, at } = untimed(timed);
  return [command, at === undefined ? context : { ...context, now: at }];
};

/**
 * A decider in the Emmett/Equinox sense: pure functions, no I/O, no clock reads (time arrives in the
 * context). `decide` throws DomainError to reject; a rejection appends nothing.
 */
export interface Decider<Command, Event, State, Context extends CommandContext = CommandContext> {
  readonly initialState: State;
  decide(command: Command, state: State, context: Context): Decision<Event>;
  evolve(state: State, event: Event): State;
}

export const fold = <Event, State>(
  evolve: (state: State, event: Event) => State,
  initial: State,
  events: Iterable<Event>,
): State => {
  let state = initial;
  for (const event of events) state = evolve(state, event);
  return state;
};
