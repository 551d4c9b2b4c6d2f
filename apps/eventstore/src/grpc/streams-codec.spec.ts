import { randomUUID } from 'node:crypto';

import grpcUuid from '@eventstore/db-client/dist/utils/grpcUUID.js';
import timestampPb from 'google-protobuf/google/protobuf/timestamp_pb.js';

import {
  AllStreamPosition,
  AppendReq,
  AppendResp,
  Any,
  BadRequest,
  BatchAppendReq,
  BatchAppendResp,
  Empty,
  MaximumAppendSizeExceeded,
  ProtobufEmpty,
  ReadResp,
  Status,
  StreamDeleted,
  StreamIdentifier,
  Timeout,
  UUID,
  Unknown,
  WrongExpectedVersion,
} from './protocol.js';
import {
  decodeAppendReq,
  decodeBatchAppendReq,
  encodeAppendResp,
  encodeBadRequest,
  encodeBatchAppendResp,
  encodeCaughtUp,
  encodeCheckpoint,
  encodeMaximumAppendSizeExceeded,
  encodeStreamDeleted,
  encodeStreamNotFound,
  encodeSubscriptionConfirmation,
  encodeWrongExpectedVersion,
  type BatchAppendResponse,
  type ExpectedStreamPosition,
  uuidText,
} from './streams-codec.js';

// The client's own reading of a UUID message: what it would make of an id this server stores.
const { parseUUID } = grpcUuid;

/**
 * Round trips against the client's own google-protobuf classes: what they encode we decode, and what
 * we encode they decode to the same message (byte for byte what they would have sent themselves).
 */

type Message = { serializeBinary(): Uint8Array };
const bytesOf = (message: Message): Buffer => Buffer.from(message.serializeBinary());
const identifier = (name: string) => new StreamIdentifier().setStreamName(Buffer.from(name, 'utf8'));
const stringUuid = (value = randomUUID()) => new UUID().setString(value);
const structuredUuid = (most: string, least: string) =>
  new UUID().setStructured(new UUID.Structured().setMostSignificantBits(most).setLeastSignificantBits(least));

