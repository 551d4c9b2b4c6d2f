import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { request as httpRequest } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AccountEvent } from '#events';
import { EventStore, createEventStoreClient, type StoredEvent } from '#eventstore';
import { createApiApp } from '../../../apps/api/src/bootstrap.js';
import { collect } from '../../support/collect.js';
import { closerOf } from './in-process-apis.js';

/** One api process as a test sees it: its URL and how to stop it. */
export interface RunningApi {
  readonly url: string;
  close(): Promise<void>;
}

export async function startApi(): Promise<RunningApi> {
  const app: NestFastifyApplication = await createApiApp();
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  return { url, close: closerOf(app) };
}

/**
 * The suite's api: started before its first test, closed with the support's store client after its
 * last. Called inside a `describe`; the suite's own `beforeAll` hooks, declared after, can use it.
 */
export function apiForSuite(): RunningApi {
  let started: RunningApi | undefined;
  beforeAll(async () => {
    started = await startApi();
  });
  afterAll(async () => {
    await started?.close();
    await closeStore();
  });
  const running = (): RunningApi => {
    if (!started) throw new Error('the suite’s api is used before its beforeAll started it');
    return started;
  };
  return {
    get url() {
      return running().url;
    },
    close: () => running().close(),
  };
}

export interface Answer {
  readonly status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
}

export async function call(
  api: RunningApi,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/**
 * A request with the path sent exactly as written: `fetch` normalises `..` and percent-encoded dots,
 * which would hide what a hostile client can send.
 */
export function rawCall(api: RunningApi, method: string, path: string, body: unknown): Promise<Answer> {
  const { hostname, port } = new URL(api.url);
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

/** A fresh account (unique id) administered by `root`, with the given phone users. */
export async function accountWith(
  api: RunningApi,
  users: readonly string[],
  policy: Record<string, unknown> = {},
  options: Record<string, PhoneUserOptions> = {},
): Promise<string> {
  const accountId = uniqueId('acct');
  expectStatus(await call(api, 'POST', '/accounts', { actor: ADMIN, accountId, name: 'Acme', policy }), 201);
  for (const [index, user] of users.entries()) {
    expectStatus(
      await call(
        api,
        'POST',
        `/accounts/${accountId}/phone-users`,
        phoneUser(user, index + 1, options[user]),
      ),
      201,
    );
  }
  return accountId;
}

export function expectStatus(answer: Answer, status: number): void {
  if (answer.status !== status)
    throw new Error(`expected ${status}, got ${answer.status}: ${JSON.stringify(answer.body)}`);
}

export const invite = (
  api: RunningApi,
  accountId: string,
  delegatorId: string,
  delegateId: string,
  extra: Record<string, unknown> = {},
  delegatorNumber?: string,
): Promise<Answer> =>
  call(api, 'POST', `/accounts/${accountId}/delegations`, {
    actor: delegatorId,
    delegatorId,
    delegateId,
    permissions: EVERYDAY,
    sharedLines: [delegatorNumber ?? '+15550000001'],
    ...extra,
  });
