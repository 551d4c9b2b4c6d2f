import type { Type } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { AccountCommand } from '#domain';
import type { AccountPolicy } from '#events';
import type { CommandOrigin } from '../shared/command-metadata.js';
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

/** The fields of command `T` a route supplies; `type`, `actor` and `now` come from the edge. */
type FieldsOf<T extends AccountCommand['type']> = Omit<
  Extract<AccountCommand, { type: T }>,
  'type' | 'actor' | 'now'
>;

/** A path parameter of a command route, validated by its pipe before the command is built. */
export type RouteParam = 'accountId' | 'partyId' | 'delegationId' | 'number';

export interface AccountRoute<T extends AccountCommand['type'] = AccountCommand['type'], Dto = never> {
  readonly method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Under `accounts`; `:accountId` names the account, except where the body creates it. */
  readonly path: string;
  readonly command: T;
  readonly summary: string;
  readonly body: Type<Dto>;
  /** 201 for a command that creates what the client names afterwards (an account, a party…). */
  readonly created?: boolean;
  /** The account the command goes to, when the path does not name it. */
  readonly accountOf?: (dto: Dto) => string;
  readonly fields: (
    dto: Dto,
    params: Readonly<Record<RouteParam, string>>,
    origin: CommandOrigin,
  ) => FieldsOf<T>;
  /** Ids of what the command created, added to the answer. */
  readonly answerIds?: (dto: Dto) => Readonly<Record<string, string>>;
}

