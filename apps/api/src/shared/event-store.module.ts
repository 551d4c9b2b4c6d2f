import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { EventStoreDBClient } from '@eventstore/db-client';
import { EventStore, WriteProbe, createEventStoreClient, type RepositoryOptions } from '#eventstore';
import { eventSchemas } from '#events';
import { ConfigService } from '@nestjs/config';
import { apiSettingsOf } from '../api-config.js';
import { IDEMPOTENCY_OPTIONS } from './idempotency.js';

export const EVENTSTORE_CLIENT = Symbol('EVENTSTORE_CLIENT');

/**
 * One official-client connection per process, closed on shutdown; the probe that tells when a store
 * that refused appends for want of writes writes again; the repositories' idempotency window.
 */
@Global()
@Module({
  providers: [
    {
      provide: EVENTSTORE_CLIENT,
      inject: [ConfigService],
      useFactory: (config: ConfigService): EventStoreDBClient =>
        createEventStoreClient(apiSettingsOf(config).eventStoreConnectionString),
    },
    {
      provide: EventStore,
      inject: [EVENTSTORE_CLIENT],
      useFactory: (client: EventStoreDBClient) => new EventStore(client, eventSchemas),
    },
    {
      provide: WriteProbe,
      inject: [EventStore],
      useFactory: (store: EventStore) => new WriteProbe(store),
    },
    {
      provide: IDEMPOTENCY_OPTIONS,
      inject: [ConfigService],
      useFactory: (config: ConfigService): RepositoryOptions => {
        const settings = apiSettingsOf(config);
        return {
          idempotencyWindowMs: settings.idempotencyWindowMs,
          // R21: a scenario replayed in virtual time on a fresh store writes the same event ids, and
          // virtual time runs on one api. With several instances (realtime) each decision's events are
          // named anew, so a resend reaching another instance is answered as a duplicate.
          eventIds: settings.clock.mode === 'virtual' ? 'fromCommand' : 'perDecision',
        };
      },
    },
  ],
  exports: [EventStore, WriteProbe, EVENTSTORE_CLIENT, IDEMPOTENCY_OPTIONS],
})
export class EventStoreModule implements OnApplicationShutdown {
  constructor(
    @Inject(EVENTSTORE_CLIENT) private readonly client: EventStoreDBClient,
    private readonly probe: WriteProbe,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    this.probe.stop();
    await this.client.dispose();
  }
}
