import type { Seat } from '../../projector/src/panel/seat-contract.js';
import { STACK_RETRY_MS } from './api.js';

/** The page's live connection, as its seats see it. */
export type Connection = 'connecting' | 'live' | 'lost';

export interface SeatWatcher {
  readonly seat: (seat: Seat) => void;
  readonly connection: (connection: Connection) => void;
}

/** A seat as the stream names it: ids never contain a `.`. */
export const seatKey = (account: string, viewer: string): string => `${account}.${viewer}`;

const keyOfSeat = (seat: Seat): string => seatKey(seat.account.accountId, seat.viewer.partyId);

/** What the tabs of one browser tell each other over their BroadcastChannel. */
type Message =
  /** A tab's seats (all of them, replacing what it wanted before; none when it closes). */
  | { readonly kind: 'want'; readonly tab: string; readonly keys: readonly string[] }
  /** A new leader asks every tab what it wants. */
  | { readonly kind: 'leader' }
  | { readonly kind: 'seat'; readonly seat: Seat }
  | { readonly kind: 'connection'; readonly connection: Connection };

const CHANNEL = 'switchboard-panel';
/** How long a seat no page shows any more stays on the stream (and its cached state current). */
const LINGER_MS = 60_000;
const LEADER_LOCK = 'switchboard-panel-stream';

/**
 * Every seat of every panel tab of this browser over ONE server-sent event stream.
 *
 * Why a leader tab and not HTTP/2: a browser opens at most 6 HTTP/1.1 connections per host, and an
 * event stream holds one for as long as the page is open, so a seventh tab would wait forever for its
 * page's first request. HTTP/2 would multiplex them over one connection, but browsers speak it only
 * over TLS, and the panel is served as plain http on 127.0.0.1 by `npm start` (a certificate to trust
 * first is no quick start). So the tabs elect one leader with a Web Lock (released by the browser when
 * the tab closes or crashes, and granted to the next tab waiting for it); the leader holds the one
 * stream for the union of every tab's seats and relays each seat to the others over a
 * BroadcastChannel. Where either API is missing (an old browser) each tab keeps its own stream.
 *
 * The latest state of each seat is kept by every tab, so a seat shown again (a room opened from a
 * seat, a new tab on a seat another tab shows) appears at once and the stream only confirms it.
 */
class LiveSeats {
  private readonly tab = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  private readonly watchers = new Map<string, Set<SeatWatcher>>();
  /** Called each time the connection is live again: the stack answers once more. */
  private readonly revivals = new Set<() => void>();
  private readonly latest = new Map<string, Seat>();
  /** Leader only: the seats each other tab wants. */
  private readonly others = new Map<string, readonly string[]>();
  private readonly channel: BroadcastChannel | undefined;
  private leading = false;
  private started = false;
  private connection: Connection = 'connecting';
  private source: EventSource | undefined;
  private streamed = '';
  private settling: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    const shared = typeof BroadcastChannel === 'function' && navigator.locks !== undefined;
    this.channel = shared ? new BroadcastChannel(CHANNEL) : undefined;
    this.channel?.addEventListener('message', (event: MessageEvent<Message>) => this.hear(event.data));
  }

  watch(account: string, viewer: string, watcher: SeatWatcher): () => void {
    this.start();
    const key = seatKey(account, viewer);
    const watching = this.watchers.get(key) ?? new Set<SeatWatcher>();
    watching.add(watcher);
    this.watchers.set(key, watching);
    const known = this.latest.get(key);
    if (known) watcher.seat(known);
    watcher.connection(this.connection);
    this.settleSoon();
    return () => {
      watching.delete(watcher);
      if (watching.size > 0) return;
      // A seat left stays streamed a while: going back to it, or to a room with it, shows it current at once.
      setTimeout(() => {
        if (watching.size > 0 || this.watchers.get(key) !== watching) return;
        this.watchers.delete(key);
        this.settleSoon();
      }, LINGER_MS);
    };
  }

  /**
   * Calls `revived` each time the page's connection becomes live again after being lost or before it
   * was first live; returns the function that stops that. For what the page read while the
   * stack was not answering, to read it again as soon as it does.
   */
  whenLiveAgain(revived: () => void): () => void {
    this.revivals.add(revived);
    return () => this.revivals.delete(revived);
  }

  /** Becomes a candidate for leader on the first watch: a landing page never holds a stream. */
  private start(): void {
    if (this.started) return;
    this.started = true;
    if (!this.channel) {
      this.leading = true;
      return;
    }
    addEventListener('pagehide', () => this.tell({ kind: 'want', tab: this.tab, keys: [] }));
    // Held until the tab goes: the promise never settles, and the browser releases the lock with the tab.
    void navigator.locks.request(LEADER_LOCK, () => {
      this.leading = true;
      document.documentElement.dataset.streamLeader = 'true';
      this.tell({ kind: 'leader' });
      this.settleSoon();
      return new Promise<never>(() => undefined);
    });
  }

  /** The watchers of a page change in bursts (a room's seats): the stream follows once they settle. */
  private settleSoon(): void {
    this.settling ??= setTimeout(() => {
      this.settling = undefined;
      if (this.leading) this.reopen();
      else this.tell({ kind: 'want', tab: this.tab, keys: [...this.watchers.keys()] });
    }, 0);
  }

  private hear(message: Message): void {
    switch (message.kind) {
      case 'want':
        if (!this.leading) return;
        if (message.keys.length === 0) this.others.delete(message.tab);
        else this.others.set(message.tab, message.keys);
        for (const key of message.keys) {
          const known = this.latest.get(key);
          if (known) this.tell({ kind: 'seat', seat: known });
        }
        this.tell({ kind: 'connection', connection: this.connection });
        this.reopen();
        return;
      case 'leader':
        this.settleSoon();
        return;
      case 'seat':
        this.deliver(message.seat);
        return;
      case 'connection':
        this.setConnection(message.connection);
        return;
    }
  }

  private tell(message: Message): void {
    this.channel?.postMessage(message);
  }

  /** Leader: one stream for the union of every tab's seats, reopened only when that union changes. */
  private reopen(): void {
    const keys = [...new Set([...this.watchers.keys(), ...[...this.others.values()].flat()])]
      .sort()
      .join(',');
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
      this.tell({ kind: 'seat', seat });
      this.setConnection('live');
    });
    source.onopen = () => this.setConnection('live');
    source.onerror = () => {
      this.setConnection('lost');
      // A dropped connection the browser retries by itself; one answered with an error status (a 503
      // from a proxy or a projector stopping, a 404 from one still catching up after a restart) it
      // closes for good: the page then opens it again itself, as long as it still wants these seats.
      if (source.readyState !== EventSource.CLOSED) return;
      setTimeout(() => {
        if (this.source !== source) return;
        this.streamed = '';
        this.reopen();
      }, STACK_RETRY_MS);
    };
  }

  private deliver(seat: Seat): void {
    const key = keyOfSeat(seat);
    this.latest.set(key, seat);
    for (const watcher of this.watchers.get(key) ?? []) watcher.seat(seat);
  }

  private setConnection(connection: Connection): void {
    const revived = connection === 'live' && this.connection !== 'live';
    if (this.leading && connection !== this.connection) this.tell({ kind: 'connection', connection });
    this.connection = connection;
    for (const watching of this.watchers.values())
      for (const watcher of watching) watcher.connection(connection);
    if (revived) for (const revival of [...this.revivals]) revival();
  }
}

export const liveSeats = new LiveSeats();
