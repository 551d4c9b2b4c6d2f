import { evolveAccount, initialAccountState, lineContextFor, routeIncomingCall } from '#domain';
import { type AccountEvent } from '#events';
import { accountStateOf } from '../queries/account-state.js';
import { whyBusy, whyCannot, whyRing } from '../queries/diagnostics.js';
import { callsProjection } from './calls.projection.js';
import type { ProjectedEvent } from './catalogue.js';
import {
  ACCOUNT,
  LINE,
  T,
  AT,
  by,
  policy,
  delegation,
  account,
  project,
  placed,
  incoming,
  ringingCall,
  answered,
} from './projections.fixture.js';

describe('diagnostics (R20)', () => {
  it('R13: says why a party rang, quoting the recorded routing decision', () => {
    const readModels = project(...ringingCall('c2', 20));
    const call = readModels.state(callsProjection).calls.get('acme.1001/c2')!;
    expect(whyRing(readModels, call, 'bob')).toMatchObject({
      rule: 'R13',
      answer:
        'Bob rang: initial ring at ' +
        T(20) +
        ': Active delegation with answerCalls, opted in and within hours. [ALERTED]',
    });
    expect(whyRing(readModels, call, 'carol')).toMatchObject({ rule: 'R10' });
  });

  it('R12: says why the line is busy, naming the call and who holds it', () => {
    expect(whyBusy(project(placed), 'acme', '1001')).toMatchObject({ rule: 'R12' });
    expect(whyBusy(project(), 'acme', '1001')).toMatchObject({ rule: null });
  });

  it('R15: a delegate cannot pick up a call the delegator locked', () => {
    const readModels = project(...ringingCall('c3', 20), answered('c3', 'alice', 22), [
      LINE,
      {
        type: 'CallHeld',
        data: { callId: 'c3', by: 'alice', onBehalfOf: null, privacyLocked: true, at: T(30) },
      },
    ]);
    expect(whyCannot(readModels, 'acme', '1001', 'bob', 'pickUp', AT)).toMatchObject({ rule: 'R15' });
  });

  it('R10/R12/R16: names the missing permission, a line not shared, a busy line, as the decider does', () => {
    expect(whyCannot(project(), 'acme', '1001', 'bob', 'join', AT)).toMatchObject({
      rule: 'R16',
      code: 'PERMISSION_REQUIRED',
    });
    expect(whyCannot(project(), 'acme', '1001', 'carol', 'answer', AT)).toMatchObject({
      rule: 'R10',
      code: 'LINE_NOT_SHARED',
    });
    expect(whyCannot(project(placed), 'acme', '1001', 'alice', 'placeCall', AT)).toMatchObject({
      rule: 'R12',
    });
    expect(whyCannot(project(), 'acme', '1001', 'bob', 'placeCall', AT)).toMatchObject({
      rule: 'R12',
      answer: 'Bob can place calls on line +1001.',
    });
  });

  /** Account events changing a party's R4/R5 settings. */
  const partyChange = (event: ProjectedEvent): [string, ProjectedEvent] => [ACCOUNT, event];
  /** A common-area phone in the lobby: a party that never has the Assistant (R4). */
  const lobbyProvisioned = partyChange({
    type: 'CommonAreaPhoneProvisioned',
    data: {
      ...by,
      partyId: 'lobby',
      name: 'Lobby',
      directNumbers: ['4004'],
      callingPlan: 'metered',
      powerPack: false,
    },
  });
  const accountEventsOf = (extra: [string, ProjectedEvent][]): AccountEvent[] =>
    [...account, ...extra].filter(([stream]) => stream === ACCOUNT).map(([, event]) => event as AccountEvent);

  it('R20/R4: rebuilds the domain account state the api decides with from the read model', () => {
    const extra: [string, ProjectedEvent][] = [
      partyChange({ type: 'PartyPowerPackChanged', data: { ...by, partyId: 'alice', powerPack: true } }),
      partyChange({ type: 'RingTimeoutChanged', data: { ...by, partyId: 'alice', ringTimeoutSeconds: 20 } }),
      partyChange({
        type: 'VipContactAdded',
        data: { ...by, delegatorId: 'alice', number: '+1555', name: 'CEO' },
      }),
      lobbyProvisioned,
    ];
    expect(accountStateOf(project(...extra), 'acme')).toEqual(
      accountEventsOf(extra).reduce(evolveAccount, initialAccountState),
    );
    expect(accountStateOf(project(), 'nobody')).toEqual(initialAccountState);
  });

  it('R20/R4: an outdated desktop client stops a delegate, with the code and sentence the api refuses with', () => {
    const readModels = project(
      partyChange({
        type: 'AccountPolicyChanged',
        data: { ...by, policy: { ...policy, assistantMinimumVersion: '6.3.0' } },
      }),
    );
    const diagnosis = whyCannot(readModels, 'acme', '1001', 'bob', 'answer', AT);
    expect(diagnosis).toMatchObject({
      rule: 'R4',
      code: 'DESKTOP_CLIENT_OUTDATED',
      answer:
        'Bob cannot answer calls on line +1001: bob runs desktop client 6.2.0, older than the required 6.3.0: update the desktop app.',
    });
    // The api's line decisions refuse bob with the failure its line context carries (R20).
    const delegate = lineContextFor(accountStateOf(readModels, 'acme'), '1001', T(0)).delegates[0]!;
    expect(delegate.eligibility).toEqual({
      ok: false,
      rule: diagnosis.rule,
      code: diagnosis.code,
      message: diagnosis.checks.at(-1)!.detail,
    });
    // The delegator's own line needs no Assistant.
    expect(
      whyCannot(readModels, 'acme', '1001', 'alice', 'placeCall', AT).checks.map((c) => c.rule),
    ).not.toContain('R4');
  });

  it('R20/R4: names a disabled Assistant, an unsupported client and a missing one, after R10 and R2/R3', () => {
    const disabled = partyChange({
      type: 'PartyAssistantChanged',
      data: { ...by, partyId: 'bob', assistantEnabled: false },
    });
    expect(whyCannot(project(disabled), 'acme', '1001', 'bob', 'pickUp', AT)).toMatchObject({
      rule: 'R4',
      code: 'ASSISTANT_DISABLED',
    });
    expect(
      whyCannot(
        project(
          partyChange({
            type: 'PartyDesktopClientChanged',
            data: { ...by, partyId: 'bob', desktopClient: { platform: 'web', version: '7.0.0' } },
          }),
        ),
        'acme',
        '1001',
        'bob',
        'placeCall',
        AT,
      ),
    ).toMatchObject({ rule: 'R4', code: 'DESKTOP_CLIENT_UNSUPPORTED' });
    const dave: [string, ProjectedEvent] = [
      ACCOUNT,
      {
        type: 'PhoneUserProvisioned',
        data: {
          ...by,
          partyId: 'dave',
          name: 'Dave',
          directNumbers: ['5005'],
          callingPlan: 'pro',
          powerPack: false,
          assistantEnabled: true,
          desktopClient: null,
        },
      },
    ];
    // Dave is no delegate: the line is not shared (the verdict), and inviting him would fail on R4.
    const notShared = whyCannot(project(dave), 'acme', '1001', 'dave', 'answer', AT);
    expect(notShared).toMatchObject({ rule: 'R10', code: 'LINE_NOT_SHARED' });
    expect(notShared.checks.at(-1)).toMatchObject({ rule: 'R4', ok: false, code: 'DESKTOP_CLIENT_MISSING' });
    const noPlan = partyChange({
      type: 'PartyCallingPlanChanged',
      data: { ...by, partyId: 'bob', callingPlan: 'none' },
    });
    expect(whyCannot(project(disabled, noPlan), 'acme', '1001', 'bob', 'answer', AT)).toMatchObject({
      rule: 'R2',
    });
  });

  it('R20/R4: a common-area phone delegate needs no Assistant', () => {
    const lobby = { ...by, delegationId: 'd2', delegatorId: 'alice', delegateId: 'lobby' };
    const readModels = project(
      lobbyProvisioned,
      partyChange({
        type: 'DelegateInvited',
        data: { ...lobby, permissions: ['answerCalls'], sharedLines: ['1001'] },
      }),
      partyChange({ type: 'DelegationAccepted', data: lobby }),
    );
    const diagnosis = whyCannot(readModels, 'acme', '1001', 'lobby', 'answer', AT);
    expect(diagnosis).toMatchObject({ answer: 'Lobby can answer calls on line +1001.' });
    expect(diagnosis.checks).toContainEqual({
      rule: 'R4',
      ok: true,
      detail: 'Lobby has a calling plan, may take part in delegation and meets the Assistant needs.',
    });
  });

  it('R20/R5: a VIP-only delegate of a delegator without the Power Pack cannot answer, after R13 and before R19', () => {
    const vipOnly = partyChange({
      type: 'DelegationPermissionsChanged',
      data: { ...delegation, permissions: ['placeCalls', 'answerCalls', 'vipOnly'] },
    });
    const powerPack = (on: boolean) =>
      partyChange({ type: 'PartyPowerPackChanged', data: { ...by, partyId: 'alice', powerPack: on } });
    expect(
      whyCannot(project(powerPack(true), vipOnly, powerPack(false)), 'acme', '1001', 'bob', 'answer', AT),
    ).toMatchObject({
      rule: 'R5',
      code: 'POWER_PACK_REQUIRED',
      answer:
        'Bob cannot answer calls on line +1001: vipOnly answering needs the Power Pack add-on on the delegator.',
    });
    // The permission comes first: without answerCalls the Power Pack does not matter yet.
    const vipOnlyAlone = partyChange({
      type: 'DelegationPermissionsChanged',
      data: { ...delegation, permissions: ['vipOnly'] },
    });
    expect(whyCannot(project(vipOnlyAlone), 'acme', '1001', 'bob', 'answer', AT)).toMatchObject({
      rule: 'R13',
      code: 'PERMISSION_REQUIRED',
    });
    // With the Power Pack, R5 passes and the ringing call's recorded routing names the non-VIP caller (R19).
    const arrived = [powerPack(true), vipOnly, incoming('c4', 20)];
    const context = lineContextFor(accountStateOf(project(...arrived), 'acme'), '1001', T(20));
    const decisions = routeIncomingCall(context, '+15550199', T(20));
    const rangAlice: [string, ProjectedEvent] = [
      LINE,
      {
        type: 'CallRang',
        data: {
          callId: 'c4',
          stage: 'initial',
          alerted: ['alice'],
          decisions,
          ringTimeoutAt: T(50),
          escalationAt: null,
          at: T(20),
        },
      },
    ];
    const withPack = whyCannot(project(...arrived, rangAlice), 'acme', '1001', 'bob', 'answer', AT);
    expect(withPack).toMatchObject({ rule: 'R19', code: 'VIP_ONLY_NON_VIP_CALLER' });
    expect(withPack.checks.map((c) => c.rule)).toEqual(['R1', 'R10', 'R7', 'R3', 'R4', 'R13', 'R13', 'R19']);
    // Other actions never consult the Power Pack.
    expect(
      whyCannot(project(vipOnly), 'acme', '1001', 'bob', 'placeCall', AT).checks.map((c) => c.rule),
    ).not.toContain('R5');
  });
});
