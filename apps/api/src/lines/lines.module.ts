import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module.js';
import { LineAppends } from './line-appends.js';
import { LineCommandHandler } from './line.command.js';
import { GetLineHandler } from './line.query.js';
import { LineRepository } from './line.repository.js';
import { LineTimersProcessManager } from './line-timers.process-manager.js';
import { LinesController } from './lines.controller.js';

@Module({
  imports: [AccountsModule],
  controllers: [LinesController],
  providers: [LineRepository, LineAppends, LineCommandHandler, GetLineHandler, LineTimersProcessManager],
  exports: [LineRepository, LineTimersProcessManager],
})
export class LinesModule {}
