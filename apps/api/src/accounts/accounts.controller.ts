import { Body, Controller, Delete, Get, Param, Patch, Post, Put } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { createHash } from 'node:crypto';
import type { AccountCommand } from '#domain';
import type { AccountPolicy } from '#events';
import { ClockService } from '../clock/clock.service.js';
import { StreamDeletedDocs } from '../shared/command-docs.js';
import { Origin, type CommandOrigin } from '../shared/command-metadata.js';
import { PhoneNumberPipe } from '../shared/phone-number.pipe.js';
import { ValidIdPipe } from '../shared/valid-id.pipe.js';
import { ExecuteAccountCommand } from './account.command.js';
import { AccountRepository, accountStream } from './account.repository.js';
import { AccountCommandDocs, commandResponse, type CommandResponse } from './account.response.js';
import { accountView, type AccountView } from './account.view.js';
import {
  AccountPolicyDto,
  ActorOnlyDto,
  AddVipContactDto,
  ChangeAccountPolicyDto,
  ChangeAssistantDto,
  ChangeCallingPlanDto,
  ChangeDirectNumbersDto,
  ChangePermissionsDto,
  ChangePowerPackDto,
  ChangeRingTimeoutDto,
  ChangeSharedLinesDto,
  ChangeVipRoutingDto,
  CreateAccountDto,
  InviteDelegateDto,
  ProvisionCommonAreaPhoneDto,
  ProvisionPhoneUserDto,
  ReportDesktopClientDto,
  SetBusinessHoursDto,
  type AccountCommandDto,
  type BusinessHoursDto,
} from './accounts.dto.js';

/** Who sends a command and when it happens: the part every account command shares. */
interface CommandBase {
  readonly actor: string;
  readonly now: string;
}

/** Validated DTOs are class instances whose unset optional fields exist as `undefined`: drop them. */
const given = <T extends object>(fields: T): Partial<T> =>
  Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;

const policyOf = (dto: AccountPolicyDto): Partial<AccountPolicy> => given({ ...dto });

const hoursOf = (dto: BusinessHoursDto | null) =>
  dto && {
    utcOffsetMinutes: dto.utcOffsetMinutes,
    windows: dto.windows.map(({ day, from, to }) => ({ day, from, to })),
  };

/**
 * The id of a delegation the client did not name, derived from the command id: a resend of the
 * command (after a lost answer, or racing the first on another api instance) decides the same
 * events, so the store's idempotent append and the repository's first result agree on the id.
 */
const delegationIdFor = (commandId: string): string =>
  createHash('sha256').update(`delegation:${commandId}`).digest('hex').slice(0, 32);

const PARTY = 'parties/:partyId';
const DELEGATION = 'delegations/:delegationId';

/**
 * One endpoint per account command (SPEC R1–R10, R19 list). Each validates its body, builds the
 * domain command and dispatches it; every rule is the decider's.
 */
