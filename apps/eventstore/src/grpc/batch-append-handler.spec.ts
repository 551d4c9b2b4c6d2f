import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';

import { jest } from '@jest/globals';
import { status } from '@grpc/grpc-js';
import timestampPb from 'google-protobuf/google/protobuf/timestamp_pb.js';

import { FailingDisk, noSpaceLeft } from '../storage/failing-disk.fixture.js';
import { FileLog, LogStore, MemoryLog } from '../storage/index.js';
import { BatchAppendSession, MAX_UNFINISHED_BYTES_PER_CALL } from './batch-append-handler.js';
import {
  BadRequest,
  BatchAppendReq,
  BatchAppendResp,
  ProtobufEmpty,
  StreamIdentifier,
  UUID,
  type BatchAppendReqMessage,
  type BatchAppendRespMessage,
} from './protocol.js';
import { decodeBatchAppendReq, encodeBatchAppendResp, type BatchAppendResponse } from './streams-codec.js';

const { Timestamp } = timestampPb;

/**
 * Requests the official client never sends, driven straight into a session through the server's
 * codecs: whatever arrives, every reply (read back with the client's classes) must name a correlation
 * id the client sent, carry a stream identifier and (for errors) typed details, and come at most once
 * per id. The client's stream handler throws on anything else.
 */
class FakeCall extends Writable {
  readonly replies: BatchAppendRespMessage[] = [];
  failure: (Error & { code?: number }) | undefined;

  constructor() {
    super({
      objectMode: true,
      write: (reply: BatchAppendResponse, _encoding, done) => {
        this.replies.push(BatchAppendResp.deserializeBinary(encodeBatchAppendResp(reply)));
        done();
      },
    });
    this.on('error', (error: Error) => (this.failure = error));
  }

  send(request: BatchAppendReqMessage): void {
    this.emit('data', decodeBatchAppendReq(request.serializeBinary()));
  }
}

/**
 * Every error carries details of these types. BadRequest is not one the client unpacks, but it reads
 * its type name and raises UnknownError, as against EventStoreDB, which sends it.
 */
const KNOWN_DETAILS = [
  'event_store.client.BadRequest',
  'event_store.client.WrongExpectedVersion',
  'event_store.client.StreamDeleted',
  'event_store.client.MaximumAppendSizeExceeded',
  'event_store.client.Timeout',
  'event_store.client.Unknown',
  // Ours: the client rejects the append with an UnknownError that keeps the message.
  'switchboard.eventstore.LogWriteFailed',
];

function correlation(): InstanceType<typeof UUID> {
  return new UUID().setString(randomUUID());
}

function request(
  id: InstanceType<typeof UUID> | undefined,
  {
    stream,
    final = true,
    events = 1,
    type = 'Tested',
  }: Partial<{
    stream: string;
    final: boolean;
    events: number;
    type: string;
  }> = {},
): BatchAppendReqMessage {
  const message = new BatchAppendReq().setIsFinal(final);
  if (id) message.setCorrelationId(id);
  if (stream !== undefined) {
    message.setOptions(
      new BatchAppendReq.Options()
        .setStreamIdentifier(new StreamIdentifier().setStreamName(Buffer.from(stream)))
        .setAny(new ProtobufEmpty()),
    );
  }
  for (let index = 0; index < events; index += 1) {
    const proposed = new BatchAppendReq.ProposedMessage()
      .setId(new UUID().setString(randomUUID()))
      .setData(Buffer.from('{}'));
    proposed.getMetadataMap().set('content-type', 'application/json');
    proposed.getMetadataMap().set('type', type);
    message.addProposedMessages(proposed);
  }
  return message;
}

/**
 * Lets the store's group commit run: it starts in a setImmediate, and MemoryLog's write, the commit
 * and the replies all complete in microtasks right after it, so the next setImmediate sees them done.
 */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(() => setImmediate(resolve)));

/**
 * Until `call` has `count` replies: a log on disk answers after real writes, as slow as the machine's
 * disk and load make them (a fixed 50 ms pause failed once each write took 80 ms: the disk was healed
 * before the refusals, or the test looked before the answers).
 */
