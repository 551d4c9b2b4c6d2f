import { Injectable } from '@nestjs/common';
import { accountDecider, type AccountState } from '#domain';
import type { AccountEvent } from '#events';
import { AggregateRepository, EventStore, streamName } from '#eventstore';

/** Every delegation of an account lives in its stream, so R8's limits are decided on one revision. */
export const accountStream = (accountId: string): string => streamName('account', accountId);

@Injectable()
export class AccountRepository extends AggregateRepository<AccountState, AccountEvent> {
  constructor(store: EventStore) {
    super(store, accountDecider);
  }
}
