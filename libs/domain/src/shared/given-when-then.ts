import { DomainError } from './domain-error.js';
import { fold, type Decider } from './decider.js';

/**
 * Specification helper for deciders: given(past events).when(command).then(new events) or
 * .thenRejects(code). Reads as the rule it checks, one line per fact.
 */
export const specFor =
  <Command, Event, State, Context>(decider: Decider<Command, Event, State, Context>) =>
  (given: readonly Event[], context?: Context) => ({
    when: (command: Command) => {
      const run = (): readonly Event[] =>
        decider.decide(command, fold(decider.evolve, decider.initialState, given), context as Context);
      return {
        then: (expected: readonly Event[]): void => {
          expect(run()).toEqual(expected);
        },
        thenEmits: (matcher: (events: readonly Event[]) => void): void => matcher(run()),
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
          return domainError;
        },
      };
    },
  });
