import type { sendUnaryData, ServerReadableStream, ServerUnaryCall } from '@grpc/grpc-js';

import type { EventStore, ExpectedRevision, ProposedEvent } from '../storage/index.js';
import { invalidArgument, missingMetadata, toServiceError } from './errors.js';
import {
  AppendResp,
  DeleteResp,
  Empty,
  TombstoneResp,
  type AppendReqMessage,
  type AppendRespMessage,
  type DeleteReqMessage,
  type DeleteRespMessage,
  type TombstoneReqMessage,
  type TombstoneRespMessage,
} from './protocol.js';

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

function streamNameOf(options: {
  getStreamIdentifier(): { getStreamName_asU8(): Uint8Array } | undefined;
}): string {
  const bytes = options.getStreamIdentifier()?.getStreamName_asU8() ?? new Uint8Array(0);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
}

/** `Streams.Append`: an options message, then one message per event, then a single response. */
export function appendHandler(store: EventStore) {
  return (
    call: ServerReadableStream<AppendReqMessage, AppendRespMessage>,
    callback: sendUnaryData<AppendRespMessage>,
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
    call.on('data', (request: AppendReqMessage) => {
      if (rejected) return;
      const options = request.getOptions();
      if (options) {
        stream = streamNameOf(options);
        expected = expectedOf(options);
        return;
      }
      const message = request.getProposedMessage();
      if (!message) return;
      const metadata = message.getMetadataMap();
      const type = metadata.get('type');
      const contentType = metadata.get('content-type');
      if (!type || !contentType) return reject(missingMetadata());
      events.push({
        id: message.getId()?.getString() ?? '',
        type,
        contentType,
        data: message.getData_asU8(),
        metadata: message.getCustomMetadata_asU8(),
      });
    });
    call.on('error', () => {
      rejected = true;
    });
    call.on('end', () => {
      if (rejected) return;
      if (stream === undefined) return reject(invalidArgument('the first append message must carry options'));
      store.append(stream, expected, events).then(
        (outcome) => {
          const response = new AppendResp();
          if (outcome.kind === 'success') {
            const success = new AppendResp.Success();
            if (outcome.revision === 'no_stream') success.setNoStream(new Empty());
            else success.setCurrentRevision(String(outcome.revision));
            if (outcome.position === undefined) success.setNoPosition(new Empty());
            else {
              const position = new AppendResp.Position();
              position.setCommitPosition(String(outcome.position));
              position.setPreparePosition(String(outcome.position));
              success.setPosition(position);
            }
            response.setSuccess(success);
          } else {
            const conflict = new AppendResp.WrongExpectedVersion();
            if (outcome.current === 'no_stream') conflict.setCurrentNoStream(new Empty());
            else conflict.setCurrentRevision(String(outcome.current));
            if (outcome.expected === 'any') conflict.setExpectedAny(new Empty());
            else if (outcome.expected === 'no_stream') conflict.setExpectedNoStream(new Empty());
            else if (outcome.expected === 'stream_exists') conflict.setExpectedStreamExists(new Empty());
            else conflict.setExpectedRevision(String(outcome.expected));
            response.setWrongExpectedVersion(conflict);
          }
          callback(null, response);
        },
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
