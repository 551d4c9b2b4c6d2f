import { WireReader, WireWriter } from './wire.js';

/**
 * Hand-written codecs for the Streams messages on the hot paths (BatchAppend, Append, Read
 * responses), so that the handlers work on plain objects instead of google-protobuf messages. Field
 * numbers are those of the client's `generated/streams_pb.js` / `shared_pb.js` (EventStoreDB's
 * streams.proto and shared.proto); google-protobuf's rules are kept where the client can tell: in a
 * oneof the last field on the wire wins, an embedded message sent twice replaces (does not merge
 * with) the first, and scalars outside a oneof are left out when zero or empty.
 */

const UuidField = { structured: 1, string: 2 } as const;
const StructuredUuidField = { mostSignificantBits: 1, leastSignificantBits: 2 } as const;
const StreamIdentifierField = { streamName: 3 } as const;
/** AllStreamPosition, AppendResp.Position and ReadResp.Checkpoint. */
const PositionField = { commitPosition: 1, preparePosition: 2 } as const;
/** google.protobuf.Timestamp and google.protobuf.Duration number their fields alike. */
const SecondsNanosField = { seconds: 1, nanos: 2 } as const;
const MapEntryField = { key: 1, value: 2 } as const;
const StatusField = { code: 1, message: 2, details: 3 } as const;
const AnyField = { typeUrl: 1, value: 2 } as const;

const BatchAppendReqField = { correlationId: 1, options: 2, proposedMessages: 3, isFinal: 4 } as const;
/**
 * BatchAppendReq.Options and AppendReq.Options number their common fields alike (the expected
 * position is `stream_position` in one and `revision` in the other); only BatchAppend has a deadline:
 * a Timestamp (`deadline_21_10_0`, what the 6.2.1 client sends) or, since EventStoreDB 21.10, a
 * Duration (`deadline`, what clients send to a server listing BatchAppend's `deadline_duration`).
 * The server's proto has both; the client's generated code knows only the first, as `deadline`.
 */
const AppendOptionsField = {
  streamIdentifier: 1,
  streamPosition: 2,
  noStream: 3,
  any: 4,
  streamExists: 5,
  deadlineTimestamp: 6,
  deadlineDuration: 7,
} as const;
/** BatchAppendReq.ProposedMessage and AppendReq.ProposedMessage are numbered alike. */
const ProposedMessageField = { id: 1, metadata: 2, customMetadata: 3, data: 4 } as const;
const AppendReqField = { options: 1, proposedMessage: 2 } as const;

const BatchAppendRespField = {
  correlationId: 1,
  error: 2,
  success: 3,
  streamIdentifier: 4,
  streamPosition: 5,
  noStream: 6,
  any: 7,
  streamExists: 8,
} as const;
/** BatchAppendResp.Success and AppendResp.Success are numbered alike. */
const SuccessField = { currentRevision: 1, noStream: 2, position: 3, noPosition: 4 } as const;
const AppendRespField = { success: 1, wrongExpectedVersion: 2 } as const;
/**
 * AppendResp.WrongExpectedVersion's pre-20.6 forms, which the 6.x client ignores but EventStoreDB still
 * fills beside the others (Streams.Append.cs), for clients that read them.
 */
const AppendWrongExpectedVersion2060Field = {
  currentRevision: 1,
  noStream: 2,
  expectedRevision: 3,
  any: 4,
  streamExists: 5,
} as const;
/** EventStoreDB's pre-20.6 form of an expected no_stream: the largest uint64, as `ulong.MaxValue`. */
const EXPECTED_NO_STREAM_2060 = 2n ** 64n - 1n;
/** AppendResp.WrongExpectedVersion's current forms. */
const AppendWrongExpectedVersionField = {
  currentRevision: 6,
  currentNoStream: 7,
  expectedRevision: 8,
  expectedAny: 9,
  expectedStreamExists: 10,
  expectedNoStream: 11,
} as const;
/** event_store.client.WrongExpectedVersion, the details of a BatchAppend conflict. */
const WrongExpectedVersionField = {
  currentStreamRevision: 1,
  currentNoStream: 2,
  expectedStreamPosition: 3,
  expectedAny: 4,
  expectedStreamExists: 5,
  expectedNoStream: 6,
} as const;
const StreamDeletedField = { streamIdentifier: 1 } as const;
const MaximumAppendSizeExceededField = { maxAppendSize: 1 } as const;
const BadRequestField = { message: 1 } as const;

