import { type LogRecord, FLAG_TOMBSTONE } from '../storage/index.js';
import { varintSize, WireWriter } from './wire.js';

/**
 * How a read sends event ids, as its request's `uuid_option` asks: `string` (the canonical text, what
 * the 6.2.1 client asks for) or `structured` (two int64 halves, EventStoreDB's answer to any request
 * that does not ask for `string`, as its `ConvertToRecordedEvent` does).
 */
export type UuidForm = 'string' | 'structured';

/** Where a stored record's fields sit, and the size of the RecordedEvent message made of it. */
interface RecordedLayout {
  readonly event: LogRecord;
  /** The encoded `UUID { structured }` message, or undefined for `UUID { string }`, written in place. */
  readonly structuredId: Buffer | undefined;
  /** Bytes of the UUID message (without its tag and length). */
  readonly idLength: number;
  readonly streamLength: number;
  readonly typeLength: number;
  readonly contentTypeLength: number;
  readonly dataLength: number;
  readonly metadataLength: number;
  readonly tombstone: boolean;
  readonly revision: number;
  readonly revisionSize: number;
  readonly created: string;
  readonly streamIdLength: number;
  readonly typeEntryLength: number;
  readonly contentEntryLength: number;
  readonly createdEntryLength: number;
  /** Bytes of the RecordedEvent message itself (without its tag and length). */
  readonly size: number;
}

/**
 * Encodes `ReadResp { event: ReadEvent { event: RecordedEvent, commit_position } }` straight from a
 * stored record into a buffer of the exact size, without building google-protobuf objects: reads and
 * subscriptions spend most of their time here. Short runs of bytes are copied in JavaScript and the
 * id is hex-encoded in place, because each call into Buffer's native copy or string code costs more
 * than the few bytes it moves.
 *
 * Field numbers (streams.proto): ReadResp.event = 1; ReadEvent.event = 1, link = 2,
 * commit_position = 3; RecordedEvent.id = 1 (UUID.structured = 1, UUID.string = 2), stream_identifier = 2
 * (stream_name = 3), stream_revision = 3, prepare_position = 4, commit_position = 5,
 * metadata = 6 (map<string, string>), custom_metadata = 7, data = 8.
 */
export function encodeReadEvent(event: LogRecord, uuid: UuidForm): Buffer {
  return encodeResolved(layoutOf(event, uuid), undefined, event.position);
}

/**
 * A `$>` link read with `resolve_links`, as EventStoreDB sends it: the event it points to in `event`,
 * the link record itself in `link`, each with its own positions, and the link's position as the
 * read event's `commit_position`. A link whose target cannot be read (deleted, truncated, expired)
 * comes back as the link alone (`target` undefined).
 */
export function encodeResolvedLink(link: LogRecord, target: LogRecord | undefined, uuid: UuidForm): Buffer {
  return encodeResolved(target && layoutOf(target, uuid), layoutOf(link, uuid), link.position);
}

function encodeResolved(
  event: RecordedLayout | undefined,
  link: RecordedLayout | undefined,
  position: number,
): Buffer {
  const readEvent =
    (event ? 1 + varintSize(event.size) + event.size : 0) +
    (link ? 1 + varintSize(link.size) + link.size : 0) +
    1 +
    varintSize(position);
  const out = Buffer.allocUnsafe(1 + varintSize(readEvent) + readEvent);
  let at = 0;
  out[at++] = tag(1, LENGTH_DELIMITED);
  at = putVarint(out, at, readEvent);
  if (event) {
    out[at++] = tag(1, LENGTH_DELIMITED);
    at = writeRecorded(out, at, event);
  }
  if (link) {
    out[at++] = tag(2, LENGTH_DELIMITED);
    at = writeRecorded(out, at, link);
  }
  out[at++] = tag(3, VARINT);
  putVarint(out, at, position);
  return out;
}

