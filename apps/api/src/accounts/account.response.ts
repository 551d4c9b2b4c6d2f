import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { AccountEvent } from '#events';
import type { CommandOutcome } from '#eventstore';
import type { CommandOrigin } from '../shared/command-metadata.js';

export class StoredEventDto {
  @ApiProperty({ example: 'DelegateInvited' })
  type!: string;

  @ApiProperty({
    type: Object,
    example: {
      delegationId: 'alice-bob',
      delegatorId: 'alice',
      delegateId: 'bob',
      permissions: ['placeCalls', 'answerCalls'],
      sharedLines: ['+15550000001'],
      by: 'alice',
      at: '2026-01-05T09:00:00.000Z',
    },
  })
  data!: object;
}

/** The answer to every account command; a resend with the same command id gets the first answer again. */
export class CommandResponseDto {
  @ApiProperty({ example: 'cmd-7f3a2c' })
  commandId!: string;

  @ApiProperty({ description: 'True when this command id had been handled before: nothing was appended' })
  duplicate!: boolean;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Stream revision after the command (null when it changed nothing)',
    example: '4',
  })
  revision!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: '$all commit position of the last event: what read models must reach',
    example: '18234',
  })
  position!: string | null;

  @ApiProperty({ type: [StoredEventDto], description: 'The events the command appended (empty: no change)' })
  events!: StoredEventDto[];

  @ApiPropertyOptional({ description: 'Id of the delegation an invitation created', example: 'alice-bob' })
  delegationId?: string;
}

export type CommandResponse = Omit<CommandResponseDto, 'events' | 'delegationId'> & {
  readonly events: readonly AccountEvent[];
} & Readonly<Record<string, unknown>>;

export const commandResponse = (
  origin: CommandOrigin,
  outcome: CommandOutcome<AccountEvent>,
  resourceIds: Readonly<Record<string, string>> = {},
): CommandResponse => ({
  commandId: origin.commandId,
  duplicate: outcome.duplicate,
  revision: outcome.revision?.toString() ?? null,
  position: outcome.position?.toString() ?? null,
  events: outcome.events,
  ...resourceIds,
});
