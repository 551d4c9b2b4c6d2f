import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { eventSchemas } from '#events';
import type { EventStore } from '#eventstore';
import { PROJECTIONS, Projector } from '#read-models';
import { createProjectorApp } from '../../apps/projector/src/bootstrap.js';
import { startedForSuite } from './for-suite.js';
import { lastPositionOfAccount, openSharedStore } from './shared-store.js';

/** How a test configures the projector's app (see createProjectorApp). */
type ProjectorAppOptions = Parameters<typeof createProjectorApp>[2];

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
  appOptions: ProjectorAppOptions = {},
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

/**
 * A projector of one account on the shared store (see serveAccount), served for the suite: started
 * before its first test, once the suite's `beforeAll` hooks declared before it made what `accountId`
 * and `appOptions` name, and stopped, then the store's client, after its last. Called inside a
 * `describe`.
 */
export function accountProjectorForSuite(
  accountId: () => string,
  appOptions: () => Promise<ProjectorAppOptions> = async () => ({}),
): () => ServedAccount {
  const store = openSharedStore(eventSchemas);
  const served = startedForSuite(
    'projector',
    async () => serveAccount(store, accountId(), await appOptions()),
    (account) => account.close(),
  );
  afterAll(() => store.client.dispose(), 30_000);
  return served;
}
