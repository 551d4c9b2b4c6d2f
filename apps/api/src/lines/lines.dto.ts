import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsISO8601, IsOptional, IsString, Matches } from 'class-validator';
import { ID_PATTERN, ID_RULE, type LineEvent } from '#events';
import type { CommandOutcome } from '#eventstore';
import type { CommandOrigin } from '../shared/command-metadata.js';
import { CommandId, E164Number, NewCallId } from '../shared/dto-fields.js';
import { CommandDto } from '../shared/command-dto.js';

/*
 * Request bodies of the line commands. They check shape only (types, id and number syntax, ISO
 * times) so that malformed input is a 400 with a message per field; every rule of SPEC §1 is the
 * domain's, answered 404/409/422 with its reason code.
 */

const AT_DOC = {
  description:
    'Simulated time the command takes effect (ISO-8601). Only with the virtual clock (R21): the clock ' +
    'first advances to it, firing due timers.',
  example: '2026-01-05T09:00:05Z',
};

/** A command by a line-side party (the delegator or a delegate). */
export class LineCommandDto extends CommandDto {
  @ApiPropertyOptional(AT_DOC)
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'at must be an ISO-8601 time' })
  at?: string;
}

/** A command by the external party of a call: recorded with actor `external` (a caller: `external:<number>`). */
export class ExternalPartyDto {
  @CommandId({
    description: 'Client-chosen command id: resending it appends nothing and returns the first result',
    example: 'cmd-ext-1',
  })
  commandId?: string;

  @ApiPropertyOptional(AT_DOC)
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'at must be an ISO-8601 time' })
  at?: string;
}

export class PlaceCallDto extends LineCommandDto {
  @E164Number('to', { description: 'External number to call (R12)', example: '+15550100' })
  to!: string;

  @NewCallId('call-001')
  callId?: string;
}

export class IncomingCallDto extends ExternalPartyDto {
  @E164Number('from', {
    description: 'The external caller (R13; VIP when on the list, R19)',
    example: '+15550100',
  })
  from!: string;

  @NewCallId('call-002')
  callId?: string;
}

export class HoldCallDto extends LineCommandDto {
  @ApiPropertyOptional({
    description: 'Hold with the privacy lock on (delegator only): delegates cannot pick it up (R15)',
    example: false,
  })
  @IsOptional()
  @IsBoolean()
  privacyLock?: boolean;
}

export class PrivacyLockDto extends LineCommandDto {
  @ApiProperty({ description: 'Lock (true) or unlock (false) the call for privacy (R15)', example: true })
  @IsBoolean()
  locked!: boolean;
}

export class TransferCallDto extends LineCommandDto {
  @ApiProperty({
    description: 'Party id of the target: a delegate of the line, or the delegator (R16)',
    example: 'bob',
  })
  @IsString()
  @Matches(ID_PATTERN, { message: `to ${ID_RULE}` })
  to!: string;
}

export class StartRecordingDto extends LineCommandDto {
  @ApiPropertyOptional({ description: 'Id for the recording; generated when absent', example: 'rec-001' })
  @IsOptional()
  @IsString()
  @Matches(ID_PATTERN, { message: `recordingId ${ID_RULE}` })
  recordingId?: string;
}

export class EventView {
  @ApiProperty({ example: 'CallAnswered' })
  type!: string;

  @ApiProperty({
    example: { callId: 'call-002', by: 'bob', onBehalfOf: 'alice', permission: 'answerCalls' },
  })
  data!: Record<string, unknown>;
}

export class LineCommandResponse {
  @ApiProperty({ example: 'cmd-7f3a2c' })
  commandId!: string;

  @ApiProperty({ description: 'True when the command id was handled before: the first result, replayed' })
  duplicate!: boolean;

  @ApiPropertyOptional({ example: 'call-002' })
  callId?: string;

  @ApiPropertyOptional({ description: 'Line stream revision after the command', example: '12' })
  revision?: string;

  @ApiPropertyOptional({ description: '$all commit position of the last event', example: '40213' })
  position?: string;

  @ApiProperty({ type: [EventView] })
  events!: EventView[];
}

/**
 * The answer to a command on a line (placing, pressing a speed dial, answering…): its events, the
 * stream revision and position they reached, and the call it is about, when it is about one.
 */
export const lineCommandResponse = (
  origin: CommandOrigin,
  outcome: CommandOutcome<LineEvent>,
  callId: string | undefined,
): LineCommandResponse => ({
  commandId: origin.commandId,
  duplicate: outcome.duplicate,
  ...(callId !== undefined ? { callId } : {}),
  ...(outcome.revision !== undefined ? { revision: outcome.revision.toString() } : {}),
  ...(outcome.position !== undefined ? { position: outcome.position.toString() } : {}),
  events: outcome.events.map(({ type, data }) => ({ type, data: { ...data } })),
});
