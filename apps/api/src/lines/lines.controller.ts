import {
  Controller,
  Get,
  NotFoundException,
  Param,
  applyDecorators,
  type PipeTransform,
  type Type,
} from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ReasonResponses } from '#http';
import { randomUUID } from 'node:crypto';
import { RECENT_CALLS_KEPT, untimed, type CommandType, type LineCommand, type Timed } from '#domain';
import type { LineEvent } from '#events';
import type { CommandOutcome } from '#eventstore';
import { StreamDeletedDocs } from '../shared/command-docs.js';
import type { CommandOrigin } from '../shared/command-metadata.js';
import {
  AN_ID,
  CommandEndpoints,
  type CommandEndpoint,
  type PathParameter,
} from '../shared/command-endpoints.js';
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
  lineCommandResponse,
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
 * The path of a command on a line: the line, and the call, recording or message it names (each
 * route reads only those its own path has).
 */
interface LinePath {
  readonly accountId: string;
  readonly number: LineNumber;
  readonly callId: string;
  readonly action: SimpleCallAction;
  readonly recordingId: string;
  readonly messageId: string;
}

/** How each parameter of the path is read and checked. */
const LINE_PARAMETERS: Readonly<Record<keyof LinePath, PathParameter>> = {
  accountId: AN_ID,
  // A parsed line number is an object: TypeScript would reflect a `LineNumber` parameter as Object.
  number: { pipe: LineNumberPipe, type: Object },
  callId: AN_ID,
  action: { pipe: CallActionPipe, type: String },
  recordingId: AN_ID,
  messageId: AN_ID,
};

/** What a route's command takes from the path besides the line. */
type CallPath = Omit<LinePath, 'accountId' | 'number'>;

/** A command route on a line; `command` builds the command from the validated body and the path. */
interface LineRoute extends CommandEndpoint {
  readonly command: (dto: never, path: CallPath) => Timed<LineCommand>;
}

/** A route whose command is built from a body of its own DTO class. */
const route = <Dto>(
  method: LineRoute['method'],
  path: string,
  body: Type<Dto>,
  docs: readonly MethodDecorator[],
  command: (dto: Dto, path: CallPath) => Timed<LineCommand>,
): LineRoute => ({ method, path, body, docs, command });

const recordingParam = ApiParam({ name: 'recordingId', example: 'rec-001' });
const messageParam = ApiParam({ name: 'messageId', example: 'call-002' });

/**
 * Every command on a line and its calls (R10–R21), one entry each: the controller registers one
 * endpoint per entry (`CommandEndpoints`). `docs` are bottom-up, as if stacked on a method.
 */
