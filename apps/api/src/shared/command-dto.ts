import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { ID_PATTERN, ID_RULE } from '#eventstore';

/** Fields every command request carries. */
export abstract class CommandDto {
  @ApiProperty({ description: 'Party id of whoever issues the command', example: 'alice' })
  @IsString()
  @Matches(ID_PATTERN, { message: `actor ${ID_RULE}` })
  actor!: string;

  @ApiPropertyOptional({
    description:
      'Client-chosen command id: resending the same id appends nothing and returns the first result',
    example: 'cmd-7f3a2c',
  })
  @IsOptional()
  @IsString()
  @Matches(ID_PATTERN, { message: `commandId ${ID_RULE}` })
  commandId?: string;
}
