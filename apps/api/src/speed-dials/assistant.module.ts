import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module.js';
import { LineNamesController } from '../line-names/line-names.controller.js';
import { LinesModule } from '../lines/lines.module.js';
import { PlaceSpeedDialCallHandler } from './speed-dial-call.command.js';
import { SpeedDialsController } from './speed-dials.controller.js';

/** The Assistant's own features (R22 speed dials, R23 line names), on the account and line commands. */
@Module({
  imports: [AccountsModule, LinesModule],
  controllers: [SpeedDialsController, LineNamesController],
  providers: [PlaceSpeedDialCallHandler],
})
export class AssistantModule {}
