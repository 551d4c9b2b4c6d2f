import { createHash } from 'node:crypto';

/** Namespace for Switchboard's name-based event ids (a fixed, random v4 uuid). */
const SWITCHBOARD_NAMESPACE = '5f0e2d3c-8d7a-4b7e-9f0b-2a6c1e4d9b17';
const NAMESPACE_BYTES = Buffer.from(SWITCHBOARD_NAMESPACE.replaceAll('-', ''), 'hex');

/**
 * The id of the n-th event a command produces on a stream. Deriving it from the command id makes a
 * resent append (after a lost acknowledgement) hit EventStoreDB's idempotent re-append instead of
 * writing the events twice: for appends that are not decided on a fold (`fromCommand` in
 * event-store.ts; the aggregate repository names each decision's events anew instead).
 *
 * An RFC 9562 version 5 uuid (SHA-1 of namespace and name), computed here rather than with the uuid
 * package, which re-parses the namespace and copies bytes on every call: this runs for every event
 * appended. The ids of a name must never change, or a resend after an upgrade would append twice; the
 * spec pins them against the uuid package.
 */
export const eventIdFor = (commandId: string, stream: string, index: number): string => {
  const hash = createHash('sha1').update(NAMESPACE_BYTES).update(`${commandId}|${stream}|${index}`).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.toString('hex', 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

/**
 * The id of the n-th event a command produces on a stream, from its metadata: a client's command (it
 * carries a request digest) names its ids after its request too, so a different request under the
 * same command id never passes for its resend in the store's own deduplication (an append at the same
 * revision with the same ids is answered as done, whatever the events). Commands without a digest keep
 * the ids they always had. A command an older build stored (ids without its digest) and resent to this
 * one gets other ids, but never reaches the append: the repository answers a resend from the command
 * the stream already holds.
 */
export const commandEventId = (
  command: { readonly commandId: string; readonly requestDigest?: string | undefined },
  stream: string,
  index: number,
): string =>
  eventIdFor(
    command.requestDigest === undefined ? command.commandId : `${command.commandId}|${command.requestDigest}`,
    stream,
    index,
  );
