import type { EventStore, LogRecord } from '#eventstore';
import type { Step, Steps } from './seat-contract.js';

/** Records read from `$all` per look: events of other accounts lie between an account's own. */
const PAGE = 512;

const stepOf = (record: LogRecord): Step => ({
  position: String(record.position),
  type: record.type,
  stream: record.stream,
});

/**
 * Time travel event by event: around a view as of `$all` position `position`, the event of the view's
 * streams (`relevant`) it shows last, the one before it (one step back shows the view as of that one)
 * and the one after it (one step forward). The log is read from the position both ways a page at a
 * time, so a step costs the records between two of the account's events, not the whole log. Reads start
 * at positions the view was at (an event's, or a checkpoint's), which every store accepts.
 */
export async function stepsAround(
  store: EventStore,
  position: bigint,
  relevant: (stream: string) => boolean,
): Promise<Steps> {
  const mine = (record: LogRecord): boolean =>
    record.position !== undefined && !record.type.startsWith('$') && relevant(record.stream);

  let at: LogRecord | undefined;
  let forward: LogRecord | undefined;
  for (let from = position; forward === undefined;) {
    const page = await store.readAllRecords(from, PAGE, 'forwards');
    for (const record of page) {
      if (!mine(record)) continue;
      if (record.position === position) at = record;
      else if (record.position! > position) {
        forward = record;
        break;
      }
    }
    const last = page.at(-1)?.position;
    if (page.length < PAGE || last === undefined) break;
    // Forward reads include their start: the page's last record comes again first, and is passed over.
    from = last;
  }

  const earlier: LogRecord[] = at ? [at] : [];
  for (let from = position; earlier.length < 2;) {
    const page = await store.readAllRecords(from, PAGE, 'backwards');
    for (const record of page) {
      if (mine(record) && record.position! < position) earlier.push(record);
      if (earlier.length === 2) break;
    }
    const last = page.at(-1)?.position;
    if (page.length < PAGE || last === undefined) break;
    from = last;
  }
  const [current, previous] = earlier;
  return {
    current: current ? stepOf(current) : null,
    // Before the account's first event, the view is as of the position just before it.
    back: previous
      ? String(previous.position)
      : current && current.position! > 0n
        ? String(current.position! - 1n)
        : null,
    forward: forward ? stepOf(forward) : null,
  };
}