const LINE_ROUTES: Readonly<Record<string, LineRoute>> = {
  place: route(
    'POST',
    'calls',
    PlaceCallDto,
    [
      LineCommandRoute(
        'Place a call on the shared line, as the delegator or on its behalf (R11, R12)',
        ['PlaceCallOnSharedLine'],
        true,
      ),
    ],
    (dto) => ({
      type: 'PlaceCallOnSharedLine',
      callId: dto.callId ?? newId('call'),
      actor: dto.actor,
      to: dto.to,
      at: dto.at,
    }),
  ),
  incoming: route(
    'POST',
    'incoming-calls',
    IncomingCallDto,
    [
      LineCommandRoute(
        'An external number calls the line: it rings per R13/R19, or goes to voicemail if busy',
        ['ReceiveIncomingCall'],
        true,
      ),
    ],
    (dto) => ({
      type: 'ReceiveIncomingCall',
      callId: dto.callId ?? newId('call'),
      actor: externalActor(dto.from),
      from: dto.from,
      at: dto.at,
    }),
  ),
  callAction: route(
    'POST',
    'calls/:callId/:action',
    LineCommandDto,
    [
      ApiParam({ name: 'action', enum: Object.keys(SIMPLE_CALL_COMMANDS) }),
      callParam,
      LineCommandRoute(
        'answer (R13, or a transfer ringing for you, R16) · decline (R14) · resume / pick-up (R15) · ' +
          'join / merge (R16) · hang-up',
        Object.values(SIMPLE_CALL_COMMANDS),
      ),
    ],
    (dto, { callId, action }) => ({
      type: SIMPLE_CALL_COMMANDS[action],
      callId,
      actor: dto.actor,
      at: dto.at,
    }),
  ),
  hold: route(
    'POST',
    'calls/:callId/hold',
    HoldCallDto,
    [
      callParam,
      LineCommandRoute('Hold the call; the delegator may lock it for privacy at the same time (R15)', [
        'HoldCall',
      ]),
    ],
    (dto, { callId }) => ({
      type: 'HoldCall',
      callId,
      actor: dto.actor,
      privacyLock: dto.privacyLock,
      at: dto.at,
    }),
  ),
  privacyLock: route(
    'POST',
    'calls/:callId/privacy-lock',
    PrivacyLockDto,
    [
      callParam,
      LineCommandRoute('Lock or unlock the call for privacy, delegator only (R15)', ['SetCallPrivacyLock']),
    ],
    (dto, { callId }) => ({
      type: 'SetCallPrivacyLock',
      callId,
      actor: dto.actor,
      locked: dto.locked,
      at: dto.at,
    }),
  ),
  transfer: route(
    'POST',
    'calls/:callId/transfer',
    TransferCallDto,
    [
      callParam,
      LineCommandRoute(
        'Transfer between delegator and delegate: the target rings; answer, decline or recall (R16)',
        ['TransferCall'],
      ),
    ],
    (dto, { callId }) => ({ type: 'TransferCall', callId, actor: dto.actor, to: dto.to, at: dto.at }),
  ),
  externalAnswer: route(
    'POST',
    'calls/:callId/external-answer',
    ExternalPartyDto,
    [
      callParam,
      LineCommandRoute('The called external party answers an outgoing call (R12)', ['AnswerAsExternalParty']),
    ],
    (dto, { callId }) => ({ type: 'AnswerAsExternalParty', callId, actor: EXTERNAL_PARTY, at: dto.at }),
  ),
  externalHangUp: route(
    'POST',
    'calls/:callId/external-hang-up',
    ExternalPartyDto,
    [
      callParam,
      LineCommandRoute(
        'The external party hangs up; while the call rings, that abandons it (a missed call)',
        ['HangUpAsExternalParty'],
      ),
    ],
    (dto, { callId }) => ({ type: 'HangUpAsExternalParty', callId, actor: EXTERNAL_PARTY, at: dto.at }),
  ),
  startRecording: route(
    'POST',
    'calls/:callId/recordings',
    StartRecordingDto,
    [
      callParam,
      LineCommandRoute(
        'Start recording the call; the recording is visible only to its starter (R18)',
        ['StartRecording'],
        true,
      ),
    ],
    (dto, { callId }) => ({
      type: 'StartRecording',
      callId,
      recordingId: dto.recordingId ?? newId('rec'),
      actor: dto.actor,
      at: dto.at,
    }),
  ),
  stopRecording: route(
    'POST',
    'calls/:callId/recordings/:recordingId/stop',
    LineCommandDto,
    [
      recordingParam,
      callParam,
      LineCommandRoute('Stop a recording; only its starter can (R18)', ['StopRecording']),
    ],
    (dto, { callId, recordingId }) => ({
      type: 'StopRecording',
      callId,
      recordingId,
      actor: dto.actor,
      at: dto.at,
    }),
  ),
  readVoicemail: route(
    'POST',
    'voicemails/:messageId/read',
    LineCommandDto,
    [
      messageParam,
      LineCommandRoute('Mark a voicemail of the shared inbox read, for everybody (R17)', ['ReadVoicemail']),
    ],
    (dto, { messageId }) => ({ type: 'ReadVoicemail', messageId, actor: dto.actor, at: dto.at }),
  ),
  deleteVoicemail: route(
    'DELETE',
    'voicemails/:messageId',
    LineCommandDto,
    [
      messageParam,
      LineCommandRoute('Delete a voicemail for everybody; who deleted it and when is recorded (R17)', [
        'DeleteVoicemail',
      ]),
    ],
    (dto, { messageId }) => ({ type: 'DeleteVoicemail', messageId, actor: dto.actor, at: dto.at }),
  ),
};

/**
 * Shared lines (R10–R21): every command on a line and its calls. Thin: validate, dispatch one
 * `ExecuteLineCommand`, map the outcome; every rule is the domain's.
 */
