import { binaryEvent, jsonEvent, type EventStoreDBClient } from '@eventstore/db-client';
import { createEventStoreClient } from '#eventstore';
import {
  decodeHistoryEvent,
  readAllEvents,
  type HistoryEvent,
} from '../../../apps/cli/src/history/history-event.js';
import { HistoryImporter } from '../../../apps/cli/src/history/import.js';
import { ownEmbeddedStore } from '../../support/embedded-eventstore.js';

/**
 * `history export` then `history import` of a store that holds other clients' events, through the
 * official client against two embedded servers: the events arrive as they were written (the import
 * copies, it does not repair), each one still classified with the same reason, and counted.
 */
describe('history export and import of foreign events', () => {
  let from: EventStoreDBClient;
  let to: EventStoreDBClient;
  const source = ownEmbeddedStore(() => from?.dispose());
  const target = ownEmbeddedStore(() => to?.dispose());

  beforeAll(() => {
    from = createEventStoreClient(source.server.connectionString);
    to = createEventStoreClient(target.server.connectionString);
  });

  const reasons = async (client: EventStoreDBClient): Promise<(string | true)[]> => {
    const found: (string | true)[] = [];
    for await (const event of readAllEvents(client)) {
      const decoded = decodeHistoryEvent(event);
      found.push(decoded.ours ? true : decoded.reason);
    }
    return found;
  };

  it('reproduces each one and its reason: no metadata, metadata that is not JSON, binary data, an unknown type', async () => {
    const stream = 'line-acme.15550006001';
    await from.appendToStream(stream, [
      jsonEvent({ type: 'CallAnswered', data: { callId: 'c1' } }),
      jsonEvent({ type: 'CallAnswered', data: { callId: 'c1' }, metadata: new Uint8Array([123, 0, 1]) }),
      binaryEvent({ type: 'CallAnswered', data: new Uint8Array([1, 2, 3]), metadata: new Uint8Array([9]) }),
      jsonEvent({ type: 'CrmNoteAdded', data: { note: 'hi' }, metadata: { source: 'crm' } }),
    ]);
    const expected = ['NO_METADATA', 'METADATA_NOT_JSON', 'METADATA_NOT_JSON', 'UNKNOWN_TYPE'];
    expect(await reasons(from)).toEqual(expected);

    // Through the NDJSON text, as `history export | history import` carries it.
    const exported: HistoryEvent[] = [];
    for await (const event of readAllEvents(from))
      exported.push(JSON.parse(JSON.stringify(event)) as HistoryEvent);
    const importer = new HistoryImporter(to);
    for (const event of exported) await importer.import(event);

    expect(importer.appended).toBe(4);
    expect(importer.foreign.summary()).toBe('4 foreign (NO_METADATA 1, METADATA_NOT_JSON 2, UNKNOWN_TYPE 1)');
    expect(await reasons(to)).toEqual(expected);
    const copied: HistoryEvent[] = [];
    for await (const event of readAllEvents(to))
      copied.push(JSON.parse(JSON.stringify(event)) as HistoryEvent);
    expect(copied.map(({ id, type, data, metadata }) => ({ id, type, data, metadata }))).toEqual(
      exported.map(({ id, type, data, metadata }) => ({ id, type, data, metadata })),
    );
  });
});