@ApiTags('accounts')
@Controller('accounts')
export class AccountsController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly clock: ClockService,
    private readonly repository: AccountRepository,
  ) {}

  @Get(':accountId')
  @ApiOperation({ summary: 'The account as the command side sees it: parties, delegations, policy' })
  @StreamDeletedDocs()
  @ApiOkResponse({
    description: 'Parties with licences and settings; delegations with status and permissions',
  })
  async get(@Param('accountId', ValidIdPipe) accountId: string): Promise<AccountView> {
    const { state, revision } = await this.repository.load(accountStream(accountId));
    return accountView(state, revision);
  }

  // ── Account ────────────────────────────────────────────────────────────────────────────────────

  @Post()
  @AccountCommandDocs('Create an account; the actor becomes its first admin (R1, R8 limits in the policy)', {
    created: true,
    conflicts: ['ACCOUNT_ALREADY_EXISTS'],
    unprocessable: ['INVALID_DELEGATION_LIMIT', 'INVALID_VERSION'],
  })
  createAccount(@Body() dto: CreateAccountDto, @Origin() origin: CommandOrigin): Promise<CommandResponse> {
    return this.run(dto.accountId, origin, dto, (base) => ({
      type: 'CreateAccount',
      ...base,
      accountId: dto.accountId,
      name: dto.name,
      ...given({ admins: dto.admins, policy: dto.policy && policyOf(dto.policy) }),
    }));
  }

  @Patch(':accountId/policy')
  @AccountCommandDocs('Change account policy fields (R3, R4, R5, R7 auto-activation, R8 limits)', {
    unprocessable: ['ADMIN_ONLY', 'INVALID_DELEGATION_LIMIT', 'INVALID_VERSION'],
  })
  changePolicy(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Body() dto: ChangeAccountPolicyDto,
    @Origin() origin: CommandOrigin,
  ): Promise<CommandResponse> {
    return this.run(accountId, origin, dto, (base) => ({
      type: 'ChangeAccountPolicy',
      ...base,
      policy: policyOf(dto.policy),
    }));
  }

  // ── Parties ────────────────────────────────────────────────────────────────────────────────────

  @Post(':accountId/phone-users')
  @AccountCommandDocs('Provision a phone user with direct numbers and a licence (R1, R2, R4, R5)', {
    created: true,
    conflicts: ['PARTY_ALREADY_EXISTS', 'NUMBER_ALREADY_ASSIGNED'],
    unprocessable: [
      'ADMIN_ONLY',
      'NO_DIRECT_NUMBER',
      'INVALID_NUMBER',
      'DUPLICATE_NUMBER',
      'INVALID_VERSION',
    ],
  })
  provisionPhoneUser(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Body() dto: ProvisionPhoneUserDto,
    @Origin() origin: CommandOrigin,
  ): Promise<CommandResponse> {
    return this.run(
      accountId,
      origin,
      dto,
      (base) => ({
        type: 'ProvisionPhoneUser',
        ...base,
        partyId: dto.partyId,
        name: dto.name,
        directNumbers: dto.directNumbers,
        callingPlan: dto.callingPlan,
        powerPack: dto.powerPack ?? false,
        assistantEnabled: dto.assistantEnabled ?? false,
        desktopClient: dto.desktopClient
          ? { platform: dto.desktopClient.platform, version: dto.desktopClient.version }
          : null,
      }),
      { partyId: dto.partyId },
    );
  }

  @Post(':accountId/common-area-phones')
  @AccountCommandDocs('Provision a common-area phone (R1, R2, R5)', {
    created: true,
    conflicts: ['PARTY_ALREADY_EXISTS', 'NUMBER_ALREADY_ASSIGNED'],
    unprocessable: ['ADMIN_ONLY', 'NO_DIRECT_NUMBER', 'INVALID_NUMBER', 'DUPLICATE_NUMBER'],
  })
  provisionCommonAreaPhone(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Body() dto: ProvisionCommonAreaPhoneDto,
    @Origin() origin: CommandOrigin,
  ): Promise<CommandResponse> {
    return this.run(
      accountId,
      origin,
      dto,
      (base) => ({
        type: 'ProvisionCommonAreaPhone',
        ...base,
        partyId: dto.partyId,
        name: dto.name,
        directNumbers: dto.directNumbers,
        callingPlan: dto.callingPlan,
        powerPack: dto.powerPack ?? false,
      }),
      { partyId: dto.partyId },
    );
  }

  @Put(`:accountId/${PARTY}/direct-numbers`)
  @AccountCommandDocs('Replace a party’s direct numbers (R1; numbers shared by a delegation stay, R10)', {
    conflicts: ['NUMBER_ALREADY_ASSIGNED', 'NUMBER_SHARED_BY_DELEGATION'],
    unprocessable: ['ADMIN_ONLY', 'NO_DIRECT_NUMBER', 'INVALID_NUMBER', 'DUPLICATE_NUMBER'],
    notFound: ['PARTY_NOT_FOUND'],
  })
  changeDirectNumbers(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Param('partyId', ValidIdPipe) partyId: string,
    @Body() dto: ChangeDirectNumbersDto,
    @Origin() origin: CommandOrigin,
  ): Promise<CommandResponse> {
    return this.run(accountId, origin, dto, (base) => ({
      type: 'ChangeDirectNumbers',
      ...base,
      partyId,
      directNumbers: dto.directNumbers,
    }));
  }

  @Put(`:accountId/${PARTY}/calling-plan`)
  @AccountCommandDocs('Change a party’s calling plan (R2: `none` ends its part in delegation)', {
    unprocessable: ['ADMIN_ONLY'],
    notFound: ['PARTY_NOT_FOUND'],
  })
  changeCallingPlan(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Param('partyId', ValidIdPipe) partyId: string,
    @Body() dto: ChangeCallingPlanDto,
    @Origin() origin: CommandOrigin,
  ): Promise<CommandResponse> {
    return this.run(accountId, origin, dto, (base) => ({
      type: 'ChangeCallingPlan',
      ...base,
      partyId,
      callingPlan: dto.callingPlan,
    }));
  }

  @Put(`:accountId/${PARTY}/power-pack`)
  @AccountCommandDocs('Assign or remove the Power Pack add-on (R5)', {
    unprocessable: ['ADMIN_ONLY'],
    notFound: ['PARTY_NOT_FOUND'],
  })
  changePowerPack(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Param('partyId', ValidIdPipe) partyId: string,
    @Body() dto: ChangePowerPackDto,
    @Origin() origin: CommandOrigin,
  ): Promise<CommandResponse> {
    return this.run(accountId, origin, dto, (base) => ({
      type: 'ChangePowerPack',
      ...base,
      partyId,
      powerPack: dto.powerPack,
    }));
  }

  @Put(`:accountId/${PARTY}/assistant`)
  @AccountCommandDocs('Enable or disable the Assistant for a phone user (R4)', {
    unprocessable: ['ADMIN_ONLY', 'NOT_A_PHONE_USER'],
    notFound: ['PARTY_NOT_FOUND'],
  })
  changeAssistant(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Param('partyId', ValidIdPipe) partyId: string,
    @Body() dto: ChangeAssistantDto,
    @Origin() origin: CommandOrigin,
  ): Promise<CommandResponse> {
    return this.run(accountId, origin, dto, (base) => ({
      type: 'ChangeAssistant',
      ...base,
      partyId,
      assistantEnabled: dto.assistantEnabled,
    }));
  }

  @Put(`:accountId/${PARTY}/desktop-client`)
  @AccountCommandDocs('Report the desktop client a phone user runs (R4)', {
    unprocessable: ['ACTOR_NOT_ALLOWED', 'NOT_A_PHONE_USER', 'INVALID_VERSION'],
    notFound: ['PARTY_NOT_FOUND'],
  })
  reportDesktopClient(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Param('partyId', ValidIdPipe) partyId: string,
    @Body() dto: ReportDesktopClientDto,
    @Origin() origin: CommandOrigin,
  ): Promise<CommandResponse> {
    return this.run(accountId, origin, dto, (base) => ({
      type: 'ReportDesktopClient',
      ...base,
      partyId,
      desktopClient: { platform: dto.platform, version: dto.version },
    }));
  }

  @Put(`:accountId/${PARTY}/business-hours`)
  @AccountCommandDocs('Set the business hours of a party’s lines; null means always open (R13)', {
    unprocessable: ['ACTOR_NOT_ALLOWED', 'INVALID_BUSINESS_HOURS'],
    notFound: ['PARTY_NOT_FOUND'],
  })
  setBusinessHours(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Param('partyId', ValidIdPipe) partyId: string,
    @Body() dto: SetBusinessHoursDto,
    @Origin() origin: CommandOrigin,
  ): Promise<CommandResponse> {
    return this.run(accountId, origin, dto, (base) => ({
      type: 'SetBusinessHours',
      ...base,
      partyId,
      businessHours: hoursOf(dto.businessHours),
    }));
  }

  @Put(`:accountId/${PARTY}/ring-timeout`)
  @AccountCommandDocs('Change how long calls to a party’s lines ring before voicemail (R14)', {
    unprocessable: ['ACTOR_NOT_ALLOWED', 'INVALID_RING_TIMEOUT'],
    notFound: ['PARTY_NOT_FOUND'],
  })
  changeRingTimeout(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Param('partyId', ValidIdPipe) partyId: string,
    @Body() dto: ChangeRingTimeoutDto,
    @Origin() origin: CommandOrigin,
  ): Promise<CommandResponse> {
    return this.run(accountId, origin, dto, (base) => ({
      type: 'ChangeRingTimeout',
      ...base,
      partyId,
      ringTimeoutSeconds: dto.ringTimeoutSeconds,
    }));
  }

  // ── Per-user delegation settings (R3) ──────────────────────────────────────────────────────────

  @Post(`:accountId/${PARTY}/delegation-enabled`)
  @AccountCommandDocs('Enable call delegation for a user (R3)', {
    unprocessable: ['ACTOR_NOT_ALLOWED', 'DELEGATION_LOCKED'],
    notFound: ['PARTY_NOT_FOUND'],
  })
  enableDelegation(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Param('partyId', ValidIdPipe) partyId: string,
    @Body() dto: ActorOnlyDto,
    @Origin() origin: CommandOrigin,
  ): Promise<CommandResponse> {
    return this.run(accountId, origin, dto, (base) => ({
      type: 'EnableDelegationForUser',
      ...base,
      partyId,
    }));
  }

  @Delete(`:accountId/${PARTY}/delegation-enabled`)
  @AccountCommandDocs('Disable call delegation for a user (R3)', {
    unprocessable: ['ACTOR_NOT_ALLOWED', 'DELEGATION_LOCKED'],
    notFound: ['PARTY_NOT_FOUND'],
  })
  disableDelegation(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Param('partyId', ValidIdPipe) partyId: string,
    @Body() dto: ActorOnlyDto,
    @Origin() origin: CommandOrigin,
  ): Promise<CommandResponse> {
    return this.run(accountId, origin, dto, (base) => ({
      type: 'DisableDelegationForUser',
      ...base,
      partyId,
    }));
  }

  @Post(`:accountId/${PARTY}/delegation-lock`)
  @AccountCommandDocs('Admin lock: freeze a user’s delegation settings (R3)', {
    conflicts: ['PENDING_INVITATION_BLOCKS_LOCK'],
    unprocessable: ['ADMIN_ONLY'],
    notFound: ['PARTY_NOT_FOUND'],
  })
  lockDelegation(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Param('partyId', ValidIdPipe) partyId: string,
    @Body() dto: ActorOnlyDto,
    @Origin() origin: CommandOrigin,
  ): Promise<CommandResponse> {
    return this.run(accountId, origin, dto, (base) => ({ type: 'LockDelegation', ...base, partyId }));
  }

  @Delete(`:accountId/${PARTY}/delegation-lock`)
  @AccountCommandDocs('Lift an admin lock (R3)', {
    unprocessable: ['ADMIN_ONLY'],
    notFound: ['PARTY_NOT_FOUND'],
  })
  unlockDelegation(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Param('partyId', ValidIdPipe) partyId: string,
    @Body() dto: ActorOnlyDto,
    @Origin() origin: CommandOrigin,
  ): Promise<CommandResponse> {
    return this.run(accountId, origin, dto, (base) => ({ type: 'UnlockDelegation', ...base, partyId }));
  }

  // ── Delegations (R6–R10) ───────────────────────────────────────────────────────────────────────

  @Post(':accountId/delegations')
  @AccountCommandDocs('Invite a delegate with permissions and shared lines (R2, R3, R5–R10)', {
    created: true,
    conflicts: [
      'DELEGATE_LIMIT_REACHED',
      'DELEGATOR_LIMIT_REACHED',
      'DELEGATION_ALREADY_EXISTS',
      'DELEGATION_ID_TAKEN',
    ],
    unprocessable: [
      'SELF_DELEGATION',
      'NO_CALLING_PLAN',
      'DELEGATION_DISABLED_FOR_ACCOUNT',
      'DELEGATION_DISABLED_FOR_USER',
      'DELEGATION_LOCKED',
      'NO_CORE_PERMISSION',
      'OPT_IN_OUT_NEEDS_ANSWER_CALLS',
      'POWER_PACK_REQUIRED',
      'NO_SHARED_LINE',
      'SHARED_LINE_NOT_OWNED',
      'ACTOR_NOT_ALLOWED',
    ],
    notFound: ['PARTY_NOT_FOUND'],
  })
  async invite(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Body() dto: InviteDelegateDto,
    @Origin() origin: CommandOrigin,
  ): Promise<CommandResponse> {
    const response = await this.run(accountId, origin, dto, (base) => ({
      type: 'InviteDelegate',
      ...base,
      delegationId: dto.delegationId ?? delegationIdFor(origin.commandId),
      delegatorId: dto.delegatorId,
      delegateId: dto.delegateId,
      permissions: dto.permissions,
      sharedLines: dto.sharedLines,
    }));
    // Read back from the events, so a resend that got the first answer names the first delegation.
    const invited = response.events.find((event) => event.type === 'DelegateInvited');
    return invited ? { ...response, delegationId: invited.data.delegationId } : response;
  }

  @Post(`:accountId/${DELEGATION}/accept`)
  @AccountCommandDocs('The delegate accepts an invitation (R7; R2–R4 must hold for both parties)', {
    conflicts: ['INVITATION_NOT_PENDING'],
    unprocessable: [
      'ACTOR_NOT_ALLOWED',
      'NO_CALLING_PLAN',
      'DELEGATION_DISABLED_FOR_USER',
      'ASSISTANT_DISABLED',
    ],
    notFound: ['DELEGATION_NOT_FOUND'],
  })
  accept(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Param('delegationId', ValidIdPipe) delegationId: string,
    @Body() dto: ActorOnlyDto,
    @Origin() origin: CommandOrigin,
  ): Promise<CommandResponse> {
    return this.run(accountId, origin, dto, (base) => ({ type: 'AcceptInvitation', ...base, delegationId }));
  }

  @Post(`:accountId/${DELEGATION}/decline`)
  @AccountCommandDocs('The delegate declines an invitation (R7)', {
    conflicts: ['INVITATION_NOT_PENDING'],
    unprocessable: ['ACTOR_NOT_ALLOWED'],
    notFound: ['DELEGATION_NOT_FOUND'],
  })
  decline(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Param('delegationId', ValidIdPipe) delegationId: string,
    @Body() dto: ActorOnlyDto,
    @Origin() origin: CommandOrigin,
  ): Promise<CommandResponse> {
    return this.run(accountId, origin, dto, (base) => ({ type: 'DeclineInvitation', ...base, delegationId }));
  }

  @Post(`:accountId/${DELEGATION}/revoke`)
  @AccountCommandDocs('The delegator or an admin ends a pending or active delegation (R7)', {
    conflicts: ['DELEGATION_ALREADY_ENDED'],
    unprocessable: ['ACTOR_NOT_ALLOWED', 'DELEGATION_LOCKED'],
    notFound: ['DELEGATION_NOT_FOUND'],
  })
  revoke(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Param('delegationId', ValidIdPipe) delegationId: string,
    @Body() dto: ActorOnlyDto,
    @Origin() origin: CommandOrigin,
  ): Promise<CommandResponse> {
    return this.run(accountId, origin, dto, (base) => ({ type: 'RevokeDelegation', ...base, delegationId }));
  }

  @Put(`:accountId/${DELEGATION}/permissions`)
  @AccountCommandDocs('Replace a delegation’s permissions (R5, R6, R7)', {
    conflicts: ['DELEGATION_ALREADY_ENDED'],
    unprocessable: [
      'ACTOR_NOT_ALLOWED',
      'DELEGATION_LOCKED',
      'NO_CORE_PERMISSION',
      'OPT_IN_OUT_NEEDS_ANSWER_CALLS',
      'VIP_ONLY_NEEDS_ANSWER_CALLS',
      'POWER_PACK_REQUIRED',
    ],
    notFound: ['DELEGATION_NOT_FOUND'],
  })
  changePermissions(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Param('delegationId', ValidIdPipe) delegationId: string,
    @Body() dto: ChangePermissionsDto,
    @Origin() origin: CommandOrigin,
  ): Promise<CommandResponse> {
    return this.run(accountId, origin, dto, (base) => ({
      type: 'ChangeDelegationPermissions',
      ...base,
      delegationId,
      permissions: dto.permissions,
    }));
  }

  @Put(`:accountId/${DELEGATION}/shared-lines`)
  @AccountCommandDocs('Replace the delegator’s numbers a delegation shares (R10)', {
    conflicts: ['DELEGATION_ALREADY_ENDED'],
    unprocessable: ['ACTOR_NOT_ALLOWED', 'DELEGATION_LOCKED', 'NO_SHARED_LINE', 'SHARED_LINE_NOT_OWNED'],
    notFound: ['DELEGATION_NOT_FOUND'],
  })
  changeSharedLines(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Param('delegationId', ValidIdPipe) delegationId: string,
    @Body() dto: ChangeSharedLinesDto,
    @Origin() origin: CommandOrigin,
  ): Promise<CommandResponse> {
    return this.run(accountId, origin, dto, (base) => ({
      type: 'ChangeSharedLines',
      ...base,
      delegationId,
      sharedLines: dto.sharedLines,
    }));
  }

  @Post(`:accountId/${DELEGATION}/opt-in`)
  @AccountCommandDocs('The delegate opts back in to ringing (R13, needs optInOut)', {
    conflicts: ['DELEGATION_NOT_ACTIVE'],
    unprocessable: ['ACTOR_NOT_ALLOWED', 'PERMISSION_NOT_GRANTED'],
    notFound: ['DELEGATION_NOT_FOUND'],
  })
  optIn(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Param('delegationId', ValidIdPipe) delegationId: string,
    @Body() dto: ActorOnlyDto,
    @Origin() origin: CommandOrigin,
  ): Promise<CommandResponse> {
    return this.run(accountId, origin, dto, (base) => ({ type: 'OptIn', ...base, delegationId }));
  }

  @Post(`:accountId/${DELEGATION}/opt-out`)
  @AccountCommandDocs('The delegate stops ringing for the delegator’s calls (R13, needs optInOut)', {
    conflicts: ['DELEGATION_NOT_ACTIVE'],
    unprocessable: ['ACTOR_NOT_ALLOWED', 'PERMISSION_NOT_GRANTED'],
    notFound: ['DELEGATION_NOT_FOUND'],
  })
  optOut(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Param('delegationId', ValidIdPipe) delegationId: string,
    @Body() dto: ActorOnlyDto,
    @Origin() origin: CommandOrigin,
  ): Promise<CommandResponse> {
    return this.run(accountId, origin, dto, (base) => ({ type: 'OptOut', ...base, delegationId }));
  }

  @Put(`:accountId/${DELEGATION}/business-hours`)
  @AccountCommandDocs('The delegate’s own hours for this delegation (R13, needs overrideBusinessHours)', {
    conflicts: ['DELEGATION_NOT_ACTIVE'],
    unprocessable: ['ACTOR_NOT_ALLOWED', 'PERMISSION_NOT_GRANTED', 'INVALID_BUSINESS_HOURS'],
    notFound: ['DELEGATION_NOT_FOUND'],
  })
  setDelegateBusinessHours(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Param('delegationId', ValidIdPipe) delegationId: string,
    @Body() dto: SetBusinessHoursDto,
    @Origin() origin: CommandOrigin,
  ): Promise<CommandResponse> {
    return this.run(accountId, origin, dto, (base) => ({
      type: 'SetDelegateBusinessHours',
      ...base,
      delegationId,
      businessHours: hoursOf(dto.businessHours),
    }));
  }

  // ── VIP delegation (R5, R19) ───────────────────────────────────────────────────────────────────

  @Post(`:accountId/${PARTY}/vip-contacts`)
  @AccountCommandDocs(
    'Add a VIP contact of a delegator (R19; Power Pack, R5; delegates need manageVipContacts)',
    {
      created: true,
      conflicts: ['INVITATION_PENDING'],
      unprocessable: ['ACTOR_NOT_ALLOWED', 'PERMISSION_NOT_GRANTED', 'POWER_PACK_REQUIRED', 'INVALID_NUMBER'],
      notFound: ['PARTY_NOT_FOUND'],
    },
  )
  addVipContact(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Param('partyId', ValidIdPipe) delegatorId: string,
    @Body() dto: AddVipContactDto,
    @Origin() origin: CommandOrigin,
  ): Promise<CommandResponse> {
    return this.run(accountId, origin, dto, (base) => ({
      type: 'AddVipContact',
      ...base,
      delegatorId,
      number: dto.number,
      name: dto.name,
    }));
  }

  @Delete(`:accountId/${PARTY}/vip-contacts/:number`)
  @AccountCommandDocs('Remove a VIP contact (R19; no Power Pack needed to clean up)', {
    unprocessable: ['ACTOR_NOT_ALLOWED', 'PERMISSION_NOT_GRANTED'],
    notFound: ['PARTY_NOT_FOUND', 'VIP_CONTACT_NOT_FOUND'],
  })
  removeVipContact(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Param('partyId', ValidIdPipe) delegatorId: string,
    @Param('number', PhoneNumberPipe) number: string,
    @Body() dto: ActorOnlyDto,
    @Origin() origin: CommandOrigin,
  ): Promise<CommandResponse> {
    return this.run(accountId, origin, dto, (base) => ({
      type: 'RemoveVipContact',
      ...base,
      delegatorId,
      number,
    }));
  }

  @Put(`:accountId/${PARTY}/vip-routing`)
  @AccountCommandDocs('How VIP callers of a delegator ring (R19; Power Pack, R5)', {
    unprocessable: ['ACTOR_NOT_ALLOWED', 'POWER_PACK_REQUIRED', 'INVALID_VIP_ROUTING'],
    notFound: ['PARTY_NOT_FOUND'],
  })
  changeVipRouting(
    @Param('accountId', ValidIdPipe) accountId: string,
    @Param('partyId', ValidIdPipe) delegatorId: string,
    @Body() dto: ChangeVipRoutingDto,
    @Origin() origin: CommandOrigin,
  ): Promise<CommandResponse> {
    return this.run(accountId, origin, dto, (base) => ({
      type: 'ChangeVipRouting',
      ...base,
      delegatorId,
      routing:
        dto.mode === 'delegatorFirst'
          ? { mode: dto.mode, delaySeconds: dto.delaySeconds ?? 0 }
          : { mode: dto.mode },
    }));
  }

  /** Takes the command's time from the clock (R21), dispatches it and shapes the answer. */
  private async run(
    accountId: string,
    origin: CommandOrigin,
    dto: AccountCommandDto,
    build: (base: CommandBase) => AccountCommand,
    resourceIds: Readonly<Record<string, string>> = {},
  ): Promise<CommandResponse> {
    const now = await this.clock.timeFor(dto.at, dto.actor);
    const command = build({ actor: dto.actor, now: now.toISOString() });
    const outcome = await this.commandBus.execute(new ExecuteAccountCommand(accountId, command, origin));
    return commandResponse(origin, outcome, resourceIds);
  }
}