/** Raw protobuf fields, written independently of the writer under test. */
const varint = (value: bigint): Buffer => {
  const out: number[] = [];
  let rest = BigInt.asUintN(64, value);
  while (rest >= 0x80n) {
    out.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  out.push(Number(rest));
  return Buffer.from(out);
};
const field = (number: number, wireType: number, payload: Buffer): Buffer =>
  Buffer.concat([varint(BigInt(number * 8 + wireType)), payload]);
const delimited = (number: number, payload: Uint8Array): Buffer =>
  field(number, 2, Buffer.concat([varint(BigInt(payload.length)), payload]));
/** One unknown field of each wire type a proto3 message can carry. */
const UNKNOWN_FIELDS = Buffer.concat([
  field(90, 0, varint(-1n)),
  field(91, 1, Buffer.alloc(8, 0xee)),
  delimited(92, Buffer.from('unknown')),
  field(93, 5, Buffer.alloc(4, 0xee)),
]);

function proposed(
  options: Partial<{
    id: InstanceType<typeof UUID>;
    type: string;
    data: Uint8Array;
    custom: Uint8Array;
  }> = {},
) {
  const message = new BatchAppendReq.ProposedMessage()
    .setId(options.id ?? stringUuid())
    .setData(options.data ?? Buffer.from('{"a":1}'))
    .setCustomMetadata(options.custom ?? new Uint8Array(0));
  message.getMetadataMap().set('content-type', 'application/json');
  message.getMetadataMap().set('ignored', 'by the server');
  if (options.type !== undefined) message.getMetadataMap().set('type', options.type);
  return message;
}

/** The expected-state oneof of BatchAppendReq.Options or BatchAppendResp, whose field numbers differ. */
const expectationOf = (message: {
  hasAny(): boolean;
  hasNoStream(): boolean;
  hasStreamExists(): boolean;
  hasStreamPosition(): boolean;
  getStreamPosition(): string;
}): string =>
  message.hasAny()
    ? 'any'
    : message.hasNoStream()
      ? 'no_stream'
      : message.hasStreamExists()
        ? 'stream_exists'
        : message.hasStreamPosition()
          ? message.getStreamPosition()
          : 'none';

describe('decodeBatchAppendReq', () => {
  it('decodes what the client sends: options, deadline, events and the correlation id as sent', () => {
    const correlationId = stringUuid();
    const event = proposed({ type: 'Tested', custom: Buffer.from([1, 2, 3]) });
    const request = new BatchAppendReq()
      .setCorrelationId(correlationId)
      .setOptions(
        new BatchAppendReq.Options()
          .setStreamIdentifier(identifier('orders-é'))
          .setAny(new ProtobufEmpty())
          .setDeadline(new timestampPb.Timestamp().setSeconds(1_700_000_000).setNanos(123_999_999)),
      )
      .setProposedMessagesList([event, proposed({ type: 'Other', data: new Uint8Array(0) })])
      .setIsFinal(true);
    const decoded = decodeBatchAppendReq(bytesOf(request));
    expect(decoded.correlationId!.uuid).toEqual({ string: correlationId.getString() });
    expect(Buffer.from(decoded.correlationId!.encoded)).toEqual(bytesOf(correlationId));
    expect(decoded.options).toEqual({ stream: 'orders-é', expected: 'any', deadline: 1_700_000_000_123 });
    expect(decoded.isFinal).toBe(true);
    expect(decoded.proposedMessages).toHaveLength(2);
    const [first, second] = decoded.proposedMessages;
    expect(first).toMatchObject({ id: { string: event.getId()!.getString() }, type: 'Tested' });
    expect(first!.contentType).toBe('application/json');
    expect([...first!.data]).toEqual([...Buffer.from('{"a":1}')]);
    expect([...first!.customMetadata]).toEqual([1, 2, 3]);
    expect(second!.type).toBe('Other');
    expect(second!.data).toHaveLength(0);
    expect(second!.customMetadata).toHaveLength(0);
  });

  it('decodes a later chunk: no options, not final, no events', () => {
    const decoded = decodeBatchAppendReq(bytesOf(new BatchAppendReq().setCorrelationId(stringUuid())));
    expect(decoded.options).toBeUndefined();
    expect(decoded.isFinal).toBe(false);
    expect(decoded.proposedMessages).toEqual([]);
    expect(decodeBatchAppendReq(new Uint8Array(0)).correlationId).toBeUndefined();
  });

  it.each<
    [string, (options: InstanceType<typeof BatchAppendReq.Options>) => unknown, ExpectedStreamPosition]
  >([
    ['any', (options) => options.setAny(new ProtobufEmpty()), 'any'],
    ['no_stream', (options) => options.setNoStream(new ProtobufEmpty()), 'no_stream'],
    ['stream_exists', (options) => options.setStreamExists(new ProtobufEmpty()), 'stream_exists'],
    ['revision 0', (options) => options.setStreamPosition('0'), 0n],
    ['revision 41', (options) => options.setStreamPosition('41'), 41n],
    ['the largest uint64', (options) => options.setStreamPosition('18446744073709551615'), 2n ** 64n - 1n],
  ])('decodes the expected state %s and echoes it exactly', (_name, set, expected) => {
    const options = new BatchAppendReq.Options().setStreamIdentifier(identifier('s'));
    set(options);
    const decoded = decodeBatchAppendReq(bytesOf(new BatchAppendReq().setOptions(options)));
    expect(decoded.options!.expected).toEqual(expected);
    expect(decoded.options!.deadline).toBeUndefined();
    const reply = BatchAppendResp.deserializeBinary(
      encodeBatchAppendResp({
        correlationId: bytesOf(stringUuid()),
        stream: 's',
        expected,
        result: { success: { revision: 0, position: 16 } },
      }),
    );
    expect(expectationOf(reply)).toBe(expectationOf(options));
  });

  it('leaves the expected state undefined when the client sent none', () => {
    const options = new BatchAppendReq.Options().setStreamIdentifier(identifier('s'));
    expect(decodeBatchAppendReq(bytesOf(new BatchAppendReq().setOptions(options))).options!.expected).toBe(
      undefined,
    );
  });

  it('decodes structured ids, negative and at the int64 limits, and echoes their bytes', () => {
    const id = structuredUuid('-9223372036854775808', '9223372036854775807');
    const eventId = structuredUuid('-1', '42');
    const request = new BatchAppendReq()
      .setCorrelationId(id)
      .setProposedMessagesList([proposed({ id: eventId })]);
    const decoded = decodeBatchAppendReq(bytesOf(request));
    expect(decoded.correlationId!.uuid).toEqual({
      structured: { mostSignificantBits: -(2n ** 63n), leastSignificantBits: 2n ** 63n - 1n },
    });
    expect(decoded.proposedMessages[0]!.id).toEqual({
      structured: { mostSignificantBits: -1n, leastSignificantBits: 42n },
    });
    const reply = BatchAppendResp.deserializeBinary(
      encodeBatchAppendResp({
        correlationId: decoded.correlationId!.encoded,
        stream: '',
        expected: 'any',
        result: { success: { revision: 0, position: 16 } },
      }),
    );
    expect(reply.getCorrelationId()!.toObject()).toEqual(id.toObject());
  });

  it('reads an empty UUID as the empty string, as google-protobuf does', () => {
    const decoded = decodeBatchAppendReq(bytesOf(new BatchAppendReq().setCorrelationId(new UUID())));
    expect(decoded.correlationId!.uuid).toEqual({ string: '' });
  });

  it('skips unknown fields of every wire type, at the top and inside embedded messages', () => {
    const id = stringUuid();
    const options = new BatchAppendReq.Options().setStreamIdentifier(identifier('s')).setStreamPosition('5');
    const event = proposed({ type: 'T' });
    const withUnknown = (message: Message) =>
      Buffer.concat([UNKNOWN_FIELDS, bytesOf(message), UNKNOWN_FIELDS]);
    const request = Buffer.concat([
      UNKNOWN_FIELDS,
      delimited(1, withUnknown(id)),
      delimited(2, withUnknown(options)),
      delimited(3, withUnknown(event)),
      UNKNOWN_FIELDS,
      field(4, 0, varint(1n)),
      UNKNOWN_FIELDS,
    ]);
    // The client's own classes agree on what this says.
    expect(BatchAppendReq.deserializeBinary(request).getOptions()!.getStreamPosition()).toBe('5');
    const decoded = decodeBatchAppendReq(request);
    expect(decoded.correlationId!.uuid).toEqual({ string: id.getString() });
    expect(decoded.options).toEqual({ stream: 's', expected: 5n, deadline: undefined });
    expect(decoded.proposedMessages).toHaveLength(1);
    expect(decoded.proposedMessages[0]).toMatchObject({ type: 'T', contentType: 'application/json' });
    expect(decoded.isFinal).toBe(true);
  });

  it('lets the last of a oneof win and handles map entries without key or value', () => {
    const request = Buffer.concat([
      delimited(1, Buffer.concat([delimited(1, Buffer.from([])), delimited(2, Buffer.from('last'))])),
      delimited(
        3,
        Buffer.concat([
          delimited(2, delimited(1, Buffer.from('type'))),
          delimited(2, delimited(2, Buffer.from('no key'))),
          delimited(
            2,
            Buffer.concat([delimited(1, Buffer.from('content-type')), delimited(2, Buffer.from('c'))]),
          ),
        ]),
      ),
    ]);
    const jspb = BatchAppendReq.deserializeBinary(request);
    const decoded = decodeBatchAppendReq(request);
    expect(decoded.correlationId!.uuid).toEqual({ string: jspb.getCorrelationId()!.getString() });
    const metadata = jspb.getProposedMessagesList()[0]!.getMetadataMap();
    expect(decoded.proposedMessages[0]).toMatchObject({
      type: metadata.get('type'),
      contentType: metadata.get('content-type'),
    });
  });

  it('takes large data as a view into the request, without copying', () => {
    const data = Buffer.alloc(3 * 1024 * 1024 + 7, 0x5a);
    const request = bytesOf(new BatchAppendReq().setProposedMessagesList([proposed({ type: 'Big', data })]));
    const decoded = decodeBatchAppendReq(request);
    const received = decoded.proposedMessages[0]!.data;
    expect(received.length).toBe(data.length);
    expect(Buffer.compare(Buffer.from(received), data)).toBe(0);
    expect(received.buffer).toBe(request.buffer);
  });

  it('refuses a truncated request', () => {
    const request = bytesOf(new BatchAppendReq().setProposedMessagesList([proposed({ type: 'T' })]));
    expect(() => decodeBatchAppendReq(request.subarray(0, request.length - 3))).toThrow('truncated');
  });
});

describe('encodeBatchAppendResp', () => {
  const correlationId = stringUuid();
  const response = (result: BatchAppendResponse['result'], expected: ExpectedStreamPosition = 'any') =>
    encodeBatchAppendResp({ correlationId: bytesOf(correlationId), stream: 'orders-é', expected, result });
  const expectedReply = () =>
    new BatchAppendResp()
      .setCorrelationId(correlationId)
      .setStreamIdentifier(identifier('orders-é'))
      .setAny(new ProtobufEmpty());

  it.each([
    ['revision 0 and a position', { revision: 0, position: 16 }],
    ['a large revision', { revision: 2 ** 40, position: 2 ** 50 }],
    ['no stream and no position', { revision: 'no_stream' as const, position: undefined }],
  ])('encodes a success with %s as google-protobuf does', (_name, success) => {
    const expected = new BatchAppendResp.Success();
    if (success.revision === 'no_stream') expected.setNoStream(new ProtobufEmpty());
    else expected.setCurrentRevision(String(success.revision));
    if (success.position === undefined) expected.setNoPosition(new ProtobufEmpty());
    else {
      const position = String(success.position);
      expected.setPosition(new AllStreamPosition().setCommitPosition(position).setPreparePosition(position));
    }
    expect(response({ success })).toEqual(bytesOf(expectedReply().setSuccess(expected)));
  });

  it('echoes every expected state as google-protobuf does', () => {
    const success = { revision: 3, position: 99 };
    const jspbSuccess = new BatchAppendResp.Success()
      .setCurrentRevision('3')
      .setPosition(new AllStreamPosition().setCommitPosition('99').setPreparePosition('99'));
    const reply = () => expectedReply().setSuccess(jspbSuccess);
    expect(response({ success }, 'no_stream')).toEqual(bytesOf(reply().setNoStream(new ProtobufEmpty())));
    expect(response({ success }, 'stream_exists')).toEqual(
      bytesOf(reply().setStreamExists(new ProtobufEmpty())),
    );
    expect(response({ success }, 0n)).toEqual(bytesOf(reply().setStreamPosition('0')));
    expect(response({ success }, 2n ** 64n - 1n)).toEqual(
      bytesOf(reply().setStreamPosition('18446744073709551615')),
    );
  });

  const packed = (name: string, details: Message) => {
    const any = new Any();
    any.pack(details.serializeBinary(), name);
    return any;
  };
  const errorReply = (code: number, message: string, details: InstanceType<typeof Any>) =>
    bytesOf(
      expectedReply().setError(
        new Status()
          .setCode(code as Parameters<InstanceType<typeof Status>['setCode']>[0])
          .setMessage(message)
          .setDetails(details),
      ),
    );
  const ours = (code: number, message: string, name: string, value: Uint8Array) =>
    response({ error: { code, message, details: { typeUrl: `type.googleapis.com/${name}`, value } } });

  it.each<[string, Parameters<typeof encodeWrongExpectedVersion>[0]]>([
    ['revision vs revision 0', { current: 4, expected: 0n }],
    ['no stream vs stream_exists', { current: 'no_stream', expected: 'stream_exists' }],
    ['revision 0 vs no_stream', { current: 0, expected: 'no_stream' }],
    ['revision vs any', { current: 7, expected: 'any' }],
  ])('encodes a WrongExpectedVersion error (%s) with its Any details', (_name, conflict) => {
    const details = new WrongExpectedVersion();
    if (conflict.current === 'no_stream') details.setCurrentNoStream(new ProtobufEmpty());
    else details.setCurrentStreamRevision(String(conflict.current));
    if (conflict.expected === 'any') details.setExpectedAny(new ProtobufEmpty());
    else if (conflict.expected === 'no_stream') details.setExpectedNoStream(new ProtobufEmpty());
    else if (conflict.expected === 'stream_exists') details.setExpectedStreamExists(new ProtobufEmpty());
    else details.setExpectedStreamPosition(String(conflict.expected));
    const name = 'event_store.client.WrongExpectedVersion';
    const encoded = ours(9, 'conflict', name, encodeWrongExpectedVersion(conflict));
    expect(encoded).toEqual(errorReply(9, 'conflict', packed(name, details)));
    const unpacked = BatchAppendResp.deserializeBinary(encoded)
      .getError()!
      .getDetails()!
      .unpack(WrongExpectedVersion.deserializeBinary, name)!;
    expect(unpacked.toObject()).toEqual(details.toObject());
  });

  it('encodes StreamDeleted, MaximumAppendSizeExceeded, BadRequest, Timeout and Unknown errors', () => {
    const deleted = 'event_store.client.StreamDeleted';
    expect(ours(9, 'gone', deleted, encodeStreamDeleted('orders-é'))).toEqual(
      errorReply(9, 'gone', packed(deleted, new StreamDeleted().setStreamIdentifier(identifier('orders-é')))),
    );
    const oversize = 'event_store.client.MaximumAppendSizeExceeded';
    expect(ours(3, 'big', oversize, encodeMaximumAppendSizeExceeded(1_048_576))).toEqual(
      errorReply(3, 'big', packed(oversize, new MaximumAppendSizeExceeded().setMaxappendsize(1_048_576))),
    );
    const badRequest = 'event_store.client.BadRequest';
    expect(ours(3, 'BadRequest', badRequest, encodeBadRequest('eventStreamId'))).toEqual(
      errorReply(3, 'BadRequest', packed(badRequest, new BadRequest().setMessage('eventStreamId'))),
    );
    for (const [name, details] of [
      ['event_store.client.Timeout', new Timeout()],
      ['event_store.client.Unknown', new Unknown()],
    ] as const) {
      expect(ours(4, 'é', name, new Uint8Array(0))).toEqual(errorReply(4, 'é', packed(name, details)));
    }
  });

  it('encodes long messages and stream names (multi-byte lengths)', () => {
    const stream = 's'.repeat(300);
    const message = 'm'.repeat(20_000);
    const encoded = encodeBatchAppendResp({
      correlationId: bytesOf(correlationId),
      stream,
      expected: 'any',
      result: { error: { code: 2, message, details: { typeUrl: 'x', value: new Uint8Array(0) } } },
    });
    const reply = BatchAppendResp.deserializeBinary(encoded);
    expect(reply.getError()!.getMessage()).toBe(message);
    expect(Buffer.from(reply.getStreamIdentifier()!.getStreamName_asU8()).toString()).toBe(stream);
  });
});

describe('Append (legacy)', () => {
  it('decodes options and proposed messages as the client sends them', () => {
    const options = new AppendReq.Options().setStreamIdentifier(identifier('legacy')).setRevision('12');
    expect(decodeAppendReq(bytesOf(new AppendReq().setOptions(options)))).toEqual({
      options: { stream: 'legacy', expected: 12n, deadline: undefined },
      proposedMessage: undefined,
    });
    for (const [set, expected] of [
      [(o: typeof options) => o.setNoStream(new Empty()), 'no_stream'],
      [(o: typeof options) => o.setAny(new Empty()), 'any'],
      [(o: typeof options) => o.setStreamExists(new Empty()), 'stream_exists'],
    ] as const) {
      const request = new AppendReq().setOptions(set(new AppendReq.Options()));
      expect(decodeAppendReq(bytesOf(request)).options!.expected).toBe(expected);
    }
    const id = stringUuid();
    const message = new AppendReq.ProposedMessage().setId(id).setData(Buffer.from('x'));
    message.getMetadataMap().set('type', 'T').set('content-type', 'application/octet-stream');
    const decoded = decodeAppendReq(
      Buffer.concat([bytesOf(new AppendReq().setProposedMessage(message)), UNKNOWN_FIELDS]),
    );
    expect(decoded.options).toBeUndefined();
    expect(decoded.proposedMessage).toMatchObject({
      id: { string: id.getString() },
      type: 'T',
      contentType: 'application/octet-stream',
    });
  });

  it('encodes successes and conflicts as google-protobuf does', () => {
    const position = new AppendResp.Position().setCommitPosition('16').setPreparePosition('16');
    expect(encodeAppendResp({ success: { revision: 0, position: 16 } })).toEqual(
      bytesOf(
        new AppendResp().setSuccess(new AppendResp.Success().setCurrentRevision('0').setPosition(position)),
      ),
    );
    expect(encodeAppendResp({ success: { revision: 'no_stream', position: undefined } })).toEqual(
      bytesOf(
        new AppendResp().setSuccess(
          new AppendResp.Success().setNoStream(new Empty()).setNoPosition(new Empty()),
        ),
      ),
    );
    // With the pre-20.6 forms (fields 1-5) first, as EventStoreDB fills both and C# writes them in order.
    const conflicts = [
      [
        { current: 3, expected: 0n },
        (c: InstanceType<typeof AppendResp.WrongExpectedVersion>) =>
          c
            .setCurrentRevision2060(3)
            .setExpectedRevision2060(0)
            .setCurrentRevision('3')
            .setExpectedRevision('0'),
      ],
      [
        { current: 'no_stream', expected: 'stream_exists' },
        (c: InstanceType<typeof AppendResp.WrongExpectedVersion>) =>
          c
            .setNoStream2060(new Empty())
            .setStreamExists2060(new Empty())
            .setCurrentNoStream(new Empty())
            .setExpectedStreamExists(new Empty()),
      ],
      [
        { current: 1, expected: 'any' },
        (c: InstanceType<typeof AppendResp.WrongExpectedVersion>) =>
          c
            .setCurrentRevision2060(1)
            .setAny2060(new Empty())
            .setCurrentRevision('1')
            .setExpectedAny(new Empty()),
      ],
    ] as const;
    for (const [wrongExpectedVersion, set] of conflicts) {
      const expected = new AppendResp().setWrongExpectedVersion(set(new AppendResp.WrongExpectedVersion()));
      expect(encodeAppendResp({ wrongExpectedVersion })).toEqual(bytesOf(expected));
    }
    // An expected no_stream is ulong.MaxValue in the old form, which a JS number cannot hold exactly.
    const noStream = encodeAppendResp({ wrongExpectedVersion: { current: 0, expected: 'no_stream' } });
    expect(noStream.toString('hex')).toBe(
      // field 2 (length 17): 1 = 0, 3 = 2^64 - 1 (ten varint bytes), 6 = 0, 11 = empty
      '1211' + '0800' + '18ffffffffffffffffff01' + '3000' + '5a00',
    );
  });
});

describe('ReadResp encoders', () => {
  it('encode confirmation, checkpoint, caught-up and stream-not-found as google-protobuf does', () => {
    const id = randomUUID();
    expect(encodeSubscriptionConfirmation(id)).toEqual(
      bytesOf(new ReadResp().setConfirmation(new ReadResp.SubscriptionConfirmation().setSubscriptionId(id))),
    );
    for (const position of [0, 16, 2 ** 40]) {
      const checkpoint = new ReadResp.Checkpoint()
        .setCommitPosition(String(position))
        .setPreparePosition(String(position));
      expect(encodeCheckpoint(position)).toEqual(bytesOf(new ReadResp().setCheckpoint(checkpoint)));
    }
    expect(encodeCaughtUp()).toEqual(bytesOf(new ReadResp().setCaughtUp(new ReadResp.CaughtUp())));
    expect(encodeStreamNotFound('missing-é')).toEqual(
      bytesOf(
        new ReadResp().setStreamNotFound(
          new ReadResp.StreamNotFound().setStreamIdentifier(identifier('missing-é')),
        ),
      ),
    );
  });
});

describe('uuidText', () => {
  it('gives a string UUID back as sent', () => {
    const id = randomUUID();
    expect(uuidText({ string: id })).toBe(id);
  });

  it('writes a structured UUID as the client reads it back, halves negative or not', () => {
    for (const id of [
      randomUUID(),
      'ffffffff-ffff-4fff-bfff-ffffffffffff',
      '00000000-0000-4000-8000-000000000000',
    ]) {
      const hex = id.replaceAll('-', '');
      const structured = structuredUuid(
        BigInt.asIntN(64, BigInt(`0x${hex.slice(0, 16)}`)).toString(),
        BigInt.asIntN(64, BigInt(`0x${hex.slice(16)}`)).toString(),
      );
      const decoded = decodeBatchAppendReq(
        bytesOf(new BatchAppendReq().setProposedMessagesList([proposed({ id: structured })])),
      ).proposedMessages[0]!.id!;
      expect(uuidText(decoded)).toBe(id);
      expect(uuidText(decoded)).toBe(parseUUID(structured));
    }
  });
});
