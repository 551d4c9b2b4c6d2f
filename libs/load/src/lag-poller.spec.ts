import { checkpointIn } from './lag-poller.js';

describe("the projector's checkpoint in its health answer", () => {
  it('reads the position where the projector names it, as digits or a safe integer', () => {
    expect(checkpointIn({ status: 'live', position: '332', eventCount: 4 })).toBe(332n);
    expect(checkpointIn({ checkpoint: 17 })).toBe(17n);
    expect(checkpointIn({ projector: { lag: { position: '90' } } })).toBe(90n);
  });

  it('takes the start for a live projector that has applied nothing and has no position yet', () => {
    // Given a projector over a store of records it does not follow, which no server checkpoint passed
    expect(checkpointIn({ status: 'live', eventCount: 0 })).toBe(0n);
    expect(checkpointIn({ status: 'live', eventCount: 0, position: null })).toBe(0n);
  });

  it('finds none while the projector catches up, has applied events without saying where, or answers no JSON object', () => {
    expect(checkpointIn({ status: 'catching-up', eventCount: 0 })).toBeUndefined();
    expect(checkpointIn({ status: 'live', eventCount: 3 })).toBeUndefined();
    expect(checkpointIn({ status: 'live', eventCount: 0, position: 'later' })).toBeUndefined();
    expect(checkpointIn('live')).toBeUndefined();
    expect(checkpointIn(null)).toBeUndefined();
  });
});
