import { ApiProperty, ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  ID_PATTERN,
  ID_RULE,
  PERMISSIONS,
  type CallingPlan,
  type DesktopPlatform,
  type Permission,
  type Weekday,
} from '#events';
import { NOT_IN_A_NAME } from '#domain';
import { CommandDto } from '../shared/command-dto.js';
import { stacked } from '../shared/dto-fields.js';
import { NUMBER_MESSAGE, NUMBER_SHAPE } from '../shared/phone-number.pipe.js';

/*
 * Request bodies of the account commands. They check shape only (types, enums, lengths, id and number
 * syntax) so that malformed input is a 400 with a message per field; every rule of SPEC §1 is the
 * domain's, answered 409/422 with its reason code.
 */

const CALLING_PLANS: readonly CallingPlan[] = ['metered', 'unlimited', 'pro', 'none'];
const PLATFORMS: readonly DesktopPlatform[] = ['windows', 'macos', 'linux', 'web', 'mobile'];
const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const VIP_ROUTING_MODES = ['delegatorOnly', 'delegatorFirst'] as const;

const MAX_NAME = 100;
const MAX_NUMBERS = 20;
const MAX_ADMINS = 20;
const MAX_WINDOWS = 50;

const idMessage = (field: string) => ({ message: `${field} ${ID_RULE}` });
const numbersMessage = (field: string) => ({ each: true, message: `each of ${field} ${NUMBER_MESSAGE}` });

// Fields several bodies declare alike, so their shape, message and documentation agree.

/** A required id (an account, party or delegation), named in its message. */
const RequiredId = (field: string, doc: ApiPropertyOptions): PropertyDecorator =>
  stacked(ApiProperty(doc), IsString(), Matches(ID_PATTERN, idMessage(field)));

/**
 * A display name (a party's, an account's, a VIP contact's) is one line people read on lamps, labels
 * and audit trails: something in it visible (not only spaces, or invisible characters such as
 * \u200b), and no character NOT_IN_A_NAME (a newline, a tab, NUL, which would break every
 * line-oriented view of it; a text-direction override, which would reorder what follows it).
 */
const DisplayName = (doc: ApiPropertyOptions): PropertyDecorator =>
  stacked(
    ApiProperty(doc),
    IsString(),
    MinLength(1),
    MaxLength(MAX_NAME),
    Matches(
      new RegExp(`^[^${NOT_IN_A_NAME}]*[^\\p{White_Space}\\p{Cf}${NOT_IN_A_NAME}][^${NOT_IN_A_NAME}]*$`, 'u'),
      {
        message:
          '$property must be one line of visible text (no control or text-direction characters, not blank)',
      },
    ),
  );

/** A list of a party's direct numbers (R1), or of those a delegation shares (R10). */
const NumberList = (field: string, doc: ApiPropertyOptions): PropertyDecorator =>
  stacked(
    ApiProperty(doc),
    IsArray(),
    ArrayMaxSize(MAX_NUMBERS),
    IsString({ each: true }),
    Matches(NUMBER_SHAPE, numbersMessage(field)),
  );

