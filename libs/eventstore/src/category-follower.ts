import type { DomainEvent } from '#events';
import type { RepositoryLog } from './aggregate-repository.js';
import { messageOf } from './errors.js';
import type {
  EventStore,
  EventSubscription,
  ForeignEvent,
  StoredEvent,
  StreamDeletion,
  SubscriptionItem,
} from './event-store.js';
import { ReaderStoreCheck, whyStartOver, type ReaderPosition } from './store-repair-check.js';

/** How long to wait before following a category again after its subscription ended. */
const REFOLLOW_DELAY_MS = 1_000;

/** What a followed category's subscription brings, in the log's order. */
export interface CategorySink<E extends DomainEvent> {
  event(stored: StoredEvent<E>): void;
  /** An event of the category Switchboard did not write (see README, "Events Switchboard did not write"). */
  foreign(foreign: ForeignEvent): void;
  deleted(stream: string): void;
  /**
   * The subscription ended: what the store takes from now until it follows again is not brought as
   * it is written, so nothing kept current by it can be trusted to be current.
   */
  lost(): void;
}

const cannotStart = (prefix: string, error: unknown): string =>
  `subscription to ${prefix}* cannot start (${messageOf(error)})`;

/**
 * Keeps one catch-up subscription to `$all`, filtered to a category's stream prefix, open for as long
 * as it is wanted: it starts at the log's head (older history is read by whoever needs it), and one
 * that ends, or cannot start because the store does not answer, is opened again every second from
 * where the last one got to, until it opens. Kept apart from the aggregate repository because its
 * life (a store that goes and comes back, a log cut by a repair) is another concern than folding.
 */
export class CategoryFollower<E extends DomainEvent> {
  private subscription: EventSubscription<E, SubscriptionItem<E> | StreamDeletion> | undefined;
  private stopped = false;
  /**
   * Where the category's next subscription starts (see `followFrom`): after the last record a
   * subscription brought, else after the log's last record when following began; undefined before
   * `follow`, or when the log was empty then and nothing has come since.
   */
  private followedTo: ReaderPosition | undefined;
  private started = false;
  /** Whether the store still holds `followedTo`, and no repair dropped records before it. */
  private readonly followCheck = new ReaderStoreCheck();
  /**
   * Whether following is being tried again every REFOLLOW_DELAY_MS: said once when the tries begin
   * and once when one succeeds, not at every try.
   */
  private refollowing = false;

  constructor(
    private readonly store: EventStore,
    private readonly sink: CategorySink<E>,
    private readonly log: RepositoryLog,
  ) {}

  /** A subscription is open now (not between one that ended and the next). */
  get open(): boolean {
    return this.subscription !== undefined;
  }

  /**
   * Follows the streams starting with `prefix`. Resolves once the subscription is open, or once the
   * store did not answer: then it is tried again every second, and the log says when
   * the tries begin and when one succeeds.
   */
  async follow(prefix: string): Promise<void> {
    if (this.subscription) return;
    this.stopped = false;
    let fromPosition: bigint | undefined;
    try {
      fromPosition = await this.followFrom(prefix);
    } catch (error) {
      // The store does not answer (yet: an api started before it, or while it restarts after a
      // crash). Failing here stopped the api from starting at all; instead it starts without the
      // subscription, as when one is lost: folds are read from the store on each use
      // and following starts once the store answers.
      this.refollow(prefix, cannotStart(prefix, error));
      return;
    }
    if (this.refollowing) {
      this.log(`subscription to ${prefix}* started after trying again: the event store answers`, 'info');
      this.refollowing = false;
    }
    const subscription = this.store.subscribeToAll<E>({
      fromPosition,
      streamPrefixes: [prefix],
      deletions: true,
    });
    this.subscription = subscription;
    void (async () => {
      let ended = `subscription to ${prefix}* ended`;
      try {
        for await (const item of subscription) {
          if (item.kind === 'event') {
            this.sink.event(item.stored);
            this.followedPast(item.stored);
          } else if (item.kind === 'foreign') {
            this.sink.foreign(item.foreign);
            this.followedPast(item.foreign);
          } else if (item.kind === 'deleted') this.sink.deleted(item.stream);
        }
      } catch (error) {
        // Ended by an error (a lost store): handled below like any other end.
        ended = `subscription to ${prefix}* ended (${messageOf(error)})`;
      }
      if (this.subscription !== subscription) return; // stopped on purpose
      this.subscription = undefined;
      this.sink.lost();
      this.refollow(prefix, ended);
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.close();
  }

  /**
   * Where a subscription of the category starts (exclusive; undefined: the log's first record). The
   * first at the log's last record. Every later one, after a subscription ended, right after the last
   * record the category's subscriptions brought, so that the sink is told of the events written while
   * none was open (an account change another instance took meanwhile, R16). Unless the store no
   * longer holds that record, or a repair since dropped records before it: the log was cut or
   * replaced, and what lies past that position is not what was written after it, so it starts at the
   * log's last record again, what was written meanwhile untold.
   */
  private async followFrom(prefix: string): Promise<bigint | undefined> {
    const last = this.followedTo;
    if (last) {
      const check = await this.followCheck.check(this.store, last);
      if (check.kind === 'kept') return last.position;
      this.log(
        `${prefix} followed again from the last record of the log: ${whyStartOver(last, check)}`,
        'warn',
      );
    } else if (this.started) {
      // The log was empty when following began, and no record has come since: all of it is new.
      return undefined;
    }
    const [head] = await this.store.readAllRecords(undefined, 1, 'backwards');
    this.started = true;
    this.followedTo = head?.position === undefined ? undefined : { id: head.id, position: head.position };
    return this.followedTo?.position;
  }

  /** A record the category's subscription brought: the next one starts after it. */
  private followedPast(record: { readonly id: string; readonly position: bigint | undefined }): void {
    if (record.position !== undefined) this.followedTo = { id: record.id, position: record.position };
  }

  /** Follows the category again in a while, having said `why` it stopped if this begins the tries. */
  private refollow(prefix: string, why: string): void {
    if (!this.refollowing) {
      this.log(`${why}; trying again every ${REFOLLOW_DELAY_MS} ms until the event store answers`, 'warn');
      this.refollowing = true;
    }
    setTimeout(() => {
      if (this.stopped) return;
      this.follow(prefix).catch((error: unknown) => this.refollow(prefix, cannotStart(prefix, error)));
    }, REFOLLOW_DELAY_MS).unref();
  }
}
