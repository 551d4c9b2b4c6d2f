import {
  alignStart,
  checkExpectation,
  commandForRun,
  commandIdFor,
  contains,
  parseOffset,
  resolvePlaceholders,
  scenarioProblems,
  usesVirtualTime,
  type Scenario,
} from './scenario.js';

const answered = { status: 200, code: undefined, events: [{ type: 'CallAnswered', data: { by: 'carol' } }] };

describe('scenario expectations', () => {
  it('checks success, rejection codes, event types and who answered', () => {
    expect(checkExpectation({ ok: true, events: ['CallAnswered'], answeredBy: 'carol' }, answered)).toEqual(
      [],
    );
    expect(checkExpectation({ answeredBy: 'bob' }, answered)).toEqual([
      'expected the call answered by bob, got carol',
    ]);
    expect(
      checkExpectation({ rejected: 'LINE_BUSY' }, { status: 409, code: 'LINE_BUSY', events: [] }),
    ).toEqual([]);
    expect(checkExpectation({ rejected: 'LINE_BUSY' }, answered)).toEqual([
      'expected rejection LINE_BUSY, got 200',
    ]);
    expect(checkExpectation({ events: ['CallEnded'] }, answered)).toEqual([
      'expected events [CallEnded], got [CallAnswered]',
    ]);
  });

  it("names the api's sentence beside the code when a step expected to succeed is rejected", () => {
    // Given the api's rejection of a second call on a busy line
    const busy = {
      status: 409,
      code: 'LINE_BUSY',
      message: 'line +15550000001 is busy with call c1',
      events: [],
    };
    // When it is checked against expectations it does not meet
    // Then each problem carries the code and the sentence that explains it
    expect(checkExpectation({ ok: true }, busy)).toEqual([
      'expected success, got 409 LINE_BUSY: line +15550000001 is busy with call c1',
    ]);
    expect(checkExpectation({ rejected: 'PERMISSION_REQUIRED', status: 403 }, busy)).toEqual([
      'expected rejection PERMISSION_REQUIRED, got 409 LINE_BUSY: line +15550000001 is busy with call c1',
      'expected status 403, got 409 LINE_BUSY: line +15550000001 is busy with call c1',
    ]);
  });

  it('matches a projector answer by subset', () => {
    const roster = { position: '12', byDelegator: { alice: [{ status: 'active', delegateId: 'bob' }] } };
    expect(contains(roster, { byDelegator: { alice: [{ status: 'active' }] } })).toBe(true);
    expect(contains(roster, { byDelegator: { alice: [{ status: 'pending' }] } })).toBe(false);
    expect(contains(roster, { byDelegator: { bob: [] } })).toBe(false);
  });
});

