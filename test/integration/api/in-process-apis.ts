import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { LineRepository } from '../../../apps/api/src/lines/line.repository.js';

const running = new Set<NestFastifyApplication>();

/**
 * How a test stops an api it runs in its own process. Every api of the process first settles its
 * background snapshot writes: @eventstore/db-client keeps one process-wide table of pending
 * BatchAppends (see LineRepository), so one api's client going away could otherwise break another
 * api's write in flight.
 */
export const closerOf = (app: NestFastifyApplication): (() => Promise<void>) => {
  running.add(app);
  return async () => {
    await Promise.all([...running].map((api) => api.get(LineRepository).settleSnapshots()));
    running.delete(app);
    await app.close();
  };
};
