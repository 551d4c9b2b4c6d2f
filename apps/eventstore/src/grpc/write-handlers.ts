import { status, type sendUnaryData, type ServerReadableStream, type ServerUnaryCall } from '@grpc/grpc-js';

import {
  MaxAppendSizeExceededError,
  type AppendOutcome,
  type LogStore,
  type ExpectedRevision,
  type ProposedEvent,
} from '../storage/index.js';
import {
  EMPTY_EVENT_TYPE,
  invalidArgument,
  missingMetadata,
  serviceError,
  toServiceError,
} from './errors.js';
import {
  DeleteResp,
  TombstoneResp,
  type DeleteReqMessage,
  type DeleteRespMessage,
  type TombstoneReqMessage,
  type TombstoneRespMessage,
} from './protocol.js';
import { LONG_MAX, WIRE_END, outOfRange } from './revisions.js';
import {
  uuidText,
  type AppendRequest,
  type AppendResponse,
  type ExpectedStreamPosition,
} from './streams-codec.js';

interface ExpectationSource {
  hasAny(): boolean;
  hasNoStream(): boolean;
  hasStreamExists(): boolean;
  hasRevision(): boolean;
  getRevision(): string;
}

function expectedOf(options: ExpectationSource): ExpectedRevision {
  if (options.hasNoStream()) return 'no_stream';
  if (options.hasStreamExists()) return 'stream_exists';
  if (options.hasRevision()) return expectedRevisionOf(BigInt(options.getRevision()));
  return 'any';
}

/**
 * The content type an appended event is kept with. EventStoreDB keeps only whether an event is JSON
 * (its `Event` takes `contentType == "application/json"`, exactly) and reads every other event back as
 * `application/octet-stream`, an empty content type included.
 */
export const contentTypeAsStored = (contentType: string): string =>
  contentType === JSON_CONTENT_TYPE ? JSON_CONTENT_TYPE : OCTET_STREAM_CONTENT_TYPE;
const JSON_CONTENT_TYPE = 'application/json';
const OCTET_STREAM_CONTENT_TYPE = 'application/octet-stream';

/**
 * An expectation as the store takes it: no expectation means any, and a revision stays exact, as
 * EventStoreDB's long holds it. It reads 2^64 - 1 as the long -1, which is `no_stream`, and fails the
 * call on any other value above 2^63 - 1 (an ArgumentOutOfRangeException there): refused here as
 * INVALID_ARGUMENT, naming it, as reads refuse one.
 */
export function expectedRevisionOf(expected: ExpectedStreamPosition | undefined): ExpectedRevision {
  if (typeof expected !== 'bigint') return expected ?? 'any';
  if (expected === WIRE_END) return 'no_stream';
  if (expected > LONG_MAX) throw outOfRange('expected revision', expected, 'no_stream');
  return expected;
}

/**
 * A conflict as an Append answers it: the expectation as the request gave it. EventStoreDB echoes a
 * revision of 2^64 - 1, which it checked as no_stream, as that revision, and the store knows only
 * that it checked no_stream.
 */
function asAsked(
  outcome: AppendOutcome & { kind: 'wrong_expected_version' },
  asked: ExpectedStreamPosition | undefined,
): AppendOutcome & { kind: 'wrong_expected_version' } {
  return typeof asked === 'bigint' ? { ...outcome, expected: asked } : outcome;
}

function streamNameOf(options: {
  getStreamIdentifier(): { getStreamName_asU8(): Uint8Array } | undefined;
}): string {
  const bytes = options.getStreamIdentifier()?.getStreamName_asU8() ?? new Uint8Array(0);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
}

/** An open `Streams.Append` call, as the server's shutdown sees it. */
export interface OpenAppendCall {
  /** Fails the call with UNAVAILABLE if it is still receiving events; one being written finishes. */
  close(): void;
}

/**
 * `Streams.Append`: an options message, then one message per event, then a single response. The
 * size is checked as each event arrives, with the store's measure, so an append over the limit fails
 * at once (`maximum-append-size-exceeded`) and memory per call stays under the store's maxAppendSize plus one
 * message; what the client sends after that is dropped unread.
 */
