import type { DomainEvent } from '#events';
import { accountEvents, lineEvents, rng, type WorkloadOptions } from '../../../../bench/replay/workload.js';
import { storedLog } from '../engine/engine.fixture.js';
import { ReadModels } from '../engine/read-models.js';
import type { Row } from '../engine/row-capture.js';
import { PROJECTIONS } from './index.js';

/**
 * A snapshot is written while events go on being applied (see row-capture.ts). That holds only if
 * every projection reaches a row through its table's get/set/delete, never by iterating a table or
 * keeping a row from an earlier event: then the rows copied hold exactly the state the capture began
 * at. Checked here on the real projections over a realistic log, split and interleaved at random.
 */
const workloadLog = (seed: number): [string, DomainEvent][] => {
  const options: WorkloadOptions = { seed, accountId: 'acme', lines: 6, callsPerLine: 40 };
  const account = accountEvents(options);
  const lines = Array.from({ length: options.lines }, (_, line) => lineEvents(options, line));
  const log: [string, DomainEvent][] = account.events.map((event) => [account.stream, event]);
  const cursors = lines.map(() => 0);
  const random = rng(seed);
  while (cursors.some((cursor, i) => cursor < lines[i]!.events.length)) {
    const i = Math.floor(random() * lines.length);
    const { stream, events } = lines[i]!;
    if (cursors[i]! < events.length) log.push([stream, events[cursors[i]!++]!]);
  }
  return log;
};

describe('a capture of the real read models while events are applied', () => {
  it.each([1, 2, 3, 4, 5])('holds the state it began at (seed %i)', (seed) => {
    // Given the read models part way through a realistic log
    const log = storedLog(workloadLog(seed));
    const random = rng(seed * 31);
    const split = Math.floor(log.length * (0.2 + 0.6 * random()));
    const live = new ReadModels(PROJECTIONS);
    for (const stored of log.slice(0, split)) live.apply(stored);
    const asOfSplit = live.digest();
    // When a capture begins there, and the rest of the log is applied between its slices at random
    const copied: Row[] = [];
    const capture = live.beginCapture((row) => copied.push(JSON.parse(JSON.stringify(row)) as Row));
    let next = split;
    let copying = true;
    while (copying || next < log.length) {
      const burst = Math.floor(random() * 40);
      for (const stored of log.slice(next, next + burst)) live.apply(stored);
      next = Math.min(next + burst, log.length);
      if (copying) copying = capture.copyFor(0);
    }
    // Then the rows copied are the state at the split, though the read models moved on to the end
    const restored = new ReadModels(PROJECTIONS);
    for (const row of copied) restored.restoreRow(row);
    expect(restored.digest()).toBe(asOfSplit);
    expect(live.digest()).not.toBe(asOfSplit);
  });
});
