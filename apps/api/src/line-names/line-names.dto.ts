import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { MAX_LINE_NAME_LENGTH } from '#domain';
import { AccountCommandDto } from '../accounts/accounts.dto.js';

export class NameLineDto extends AccountCommandDto {
  @ApiProperty({
    type: String,
    nullable: true,
    description: `R23: what delegates see beside the number (1-${MAX_LINE_NAME_LENGTH} characters); null clears it`,
    example: 'Sales – Alice',
  })
  // `null` clears the name; a missing field is malformed, not a clear.
  @ValidateIf((dto: NameLineDto) => dto.name !== null)
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_LINE_NAME_LENGTH)
  name!: string | null;
}
