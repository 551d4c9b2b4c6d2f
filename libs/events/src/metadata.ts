/**
 * Metadata written with every event (SPEC §2). `$correlationId` and `$causationId` use
 * EventStoreDB's own names so that a real server's `$by_correlation_id` projection works.
 */
export interface EventMetadata {
  readonly $correlationId: string;
  readonly $causationId: string;
  /** The command that produced the event (client-chosen or generated). */
  readonly commandId: string;
  /** Party id of whoever acted, or `system:<process>` for process managers and timers. */
  readonly actor: string;
  /** Party id of the delegator the actor acted for, when acting as a delegate. */
  readonly onBehalfOf: string | null;
  /** The delegation permission the actor exercised (R6), when one was needed. */
  readonly permission: string | null;
  /** Simulated time of the decision (ISO-8601), from the clock port (R21). */
  readonly simulatedTime: string;
  /**
   * The request a client sent the command in, as a digest (see requestDigestOf in the api): a resend
   * under the same command id must be the same request, or it is refused rather than answered with
   * another command's result. Absent for commands no client request carried (timers, imports) and in
   * events written before it was recorded.
   */
  readonly requestDigest?: string;
  /** Schema version of `data` for this event type; older versions are upcast on read. */
  readonly schemaVersion: number;
}

/**
 * What the command ids of the api's line timers start with (ring timeouts, VIP escalations, transfer
 * recalls): events carrying one were written by a timer, not by a person's command. A client's
 * command id may not start so.
 */
export const TIMER_COMMAND_ID_PREFIX = 'timer-';
