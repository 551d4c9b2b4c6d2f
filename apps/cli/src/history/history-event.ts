import {
  FORWARDS,
  START,
  UnknownError,
  type EventStoreDBClient,
  type ResolvedEvent,
} from '@eventstore/db-client';
import {
  categoryOf,
  decodeRecordedEvent,
  eventSchemas,
  isAccountsStream,
  isCalendarDay,
  type DecodedEvent,
  type ForeignReason,
} from '#events';

/**
 * One event of a history file (NDJSON, one a line), exactly as stored: data and metadata as written
 * (not upcast, so an import reproduces the original bytes' meaning), with its id, stream, stream
 * revision and `$all` position. Revisions and positions are strings: they are 64-bit.
 */
export interface HistoryEvent {
  readonly id: string;
  readonly stream: string;
  readonly revision: string;
  readonly position: string;
  readonly type: string;
  readonly created: string;
  readonly data: unknown;
  readonly metadata: unknown;
  /**
   * `base64` when `data` is the base64 of bytes that are not JSON; absent for JSON. Events other
   * clients wrote (see decodeRecordedEvent) are exported as they are, so an import reproduces them.
   */
  readonly dataEncoding?: 'base64';
  /** `base64` when `metadata` is the base64 of bytes that are not JSON; absent for JSON or none. */
  readonly metadataEncoding?: 'base64';
}

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

export const toHistoryEvent = (resolved: ResolvedEvent): HistoryEvent | undefined => {
  const event = resolved.event;
  if (!event || event.type.startsWith('$') || event.streamId.startsWith('$')) return undefined;
  return {
    id: event.id,
    stream: event.streamId,
    revision: String(event.revision),
    position: String(event.position?.commit ?? resolved.commitPosition ?? 0n),
    type: event.type,
    created: event.created.toISOString(),
    ...(event.isJson
      ? { data: event.data }
      : { data: base64(event.data as Uint8Array), dataEncoding: 'base64' as const }),
    ...(event.metadata instanceof Uint8Array
      ? { metadata: base64(event.metadata), metadataEncoding: 'base64' as const }
      : { metadata: event.metadata }),
  };
};

/** The shared decoding step (decodeRecordedEvent) on a history event: ours, or foreign with the reason. */
export const decodeHistoryEvent = (event: HistoryEvent): DecodedEvent =>
  decodeRecordedEvent(
    {
      type: event.type,
      isJson: event.dataEncoding !== 'base64',
      data: event.data,
      metadata:
        event.metadataEncoding === 'base64'
          ? new Uint8Array(Buffer.from(String(event.metadata), 'base64'))
          : event.metadata,
    },
    eventSchemas,
  );

/** Foreign events by reason, for the reports of commands that read or copy a history. */
export class ForeignCounts {
  readonly byReason = new Map<ForeignReason, number>();
  total = 0;

  count(decoded: DecodedEvent): void {
    if (decoded.ours) return;
    this.total++;
    this.byReason.set(decoded.reason, (this.byReason.get(decoded.reason) ?? 0) + 1);
  }

  /** `3 foreign (NO_METADATA 2, UNKNOWN_TYPE 1)`, or '' when there were none. */
  summary(): string {
    if (this.total === 0) return '';
    const reasons = [...this.byReason].map(([reason, n]) => `${reason} ${n}`).join(', ');
    return `${this.total} foreign (${reasons})`;
  }
}

/**
 * Every non-system event of `$all`, in log order, from `fromPosition` (inclusive) when given.
 * EventStoreDB reads `$all` only from an event's own position, the start or the end: from a user's
 * number that falls inside an event it refuses the read as it starts (INVALID_ARGUMENT, UNKNOWN on
 * versions before 24, an UnknownError either way), which this says in words naming the position.
 */
