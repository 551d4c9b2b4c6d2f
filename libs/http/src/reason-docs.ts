import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { EDGE_REASONS, REASONS, STATUS_OF_KIND, type EdgeReasonCode, type ReasonCode } from '#domain';

/** The reasons a route may answer with: the domain's refusals and the edge's answers, by code. */
export interface RouteReasons {
  readonly refusals?: readonly ReasonCode[];
  readonly edge?: readonly EdgeReasonCode[];
}

/**
 * What a route answers besides its success, by HTTP status, as the catalogue of reasons says: each
 * code with the rules it is given under. OpenAPI reads this, so a route documents exactly the codes
 * its command can be refused with, at the status the error filter gives them.
 */
export const reasonAnswers = ({ refusals = [], edge = [] }: RouteReasons): Map<number, string> => {
  const byStatus = new Map<number, string[]>();
  const add = (status: number, text: string): void => {
    const texts = byStatus.get(status) ?? [];
    if (!texts.includes(text)) texts.push(text);
    byStatus.set(status, texts);
  };
  for (const code of refusals) {
    const reason: { kind: keyof typeof STATUS_OF_KIND; under: object } = REASONS[code];
    add(STATUS_OF_KIND[reason.kind], `\`${code}\` (${Object.keys(reason.under).join(', ')})`);
  }
  for (const code of edge) add(EDGE_REASONS[code].status, `\`${code}\`: ${EDGE_REASONS[code].when}`);
  return new Map(
    [...byStatus].map(([status, texts]) => [
      status,
      `${texts.join('; ')}. Body \`{statusCode, code, message, rule?, details?}\`; nothing appended`,
    ]),
  );
};

/** OpenAPI responses for `reasonAnswers`. */
export const ReasonResponses = (reasons: RouteReasons) =>
  applyDecorators(
    ...[...reasonAnswers(reasons)].map(([status, description]) => ApiResponse({ status, description })),
  );