@CommandEndpoints(LINE_ROUTES, LINE_PARAMETERS)
@ApiTags('lines')
@Controller('accounts/:accountId/lines/:number')
export class LinesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @ApiOperation({
    summary: "The command side's view of the line: the call in progress, inbox, recent calls, totals",
  })
  @StreamDeletedDocs()
  @accountParam
  @numberParam
  @ApiOkResponse({
    description:
      "The call in progress and the shared inbox, recent calls and totals of the number's current ownership (R10, R17): after the number passed from another party, none of that party's messages, calls or counts. A call of that party still on the line keeps it busy (R12), and shows only as previousOwnersCall: since when, not whose call it is or who is on it. Those recorded before owners were count as the current ownership's.",
    schema: {
      type: 'object',
      required: [
        'accountId',
        'number',
        'revision',
        'busy',
        'call',
        'previousOwnersCall',
        'voicemails',
        'recentCalls',
        'totals',
      ],
      properties: {
        accountId: { type: 'string' },
        number: { type: 'string' },
        revision: { type: 'string', nullable: true },
        busy: { type: 'boolean' },
        call: {
          type: 'object',
          nullable: true,
          description: "The call in progress of the number's current ownership (null when there is none)",
        },
        previousOwnersCall: {
          type: 'object',
          nullable: true,
          description:
            "A call of the number's previous owner still on the line (R10, R12): busy since when, nothing of whose it is",
          required: ['since'],
          properties: { since: { type: 'string', format: 'date-time' } },
        },
        voicemails: { type: 'array', items: { type: 'object' } },
        recentCalls: {
          type: 'array',
          description: `Newest last: the current ownership's among the line's last ${RECENT_CALLS_KEPT} finished calls, each with the owner it came for (null: recorded before owners were)`,
          items: {
            type: 'object',
            required: ['callId', 'owner', 'answeredBy', 'endedAs', 'at', 'recalledTransfers'],
            properties: {
              callId: { type: 'string' },
              owner: { type: 'string', nullable: true },
              answeredBy: { type: 'string', nullable: true },
              endedAs: { type: 'string', enum: ['ended', 'voicemail', 'abandoned'] },
              at: { type: 'string', format: 'date-time' },
              recalledTransfers: {
                type: 'array',
                description:
                  'R16: its transfers recalled from targets not on it since, the latest per target: whom a former target is told the call went back to, when and why',
                items: {
                  type: 'object',
                  required: ['attempt', 'target', 'backTo', 'reason', 'at'],
                  properties: {
                    attempt: { type: 'integer' },
                    target: { type: 'string' },
                    backTo: { type: 'string' },
                    reason: { type: 'string', enum: ['timeout', 'declined', 'targetNotAllowed'] },
                    at: { type: 'string', format: 'date-time' },
                  },
                },
              },
            },
          },
        },
        totals: {
          type: 'object',
          description:
            "The current ownership's calls, missed calls and messages left, over the number's whole log",
          required: ['calls', 'missed', 'voicemails'],
          properties: {
            calls: { type: 'integer' },
            missed: { type: 'integer' },
            voicemails: { type: 'integer' },
          },
        },
      },
      example: {
        accountId: 'acme',
        number: '+15550000001',
        revision: '4',
        busy: true,
        call: { callId: 'call-002', phase: 'connected', parties: ['bob'] },
        previousOwnersCall: null,
        voicemails: [],
        recentCalls: [
          {
            callId: 'call-001',
            owner: 'alice',
            answeredBy: 'bob',
            endedAs: 'ended',
            at: '2026-01-05T09:01:00.000Z',
            recalledTransfers: [],
          },
        ],
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

  /** Sends the route's command, with the time it was sent for (R21), and shapes the answer. */
  async execute(
    route: LineRoute,
    { accountId, number, ...path }: LinePath,
    dto: LineCommandDto | ExternalPartyDto,
    origin: CommandOrigin,
  ): Promise<LineCommandResponse> {
    // The body was validated as the route's own DTO, the one its `command` takes.
    const { command, at } = untimed(route.command(dto as never, path));
    const outcome: CommandOutcome<LineEvent> = await this.commands.execute(
      // A person asked: a stream holding an unreadable event of ours is refused, naming it (422).
      new ExecuteLineCommand(accountId, number, { command, at, origin }, 'refuse'),
    );
    // A resend is answered with the first result: its call is the one in the first events, not the
    // one this request named or had generated.
    const firstCallId = outcome.duplicate ? callIdIn(outcome.events) : undefined;
    return lineCommandResponse(
      origin,
      outcome,
      'callId' in command ? (firstCallId ?? command.callId) : undefined,
    );
  }
}
