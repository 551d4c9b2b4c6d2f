import { Global, Module } from '@nestjs/common';
import { ClockController } from './clock.controller.js';
import { clockSettingsFromEnv } from '#events';
import { CLOCK_SETTINGS, ClockService } from './clock.service.js';

@Global()
@Module({
  controllers: [ClockController],
  providers: [{ provide: CLOCK_SETTINGS, useFactory: () => clockSettingsFromEnv() }, ClockService],
  exports: [ClockService],
})
export class ClockModule {}
