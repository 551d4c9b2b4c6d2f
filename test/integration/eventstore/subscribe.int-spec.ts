import { jsonEvent, eventTypeFilter, streamNameFilter, START, type Position } from '@eventstore/db-client';

import { caughtUp, collect, numbered, storeForSuite, take, uniqueStream } from './support.js';

describe('subscriptions through the official client', () => {
  const { client, streamWith } = storeForSuite();

  it('a stream subscription catches up, emits caughtUp, then delivers live events', async () => {
    const { stream } = await streamWith('sub-stream', numbered(3));
    const subscription = client.subscribeToStream(stream, { fromRevision: START });
    const { events, caughtUpAfter } = await take(subscription, 5, async (_event, index) => {
      if (index === 2) await client.appendToStream(stream, numbered(2, 'Numbered', 3));
    });
    expect(events.map((resolved) => resolved.event!.revision)).toEqual([0n, 1n, 2n, 3n, 4n]);
    expect(caughtUpAfter).toBeGreaterThanOrEqual(3);
  });

  it('a stream subscription from revision N starts at N + 1', async () => {
    const { stream } = await streamWith('sub-from', numbered(5));
    const { events } = await take(client.subscribeToStream(stream, { fromRevision: 2n }), 2);
    expect(events.map((resolved) => resolved.event!.revision)).toEqual([3n, 4n]);
  });

  it('a subscription to a stream that does not exist yet waits for it', async () => {
    const stream = uniqueStream('sub-later');
    const subscription = client.subscribeToStream(stream);
    subscription.once('caughtUp', () => void client.appendToStream(stream, numbered(2)));
    const { events } = await take(subscription, 2);
    expect(events.map((resolved) => resolved.event!.data)).toEqual([{ n: 0 }, { n: 1 }]);
  });

  it('loses and reorders nothing when events are appended during catch-up', async () => {
    const stream = uniqueStream('sub-busy');
    for (let batch = 0; batch < 4; batch += 1)
      await client.appendToStream(stream, numbered(100, 'Numbered', batch * 100));
    let writing: Promise<unknown> = Promise.resolve();
    const { events } = await take(client.subscribeToStream(stream), 800, (_event, index) => {
      // Keep appending while the subscription is still reading history.
      if (index % 100 === 0 && index < 400) {
        const from = 400 + index;
        writing = writing.then(() => client.appendToStream(stream, numbered(100, 'Numbered', from)));
      }
    });
    await writing;
    expect(events.map((resolved) => resolved.event!.data)).toEqual(
      Array.from({ length: 800 }, (_, n) => ({ n })),
    );
  });

  it('$all with a stream-name prefix filter delivers only matching streams, exclusive of the start', async () => {
    const prefix = uniqueStream('prefix');
    await client.appendToStream(`${prefix}-a`, numbered(2));
    await client.appendToStream(uniqueStream('other'), numbered(2));
    const [, second] = await collect(client.readStream(`${prefix}-a`));
    await client.appendToStream(`${prefix}-b`, numbered(1));
    const subscription = client.subscribeToAll({
      fromPosition: second!.event!.position!,
      filter: streamNameFilter({ prefixes: [prefix] }),
    });
    subscription.once('caughtUp', () => void client.appendToStream(`${prefix}-c`, numbered(1)));
    const { events } = await take(subscription, 2);
    expect(events.map((resolved) => resolved.event!.streamId)).toEqual([`${prefix}-b`, `${prefix}-c`]);
  });

  it('$all with an event-type regex filter matches anywhere in the type', async () => {
    const marker = uniqueStream('Type').replace(/-/g, '');
    const stream = uniqueStream('regex');
    const start = await client.appendToStream(stream, jsonEvent({ type: 'Ignored', data: {} }));
    await client.appendToStream(stream, [
      jsonEvent({ type: `Before${marker}`, data: { n: 1 } }),
      jsonEvent({ type: 'Ignored', data: {} }),
      jsonEvent({ type: `${marker}After`, data: { n: 2 } }),
    ]);
    const subscription = client.subscribeToAll({
      fromPosition: start.position!,
      filter: eventTypeFilter({ regex: marker }),
    });
    const { events } = await take(subscription, 2);
    expect(events.map((resolved) => resolved.event!.data)).toEqual([{ n: 1 }, { n: 2 }]);
  });

  // EventStoreDB compiles filters with .NET's Regex, whose inline options are how a pattern says
  // "ignore case" there.
  it("a filter regex may start with .NET's inline options, such as (?i) for ignoring case", async () => {
    const marker = uniqueStream('Cased').replace(/-/g, '');
    const stream = uniqueStream('inline-options');
    const start = await client.appendToStream(stream, jsonEvent({ type: 'Ignored', data: {} }));
    await client.appendToStream(stream, [
      jsonEvent({ type: `${marker.toUpperCase()}`, data: { n: 1 } }),
      jsonEvent({ type: `${marker.toLowerCase()}`, data: { n: 2 } }),
    ]);
    const subscription = client.subscribeToAll({
      fromPosition: start.position!,
      filter: eventTypeFilter({ regex: `(?i)^${marker}$` }),
    });
    const { events } = await take(subscription, 2);
    expect(events.map((resolved) => resolved.event!.data)).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('a filter regex is read as .NET reads it: \\A and \\z, scoped options, comments, quoted names', async () => {
    // Given event types that only .NET's reading of the pattern tells apart
    const marker = uniqueStream('dotnet').replace(/-/g, '').toLowerCase();
    const stream = uniqueStream('dotnet-regex');
    const start = await client.appendToStream(stream, jsonEvent({ type: 'Ignored', data: {} }));
    const types = [
      `${marker.toUpperCase()}-done`, // the scoped (?i:…) takes any case of the marker
      `${marker}-DONE`, // but not of what follows it
      `A${marker}-done`, // JavaScript reads \A as the letter A
      `${marker}-donez`, // and \z as the letter z
      `${marker}-done\n`, // \z is the very end, not before a final newline
      `${marker}-done`,
    ];
    await client.appendToStream(
      stream,
      types.map((type, n) => jsonEvent({ type, data: { n } })),
    );
    // When a subscription filters with .NET syntax JavaScript lacks
    const subscription = client.subscribeToAll({
      fromPosition: start.position!,
      filter: eventTypeFilter({ regex: `\\A(?i:${marker})(?# the run's marker)-(?'state'done)\\z` }),
    });
    // Then exactly the types .NET matches arrive
    const { events } = await take(subscription, 2);
    expect(events.map((resolved) => resolved.event!.data)).toEqual([{ n: 0 }, { n: 5 }]);
  });

  it('a filter regex using what JavaScript cannot match as .NET does is refused as invalid, naming it', async () => {
    for (const [regex, construct] of [
      ['^(?>orders)-', 'an atomic group (?>…)'],
      ['^orders-\\d++$', 'a possessive quantifier'],
      ['^[a-z-[aeiou]]', 'character class subtraction'],
    ]) {
      const filter = streamNameFilter({ regex: regex! });
      const error = await collect(client.subscribeToAll({ filter })).catch((failure: unknown) => failure);
      expect((error as Error).message).toMatch(/^3 INVALID_ARGUMENT: /);
      expect((error as Error).message).toContain(`${JSON.stringify(regex)} uses ${construct}`);
    }
  });

  it('a filter whose regular expression does not compile is refused as invalid, naming it', async () => {
    for (const filter of [streamNameFilter({ regex: '(unclosed' }), eventTypeFilter({ regex: '[z-a]' })]) {
      const error = await collect(client.subscribeToAll({ filter })).catch((failure: unknown) => failure);
      expect((error as Error).message).toMatch(/^3 INVALID_ARGUMENT: .*regular expression/);
      expect((error as Error).message).toContain(filter.regex);
    }
  });

  it('filtered $all subscriptions report checkpoints as they scan', async () => {
    const { stream, written: start } = await streamWith('checkpoints', numbered(1));
    await client.appendToStream(uniqueStream('noise'), numbered(40));
    await client.appendToStream(stream, numbered(1, 'Wanted'));
    const checkpoints: Position[] = [];
    const subscription = client.subscribeToAll({
      fromPosition: start.position!,
      filter: eventTypeFilter({
        prefixes: ['Wanted'],
        maxSearchWindow: 8,
        checkpointInterval: 1,
        checkpointReached: (_subscription, position) => void checkpoints.push(position),
      }),
    });
    const { events } = await take(subscription, 1);
    expect(events[0]!.event!.streamId).toBe(stream);
    expect(checkpoints.length).toBeGreaterThanOrEqual(4);
    expect(checkpoints[0]!.commit).toBeGreaterThan(start.position!.commit);
    for (let index = 1; index < checkpoints.length; index += 1) {
      expect(checkpoints[index]!.commit).toBeGreaterThanOrEqual(checkpoints[index - 1]!.commit);
    }
  });

  // EventStoreDB reads a filter without a regex as a list of prefixes and lets through what starts
  // with any of them: with none, nothing. A filter built from a list that came out empty must not
  // turn into no filter at all.
  it('a filter with no prefixes, or an empty regex, delivers nothing and still reports checkpoints', async () => {
    const { stream, written: start } = await streamWith('no-prefixes', numbered(1));
    const last = await client.appendToStream(stream, numbered(3, 'Numbered', 1));
    for (const filter of [streamNameFilter, eventTypeFilter].flatMap((filterOn) => [
      filterOn({ prefixes: [] }),
      filterOn({ regex: '' }),
    ])) {
      const checkpoints: Position[] = [];
      const subscription = client.subscribeToAll({
        fromPosition: start.position!,
        filter: {
          ...filter,
          checkpointReached: (_subscription, position) => void checkpoints.push(position),
        },
      });
      const delivered: unknown[] = [];
      subscription.on('data', (resolved) => delivered.push(resolved));
      await caughtUp(subscription);
      await subscription.unsubscribe();
      expect(delivered).toEqual([]);
      expect(checkpoints.at(-1)!.commit).toBeGreaterThanOrEqual(last.position!.commit);
    }
  });

  it('an unfiltered $all subscription sees system events such as $metadata', async () => {
    const { stream, written: start } = await streamWith('system', numbered(1));
    await client.setStreamMetadata(stream, { maxCount: 10 });
    const subscription = client.subscribeToAll({ fromPosition: start.position! });
    for await (const resolved of subscription) {
      if (resolved.event?.streamId !== `$$${stream}`) continue;
      expect(resolved.event).toMatchObject({ type: '$metadata', data: { $maxCount: 10 } });
      break;
    }
    await subscription.unsubscribe();
  });
});
