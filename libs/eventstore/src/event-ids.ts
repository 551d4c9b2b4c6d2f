import { v5 as uuidv5 } from 'uuid';

/** Namespace for Switchboard's name-based event ids (a fixed, random v4 uuid). */
const SWITCHBOARD_NAMESPACE = '5f0e2d3c-8d7a-4b7e-9f0b-2a6c1e4d9b17';

/**
 * The id of the n-th event a command produces on a stream. Deriving it from the command id makes a
 * resent command (after a lost acknowledgement) hit EventStoreDB's idempotent re-append instead of
 * writing the events twice.
 */
export const eventIdFor = (commandId: string, stream: string, index: number): string =>
  uuidv5(`${commandId}|${stream}|${index}`, SWITCHBOARD_NAMESPACE);
