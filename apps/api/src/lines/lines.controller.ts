import {
  Body,
  Controller,
  Delete,
  Get,
  NotFoundException,
  Param,
  Post,
  applyDecorators,
  type PipeTransform,
} from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ReasonResponses } from '#http';
import { randomUUID } from 'node:crypto';
import { untimed, type CommandType, type LineCommand, type Timed } from '#domain';
import type { LineEvent } from '#events';
import type { CommandOutcome } from '#eventstore';
import { StreamDeletedDocs } from '../shared/command-docs.js';
import { Origin, type CommandOrigin } from '../shared/command-metadata.js';
import { CommandRoute } from '../shared/command-route.js';
import { ValidIdPipe } from '../shared/valid-id.pipe.js';
import { LineNumberPipe, type LineNumber } from './line-number.pipe.js';
import { ExecuteLineCommand } from './line.command.js';
import { GetLine, type LineView } from './line.query.js';
import {
  ExternalPartyDto,
  HoldCallDto,
  IncomingCallDto,
  LineCommandDto,
  LineCommandResponse,
  PlaceCallDto,
  PrivacyLockDto,
  StartRecordingDto,
  TransferCallDto,
} from './lines.dto.js';

/** Commands on one call that need nothing but the actor (and the optional command id and `at`). */
const SIMPLE_CALL_COMMANDS = {
  answer: 'AnswerCall',
  decline: 'DeclineCall',
  resume: 'ResumeCall',
  'pick-up': 'PickUpHeldCall',
  join: 'JoinCall',
  merge: 'MergeHeldCall',
  'hang-up': 'HangUp',
} as const;

type SimpleCallAction = keyof typeof SIMPLE_CALL_COMMANDS;

/** Ids of new calls and recordings come in the command so that deciding never invents one. */
const newId = (prefix: string): string => `${prefix}-${randomUUID()}`;

/** The external party of a call acts without an account identity; a caller is named by its number. */
const EXTERNAL_PARTY = 'external';
const externalActor = (number: string): string => `${EXTERNAL_PARTY}:${number}`;

const accountParam = ApiParam({ name: 'accountId', example: 'acme' });
const numberParam = ApiParam({
  name: 'number',
  description: 'The shared line: a direct number of the delegator, with or without "+"',
  example: '+15550000001',
});
const callParam = ApiParam({ name: 'callId', example: 'call-002' });
/** A line command route: its status, its answer and its refusals from the catalogue (`CommandRoute`). */
const LineCommandRoute = (summary: string, commands: readonly CommandType[], created = false) =>
  applyDecorators(
    CommandRoute({ summary, commands, created, answer: LineCommandResponse, edge: ['INVALID_NUMBER'] }),
    accountParam,
    numberParam,
  );

const callIdIn = (events: readonly LineEvent[]): string | undefined => {
  for (const { data } of events) {
    const callId = (data as { callId?: unknown }).callId;
    if (typeof callId === 'string') return callId;
  }
  return undefined;
};

/** `:action` of the simple call commands; anything else is a route that does not exist. */
class CallActionPipe implements PipeTransform<string, SimpleCallAction> {
  transform(value: string): SimpleCallAction {
    if (Object.hasOwn(SIMPLE_CALL_COMMANDS, value)) return value as SimpleCallAction;
    throw new NotFoundException({
      code: 'NOT_FOUND',
      message: `There is no call action "${value}"; use one of ${Object.keys(SIMPLE_CALL_COMMANDS).join(', ')}, hold, privacy-lock, transfer, recordings, external-answer or external-hang-up.`,
    });
  }
}

/**
 * Shared lines (R10–R21): every command on a line and its calls. Thin: validate, dispatch one
 * `ExecuteLineCommand`, map the outcome; every rule is the domain's.
 */
