import { Body, Controller, Delete, Param, Post, Put } from '@nestjs/common';
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
import { LineCommandResponse } from '../lines/lines.dto.js';
import { CommandRoute } from '../shared/command-route.js';
import { Origin, type CommandOrigin } from '../shared/command-metadata.js';
import { ValidIdPipe } from '../shared/valid-id.pipe.js';
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

/**
 * Speed dials (R22): a party's keys, edited by the party, an admin, or a delegate the party granted
 * `manageSpeedDials`; pressing a key places a call on a chosen line. Thin: validate, dispatch, map.
 */
@ApiTags('speed dials')
@Controller('accounts')
export class SpeedDialsController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post(LIST)
  @CommandRoute({
    summary: 'Add a speed-dial key to a party’s list (R22)',
    commands: ['AddSpeedDial'],
    created: true,
    answer: CommandResponseDto,
  })
  add(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Param('partyId', ValidIdPipe) ownerId: string,
    @Body() dto: AddSpeedDialDto,
    @Origin() origin: CommandOrigin,
  ): Promise<CommandResponse> {
    return this.run(
      accountId,
      origin,
      dto,
      (base) => ({
        type: 'AddSpeedDial',
        ...base,
        ownerId,
        entryId: dto.entryId,
        label: dto.label,
        number: dto.number,
        position: dto.position,
      }),
      { entryId: dto.entryId },
    );
  }

  @Put(`${ENTRY}/label`)
  @CommandRoute({
    summary: 'Relabel a speed-dial key (R22)',
    commands: ['RelabelSpeedDial'],
    answer: CommandResponseDto,
  })
  relabel(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Param('partyId', ValidIdPipe) ownerId: string,
    @Param('entryId', ValidIdPipe) entryId: string,
    @Body() dto: RelabelSpeedDialDto,
    @Origin() origin: CommandOrigin,
  ): Promise<CommandResponse> {
    return this.run(accountId, origin, dto, (base) => ({
      type: 'RelabelSpeedDial',
      ...base,
      ownerId,
      entryId,
      label: dto.label,
    }));
  }

  @Put(`${ENTRY}/position`)
  @CommandRoute({
    summary: 'Move a speed-dial key to a free key position (R22)',
    commands: ['MoveSpeedDial'],
    answer: CommandResponseDto,
  })
  move(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Param('partyId', ValidIdPipe) ownerId: string,
    @Param('entryId', ValidIdPipe) entryId: string,
    @Body() dto: MoveSpeedDialDto,
    @Origin() origin: CommandOrigin,
  ): Promise<CommandResponse> {
    return this.run(accountId, origin, dto, (base) => ({
      type: 'MoveSpeedDial',
      ...base,
      ownerId,
      entryId,
      position: dto.position,
    }));
  }

  @Delete(ENTRY)
  @CommandRoute({
    summary: 'Remove a speed-dial key (R22)',
    commands: ['RemoveSpeedDial'],
    answer: CommandResponseDto,
  })
  remove(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Param('partyId', ValidIdPipe) ownerId: string,
    @Param('entryId', ValidIdPipe) entryId: string,
    @Body() dto: ActorOnlyDto,
    @Origin() origin: CommandOrigin,
  ): Promise<CommandResponse> {
    return this.run(accountId, origin, dto, (base) => ({
      type: 'RemoveSpeedDial',
      ...base,
      ownerId,
      entryId,
    }));
  }

  @Put(':accountId/speed-dial-limit')
  @CommandRoute({
    summary: 'The account setting: speed-dial keys per party (R22, admin only; default 24)',
    commands: ['ChangeSpeedDialLimit'],
    answer: CommandResponseDto,
  })
  changeLimit(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Body() dto: ChangeSpeedDialLimitDto,
    @Origin() origin: CommandOrigin,
  ): Promise<CommandResponse> {
    return this.run(accountId, origin, dto, (base) => ({
      type: 'ChangeSpeedDialLimit',
      ...base,
      maxSpeedDials: dto.maxSpeedDials,
    }));
  }

  @Post(`${ENTRY}/calls`)
  @CommandRoute({
    summary:
      'Press a speed-dial key: place a call to its number on the chosen line, decided exactly as dialling ' +
      'the number there (R22 → R10–R12)',
    // Pressing is refused as removing the key would be (who may use the list, an unknown key), then as dialling.
    commands: ['RemoveSpeedDial', 'PlaceCallOnSharedLine'],
    created: true,
    answer: LineCommandResponse,
  })
  async call(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Param('partyId', ValidIdPipe) ownerId: string,
    @Param('entryId', ValidIdPipe) entryId: string,
    @Body() dto: SpeedDialCallDto,
    @Origin() origin: CommandOrigin,
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
    return {
      commandId: origin.commandId,
      duplicate: outcome.duplicate,
      callId: placed ? placed.data.callId : callId,
      ...(outcome.revision !== undefined ? { revision: outcome.revision.toString() } : {}),
      ...(outcome.position !== undefined ? { position: outcome.position.toString() } : {}),
      events: outcome.events.map(({ type, data }) => ({ type, data: { ...data } })),
    };
  }

  /** Dispatches the command with the time it was sent for (R21) and shapes the answer. */
  private async run(
    accountId: string,
    origin: CommandOrigin,
    dto: AccountCommandDto,
    build: (base: { actor: string }) => AccountCommand,
    resourceIds: Readonly<Record<string, string>> = {},
  ): Promise<CommandResponse> {
    const command = build({ actor: dto.actor });
    const outcome = await this.commandBus.execute(
      new ExecuteAccountCommand(accountId, { command, at: dto.at, origin }),
    );
    return commandResponse(origin, outcome, resourceIds);
  }
}
