import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';

import { status } from '@grpc/grpc-js';

import { EventStore, MemoryLog } from '../storage/index.js';
import { BatchAppendSession } from './batch-append-handler.js';
import {
  BatchAppendReq,
  BatchAppendResp,
  ProtobufEmpty,
  StreamIdentifier,
  UUID,
  type BatchAppendReqMessage,
  type BatchAppendRespMessage,
} from './protocol.js';
import { decodeBatchAppendReq, encodeBatchAppendResp, type BatchAppendResponse } from './streams-codec.js';

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

const KNOWN_DETAILS = [
  'event_store.client.WrongExpectedVersion',
  'event_store.client.StreamDeleted',
  'event_store.client.MaximumAppendSizeExceeded',
  'event_store.client.Timeout',
  'event_store.client.Unknown',
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
    if (type) proposed.getMetadataMap().set('type', type);
    message.addProposedMessages(proposed);
  }
  return message;
}

/**
 * Lets the store's group commit run: it starts in a setImmediate, and MemoryLog's write, the commit
 * and the replies all complete in microtasks right after it, so the next setImmediate sees them done.
 */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(() => setImmediate(resolve)));

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
  let store: EventStore;
  let call: FakeCall;
  let session: BatchAppendSession;

  beforeEach(async () => {
    ({ store } = await EventStore.open(new MemoryLog()));
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

  it('rejects events without a type, writes nothing of that append, and goes on', async () => {
    const untyped = correlation();
    const fine = correlation();
    call.send(request(untyped, { stream: 'untyped', type: '', final: false }));
    call.send(request(fine, { stream: 'typed', events: 2 }));
    call.send(request(untyped, { final: true }));
    await settle();
    expect(call.replies).toHaveLength(2);
    expectWellFormed(call, [untyped, fine]);
    const byId = new Map(call.replies.map((reply) => [reply.getCorrelationId()!.getString(), reply]));
    expect(byId.get(untyped.getString())!.getError()!.getCode()).toBe(status.INVALID_ARGUMENT);
    expect(byId.get(fine.getString())!.getSuccess()!.getCurrentRevision()).toBe('1');
    expect(store.lastRevision('untyped')).toBe(-1);
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

  it('on shutdown answers open and new appends, lets in-flight ones finish, then fails the call', async () => {
    const open = correlation();
    const inFlight = correlation();
    const late = correlation();
    call.send(request(open, { stream: 'open', final: false }));
    call.send(request(inFlight, { stream: 'in-flight' }));
    const closed = session.close();
    call.send(request(late, { stream: 'late' }));
    await closed;
    expectWellFormed(call, [open, inFlight, late]);
    const byId = new Map(call.replies.map((reply) => [reply.getCorrelationId()!.getString(), reply]));
    expect(byId.get(inFlight.getString())!.hasSuccess()).toBe(true);
    expect(byId.get(open.getString())!.getError()!.getCode()).toBe(status.UNAVAILABLE);
    expect(byId.get(late.getString())!.getError()!.getCode()).toBe(status.UNAVAILABLE);
    expect(call.failure?.code).toBe(status.UNAVAILABLE);
    expect(store.lastRevision('open')).toBe(-1);
    expect(store.lastRevision('late')).toBe(-1);
  });
});