/** ReadResp's `event` (1) is written by `encodeReadEvent`. */
const ReadRespField = { confirmation: 2, checkpoint: 3, streamNotFound: 4, caughtUp: 8 } as const;
const SubscriptionConfirmationField = { subscriptionId: 1 } as const;
const StreamNotFoundField = { streamIdentifier: 1 } as const;

/** event_store.client.UUID: one of its two forms. */
export type Uuid =
  | { readonly string: string; readonly structured?: undefined }
  | { readonly structured: StructuredUuid; readonly string?: undefined };

export interface StructuredUuid {
  readonly mostSignificantBits: bigint;
  readonly leastSignificantBits: bigint;
}

/**
 * A UUID's canonical text whichever form it came in. The structured form is Java's pair of signed
 * 64-bit halves, most significant first, as the client's own `parseUUID` reads it.
 */
export function uuidText(uuid: Uuid): string {
  if (!uuid.structured) return uuid.string;
  const half = (bits: bigint): string => BigInt.asUintN(64, bits).toString(16).padStart(16, '0');
  const hex = half(uuid.structured.mostSignificantBits) + half(uuid.structured.leastSignificantBits);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export interface CorrelationId {
  readonly uuid: Uuid;
  /** The UUID message as received: replies carry these bytes, so the client finds the id it sent. */
  readonly encoded: Uint8Array;
}

/** An expected stream state; a revision is a uint64, kept exact so that a reply can echo it. */
export type ExpectedStreamPosition = 'any' | 'no_stream' | 'stream_exists' | bigint;

export interface AppendOptions {
  /** StreamIdentifier.stream_name, UTF-8; empty when the identifier is missing. */
  readonly stream: string;
  /** Undefined when the client left the oneof unset. */
  readonly expected: ExpectedStreamPosition | undefined;
  /**
   * In ms since the Unix epoch (BatchAppend only): the Timestamp sent, or the Duration sent added to
   * the time it was decoded, as EventStoreDB adds it to the time the options arrive.
   */
  readonly deadline: number | undefined;
}

export interface ProposedMessage {
  /** Undefined when the message has no id. */
  readonly id: Uuid | undefined;
  /** The metadata map's `type` and `content-type`, the only keys the server reads. */
  readonly type: string | undefined;
  readonly contentType: string | undefined;
  readonly customMetadata: Uint8Array;
  readonly data: Uint8Array;
}

export interface BatchAppendRequest {
  readonly correlationId: CorrelationId | undefined;
  readonly options: AppendOptions | undefined;
  readonly proposedMessages: readonly ProposedMessage[];
  readonly isFinal: boolean;
}

export interface AppendRequest {
  readonly options: AppendOptions | undefined;
  readonly proposedMessage: ProposedMessage | undefined;
}

export interface AppendSuccess {
  readonly revision: number | 'no_stream';
  /** The log position (commit = prepare); undefined for an append that wrote nothing. */
  readonly position: number | undefined;
}

export interface WrongExpectedVersion {
  readonly current: number | 'no_stream';
  readonly expected: 'any' | 'no_stream' | 'stream_exists' | bigint;
}

/** google.protobuf.Any */
export interface PackedAny {
  readonly typeUrl: string;
  readonly value: Uint8Array;
}

/** google.rpc.Status */
export interface RpcStatus {
  readonly code: number;
  readonly message: string;
  readonly details: PackedAny;
}

export interface BatchAppendResponse {
  /** The request's `CorrelationId.encoded`. */
  readonly correlationId: Uint8Array;
  readonly stream: string;
  /** The request's expected state, echoed. */
  readonly expected: ExpectedStreamPosition;
  readonly result: { readonly success: AppendSuccess } | { readonly error: RpcStatus };
}

export type AppendResponse =
  { readonly success: AppendSuccess } | { readonly wrongExpectedVersion: WrongExpectedVersion };

const EMPTY = new Uint8Array(0);

const fieldOf = (tag: number): number => tag >>> 3;
const wireTypeOf = (tag: number): number => tag & 7;

function decodeUuid(reader: WireReader): Uuid {
  let uuid: Uuid = { string: '' };
  while (!reader.done) {
    const tag = reader.tag();
    switch (fieldOf(tag)) {
      case UuidField.structured:
        uuid = { structured: decodeStructuredUuid(reader.message()) };
        break;
      case UuidField.string:
        uuid = { string: reader.string() };
        break;
      default:
        reader.skip(wireTypeOf(tag));
    }
  }
  return uuid;
}

function decodeStructuredUuid(reader: WireReader): StructuredUuid {
  let mostSignificantBits = 0n;
  let leastSignificantBits = 0n;
  while (!reader.done) {
    const tag = reader.tag();
    switch (fieldOf(tag)) {
      case StructuredUuidField.mostSignificantBits:
        mostSignificantBits = reader.int64();
        break;
      case StructuredUuidField.leastSignificantBits:
        leastSignificantBits = reader.int64();
        break;
      default:
        reader.skip(wireTypeOf(tag));
    }
  }
  return { mostSignificantBits, leastSignificantBits };
}

function decodeStreamName(reader: WireReader): string {
  let name = '';
  while (!reader.done) {
    const tag = reader.tag();
    if (fieldOf(tag) === StreamIdentifierField.streamName) name = reader.string();
    else reader.skip(wireTypeOf(tag));
  }
  return name;
}

/** A Timestamp since the Unix epoch, or a Duration, in ms. */
function decodeSecondsNanosMillis(reader: WireReader): number {
  let seconds = 0;
  let nanos = 0;
  while (!reader.done) {
    const tag = reader.tag();
    switch (fieldOf(tag)) {
      case SecondsNanosField.seconds:
        seconds = reader.int64Number();
        break;
      case SecondsNanosField.nanos:
        nanos = reader.uint32() | 0;
        break;
      default:
        reader.skip(wireTypeOf(tag));
    }
  }
  return seconds * 1000 + Math.floor(nanos / 1e6);
}

function decodeAppendOptions(reader: WireReader): AppendOptions {
  let stream = '';
  let expected: ExpectedStreamPosition | undefined;
  let deadline: number | undefined;
  while (!reader.done) {
    const tag = reader.tag();
    switch (fieldOf(tag)) {
      case AppendOptionsField.streamIdentifier:
        stream = decodeStreamName(reader.message());
        break;
      case AppendOptionsField.streamPosition:
        expected = reader.uint64();
        break;
      case AppendOptionsField.noStream:
        reader.skip(wireTypeOf(tag));
        expected = 'no_stream';
        break;
      case AppendOptionsField.any:
        reader.skip(wireTypeOf(tag));
        expected = 'any';
        break;
      case AppendOptionsField.streamExists:
        reader.skip(wireTypeOf(tag));
        expected = 'stream_exists';
        break;
      case AppendOptionsField.deadlineTimestamp:
        deadline = decodeSecondsNanosMillis(reader.message());
        break;
      case AppendOptionsField.deadlineDuration:
        deadline = Date.now() + decodeSecondsNanosMillis(reader.message());
        break;
      default:
        reader.skip(wireTypeOf(tag));
    }
  }
  return { stream, expected, deadline };
}

function decodeProposedMessage(reader: WireReader): ProposedMessage {
  let id: Uuid | undefined;
  let type: string | undefined;
  let contentType: string | undefined;
  let customMetadata: Uint8Array = EMPTY;
  let data: Uint8Array = EMPTY;
  while (!reader.done) {
    const tag = reader.tag();
    switch (fieldOf(tag)) {
      case ProposedMessageField.id:
        id = decodeUuid(reader.message());
        break;
      case ProposedMessageField.metadata: {
        const [key, value] = decodeMapEntry(reader.message());
        if (key === 'type') type = value;
        else if (key === 'content-type') contentType = value;
        break;
      }
      case ProposedMessageField.customMetadata:
        customMetadata = reader.bytes();
        break;
      case ProposedMessageField.data:
        data = reader.bytes();
        break;
      default:
        reader.skip(wireTypeOf(tag));
    }
  }
  return { id, type, contentType, customMetadata, data };
}

/** An entry of a map<string, string>; a missing key or value is the empty string. */
function decodeMapEntry(reader: WireReader): [string, string] {
  let key = '';
  let value = '';
  while (!reader.done) {
    const tag = reader.tag();
    switch (fieldOf(tag)) {
      case MapEntryField.key:
        key = reader.string();
        break;
      case MapEntryField.value:
        value = reader.string();
        break;
      default:
        reader.skip(wireTypeOf(tag));
    }
  }
  return [key, value];
}

export function decodeBatchAppendReq(bytes: Uint8Array): BatchAppendRequest {
  const reader = new WireReader(bytes);
  let correlationId: CorrelationId | undefined;
  let options: AppendOptions | undefined;
  const proposedMessages: ProposedMessage[] = [];
  let isFinal = false;
  while (!reader.done) {
    const tag = reader.tag();
    switch (fieldOf(tag)) {
      case BatchAppendReqField.correlationId: {
        const encoded = reader.bytes();
        correlationId = { uuid: decodeUuid(new WireReader(encoded)), encoded };
        break;
      }
      case BatchAppendReqField.options:
        options = decodeAppendOptions(reader.message());
        break;
      case BatchAppendReqField.proposedMessages:
        proposedMessages.push(decodeProposedMessage(reader.message()));
        break;
      case BatchAppendReqField.isFinal:
        isFinal = reader.bool();
        break;
      default:
        reader.skip(wireTypeOf(tag));
    }
  }
  return { correlationId, options, proposedMessages, isFinal };
}

export function decodeAppendReq(bytes: Uint8Array): AppendRequest {
  const reader = new WireReader(bytes);
  let options: AppendOptions | undefined;
  let proposedMessage: ProposedMessage | undefined;
  while (!reader.done) {
    const tag = reader.tag();
    switch (fieldOf(tag)) {
      case AppendReqField.options:
        options = decodeAppendOptions(reader.message());
        proposedMessage = undefined;
        break;
      case AppendReqField.proposedMessage:
        proposedMessage = decodeProposedMessage(reader.message());
        options = undefined;
        break;
      default:
        reader.skip(wireTypeOf(tag));
    }
  }
  return { options, proposedMessage };
}

// Encoding runs synchronously from start to `finish`, so one writer serves every message.
const writer = new WireWriter();

function writeStreamIdentifier(field: number, stream: string): void {
  const start = writer.begin(field);
  if (stream !== '') writer.string(StreamIdentifierField.streamName, stream);
  writer.end(start);
}

function writePosition(field: number, position: number): void {
  const start = writer.begin(field);
  if (position !== 0) {
    writer.uint64(PositionField.commitPosition, position);
    writer.uint64(PositionField.preparePosition, position);
  }
  writer.end(start);
}

function writeSuccess(field: number, success: AppendSuccess): void {
  const start = writer.begin(field);
  if (success.revision === 'no_stream') writer.empty(SuccessField.noStream);
  else writer.uint64(SuccessField.currentRevision, success.revision);
  if (success.position === undefined) writer.empty(SuccessField.noPosition);
  else writePosition(SuccessField.position, success.position);
  writer.end(start);
}

function writeStatus(field: number, error: RpcStatus): void {
  const start = writer.begin(field);
  if (error.code !== 0) writer.uint64(StatusField.code, error.code);
  if (error.message !== '') writer.string(StatusField.message, error.message);
  const details = writer.begin(StatusField.details);
  if (error.details.typeUrl !== '') writer.string(AnyField.typeUrl, error.details.typeUrl);
  if (error.details.value.length > 0) writer.bytes(AnyField.value, error.details.value);
  writer.end(details);
  writer.end(start);
}

/**
 * The field numbers of a conflict's two oneofs (the current revision, the expected state) in either of
 * the messages that carry one: they differ only in how the revisions' fields are named and numbered.
 */
interface ConflictFields {
  readonly currentRevision: number;
  readonly currentNoStream: number;
  readonly expectedRevision: number;
  readonly expectedAny: number;
  readonly expectedStreamExists: number;
  readonly expectedNoStream: number;
}

const APPEND_CONFLICT_FIELDS: ConflictFields = AppendWrongExpectedVersionField;
const BATCH_CONFLICT_FIELDS: ConflictFields = {
  ...WrongExpectedVersionField,
  currentRevision: WrongExpectedVersionField.currentStreamRevision,
  expectedRevision: WrongExpectedVersionField.expectedStreamPosition,
};

function writeConflict(field: ConflictFields, { current, expected }: WrongExpectedVersion): void {
  if (current === 'no_stream') writer.empty(field.currentNoStream);
  else writer.uint64(field.currentRevision, current);
  if (expected === 'any') writer.empty(field.expectedAny);
  else if (expected === 'no_stream') writer.empty(field.expectedNoStream);
  else if (expected === 'stream_exists') writer.empty(field.expectedStreamExists);
  else writer.uint64(field.expectedRevision, expected);
}

export function encodeBatchAppendResp(response: BatchAppendResponse): Buffer {
  writer.bytes(BatchAppendRespField.correlationId, response.correlationId);
  if ('error' in response.result) writeStatus(BatchAppendRespField.error, response.result.error);
  else writeSuccess(BatchAppendRespField.success, response.result.success);
  writeStreamIdentifier(BatchAppendRespField.streamIdentifier, response.stream);
  const expected = response.expected;
  if (typeof expected === 'bigint') writer.uint64(BatchAppendRespField.streamPosition, expected);
  else if (expected === 'no_stream') writer.empty(BatchAppendRespField.noStream);
  else if (expected === 'stream_exists') writer.empty(BatchAppendRespField.streamExists);
  else writer.empty(BatchAppendRespField.any);
  return writer.finish();
}

function writeConflict2060({ current, expected }: WrongExpectedVersion): void {
  const field = AppendWrongExpectedVersion2060Field;
  if (current === 'no_stream') writer.empty(field.noStream);
  else writer.uint64(field.currentRevision, current);
  if (expected === 'any') writer.empty(field.any);
  else if (expected === 'stream_exists') writer.empty(field.streamExists);
  else writer.uint64(field.expectedRevision, expected === 'no_stream' ? EXPECTED_NO_STREAM_2060 : expected);
}

export function encodeAppendResp(response: AppendResponse): Buffer {
  if ('success' in response) {
    writeSuccess(AppendRespField.success, response.success);
    return writer.finish();
  }
  const start = writer.begin(AppendRespField.wrongExpectedVersion);
  writeConflict2060(response.wrongExpectedVersion);
  writeConflict(APPEND_CONFLICT_FIELDS, response.wrongExpectedVersion);
  writer.end(start);
  return writer.finish();
}

/** The details of a BatchAppend conflict: event_store.client.WrongExpectedVersion. */
export function encodeWrongExpectedVersion(conflict: WrongExpectedVersion): Buffer {
  writeConflict(BATCH_CONFLICT_FIELDS, conflict);
  return writer.finish();
}

export function encodeStreamDeleted(stream: string): Buffer {
  writeStreamIdentifier(StreamDeletedField.streamIdentifier, stream);
  return writer.finish();
}

export function encodeMaximumAppendSizeExceeded(maxAppendSize: number): Buffer {
  if (maxAppendSize !== 0) writer.uint64(MaximumAppendSizeExceededField.maxAppendSize, maxAppendSize);
  return writer.finish();
}

/** The details of a BatchAppend refusal of its input: event_store.client.BadRequest. */
export function encodeBadRequest(message: string): Buffer {
  if (message !== '') writer.string(BadRequestField.message, message);
  return writer.finish();
}

/** ReadResp { confirmation { subscription_id } } */
export function encodeSubscriptionConfirmation(subscriptionId: string): Buffer {
  const start = writer.begin(ReadRespField.confirmation);
  writer.string(SubscriptionConfirmationField.subscriptionId, subscriptionId);
  writer.end(start);
  return writer.finish();
}

/** ReadResp { checkpoint { commit_position, prepare_position } } */
export function encodeCheckpoint(position: number): Buffer {
  writePosition(ReadRespField.checkpoint, position);
  return writer.finish();
}

/** ReadResp { caught_up {} } */
export function encodeCaughtUp(): Buffer {
  writer.empty(ReadRespField.caughtUp);
  return writer.finish();
}

/** ReadResp { stream_not_found { stream_identifier } } */
export function encodeStreamNotFound(stream: string): Buffer {
  const start = writer.begin(ReadRespField.streamNotFound);
  writeStreamIdentifier(StreamNotFoundField.streamIdentifier, stream);
  writer.end(start);
  return writer.finish();
}
