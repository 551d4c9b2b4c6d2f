import { randomUUID } from 'node:crypto';
import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonEvent } from '@eventstore/db-client';
import { eventSchemas, lineKey, type ClockSettings, type DomainEvent } from '#events';
import {
  LogIndex,
  PROJECTIONS,
  TimeMachine,
  accountStateOf,
  auditProjection,
  diagnosisTime,
  findCall,
  lineAccess,
  lineHistory,
  lineState,
  partyHistory,
  replay,
  ScopeCheckpoints,
  speedDialList,
  virtualClockTime,
  voicemailProjection,
  whyBusy,
  whyCannot,
  type ReadModels,
  type ReplayLimit,
  type TimeTravelScope,
} from '#read-models';
import {
  accountEvents,
  delegateOf,
  delegatorOf,
  lineEvents,
  numberOf,
  rng,
  type WorkloadOptions,
} from '../../../bench/replay/workload.js';
import { seatOf } from '../../../apps/projector/src/panel/seat.js';
import { openSharedStore, testMetadata } from '../../support/shared-store.js';
import { accountPrefixes, interleave } from '../../support/workload.js';

/**
 * Scoped time travel: an as-of query about an account, or one of its lines, is folded from that
 * scope's own streams (and the clock streams) up to the point. Every answer the projector gives as
 * of a point must be exactly the one a replay of the whole log from the first event gives, with
 * several accounts interleaved as a live system writes them (events out of simulated-time order
 * across lines), clock advances in between, and a foreign event in one of the lines. An account's
 * query is asked both from the account's first event and from its nearest scope checkpoint.
 */
