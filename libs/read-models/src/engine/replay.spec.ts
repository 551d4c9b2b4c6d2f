import { fedStore } from '../../../eventstore/src/fed-store.fixture.js';
import { storedLog, tally, type TallyEvent } from './engine.fixture.js';
import { ReadModels } from './read-models.js';
import { replay } from './replay.js';

describe('replay from a checkpoint', () => {
  it('Given read models whose position server checkpoints moved past their last event, When a replay goes on from them, Then it subscribes right after that event, a position EventStoreDB reads $all from', async () => {
    const [first, last] = storedLog([
      ['tally-a', { type: 'Tallied', data: { amount: 1 } }],
      ['tally-a', { type: 'Tallied', data: { amount: 2 } }],
    ]);
    const checkpoint = new ReadModels([tally]);
    checkpoint.apply(first!);
    checkpoint.apply(last!);
    // A checkpoint over records of other streams: in a store whose tail was cut since and written
    // again, a record may now span it, and EventStoreDB refuses to read from inside one.
    checkpoint.advanceTo(last!.position! + 250n);
    const { store, subscriptions } = fedStore<TallyEvent>((position) => `id-${position}`);

    const replayed = replay(store, [tally], { from: checkpoint, streamPrefixes: ['tally-'] });
    await new Promise((subscribed) => setImmediate(subscribed));
    subscriptions[0]!.subscription.push({ kind: 'caughtUp' });
    await replayed;

    expect(subscriptions.map(({ from }) => from)).toEqual([last!.position]);
  });
});
