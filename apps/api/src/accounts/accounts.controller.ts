import { Controller, Get, Param } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ReasonResponses } from '#http';
import type { AccountCommand } from '#domain';
import { accountStream } from '#events';
import { StreamDeletedDocs } from '../shared/command-docs.js';
import type { CommandOrigin } from '../shared/command-metadata.js';
import { AN_ID, CommandEndpoints, type PathParameter } from '../shared/command-endpoints.js';
import { CommandRoute } from '../shared/command-route.js';
import { PhoneNumberPipe } from '../shared/phone-number.pipe.js';
import { ValidIdPipe } from '../shared/valid-id.pipe.js';
import { ExecuteAccountCommand } from './account.command.js';
import { AccountRepository } from './account.repository.js';
import { CommandResponseDto, commandResponse, type CommandResponse } from './account.response.js';
import { ACCOUNT_ROUTES, type AccountRoute, type RouteParam } from './account.routes.js';
import { accountView, type AccountView } from './account.view.js';
import type { AccountCommandDto } from './accounts.dto.js';

const PARAMETERS: Readonly<Record<RouteParam, PathParameter>> = {
  accountId: AN_ID,
  partyId: AN_ID,
  delegationId: AN_ID,
  number: { pipe: PhoneNumberPipe, type: String },
};

/** Each account route with its status and documentation, from the catalogue (`CommandRoute`). */
const ENDPOINTS = Object.fromEntries(
  Object.entries(ACCOUNT_ROUTES).map(([name, route]) => [
    name,
    {
      ...route,
      docs: [
        CommandRoute({
          summary: route.summary,
          commands: [route.command],
          created: route.created ?? false,
          answer: CommandResponseDto,
        }),
      ],
    },
  ]),
);

/**
 * Account commands over HTTP (SPEC R1–R10, R13, R14, R19). The endpoints are not written one by one:
 * each entry of `ACCOUNT_ROUTES` becomes one, validating its path and body, building its command and
 * dispatching it; the catalogue of reasons documents its refusals. Every rule is the decider's.
 */
// The account routes have always been documented with their last path parameter first.
@CommandEndpoints(ENDPOINTS, PARAMETERS, 'inPathOrder')
@ApiTags('accounts')
@Controller('accounts')
export class AccountsController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly repository: AccountRepository,
  ) {}

  @Get(':accountId')
  @ApiOperation({ summary: 'The account as the command side sees it: parties, delegations, policy' })
  @StreamDeletedDocs()
  @ApiOkResponse({
    description: 'Parties with licences and settings; delegations with status and permissions',
    schema: {
      type: 'object',
      required: ['accountId', 'name', 'admins', 'policy', 'revision', 'parties', 'delegations'],
      properties: {
        accountId: { type: 'string' },
        name: { type: 'string' },
        admins: { type: 'array', items: { type: 'string' } },
        policy: { type: 'object' },
        revision: { type: 'string' },
        parties: { type: 'array', items: { type: 'object' } },
        delegations: { type: 'array', items: { type: 'object' } },
      },
      example: {
        accountId: 'acme',
        name: 'Acme',
        admins: ['root'],
        policy: { delegationEnabled: true, maxDelegatesPerDelegator: 15 },
        revision: '3',
        parties: [{ partyId: 'alice', kind: 'phoneUser', name: 'Alice', directNumbers: ['+15550000001'] }],
        delegations: [
          { delegationId: 'alice-bob', delegatorId: 'alice', delegateId: 'bob', status: 'active' },
        ],
      },
    },
  })
  @ReasonResponses({ refusals: ['ACCOUNT_NOT_FOUND'], edge: ['INVALID_ID'] })
  async get(@Param('accountId', ValidIdPipe) accountId: string): Promise<AccountView> {
    const { state, revision } = await this.repository.load(accountStream(accountId));
    return accountView(state, revision);
  }

  /** Builds the command, dispatches it with the time it was sent for (R21) and shapes the answer. */
  async execute(
    route: AccountRoute,
    params: Readonly<Record<RouteParam, string>>,
    dto: AccountCommandDto,
    origin: CommandOrigin,
  ): Promise<CommandResponse> {
    const accountId = route.accountOf?.(dto as never) ?? params.accountId;
    const command = {
      type: route.command,
      actor: dto.actor,
      ...route.fields(dto as never, params, origin),
    } as AccountCommand;
    const outcome = await this.commandBus.execute(
      new ExecuteAccountCommand(accountId, { command, at: dto.at, origin }),
    );
    const response = commandResponse(origin, outcome, route.answerIds?.(dto as never));
    // Read back from the events, so a resend that got the first answer names the first delegation.
    const invited = outcome.events.find((event) => event.type === 'DelegateInvited');
    return invited ? { ...response, delegationId: invited.data.delegationId } : response;
  }
}
