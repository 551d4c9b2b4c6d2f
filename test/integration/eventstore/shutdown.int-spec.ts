import { randomUUID } from 'node:crypto';

import {
  CancelledError,
  EventStoreDBClient,
  UnavailableError,
  jsonEvent,
  type AppendResult,
} from '@eventstore/db-client';
import sharedPb from '@eventstore/db-client/generated/shared_pb.js';
import streamsPb from '@eventstore/db-client/generated/streams_pb.js';
import { status, type ServiceError } from '@grpc/grpc-js';

import { PROCESS_BUDGET_MS } from '../../support/embedded-eventstore.js';
import { collect, ownServers, streamsStub } from './support.js';

/**
 * What a client sees while the server stops (SIGTERM), as with a stopping EventStoreDB: the BatchAppend
 * call ends with CANCELLED (the client's CancelledError), appends already being written are
 * acknowledged and kept, and a classic Append still open gets UNAVAILABLE. The server stops without
 * waiting for its clients. These tests always start their own servers.
 */
describe('embedded event store shutdown', () => {
  const own = ownServers('shutdown');
  beforeEach(() => own.start(), PROCESS_BUDGET_MS);

  it(
    'writers appending during a stop fail with CancelledError or UnavailableError only; acknowledged appends are kept',
    async () => {
      const client = EventStoreDBClient.connectionString(own.server!.connectionString);
      const acknowledged: string[] = [];
      const failures: unknown[] = [];
      let stopping: Promise<void> | undefined;
      const writer = async (index: number): Promise<void> => {
        for (let n = 0; ; n += 1) {
          const event = jsonEvent({ type: 'Written', data: { n } });
          let result: AppendResult;
          try {
            result = await client.appendToStream(`shutdown-${index}`, event);
          } catch (error) {
            failures.push(error);
            return;
          }
          if (result.success) acknowledged.push(event.id);
          if (acknowledged.length === 200) stopping ??= own.stop('SIGTERM');
        }
      };
      await Promise.all(Array.from({ length: 16 }, (_, index) => writer(index)));
      await stopping;
      await client.dispose();

      // Every writer ended on a failure; one pending on the call when it ended is a CancelledError,
      // one sent after it (to a server no longer taking calls) an UnavailableError. Never anything else.
      expect(failures).toHaveLength(16);
      for (const failure of failures) {
        expect([CancelledError, UnavailableError]).toContain((failure as Error).constructor);
      }

      await own.session(async (after) => {
        const ids = new Set((await collect(after.readAll())).map((resolved) => resolved.event!.id));
        for (const id of acknowledged) expect(ids.has(id)).toBe(true);
      });
    },
    PROCESS_BUDGET_MS,
  );

  it(
    'an append still receiving chunks gets no reply; its BatchAppend call ends with CANCELLED',
    async () => {
      const stub = streamsStub(own.server!.connectionString);
      const call = stub.batchAppend();
      const replies: unknown[] = [];
      call.on('data', (reply: unknown) => replies.push(reply));
      const ended = new Promise<ServiceError>((resolve) => call.on('error', resolve));
      // A first append on the call makes sure the server holds the unfinished one before it stops.
      const ready = new Promise<void>((resolve) => call.once('data', () => resolve()));
      call.write(batchAppendChunk('unfinished', 'Unfinished', { final: false }));
      call.write(batchAppendChunk('ready', 'Ready', { final: true }));
      await ready;
      try {
        await own.stop('SIGTERM');
        expect((await ended).code).toBe(status.CANCELLED);
        expect(replies).toHaveLength(1);
      } finally {
        stub.close();
      }
    },
    PROCESS_BUDGET_MS,
  );

  it(
    'a classic Append still receiving events fails with UNAVAILABLE, and the server stops without waiting for it',
    async () => {
      const stub = streamsStub(own.server!.connectionString);
      const ended = new Promise<ServiceError | null>((resolve) => {
        const call = stub.append((error: ServiceError | null) => resolve(error));
        call.write(
          new streamsPb.AppendReq().setOptions(
            new streamsPb.AppendReq.Options()
              .setStreamIdentifier(new sharedPb.StreamIdentifier().setStreamName(Buffer.from('open-append')))
              .setAny(new sharedPb.Empty()),
          ),
        );
        call.write(new streamsPb.AppendReq().setProposedMessage(proposedMessage()));
      });
      try {
        // Let the call reach the server before it stops.
        await new Promise((resume) => setTimeout(resume, 200));
        await own.stop('SIGTERM');
        expect((await ended)?.code).toBe(status.UNAVAILABLE);
      } finally {
        stub.close();
      }
    },
    PROCESS_BUDGET_MS,
  );
});

/** One chunk of a BatchAppend to `stream`: one event of `type`; the append's last chunk when `final`. */
function batchAppendChunk(
  stream: string,
  type: string,
  { final }: { final: boolean },
): InstanceType<typeof streamsPb.BatchAppendReq> {
  const proposed = new streamsPb.BatchAppendReq.ProposedMessage()
    .setId(new sharedPb.UUID().setString(randomUUID()))
    .setData(Buffer.from('{}'));
  proposed.getMetadataMap().set('type', type).set('content-type', 'application/json');
  const request = new streamsPb.BatchAppendReq()
    .setCorrelationId(new sharedPb.UUID().setString(randomUUID()))
    .setOptions(
      new streamsPb.BatchAppendReq.Options()
        .setStreamIdentifier(new sharedPb.StreamIdentifier().setStreamName(Buffer.from(stream)))
        .setAny(new sharedPb.Empty()),
    )
    .setIsFinal(final);
  request.addProposedMessages(proposed);
  return request;
}

function proposedMessage(): InstanceType<typeof streamsPb.AppendReq.ProposedMessage> {
  const message = new streamsPb.AppendReq.ProposedMessage()
    .setId(new sharedPb.UUID().setString(randomUUID()))
    .setData(Buffer.from('{}'));
  message.getMetadataMap().set('type', 'Open').set('content-type', 'application/json');
  return message;
}
