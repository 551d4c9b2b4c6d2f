import { jest } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { request as httpRequest } from 'node:http';
import { randomUUID } from 'node:crypto';
import { eventSchemas, type AccountEvent } from '#events';
import { EventStore, createEventStoreClient, type StoredEvent } from '#eventstore';
import { createApiApp } from '../../../apps/api/src/bootstrap.js';
import { serveAccount } from '../../support/account-projector.js';
import { collect } from '../../support/collect.js';
import { startedForSuite } from '../../support/for-suite.js';
import { openSharedStore } from '../../support/shared-store.js';
import { closerOf } from './in-process-apis.js';

export interface Answer {
  readonly status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
}

/** One api process as a test sees it: its URL, the requests a spec sends it, and how to stop it. */
export interface RunningApi {
  readonly url: string;
  close(): Promise<void>;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer>;
  /**
   * A request with the path sent exactly as written: `fetch` normalises `..` and percent-encoded dots,
   * which would hide what a hostile client can send.
   */
  rawCall(method: string, path: string, body: unknown): Promise<Answer>;
  /** A fresh account (`accountId`, else a unique id) administered by `root`, with the given phone users. */
  accountWith(
    users: readonly string[],
    policy?: Record<string, unknown>,
    options?: Record<string, PhoneUserOptions>,
    accountId?: string,
  ): Promise<string>;
  /** The delegator invites the delegate to share their first number (or `delegatorNumber`). */
  invite(
    accountId: string,
    delegatorId: string,
    delegateId: string,
    extra?: Record<string, unknown>,
    delegatorNumber?: string,
  ): Promise<Answer>;
  /**
   * An active delegation: the delegator invites the delegate (as `invite`, with `extra`, which names its
   * `delegationId`) and the delegate accepts, each expected to succeed.
   */
  delegate(
    accountId: string,
    delegatorId: string,
    delegateId: string,
    extra: Record<string, unknown> & { delegationId: string },
  ): Promise<void>;
}

export async function startApi(): Promise<RunningApi> {
  const app: NestFastifyApplication = await createApiApp();
  await app.listen(0, '127.0.0.1');
  return requestsTo(await app.getUrl(), closerOf(app));
}

/**
 * The suite's api: started before its first test, closed with the support's store client after its
 * last. Called inside a `describe`; the suite's own `beforeAll` hooks, declared after, can use it.
 */
export function apiForSuite(): RunningApi {
  // Booting an app while ts-jest compiles other suites in parallel can exceed Jest's 5 s default.
  jest.setTimeout(60_000);
  const running = startedForSuite('api', startApi, (api) => api.close());
  afterAll(closeStore);
  return {
    get url() {
      return running().url;
    },
    close: () => running().close(),
    call: (...args) => running().call(...args),
    rawCall: (...args) => running().rawCall(...args),
    accountWith: (...args) => running().accountWith(...args),
    invite: (...args) => running().invite(...args),
    delegate: (...args) => running().delegate(...args),
  };
}

/** An account the suite's api created, served by a projector of its own (see servedAccountForSuite). */
export interface ServedAccountSuite {
  readonly api: RunningApi;
  /** The store the api writes to, for the suite to read (its client disposed after the suite). */
  readonly store: EventStore;
  readonly accountId: string;
  /** A GET of `path` on the account's projector, once it has applied the account's newest event. */
  read(path: string): Promise<Answer>;
}

/**
 * The suite's api, an account of `users` on it and a projector serving that account: started before
 * the suite's first test, stopped after its last. Called inside a `describe`; the suite's own
 * `beforeAll` hooks, declared after, find the account created and served.
 */
export function servedAccountForSuite(users: readonly string[]): ServedAccountSuite {
  const api = apiForSuite();
  const store = openSharedStore(eventSchemas);
  const accountId = uniqueId('acct');
  const served = startedForSuite(
    'projector',
    async () => {
      await api.accountWith(users, {}, {}, accountId);
      return serveAccount(store, accountId);
    },
    (projector) => projector.close(),
  );
  afterAll(() => store.client.dispose());
  return {
    api,
    store,
    accountId,
    async read(path) {
      await served().caughtUp();
      const answer = await fetch(`${served().url}${path}`);
      return { status: answer.status, body: await answer.json() };
    },
  };
}

function requestsTo(url: string, close: () => Promise<void>): RunningApi {
  const api: RunningApi = {
    url,
    close,
    async call(method, path, body, headers = {}) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    rawCall: (method, path, body) => rawCall(url, method, path, body),
    async accountWith(users, policy = {}, options = {}, accountId = uniqueId('acct')) {
      expectStatus(
        await api.call('POST', '/accounts', { actor: ADMIN, accountId, name: 'Acme', policy }),
        201,
      );
      for (const [index, user] of users.entries()) {
        const body = phoneUser(user, index + 1, options[user]);
        expectStatus(await api.call('POST', `/accounts/${accountId}/phone-users`, body), 201);
      }
      return accountId;
    },
    invite: (accountId, delegatorId, delegateId, extra = {}, delegatorNumber) =>
      api.call('POST', `/accounts/${accountId}/delegations`, {
        actor: delegatorId,
        delegatorId,
        delegateId,
        permissions: EVERYDAY,
        sharedLines: [delegatorNumber ?? '+15550000001'],
        ...extra,
      }),
    async delegate(accountId, delegatorId, delegateId, extra) {
      expectStatus(await api.invite(accountId, delegatorId, delegateId, extra), 201);
      const accept = `/accounts/${accountId}/delegations/${extra.delegationId}/accept`;
      expectStatus(await api.call('POST', accept, { actor: delegateId }), 200);
    },
  };
  return api;
}

function rawCall(url: string, method: string, path: string, body: unknown): Promise<Answer> {
  const { hostname, port } = new URL(url);
  const payload = body === undefined ? '' : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: hostname,
        port,
        method,
        path,
        headers: payload
          ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
          : {},
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

export const uniqueId = (prefix: string): string => `${prefix}-${randomUUID().replaceAll('-', '')}`;

export const ADMIN = 'root';
export const EVERYDAY = ['placeCalls', 'answerCalls', 'pickUpHeldCalls'];
export const numberOf = (index: number): string => `+1555${String(index).padStart(7, '0')}`;

const store = new EventStore(createEventStoreClient(process.env.EVENTSTORE_CONNECTION_STRING!));
export const closeStore = (): Promise<void> => store.client.dispose();

export const storedEvents = (accountId: string): Promise<StoredEvent<AccountEvent>[]> =>
  collect(store.readStream<AccountEvent>(`account-${accountId}`));

export const storedTypes = async (accountId: string): Promise<string[]> =>
  (await storedEvents(accountId)).map((stored) => stored.event.type);

export interface PhoneUserOptions {
  readonly callingPlan?: string;
  readonly powerPack?: boolean;
  readonly numbers?: string[];
}

/** A phone user who can take part in everything: a plan, the Assistant and a current Windows client. */
export const phoneUser = (partyId: string, index: number, options: PhoneUserOptions = {}) => ({
  actor: ADMIN,
  partyId,
  name: partyId.toUpperCase(),
  directNumbers: options.numbers ?? [numberOf(index)],
  callingPlan: options.callingPlan ?? 'unlimited',
  powerPack: options.powerPack ?? false,
  assistantEnabled: true,
  desktopClient: { platform: 'windows', version: '6.2.1' },
});

export function expectStatus(answer: Answer, status: number): void {
  if (answer.status !== status)
    throw new Error(`expected ${status}, got ${answer.status}: ${JSON.stringify(answer.body)}`);
}
