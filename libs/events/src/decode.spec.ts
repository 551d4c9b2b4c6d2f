import { eventSchemas } from './catalogue.js';
import { decodeRecordedEvent, type DecodedEvent } from './decode.js';
import { EventSchemaRegistry } from './schemas.js';

const envelope = {
  $correlationId: 'corr-1',
  $causationId: 'cmd-1',
  commandId: 'cmd-1',
  actor: 'alice',
  onBehalfOf: null,
  permission: null,
  simulatedTime: '2026-01-05T09:00:00.000Z',
  schemaVersion: 1,
};
const answered = {
  callId: 'c1',
  by: 'alice',
  onBehalfOf: null,
  permission: null,
  ringLegsEnded: [],
  at: '2026-01-05T09:00:05.000Z',
};
const decode = (type: string, data: unknown, metadata: unknown, isJson = true): DecodedEvent =>
  decodeRecordedEvent({ type, isJson, data, metadata }, eventSchemas);

describe('decoding a recorded event (the one step every consumer of the log shares)', () => {
  it('given an event Switchboard wrote, it is ours: type, upcast data and metadata', () => {
    expect(decode('CallAnswered', answered, envelope)).toEqual({
      ours: true,
      event: { type: 'CallAnswered', data: answered },
      metadata: envelope,
    });
  });

  it.each([
    ['no metadata', 'CallAnswered', answered, undefined, true, 'NO_METADATA', false],
    [
      'metadata that is not JSON',
      'CallAnswered',
      answered,
      new TextEncoder().encode('{not json'),
      true,
      'METADATA_NOT_JSON',
      false,
    ],
    [
      'JSON metadata of another writer',
      'CallAnswered',
      answered,
      { source: 'crm' },
      true,
      'METADATA_NOT_OURS',
      false,
    ],
    ['an unknown type', 'CrmNoteAdded', { note: 'hi' }, { source: 'crm' }, true, 'UNKNOWN_TYPE', false],
    ['an unknown type with our envelope', 'CallTeleported', {}, envelope, true, 'UNKNOWN_TYPE', true],
    ['binary data', 'CallAnswered', new Uint8Array([1, 2]), envelope, false, 'DATA_NOT_JSON', true],
    ['data that is a JSON array', 'CallAnswered', [1], envelope, true, 'DATA_NOT_JSON', true],
    [
      'a known type with data missing fields',
      'CallAnswered',
      { callId: 'c1' },
      envelope,
      true,
      'DATA_INVALID',
      true,
    ],
    [
      'a field of the wrong kind',
      'CallSentToVoicemail',
      { callId: 'c1', reason: 'bored', missedBy: [], ringLegsEnded: [], at: 'x' },
      envelope,
      true,
      'DATA_INVALID',
      true,
    ],
    [
      'a schema version from the future',
      'CallAnswered',
      answered,
      { ...envelope, schemaVersion: 99 },
      true,
      'SCHEMA_VERSION_FROM_FUTURE',
      true,
    ],
  ] as const)(
    'given %s, it is foreign with the reason, and says whether it claims to be ours',
    (_case, type, data, metadata, isJson, reason, claimsOurs) => {
      expect(decode(type, data, metadata, isJson)).toMatchObject({ ours: false, reason, claimsOurs });
    },
  );

  it('names the missing field in the detail', () => {
    expect(decode('CallAnswered', { callId: 'c1' }, envelope)).toMatchObject({
      detail: expect.stringContaining('.by is missing'),
    });
  });

  it("reads a field added later (a voicemail's owner) as absent in events written before it, and checks it when there", () => {
    // Given VoicemailLeft as written before owners were recorded, and as written since
    const left = { messageId: 'c1', callId: 'c1', from: '+15550100', at: '2026-01-05T09:00:35.000Z' };
    // When decoded, Then both are ours at the same schema version, the old one without an owner
    expect(decode('VoicemailLeft', left, envelope)).toMatchObject({ ours: true, event: { data: left } });
    expect(decode('VoicemailLeft', { ...left, owner: 'alice' }, envelope)).toMatchObject({
      ours: true,
      event: { data: { owner: 'alice' } },
    });
    // And an owner of another kind is malformed, as any field of the wrong kind is
    expect(decode('VoicemailLeft', { ...left, owner: 7 }, envelope)).toMatchObject({
      ours: false,
      detail: expect.stringContaining('.owner is not a string'),
    });
  });

  it('reads a member of Object.prototype as an unknown type, never as a catalogue entry', () => {
    for (const type of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(decode(type, {}, envelope)).toMatchObject({ ours: false, reason: 'UNKNOWN_TYPE' });
    }
  });

  it('given an old version, upcasts it before checking the data; a gap in the chain is NO_UPCASTER', () => {
    const schemas = new EventSchemaRegistry(
      { Rang: 2, Gap: 3 },
      { Rang: { 1: (data) => ({ ...data, alerted: [] }) }, Gap: { 2: (data) => data } },
      {
        Rang: (data) =>
          Array.isArray((data as { alerted?: unknown }).alerted) ? undefined : '.alerted is missing',
      },
    );
    const old = { ...envelope, schemaVersion: 1 };
    expect(decodeRecordedEvent({ type: 'Rang', isJson: true, data: {}, metadata: old }, schemas)).toEqual({
      ours: true,
      event: { type: 'Rang', data: { alerted: [] } },
      metadata: old,
    });
    expect(
      decodeRecordedEvent({ type: 'Gap', isJson: true, data: {}, metadata: old }, schemas),
    ).toMatchObject({
      ours: false,
      reason: 'NO_UPCASTER',
    });
  });
});
