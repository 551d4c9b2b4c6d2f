import {
  Body,
  Controller,
  Delete,
  Get,
  Param,
  Patch,
  Post,
  Put,
  type PipeTransform,
  type Type,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ReasonResponses } from '#http';
import type { AccountCommand } from '#domain';
import { accountStream } from '#events';
import { StreamDeletedDocs } from '../shared/command-docs.js';
import { Origin, type CommandOrigin } from '../shared/command-metadata.js';
import { CommandRoute } from '../shared/command-route.js';
import { PhoneNumberPipe } from '../shared/phone-number.pipe.js';
import { ValidIdPipe } from '../shared/valid-id.pipe.js';
import { ExecuteAccountCommand } from './account.command.js';
import { AccountRepository } from './account.repository.js';
import { CommandResponseDto, commandResponse, type CommandResponse } from './account.response.js';
import { ACCOUNT_ROUTES, type AccountRoute, type RouteParam } from './account.routes.js';
import { accountView, type AccountView } from './account.view.js';
import type { AccountCommandDto } from './accounts.dto.js';

/**
 * Account commands over HTTP (SPEC R1–R10, R13, R14, R19). The endpoints are not written one by one:
 * each entry of `ACCOUNT_ROUTES` becomes one, validating its path and body, building its command and
 * dispatching it; the catalogue of reasons documents its refusals. Every rule is the decider's.
 */
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

const METHODS = { POST: Post, PUT: Put, PATCH: Patch, DELETE: Delete } as const;

const PIPES: Readonly<Record<RouteParam, Type<PipeTransform>>> = {
  accountId: ValidIdPipe,
  partyId: ValidIdPipe,
  delegationId: ValidIdPipe,
  number: PhoneNumberPipe,
};

const paramsIn = (path: string): RouteParam[] =>
  [...path.matchAll(/:(\w+)/g)]
    .map(([, name]) => name as RouteParam)
    .filter((name) => Object.hasOwn(PIPES, name));

/**
 * One endpoint per route: a method named after the route whose parameters are the route's path
 * parameters (each through its pipe), the body (validated as the route's DTO) and the command's
 * origin, decorated as if written by hand, so Nest routes and validates it and OpenAPI documents it.
 */
for (const [name, route] of Object.entries(ACCOUNT_ROUTES)) {
  const params = paramsIn(route.path);
  const prototype = AccountsController.prototype;
  if (Object.getOwnPropertyNames(prototype).includes(name))
    throw new Error(`account route ${name} would replace the controller's own method`);
  const endpoint = function (this: AccountsController, ...args: unknown[]): Promise<CommandResponse> {
    const values = Object.fromEntries(params.map((param, index) => [param, args[index]]));
    const [dto, origin] = args.slice(params.length) as [AccountCommandDto, CommandOrigin];
    return this.execute(route, values as Record<RouteParam, string>, dto, origin);
  };
  Object.defineProperty(endpoint, 'name', { value: name });
  // A method of its own, beside `get` and `execute`: Nest scans the prototype's own methods.
  Object.defineProperty(prototype, name, { value: endpoint, writable: true, configurable: true });
  Reflect.defineMetadata(
    'design:paramtypes',
    [...params.map(() => String), route.body, Object],
    prototype,
    name,
  );
  Reflect.defineMetadata('design:returntype', Promise, prototype, name);
  params.forEach((param, index) => Param(param, PIPES[param])(prototype, name, index));
  Body()(prototype, name, params.length);
  Origin()(prototype, name, params.length + 1);
  const descriptor = Object.getOwnPropertyDescriptor(prototype, name)!;
  for (const decorate of [
    METHODS[route.method](route.path),
    CommandRoute({
      summary: route.summary,
      commands: [route.command],
      created: route.created ?? false,
      answer: CommandResponseDto,
    }),
  ])
    decorate(prototype, name, descriptor);
}