@ApiTags('lines')
@Controller('accounts/:accountId/lines/:number')
export class LinesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @ApiOperation({ summary: "The command side's view of the line: the call in progress, inbox, totals" })
  @StreamDeletedDocs()
  @accountParam
  @numberParam
  @ApiOkResponse({
    description: 'The call in progress (null when the line is free), the shared inbox and totals',
    schema: {
      type: 'object',
      required: ['accountId', 'number', 'revision', 'busy', 'call', 'voicemails', 'recentCalls', 'totals'],
      properties: {
        accountId: { type: 'string' },
        number: { type: 'string' },
        revision: { type: 'string', nullable: true },
        busy: { type: 'boolean' },
        call: { type: 'object', nullable: true },
        voicemails: { type: 'array', items: { type: 'object' } },
        recentCalls: { type: 'array', items: { type: 'object' } },
        totals: { type: 'object' },
      },
      example: {
        accountId: 'acme',
        number: '+15550000001',
        revision: '4',
        busy: true,
        call: { callId: 'call-002', phase: 'connected', parties: ['bob'] },
        voicemails: [],
        recentCalls: [],
        totals: { calls: 2, missed: 0, voicemails: 0 },
      },
    },
  })
  @ReasonResponses({
    refusals: ['ACCOUNT_NOT_FOUND', 'LINE_NOT_FOUND'],
    edge: ['INVALID_ID', 'INVALID_NUMBER'],
  })
  view(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Param('number', LineNumberPipe) number: LineNumber,
  ): Promise<LineView> {
    return this.queries.execute(new GetLine(accountId, number));
  }

  @Post('calls')
  @LineCommandRoute(
    'Place a call on the shared line, as the delegator or on its behalf (R11, R12)',
    ['PlaceCallOnSharedLine'],
    true,
  )
  place(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Param('number', LineNumberPipe) number: LineNumber,
    @Body() dto: PlaceCallDto,
    @Origin() origin: CommandOrigin,
  ): Promise<LineCommandResponse> {
    const callId = dto.callId ?? newId('call');
    return this.run(accountId, number, origin, {
      type: 'PlaceCallOnSharedLine',
      callId,
      actor: dto.actor,
      to: dto.to,
      at: dto.at,
    });
  }

  @Post('incoming-calls')
  @LineCommandRoute(
    'An external number calls the line: it rings per R13/R19, or goes to voicemail if busy',
    ['ReceiveIncomingCall'],
    true,
  )
  incoming(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Param('number', LineNumberPipe) number: LineNumber,
    @Body() dto: IncomingCallDto,
    @Origin() origin: CommandOrigin,
  ): Promise<LineCommandResponse> {
    return this.run(accountId, number, origin, {
      type: 'ReceiveIncomingCall',
      callId: dto.callId ?? newId('call'),
      actor: externalActor(dto.from),
      from: dto.from,
      at: dto.at,
    });
  }

  @Post('calls/:callId/:action')
  @LineCommandRoute(
    'answer (R13, or a transfer ringing for you, R16) · decline (R14) · resume / pick-up (R15) · ' +
      'join / merge (R16) · hang-up',
    Object.values(SIMPLE_CALL_COMMANDS),
  )
  @callParam
  @ApiParam({ name: 'action', enum: Object.keys(SIMPLE_CALL_COMMANDS) })
  callAction(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Param('number', LineNumberPipe) number: LineNumber,
    @Param('callId', ValidIdPipe) callId: string,
    @Param('action', CallActionPipe) action: SimpleCallAction,
    @Body() dto: LineCommandDto,
    @Origin() origin: CommandOrigin,
  ): Promise<LineCommandResponse> {
    return this.run(accountId, number, origin, {
      type: SIMPLE_CALL_COMMANDS[action],
      callId,
      actor: dto.actor,
      at: dto.at,
    });
  }

  @Post('calls/:callId/hold')
  @LineCommandRoute('Hold the call; the delegator may lock it for privacy at the same time (R15)', [
    'HoldCall',
  ])
  @callParam
  hold(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Param('number', LineNumberPipe) number: LineNumber,
    @Param('callId', ValidIdPipe) callId: string,
    @Body() dto: HoldCallDto,
    @Origin() origin: CommandOrigin,
  ): Promise<LineCommandResponse> {
    return this.run(accountId, number, origin, {
      type: 'HoldCall',
      callId,
      actor: dto.actor,
      privacyLock: dto.privacyLock,
      at: dto.at,
    });
  }

  @Post('calls/:callId/privacy-lock')
  @LineCommandRoute('Lock or unlock the call for privacy, delegator only (R15)', ['SetCallPrivacyLock'])
  @callParam
  privacyLock(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Param('number', LineNumberPipe) number: LineNumber,
    @Param('callId', ValidIdPipe) callId: string,
    @Body() dto: PrivacyLockDto,
    @Origin() origin: CommandOrigin,
  ): Promise<LineCommandResponse> {
    return this.run(accountId, number, origin, {
      type: 'SetCallPrivacyLock',
      callId,
      actor: dto.actor,
      locked: dto.locked,
      at: dto.at,
    });
  }

  @Post('calls/:callId/transfer')
  @LineCommandRoute(
    'Transfer between delegator and delegate: the target rings; answer, decline or recall (R16)',
    ['TransferCall'],
  )
  @callParam
  transfer(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Param('number', LineNumberPipe) number: LineNumber,
    @Param('callId', ValidIdPipe) callId: string,
    @Body() dto: TransferCallDto,
    @Origin() origin: CommandOrigin,
  ): Promise<LineCommandResponse> {
    return this.run(accountId, number, origin, {
      type: 'TransferCall',
      callId,
      actor: dto.actor,
      to: dto.to,
      at: dto.at,
    });
  }

  @Post('calls/:callId/external-answer')
  @LineCommandRoute('The called external party answers an outgoing call (R12)', ['AnswerAsExternalParty'])
  @callParam
  externalAnswer(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Param('number', LineNumberPipe) number: LineNumber,
    @Param('callId', ValidIdPipe) callId: string,
    @Body() dto: ExternalPartyDto,
    @Origin() origin: CommandOrigin,
  ): Promise<LineCommandResponse> {
    return this.run(accountId, number, origin, {
      type: 'AnswerAsExternalParty',
      callId,
      actor: EXTERNAL_PARTY,
      at: dto.at,
    });
  }

  @Post('calls/:callId/external-hang-up')
  @LineCommandRoute('The external party hangs up; while the call rings, that abandons it (a missed call)', [
    'HangUpAsExternalParty',
  ])
  @callParam
  externalHangUp(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Param('number', LineNumberPipe) number: LineNumber,
    @Param('callId', ValidIdPipe) callId: string,
    @Body() dto: ExternalPartyDto,
    @Origin() origin: CommandOrigin,
  ): Promise<LineCommandResponse> {
    return this.run(accountId, number, origin, {
      type: 'HangUpAsExternalParty',
      callId,
      actor: EXTERNAL_PARTY,
      at: dto.at,
    });
  }

  @Post('calls/:callId/recordings')
  @LineCommandRoute(
    'Start recording the call; the recording is visible only to its starter (R18)',
    ['StartRecording'],
    true,
  )
  @callParam
  startRecording(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Param('number', LineNumberPipe) number: LineNumber,
    @Param('callId', ValidIdPipe) callId: string,
    @Body() dto: StartRecordingDto,
    @Origin() origin: CommandOrigin,
  ): Promise<LineCommandResponse> {
    return this.run(accountId, number, origin, {
      type: 'StartRecording',
      callId,
      recordingId: dto.recordingId ?? newId('rec'),
      actor: dto.actor,
      at: dto.at,
    });
  }

  @Post('calls/:callId/recordings/:recordingId/stop')
  @LineCommandRoute('Stop a recording; only its starter can (R18)', ['StopRecording'])
  @callParam
  @ApiParam({ name: 'recordingId', example: 'rec-001' })
  stopRecording(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Param('number', LineNumberPipe) number: LineNumber,
    @Param('callId', ValidIdPipe) callId: string,
    @Param('recordingId', ValidIdPipe) recordingId: string,
    @Body() dto: LineCommandDto,
    @Origin() origin: CommandOrigin,
  ): Promise<LineCommandResponse> {
    return this.run(accountId, number, origin, {
      type: 'StopRecording',
      callId,
      recordingId,
      actor: dto.actor,
      at: dto.at,
    });
  }

  @Post('voicemails/:messageId/read')
  @LineCommandRoute('Mark a voicemail of the shared inbox read, for everybody (R17)', ['ReadVoicemail'])
  @ApiParam({ name: 'messageId', example: 'call-002' })
  readVoicemail(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Param('number', LineNumberPipe) number: LineNumber,
    @Param('messageId', ValidIdPipe) messageId: string,
    @Body() dto: LineCommandDto,
    @Origin() origin: CommandOrigin,
  ): Promise<LineCommandResponse> {
    return this.run(accountId, number, origin, {
      type: 'ReadVoicemail',
      messageId,
      actor: dto.actor,
      at: dto.at,
    });
  }

  @Delete('voicemails/:messageId')
  @LineCommandRoute('Delete a voicemail for everybody; who deleted it and when is recorded (R17)', [
    'DeleteVoicemail',
  ])
  @ApiParam({ name: 'messageId', example: 'call-002' })
  deleteVoicemail(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Param('number', LineNumberPipe) number: LineNumber,
    @Param('messageId', ValidIdPipe) messageId: string,
    @Body() dto: LineCommandDto,
    @Origin() origin: CommandOrigin,
  ): Promise<LineCommandResponse> {
    return this.run(accountId, number, origin, {
      type: 'DeleteVoicemail',
      messageId,
      actor: dto.actor,
      at: dto.at,
    });
  }

  private async run(
    accountId: string,
    number: LineNumber,
    origin: CommandOrigin,
    timed: Timed<LineCommand>,
  ): Promise<LineCommandResponse> {
    const { command, at } = untimed(timed);
    const outcome: CommandOutcome<LineEvent> = await this.commands.execute(
      // A person asked: a stream holding an unreadable event of ours is refused, naming it (422).
      new ExecuteLineCommand(accountId, number, { command, at, origin }, 'refuse'),
    );
    // A resend is answered with the first result: its call is the one in the first events, not the
    // one this request named or had generated.
    const firstCallId = outcome.duplicate ? callIdIn(outcome.events) : undefined;
    return {
      commandId: origin.commandId,
      duplicate: outcome.duplicate,
      ...('callId' in command ? { callId: firstCallId ?? command.callId } : {}),
      ...(outcome.revision !== undefined ? { revision: outcome.revision.toString() } : {}),
      ...(outcome.position !== undefined ? { position: outcome.position.toString() } : {}),
      events: outcome.events.map(({ type, data }) => ({ type, data: { ...data } })),
    };
  }
}