/** Keeps each route's command and body types tied together while the table holds them all. */
const route = <T extends AccountCommand['type'], Dto extends AccountCommandDto>(
  spec: AccountRoute<T, Dto>,
): AccountRoute => spec as unknown as AccountRoute;

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
 * The fields every provisioned party is given, a phone user or a common-area phone (whose body is the
 * part of a phone user's that both share).
 */
const provisioned = (dto: ProvisionCommonAreaPhoneDto) => ({
  partyId: dto.partyId,
  name: dto.name,
  directNumbers: dto.directNumbers,
  callingPlan: dto.callingPlan,
  powerPack: dto.powerPack ?? false,
});

/**
 * The id of a delegation the client did not name, derived from the command id: a resend of the
 * command (after a lost answer, or racing the first on another api instance) decides the same
 * events, so the store's idempotent append and the repository's first result agree on the id.
 */
const delegationIdFor = (commandId: string): string =>
  createHash('sha256').update(`delegation:${commandId}`).digest('hex').slice(0, 32);

const PARTY = ':accountId/parties/:partyId';
const DELEGATION = ':accountId/delegations/:delegationId';

/** The account commands whose fields include `key`. */
type CommandWith<K extends string> = {
  [C in AccountCommand['type']]: K extends keyof FieldsOf<C> ? C : never;
}[AccountCommand['type']];

/** What a route on a path-named party or delegation says beyond its method, path and command. */
interface TargetedRoute<T extends AccountCommand['type'], K extends string, Dto> {
  readonly summary: string;
  /** The body; a command the path says all of takes only the actor. */
  readonly body?: Type<Dto>;
  readonly created?: boolean;
  /** The command's fields besides the target, from the body (and the path's other parameters). */
  readonly fields?: (dto: Dto, params: Readonly<Record<RouteParam, string>>) => Omit<FieldsOf<T>, K>;
}

/**
 * Routes on the party or delegation the path names under `prefix` (its `param`), which the command
 * takes as `key`. Most account routes are of this kind and differ only in their path's tail, command,
 * summary and body fields, so the path and the target field are written once here.
 */
const targeting =
  <K extends string>(prefix: string, param: RouteParam, key: K) =>
  <T extends CommandWith<K>, Dto extends AccountCommandDto = ActorOnlyDto>(
    method: AccountRoute['method'],
    tail: string,
    command: T,
    { summary, body, created, fields }: TargetedRoute<T, K, Dto>,
  ): AccountRoute =>
    route<T, Dto>({
      method,
      path: `${prefix}/${tail}`,
      command,
      summary,
      body: body ?? (ActorOnlyDto as Type<Dto>),
      ...given({ created }),
      fields: (dto, params) => ({ [key]: params[param], ...fields?.(dto, params) }) as unknown as FieldsOf<T>,
    });

/** A command on the path's party. */
const onParty = targeting(PARTY, 'partyId', 'partyId');
/** A command on the path's party as a delegator (its VIP contacts and routing). */
const onDelegator = targeting(PARTY, 'partyId', 'delegatorId');
/** A command on the path's delegation. */
const onDelegation = targeting(DELEGATION, 'delegationId', 'delegationId');

/**
 * Every account command the api takes (SPEC R1–R10, R13, R14, R19), one entry each: its method and
 * path, the command it sends and how the body becomes it. The controller registers one endpoint per
 * entry; the catalogue of reasons documents what each may be refused with. Every rule is the decider's.
 */
export const ACCOUNT_ROUTES: Readonly<Record<string, AccountRoute>> = {
  // ── Account ──────────────────────────────────────────────────────────────────────────────────
  createAccount: route({
    method: 'POST',
    path: '',
    command: 'CreateAccount',
    summary: 'Create an account; the actor becomes its first admin (R1, R8 limits in the policy)',
    body: CreateAccountDto,
    created: true,
    accountOf: (dto) => dto.accountId,
    fields: (dto) => ({
      accountId: dto.accountId,
      name: dto.name,
      ...given({ admins: dto.admins, policy: dto.policy && policyOf(dto.policy) }),
    }),
  }),
  changePolicy: route({
    method: 'PATCH',
    path: ':accountId/policy',
    command: 'ChangeAccountPolicy',
    summary: 'Change account policy fields (R3, R4, R5, R7 auto-activation, R8 limits)',
    body: ChangeAccountPolicyDto,
    fields: (dto) => ({ policy: policyOf(dto.policy) }),
  }),

  // ── Parties ──────────────────────────────────────────────────────────────────────────────────
  provisionPhoneUser: route({
    method: 'POST',
    path: ':accountId/phone-users',
    command: 'ProvisionPhoneUser',
    summary: 'Provision a phone user with direct numbers and a licence (R1, R2, R4, R5)',
    body: ProvisionPhoneUserDto,
    created: true,
    fields: (dto) => ({
      ...provisioned(dto),
      assistantEnabled: dto.assistantEnabled ?? false,
      desktopClient: dto.desktopClient
        ? { platform: dto.desktopClient.platform, version: dto.desktopClient.version }
        : null,
    }),
    answerIds: (dto) => ({ partyId: dto.partyId }),
  }),
  provisionCommonAreaPhone: route({
    method: 'POST',
    path: ':accountId/common-area-phones',
    command: 'ProvisionCommonAreaPhone',
    summary: 'Provision a common-area phone (R1, R2, R5)',
    body: ProvisionCommonAreaPhoneDto,
    created: true,
    fields: provisioned,
    answerIds: (dto) => ({ partyId: dto.partyId }),
  }),
  changeDirectNumbers: onParty('PUT', 'direct-numbers', 'ChangeDirectNumbers', {
    summary: 'Replace a party’s direct numbers (R1; numbers shared by a delegation stay, R10)',
    body: ChangeDirectNumbersDto,
    fields: (dto) => ({ directNumbers: dto.directNumbers }),
  }),
  changeCallingPlan: onParty('PUT', 'calling-plan', 'ChangeCallingPlan', {
    summary: 'Change a party’s calling plan (R2: `none` ends its part in delegation)',
    body: ChangeCallingPlanDto,
    fields: (dto) => ({ callingPlan: dto.callingPlan }),
  }),
  changePowerPack: onParty('PUT', 'power-pack', 'ChangePowerPack', {
    summary: 'Assign or remove the Power Pack add-on (R5)',
    body: ChangePowerPackDto,
    fields: (dto) => ({ powerPack: dto.powerPack }),
  }),
  changeAssistant: onParty('PUT', 'assistant', 'ChangeAssistant', {
    summary: 'Enable or disable the Assistant for a phone user (R4)',
    body: ChangeAssistantDto,
    fields: (dto) => ({ assistantEnabled: dto.assistantEnabled }),
  }),
  reportDesktopClient: onParty('PUT', 'desktop-client', 'ReportDesktopClient', {
    summary: 'Report the desktop client a phone user runs (R4)',
    body: ReportDesktopClientDto,
    fields: (dto) => ({ desktopClient: { platform: dto.platform, version: dto.version } }),
  }),
  setBusinessHours: onParty('PUT', 'business-hours', 'SetBusinessHours', {
    summary: 'Set the business hours of a party’s lines; null means always open (R13)',
    body: SetBusinessHoursDto,
    fields: (dto) => ({ businessHours: hoursOf(dto.businessHours) }),
  }),
  changeRingTimeout: onParty('PUT', 'ring-timeout', 'ChangeRingTimeout', {
    summary: 'Change how long calls to a party’s lines ring before voicemail (R14)',
    body: ChangeRingTimeoutDto,
    fields: (dto) => ({ ringTimeoutSeconds: dto.ringTimeoutSeconds }),
  }),

  // ── Per-user delegation settings (R3) ────────────────────────────────────────────────────────
  enableDelegation: onParty('POST', 'delegation-enabled', 'EnableDelegationForUser', {
    summary: 'Enable call delegation for a user (R3)',
  }),
  disableDelegation: onParty('DELETE', 'delegation-enabled', 'DisableDelegationForUser', {
    summary: 'Disable call delegation for a user (R3)',
  }),
  lockDelegation: onParty('POST', 'delegation-lock', 'LockDelegation', {
    summary: 'Admin lock: freeze a user’s delegation settings (R3)',
  }),
  unlockDelegation: onParty('DELETE', 'delegation-lock', 'UnlockDelegation', {
    summary: 'Lift an admin lock (R3)',
  }),

  // ── Delegations (R6–R10) ─────────────────────────────────────────────────────────────────────
  invite: route({
    method: 'POST',
    path: ':accountId/delegations',
    command: 'InviteDelegate',
    summary: 'Invite a delegate with permissions and shared lines (R2, R3, R5–R10)',
    body: InviteDelegateDto,
    created: true,
    fields: (dto, _params, origin) => ({
      delegationId: dto.delegationId ?? delegationIdFor(origin.commandId),
      delegatorId: dto.delegatorId,
      delegateId: dto.delegateId,
      permissions: dto.permissions,
      sharedLines: dto.sharedLines,
    }),
  }),
  accept: onDelegation('POST', 'accept', 'AcceptInvitation', {
    summary: 'The delegate accepts an invitation (R7; R2–R4 must hold for both parties)',
  }),
  decline: onDelegation('POST', 'decline', 'DeclineInvitation', {
    summary: 'The delegate declines an invitation (R7)',
  }),
  revoke: onDelegation('POST', 'revoke', 'RevokeDelegation', {
    summary: 'The delegator or an admin ends a pending or active delegation (R7)',
  }),
  changePermissions: onDelegation('PUT', 'permissions', 'ChangeDelegationPermissions', {
    summary: 'Replace a delegation’s permissions (R5, R6, R7)',
    body: ChangePermissionsDto,
    fields: (dto) => ({ permissions: dto.permissions }),
  }),
  changeSharedLines: onDelegation('PUT', 'shared-lines', 'ChangeSharedLines', {
    summary: 'Replace the delegator’s numbers a delegation shares (R10)',
    body: ChangeSharedLinesDto,
    fields: (dto) => ({ sharedLines: dto.sharedLines }),
  }),
  optIn: onDelegation('POST', 'opt-in', 'OptIn', {
    summary: 'The delegate opts back in to ringing (R13, needs optInOut)',
  }),
  optOut: onDelegation('POST', 'opt-out', 'OptOut', {
    summary: 'The delegate stops ringing for the delegator’s calls (R13, needs optInOut)',
  }),
  setDelegateBusinessHours: onDelegation('PUT', 'business-hours', 'SetDelegateBusinessHours', {
    summary: 'The delegate’s own hours for this delegation (R13, needs overrideBusinessHours)',
    body: SetBusinessHoursDto,
    fields: (dto) => ({ businessHours: hoursOf(dto.businessHours) }),
  }),

  // ── VIP delegation (R5, R19) ─────────────────────────────────────────────────────────────────
  addVipContact: onDelegator('POST', 'vip-contacts', 'AddVipContact', {
    summary: 'Add a VIP contact of a delegator (R19; Power Pack, R5; delegates need manageVipContacts)',
    body: AddVipContactDto,
    created: true,
    fields: (dto) => ({ number: dto.number, name: dto.name }),
  }),
  removeVipContact: onDelegator('DELETE', 'vip-contacts/:number', 'RemoveVipContact', {
    summary: 'Remove a VIP contact (R19; no Power Pack needed to clean up)',
    fields: (_dto, { number }) => ({ number }),
  }),
  changeVipRouting: onDelegator('PUT', 'vip-routing', 'ChangeVipRouting', {
    summary: 'How VIP callers of a delegator ring (R19; Power Pack, R5)',
    body: ChangeVipRoutingDto,
    fields: (dto) => ({
      routing:
        dto.mode === 'delegatorFirst'
          ? { mode: dto.mode, delaySeconds: dto.delaySeconds ?? 0 }
          : { mode: dto.mode },
    }),
  }),
};