function layoutOf(event: LogRecord, uuid: UuidForm): RecordedLayout {
  const record = event.buffer;
  const structuredId = uuid === 'structured' ? structuredIdMessage(record) : undefined;
  const idLength = structuredId ? structuredId.length : UUID_MESSAGE_LENGTH;
  const streamLength = record.readUInt16LE(10);
  const typeLength = record.readUInt16LE(12);
  const contentTypeLength = record.readUInt16LE(14);
  const dataLength = record.readUInt32LE(16);
  const metadataLength = record.readUInt32LE(20);
  const tombstone = (record[8]! & FLAG_TOMBSTONE) !== 0;
  const revision = record.readDoubleLE(24);
  // created: .NET ticks (100 ns) since the Unix epoch, as a decimal string (ms × 10,000).
  const createdMs = Math.round(record.readDoubleLE(32));
  const created = createdMs === 0 ? '0' : `${createdMs}0000`;
  const position = event.position;

  const streamIdLength = 1 + varintSize(streamLength) + streamLength;
  const typeEntryLength = TYPE_KEY.length + varintSize(typeLength) + typeLength;
  const contentEntryLength = CONTENT_TYPE_KEY.length + varintSize(contentTypeLength) + contentTypeLength;
  const createdEntryLength = CREATED_KEY.length + 1 + created.length;
  const revisionSize = tombstone ? TOMBSTONE_REVISION.length : revision === 0 ? 0 : varintSize(revision);
  const size =
    1 +
    varintSize(idLength) +
    idLength +
    1 +
    varintSize(streamIdLength) +
    streamIdLength +
    (revisionSize === 0 ? 0 : 1 + revisionSize) +
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
  return {
    event,
    structuredId,
    idLength,
    streamLength,
    typeLength,
    contentTypeLength,
    dataLength,
    metadataLength,
    tombstone,
    revision,
    revisionSize,
    created,
    streamIdLength,
    typeEntryLength,
    contentEntryLength,
    createdEntryLength,
    size,
  };
}

/** Writes the RecordedEvent's length and body at `at`; returns the offset after it. */
function writeRecorded(out: Buffer, start: number, layout: RecordedLayout): number {
  const { event, streamLength, typeLength, contentTypeLength, dataLength, metadataLength } = layout;
  const record = event.buffer;
  const position = event.position;
  const streamStart = 56;
  const typeStart = streamStart + streamLength;
  const contentTypeStart = typeStart + typeLength;
  const dataStart = contentTypeStart + contentTypeLength;
  const metadataStart = dataStart + dataLength;
  let at = putVarint(out, start, layout.size);
  out[at++] = tag(1, LENGTH_DELIMITED);
  at = putVarint(out, at, layout.idLength);
  if (layout.structuredId) {
    at = putBytes(out, at, layout.structuredId, 0, layout.structuredId.length);
  } else {
    out[at++] = tag(2, LENGTH_DELIMITED);
    out[at++] = UUID_STRING_LENGTH;
    at = putUuidString(out, at, record);
  }
  out[at++] = tag(2, LENGTH_DELIMITED);
  at = putVarint(out, at, layout.streamIdLength);
  out[at++] = tag(3, LENGTH_DELIMITED);
  at = putVarint(out, at, streamLength);
  at = putBytes(out, at, record, streamStart, streamLength);
  if (layout.revisionSize > 0) {
    out[at++] = tag(3, VARINT);
    at = layout.tombstone
      ? putBytes(out, at, TOMBSTONE_REVISION, 0, layout.revisionSize)
      : putVarint(out, at, layout.revision);
  }
  out[at++] = tag(4, VARINT);
  at = putVarint(out, at, position);
  out[at++] = tag(5, VARINT);
  at = putVarint(out, at, position);
  out[at++] = tag(6, LENGTH_DELIMITED);
  at = putVarint(out, at, layout.typeEntryLength);
  at = putBytes(out, at, TYPE_KEY, 0, TYPE_KEY.length);
  at = putVarint(out, at, typeLength);
  at = putBytes(out, at, record, typeStart, typeLength);
  out[at++] = tag(6, LENGTH_DELIMITED);
  at = putVarint(out, at, layout.contentEntryLength);
  at = putBytes(out, at, CONTENT_TYPE_KEY, 0, CONTENT_TYPE_KEY.length);
  at = putVarint(out, at, contentTypeLength);
  at = putBytes(out, at, record, contentTypeStart, contentTypeLength);
  out[at++] = tag(6, LENGTH_DELIMITED);
  at = putVarint(out, at, layout.createdEntryLength);
  at = putBytes(out, at, CREATED_KEY, 0, CREATED_KEY.length);
  const created = layout.created;
  out[at++] = created.length;
  for (let index = 0; index < created.length; index += 1) out[at++] = created.charCodeAt(index);
  if (metadataLength > 0) {
    out[at++] = tag(7, LENGTH_DELIMITED);
    at = putVarint(out, at, metadataLength);
    at = putBytes(out, at, record, metadataStart, metadataLength);
  }
  if (dataLength > 0) {
    out[at++] = tag(8, LENGTH_DELIMITED);
    at = putVarint(out, at, dataLength);
    at = putBytes(out, at, record, dataStart, dataLength);
  }
  return at;
}

