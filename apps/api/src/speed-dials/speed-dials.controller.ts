import { Controller, type Type } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import type { AccountCommand } from '#domain';
import type { LineEvent } from '#events';
import type { CommandOutcome } from '#eventstore';
import { ExecuteAccountCommand } from '../accounts/account.command.js';
import { CommandResponseDto, commandResponse, type CommandResponse } from '../accounts/account.response.js';
import { ActorOnlyDto, type AccountCommandDto } from '../accounts/accounts.dto.js';
import { lineNumberOf } from '../lines/line-number.pipe.js';
import { LineCommandResponse, lineCommandResponse } from '../lines/lines.dto.js';
import { CommandRoute, type CommandRouteDocs } from '../shared/command-route.js';
import type { CommandOrigin } from '../shared/command-metadata.js';
import {
  AN_ID,
  CommandEndpoints,
  type CommandEndpoint,
  type PathParameter,
} from '../shared/command-endpoints.js';
import { PlaceSpeedDialCall } from './speed-dial-call.command.js';
import {
  AddSpeedDialDto,
  ChangeSpeedDialLimitDto,
  MoveSpeedDialDto,
  RelabelSpeedDialDto,
  SpeedDialCallDto,
} from './speed-dials.dto.js';

const LIST = ':accountId/parties/:partyId/speed-dials';
const ENTRY = `${LIST}/:entryId`;

/** The path of a speed-dial command: the account, and the list's owner and key where it names them. */
interface SpeedDialPath {
  readonly accountId: string;
  readonly partyId: string;
  readonly entryId: string;
}

/** How each parameter of the path is read and checked. */
const SPEED_DIAL_PARAMETERS: Readonly<Record<keyof SpeedDialPath, PathParameter>> = {
  accountId: AN_ID,
  partyId: AN_ID,
  entryId: AN_ID,
};

/** A speed-dial route; `send` dispatches its command and shapes the answer. */
interface SpeedDialRoute extends CommandEndpoint {
  readonly send: (
    controller: SpeedDialsController,
    path: SpeedDialPath,
    dto: never,
    origin: CommandOrigin,
  ) => Promise<CommandResponse | LineCommandResponse>;
}

/** The fields of account command `T` a route builds; `type` is the route's and `actor` the body's. */
type FieldsOf<T extends AccountCommand['type']> = Omit<
  Extract<AccountCommand, { type: T }>,
  'type' | 'actor'
>;

/** What a route sending an account command says beyond its method, path and command. */
interface EditingRoute<T extends AccountCommand['type'], Dto> extends Omit<
  CommandRouteDocs,
  'answer' | 'commands'
> {
  /** The body, of the route's own DTO class. */
  readonly body: Type<Dto>;
  /** The command's fields, from the body and the path. */
  readonly fields: (dto: Dto, path: SpeedDialPath) => FieldsOf<T>;
  /** Ids of what the command created, added to the answer. */
  readonly resourceIds?: (dto: Dto) => Readonly<Record<string, string>>;
}

/**
 * A route sending account command `command`, built from its body and its path; the command is the one
 * the route documents.
 */
const editing = <T extends AccountCommand['type'], Dto extends AccountCommandDto>(
  method: SpeedDialRoute['method'],
  path: string,
  command: T,
  { body, fields, resourceIds, ...docs }: EditingRoute<T, Dto>,
): SpeedDialRoute => ({
  method,
  path,
  body,
  docs: [CommandRoute({ ...docs, commands: [command], answer: CommandResponseDto })],
  send: (controller, path, dto: Dto, origin) =>
    controller.dispatch(
      path.accountId,
      // Command `T` with its fields: TypeScript cannot tie the spread back to the union member.
      { type: command, actor: dto.actor, ...fields(dto, path) } as unknown as AccountCommand,
      dto,
      origin,
      resourceIds?.(dto),
    ),
});

/** The key a path names: its owner's list and its entry. */
const keyOf = ({ partyId, entryId }: SpeedDialPath) => ({ ownerId: partyId, entryId });

