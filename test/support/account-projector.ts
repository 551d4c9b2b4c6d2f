import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { EventStore } from '#eventstore';
import { PROJECTIONS, Projector } from '#read-models';
import { createProjectorApp } from '../../apps/projector/src/bootstrap.js';
import { lastPositionOfAccount } from './shared-store.js';

/** A running projector of one account and its HTTP app, and how to stop both. */
export interface ServedAccount {
  readonly projector: Projector;
  readonly app: NestFastifyApplication;
  readonly url: string;
  /**
   * Until the projector has applied the account's newest event. Not the store's head: that may be
   * another suite's event (an api fires the timers other suites left pending), which it never sees.
   */
  caughtUp(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The real projections of one account's streams only (tests share the store, each with an account of
 * its own), served over HTTP on a free port as the projector's `main` serves them (with `appOptions`,
 * as a test configures it).
 */
export async function serveAccount(
  store: EventStore,
  accountId: string,
  appOptions: Parameters<typeof createProjectorApp>[2] = {},
): Promise<ServedAccount> {
  const projector = new Projector(store, PROJECTIONS, {
    streamPrefixes: [`account-${accountId}`, `line-${accountId}.`],
    log: () => undefined,
  });
  await projector.start();
  const app = await createProjectorApp(projector, store, appOptions);
  const close = async (): Promise<void> => {
    await app.close();
    await projector.stop();
  };
  try {
    await app.listen(0, '127.0.0.1');
    const caughtUp = async (): Promise<void> =>
      projector.waitForPosition((await lastPositionOfAccount(store.client, accountId)) ?? 0n);
    return { projector, app, url: await app.getUrl(), caughtUp, close };
  } catch (error) {
    await close();
    throw error;
  }
}
