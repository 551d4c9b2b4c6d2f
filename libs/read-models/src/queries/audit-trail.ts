import { FORWARDS, type EventStoreDBClient } from '@eventstore/db-client';
import { lineStreamOfKey, decodeRecordedEvent, eventSchemas } from '#events';

/** One step of a call's timeline, with everything an auditor asks of it (SPEC's auditors). */
export interface AuditEntry {
  readonly eventId: string;
  readonly type: string;
  readonly stream: string;
  readonly revision: string;
  readonly position: string;
  readonly actor: string;
  readonly onBehalfOf: string | null;
  readonly permission: string | null;
  readonly simulatedTime: string;
  readonly recordedAt: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly commandId: string;
  readonly data: object;
}

/**
 * Reads a trail's events back from its line stream through the official client, one read per run of
 * consecutive revisions (a call's events mostly follow each other, since a line carries one call at a
 * time), decoded by the same step as the projector's store (decodeRecordedEvent).
 */
export const readAuditTrail = async (
  client: EventStoreDBClient,
  line: string,
  revisions: readonly number[],
): Promise<AuditEntry[]> => {
  const stream = lineStreamOfKey(line);
  const entries: AuditEntry[] = [];
  for (let from = 0; from < revisions.length;) {
    let to = from + 1;
    while (to < revisions.length && revisions[to] === revisions[to - 1]! + 1) to++;
    for await (const resolved of client.readStream(stream, {
      direction: FORWARDS,
      fromRevision: BigInt(revisions[from]!),
      maxCount: to - from,
    })) {
      const recorded = resolved.event;
      if (!recorded) continue;
      // Trails hold only events the audit projection applied, so a foreign one here is a mismatch (below).
      const decoded = decodeRecordedEvent(recorded, eventSchemas);
      if (!decoded.ours) continue;
      const { metadata } = decoded;
      entries.push({
        eventId: recorded.id,
        type: recorded.type,
        stream,
        revision: String(recorded.revision),
        position: String(recorded.position?.commit ?? resolved.commitPosition),
        actor: metadata.actor,
        onBehalfOf: metadata.onBehalfOf,
        permission: metadata.permission,
        simulatedTime: metadata.simulatedTime,
        recordedAt: recorded.created.toISOString(),
        correlationId: metadata.$correlationId,
        causationId: metadata.$causationId,
        commandId: metadata.commandId,
        data: decoded.event.data,
      });
    }
    from = to;
  }
  if (entries.length !== revisions.length) {
    throw new Error(
      `the store returned ${entries.length} of the ${revisions.length} events of a trail on ${stream}`,
    );
  }
  return entries;
};
