import { type StoredEvent, FLAG_TOMBSTONE } from '../storage/index.js';

/**
 * Encodes `ReadResp { event: ReadEvent { event: RecordedEvent, commit_position } }` straight from a
 * stored record, byte for byte what the generated `serializeBinary` produces, without building
 * google-protobuf objects: reads and subscriptions spend most of their time here.
 *
 * Field numbers (streams.proto): ReadResp.event = 1; ReadEvent.event = 1, commit_position = 3;
 * RecordedEvent.id = 1 (UUID.string = 2), stream_identifier = 2 (stream_name = 3), stream_revision = 3,
 * prepare_position = 4, commit_position = 5, metadata = 6 (map<string, string>), custom_metadata = 7,
 * data = 8.
 */
export function encodeReadEvent(event: StoredEvent): Buffer {
  const record = event.buffer;
  const streamLength = record.readUInt16LE(10);
  const typeLength = record.readUInt16LE(12);
  const contentTypeLength = record.readUInt16LE(14);
  const dataLength = record.readUInt32LE(16);
  const metadataLength = record.readUInt32LE(20);
  const tombstone = (record[8]! & FLAG_TOMBSTONE) !== 0;
  const revision = tombstone ? TOMBSTONE_REVISION : BigInt(record.readDoubleLE(24));
  // created: .NET ticks (100 ns) since the Unix epoch, as a decimal string.
  const created = String(BigInt(Math.round(record.readDoubleLE(32))) * 10000n);
  const streamStart = 56;
  const typeStart = streamStart + streamLength;
  const contentTypeStart = typeStart + typeLength;
  const dataStart = contentTypeStart + contentTypeLength;
  const metadataStart = dataStart + dataLength;
  const position = event.position;

  const uuidLength = 2 + 36;
  const streamIdLength = 1 + varintSize(streamLength) + streamLength;
  const typeEntry = 2 + 4 + 2 + typeLength; // key "type", value
  const typeEntryLength = typeEntry + varintSize(typeLength) - 1;
  const contentEntryLength = 2 + 12 + 1 + varintSize(contentTypeLength) + contentTypeLength;
  const createdEntryLength = 2 + 7 + 2 + created.length;
  const recorded =
    1 +
    varintSize(uuidLength) +
    uuidLength +
    1 +
    varintSize(streamIdLength) +
    streamIdLength +
    (revision === 0n ? 0 : 1 + bigVarintSize(revision)) +
    2 * (1 + varintSize(position)) +
    1 +
    varintSize(typeEntryLength) +
    typeEntryLength +
    1 +
    varintSize(contentEntryLength) +
    contentEntryLength +
    1 +
    varintSize(createdEntryLength) +
    createdEntryLength +
    (metadataLength > 0 ? 1 + varintSize(metadataLength) + metadataLength : 0) +
    (dataLength > 0 ? 1 + varintSize(dataLength) + dataLength : 0);
  const readEvent = 1 + varintSize(recorded) + recorded + 1 + varintSize(position);
  const total = 1 + varintSize(readEvent) + readEvent;

  const out = Buffer.allocUnsafe(total);
  let at = 0;
  const tag = (field: number, wireType: number): void => {
    out[at++] = (field << 3) | wireType;
  };
  const varint = (value: number): void => {
    let rest = value;
    while (rest >= 0x80) {
      out[at++] = (rest % 0x80) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    out[at++] = rest;
  };
  const bigVarint = (value: bigint): void => {
    let rest = value;
    while (rest >= 0x80n) {
      out[at++] = Number(rest & 0x7fn) | 0x80;
      rest >>= 7n;
    }
    out[at++] = Number(rest);
  };
  const ascii = (text: string): void => {
    at += out.write(text, at, 'latin1');
  };
  const copy = (start: number, length: number): void => {
    record.copy(out, at, start, start + length);
    at += length;
  };
  const mapEntry = (length: number, key: string, valueStart: number, valueLength: number): void => {
    tag(6, 2);
    varint(length);
    tag(1, 2);
    varint(key.length);
    ascii(key);
    tag(2, 2);
    varint(valueLength);
    copy(valueStart, valueLength);
  };

  tag(1, 2);
  varint(readEvent);
  tag(1, 2);
  varint(recorded);
  tag(1, 2);
  varint(uuidLength);
  tag(2, 2);
  varint(36);
  ascii(uuidString(record));
  tag(2, 2);
  varint(streamIdLength);
  tag(3, 2);
  varint(streamLength);
  copy(streamStart, streamLength);
  if (revision !== 0n) {
    tag(3, 0);
    bigVarint(revision);
  }
  tag(4, 0);
  varint(position);
  tag(5, 0);
  varint(position);
  mapEntry(typeEntryLength, 'type', typeStart, typeLength);
  mapEntry(contentEntryLength, 'content-type', contentTypeStart, contentTypeLength);
  tag(6, 2);
  varint(createdEntryLength);
  tag(1, 2);
  varint(7);
  ascii('created');
  tag(2, 2);
  varint(created.length);
  ascii(created);
  if (metadataLength > 0) {
    tag(7, 2);
    varint(metadataLength);
    copy(metadataStart, metadataLength);
  }
  if (dataLength > 0) {
    tag(8, 2);
    varint(dataLength);
    copy(dataStart, dataLength);
  }
  tag(3, 0);
  varint(position);
  return out;
}

/** EventStoreDB gives a tombstone the revision long.MaxValue. */
const TOMBSTONE_REVISION = 9223372036854775807n;

function varintSize(value: number): number {
  let size = 1;
  let rest = value;
  while (rest >= 0x80) {
    rest = Math.floor(rest / 0x80);
    size += 1;
  }
  return size;
}

function bigVarintSize(value: bigint): number {
  let size = 1;
  let rest = value;
  while (rest >= 0x80n) {
    rest >>= 7n;
    size += 1;
  }
  return size;
}

function uuidString(record: Buffer): string {
  const hex = record.toString('hex', 40, 56);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
