import { randomUUID } from 'node:crypto';

import { FLAG_TOMBSTONE, encodeRecords, uuidToBytes } from '../storage/record.js';
import { encodeReadEvent } from './encode-event.js';
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
}) {
  const id = randomUUID();
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
  const response = ReadResp.deserializeBinary(encodeReadEvent({ seq: 0, position, buffer }));
  return { id, position, event: response.getEvent()!, recorded: response.getEvent()!.getEvent()! };
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
