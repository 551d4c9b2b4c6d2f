import { ApiProperty, ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { ID_PATTERN, ID_RULE } from '#events';
import { NOT_A_TIMER_ID, NOT_A_TIMER_ID_RULE } from './command-metadata.js';

// Fields several request bodies declare alike, so their shape, message and documentation agree.

export const E164 = /^\+[1-9][0-9]{6,14}$/;
export const E164_MESSAGE = 'must be an E.164 number: "+" and 7-15 digits, e.g. +15550100';

/**
 * Property decorators as one, applied bottom-up exactly as if stacked on the property, so validation
 * messages come in the same order as with the decorators written out.
 */
export const stacked =
  (...decorators: PropertyDecorator[]): PropertyDecorator =>
  (target, key) => {
    for (const decorate of [...decorators].reverse()) decorate(target, key);
  };

/** The id a command gives the call it starts (placing, receiving, pressing a speed dial). */
export const NewCallId = (example: string): PropertyDecorator =>
  stacked(
    ApiPropertyOptional({ description: 'Id for the new call; generated when absent', example }),
    IsOptional(),
    IsString(),
    Matches(ID_PATTERN, { message: `callId ${ID_RULE}` }),
  );

/**
 * The client's id of a command, documented by `doc`: an id like any other, except the timers' prefix,
 * so that no client command can pass for a timer's.
 */
export const CommandId = (doc: {
  readonly description: string;
  readonly example: string;
}): PropertyDecorator =>
  stacked(
    ApiPropertyOptional(doc),
    IsOptional(),
    IsString(),
    Matches(ID_PATTERN, { message: `commandId ${ID_RULE}` }),
    Matches(NOT_A_TIMER_ID, { message: `commandId ${NOT_A_TIMER_ID_RULE}` }),
  );

/** A required E.164 number (a number to call, a caller, a line), named in its message. */
export const E164Number = (field: string, doc: ApiPropertyOptions): PropertyDecorator =>
  stacked(ApiProperty(doc), IsString(), Matches(E164, { message: `${field} ${E164_MESSAGE}` }));