describe('time travel scoped to an account or a line', () => {
  const store = openSharedStore(eventSchemas);
  const run = randomUUID().replaceAll('-', '').slice(0, 10);
  const accounts = [0, 1, 2].map((i) => `tt${run}a${i}`);
  const clockStream = `clock-tt${run}`;
  const LINES = 3;
  const streamPrefixes = [...accounts.flatMap(accountPrefixes), clockStream];
  const meta = (simulatedTime: string) => testMetadata({ actor: 'system:test', simulatedTime });
  const random = rng(2024);
  const records: { position: bigint; time: string | undefined }[] = [];
  const index = new LogIndex();
  /** Before the first event a diagnosis is made at the wall clock's time: one fixed instant for both answers. */
  const wallClock = new Date('2026-02-01T12:00:00.000Z');
  const realtime: ClockSettings = { mode: 'realtime', virtualStart: new Date('2026-01-05T09:00:00.000Z') };

  beforeAll(async () => {
    const batches: { stream: string; events: DomainEvent[] }[] = [];
    for (const accountId of accounts) {
      const options: WorkloadOptions = { seed: 11, accountId, lines: LINES, callsPerLine: 12 };
      const account = accountEvents(options);
      await store.append(account.stream, account.events, 'any', meta(iso(account.events[0]!)));
      for (let line = 0; line < LINES; line++) batches.push(lineEvents(options, line));
    }
    let clock = Date.parse('2026-01-05T09:00:00.000Z');
    let foreignWritten = false;
    await interleave(batches, random, 4, async (stream, next, progress) => {
      await store.append(stream, next, 'any', meta(iso(next[0]!)));
      if (random() < 0.05) {
        const from = new Date(clock).toISOString();
        clock += 37 * 60_000;
        const to = new Date(clock).toISOString();
        await store.append(
          clockStream,
          [{ type: 'VirtualClockAdvanced', data: { from, to } }],
          'any',
          meta(to),
        );
      }
      if (!foreignWritten && progress.written > progress.of / 2) {
        // Another tool's event in a line stream: parked by a replay, and by a scoped fold alike.
        await store.client.appendToStream(stream, jsonEvent({ type: 'SomethingElse', data: { n: 1 } }));
        foreignWritten = true;
      }
    });
    const subscription = store.subscribeToAll({ streamPrefixes });
    for await (const item of subscription) {
      if (item.kind === 'caughtUp') break;
      if (item.kind === 'event')
        records.push({ position: item.stored.position!, time: item.stored.metadata.simulatedTime });
      if (item.kind === 'foreign') records.push({ position: item.foreign.position!, time: undefined });
    }
    await subscription.close();
    index.follow(store, streamPrefixes, () => undefined);
    while (!index.caughtUp || index.position! < records.at(-1)!.position)
      await new Promise((resume) => setTimeout(resume, 50));
  }, 180_000);

  /** Checkpoints far closer together than the projector's, so that every account has several. */
  const CHECKPOINT_EVERY = 25;
  let checkpointDir: string;
  let checkpoints: ScopeCheckpoints;
  let checkpointed: TimeMachine;
  const openCheckpoints = async () => {
    const shelf = new ScopeCheckpoints(checkpointDir, PROJECTIONS, store, index, {
      everyRecords: CHECKPOINT_EVERY,
      log: () => undefined,
    });
    await shelf.open();
    return shelf;
  };
  beforeAll(async () => {
    checkpointDir = await mkdtemp(join(tmpdir(), 'switchboard-scope-checkpoints-'));
    checkpoints = await openCheckpoints();
    await checkpoints.catchUp();
    checkpointed = new TimeMachine(store, PROJECTIONS, undefined, {
      streamPrefixes,
      index,
      scopeCheckpoints: checkpoints,
    });
  }, 120_000);

  afterAll(async () => {
    await checkpoints.stop();
    await rm(checkpointDir, { recursive: true, force: true });
    await index.stop();
    await store.client.dispose();
  }, 30_000);

  const iso = (event: DomainEvent): string => (event.data as { at: string }).at;
  const full = (limit: ReplayLimit) => replay(store, PROJECTIONS, { streamPrefixes, ...limit });
  const machine = new TimeMachine(store, PROJECTIONS, undefined, { streamPrefixes, index });

  /** An answer, or the error a query gave (an unknown account as of an early point, say). */
  const safely = (answer: () => unknown): unknown => {
    try {
      return answer();
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  };
  const parties = Array.from({ length: LINES }, (_, line) => [delegatorOf(line), delegateOf(line)]).flat();
  const callIds = (accountId: string, line: number) => [0, 5, 11].map((n) => `${accountId}-${line}-${n}`);

  const asked = (limit: ReplayLimit) =>
    limit.untilPosition === undefined ? { asOfTime: limit.untilSimulatedTime } : { asOf: '1' };
  /** What every line query of the projector answers (the routes' query functions). */
  const lineAnswers = (readModels: ReadModels, accountId: string, line: number, limit: ReplayLimit) => {
    const number = numberOf(line);
    const { inboxes, messages } = readModels.state(voicemailProjection);
    return {
      history: safely(() => lineHistory(readModels, accountId, number)),
      busy: safely(() => whyBusy(readModels, accountId, number)),
      states: parties.map((viewer) =>
        safely(() => {
          const access = lineAccess(readModels, accountId, number, viewer);
          return access.allowed ? lineState(readModels, accountId, number, viewer, access) : access;
        }),
      ),
      inbox: safely(() =>
        (inboxes.get(lineKey(accountId, number))?.messages ?? []).map((id) => messages.get(id)),
      ),
      cannot: parties.flatMap((party) =>
        (['answer', 'pickUp', 'placeCall', 'join'] as const).map((action) =>
          safely(() =>
            whyCannot(
              readModels,
              accountId,
              number,
              party,
              action,
              diagnosisTime(readModels, realtime, asked(limit), wallClock),
            ),
          ),
        ),
      ),
      calls: callIds(accountId, line).map((callId) =>
        safely(() => {
          const found = findCall(readModels, callId, lineKey(accountId, number));
          return found.kind === 'found'
            ? { found, trail: readModels.state(auditProjection).trails.get(found.call.key) }
            : found;
        }),
      ),
    };
  };
  const accountAnswers = (readModels: ReadModels, accountId: string, limit: ReplayLimit) => ({
    state: safely(() => accountStateOf(readModels, accountId)),
    parties: parties.map((party) => ({
      // The panel's seat: what its time control shows as of the point.
      seat: safely(() =>
        seatOf(readModels, accountId, party, {
          ...diagnosisTime(readModels, realtime, asked(limit), wallClock),
          mode: 'realtime',
        }),
      ),
      history: safely(() => partyHistory(readModels, accountId, party, party)),
      speedDials: safely(() => speedDialList(readModels, accountId, party)),
    })),
    lines: Array.from({ length: LINES }, (_, line) => lineAnswers(readModels, accountId, line, limit)),
  });
  /** What a replay from the first event and a scoped fold must both report about the log. */
  const logFacts = (readModels: ReadModels) => ({
    position: readModels.position,
    lastSimulatedTime: readModels.lastSimulatedTime,
    maxSimulatedTime: readModels.maxSimulatedTime,
    clock: readModels.state(PROJECTIONS.find((p) => p.name === 'clock')!).clocks.get(clockStream),
    virtualClock: virtualClockTime(readModels),
  });

  /** The last position a replay to the limit takes in, as the index tells it (undefined: the head). */
  const limitPosition = (limit: ReplayLimit): bigint | undefined =>
    limit.untilPosition ?? index.untilPositionOfTime(limit.untilSimulatedTime!) ?? undefined;

  const compare = async (limit: ReplayLimit) => {
    const whole = await full(limit);
    for (const accountId of accounts) {
      /** What is compared: the point, the scope, facts of the log as folded, and the scope's answers. */
      const seenOfAccount = (readModels: ReadModels) => ({
        limit,
        accountId,
        ...logFacts(readModels),
        answers: accountAnswers(readModels, accountId, limit),
      });
      const expected = seenOfAccount(whole);
      const scoped = await machine.scoped(limit, { accountIds: [accountId] });
      expect(machine.lastTrip?.scoped).toBe(true);
      expect(seenOfAccount(scoped)).toEqual(expected);
      const fromCheckpoint = await checkpointed.scoped(limit, { accountIds: [accountId] });
      expect(checkpointed.lastTrip?.checkpointEvents).toBe(
        checkpoints.nearest(accountId, limitPosition(limit))?.records,
      );
      expect(seenOfAccount(fromCheckpoint)).toEqual(expected);
      expect(fromCheckpoint.eventCount).toBe(scoped.eventCount);
      const line = Math.floor(random() * LINES);
      const scope: TimeTravelScope = { accountIds: [accountId], lineKey: lineKey(accountId, numberOf(line)) };
      const seenOfLine = (readModels: ReadModels) => ({
        limit,
        scope,
        ...logFacts(readModels),
        answers: lineAnswers(readModels, accountId, line, limit),
      });
      expect(seenOfLine(await machine.scoped(limit, scope))).toEqual(seenOfLine(whole));
      // A call asked for by its id alone: the scope is every account whose lines used the id.
      const callId = callIds(accountId, line)[1]!;
      const byId = await machine.scoped(limit, { accountIds: [accountId] });
      expect({ limit, callId, found: findCall(byId, callId) }).toEqual({
        limit,
        callId,
        found: findCall(whole, callId),
      });
    }
  };

  it('wrote a log with clock advances and a foreign event between the accounts’ events', () => {
    expect(records.length).toBeGreaterThan(400);
    expect(records.some((record) => record.time === undefined)).toBe(true);
    expect(index.clocks.has(clockStream)).toBe(true);
    expect([...index.streamsOf(accounts[0]!)].length).toBe(LINES + 1);
  });

  it('answers every account and line query as of a position exactly as a replay from the first event', async () => {
    const points = new Set<bigint>([0n, records[0]!.position - 1n, records.at(-1)!.position + 1_000n]);
    while (points.size < 20) {
      const record = records[Math.floor(random() * records.length)]!;
      points.add(random() < 0.5 ? record.position : record.position + 1n);
    }
    for (const untilPosition of points) await compare({ untilPosition });
  }, 300_000);

  it('answers as of a simulated time exactly as a replay from the first event, which stops at the first later event', async () => {
    const times = records
      .filter((record) => record.time !== undefined)
      .map((record) => Date.parse(record.time!))
      .sort((a, b) => a - b);
    const instants = [times[0]! - 1, times.at(-1)! + 1];
    while (instants.length < 15)
      instants.push(times[Math.floor(random() * times.length)]! + Math.round(random()));
    for (const instant of instants) await compare({ untilSimulatedTime: new Date(instant).toISOString() });
  }, 300_000);

  it('keeps several scope checkpoints of every account, each row for row the fold from the first event to it', async () => {
    for (const accountId of accounts) {
      const list = checkpoints.of(accountId);
      expect(list.length).toBeGreaterThanOrEqual(3);
      expect(list.map((checkpoint) => checkpoint.records)).toEqual(
        list.map((_, i) => (i + 1) * CHECKPOINT_EVERY),
      );
      // Each checkpoint holds only the rows changed since the one before: a row changed without
      // being touched would be missing from it, and differ here.
      for (const checkpoint of list) {
        const loaded = await checkpoints.load(checkpoint);
        const folded = await machine.scoped(
          { untilPosition: checkpoint.position },
          { accountIds: [accountId] },
        );
        expect({ accountId, records: checkpoint.records, digest: loaded!.digest() }).toEqual({
          accountId,
          records: checkpoint.records,
          digest: folded.digest(),
        });
        expect(loaded!.eventCount).toBe(folded.eventCount);
      }
    }
  }, 120_000);

  it('answers an account query exactly at, just before and just after each checkpoint, before the first and after the last', async () => {
    const accountId = accounts[1]!;
    const list = checkpoints.of(accountId);
    const points = new Set<bigint>([
      list[0]!.position - 1n,
      records[0]!.position,
      list.at(-1)!.position + 1n,
      records.at(-1)!.position,
      records.at(-1)!.position + 1_000n,
    ]);
    for (const checkpoint of list) {
      points.add(checkpoint.position);
      points.add(checkpoint.position - 1n);
      points.add(checkpoint.position + 1n);
    }
    for (const untilPosition of points) {
      const limit = { untilPosition };
      const whole = await full(limit);
      const travelled = await checkpointed.scoped(limit, { accountIds: [accountId] });
      expect(checkpointed.lastTrip?.checkpointEvents).toBe(
        checkpoints.nearest(accountId, untilPosition)?.records,
      );
      expect({ limit, ...logFacts(travelled), answers: accountAnswers(travelled, accountId, limit) }).toEqual(
        {
          limit,
          ...logFacts(whole),
          answers: accountAnswers(whole, accountId, limit),
        },
      );
    }
    // Before the first checkpoint the fold starts from the first event; at one, it folds nothing more.
    await checkpointed.scoped({ untilPosition: list[0]!.position - 1n }, { accountIds: [accountId] });
    expect(checkpointed.lastTrip?.checkpointEvents).toBeUndefined();
    await checkpointed.scoped({ untilPosition: list[1]!.position }, { accountIds: [accountId] });
    expect(checkpointed.lastTrip).toMatchObject({
      checkpointEvents: 2 * CHECKPOINT_EVERY,
      replayedEvents: 0,
    });
  }, 300_000);

  it('ignores and removes a corrupt checkpoint file, answers from the first event, and builds it again', async () => {
    const accountId = accounts[2]!;
    const [file] = (await readdir(checkpointDir)).filter((name) =>
      name.includes(Buffer.from(accountId).toString('base64url')),
    );
    const path = join(checkpointDir, file!);
    const text = await readFile(path, 'utf8');
    // One character of a row changed: the segment's checksum no longer matches.
    await writeFile(
      path,
      text.replace(
        /"external":"\+1555(\d)/,
        (_, digit: string) => `"external":"+1555${(Number(digit) + 1) % 10}`,
      ),
    );
    const limit = { untilPosition: records.at(-1)!.position };
    const travelled = await checkpointed.scoped(limit, { accountIds: [accountId] });
    expect(checkpointed.lastTrip?.checkpointEvents).toBeUndefined();
    expect(checkpoints.stats.ignored).toBe(1);
    expect(checkpoints.of(accountId)).toEqual([]);
    expect(accountAnswers(travelled, accountId, limit)).toEqual(
      accountAnswers(await full(limit), accountId, limit),
    );
    await checkpoints.catchUp();
    expect(checkpoints.of(accountId).length).toBeGreaterThanOrEqual(3);
    expect(await readFile(path, 'utf8')).toBe(text);
  }, 120_000);

  it('on opening, cuts off a segment a crash cut short and removes a file of another projection version', async () => {
    const [torn, other] = [accounts[0]!, accounts[1]!].map((accountId) =>
      join(checkpointDir, `scope-${Buffer.from(accountId).toString('base64url')}.ndjson`),
    );
    const before = checkpoints.of(accounts[0]!).length;
    // Half of the last segment written again after it, as a crash in the middle of an append leaves it.
    const tornText = await readFile(torn!, 'utf8');
    const lastSegment = tornText.slice(tornText.lastIndexOf('\n{"format"') + 1);
    await appendFile(torn!, lastSegment.slice(0, Math.floor(lastSegment.length / 2)));
    const text = await readFile(other!, 'utf8');
    await writeFile(other!, text.replace(/"calls":\d+/g, '"calls":0'));
    const reopened = await openCheckpoints();
    expect(reopened.of(accounts[0]!).length).toBe(before);
    expect(await readFile(torn!, 'utf8')).toBe(tornText);
    expect(reopened.of(accounts[1]!)).toEqual([]);
    expect(reopened.stats.ignored).toBe(1);
    const limit = { untilPosition: records.at(-1)!.position };
    const machineOfReopened = new TimeMachine(store, PROJECTIONS, undefined, {
      streamPrefixes,
      index,
      scopeCheckpoints: reopened,
    });
    const travelled = await machineOfReopened.scoped(limit, { accountIds: [accounts[0]!] });
    expect(machineOfReopened.lastTrip?.checkpointEvents).toBe(before * CHECKPOINT_EVERY);
    expect(accountAnswers(travelled, accounts[0]!, limit)).toEqual(
      accountAnswers(await full(limit), accounts[0]!, limit),
    );
    await reopened.stop();
  }, 120_000);

  it('answers whole, from the first event, while the log index has not reached the head', async () => {
    const fresh = new TimeMachine(store, PROJECTIONS, undefined, { streamPrefixes, index: new LogIndex() });
    const limit = { untilPosition: records.at(-1)!.position };
    const travelled = await fresh.scoped(limit, { accountIds: [accounts[0]!] });
    expect(fresh.lastTrip?.scoped).toBe(false);
    expect(travelled.digest()).toBe((await full(limit)).digest());
  });
});
