import { decodeHistoryEvent, parseBound, parseIsoTime, type HistoryEvent } from './history-event.js';

describe('history bounds (--from / --to)', () => {
  it('reads digits as a $all position and ISO-8601 dates or date-times as simulated times', () => {
    // Given bounds as an architect writes them, When parsed, Then each means what it says
    expect(parseBound('500000')).toEqual({ position: 500000n });
    expect(parseBound('2026-01-05T09:00:30Z')).toEqual({ time: Date.parse('2026-01-05T09:00:30Z') });
    expect(parseBound('2026-01-05T09:00:30.250+02:00')).toEqual({
      time: Date.parse('2026-01-05T09:00:30.250+02:00'),
    });
    expect(parseBound('2026-01-05')).toEqual({ time: Date.parse('2026-01-05') });
    expect(parseBound('2028-02-29')).toEqual({ time: Date.parse('2028-02-29') });
    expect(parseBound('2000-02-29T00:00:00Z')).toEqual({ time: Date.parse('2000-02-29T00:00:00Z') });
  });

  it('refuses what is neither, where Date.parse would have read a year, a date in words or another day', () => {
    // Given a negative "position" (Date.parse: the year -5), other non-ISO text, and days past their
    // month's end (Date.parse: a day of the next month)
    // When parsed, Then each is refused instead of selecting every event, none, or another day's
    for (const bad of [
      '-5',
      '5.5',
      'March 3 2026',
      'yesterday',
      '2026-13-45T00:00:00Z',
      '2026-02-29',
      '2026-04-31T09:00:00Z',
      '2100-02-29T00:00:00Z',
    ]) {
      expect(parseIsoTime(bad)).toBeUndefined();
      expect(() => parseBound(bad)).toThrow(`"${bad}" is neither a $all position nor an ISO-8601 time`);
    }
  });
});

describe('decoding a history line (verify, replay)', () => {
  const metadata = (schemaVersion: number) => ({
    $correlationId: 'cmd-1',
    $causationId: 'cmd-1',
    commandId: 'cmd-1',
    actor: 'system:clock',
    onBehalfOf: null,
    permission: null,
    simulatedTime: '2026-01-05T09:00:35.000Z',
    schemaVersion,
  });
  const left = { messageId: 'c1', callId: 'c1', from: '+15550100', at: '2026-01-05T09:00:35.000Z' };
  const exported = (data: object, schemaVersion: number): HistoryEvent => ({
    id: '91340c1b-a6e4-54e5-bb33-a85a586be3e5',
    stream: 'line-acme.15550000001',
    revision: '3',
    position: '40',
    type: 'VoicemailLeft',
    created: '2026-01-05T09:00:35.000Z',
    data,
    metadata: metadata(schemaVersion),
  });

  it("Given a message exported at v1, before owners were, When decoded, Then it is v2 with owner null (the line's current owner's)", () => {
    expect(decodeHistoryEvent(exported(left, 1))).toEqual({
      ours: true,
      event: { type: 'VoicemailLeft', data: { ...left, owner: null } },
      metadata: metadata(1),
    });
  });

  it("Given a message exported at v2 without its owner, When decoded, Then it is DATA_INVALID, not read as nobody's", () => {
    expect(decodeHistoryEvent(exported(left, 2))).toMatchObject({ ours: false, reason: 'DATA_INVALID' });
  });
});
