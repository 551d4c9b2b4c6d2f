import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { MAX_LABEL_LENGTH, MAX_SPEED_DIALS_LIMIT } from '#domain';
import { ID_PATTERN, ID_RULE } from '#events';
import { E164Number, NewCallId, stacked } from '../shared/dto-fields.js';
import { AccountCommandDto } from '../accounts/accounts.dto.js';

/*
 * Request bodies of R22's commands. They check shape only (lengths, E.164, whole numbers within the
 * largest limit an account may set) so malformed input is a 400 with a message per field; whether a
 * key is free, within this account's limit, or the actor may edit the list is the domain's (409/422).
 */

const POSITION_MESSAGE = `position must be a whole number from 1 to ${MAX_SPEED_DIALS_LIMIT}`;

const labelProperty = {
  description: `What the key shows (1-${MAX_LABEL_LENGTH} characters)`,
  example: 'Bob (desk)',
  minLength: 1,
  maxLength: MAX_LABEL_LENGTH,
};
/** A key's position, where adding and moving place it: a whole number within the largest limit. */
const KeyPosition = (): PropertyDecorator =>
  stacked(
    ApiProperty({
      description: "The key's place, 1-based; at most the account's maxSpeedDials (R22)",
      example: 1,
      minimum: 1,
      maximum: MAX_SPEED_DIALS_LIMIT,
    }),
    IsInt({ message: POSITION_MESSAGE }),
    Min(1, { message: POSITION_MESSAGE }),
    Max(MAX_SPEED_DIALS_LIMIT, { message: POSITION_MESSAGE }),
  );

export class AddSpeedDialDto extends AccountCommandDto {
  @ApiProperty({ description: 'Id of the new key, unique in the owner’s list', example: 'bob' })
  @IsString()
  @Matches(ID_PATTERN, { message: `entryId ${ID_RULE}` })
  entryId!: string;

  @ApiProperty(labelProperty)
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_LABEL_LENGTH)
  label!: string;

  @E164Number('number', {
    description: 'E.164: a direct number of the account (an internal party or line) or an external number',
    example: '+15550000002',
  })
  number!: string;

  @KeyPosition()
  position!: number;
}

export class RelabelSpeedDialDto extends AccountCommandDto {
  @ApiProperty(labelProperty)
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_LABEL_LENGTH)
  label!: string;
}

export class MoveSpeedDialDto extends AccountCommandDto {
  @KeyPosition()
  position!: number;
}

export class ChangeSpeedDialLimitDto extends AccountCommandDto {
  @ApiProperty({
    description: `R22: keys per party, and the highest key position (1-${MAX_SPEED_DIALS_LIMIT}; default 24)`,
    example: 30,
    minimum: 1,
    maximum: MAX_SPEED_DIALS_LIMIT,
  })
  @IsInt()
  @Min(1)
  @Max(MAX_SPEED_DIALS_LIMIT)
  maxSpeedDials!: number;
}

/** Pressing a key: the call goes out on the chosen line exactly as dialling the key's number would (R11, R12). */
export class SpeedDialCallDto extends AccountCommandDto {
  @E164Number('line', {
    description: 'The line to call from (caller ID, R11): your own direct number or one shared with you',
    example: '+15550000001',
  })
  line!: string;

  @NewCallId('call-001')
  callId?: string;
}