/** Every account command may say when it happens (virtual clock only, R21). */
export abstract class AccountCommandDto extends CommandDto {
  @ApiPropertyOptional({
    description: 'Simulated time the command takes effect (ISO-8601; only when the clock is virtual, R21)',
    example: '2026-01-05T09:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'at must be an ISO-8601 time' })
  at?: string;
}

/** Fields of the account policy; on creation unset ones take defaults, on change unset ones stay. */
export class AccountPolicyDto {
  @ApiPropertyOptional({ description: 'R3: call delegation for the whole account', example: true })
  @IsOptional()
  @IsBoolean()
  delegationEnabled?: boolean;

  @ApiPropertyOptional({
    description:
      'R7: invitations become active without the delegate accepting, as soon as accepting them would succeed',
    example: false,
  })
  @IsOptional()
  @IsBoolean()
  autoActivateInvitations?: boolean;

  @ApiPropertyOptional({ description: 'R8: pending + active delegates per delegator', example: 15 })
  @IsOptional()
  @IsInt()
  maxDelegatesPerDelegator?: number;

  @ApiPropertyOptional({ description: 'R8: pending + active delegators per delegate', example: 15 })
  @IsOptional()
  @IsInt()
  maxDelegatorsPerDelegate?: number;

  @ApiPropertyOptional({
    description: 'R4: lowest desktop client version with the Assistant',
    example: '6.0.0',
  })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  assistantMinimumVersion?: string;

  @ApiPropertyOptional({
    description: 'R5: delegation involving a common-area phone needs the Power Pack',
    example: false,
  })
  @IsOptional()
  @IsBoolean()
  commonAreaDelegationNeedsPowerPack?: boolean;
}

export class CreateAccountDto extends AccountCommandDto {
  @RequiredId('accountId', { description: 'Id of the new account', example: 'acme' })
  accountId!: string;

  @DisplayName({ description: 'Display name', example: 'Acme Corp' })
  name!: string;

  @ApiPropertyOptional({
    description: 'Further admin ids (the actor is always the first admin)',
    example: ['root2'],
    type: [String],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_ADMINS)
  @IsString({ each: true })
  @Matches(ID_PATTERN, { each: true, message: `each of admins ${ID_RULE}` })
  admins?: string[];

  @ApiPropertyOptional({ type: AccountPolicyDto, example: { maxDelegatesPerDelegator: 15 } })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => AccountPolicyDto)
  policy?: AccountPolicyDto;
}

export class ChangeAccountPolicyDto extends AccountCommandDto {
  @ApiProperty({
    type: AccountPolicyDto,
    description: 'The policy fields to change; the others stay',
    example: { autoActivateInvitations: true, maxDelegatesPerDelegator: 20 },
  })
  @IsObject()
  @ValidateNested()
  @Type(() => AccountPolicyDto)
  policy!: AccountPolicyDto;
}

export class DesktopClientDto {
  @ApiProperty({
    enum: PLATFORMS,
    description: 'R4: only windows and macos have the Assistant',
    example: 'windows',
  })
  @IsIn(PLATFORMS)
  platform!: DesktopPlatform;

  @ApiProperty({ description: 'Dotted numeric version', example: '6.2.1' })
  @IsString()
  @MaxLength(32)
  version!: string;
}

abstract class ProvisionPartyDto extends AccountCommandDto {
  @RequiredId('partyId', { description: 'Id of the new party', example: 'alice' })
  partyId!: string;

  @DisplayName({ description: 'Display name (a delegate sees it on shared lines)', example: 'Alice Archer' })
  name!: string;

  @NumberList('directNumbers', {
    description: 'R1: the party’s direct numbers (E.164)',
    example: ['+15550000001'],
    type: [String],
  })
  directNumbers!: string[];

  @ApiProperty({
    enum: CALLING_PLANS,
    description: 'R2: `none` cannot take part in delegation',
    example: 'unlimited',
  })
  @IsIn(CALLING_PLANS)
  callingPlan!: CallingPlan;

  @ApiPropertyOptional({ description: 'R5: the Power Pack add-on (default false)', example: false })
  @IsOptional()
  @IsBoolean()
  powerPack?: boolean;
}

export class ProvisionPhoneUserDto extends ProvisionPartyDto {
  @ApiPropertyOptional({ description: 'R4: the Assistant is enabled (default false)', example: true })
  @IsOptional()
  @IsBoolean()
  assistantEnabled?: boolean;

  @ApiPropertyOptional({ type: DesktopClientDto, description: 'R4: the desktop client the user runs' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => DesktopClientDto)
  desktopClient?: DesktopClientDto;
}

export class ProvisionCommonAreaPhoneDto extends ProvisionPartyDto {}

export class ChangeDirectNumbersDto extends AccountCommandDto {
  @NumberList('directNumbers', { example: ['+15550000001', '+15550000011'], type: [String] })
  directNumbers!: string[];
}

export class ChangeCallingPlanDto extends AccountCommandDto {
  @ApiProperty({ enum: CALLING_PLANS, example: 'pro' })
  @IsIn(CALLING_PLANS)
  callingPlan!: CallingPlan;
}

export class ChangePowerPackDto extends AccountCommandDto {
  @ApiProperty({ example: true })
  @IsBoolean()
  powerPack!: boolean;
}

export class ChangeAssistantDto extends AccountCommandDto {
  @ApiProperty({ example: true })
  @IsBoolean()
  assistantEnabled!: boolean;
}

export class ReportDesktopClientDto extends AccountCommandDto {
  @ApiProperty({ enum: PLATFORMS, example: 'macos' })
  @IsIn(PLATFORMS)
  platform!: DesktopPlatform;

  @ApiProperty({ example: '6.3.0' })
  @IsString()
  @MaxLength(32)
  version!: string;
}

export class WeeklyWindowDto {
  @ApiProperty({ enum: WEEKDAYS, example: 'mon' })
  @IsIn(WEEKDAYS)
  day!: Weekday;

  @ApiProperty({ description: 'HH:MM, local, inclusive', example: '09:00' })
  @IsString()
  @MaxLength(5)
  from!: string;

  @ApiProperty({ description: 'HH:MM, local, exclusive ("24:00" for end of day)', example: '17:00' })
  @IsString()
  @MaxLength(5)
  to!: string;
}

export class BusinessHoursDto {
  @ApiProperty({ description: 'Local time = UTC + this many minutes', example: 540 })
  @IsInt()
  utcOffsetMinutes!: number;

  @ApiProperty({ type: [WeeklyWindowDto], example: [{ day: 'mon', from: '09:00', to: '17:00' }] })
  @IsArray()
  @ArrayMaxSize(MAX_WINDOWS)
  // ValidateNested takes a list in place of a window (and checks nothing in it): each must be an object.
  @IsObject({ each: true, message: 'each of windows must be an object: {day, from, to}' })
  @ValidateNested({ each: true })
  @Type(() => WeeklyWindowDto)
  windows!: WeeklyWindowDto[];
}

const businessHoursExample = {
  utcOffsetMinutes: 540,
  windows: [
    { day: 'mon', from: '09:00', to: '17:00' },
    { day: 'tue', from: '09:00', to: '17:00' },
  ],
};

export class SetBusinessHoursDto extends AccountCommandDto {
  @ApiProperty({
    type: BusinessHoursDto,
    nullable: true,
    description: 'R13: weekly opening hours; null means always open',
    example: businessHoursExample,
  })
  @ValidateIf((dto: SetBusinessHoursDto) => dto.businessHours !== null)
  @IsObject({ message: 'businessHours must be an object or null' })
  @ValidateNested()
  @Type(() => BusinessHoursDto)
  businessHours!: BusinessHoursDto | null;
}

export class ChangeRingTimeoutDto extends AccountCommandDto {
  @ApiProperty({ description: 'R14: seconds a call rings before voicemail', example: 30 })
  @IsInt()
  ringTimeoutSeconds!: number;
}

/** Commands that carry nothing but who sends them. */
export class ActorOnlyDto extends AccountCommandDto {}

const permissionsProperty: ApiPropertyOptions = {
  enum: PERMISSIONS,
  isArray: true,
  description: 'R6: placeCalls, answerCalls, pickUpHeldCalls; optional refinements',
  example: ['placeCalls', 'answerCalls', 'pickUpHeldCalls'],
};

/** A delegation's permissions (R6), each one of the catalogue's. */
const Permissions = (): PropertyDecorator =>
  stacked(
    ApiProperty(permissionsProperty),
    IsArray(),
    ArrayMaxSize(PERMISSIONS.length),
    IsIn(PERMISSIONS, { each: true }),
  );

const sharedLinesProperty: ApiPropertyOptions = {
  type: [String],
  description: 'R10: the delegator’s direct numbers this delegation shares',
  example: ['+15550000001'],
};

export class InviteDelegateDto extends AccountCommandDto {
  @ApiPropertyOptional({
    description: 'Id of the new delegation; derived from the command id when absent',
    example: 'alice-bob',
  })
  @IsOptional()
  @IsString()
  @Matches(ID_PATTERN, idMessage('delegationId'))
  delegationId?: string;

  @RequiredId('delegatorId', { example: 'alice' })
  delegatorId!: string;

  @RequiredId('delegateId', { example: 'bob' })
  delegateId!: string;

  @Permissions()
  permissions!: Permission[];

  @NumberList('sharedLines', sharedLinesProperty)
  sharedLines!: string[];
}

export class ChangePermissionsDto extends AccountCommandDto {
  @Permissions()
  permissions!: Permission[];
}

export class ChangeSharedLinesDto extends AccountCommandDto {
  @NumberList('sharedLines', sharedLinesProperty)
  sharedLines!: string[];
}

export class AddVipContactDto extends AccountCommandDto {
  @ApiProperty({ description: 'R19: the VIP caller’s number (E.164)', example: '+15557770001' })
  @IsString()
  @Matches(NUMBER_SHAPE, { message: `number ${NUMBER_MESSAGE}` })
  number!: string;

  @DisplayName({ example: 'Board chair' })
  name!: string;
}

export class ChangeVipRoutingDto extends AccountCommandDto {
  @ApiProperty({
    enum: VIP_ROUTING_MODES,
    description: 'R19: ring the delegator only, or the delegator first and then the delegates',
    example: 'delegatorFirst',
  })
  @IsIn(VIP_ROUTING_MODES)
  mode!: (typeof VIP_ROUTING_MODES)[number];

  @ApiPropertyOptional({
    description: 'With delegatorFirst: seconds before the delegates ring too',
    example: 10,
  })
  @ValidateIf((dto: ChangeVipRoutingDto) => dto.mode === 'delegatorFirst' || dto.delaySeconds !== undefined)
  @IsInt()
  delaySeconds?: number;
}