/** Every speed-dial command (R22), one entry each, registered as endpoints by `CommandEndpoints`. */
const SPEED_DIAL_ROUTES: Readonly<Record<string, SpeedDialRoute>> = {
  add: editing('POST', LIST, 'AddSpeedDial', {
    summary: 'Add a speed-dial key to a party’s list (R22)',
    created: true,
    body: AddSpeedDialDto,
    fields: (dto, { partyId }) => ({
      ownerId: partyId,
      entryId: dto.entryId,
      label: dto.label,
      number: dto.number,
      position: dto.position,
    }),
    resourceIds: (dto) => ({ entryId: dto.entryId }),
  }),
  relabel: editing('PUT', `${ENTRY}/label`, 'RelabelSpeedDial', {
    summary: 'Relabel a speed-dial key (R22)',
    body: RelabelSpeedDialDto,
    fields: (dto, path) => ({ ...keyOf(path), label: dto.label }),
  }),
  move: editing('PUT', `${ENTRY}/position`, 'MoveSpeedDial', {
    summary: 'Move a speed-dial key to a free key position (R22)',
    body: MoveSpeedDialDto,
    fields: (dto, path) => ({ ...keyOf(path), position: dto.position }),
  }),
  remove: editing('DELETE', ENTRY, 'RemoveSpeedDial', {
    summary: 'Remove a speed-dial key (R22)',
    body: ActorOnlyDto,
    fields: (_dto, path) => keyOf(path),
  }),
  changeLimit: editing('PUT', ':accountId/speed-dial-limit', 'ChangeSpeedDialLimit', {
    summary: 'The account setting: speed-dial keys per party (R22, admin only; default 24)',
    body: ChangeSpeedDialLimitDto,
    fields: (dto) => ({ maxSpeedDials: dto.maxSpeedDials }),
  }),
  call: {
    method: 'POST',
    path: `${ENTRY}/calls`,
    body: SpeedDialCallDto,
    docs: [
      CommandRoute({
        summary:
          'Press a speed-dial key: place a call to its number on the chosen line, decided exactly as dialling ' +
          'the number there (R22 → R10–R12)',
        // Pressing is refused as removing the key would be (who may use the list, an unknown key), then as dialling.
        commands: ['RemoveSpeedDial', 'PlaceCallOnSharedLine'],
        created: true,
        answer: LineCommandResponse,
      }),
    ],
    send: (controller, path, dto: SpeedDialCallDto, origin) => controller.press(path, dto, origin),
  },
};

/**
 * Speed dials (R22): a party's keys, edited by the party, an admin, or a delegate the party granted
 * `manageSpeedDials`; pressing a key places a call on a chosen line. Thin: validate, dispatch, map.
 */
@CommandEndpoints(SPEED_DIAL_ROUTES, SPEED_DIAL_PARAMETERS)
@ApiTags('speed dials')
@Controller('accounts')
export class SpeedDialsController {
  constructor(private readonly commandBus: CommandBus) {}

  /** Presses the key: the call is placed on the chosen line as dialling its number would be. */
  async press(
    { accountId, partyId: ownerId, entryId }: SpeedDialPath,
    dto: SpeedDialCallDto,
    origin: CommandOrigin,
  ): Promise<LineCommandResponse> {
    const callId = dto.callId ?? `call-${randomUUID()}`;
    const outcome: CommandOutcome<LineEvent> = await this.commandBus.execute(
      new PlaceSpeedDialCall(
        accountId,
        ownerId,
        entryId,
        lineNumberOf(dto.line.slice(1)),
        { actor: dto.actor, callId, at: dto.at },
        origin,
      ),
    );
    // A resend answers with the first result: its call is the one in the first events.
    const placed = outcome.events.find((event) => event.type === 'CallPlacedOnSharedLine');
    return lineCommandResponse(origin, outcome, placed ? placed.data.callId : callId);
  }

  /** Sends the route's command: each route says how (`send`). */
  execute(
    route: SpeedDialRoute,
    path: SpeedDialPath,
    dto: AccountCommandDto,
    origin: CommandOrigin,
  ): Promise<CommandResponse | LineCommandResponse> {
    return route.send(this, path, dto as never, origin);
  }

  /** Dispatches an account command with the time it was sent for (R21) and shapes the answer. */
  async dispatch(
    accountId: string,
    command: AccountCommand,
    dto: AccountCommandDto,
    origin: CommandOrigin,
    resourceIds: Readonly<Record<string, string>> = {},
  ): Promise<CommandResponse> {
    const outcome = await this.commandBus.execute(
      new ExecuteAccountCommand(accountId, { command, at: dto.at, origin }),
    );
    return commandResponse(origin, outcome, resourceIds);
  }
}
