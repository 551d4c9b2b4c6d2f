/** Another writer appended to the stream since it was read: re-read, re-decide, retry. */
export class StreamVersionConflictError extends Error {
  override readonly name = 'StreamVersionConflictError';
  constructor(
    readonly stream: string,
    readonly expectedRevision: bigint | 'no_stream',
    readonly actualRevision: bigint | 'no_stream' | undefined,
  ) {
    super(
      `stream ${stream} moved on: expected revision ${String(expectedRevision)}, found ${String(actualRevision ?? 'unknown')}`,
    );
  }
}
