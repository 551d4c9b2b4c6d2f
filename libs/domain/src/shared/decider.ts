/**
 * A decider in the Emmett/Equinox sense: pure functions, no I/O, no clock reads (time arrives in the
 * command or its context). `decide` throws DomainError to reject; a rejection appends nothing.
 */
export interface Decider<Command, Event, State, Context = void> {
  readonly initialState: State;
  decide(command: Command, state: State, context: Context): readonly Event[];
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
