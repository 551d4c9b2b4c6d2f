import { Body, Controller, Param, Put } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { ExecuteAccountCommand } from '../accounts/account.command.js';
import { CommandResponseDto, commandResponse, type CommandResponse } from '../accounts/account.response.js';
import { CommandRoute } from '../shared/command-route.js';
import { Origin, type CommandOrigin } from '../shared/command-metadata.js';
import { PhoneNumberPipe } from '../shared/phone-number.pipe.js';
import { ValidIdPipe } from '../shared/valid-id.pipe.js';
import { NameLineDto } from './line-names.dto.js';

/** Named shared lines (R23): the owner of a direct number, or an admin, names it. */
@ApiTags('accounts')
@Controller('accounts')
export class LineNamesController {
  constructor(private readonly commandBus: CommandBus) {}

  @Put(':accountId/parties/:partyId/lines/:number/name')
  @CommandRoute({
    summary: 'Name (or rename, or with null unname) one of a party’s direct numbers (R23)',
    commands: ['NameLine'],
    answer: CommandResponseDto,
  })
  async name(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Param('partyId', ValidIdPipe) partyId: string,
    @Param('number', PhoneNumberPipe) number: string,
    @Body() dto: NameLineDto,
    @Origin() origin: CommandOrigin,
  ): Promise<CommandResponse> {
    const outcome = await this.commandBus.execute(
      new ExecuteAccountCommand(accountId, {
        command: {
          type: 'NameLine',
          actor: dto.actor,
          partyId,
          // Parties keep their numbers in E.164; the path may leave out the "+".
          number: number.startsWith('+') ? number : `+${number}`,
          name: dto.name,
        },
        at: dto.at,
        origin,
      }),
    );
    return commandResponse(origin, outcome);
  }
}
