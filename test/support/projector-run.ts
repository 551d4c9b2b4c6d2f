import type { Projector } from '#read-models';

/**
 * Starts `projector`, lets it apply the log up to `position` and stops it: its read models are then
 * final, and the snapshot it writes on stop is what a projector restarted on its data directory
 * resumes from.
 */
export async function runThrough(projector: Projector, position: bigint): Promise<Projector> {
  await projector.start();
  await projector.waitForPosition(position);
  await projector.stop();
  return projector;
}
