import { randomUUID } from 'node:crypto';
import { parseUUID } from '@eventstore/db-client/dist/utils/grpcUUID.js';
import sharedPb from '@eventstore/db-client/generated/shared_pb.js';

import { FLAG_TOMBSTONE, encodeRecords, uuidToBytes } from '../storage/record.js';
import { encodeReadEvent, type UuidForm } from './encode-event.js';
import { ReadResp } from './protocol.js';

/** What the client's own classes make of an encoded event. */
function decoded(options: {
  stream?: string;
  revision?: number;
  created?: number;
  data?: Buffer;
  metadata?: Buffer;
  flags?: number;
  position?: number;
  id?: string;
  uuid?: UuidForm;
}) {
  const id = options.id ?? randomUUID();
  const buffer = encodeRecords([
    {
      id: uuidToBytes(id)!,
      stream: options.stream ?? 'orders-é',
      revision: options.revision ?? 41,
      type: 'OrderPlaced',
      contentType: 'application/json',
      created: options.created ?? 1_700_000_000_123,
      data: options.data ?? Buffer.from('{"total":12}'),
      metadata: options.metadata ?? Buffer.alloc(0),
      flags: options.flags ?? 0,
    },
  ]);
  const position = options.position ?? 4242;
  const encoded = encodeReadEvent({ seq: 0, position, buffer }, options.uuid ?? 'string');
  const response = ReadResp.deserializeBinary(encoded);
  return { id, position, encoded, event: response.getEvent()!, recorded: response.getEvent()!.getEvent()! };
}

describe('encodeReadEvent', () => {
  it('encodes every field the client reads', () => {
    const { id, event, recorded } = decoded({ metadata: Buffer.from([1, 2, 3]) });
    expect(recorded.getId()!.getString()).toBe(id);
    expect(Buffer.from(recorded.getStreamIdentifier()!.getStreamName_asU8()).toString()).toBe('orders-é');
    expect(recorded.getStreamRevision()).toBe('41');
    expect(recorded.getPreparePosition()).toBe('4242');
    expect(recorded.getCommitPosition()).toBe('4242');
    expect(event.getCommitPosition()).toBe('4242');
    expect(Object.fromEntries(recorded.getMetadataMap().entries())).toEqual({
      type: 'OrderPlaced',
      'content-type': 'application/json',
      created: '17000000001230000',
    });
    expect(Buffer.from(recorded.getData_asU8()).toString()).toBe('{"total":12}');
    expect([...recorded.getCustomMetadata_asU8()]).toEqual([1, 2, 3]);
  });

  // EventStoreDB answers a read that does not ask for ids as text (`uuid_option.string`) with
  // structured ones: two int64 halves of the canonical bytes, as its Uuid.ToDto makes them.
  it.each([
    { case: 'a random id', id: randomUUID(), version4: true },
    { case: 'both halves with the sign bit set', id: 'ffffffff-ffff-4fff-bfff-ffffffffffff', version4: true },
    // Not a version-4 id, which the client's parser refuses, but an id all the same.
    {
      case: 'a zero half, left out as protobuf does',
      id: '00000000-0000-0000-7fff-ffffffffffff',
      version4: false,
    },
  ])('encodes a structured id as the client parses it and protobuf encodes it: $case', ({ id, version4 }) => {
    const { recorded, encoded } = decoded({ id, uuid: 'structured' });
    expect(recorded.getId()!.hasStructured()).toBe(true);
    if (version4) expect(parseUUID(recorded.getId())).toBe(id);
    // Byte for byte what google-protobuf makes of the same halves, signed as int64 fields are.
    const hex = id.replace(/-/g, '');
    const signed = (half: string): string => BigInt.asIntN(64, BigInt(`0x${half}`)).toString();
    const expected = new sharedPb.UUID()
      .setStructured(
        new sharedPb.UUID.Structured()
          .setMostSignificantBits(signed(hex.slice(0, 16)))
          .setLeastSignificantBits(signed(hex.slice(16))),
      )
      .serializeBinary();
    expect(Buffer.from(encoded).includes(Buffer.from([0x0a, expected.length, ...expected]))).toBe(true);
  });

  it('gives a tombstone the revision long.MaxValue', () => {
    expect(decoded({ flags: FLAG_TOMBSTONE }).recorded.getStreamRevision()).toBe('9223372036854775807');
  });

  it('handles revision 0, the epoch, no data and positions beyond 32 bits', () => {
    const { recorded, event } = decoded({
      revision: 0,
      created: 0,
      data: Buffer.alloc(0),
      position: 2 ** 45,
    });
    expect(recorded.getStreamRevision()).toBe('0');
    expect(recorded.getMetadataMap().get('created')).toBe('0');
    expect(recorded.getData_asU8()).toHaveLength(0);
    expect(event.getCommitPosition()).toBe(String(2 ** 45));
  });

  it('copies long names and large data intact (multi-byte lengths)', () => {
    const data = Buffer.alloc(70_000, 0x61);
    const stream = 's'.repeat(300);
    const { recorded } = decoded({ stream, data, revision: 2 ** 40 });
    expect(Buffer.compare(Buffer.from(recorded.getData_asU8()), data)).toBe(0);
    expect(Buffer.from(recorded.getStreamIdentifier()!.getStreamName_asU8()).toString()).toBe(stream);
    expect(recorded.getStreamRevision()).toBe(String(2 ** 40));
  });
});
