import {
  CommandHistory,
  delegationReadyUser,
  type AccountCommand,
  type LineCommand,
  type LoggedEvent,
  type Timed,
} from '#domain';
import { eventSchemas, type DomainEvent } from '#events';
import type { StoredEvent } from '#eventstore';
import { storedLog } from '../engine/engine.fixture.js';
import { ReadModels } from '../engine/read-models.js';
import { PROJECTIONS } from './index.js';

/**
 * Stored events of the catalogue only: an event whose type or data the catalogue does not allow (a
 * routing reason the router never gives, a status that does not exist) fails the spec that builds it,
 * as the projector would park it.
 */
export const checkedLog = (events: readonly (readonly [string, DomainEvent])[]): StoredEvent[] => {
  for (const [stream, { type, data }] of events) {
    const problem = eventSchemas.knows(type)
      ? eventSchemas.dataProblem(type, data as Record<string, unknown>)
      : 'is not an event of the catalogue';
    if (problem !== undefined) throw new Error(`${type} on ${stream}: ${problem}`);
  }
  return storedLog(events.map(([stream, event]) => [stream, event]));
};

/** Every read model, projected from `events` (checked, see checkedLog). */
export const readModelsOf = (events: readonly (readonly [string, DomainEvent])[]): ReadModels => {
  const readModels = new ReadModels(PROJECTIONS);
  for (const stored of checkedLog(events)) readModels.apply(stored);
  return readModels;
};

/** One step of a history: commands on an account or on a line. */
export type Step = (history: CommandHistory) => CommandHistory;

export const onAccount =
  (accountId: string, ...commands: AccountCommand[]): Step =>
  (history) =>
    history.account(accountId, ...commands);

export const onLine =
  (accountId: string, number: string, ...commands: Timed<LineCommand>[]): Step =>
  (history) =>
    history.line(accountId, number, ...commands);

/** Monday 2026-01-05 09:00 UTC: when the account is set up, and line commands without `at` happen. */
export const T0 = '2026-01-05T09:00:00.000Z';
export const at = (seconds: number): string => new Date(Date.parse(T0) + seconds * 1000).toISOString();

/**
 * Read-side specs from behaviour: the log is what the real deciders emit for the given commands
 * (CommandHistory), so a spec can only describe a history the domain can produce.
 *
 *   givenCommands(acme, onLine('acme', ALICE_LINE, incoming('c1'), answer('c1', 'bob')))
 *     .thenReadModel((readModels) => expect(lineHistory(readModels, …)).toMatchObject(…));
 */
export const givenCommands = (...steps: Step[]) => {
  const history = steps.reduce((built, step) => step(built), new CommandHistory(T0));
  const log: readonly LoggedEvent[] = history.log;
  const readModels = readModelsOf(log);
  return {
    log,
    readModels,
    thenReadModel: (check: (readModels: ReadModels) => void): void => check(readModels),
  };
};

// ── Acme: Alice owns her line and shares it with Bob; Carol is in the account, no delegate ─────────

export const ALICE_LINE = '+15550001001';
/** The line as paths, stream names and read-model keys write it: its digits. */
export const ALICE_LINE_PATH = '15550001001';
const by = { actor: 'admin' };
const user = (partyId: string, name: string, number: string): AccountCommand =>
  delegationReadyUser(by.actor, partyId, name, number, 'macos');

export const acme: Step = onAccount(
  'acme',
  { type: 'CreateAccount', ...by, accountId: 'acme', name: 'Acme' },
  user('alice', 'Alice', ALICE_LINE),
  user('bob', 'Bob', '+15550002002'),
  user('carol', 'Carol', '+15550003003'),
  {
    type: 'InviteDelegate',
    actor: 'alice',
    delegationId: 'ab',
    delegatorId: 'alice',
    delegateId: 'bob',
    permissions: ['placeCalls', 'answerCalls', 'pickUpHeldCalls', 'joinAndMerge'],
    sharedLines: [ALICE_LINE],
  },
  { type: 'AcceptInvitation', actor: 'bob', delegationId: 'ab' },
);

/** Line commands of Acme's shared line. */
export const onAliceLine = (...commands: LineCommand[]): Step => onLine('acme', ALICE_LINE, ...commands);

/** Admin-enforced activation on, Carol without her Assistant panel, then Alice invites Carol (R4, R7). */
export const carolInvitedWithoutAssistant: Step = onAccount(
  'acme',
  { type: 'ChangeAccountPolicy', ...by, policy: { autoActivateInvitations: true } },
  { type: 'ChangeAssistant', ...by, partyId: 'carol', assistantEnabled: false },
  {
    type: 'InviteDelegate',
    actor: 'alice',
    delegationId: 'ac',
    delegatorId: 'alice',
    delegateId: 'carol',
    permissions: ['answerCalls'],
    sharedLines: [ALICE_LINE],
  },
);
