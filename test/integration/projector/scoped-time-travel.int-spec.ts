import { randomUUID } from 'node:crypto';
import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonEvent } from '@eventstore/db-client';
import { CommandHistory, type LineCommand, type Timed } from '#domain';
import { eventSchemas, lineKey, type ClockSettings, type DomainEvent } from '#events';
import {
  LINE_ROWS,
  LogIndex,
  PROJECTIONS,
  TimeMachine,
  accountStateOf,
  callsProjection,
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
  partyKey,
  recordingsProjection,
  virtualClockTime,
  voicemailProjection,
  whyBusy,
  whyCannot,
  whyRing,
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
import { LOG_REPAIRS_STREAM, LOG_REPAIR_EVENT_TYPE, type EventStore, type SystemRecord } from '#eventstore';
import { seatOf } from '../../../apps/projector/src/panel/seat.js';
import { openSharedStore, testMetadata } from '../../support/shared-store.js';
import { accountPrefixes, interleave } from '../../support/workload.js';

/** Party of the shared account who is the delegate of both its lines. */
const SHARED_DELEGATE = 'shared';

/**
 * An account whose two lines share rows: one delegate for both delegators, answering and recording
 * calls on both lines, and the same call ids used on both lines (ids name one call of a line only).
 * So a party's calls, an owner's recordings and a call id's lines gather rows of both lines.
 */
const sharedAccountStreams = (accountId: string): { stream: string; events: DomainEvent[] }[] => {
  const start = Date.parse('2026-01-05T09:00:00.000Z');
  const history = new CommandHistory(new Date(start).toISOString()).account(
    accountId,
    { type: 'CreateAccount', actor: 'admin', accountId, name: 'Shared Co', policy: {} },
    {
      type: 'ProvisionPhoneUser',
      actor: 'admin',
      partyId: SHARED_DELEGATE,
      name: 'Shared Assistant',
      directNumbers: ['+15553009999'],
      callingPlan: 'pro',
      powerPack: false,
      assistantEnabled: true,
      desktopClient: { platform: 'windows', version: '6.2.0' },
    },
    ...[0, 1].flatMap((line) => [
      {
        type: 'ProvisionPhoneUser' as const,
        actor: 'admin',
        partyId: delegatorOf(line),
        name: `Boss ${line}`,
        directNumbers: [`+${numberOf(line)}`],
        callingPlan: 'pro' as const,
        powerPack: false,
        assistantEnabled: true,
        desktopClient: { platform: 'windows' as const, version: '6.2.0' },
      },
      {
        type: 'InviteDelegate' as const,
        actor: delegatorOf(line),
        delegationId: `d${line}`,
        delegatorId: delegatorOf(line),
        delegateId: SHARED_DELEGATE,
        permissions: ['placeCalls' as const, 'answerCalls' as const, 'pickUpHeldCalls' as const],
        sharedLines: [`+${numberOf(line)}`],
      },
      { type: 'AcceptInvitation' as const, actor: SHARED_DELEGATE, delegationId: `d${line}` },
    ]),
  );
  const streams = [{ stream: `account-${accountId}`, events: history.eventsOf(`account-${accountId}`) }];
  for (const line of [0, 1]) {
    let now = start + line * 1000;
    const at = (seconds: number): string => new Date((now += seconds * 1000)).toISOString();
    const commands: Timed<LineCommand>[] = [];
    for (let n = 0; n < 12; n++) {
      const callId = `${accountId}-${n}`;
      commands.push({
        type: 'ReceiveIncomingCall',
        callId,
        actor: 'external',
        from: '+15550001111',
        at: at(30),
      });
      if (n % 4 === 3) {
        commands.push({ type: 'ExpireRing', callId, actor: 'system:timers', at: at(30) });
        continue;
      }
      const answerer = (n + line) % 3 === 0 ? delegatorOf(line) : SHARED_DELEGATE;
      commands.push(
        { type: 'AnswerCall', callId, actor: answerer, at: at(4) },
        { type: 'StartRecording', callId, recordingId: `rec-${n}`, actor: answerer, at: at(10) },
        { type: 'HangUp', callId, actor: answerer, at: at(60) },
      );
    }
    const lineHistory = history.fork().line(accountId, `+${numberOf(line)}`, ...commands);
    streams.push({
      stream: `line-${accountId}.${numberOf(line)}`,
      events: lineHistory.log.map(([, event]) => event),
    });
  }
  return streams;
};

/**
 * Scoped time travel: an as-of query about an account, or one of its lines, is folded from that
 * scope's own streams (and the clock streams) up to the point. Every answer the projector gives as
 * of a point must be exactly the one a replay of the whole log from the first event gives, with
 * several accounts interleaved as a live system writes them (events out of simulated-time order
 * across lines), clock advances in between, a foreign event in one of the lines, and an account
 * whose lines share rows (a delegate of both, call ids used on both). Each query is asked both from
 * its scope's first event and from its account's nearest scope checkpoint (a line's taking only
 * its line's rows of it).
 */
describe('time travel scoped to an account or a line', () => {
  const store = openSharedStore(eventSchemas);
  const run = randomUUID().replaceAll('-', '').slice(0, 10);
  const shared = `tt${run}s`;
  const accounts = [...[0, 1, 2].map((i) => `tt${run}a${i}`), shared];
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
      if (accountId === shared) {
        const [account, ...lines] = sharedAccountStreams(accountId);
        await store.append(account!.stream, account!.events, 'any', meta(iso(account!.events[0]!)));
        batches.push(...lines);
        continue;
      }
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
      lineRows: LINE_ROWS,
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
  const parties = [
    ...Array.from({ length: LINES }, (_, line) => [delegatorOf(line), delegateOf(line)]).flat(),
    SHARED_DELEGATE,
  ];
  const callIds = (accountId: string, line: number) =>
    [0, 3, 5, 11].map((n) => (accountId === shared ? `${accountId}-${n}` : `${accountId}-${line}-${n}`));

  const asked = (limit: ReplayLimit) =>
    limit.untilPosition === undefined ? { asOfTime: limit.untilSimulatedTime } : { asOf: '1' };
  /** What every line query of the projector answers (the routes' query functions). */
  const lineAnswers = (readModels: ReadModels, accountId: string, line: number, limit: ReplayLimit) => {
    const number = numberOf(line);
    const { inboxes, messages, missedCalls } = readModels.state(voicemailProjection);
    return {
      history: safely(() => lineHistory(readModels, accountId, number)),
      busy: safely(() => whyBusy(readModels, accountId, number)),
      states: parties.map((viewer) =>
        safely(() => {
          const access = lineAccess(readModels, accountId, number, viewer);
          return access.allowed ? lineState(readModels, accountId, number, viewer, access) : access;
        }),
      ),
      inbox: safely(() => {
        const inbox = inboxes.get(lineKey(accountId, number));
        return {
          messages: (inbox?.messages ?? []).map((id) => messages.get(id)),
          missedCalls: (inbox?.missedCalls ?? []).map((id) => missedCalls.get(id)),
        };
      }),
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
            ? {
                found,
                trail: readModels.state(auditProjection).trails.get(found.call.key),
                rings: parties.map((party) => whyRing(readModels, found.call, party)),
              }
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
      const expectedOfLine = seenOfLine(whole);
      const ofLine = await machine.scoped(limit, scope);
      expect(seenOfLine(ofLine)).toEqual(expectedOfLine);
      const lineFromCheckpoint = await checkpointed.scoped(limit, scope);
      expect(checkpointed.lastTrip?.checkpointEvents).toBe(
        checkpoints.nearest(accountId, limitPosition(limit))?.records,
      );
      expect(seenOfLine(lineFromCheckpoint)).toEqual(expectedOfLine);
      expect(lineFromCheckpoint.eventCount).toBe(ofLine.eventCount);
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

  const lineScope = (accountId: string, line: number): TimeTravelScope => ({
    accountIds: [accountId],
    lineKey: lineKey(accountId, numberOf(line)),
  });

  it('takes of each checkpoint, for each line, row for row what the line’s fold from the first event holds there', async () => {
    for (const accountId of accounts) {
      for (const checkpoint of checkpoints.of(accountId)) {
        for (let line = 0; line < LINES; line++) {
          const scope = lineScope(accountId, line);
          const loaded = await checkpoints.load(checkpoint, scope.lineKey);
          const folded = await machine.scoped({ untilPosition: checkpoint.position }, scope);
          expect({ accountId, line, records: checkpoint.records, digest: loaded!.digest() }).toEqual({
            accountId,
            line,
            records: checkpoint.records,
            digest: folded.digest(),
          });
          expect(loaded!.eventCount).toBe(folded.eventCount);
        }
      }
    }
    // The rows both lines of the shared account add to are cut to one line's part, not taken whole
    // nor left out: the shared delegate's calls and recordings, and a call id's lines.
    const last = checkpoints.of(shared).at(-1)!;
    const whole = (await checkpoints.load(last))!;
    const ofLine = (await checkpoints.load(last, lineScope(shared, 0).lineKey))!;
    const delegate = partyKey(shared, SHARED_DELEGATE);
    const callId = `${shared}-0`;
    const cut = (readModels: ReadModels) => ({
      calls: readModels.state(callsProjection).partyCalls.get(delegate)?.length,
      recordings: readModels.state(recordingsProjection).byOwner.get(delegate)?.length,
      lines: readModels.state(callsProjection).callIdLines.get(callId),
    });
    const [all, part] = [cut(whole), cut(ofLine)];
    expect(part.calls).toBeGreaterThan(0);
    expect(part.calls).toBeLessThan(all.calls!);
    expect(part.recordings).toBeGreaterThan(0);
    expect(part.recordings).toBeLessThan(all.recordings!);
    expect({ all: all.lines, part: part.lines }).toEqual({
      all: [lineKey(shared, numberOf(0)), lineKey(shared, numberOf(1))].sort(),
      part: [lineKey(shared, numberOf(0))],
    });
  }, 300_000);

  it('refuses line row rules that say nothing of a table, rather than guess how a line takes it', () => {
    const calls = Object.fromEntries(
      Object.entries(LINE_ROWS.calls!).filter(([table]) => table !== 'partyCalls'),
    );
    expect(
      () =>
        new ScopeCheckpoints(checkpointDir, PROJECTIONS, store, index, { lineRows: { ...LINE_ROWS, calls } }),
    ).toThrow('the line row rules say nothing of calls.partyCalls');
  });

  it('answers line queries from a checkpoint exactly at, just before, just after and between checkpoints, while the other lines go on', async () => {
    for (const accountId of [shared, accounts[1]!]) {
      const list = checkpoints.of(accountId);
      const lineStreams = Array.from({ length: LINES }, (_, line) => `line-${accountId}.${numberOf(line)}`);
      // Between two checkpoints more than one line of the account has events: a line's query then
      // folds its own and skips the others', whose rows in the checkpoint it must not take.
      for (const [i, checkpoint] of list.slice(0, -1).entries()) {
        const next = list[i + 1]!;
        const busy = lineStreams.filter(
          (stream) =>
            index.recordsUntil(stream, next.position) > index.recordsUntil(stream, checkpoint.position),
        );
        expect({ accountId, checkpoint: checkpoint.records, busy: busy.length > 1 }).toEqual({
          accountId,
          checkpoint: checkpoint.records,
          busy: true,
        });
      }
      const points = new Set<bigint>([list[0]!.position - 1n, records.at(-1)!.position]);
      for (const [i, checkpoint] of list.entries()) {
        points.add(checkpoint.position - 1n);
        points.add(checkpoint.position);
        points.add(checkpoint.position + 1n);
        const next = list[i + 1]?.position ?? records.at(-1)!.position;
        points.add((checkpoint.position + next) / 2n);
      }
      for (const untilPosition of points) {
        const limit = { untilPosition };
        const whole = await full(limit);
        for (let line = 0; line < LINES; line++) {
          const travelled = await checkpointed.scoped(limit, lineScope(accountId, line));
          expect(checkpointed.lastTrip?.checkpointEvents).toBe(
            checkpoints.nearest(accountId, untilPosition)?.records,
          );
          expect({
            limit,
            line,
            ...logFacts(travelled),
            answers: lineAnswers(travelled, accountId, line, limit),
          }).toEqual({
            limit,
            line,
            ...logFacts(whole),
            answers: lineAnswers(whole, accountId, line, limit),
          });
        }
      }
    }
    // At a checkpoint a line's query folds nothing more; past it, only its own scope's records.
    const list = checkpoints.of(shared);
    await checkpointed.scoped({ untilPosition: list[1]!.position }, lineScope(shared, 1));
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

  it('does not use a checkpoint whose header was damaged: a lowered position would apply records twice', async () => {
    const accountId = accounts[2]!;
    const path = join(checkpointDir, `scope-${Buffer.from(accountId).toString('base64url')}.ndjson`);
    const text = await readFile(path, 'utf8');
    const lines = text.split('\n');
    const headers = lines.flatMap((line, at) => (line.startsWith('{"format"') ? [at] : []));
    expect(headers.length).toBeGreaterThanOrEqual(2);
    // The last segment's header says it ends where the one before it does, plus one: its rows intact.
    const [before, last] = [headers.at(-2)!, headers.at(-1)!].map(
      (at) => JSON.parse(lines[at]!) as { position: string },
    );
    lines[headers.at(-1)!] = JSON.stringify({ ...last, position: String(BigInt(before!.position) + 1n) });
    await writeFile(path, lines.join('\n'));
    const reopened = await openCheckpoints();
    const machineOfReopened = new TimeMachine(store, PROJECTIONS, undefined, {
      streamPrefixes,
      index,
      scopeCheckpoints: reopened,
    });
    const limit = { untilPosition: records.at(-1)!.position };
    try {
      const travelled = await machineOfReopened.scoped(limit, { accountIds: [accountId] });
      expect(accountAnswers(travelled, accountId, limit)).toEqual(
        accountAnswers(await full(limit), accountId, limit),
      );
    } finally {
      await reopened.stop();
      await writeFile(path, text);
    }
  }, 120_000);

  it('does not use a checkpoint holding records a repair since dropped: removed, saying why; one before the dropped range is used', async () => {
    // The account whose file the tests above built again and left intact.
    const accountId = accounts[2]!;
    const name = `scope-${Buffer.from(accountId).toString('base64url')}.ndjson`;
    const taken = checkpoints.of(accountId);
    expect(taken.length).toBeGreaterThanOrEqual(3);
    const [early, middle, latest] = [taken[0]!, taken[1]!, taken.at(-1)!];
    // A repair after every checkpoint, which dropped positions just after the first one's last event.
    const repair: SystemRecord = {
      id: randomUUID(),
      type: LOG_REPAIR_EVENT_TYPE,
      position: records.at(-1)!.position + 1_000n,
      data: {
        repairedAt: '2026-12-03T08:00:00.000Z',
        dropped: [
          {
            fromPosition: Number(early.lastEvent.position) + 1,
            toPosition: Number(middle.lastEvent.position),
            events: 1,
            reason: 'damaged bytes (checksum mismatch)',
          },
        ],
      },
    };
    const repaired: EventStore = Object.assign(Object.create(store) as EventStore, {
      readSystemStreamBackwards: async (stream: string) => (stream === LOG_REPAIRS_STREAM ? [repair] : []),
    });
    const dir = await mkdtemp(join(tmpdir(), 'switchboard-scope-checkpoints-repaired-'));
    const log: string[] = [];
    const shelf = new ScopeCheckpoints(dir, PROJECTIONS, repaired, index, {
      everyRecords: CHECKPOINT_EVERY,
      lineRows: LINE_ROWS,
      log: (line) => log.push(line),
    });
    try {
      await writeFile(join(dir, name), await readFile(join(checkpointDir, name)));
      await shelf.open();
      expect(await shelf.load(early)).toBeDefined();
      expect(await shelf.load(latest)).toBeUndefined();
      expect(log).toEqual([expect.stringContaining('eventstore repair at 2026-12-03T08:00:00.000Z')]);
      expect(shelf.stats.ignored).toBe(1);
      expect(shelf.of(accountId)).toEqual([]);
    } finally {
      await shelf.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('answers whole, from the first event, while the log index has not reached the head', async () => {
    const fresh = new TimeMachine(store, PROJECTIONS, undefined, { streamPrefixes, index: new LogIndex() });
    const limit = { untilPosition: records.at(-1)!.position };
    const travelled = await fresh.scoped(limit, { accountIds: [accounts[0]!] });
    expect(fresh.lastTrip?.scoped).toBe(false);
    expect(travelled.digest()).toBe((await full(limit)).digest());
  });
});
