import { COMMAND_REASONS, isGivenUnder } from '../reasons.js';
import { DomainError } from './domain-error.js';
import {
  fold,
  inContext,
  type Authority,
  type CommandContext,
  type Decider,
  type Decision,
  type Timed,
} from './decider.js';

/**
 * Every rejection a spec sees is one the catalogue documents: its code under its rule, and among the
 * reasons of its command, which is what OpenAPI and docs/reason-codes.md tell clients to expect.
 */
const expectCatalogued = (command: unknown, { code, rule }: DomainError): void => {
  expect({ code, rule, givenUnderRule: isGivenUnder(code, rule) }).toEqual({
    code,
    rule,
    givenUnderRule: true,
  });
  const type = (command as { type: string }).type;
  if (Object.hasOwn(COMMAND_REASONS, type)) {
    const documented = COMMAND_REASONS[type as keyof typeof COMMAND_REASONS];
    expect({ command: type, code, documented: documented.includes(code) }).toEqual({
      command: type,
      code,
      documented: true,
    });
  }
};

/**
 * Specification helper for deciders: given(past events, context).when(command).then(new events),
 * .thenActsWith(authority) or .thenRejects(code). Reads as the rule it checks, one line per fact.
 * The command may name its time (`at`): it is decided in the context at that time, as the api's
 * edge does; `defaults` is the context of specs that give none.
 */
export const specFor =
  <Command, Event extends { readonly type: string }, State, Context extends CommandContext>(
    decider: Decider<Command, Event, State, Context>,
    defaults?: Context,
  ) =>
  (given: readonly Event[], context: Context | undefined = defaults) => ({
    when: (timed: Timed<Command>) => {
      if (!context) throw new Error('a spec decides in a context: give one, or defaults to specFor');
      const [command, atItsTime] = inContext(timed, context);
      const decide = (): Decision<Event> =>
        decider.decide(command, fold(decider.evolve, decider.initialState, given), atItsTime);
      const run = (): readonly Event[] => decide().events;
      return {
        then: (expected: readonly Event[]): void => {
          expect(run()).toEqual(expected);
        },
        thenEmits: (matcher: (events: readonly Event[]) => void): void => matcher(run()),
        /** The accepted decision's events by type, in order: for specs about which facts, not their data. */
        thenEmitsTypes: (types: readonly Event['type'][]): void => {
          expect(run().map((event) => event.type)).toEqual(types);
        },
        /** Who the accepted decision says acted for whom, with which permission (SPEC §2 metadata). */
        thenActsWith: (authority: Authority): void => {
          expect(decide().authority).toEqual(authority);
        },
        /** `sentence`: a part of the message the rejection must say. */
        thenRejects: (code: string, rule?: string, sentence?: string): DomainError => {
          let rejection: unknown;
          try {
            run();
          } catch (error) {
            rejection = error;
          }
          expect(rejection).toBeInstanceOf(DomainError);
          const domainError = rejection as DomainError;
          expect(domainError.code).toBe(code);
          if (rule) expect(domainError.rule).toBe(rule);
          if (sentence) expect(domainError.message).toContain(sentence);
          expectCatalogued(command, domainError);
          return domainError;
        },
      };
    },
  });
