import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AccountsModule } from './accounts/accounts.module.js';
import { ClockModule } from './clock/clock.module.js';
import { HealthController } from './health.controller.js';
import { LinesModule } from './lines/lines.module.js';
import { AssistantModule } from './speed-dials/assistant.module.js';
import { EventStoreModule } from './shared/event-store.module.js';

@Module({
  imports: [
    CqrsModule.forRoot(),
    EventStoreModule,
    ClockModule,
    AccountsModule,
    LinesModule,
    AssistantModule,
  ],
  controllers: [HealthController],
})
export class AppModule {
  /** The api with its configuration (read and validated before, see api-config.ts). */
  static configured(configModule: DynamicModule): DynamicModule {
    return { module: AppModule, imports: [configModule] };
  }
}
