import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { accountDecider, type AccountState } from '#domain';
import type { AccountEvent } from '#events';
import { AggregateRepository, EventStore, streamName, type RepositoryOptions } from '#eventstore';
import { IDEMPOTENCY_OPTIONS } from '../shared/idempotency.js';

/** Every delegation of an account lives in its stream, so R8's limits are decided on one revision. */
export const accountStream = (accountId: string): string => streamName('account', accountId);

/**
 * Line commands read their account's delegations on every call; following the account category
 * keeps those folds current without a read per command.
 */
@Injectable()
export class AccountRepository
  extends AggregateRepository<AccountState, AccountEvent>
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  constructor(store: EventStore, @Inject(IDEMPOTENCY_OPTIONS) options: RepositoryOptions = {}) {
    super(store, accountDecider, options);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.follow('account-');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stopFollowing();
  }
}
