import type { DomainEvent } from './event.js';
import type { EventMetadata } from './metadata.js';
import { ISO_INSTANT } from './instant.js';

/**
 * Why a recorded event is not one this build can read as its own. The store is shared (other tools,
 * an imported log, a user's scripts), so every consumer meets such events; this one classification is
 * what each of them applies its policy to (see the README, "Events Switchboard did not write").
 */
export type ForeignReason =
  /** A type outside the event catalogue. */
  | 'UNKNOWN_TYPE'
  /** No metadata at all: Switchboard writes SPEC §2 metadata with every event. */
  | 'NO_METADATA'
  /** Metadata bytes that do not parse as JSON. */
  | 'METADATA_NOT_JSON'
  /** JSON metadata without Switchboard's envelope (command id, actor, simulated time, schema version …). */
  | 'METADATA_NOT_OURS'
  /** Data that is not a JSON object (binary, or JSON of another kind). */
  | 'DATA_NOT_JSON'
  /** A schema version newer than this build knows: written by a later Switchboard. */
  | 'SCHEMA_VERSION_FROM_FUTURE'
  /** An older schema version that no upcaster chain leads from. */
  | 'NO_UPCASTER'
  /** Data (after upcasting) that fails its type's schema: a field missing or of another kind. */
  | 'DATA_INVALID';

export const FOREIGN_REASONS: readonly ForeignReason[] = [
  'UNKNOWN_TYPE',
  'NO_METADATA',
  'METADATA_NOT_JSON',
  'METADATA_NOT_OURS',
  'DATA_NOT_JSON',
  'SCHEMA_VERSION_FROM_FUTURE',
  'NO_UPCASTER',
  'DATA_INVALID',
];

/** What the decoder needs to know of the catalogue: types, versions, upcasters, data shapes. */
export interface DecodingSchemas {
  knows(type: string): boolean;
  currentVersion(type: string): number;
  upcast(type: string, fromVersion: number, data: Record<string, unknown>): Record<string, unknown>;
  /** Why data (at the current version) does not fit the type's schema, or undefined when it does. */
  dataProblem(type: string, data: Record<string, unknown>): string | undefined;
}

/** A recorded event as a client hands it over: metadata is undefined, raw bytes, or parsed JSON. */
export interface RawRecordedEvent {
  readonly type: string;
  readonly isJson: boolean;
  readonly data: unknown;
  readonly metadata: unknown;
}

export type DecodedEvent =
  | {
      readonly ours: true;
      readonly event: DomainEvent;
      readonly metadata: EventMetadata;
    }
  | {
      readonly ours: false;
      readonly reason: ForeignReason;
      /** One sentence an operator can act on. */
      readonly detail: string;
      /**
       * The metadata is Switchboard's own envelope: the event claims to be part of an aggregate's
       * history although this build cannot read it. Without the envelope it was written by another
       * client and is no part of any aggregate this build folds.
       */
      readonly claimsOurs: boolean;
    };

const REQUIRED_STRINGS = ['$correlationId', '$causationId', 'commandId', 'actor', 'simulatedTime'] as const;
const STRINGS_OR_NULL = ['onBehalfOf', 'permission'] as const;
const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value !== '';

/** Why metadata does not have the shape of metadata.ts (SPEC §2), or undefined when it does. */
export const metadataProblem = (metadata: unknown): string | undefined => {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
    return 'metadata is not a JSON object';
  const m = metadata as Record<string, unknown>;
  // The common case, field by field without a loop over names (keyed access in a loop is slow).
  if (
    nonEmpty(m.$correlationId) &&
    nonEmpty(m.$causationId) &&
    nonEmpty(m.commandId) &&
    nonEmpty(m.actor) &&
    nonEmpty(m.simulatedTime) &&
    (m.onBehalfOf === null || typeof m.onBehalfOf === 'string') &&
    (m.permission === null || typeof m.permission === 'string') &&
    ISO_INSTANT.test(m.simulatedTime) &&
    Number.isInteger(m.schemaVersion) &&
    (m.schemaVersion as number) >= 1
  ) {
    return undefined;
  }
  for (const field of REQUIRED_STRINGS) {
    if (typeof m[field] !== 'string' || m[field] === '')
      return `metadata.${field} is missing or not a non-empty string`;
  }
  for (const field of STRINGS_OR_NULL) {
    if (m[field] !== null && typeof m[field] !== 'string')
      return `metadata.${field} must be a string or null`;
  }
  if (!ISO_INSTANT.test(m.simulatedTime as string)) return 'metadata.simulatedTime is not an ISO-8601 time';
  if (!Number.isInteger(m.schemaVersion) || (m.schemaVersion as number) < 1) {
    return 'metadata.schemaVersion must be an integer >= 1';
  }
  return undefined;
};

const foreign = (reason: ForeignReason, detail: string, claimsOurs: boolean): DecodedEvent => ({
  ours: false,
  reason,
  detail,
  claimsOurs,
});

/**
 * The one decoding step of every consumer of the log: ours (known type, a schema version this build
 * reads, upcast to the current shape, data passing its schema) or foreign with the reason. Never
 * throws: whatever bytes another client wrote, the answer is a classification.
 */
export function decodeRecordedEvent(recorded: RawRecordedEvent, schemas: DecodingSchemas): DecodedEvent {
  const { type, metadata } = recorded;
  // Whether it claims to be ours is decided by the envelope alone; the reason is the first check it fails.
  const envelope =
    metadata === undefined || metadata === null || metadata instanceof Uint8Array
      ? 'no envelope'
      : metadataProblem(metadata);
  const claimsOurs = envelope === undefined;
  if (!schemas.knows(type)) {
    return foreign('UNKNOWN_TYPE', `${type} is not an event type of this build's catalogue`, claimsOurs);
  }
  if (metadata === undefined || metadata === null) {
    return foreign('NO_METADATA', `${type} carries no metadata`, false);
  }
  if (metadata instanceof Uint8Array) {
    return foreign('METADATA_NOT_JSON', `${type} carries metadata that is not JSON`, false);
  }
  if (envelope) return foreign('METADATA_NOT_OURS', `${type}: ${envelope}`, false);
  const { schemaVersion } = metadata as EventMetadata;
  const data = recorded.data;
  if (!recorded.isJson || typeof data !== 'object' || data === null || Array.isArray(data)) {
    return foreign('DATA_NOT_JSON', `${type} data is not a JSON object`, true);
  }
  const current = schemas.currentVersion(type);
  if (schemaVersion > current) {
    return foreign(
      'SCHEMA_VERSION_FROM_FUTURE',
      `${type} v${schemaVersion} is newer than this build understands (v${current}): upgrade Switchboard`,
      true,
    );
  }
  let upcast: Record<string, unknown>;
  try {
    upcast = schemas.upcast(type, schemaVersion, data as Record<string, unknown>);
  } catch (error) {
    return foreign('NO_UPCASTER', error instanceof Error ? error.message : String(error), true);
  }
  const problem = schemas.dataProblem(type, upcast);
  if (problem) return foreign('DATA_INVALID', `${type} v${current} data${problem}`, true);
  return { ours: true, event: { type, data: upcast }, metadata: metadata as EventMetadata };
}