export function appendHandler(store: LogStore, open: Set<OpenAppendCall>) {
  return (
    call: ServerReadableStream<AppendRequest, AppendResponse>,
    callback: sendUnaryData<AppendResponse>,
  ): void => {
    let stream: string | undefined;
    let expected: ExpectedRevision = 'any';
    let asked: ExpectedStreamPosition | undefined;
    let events: ProposedEvent[] = [];
    let size = 0;
    let settled = false;
    let writing = false;
    const settle = (): void => {
      settled = true;
      events = [];
      open.delete(handle);
    };
    const reject = (error: Parameters<typeof callback>[0]): void => {
      if (settled) return;
      settle();
      callback(error);
    };
    const handle: OpenAppendCall = {
      close: () => {
        if (!writing) reject(serviceError(status.UNAVAILABLE, 'Server is shutting down.'));
      },
    };
    open.add(handle);
    call.on('data', ({ options, proposedMessage: message }: AppendRequest) => {
      if (settled) return;
      if (options) {
        stream = options.stream;
        asked = options.expected;
        try {
          expected = expectedRevisionOf(asked);
        } catch (error) {
          reject(toServiceError(error));
        }
        return;
      }
      if (!message) return;
      const { type, contentType } = message;
      // EventStoreDB refuses an event without either key, naming the first missing, and an empty
      // type after the size check, as its Event is built; an empty content type is not JSON.
      if (type === undefined) return reject(missingMetadata('type'));
      if (contentType === undefined) return reject(missingMetadata('content-type'));
      size += message.data.length + message.customMetadata.length + 2 * type.length;
      if (size > store.maxAppendSize)
        return reject(toServiceError(new MaxAppendSizeExceededError(store.maxAppendSize)));
      if (!type) return reject(invalidArgument(EMPTY_EVENT_TYPE));
      events.push({
        id: message.id ? uuidText(message.id) : '',
        type,
        contentType: contentTypeAsStored(contentType),
        data: message.data,
        metadata: message.customMetadata,
      });
    });
    // Cancelled or broken by the client: nothing is left to answer.
    call.on('error', settle);
    call.on('cancelled', settle);
    call.on('end', () => {
      if (settled) return;
      if (stream === undefined) return reject(invalidArgument('the first append message must carry options'));
      writing = true;
      store.append(stream, expected, events).then(
        (outcome) => {
          settle();
          callback(
            null,
            outcome.kind === 'success'
              ? { success: outcome }
              : { wrongExpectedVersion: asAsked(outcome, asked) },
          );
        },
        (error: unknown) => reject(toServiceError(error)),
      );
    });
  };
}

/** The options of a delete or a tombstone: the stream and the expected revision. */
type DeletionOptions = ExpectationSource & Parameters<typeof streamNameOf>[0];

/** The generated answer class of a delete or a tombstone, with its nested position class. */
interface DeletionAnswer<Response, Position> {
  new (): Response & { setPosition(position: Position): unknown };
  Position: new () => Position & {
    setCommitPosition(value: string): unknown;
    setPreparePosition(value: string): unknown;
  };
}

/**
 * `Streams.Delete` and `Streams.Tombstone` are the same call on different messages: the stream and
 * the expected revision in, the position of the record that deleted the stream out.
 */
function deletionHandler<Request extends { getOptions(): DeletionOptions | undefined }, Response, Position>(
  what: 'delete' | 'tombstone',
  Answer: DeletionAnswer<Response, Position>,
  deleteStream: (streamName: string, expected: ExpectedRevision) => Promise<{ position: number }>,
) {
  return (call: ServerUnaryCall<Request, Response>, callback: sendUnaryData<Response>) => {
    const options = call.request.getOptions();
    if (!options) return callback(invalidArgument(`${what} options are required`));
    let expected: ExpectedRevision;
    try {
      expected = expectedOf(options);
    } catch (error) {
      return callback(toServiceError(error));
    }
    deleteStream(streamNameOf(options), expected).then(
      ({ position }) => {
        const response = new Answer();
        const grpcPosition = new Answer.Position();
        grpcPosition.setCommitPosition(String(position));
        grpcPosition.setPreparePosition(String(position));
        response.setPosition(grpcPosition);
        callback(null, response);
      },
      (error: unknown) => callback(toServiceError(error)),
    );
  };
}

/** `Streams.Delete` (soft delete). */
export const deleteHandler = (store: LogStore) =>
  deletionHandler<DeleteReqMessage, DeleteRespMessage, InstanceType<typeof DeleteResp.Position>>(
    'delete',
    DeleteResp,
    (streamName, expected) => store.delete(streamName, expected),
  );

/** `Streams.Tombstone` (hard delete). */
export const tombstoneHandler = (store: LogStore) =>
  deletionHandler<TombstoneReqMessage, TombstoneRespMessage, InstanceType<typeof TombstoneResp.Position>>(
    'tombstone',
    TombstoneResp,
    (streamName, expected) => store.tombstone(streamName, expected),
  );

export { streamNameOf };
