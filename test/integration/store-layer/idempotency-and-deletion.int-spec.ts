import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { DomainEvent } from '#events';
import {
  AggregateRepository,
  DeletedStreamError,
  IdempotencyKeyReusedError,
  TooManyCommandsError,
  type RepositoryOptions,
} from '#eventstore';
import { collect } from '../../support/collect.js';
import { connectToSharedStore, testMetadata } from '../../support/shared-store.js';

/** A counter whose commands add to it; `addTwice` writes two events, so a resend must return both. */
type Added = DomainEvent<'Added', { by: number }>;
const counter = {
  initialState: { value: 0 },
  evolve: (state: { value: number }, event: Added) => ({ value: state.value + event.data.by }),
};
const add = (by: number) => (): Added[] => [{ type: 'Added', data: { by } }];
const addTwice = (by: number) => (): Added[] => [
  { type: 'Added', data: { by } },
  { type: 'Added', data: { by } },
];
const addIfBelow =
  (limit: number, by: number) =>
  (state: { value: number }): Added[] => {
    if (state.value >= limit) throw new Error('LIMIT_REACHED');
    return [{ type: 'Added', data: { by } }];
  };

jest.setTimeout(60_000);

const WINDOW_MS = 60_000;

/** A wall clock the test moves: the window passes without waiting for it. */
const movableClock = () => {
  let offset = 0;
  return { now: () => Date.now() + offset, pass: (ms: number) => (offset += ms) };
};

