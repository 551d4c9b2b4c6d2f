/** The SPEC rule a rejection enforces, e.g. 'R8'. */
export type RuleId = `R${number}`;

/**
 * A command the domain refuses. `code` is a stable, machine-readable reason (part of the API
 * contract: clients switch on it); `message` tells a person what to change; `rule` names the SPEC rule.
 * `kind` decides the HTTP status at the edge: 'conflict' (409) when the state of the world says no
 * and may change (line busy, already answered), 'unprocessable' (422) when the request can never
 * succeed as asked until configuration changes, 'not_found' (404) for unknown parties, lines, calls.
 */
export class DomainError extends Error {
  override readonly name = 'DomainError';

  constructor(
    readonly code: string,
    readonly rule: RuleId | undefined,
    message: string,
    readonly kind: 'conflict' | 'unprocessable' | 'not_found' = 'unprocessable',
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}
