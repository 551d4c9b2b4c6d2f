import type { sendUnaryData, ServerReadableStream, ServerUnaryCall } from '@grpc/grpc-js';

import type { EventStore, ExpectedRevision, ProposedEvent } from '../storage/index.js';
import { invalidArgument, missingMetadata, toServiceError } from './errors.js';
import {
  DeleteResp,
  TombstoneResp,
  type DeleteReqMessage,
  type DeleteRespMessage,
  type TombstoneReqMessage,
  type TombstoneRespMessage,
} from './protocol.js';
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
  if (options.hasRevision()) return Number(options.getRevision());
  return 'any';
}

/** Append and BatchAppend options as the store takes them: no expectation means any. */
export function expectedRevisionOf(expected: ExpectedStreamPosition | undefined): ExpectedRevision {
  return typeof expected === 'bigint' ? Number(expected) : (expected ?? 'any');
}

function streamNameOf(options: {
  getStreamIdentifier(): { getStreamName_asU8(): Uint8Array } | undefined;
}): string {
  const bytes = options.getStreamIdentifier()?.getStreamName_asU8() ?? new Uint8Array(0);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
}

/** `Streams.Append`: an options message, then one message per event, then a single response. */
export function appendHandler(store: EventStore) {
  return (
    call: ServerReadableStream<AppendRequest, AppendResponse>,
    callback: sendUnaryData<AppendResponse>,
  ): void => {
    let stream: string | undefined;
    let expected: ExpectedRevision = 'any';
    const events: ProposedEvent[] = [];
    let rejected = false;
    const reject = (error: Parameters<typeof callback>[0]): void => {
      if (rejected) return;
      rejected = true;
      callback(error);
    };
    call.on('data', ({ options, proposedMessage: message }: AppendRequest) => {
      if (rejected) return;
      if (options) {
        stream = options.stream;
        expected = expectedRevisionOf(options.expected);
        return;
      }
      if (!message) return;
      const { type, contentType } = message;
      if (!type || !contentType) return reject(missingMetadata());
      events.push({
        id: message.id ? uuidText(message.id) : '',
        type,
        contentType,
        data: message.data,
        metadata: message.customMetadata,
      });
    });
    call.on('error', () => {
      rejected = true;
    });
    call.on('end', () => {
      if (rejected) return;
      if (stream === undefined) return reject(invalidArgument('the first append message must carry options'));
      store.append(stream, expected, events).then(
        (outcome) =>
          callback(
            null,
            outcome.kind === 'success' ? { success: outcome } : { wrongExpectedVersion: outcome },
          ),
        (error: unknown) => reject(toServiceError(error)),
      );
    });
  };
}

/** `Streams.Delete` (soft delete). */
export function deleteHandler(store: EventStore) {
  return (
    call: ServerUnaryCall<DeleteReqMessage, DeleteRespMessage>,
    callback: sendUnaryData<DeleteRespMessage>,
  ) => {
    const options = call.request.getOptions();
    if (!options) return callback(invalidArgument('delete options are required'));
    store.delete(streamNameOf(options), expectedOf(options)).then(
      ({ position }) => {
        const response = new DeleteResp();
        const grpcPosition = new DeleteResp.Position();
        grpcPosition.setCommitPosition(String(position));
        grpcPosition.setPreparePosition(String(position));
        response.setPosition(grpcPosition);
        callback(null, response);
      },
      (error: unknown) => callback(toServiceError(error)),
    );
  };
}

/** `Streams.Tombstone` (hard delete). */
export function tombstoneHandler(store: EventStore) {
  return (
    call: ServerUnaryCall<TombstoneReqMessage, TombstoneRespMessage>,
    callback: sendUnaryData<TombstoneRespMessage>,
  ) => {
    const options = call.request.getOptions();
    if (!options) return callback(invalidArgument('tombstone options are required'));
    store.tombstone(streamNameOf(options), expectedOf(options)).then(
      ({ position }) => {
        const response = new TombstoneResp();
        const grpcPosition = new TombstoneResp.Position();
        grpcPosition.setCommitPosition(String(position));
        grpcPosition.setPreparePosition(String(position));
        response.setPosition(grpcPosition);
        callback(null, response);
      },
      (error: unknown) => callback(toServiceError(error)),
    );
  };
}

export { streamNameOf };
