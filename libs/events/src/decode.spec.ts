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

  describe("the owner of a call's and a message's events (v2, R10, R17)", () => {
    const at = '2026-01-05T09:00:35.000Z';
    /** Each type as a v1 build wrote it, before owners were recorded. */
    const writtenBeforeOwners = {
      CallPlacedOnSharedLine: {
        callId: 'c1',
        line: '+15550001001',
        to: '+15550100',
        placedBy: 'alice',
        onBehalfOf: null,
        permission: null,
        callerId: { number: '+15550001001', name: 'Alice' },
        at,
      },
      IncomingCallReceived: { callId: 'c1', line: '+15550001001', from: '+15550100', vip: false, at },
      VoicemailLeft: { messageId: 'c1', callId: 'c1', from: '+15550100', at },
    };
    const atVersion = (schemaVersion: number) => ({ ...envelope, schemaVersion });

    it.each(Object.entries(writtenBeforeOwners))(
      "Given %s stored at v1, When decoded, Then it is v2 with owner null (the line's current owner's)",
      (type, data) => {
        expect(eventSchemas.currentVersion(type)).toBe(2);
        expect(decode(type, data, atVersion(1))).toEqual({
          ours: true,
          event: { type, data: { ...data, owner: null } },
          metadata: atVersion(1),
        });
      },
    );

    it.each(Object.entries(writtenBeforeOwners))(
      'Given %s stored at v1 by a build that recorded the owner already, When decoded, Then the owner is kept',
      (type, data) => {
        expect(decode(type, { ...data, owner: 'alice' }, atVersion(1))).toMatchObject({
          ours: true,
          event: { data: { owner: 'alice' } },
        });
      },
    );

    it.each(Object.entries(writtenBeforeOwners))(
      'Given %s stored at v2 with an owner or null, When decoded, Then it is read as written',
      (type, data) => {
        for (const owner of ['alice', null]) {
          expect(decode(type, { ...data, owner }, atVersion(2))).toEqual({
            ours: true,
            event: { type, data: { ...data, owner } },
            metadata: atVersion(2),
          });
        }
      },
    );

    it.each(Object.entries(writtenBeforeOwners))(
      'Given %s stored at v2 without an owner or with one of another kind, When decoded, Then it is DATA_INVALID',
      (type, data) => {
        expect(decode(type, data, atVersion(2))).toMatchObject({
          ours: false,
          reason: 'DATA_INVALID',
          detail: expect.stringContaining('.owner is missing'),
        });
        expect(decode(type, { ...data, owner: 7 }, atVersion(2))).toMatchObject({
          ours: false,
          reason: 'DATA_INVALID',
          detail: expect.stringContaining('.owner is not a string'),
        });
      },
    );

    it.each(Object.entries(writtenBeforeOwners))(
      'Given %s stored at v3 by a later build, When decoded, Then it is refused as newer, not misread',
      (type, data) => {
        expect(decode(type, { ...data, owner: 'alice' }, atVersion(3))).toMatchObject({
          ours: false,
          reason: 'SCHEMA_VERSION_FROM_FUTURE',
          detail: `${type} v3 is newer than this build understands (v2): upgrade Switchboard`,
          claimsOurs: true,
        });
      },
    );
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
