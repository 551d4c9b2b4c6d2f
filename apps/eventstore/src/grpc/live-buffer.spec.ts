import { LiveBuffer } from './live-buffer.js';

const everyRecord = () => true;
/** No look is cut short: the whole range is counted at once. */
const NO_LIMIT = Number.MAX_SAFE_INTEGER;
/** 2 × EventStoreDB's MaxLiveEventBufferCount of 320. */
const HELD = 640;

describe('what EventStoreDB 24 would hold for a live subscription (two channels of 320)', () => {
  it('Given a subscription live from record 100, When 640 records it delivers come, Then it has not fallen behind; When one more comes, Then it has', () => {
    const buffer = new LiveBuffer(everyRecord, undefined, NO_LIMIT);
    buffer.goLive(100, 0);

    expect(buffer.overflowsWith(100 + HELD)).toBe(false);
    expect(buffer.overflowsWith(100 + HELD + 1)).toBe(true);
  });

  it('Given 600 records waiting, When they are sent and 640 more come, Then it has not fallen behind; When one more comes, Then it has', () => {
    const buffer = new LiveBuffer(everyRecord, undefined, NO_LIMIT);
    buffer.goLive(0, 0);
    buffer.overflowsWith(600);

    buffer.sent(600);

    expect(buffer.overflowsWith(600 + HELD)).toBe(false);
    expect(buffer.overflowsWith(600 + HELD + 1)).toBe(true);
  });

  it('Given a filtered subscription delivering one record in four, with a checkpoint every 32, When 2,000 records come, Then it holds 500 events and 62 checkpoints, not more than 640', () => {
    const buffer = new LiveBuffer((record) => record % 4 === 0, 32, NO_LIMIT);
    buffer.goLive(0, 0);

    expect(buffer.overflowsWith(2_000)).toBe(false);
    // 500 + 62 = 562 held; 256 more records (64 events, 8 checkpoints) make 634; 64 more (16 events,
    // 2 checkpoints) make 652.
    expect(buffer.overflowsWith(2_256)).toBe(false);
    expect(buffer.overflowsWith(2_320)).toBe(true);
  });

  it('Given a subscription that went live with 30 records considered, When 2 more come, Then the checkpoint due at 32 is held with them', () => {
    const buffer = new LiveBuffer(() => false, 32, NO_LIMIT);
    buffer.goLive(0, 30);
    buffer.overflowsWith(2);

    // Only that checkpoint is held: sending it empties the buffer, which 640 more checkpoints fill.
    buffer.sent(1);
    expect(buffer.overflowsWith(2 + 32 * HELD)).toBe(false);
    expect(buffer.overflowsWith(2 + 32 * (HELD + 1))).toBe(true);
  });

  it('Given a look limited to 100 records, When 1,000 records come, Then each look counts the next 100 of them', () => {
    const buffer = new LiveBuffer(everyRecord, undefined, 100);
    buffer.goLive(0, 0);

    for (let look = 1; look <= 6; look += 1) expect(buffer.overflowsWith(1_000)).toBe(false);
    expect(buffer.overflowsWith(1_000)).toBe(true);
  });
});
