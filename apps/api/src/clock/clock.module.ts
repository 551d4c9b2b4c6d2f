import { Global, Module } from '@nestjs/common';
import { ClockController } from './clock.controller.js';
import { ConfigService } from '@nestjs/config';
import { apiSettingsOf } from '../api-config.js';
import { CLOCK_SETTINGS, ClockService } from './clock.service.js';

@Global()
@Module({
  controllers: [ClockController],
  providers: [
    {
      provide: CLOCK_SETTINGS,
      inject: [ConfigService],
      useFactory: (config: ConfigService) => apiSettingsOf(config).clock,
    },
    ClockService,
  ],
  exports: [ClockService],
})
export class ClockModule {}
