import { v5 as uuidv5 } from 'uuid';
import { eventIdFor } from './event-ids.js';

const NAMESPACE = '5f0e2d3c-8d7a-4b7e-9f0b-2a6c1e4d9b17';

describe('eventIdFor', () => {
  it('is the version 5 uuid of "commandId|stream|index" in the Switchboard namespace, as ever', () => {
    const names: [string, string, number][] = [
      ['cmd-1', 'line-acme.15550000001', 0],
      ['timer-call-002-ring-1767603605000', 'line-acme.15550000001', 1],
      ['a', 'account-x', 12],
      ['ünïcödé-✓', 'line-b.1', 3],
    ];
    for (const [commandId, stream, index] of names) {
      expect(eventIdFor(commandId, stream, index)).toBe(uuidv5(`${commandId}|${stream}|${index}`, NAMESPACE));
    }
  });

  it('keeps the ids of events already in stores', () => {
    expect(eventIdFor('cmd-1', 'line-acme.15550000001', 0)).toBe('5877cb63-2f5f-5a64-b5df-b7d130e72645');
  });
});
