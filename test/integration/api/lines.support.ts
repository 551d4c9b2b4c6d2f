import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DestinationStream } from 'pino';
import { randomUUID } from 'node:crypto';
import { accountDecider, type AccountCommand } from '#domain';
import { accountStream, type Permission } from '#events';
import { EventStore, type StoredEvent } from '#eventstore';
import { createApiApp } from '../../../apps/api/src/bootstrap.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { collect } from '../../support/collect.js';
import { startEmbeddedEventStore, type EmbeddedEventStore } from '../../support/embedded-eventstore.js';
import { startedForSuite } from '../../support/for-suite.js';
import { closerOf } from './in-process-apis.js';
import { AccountRepository } from '../../../apps/api/src/accounts/account.repository.js';

/**
 * Helpers for the line api specs: an api over HTTP on a free port, and accounts written straight
 * through the account repository (the account api is another feature; these specs need only state).
 */

export const ALICE = 'alice';
/** Alice's direct number: the shared line of every spec. */
export const LINE = '+15550000001';
export const LINE_PATH_NUMBER = '15550000001';
export const CALLER = '+15550100';
export const VIP_CALLER = '+15557770001';
export const EVERYDAY: Permission[] = ['placeCalls', 'answerCalls', 'pickUpHeldCalls', 'joinAndMerge'];

export interface Reply<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
}