export async function* readAllEvents(
  client: EventStoreDBClient,
  fromPosition?: bigint,
): AsyncGenerator<HistoryEvent> {
  let started = false;
  try {
    for await (const resolved of client.readAll({
      direction: FORWARDS,
      fromPosition: fromPosition === undefined ? START : { commit: fromPosition, prepare: fromPosition },
    })) {
      started = true;
      const event = toHistoryEvent(resolved);
      if (event) yield event;
    }
  } catch (error) {
    if (started || fromPosition === undefined || !(error instanceof UnknownError)) throw error;
    throw new Error(
      `no event of the store is at $all position ${fromPosition}, and the store reads $all only from ` +
        `an event's position (it said: ${error.message}); give the position of an event, as an export ` +
        'writes it, or a simulated time',
    );
  }
}

/** The `$all` commit position of the last event (0 when the log is empty), for progress bars. */
export const headPosition = async (client: EventStoreDBClient): Promise<bigint> => {
  let head = 0n;
  // Read to the end instead of returning from inside the loop: a read cancelled half-way leaves the
  // embedded server's call open, and `client.dispose()` then waits for it forever.
  for await (const resolved of client.readAll({ direction: 'backwards', fromPosition: 'end', maxCount: 1 })) {
    head = resolved.event?.position?.commit ?? resolved.commitPosition ?? 0n;
  }
  return head;
};

export const simulatedTimeOf = (event: HistoryEvent): string | undefined => {
  const metadata = event.metadata as { simulatedTime?: unknown } | null;
  return typeof metadata?.simulatedTime === 'string' ? metadata.simulatedTime : undefined;
};

/** `--from`/`--to`: a `$all` position (digits) or a simulated time (ISO-8601). */
export type Bound = { readonly position: bigint } | { readonly time: number };

/**
 * Milliseconds of an ISO-8601 date or date-time (`2026-01-05`, `2026-01-05T09:00:30Z`), else
 * undefined. Date.parse alone also takes "-5" (the year -5) or "March 3", so a mistyped position
 * silently selected every event or none; and it reads `2026-02-30` as 2 March, so a day the calendar
 * does not have is refused too.
 */
export const parseIsoTime = (text: string): number | undefined => {
  if (
    !/^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.test(text) ||
    !isCalendarDay(text)
  ) {
    return undefined;
  }
  const time = Date.parse(text);
  return Number.isNaN(time) ? undefined : time;
};

export const parseBound = (text: string): Bound => {
  if (/^\d+$/.test(text)) return { position: BigInt(text) };
  const time = parseIsoTime(text);
  if (time === undefined) throw new Error(`"${text}" is neither a $all position nor an ISO-8601 time`);
  return { time };
};

export interface HistoryFilter {
  readonly from?: Bound;
  readonly to?: Bound;
  readonly streams?: readonly string[];
  readonly categories?: readonly string[];
  /** Only these accounts' streams: `account-<id>` and its lines, `line-<id>.<number>`. */
  readonly accounts?: readonly string[];
}

const compareBound = (event: HistoryEvent, bound: Bound): number | undefined => {
  if ('position' in bound) {
    const position = BigInt(event.position);
    return position < bound.position ? -1 : position > bound.position ? 1 : 0;
  }
  const time = simulatedTimeOf(event);
  if (time === undefined) return undefined;
  const t = Date.parse(time);
  return t < bound.time ? -1 : t > bound.time ? 1 : 0;
};

/** Both bounds inclusive; stream names match exactly, categories by the part before the first `-`. */
export const matchesFilter = (event: HistoryEvent, filter: HistoryFilter): boolean => {
  if (filter.from && (compareBound(event, filter.from) ?? 0) < 0) return false;
  if (filter.to && (compareBound(event, filter.to) ?? 0) > 0) return false;
  if (filter.streams?.length && !filter.streams.includes(event.stream)) return false;
  if (filter.categories?.length) {
    if (!filter.categories.includes(categoryOf(event.stream))) return false;
  }
  if (filter.accounts?.length && !filter.accounts.some((id) => isAccountsStream(event.stream, id)))
    return false;
  return true;
};
