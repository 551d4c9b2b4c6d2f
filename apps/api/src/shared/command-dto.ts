import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { ID_PATTERN, ID_RULE } from '#events';
import { CommandId } from './dto-fields.js';

/** Fields every command request carries. */
export abstract class CommandDto {
  @ApiProperty({ description: 'Party id of whoever issues the command', example: 'alice' })
  @IsString()
  @Matches(ID_PATTERN, { message: `actor ${ID_RULE}` })
  actor!: string;

  @CommandId({
    description:
      'Client-chosen command id (or the `Idempotency-Key` header): resending the same request under ' +
      'the same id within 15 minutes of the first append (`IDEMPOTENCY_WINDOW_SECONDS`), also after an ' +
      'api restart, appends nothing and returns the first result (`duplicate: true`); a different ' +
      'request under it is refused (`IDEMPOTENCY_KEY_REUSED`); after the window it is decided anew',
    example: 'cmd-7f3a2c',
  })
  commandId?: string;
}
