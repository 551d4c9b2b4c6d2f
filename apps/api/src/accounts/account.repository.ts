import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { accountDecider, type AccountState } from '#domain';
import { ACCOUNT_STREAM_PREFIX, type AccountEvent } from '#events';
import { AggregateRepository, EventStore, type RepositoryOptions } from '#eventstore';
import { IDEMPOTENCY_OPTIONS } from '../shared/idempotency.js';
import { repositoryLog } from '../shared/repository-log.js';

/**
 * Every delegation of an account lives in its stream (`accountStream`), so R8's limits are decided on
 * one revision.
 *
 * Line commands read their account's delegations on every call; following the account category
 * keeps those folds current without a read per command. A subscription that cannot start (the store
 * not answering yet) or that ends is tried again every second, said in the log when the tries begin
 * and when they succeed.
 */
@Injectable()
export class AccountRepository
  extends AggregateRepository<AccountState, AccountEvent>
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  constructor(store: EventStore, @Inject(IDEMPOTENCY_OPTIONS) options: RepositoryOptions = {}) {
    super(store, accountDecider, { log: repositoryLog('AccountRepository'), ...options });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.follow(ACCOUNT_STREAM_PREFIX);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stopFollowing();
  }
}
