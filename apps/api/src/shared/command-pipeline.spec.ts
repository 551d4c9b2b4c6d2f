import { ownDecision, type CommandContext, type Decider } from '#domain';
import type { AggregateRepository, CommandMetadata } from '#eventstore';
import type { ClockService } from '../clock/clock.service.js';
import { CommandPipeline, type CommandTarget } from './command-pipeline.js';

type Command = { readonly type: 'Note'; readonly actor: string; readonly id: string };
type Noted = { readonly type: 'Noted'; readonly data: { readonly id: string; readonly at: string } };

/** A clock whose every reading is a millisecond later than the one before. */
const tickingClock = (): ClockService => {
  let ms = Date.parse('2026-03-02T09:00:00.000Z');
  return { now: () => new Date(ms++), timeFor: async () => new Date(ms++) } as unknown as ClockService;
};

/** The events a stream received, in the order its queue decided them (as the real repository does). */
const recordingRepository = (received: Noted[]) =>
  ({
    handle: async (
      stream: string,
      decide: (state: null, now: string) => { events: Noted[] },
      metadata: CommandMetadata,
    ) => {
      // Its stream has no later event: the command is decided at the time it was taken.
      const { events } = decide(null, metadata.simulatedTime);
      received.push(...events);
      expect(events.every((event) => event.data.at === metadata.simulatedTime)).toBe(true);
      return { stream, events, revision: 0n, position: 0n, duplicate: false, eventIds: [] };
    },
  }) as unknown as AggregateRepository<null, Noted>;

const noting: Decider<Command, Noted, null> = {
  initialState: null,
  decide: (command, _state, context) =>
    ownDecision([{ type: 'Noted', data: { id: command.id, at: context.now } }]),
  evolve: (state) => state,
};

describe('the command pipeline: the time a command is decided at', () => {
  it('Given a command whose context loads slower than the next one’s, When both are decided, Then the stream records them in time order', async () => {
    const received: Noted[] = [];
    const pipeline = new CommandPipeline(tickingClock());
    let releaseFirst!: () => void;
    const firstContextLoaded = new Promise<void>((resolve) => (releaseFirst = resolve));
    const target = (waitFor: Promise<void>): CommandTarget<null, Noted, Command, CommandContext> => ({
      repository: recordingRepository(received),
      stream: 'notes-1',
      decider: noting,
      contextAt: async (now) => {
        await waitFor;
        return { now };
      },
    });
    const origin = (id: string) => ({ commandId: id, correlationId: id, causationId: id });

    const first = pipeline.execute(target(firstContextLoaded), {
      command: { type: 'Note', actor: 'alice', id: 'first' },
      origin: origin('first'),
    });
    await pipeline.execute(target(Promise.resolve()), {
      command: { type: 'Note', actor: 'bob', id: 'second' },
      origin: origin('second'),
    });
    releaseFirst();
    await first;

    expect(received.map((event) => event.data.id)).toEqual(['second', 'first']);
    const [second, then] = received.map((event) => Date.parse(event.data.at));
    expect(then).toBeGreaterThan(second!);
  });

  it('Given a stream whose last event another instance timed later than the command, When the repository decides it at that time, Then the decider reads that time as now', async () => {
    const later = '2026-03-02T09:00:05.000Z';
    const decidedAt: string[] = [];
    const repository = {
      handle: async (stream: string, decide: (state: null, now: string) => { events: Noted[] }) => {
        const { events } = decide(null, later);
        decidedAt.push(...events.map((event) => event.data.at));
        return { stream, events, revision: 0n, position: 0n, duplicate: false, eventIds: [] };
      },
    } as unknown as AggregateRepository<null, Noted>;

    await new CommandPipeline(tickingClock()).execute(
      { repository, stream: 'notes-2', decider: noting, contextAt: (now) => ({ now }) },
      {
        command: { type: 'Note', actor: 'alice', id: 'late' },
        origin: { commandId: 'late', correlationId: 'late', causationId: 'late' },
      },
    );

    expect(decidedAt).toEqual([later]);
  });
});