async function repliesCount(call: FakeCall, count: number): Promise<void> {
  const giveUpAt = Date.now() + 20_000;
  while (call.replies.length < count) {
    if (Date.now() > giveUpAt) throw new Error(`${call.replies.length} replies, not ${count}, after 20 s`);
    await new Promise((written) => setTimeout(written, 10));
  }
}

function expectWellFormed(call: FakeCall, sent: readonly InstanceType<typeof UUID>[]): void {
  const ids = call.replies.map((reply) => reply.getCorrelationId()?.getString());
  expect(new Set(ids).size).toBe(ids.length);
  for (const reply of call.replies) {
    expect(sent.map((id) => id.getString())).toContain(reply.getCorrelationId()?.getString());
    expect(reply.hasStreamIdentifier()).toBe(true);
    if (reply.hasError()) expect(KNOWN_DETAILS).toContain(reply.getError()!.getDetails()?.getTypeName());
    else expect(reply.hasSuccess()).toBe(true);
  }
}

describe('BatchAppendSession', () => {
  let store: LogStore;
  let call: FakeCall;
  let session: BatchAppendSession;

  beforeEach(async () => {
    ({ store } = await LogStore.open(new MemoryLog()));
    call = new FakeCall();
    session = new BatchAppendSession(store, call as never);
  });
  afterEach(() => store.close());

  it('answers an append whose first request has no options once, and drops its later chunks', async () => {
    const id = correlation();
    call.send(request(id, { final: false }));
    call.send(request(id, { final: false }));
    call.send(request(id, { final: true }));
    await settle();
    expect(call.replies).toHaveLength(1);
    expect(call.replies[0]!.getError()!.getCode()).toBe(status.INVALID_ARGUMENT);
    expectWellFormed(call, [id]);
    expect(store.committedCount).toBe(0);
  });

  it('never answers a request without a correlation id: the client could not match the reply', async () => {
    call.send(request(undefined, { stream: 'no-id' }));
    await settle();
    expect(call.replies).toHaveLength(0);
    expect(store.committedCount).toBe(0);
  });

  it('refuses events without a type as EventStoreDB does (BadRequest), writes nothing of that append, and goes on', async () => {
    const untyped = correlation();
    const fine = correlation();
    call.send(request(untyped, { stream: 'untyped', type: '', final: false }));
    call.send(request(fine, { stream: 'typed', events: 2 }));
    call.send(request(untyped, { final: true }));
    await settle();
    expect(call.replies).toHaveLength(2);
    expectWellFormed(call, [untyped, fine]);
    const byId = new Map(call.replies.map((reply) => [reply.getCorrelationId()!.getString(), reply]));
    const refusal = byId.get(untyped.getString())!.getError()!;
    expect([refusal.getCode(), refusal.getMessage()]).toEqual([status.INVALID_ARGUMENT, 'BadRequest']);
    expect(
      refusal
        .getDetails()!
        .unpack(BadRequest.deserializeBinary, 'event_store.client.BadRequest')!
        .getMessage(),
    ).toBe("Empty eventType provided. (Parameter 'eventType')");
    expect(byId.get(fine.getString())!.getSuccess()!.getCurrentRevision()).toBe('1');
    expect(store.lastRevision('untyped')).toBe(-1);
  });

  it('answers each append a log that cannot be written refuses on its own, naming the error code, and takes the next ones on the same call', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'batch-append-disk-full-'));
    const disk = new FailingDisk();
    const { store: onDisk } = await LogStore.open(new FileLog(directory, { write: disk.write }));
    try {
      const onFullDisk = new FakeCall();
      new BatchAppendSession(onDisk, onFullDisk as never);
      disk.fail(await noSpaceLeft());
      const refused = [correlation(), correlation(), correlation()];
      for (const [index, id] of refused.entries()) onFullDisk.send(request(id, { stream: `full-${index}` }));
      await repliesCount(onFullDisk, 3);
      disk.heal();
      const taken = correlation();
      onFullDisk.send(request(taken, { stream: 'room-again' }));
      await repliesCount(onFullDisk, 4);

      expectWellFormed(onFullDisk, [...refused, taken]);
      expect(onFullDisk.failure).toBeUndefined();
      const byId = new Map(onFullDisk.replies.map((reply) => [reply.getCorrelationId()!.getString(), reply]));
      for (const id of refused) {
        expect(byId.get(id.getString())!.getError()!.getMessage()).toMatch(
          /^log-write-failed ENOSPC: the log could not be written \(ENOSPC/,
        );
      }
      expect(byId.get(taken.getString())!.hasSuccess()).toBe(true);
      expect([0, 1, 2].map((index) => onDisk.lastRevision(`full-${index}`))).toEqual([-1, -1, -1]);
      expect(onDisk.lastRevision('room-again')).toBe(0);
    } finally {
      await onDisk.close();
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('echoes a structured correlation id exactly', async () => {
    const id = new UUID().setStructured(
      new UUID.Structured().setMostSignificantBits('123456789').setLeastSignificantBits('-42'),
    );
    call.send(request(id, { stream: 'structured' }));
    await settle();
    expect(call.replies).toHaveLength(1);
    expect(call.replies[0]!.getCorrelationId()!.toObject()).toEqual(id.toObject());
  });

  it('on shutdown answers in-flight appends, leaves open and new ones to the call, which ends CANCELLED', async () => {
    const open = correlation();
    const inFlight = correlation();
    const late = correlation();
    call.send(request(open, { stream: 'open', final: false }));
    call.send(request(inFlight, { stream: 'in-flight' }));
    const closed = session.close();
    call.send(request(late, { stream: 'late' }));
    call.send(request(open, { final: true }));
    await closed;
    expectWellFormed(call, [open, inFlight, late]);
    // Only the append handed to the store before the shutdown is answered: it is durable.
    expect(call.replies.map((reply) => reply.getCorrelationId()!.getString())).toEqual([
      inFlight.getString(),
    ]);
    expect(call.replies[0]!.hasSuccess()).toBe(true);
    expect(call.failure?.code).toBe(status.CANCELLED);
    expect(store.lastRevision('in-flight')).toBe(0);
    expect(store.lastRevision('open')).toBe(-1);
    expect(store.lastRevision('late')).toBe(-1);
  });

  it('holds at most MAX_UNFINISHED_BYTES_PER_CALL of unfinished appends on a call, refusing the one that passes it', async () => {
    const unfinished = Array.from({ length: MAX_UNFINISHED_BYTES_PER_CALL / (1024 * 1024) + 1 }, correlation);
    const nearlyMiB = new Uint8Array(1024 * 1024 - 64);
    for (const [index, id] of unfinished.entries()) {
      const message = request(id, { stream: `unfinished-${index}`, final: false, events: 0 });
      const proposed = new BatchAppendReq.ProposedMessage()
        .setId(new UUID().setString(randomUUID()))
        .setData(nearlyMiB);
      proposed.getMetadataMap().set('type', 'Big').set('content-type', 'application/octet-stream');
      message.addProposedMessages(proposed);
      call.send(message);
    }
    expect(call.replies).toHaveLength(1);
    expect(call.replies[0]!.getCorrelationId()!.getString()).toBe(unfinished.at(-1)!.getString());
    expect(call.replies[0]!.getError()!.getCode()).toBe(status.RESOURCE_EXHAUSTED);
    // Finishing one frees its share: the call goes on taking appends.
    call.send(request(unfinished[0]!, { final: true, events: 0 }));
    const next = correlation();
    call.send(request(next, { stream: 'after' }));
    await settle();
    expectWellFormed(call, [...unfinished, next]);
    expect(store.lastRevision('unfinished-0')).toBe(0);
    expect(store.lastRevision('after')).toBe(0);
  });

  it('answers Timeout at the deadline of an append whose final chunk has not arrived', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    try {
      const stalled = correlation();
      const message = request(stalled, { stream: 'stalled', final: false });
      message.getOptions()!.setDeadline(Timestamp.fromDate(new Date(Date.now() + 1_000)));
      call.send(message);
      jest.advanceTimersByTime(999);
      expect(call.replies).toHaveLength(0);
      jest.advanceTimersByTime(1);
      expect(call.replies).toHaveLength(1);
      expect(call.replies[0]!.getError()!.getDetails()!.getTypeName()).toBe('event_store.client.Timeout');
      call.send(request(stalled, { final: true }));
      await settle();
      expect(call.replies).toHaveLength(1);
      expect(store.lastRevision('stalled')).toBe(-1);
    } finally {
      jest.useRealTimers();
    }
  });
});
