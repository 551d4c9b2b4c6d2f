import { PERMISSIONS, type AccountEvent, type Permission } from '#events';
import { DomainError } from '../shared/domain-error.js';
import type { AccountCommand } from './account.commands.js';
import { accountDecider } from './account.decider.js';
import {
  T0,
  ACME,
  ADMIN,
  ALICE,
  BOB,
  CAROL,
  LOBBY,
  accept,
  addVip,
  changePermissions,
  changePolicy,
  changeSharedLines,
  createAccount,
  decline,
  disableFor,
  enableFor,
  givePowerPack,
  history,
  invite,
  lock,
  numberOf,
  optIn,
  optOut,
  provisionUser,
  revoke,
  stateOf,
  unlock,
} from './account.fixtures.js';
import { liveDelegationsHeldBy, liveDelegationsOf } from './account.queries.js';
import type { AccountState } from './account.state.js';

/** A small deterministic PRNG (mulberry32): a failing seed reproduces the same command stream. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const PARTIES = [ALICE, BOB, CAROL, LOBBY, 'p1', 'p2'];
const ACTORS = [...PARTIES, ADMIN];
const VIP_NUMBERS = ['+15557770001', '+15557770002'];

const commandStream = (seed: number, length: number): AccountCommand[] => {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const permissions = (): Permission[] => PERMISSIONS.filter(() => next() < 0.4);
  const delegationId = () => `d${Math.floor(next() * (length / 4)) + 1}`;
  const makers: (() => AccountCommand)[] = [
    () => {
      const delegator = pick(PARTIES);
      return invite(delegationId(), delegator, pick(PARTIES), {
        actor: pick([delegator, delegator, ADMIN, pick(ACTORS)]),
        permissions: [...permissions(), pick(['placeCalls', 'answerCalls'] as const)],
        sharedLines: [next() < 0.9 ? numberOf(delegator) : numberOf(pick(PARTIES))],
      });
    },
    () => accept(delegationId(), pick(ACTORS)),
    () => decline(delegationId(), pick(ACTORS)),
    () => revoke(delegationId(), pick(ACTORS)),
    () => changePermissions(delegationId(), pick(ACTORS), permissions()),
    () => changeSharedLines(delegationId(), pick(ACTORS), [numberOf(pick(PARTIES))]),
    () => optIn(delegationId(), pick(ACTORS)),
    () => optOut(delegationId(), pick(ACTORS)),
    () => lock(pick(PARTIES), pick([ADMIN, pick(ACTORS)])),
    () => unlock(pick(PARTIES)),
    () => disableFor(pick(PARTIES), pick(ACTORS)),
    () => enableFor(pick(PARTIES), pick(ACTORS)),
    () => givePowerPack(pick(PARTIES), next() < 0.7),
    () => addVip(pick(PARTIES), pick(VIP_NUMBERS), pick(ACTORS)),
    () => changePolicy({ maxDelegatesPerDelegator: 1 + Math.floor(next() * 3) }),
    () => changePolicy({ maxDelegatorsPerDelegate: 1 + Math.floor(next() * 3) }),
    () => changePolicy({ autoActivateInvitations: next() < 0.3 }),
  ];
  return Array.from({ length }, () => pick(makers)());
};

/** Invariants R1, R6, R9 and R10 promise for every reachable state. */
const checkInvariants = (state: AccountState): void => {
  if (state.status !== 'active') throw new Error('the account must exist');
  const owners = new Map<string, string>();
  for (const party of state.parties.values()) {
    expect(party.directNumbers.length).toBeGreaterThan(0);
    for (const number of party.directNumbers) {
      expect(owners.get(number)).toBeUndefined();
      owners.set(number, party.id);
    }
  }
  const livePairs = new Set<string>();
  for (const delegation of state.delegations.values()) {
    expect(delegation.delegatorId).not.toBe(delegation.delegateId);
    const delegator = state.parties.get(delegation.delegatorId)!;
    for (const line of delegation.sharedLines) expect(delegator.directNumbers).toContain(line);
    if (delegation.permissions.includes('optInOut') || delegation.permissions.includes('vipOnly'))
      expect(delegation.permissions).toContain('answerCalls');
    if (!delegation.permissions.includes('optInOut')) expect(delegation.optedIn).toBe(true);
    if (delegation.status !== 'pending' && delegation.status !== 'active') continue;
    const pair = `${delegation.delegatorId}→${delegation.delegateId}`;
    expect(livePairs.has(pair)).toBe(false);
    livePairs.add(pair);
  }
};

const decideOrReject = (
  command: AccountCommand,
  state: AccountState,
): readonly AccountEvent[] | DomainError => {
  try {
    return accountDecider.decide(command, state, { now: T0 }).events;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
};

describe('properties over random command streams', () => {
  const seeds = [1, 2, 3, 42, 2026, 31337];
  const setup = history(
    createAccount({ maxDelegatesPerDelegator: 2, maxDelegatorsPerDelegate: 2 }),
    ...ACME.slice(1),
    provisionUser('p1'),
    provisionUser('p2'),
  );

  it.each(seeds)(
    'R7: deciding a command again on the state it produced never repeats its effect (seed %i)',
    (seed) => {
      let events: AccountEvent[] = [...setup];
      for (const command of commandStream(seed, 300)) {
        const state = stateOf(events);
        const first = decideOrReject(command, state);
        if (first instanceof DomainError) continue;
        events = [...events, ...first];
        const second = decideOrReject(command, stateOf(events));
        if (second instanceof DomainError) expect(second.kind).not.toBe('unprocessable');
        else expect(second).toEqual([]);
      }
    },
  );

  it.each(seeds)(
    'R8: limits, R9 pairs, R10 shared lines, R1 numbers and R6 dependencies hold in every reachable state (seed %i)',
    (seed) => {
      let events: AccountEvent[] = [...setup];
      let accepted = 0;
      for (const command of commandStream(seed, 300)) {
        const state = stateOf(events);
        const decided = decideOrReject(command, state);
        if (decided instanceof DomainError) {
          expect(decided.rule).toMatch(/^R\d+$/);
          expect(decided.code).toMatch(/^[A-Z][A-Z_]+$/);
          continue;
        }
        accepted++;
        // R8 holds where it is decided: an invitation is only ever made below both limits in force
        // (lowering a limit later keeps the delegations already made).
        for (const event of decided)
          if (event.type === 'DelegateInvited' && state.status === 'active') {
            expect(liveDelegationsOf(state, event.data.delegatorId).length).toBeLessThan(
              state.policy.maxDelegatesPerDelegator,
            );
            expect(liveDelegationsHeldBy(state, event.data.delegateId).length).toBeLessThan(
              state.policy.maxDelegatorsPerDelegate,
            );
          }
        events = [...events, ...decided];
        checkInvariants(stateOf(events));
      }
      // The stream must exercise the decider, not be rejected wholesale.
      expect(accepted).toBeGreaterThan(30);
    },
  );

  it('R7: accepting an accepted invitation is rejected with INVITATION_NOT_PENDING rather than accepted again', () => {
    const once = history(...ACME, invite('d1', ALICE, BOB), accept('d1', BOB));
    const again = decideOrReject(accept('d1', BOB), stateOf(once));
    expect(again).toBeInstanceOf(DomainError);
    expect((again as DomainError).code).toBe('INVITATION_NOT_PENDING');
    expect((again as DomainError).kind).toBe('conflict');
  });
});