describe('idempotency window of the aggregate repository, through the official client', () => {
  const { store } = connectToSharedStore();

  const stream = (): string => `tally-${randomUUID().replaceAll('-', '')}`;
  const repository = (options: RepositoryOptions = {}) =>
    new AggregateRepository(store, counter, { idempotencyWindowMs: WINDOW_MS, ...options });
  const eventsIn = async (name: string) => (await collect(store.readStream(name))).length;

  it('answers a resend after 5,000 later commands on the same stream with the first result, appending nothing', async () => {
    const name = stream();
    const repo = repository();
    const first = await repo.handle(name, addTwice(7), testMetadata({ commandId: 'cmd-early' }));
    for (let i = 0; i < 5_000; i++) await repo.handle(name, add(1), testMetadata());
    const again = await repo.handle(name, addTwice(7), testMetadata({ commandId: 'cmd-early' }));
    expect(again).toEqual({ ...first, duplicate: true });
    expect(again.events).toHaveLength(2);
    expect(await eventsIn(name)).toBe(5_002);
  });

  it('answers a resend after a restart: a new repository rebuilds the command ids from the events', async () => {
    const name = stream();
    const before = repository();
    const first = await before.handle(name, addTwice(3), testMetadata({ commandId: 'cmd-before-restart' }));
    for (let i = 0; i < 1_500; i++) await before.handle(name, add(1), testMetadata());
    const afterRestart = await repository().handle(
      name,
      addTwice(3),
      testMetadata({ commandId: 'cmd-before-restart' }),
    );
    expect(afterRestart).toEqual({ ...first, duplicate: true });
    expect(await eventsIn(name)).toBe(1_502);
  });

  it('refuses the same id under another request digest, in the same process and after a restart; a first command stored without one is answered as before', async () => {
    const name = stream();
    const sent = { ...testMetadata({ commandId: 'cmd-digest' }), requestDigest: 'a'.repeat(64) };
    const sameProcess = repository();
    const first = await sameProcess.handle(name, add(1), sent);
    const other = { ...sent, requestDigest: 'b'.repeat(64) };
    for (const repo of [sameProcess, repository()]) {
      await expect(repo.handle(name, add(2), other)).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
      await expect(repo.handle(name, add(1), sent)).resolves.toEqual({ ...first, duplicate: true });
    }
    // A first command without a digest (an older build's, or no request behind it) cannot be compared
    const undigested = testMetadata({ commandId: 'cmd-old' });
    const old = await repository().handle(name, add(3), undigested);
    await expect(
      repository().handle(name, add(4), { ...undigested, requestDigest: 'c'.repeat(64) }),
    ).resolves.toEqual({ ...old, duplicate: true });
    expect(await eventsIn(name)).toBe(2);
  });

  it('decides anew once the window has passed, in the same process and after a restart', async () => {
    const name = stream();
    const clock = movableClock();
    const repo = repository({ now: clock.now });
    const first = await repo.handle(name, add(5), testMetadata({ commandId: 'cmd-late' }));
    clock.pass(WINDOW_MS + 1);
    const inSameProcess = await repo.handle(name, add(5), testMetadata({ commandId: 'cmd-late' }));
    expect(inSameProcess).toMatchObject({ duplicate: false, revision: first.revision! + 1n });

    // A fresh process whose clock is past the window of both appends decides again too.
    const later = movableClock();
    later.pass(WINDOW_MS + 1);
    const afterRestart = await repository({ now: later.now }).handle(
      name,
      add(5),
      testMetadata({ commandId: 'cmd-late' }),
    );
    expect(afterRestart).toMatchObject({ duplicate: false, revision: first.revision! + 2n });
    expect(await eventsIn(name)).toBe(3);
  });

  it('answers a resend within the window with the newer result once an id was taken again', async () => {
    const name = stream();
    const clock = movableClock();
    const repo = repository({ now: clock.now });
    await repo.handle(name, add(1), testMetadata({ commandId: 'cmd-reused' }));
    clock.pass(WINDOW_MS + 1);
    const second = await repo.handle(name, add(2), testMetadata({ commandId: 'cmd-reused' }));
    expect(await repo.handle(name, add(2), testMetadata({ commandId: 'cmd-reused' }))).toEqual({
      ...second,
      duplicate: true,
    });
  });

  it('decides a resend of a rejected command again: nothing was appended, nothing acknowledged', async () => {
    const name = stream();
    const repo = repository();
    await repo.handle(name, add(10), testMetadata());
    await expect(
      repo.handle(name, addIfBelow(5, 1), testMetadata({ commandId: 'cmd-refused' })),
    ).rejects.toThrow('LIMIT_REACHED');
    // The same command id, sent again to a fresh process on a stream that now allows it.
    const restarted = repository();
    await expect(
      restarted.handle(name, addIfBelow(20, 1), testMetadata({ commandId: 'cmd-refused' })),
    ).resolves.toMatchObject({
      duplicate: false,
    });
    expect(await eventsIn(name)).toBe(2);
  });

  it('refuses new commands on a stream at its bound instead of forgetting an id inside the window', async () => {
    const name = stream();
    const clock = movableClock();
    const repo = repository({ maxCommandsPerStream: 3, now: clock.now });
    const first = await repo.handle(name, add(1), testMetadata({ commandId: 'cmd-1' }));
    await repo.handle(name, add(1), testMetadata({ commandId: 'cmd-2' }));
    await repo.handle(name, add(1), testMetadata({ commandId: 'cmd-3' }));
    const refused = await repo
      .handle(name, add(1), testMetadata({ commandId: 'cmd-4' }))
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TooManyCommandsError);
    expect((refused as TooManyCommandsError).retryAfterSeconds).toBe(WINDOW_MS / 1000);
    // Resends are still answered, and once the oldest leave the window new commands are taken.
    expect(await repo.handle(name, add(1), testMetadata({ commandId: 'cmd-1' }))).toEqual({
      ...first,
      duplicate: true,
    });
    clock.pass(WINDOW_MS + 1);
    await expect(repo.handle(name, add(1), testMetadata({ commandId: 'cmd-4' }))).resolves.toMatchObject({
      duplicate: false,
    });
    expect(await eventsIn(name)).toBe(4);
  });

  it('keeps the total bound by dropping other folds, which read their ids back on their next use', async () => {
    const repo = repository({ maxCommands: 10, maxCommandsPerStream: 10 });
    const names = [stream(), stream(), stream()];
    const firsts = [];
    for (const name of names) {
      firsts.push(await repo.handle(name, add(1), testMetadata({ commandId: `first-${name}` })));
      for (let i = 0; i < 5; i++) await repo.handle(name, add(1), testMetadata());
    }
    for (const [index, name] of names.entries()) {
      expect(await repo.handle(name, add(1), testMetadata({ commandId: `first-${name}` }))).toEqual({
        ...firsts[index],
        duplicate: true,
      });
      expect(await eventsIn(name)).toBe(6);
    }
  });
});