const VARINT = 0;
const LENGTH_DELIMITED = 2;
const tag = (field: number, wireType: number): number => (field << 3) | wireType;

/** UUID { string = 2 } in the canonical 8-4-4-4-12 form. */
const UUID_STRING_LENGTH = 36;
const UUID_MESSAGE_LENGTH = 2 + UUID_STRING_LENGTH;
const ascii = (text: string): Buffer => Buffer.from(text, 'latin1');
/** A map entry's key field and the tag of its value field: `key = 1 (string), value = 2`. */
const mapKey = (key: string): Buffer =>
  Buffer.concat([
    Buffer.from([tag(1, LENGTH_DELIMITED), key.length]),
    ascii(key),
    Buffer.from([tag(2, LENGTH_DELIMITED)]),
  ]);
const TYPE_KEY = mapKey('type');
const CONTENT_TYPE_KEY = mapKey('content-type');
const CREATED_KEY = mapKey('created');
/** EventStoreDB gives a tombstone the revision long.MaxValue, beyond a double's exact integers. */
const TOMBSTONE_REVISION = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]);
const HEX = ascii('0123456789abcdef');
/** Below this, a JavaScript loop copies faster than a call into native code. */
const NATIVE_COPY_FROM = 64;

function putVarint(out: Buffer, at: number, value: number): number {
  let next = at;
  let rest = value;
  while (rest > 0x7fffffff) {
    out[next++] = (rest % 0x80) | 0x80;
    rest = Math.floor(rest / 0x80);
  }
  // Below 2^31 the bit operators are exact, and much cheaper than division.
  while (rest >= 0x80) {
    out[next++] = (rest & 0x7f) | 0x80;
    rest >>>= 7;
  }
  out[next++] = rest;
  return next;
}

function putBytes(out: Buffer, at: number, source: Uint8Array, start: number, length: number): number {
  if (length >= NATIVE_COPY_FROM) {
    out.set(source.subarray(start, start + length), at);
    return at + length;
  }
  for (let index = 0; index < length; index += 1) out[at + index] = source[start + index]!;
  return at + length;
}

/** The record's 16 id bytes (at 40) as a lower-case UUID string. */
function putUuidString(out: Buffer, at: number, record: Buffer): number {
  let next = at;
  for (let index = 0; index < 16; index += 1) {
    if (index === 4 || index === 6 || index === 8 || index === 10) out[next++] = 0x2d; // '-'
    const byte = record[40 + index]!;
    out[next++] = HEX[byte >> 4]!;
    out[next++] = HEX[byte & 0x0f]!;
  }
  return next;
}

/** Reused for every structured id: encoding is synchronous, and `finish` copies out and resets it. */
const structuredIdWriter = new WireWriter();

/**
 * `UUID { structured { most_significant_bits = 1, least_significant_bits = 2 } }` for the record's
 * id: the canonical byte order's two 8-byte halves as int64s, as EventStoreDB's `Uuid.ToDto` and the
 * clients' own parsers read them (a negative half goes out as its 64-bit two's complement, the
 * unsigned value read here); a zero half is left out, as protobuf leaves out a default.
 */
function structuredIdMessage(record: Buffer): Buffer {
  const writer = structuredIdWriter;
  const start = writer.begin(1);
  const mostSignificant = record.readBigUInt64BE(40);
  const leastSignificant = record.readBigUInt64BE(48);
  if (mostSignificant !== 0n) writer.uint64(1, mostSignificant);
  if (leastSignificant !== 0n) writer.uint64(2, leastSignificant);
  writer.end(start);
  return writer.finish();
}
