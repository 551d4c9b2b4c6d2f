import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { HealthController } from './health.controller.js';
import { ClockModule } from './clock/clock.module.js';
import { EventStoreModule } from './shared/event-store.module.js';

@Module({
  imports: [CqrsModule.forRoot(), EventStoreModule, ClockModule],
  controllers: [HealthController],
})
export class AppModule {}
