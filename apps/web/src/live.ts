import type { Seat } from '../../projector/src/panel/seat-contract.js';

/** The page's one live connection, as its seats see it. */
export type Connection = 'connecting' | 'live' | 'lost';

export interface SeatWatcher {
  readonly seat: (seat: Seat) => void;
  readonly connection: (connection: Connection) => void;
}

/** A seat as the stream names it: ids never contain a `.`. */
export const seatKey = (account: string, viewer: string): string => `${account}.${viewer}`;

const keyOfSeat = (seat: Seat): string => seatKey(seat.account.accountId, seat.viewer.partyId);

/**
 * Every seat shown on the page (one, or a room's several) over ONE server-sent event stream: the
 * stream carries the union of the seats watched, and is reopened (once, after the page's watchers
 * settle) when that union changes. The latest state of each seat is kept, so a seat shown again (a
 * room opened from a seat of the same account) appears at once and the stream only confirms it.
 */
class LiveSeats {
  private readonly watchers = new Map<string, Set<SeatWatcher>>();
  private readonly latest = new Map<string, Seat>();
  private connection: Connection = 'connecting';
  private source: EventSource | undefined;
  private streamed = '';
  private reopening: ReturnType<typeof setTimeout> | undefined;

  watch(account: string, viewer: string, watcher: SeatWatcher): () => void {
    const key = seatKey(account, viewer);
    const watching = this.watchers.get(key) ?? new Set<SeatWatcher>();
    watching.add(watcher);
    this.watchers.set(key, watching);
    const known = this.latest.get(key);
    if (known) watcher.seat(known);
    watcher.connection(this.connection);
    this.reopenSoon();
    return () => {
      watching.delete(watcher);
      if (watching.size === 0) this.watchers.delete(key);
      this.reopenSoon();
    };
  }

  /** The last state the stream gave of a seat, if any: shown at once while the stream catches up. */
  cached(account: string, viewer: string): Seat | undefined {
    return this.latest.get(seatKey(account, viewer));
  }

  private reopenSoon(): void {
    this.reopening ??= setTimeout(() => {
      this.reopening = undefined;
      this.reopen();
    }, 0);
  }

  private reopen(): void {
    const keys = [...this.watchers.keys()].sort().join(',');
    if (keys === this.streamed) return;
    this.source?.close();
    this.source = undefined;
    this.streamed = keys;
    if (keys === '') return;
    const source = new EventSource(`/panel/stream?${new URLSearchParams({ seats: keys })}`);
    this.source = source;
    this.setConnection('connecting');
    source.addEventListener('seat', (event) => {
      const seat = JSON.parse((event as MessageEvent<string>).data) as Seat;
      this.deliver(seat);
      this.setConnection('live');
    });
    source.onopen = () => this.setConnection('live');
    source.onerror = () => this.setConnection('lost');
  }

  private deliver(seat: Seat): void {
    const key = keyOfSeat(seat);
    this.latest.set(key, seat);
    for (const watcher of this.watchers.get(key) ?? []) watcher.seat(seat);
  }

  private setConnection(connection: Connection): void {
    this.connection = connection;
    for (const watching of this.watchers.values())
      for (const watcher of watching) watcher.connection(connection);
  }
}

export const liveSeats = new LiveSeats();