export interface Api {
  readonly app: NestFastifyApplication;
  readonly url: string;
  post<T = Record<string, unknown>>(
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Reply<T>>;
  get<T = Record<string, unknown>>(path: string): Promise<Reply<T>>;
  delete<T = Record<string, unknown>>(path: string, body?: unknown): Promise<Reply<T>>;
  /** POSTs a command: the answer is the command's events, or its refusal. */
  command(
    path: string,
    body: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<Reply<CommandReply & ErrorReply>>;
  /** A fresh line written through this api (see `seedLine`). */
  seedLine(label: string, spec: AccountSpec): Promise<SeededLine>;
  close(): Promise<void>;
}

/**
 * Starts the api exactly as `main` does, listening on port 0. `clock` sets CLOCK_MODE for this app;
 * `connectionString` points it at another event store (a fresh one per replay); `logDestination` takes
 * its log lines from info up (jest's NODE_ENV=test would keep them at warn), as JSON.
 */
export async function startApi(
  options: {
    clock?: 'realtime' | 'virtual';
    connectionString?: string;
    logDestination?: DestinationStream;
  } = {},
): Promise<Api> {
  const saved = { ...process.env };
  process.env.CLOCK_MODE = options.clock ?? 'realtime';
  if (options.connectionString) process.env.EVENTSTORE_CONNECTION_STRING = options.connectionString;
  if (options.logDestination) Object.assign(process.env, { LOG_LEVEL: 'info', LOG_FORMAT: 'json' });
  let app: NestFastifyApplication;
  try {
    app = await createApiApp({ logDestination: options.logDestination });
    await app.listen(0, '127.0.0.1');
  } finally {
    // Assigning undefined to process.env would store the string "undefined".
    for (const name of ['CLOCK_MODE', 'EVENTSTORE_CONNECTION_STRING', 'LOG_LEVEL', 'LOG_FORMAT'] as const) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  }
  const url = await app.getUrl();
  const call = async <T>(method: string, path: string, body?: unknown, headers = {}): Promise<Reply<T>> => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
  };
  const api: Api = {
    app,
    url,
    post: (path, body = {}, headers) => call('POST', path, body, headers),
    get: (path) => call('GET', path),
    delete: (path, body = {}) => call('DELETE', path, body),
    command: (path, body, headers) => call('POST', path, body, headers),
    seedLine: (label, spec) => seedLine(api, label, spec),
    close: closerOf(app),
  };
  return api;
}

/**
 * The suite's api (realtime clock): started before its first test, closed after its last. Called
 * inside a `describe`; the suite's own `beforeAll` hooks, declared after, can use it.
 */
export function apiForSuite(): Api {
  const running = startedForSuite('api', startApi, (api) => api.close());
  return {
    get app() {
      return running().app;
    },
    get url() {
      return running().url;
    },
    post: <T>(path: string, body?: unknown, headers?: Record<string, string>) =>
      running().post<T>(path, body, headers),
    get: <T>(path: string) => running().get<T>(path),
    delete: <T>(path: string, body?: unknown) => running().delete<T>(path, body),
    command: (...args) => running().command(...args),
    seedLine: (...args) => running().seedLine(...args),
    close: () => running().close(),
  };
}

/**
 * `count` api instances with virtual clocks on one in-memory store of their own, fresh for every test
 * (two: the cluster profile's two api containers; virtual clocks, so a test moves the instances'
 * time, or none). Called inside a `describe`.
 */
export function apisOnOneStore<Count extends 1 | 2>(
  count: Count,
): { readonly store: EmbeddedEventStore; readonly apis: Count extends 1 ? [Api] : [Api, Api] } {
  let store: EmbeddedEventStore | undefined;
  const apis: Api[] = [];
  beforeEach(async () => {
    store = await startEmbeddedEventStore({ inMemory: true });
    const connectionString = store.connectionString;
    while (apis.length < count) apis.push(await startApi({ clock: 'virtual', connectionString }));
  });
  afterEach(async () => {
    for (const api of apis.splice(0)) await api.close();
    await store?.stop();
  });
  return {
    get store() {
      return store!;
    },
    get apis() {
      return apis as Count extends 1 ? [Api] : [Api, Api];
    },
  };
}

/** The timers pending on the api's clock (its GET /clock). */
export const pendingTimersOn = async (api: Api): Promise<{ key: string; dueAt: string }[]> =>
  (await api.get<{ pendingTimers: { key: string; dueAt: string }[] }>('/clock')).body.pendingTimers;

/**
 * Polls until `done`: an instance learns of another's appends through its subscription, a little
 * later; on a busy machine's shared cores maybe seconds later, so it gives up after 20 s of them, not
 * after a number of tries.
 */
export const eventually = async (done: () => Promise<boolean>, failure: string): Promise<void> => {
  const giveUpAt = Date.now() + 20_000;
  while (!(await done())) {
    if (Date.now() > giveUpAt) throw new Error(failure);
    await sleep(25);
  }
};

export const uniqueAccountId = (label: string): string => `${label}-${randomUUID().slice(0, 8)}`;

export interface DelegateSpec {
  readonly id: string;
  readonly permissions?: Permission[];
  /** Left pending (not accepted). */
  readonly pending?: boolean;
}

export interface AccountSpec {
  readonly delegates: readonly DelegateSpec[];
  readonly powerPack?: boolean;
  /** Further account commands by their actors, after the delegations. */
  readonly then?: readonly AccountCommand[];
}

/** Alice names VIP_CALLER a VIP contact and has VIP callers ring her first, her delegates 5 s later. */
export const VIP_FIRST: readonly AccountCommand[] = [
  { type: 'AddVipContact', actor: ALICE, delegatorId: ALICE, number: VIP_CALLER, name: 'Board' },
  {
    type: 'ChangeVipRouting',
    actor: ALICE,
    delegatorId: ALICE,
    routing: { mode: 'delegatorFirst', delaySeconds: 5 },
  },
];

const nameOf = (id: string): string => id[0]!.toUpperCase() + id.slice(1);

/** Admin `root` creates the account; Alice owns LINE and invites each delegate, who accepts. */
export const accountCommands = (accountId: string, spec: AccountSpec): AccountCommand[] => [
  { type: 'CreateAccount', actor: 'root', accountId, name: `Account ${accountId}` },
  phoneUser(ALICE, LINE, spec.powerPack ?? false),
  ...spec.delegates.map((d, i) => phoneUser(d.id, `+1555100${String(i).padStart(4, '0')}`, false)),
  ...spec.delegates.flatMap((d): AccountCommand[] => [
    {
      type: 'InviteDelegate',
      actor: ALICE,
      delegationId: `del-${d.id}`,
      delegatorId: ALICE,
      delegateId: d.id,
      permissions: d.permissions ?? EVERYDAY,
      sharedLines: [LINE],
    },
    ...(d.pending ? [] : [{ type: 'AcceptInvitation' as const, actor: d.id, delegationId: `del-${d.id}` }]),
  ]),
  ...(spec.then ?? []),
];

const phoneUser = (partyId: string, number: string, powerPack: boolean): AccountCommand => ({
  type: 'ProvisionPhoneUser',
  actor: 'root',
  partyId,
  name: nameOf(partyId),
  directNumbers: [number],
  callingPlan: 'unlimited',
  powerPack,
  assistantEnabled: true,
  desktopClient: { platform: 'windows', version: '6.2.0' },
});

/** Writes account commands through the api's own account repository, with seeded command ids. */
export async function seedAccount(
  api: Api,
  accountId: string,
  commands: readonly AccountCommand[],
): Promise<void> {
  const accounts = api.app.get(AccountRepository);
  const now = '2026-01-05T09:00:00.000Z';
  for (const [index, command] of commands.entries()) {
    const commandId = `seed-${accountId}-${index}`;
    await accounts.handle(
      accountStream(accountId),
      (state) => accountDecider.decide(command, state, { now }),
      {
        $correlationId: commandId,
        $causationId: commandId,
        commandId,
        actor: command.actor,
        onBehalfOf: null,
        permission: null,
        simulatedTime: now,
      },
    );
  }
}

/** Path of the shared line of an account. */
export const linePath = (accountId: string, number = LINE_PATH_NUMBER): string =>
  `/accounts/${accountId}/lines/${number}`;

/** The store's stream of an account's shared line. */
export const lineStreamOf = (accountId: string): string => `line-${accountId}.${LINE_PATH_NUMBER}`;

/** A line `seedLine` wrote: its account, where the api serves it and where the store keeps it. */
export interface SeededLine {
  readonly accountId: string;
  readonly path: string;
  readonly stream: string;
  /** Every event of the line as the store holds it, read through the api that seeded it. */
  storedEvents(): Promise<StoredEvent[]>;
}

/**
 * A fresh account (its id `label` and a unique suffix) where Alice shares LINE as `spec` says, written
 * through `api`.
 */
export async function seedLine(api: Api, label: string, spec: AccountSpec): Promise<SeededLine> {
  const accountId = uniqueAccountId(label);
  await seedAccount(api, accountId, accountCommands(accountId, spec));
  return {
    accountId,
    path: linePath(accountId),
    stream: lineStreamOf(accountId),
    storedEvents: () => lineEvents(api, accountId),
  };
}

/** Every event of an account's shared line, read through the store of `api`. */
export const lineEvents = (api: Api, accountId: string): Promise<StoredEvent[]> =>
  collect(api.app.get(EventStore).readStream(lineStreamOf(accountId)));

export interface CommandReply {
  readonly commandId: string;
  readonly duplicate: boolean;
  readonly callId?: string;
  readonly revision?: string;
  readonly position?: string;
  readonly events: { type: string; data: Record<string, unknown> }[];
}

export interface ErrorReply {
  readonly statusCode: number;
  readonly code: string;
  readonly message: string;
  readonly rule?: string;
  readonly details?: Record<string, unknown>;
  readonly errors?: { field: string; messages: string[] }[];
}