describe('scenario time and placeholders', () => {
  const context = { accountId: 'r14-abc123', t0: new Date('2026-01-07T10:15:00.000Z') };

  it('reads offsets only with a unit, so a phone number in `to` stays a number', () => {
    expect(parseOffset('+90s')).toBe(90);
    expect(parseOffset('+2m')).toBe(120);
    expect(parseOffset('+1h')).toBe(3600);
    expect(parseOffset('+15550100')).toBeUndefined();
  });

  it('aligns the start to the next matching weekday and time, or keeps an exact match', () => {
    // 2026-01-07 is a Wednesday.
    expect(alignStart(context.t0, 'mon 09:00').toISOString()).toBe('2026-01-12T09:00:00.000Z');
    expect(alignStart(context.t0, '09:00').toISOString()).toBe('2026-01-08T09:00:00.000Z');
    expect(alignStart(context.t0, 'wed 10:15').toISOString()).toBe('2026-01-07T10:15:00.000Z');
    expect(() => alignStart(context.t0, 'monday')).toThrow(/clock.start/);
  });

  it('resolves account, run-scoped ids and times in every string, and relative `at`/`to`', () => {
    expect(
      resolvePlaceholders(
        {
          path: '/accounts/{accountId}/delegations/{id:ab}/accept',
          get: '/calls/{call:c1}/diagnostics/ring?party=bob',
          detail: 'ring at {t0+30s} and {t0}',
          at: '+1m',
          to: '+15550100',
          list: ['{delegation:x}'],
        },
        context,
      ),
    ).toEqual({
      path: '/accounts/r14-abc123/delegations/r14-abc123-ab/accept',
      get: '/calls/r14-abc123-c1/diagnostics/ring?party=bob',
      detail: 'ring at 2026-01-07T10:15:30.000Z and 2026-01-07T10:15:00.000Z',
      at: '2026-01-07T10:16:00.000Z',
      to: '+15550100',
      list: ['r14-abc123-x'],
    });
  });

  it('scopes a command to the run once, whether written plain or with a placeholder', () => {
    expect(
      commandForRun(
        { type: 'answerCall', actor: 'bob', line: '+15550000001', callId: 'c1', at: '+5s' },
        context,
      ),
    ).toEqual({
      type: 'answerCall',
      actor: 'bob',
      line: '+15550000001',
      callId: 'r14-abc123-c1',
      at: '2026-01-07T10:15:05.000Z',
      accountId: 'r14-abc123',
    });
    expect(commandForRun({ type: 'hangUp', actor: 'bob', callId: '{call:c1}' }, context)).toMatchObject({
      callId: 'r14-abc123-c1',
    });
  });

  it('checks the answer body and status', () => {
    const busy = {
      status: 409,
      code: 'LINE_BUSY',
      events: [],
      body: { rule: 'R12', details: { callId: 'c1' } },
    };
    expect(
      checkExpectation({ status: 409, contains: { rule: 'R12', details: { callId: 'c1' } } }, busy),
    ).toEqual([]);
    expect(checkExpectation({ contains: { rule: 'R13' } }, busy)).toHaveLength(1);
    expect(checkExpectation({ status: 422 }, busy)).toEqual(['expected status 422, got 409 LINE_BUSY']);
  });

  it('refuses malformed steps with a message naming the step', () => {
    const base = { name: 'x', account: 'x', parties: [] };
    expect(scenarioProblems({ ...base, steps: [{ advance: { seconds: 5 } }] })).toEqual([]);
    expect(scenarioProblems({ ...base, steps: [{ note: 'nothing' }] })).toEqual([
      'step 1: nothing to do (give command, api, advance or projector)',
    ]);
    expect(
      scenarioProblems({
        ...base,
        steps: [{ advance: {}, api: { method: 'GET', path: '/' }, expects: {} } as never],
      }),
    ).toEqual([
      'step 1: unknown field(s) expects (use note, command, api, advance, expect, projector)',
      'step 1: give one of command, api, advance',
      'step 1: advance needs seconds or to',
    ]);
  });

  it('refuses a command the CLI cannot route, naming the step, before anything is sent', () => {
    // Given a scenario whose steps name an unknown command type and call commands missing their ids
    const base = { name: 'x', account: 'x', parties: [] };
    const steps = [
      { command: { type: 'frobnicate', actor: 'alice' } },
      { command: { type: 'hangUp', actor: 'alice', callId: 'c1' } },
      { command: { type: 'answerCall', actor: 'alice', line: '+15550000001' } },
      { command: { type: 'placeCall', actor: 'alice', line: '+15550000001', callId: 'c1', to: '+15550100' } },
      { command: { type: 'acceptDelegation', actor: 'bob', delegationId: 'ab' } },
    ] as never;
    // When its shape is checked
    const problems = scenarioProblems({ ...base, steps });
    // Then each bad step is named with what to write instead, and the well-formed ones pass
    expect(problems).toEqual([
      expect.stringMatching(/^step 1: unknown command type "frobnicate" \(use createAccount, .*hangUp/),
      'step 2: hangUp needs line',
      'step 3: answerCall needs callId',
    ]);
  });
});

describe('a scenario file checked before anything is sent', () => {
  const alice = { id: 'alice', numbers: ['+15550000001'], plan: 'pro' };
  const bob = { id: 'bob', numbers: ['+15550000002'], plan: 'pro' };
  const base = {
    name: 'x',
    account: 'acme',
    parties: [alice, bob],
    delegations: [{ id: 'd1', delegator: 'alice', delegate: 'bob', permissions: [], lines: [] }],
    steps: [{ advance: { seconds: 5 } }],
  };
  const problems = (edit: object): string[] => scenarioProblems({ ...base, ...edit } as never);

  it('refuses ids the api refuses, prototype names among them, where setup stopped half-way on a 400', () => {
    // Given an account, a party and a delegation named __proto__ / constructor
    // When checked, Then each is named (the account used to fail on its idempotency key, after nothing)
    expect(problems({})).toEqual([]);
    expect(problems({ account: '__proto__' })).toEqual([
      expect.stringMatching(/^account "__proto__": an id /),
    ]);
    expect(
      problems({
        parties: [alice, { ...bob, id: 'constructor' }],
        delegations: [{ id: 'd1', delegator: 'alice', delegate: 'constructor', permissions: [], lines: [] }],
      }),
    ).toEqual([expect.stringMatching(/^party "constructor": an id /)]);
    expect(problems({ delegations: [{ ...base.delegations[0], id: 'toString' }] })).toEqual([
      expect.stringMatching(/^delegation "toString": an id /),
    ]);
  });

  it('refuses unknown fields and a delegation between parties the file does not have', () => {
    // Given typos at the top, in a party, in a delegation and in an expectation
    expect(problems({ delegation: [] })).toEqual([
      expect.stringMatching(/^the scenario: unknown field\(s\) delegation \(use name, /),
    ]);
    expect(problems({ steps: [null] })).toEqual(['step 1: null is not a step']);
    expect(problems({ parties: [{ ...alice, plans: 'pro' }, bob] })).toEqual([
      expect.stringMatching(/^party alice: unknown field\(s\) plans /),
    ]);
    expect(
      problems({ delegations: [{ ...base.delegations[0], delegate: 'carol', permission: [] }] }),
    ).toEqual([
      expect.stringMatching(/^delegation d1: unknown field\(s\) permission /),
      'delegation d1: delegate "carol" is none of the parties',
    ]);
    expect(
      problems({ steps: [{ api: { method: 'GET', path: '/' }, expect: { rejcted: 'LINE_BUSY' } }] }),
    ).toEqual([expect.stringMatching(/^step 1: expect: unknown field\(s\) rejcted /)]);
  });

  it('refuses an expectation that cannot hold and a time no clock reaches', () => {
    const place = { type: 'placeCall', actor: 'alice', line: '+15550000001', callId: 'c1', to: '+15550100' };
    expect(problems({ steps: [{ command: place, expect: { ok: true, rejected: 'LINE_BUSY' } }] })).toEqual([
      'step 1: expect ok and rejected LINE_BUSY cannot both hold',
    ]);
    expect(problems({ steps: [{ command: { ...place, at: '+99999999999999999999s' } }] })).toEqual([
      'step 1: at +99999999999999999999s is further than a clock can go',
    ]);
    expect(problems({ steps: [{ command: { ...place, at: '+90s' } }, { advance: { to: '+1d' } }] })).toEqual(
      [],
    );
    expect(problems({ steps: [{ advance: { seconds: -5 } }, { advance: { seconds: 'abc' } }] })).toEqual([
      'step 1: advance.seconds -5 is not a whole number of seconds >= 0',
      'step 2: advance.seconds "abc" is not a whole number of seconds >= 0',
    ]);
    expect(problems({ steps: [{ command: place, expect: { status: 'abc' } }] })).toEqual([
      'step 1: expect.status "abc" is not an HTTP status',
    ]);
  });
});

describe('reproducible scenario runs', () => {
  const context = { accountId: 'r21-e2e', t0: new Date('2026-01-05T09:00:00Z') };

  it('gives each request of a run a command id of its own, the same on every run', () => {
    // Given a run's account, When its requests are named, Then the id says the account and the request
    expect(commandIdFor(context, 'step3')).toBe('r21-e2e-step3');
    // And an id too long for the api is hashed to a stable, valid one
    const long = { ...context, accountId: 'a'.repeat(60) };
    expect(commandIdFor(long, 'setup12')).toMatch(/^[0-9a-f]{40}$/);
    expect(commandIdFor(long, 'setup12')).toBe(commandIdFor(long, 'setup12'));
    expect(commandIdFor(long, 'setup12')).not.toBe(commandIdFor(long, 'setup13'));
  });

  it('tells timeline scenarios (virtual time) from the others', () => {
    const base = { name: 'n', account: 'a', parties: [] };
    const step = (s: Record<string, unknown>) => ({ ...base, steps: [s] }) as unknown as Scenario;
    // Given steps with an `at`, a t0 placeholder, an advance, or a clock start: timelines
    expect(usesVirtualTime(step({ command: { type: 'answerCall', at: '+5s' } }))).toBe(true);
    expect(usesVirtualTime(step({ projector: { get: '/x', contains: { at: '{t0+40s}' } } }))).toBe(true);
    expect(usesVirtualTime(step({ advance: { seconds: 30 } }))).toBe(true);
    expect(usesVirtualTime({ ...base, clock: { start: '09:00' }, steps: [] } as Scenario)).toBe(true);
    // Given a step without time, Then it runs on any clock
    expect(usesVirtualTime(step({ command: { type: 'placeCall', to: '+15550100' } }))).toBe(false);
  });
});