describe('streams deleted in the store behind the repository, through the official client', () => {
  const { client, store } = connectToSharedStore();

  const stream = (): string => `gone-${randomUUID().replaceAll('-', '')}`;
  const deletionOf = (promise: Promise<unknown>) =>
    promise.then(
      () => 'answered',
      (error: unknown) => (error instanceof DeletedStreamError ? error.deletion : error),
    );

  /** A stream a repository caches after one command, then deleted behind its back by `remove`. */
  const deletedBehindCache = async (remove: (name: string) => Promise<unknown>) => {
    const name = stream();
    const cached = new AggregateRepository(store, counter);
    await cached.handle(name, add(1), testMetadata());
    await remove(name);
    return { name, cached };
  };

  it('a tombstoned stream is gone for loads and commands, cached or not', async () => {
    const { name, cached } = await deletedBehindCache((name) => client.tombstoneStream(name));
    expect(await deletionOf(cached.load(name))).toBe('tombstoned');
    expect(await deletionOf(cached.handle(name, add(1), testMetadata()))).toBe('tombstoned');
    const cold = new AggregateRepository(store, counter);
    expect(await deletionOf(cold.handle(name, add(1), testMetadata()))).toBe('tombstoned');
  });

  it('a soft-deleted stream is deleted, not new: loads and commands are refused and nothing is appended', async () => {
    const { name, cached } = await deletedBehindCache((name) => client.deleteStream(name));
    expect(await deletionOf(cached.load(name))).toBe('softDeleted');
    expect(await deletionOf(new AggregateRepository(store, counter).load(name))).toBe('softDeleted');
    expect(
      await deletionOf(new AggregateRepository(store, counter).handle(name, add(1), testMetadata())),
    ).toBe('softDeleted');
    const { metadata } = await client.getStreamMetadata(name);
    expect(metadata?.truncateBefore).toBeDefined();
    await expect(collect(client.readStream(name))).rejects.toThrow();
  });

  it('a follower drops the fold of a stream deleted elsewhere, so its cached state is not served', async () => {
    const prefix = `gone${randomUUID().replaceAll('-', '').slice(0, 12)}-`;
    const soft = `${prefix}soft`;
    const tombstoned = `${prefix}tomb`;
    const follower = new AggregateRepository(store, counter);
    await follower.follow(prefix);
    try {
      for (const name of [soft, tombstoned]) {
        await follower.handle(name, add(1), testMetadata());
        expect(await follower.current(name)).toEqual({ state: { value: 1 }, revision: 0n });
      }
      await client.deleteStream(soft);
      await client.tombstoneStream(tombstoned);
      const answers: Record<string, unknown> = {};
      // The deletions reach it through its subscription: wait 20 s at most,
      // not the 2 s a busy machine's subscription may lag past.
      for (const giveUpAt = Date.now() + 20_000; Date.now() < giveUpAt;) {
        answers[soft] = await deletionOf(follower.current(soft));
        answers[tombstoned] = await deletionOf(follower.current(tombstoned));
        if (answers[soft] !== 'answered' && answers[tombstoned] !== 'answered') break;
        await new Promise((retry) => setTimeout(retry, 20));
      }
      expect(answers).toEqual({ [soft]: 'softDeleted', [tombstoned]: 'tombstoned' });
      // A command on the soft-deleted stream would otherwise have recreated it on top of the old fold.
      expect(await deletionOf(follower.handle(soft, add(1), testMetadata()))).toBe('softDeleted');
    } finally {
      await follower.stopFollowing();
    }
  });
});
