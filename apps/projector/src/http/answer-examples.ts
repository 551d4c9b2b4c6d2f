/**
 * Example answers of the projector's read routes, for OpenAPI: each was captured from the route's real
 * answer (test/integration/projector/openapi.int-spec.ts requests every route) over the replay bench's
 * workload, with arrays cut to their first item and the account renamed `acme`.
 */

/** The delegation both rosters show: the account's, by delegator, and the delegator's own. */
const DELEGATION = {
  delegationId: 'd0',
  accountId: 'acme',
  delegatorId: 'boss0',
  delegateId: 'assistant0',
  status: 'active',
  permissions: ['placeCalls'],
  sharedLines: ['+15552000000'],
  optedIn: true,
  businessHours: null,
  invitedAt: '2026-01-05T09:00:00.000Z',
  statusSince: '2026-01-05T09:00:00.000Z',
  changes: [{ type: 'DelegateInvited', by: 'boss0', at: '2026-01-05T09:00:00.000Z' }],
  // R7: set on a pending invitation that may not be accepted now (code, rule, message)
  activationRefused: null,
} as const;

/** The same delegation in the account's roster, which names both parties. */
const NAMED_DELEGATION = { ...DELEGATION, delegatorName: 'Boss 0', delegateName: 'Assistant 0' } as const;

/** The answered call both histories show: the delegator's and the line's. */
const ANSWERED_CALL = {
  callId: 'acme-0-1',
  line: 'acme.15552000000',
  lineName: null,
  direction: 'incoming',
  external: '+15553370287',
  vip: false,
  status: 'ended',
  result: 'answered',
  startedAt: '2026-01-05T09:06:30.000Z',
  answeredAt: '2026-01-05T09:06:34.000Z',
  endedAt: '2026-01-05T09:08:30.000Z',
  durationSeconds: 116,
  labels: ['answered by Boss 0'],
  placedBy: null,
  answeredBy: { by: 'boss0', onBehalfOf: null, permission: null, at: '2026-01-05T09:06:34.000Z' },
  pickedUpBy: [],
  transferredBy: [
    {
      by: 'boss0',
      onBehalfOf: null,
      permission: null,
      at: '2026-01-05T09:07:00.000Z',
      to: 'assistant0',
    },
  ],
  missedBy: [],
  voicemailMessageId: null,
} as const;

export const ANSWER_EXAMPLES = {
  /** GET /accounts/{accountId}/roster */
  roster: {
    accountId: 'acme',
    name: 'Bench Co',
    position: '9672',
    byDelegator: {
      boss0: [NAMED_DELEGATION],
    },
    byDelegate: {
      assistant0: [NAMED_DELEGATION],
    },
  },
  /** GET /accounts/{accountId}/parties/{partyId}/roster */
  partyRoster: {
    partyId: 'boss0',
    name: 'Boss 0',
    asDelegator: [DELEGATION],
    asDelegate: [],
  },
  /** GET /accounts/{accountId}/parties/{partyId}/history */
  partyHistory: {
    partyId: 'boss0',
    viewerRole: 'self',
    position: '9672',
    calls: [ANSWERED_CALL],
  },
  /** GET /accounts/{accountId}/parties/{partyId}/recordings */
  recordings: { owner: 'boss0', recordings: [] },
  /** GET /accounts/{accountId}/parties/{partyId}/diagnostics */
  whyCannot: {
    question:
      "Why can Assistant 0 not answer calls on line +15552000000 (as of 2026-12-03T12:45:20.090Z, the wall clock's time)?",
    answer: 'Assistant 0 can answer calls on line +15552000000.',
    rule: 'R13',
    checks: [{ rule: 'R1', ok: true, detail: 'party exists' }],
  },
  /** GET /calls/{callId}/audit */
  audit: {
    callId: 'acme-0-0',
    line: { accountId: 'acme', number: '15552000000' },
    lineName: null,
    lineOwner: 'boss0',
    position: '9672',
    entries: [
      {
        eventId: '324f23cd-00e7-5885-a810-44696c4ad573',
        type: 'IncomingCallReceived',
        stream: 'line-acme.15552000000',
        revision: '0',
        position: '3557',
        actor: 'system:test',
        onBehalfOf: null,
        permission: null,
        simulatedTime: '2026-01-05T09:00:00Z',
        recordedAt: '2026-12-03T12:45:18.738Z',
        correlationId: '258f9909-0b9e-45d5-8202-155c8c9abf01',
        causationId: '258f9909-0b9e-45d5-8202-155c8c9abf01',
        commandId: '258f9909-0b9e-45d5-8202-155c8c9abf01',
        data: {
          callId: 'acme-0-0',
          line: '+15552000000',
          from: '+15556428510',
          vip: false,
          at: '2026-01-05T09:00:30.000Z',
          owner: 'boss0',
        },
        chainHash: 'fbe687756f2c27e6a1786d0c5d830477d3719d14b4485558e47608d8d35ecf8c',
        actorName: null,
        onBehalfOfName: null,
      },
    ],
    parties: [{ partyId: 'boss0', name: 'Boss 0' }],
  },
  /** GET /calls/{callId}/diagnostics/ring */
  whyRing: {
    question: 'Why did Assistant 0 ring for call acme-0-0?',
    answer:
      'Assistant 0 rang: initial ring at 2026-01-05T09:00:30.000Z: Active delegation with answerCalls, opted in and within hours. [ALERTED]',
    rule: 'R13',
    checks: [
      {
        rule: 'R13',
        ok: true,
        detail:
          'initial ring at 2026-01-05T09:00:30.000Z: Active delegation with answerCalls, opted in and within hours. [ALERTED]',
      },
    ],
  },
  /** GET /lines/{accountId}/{number}/state */
  lineState: {
    position: '9672',
    line: { accountId: 'acme', number: '+15552000000', name: null, label: 'My number +15552000000' },
    viewerRole: 'delegator',
    lamp: { state: 'idle' },
  },
  /** GET /lines/{accountId}/{number}/voicemail */
  voicemail: {
    position: '9672',
    viewerRole: 'delegate',
    unread: 0,
    messages: [
      {
        messageId: 'acme-0-0',
        line: 'acme.15552000000',
        lineName: null,
        callId: 'acme-0-0',
        from: '+15556428510',
        at: '2026-01-05T09:01:00.000Z',
        read: true,
        readBy: [{ by: 'assistant0', onBehalfOf: 'boss0', at: '2026-01-05T09:06:00.000Z' }],
        deleted: null,
      },
    ],
    deleted: [],
    missedCalls: [
      {
        callId: 'acme-0-0',
        line: 'acme.15552000000',
        lineName: null,
        from: '+15556428510',
        receivedAt: '2026-01-05T09:00:30.000Z',
        at: '2026-01-05T09:01:00.000Z',
        reason: 'ringTimeout',
        missedBy: ['boss0'],
      },
    ],
  },
  /** GET /lines/{accountId}/{number}/history */
  lineHistory: {
    position: '9672',
    calls: [ANSWERED_CALL],
  },
  /** GET /lines/{accountId}/{number}/diagnostics/busy */
  whyBusy: {
    question: 'Why is line +15552000000 busy?',
    answer: 'Line +15552000000 is idle: no call is active on it.',
    rule: null,
    checks: [],
  },
  /** GET /parked */
  parked: { count: 0, parkFailedEvents: false, events: [] },
  /** GET /health */
  health: {
    status: 'live',
    position: '9672',
    eventCount: 16,
    lag: {
      headPosition: '9672',
      position: '9672',
      measuredAt: '2026-12-03T12:45:21.033Z',
      events: 0,
      eventsEstimated: false,
      ms: 0,
    },
    snapshots: { written: 0, failed: 0 },
    parked: {
      count: 0,
      parkFailedEvents: false,
      byReason: {
        UNKNOWN_TYPE: 0,
        NO_METADATA: 0,
        METADATA_NOT_JSON: 0,
        METADATA_NOT_OURS: 0,
        DATA_NOT_JSON: 0,
        SCHEMA_VERSION_FROM_FUTURE: 0,
        NO_UPCASTER: 0,
        DATA_INVALID: 0,
        PROJECTION_FAILED: 0,
      },
      last: [],
    },
    timeTravel: {
      index: { caughtUp: true, records: 16 },
      checkpoints: { count: 0, bytes: 0, ignored: 0, everyEvents: 50000, maxCount: 40 },
      scopeCheckpoints: { accounts: 0, count: 0, bytes: 0, ignored: 0, everyRecords: 400 },
      queries: { running: 0, waiting: 0, concurrency: 2, queueLength: 8, recentMeanMs: 12 },
    },
  },
  /** GET /digest */
  digest: {
    position: '9672',
    eventCount: 16,
    parked: 0,
    digest: 'aa0ddb27410c82699538b87ecfeabdaedd2d0892bc16c3546e6cc7741faf9a6b',
  },
  /** POST /rebuild */
  rebuild: {
    position: '9672',
    events: 16,
    ms: 26,
    eventsPerSecond: 613,
    parked: { live: 0, rebuilt: 0 },
    liveDigest: 'aa0ddb27410c82699538b87ecfeabdaedd2d0892bc16c3546e6cc7741faf9a6b',
    rebuiltDigest: 'aa0ddb27410c82699538b87ecfeabdaedd2d0892bc16c3546e6cc7741faf9a6b',
    equal: true,
  },
  /** GET /panel/directory */
  directory: {
    accounts: [
      {
        accountId: 'acme',
        name: 'Bench Co',
        parties: [{ partyId: 'boss0', name: 'Boss 0', kind: 'phoneUser', lines: 1 }],
      },
    ],
  },
  /** GET /panel/seat */
  seat: {
    position: '9672',
    account: { accountId: 'acme', name: 'Bench Co' },
    viewer: { partyId: 'assistant0', name: 'Assistant 0' },
    clock: { mode: 'realtime', now: '2026-12-03T12:45:21.420Z' },
    lines: [
      {
        number: '+15553000000',
        name: null,
        label: 'My number +15553000000',
        role: 'delegator',
        owner: { partyId: 'assistant0', name: 'Assistant 0' },
        permissions: [],
        lamp: { state: 'idle' },
        availability: {
          answer: {
            allowed: true,
            rule: 'R13',
            sentence: 'Assistant 0 can answer calls on line +15553000000.',
          },
          pickUp: {
            allowed: false,
            rule: 'R15',
            code: 'CALL_NOT_FOUND',
            sentence:
              'Assistant 0 cannot pick up held calls on line +15553000000: No call has been on line +15553000000 yet.',
            reason: 'No call has been on line +15553000000 yet.',
          },
          placeCall: {
            allowed: true,
            rule: 'R12',
            sentence: 'Assistant 0 can place calls on line +15553000000.',
          },
          join: {
            allowed: false,
            rule: 'R16',
            code: 'CALL_NOT_FOUND',
            sentence:
              'Assistant 0 cannot join calls on line +15553000000: No call has been on line +15553000000 yet.',
            reason: 'No call has been on line +15553000000 yet.',
          },
          merge: {
            allowed: false,
            rule: 'R16',
            code: 'CALL_NOT_FOUND',
            sentence:
              'Assistant 0 cannot merge held calls on line +15553000000: No call has been on line +15553000000 yet.',
            reason: 'No call has been on line +15553000000 yet.',
          },
        },
        callAvailability: null,
        otherEnd: null,
        transferTargets: [],
        recordings: [],
        voicemail: { unread: 0, messages: [], deleted: [], missedCalls: [] },
        history: [],
        historyCalls: 0,
      },
    ],
    handedCalls: [
      {
        number: '+15552000001',
        callId: 'c42',
        callOwner: { partyId: 'boss0', name: 'Boss 0' },
        handedTo: { partyId: 'boss1', name: 'Boss 1' },
        lamp: {
          state: 'busy',
          callId: 'c42',
          phase: 'connected',
          by: ['assistant0'],
          byNames: ['Assistant 0'],
          onBehalfOf: 'boss0',
          onBehalfOfName: 'Boss 0',
          since: '2026-12-03T12:41:02.000Z',
          transferringTo: null,
          transferringToName: null,
          locked: false,
        },
        otherEnd: {
          callId: 'c42',
          number: '+15550100',
          answer: {
            allowed: false,
            rule: 'R13',
            code: 'ALREADY_ANSWERED',
            sentence:
              '+15550100 cannot answer call c42 on line +15552000001: Call c42 was already answered by assistant0.',
            reason: 'Call c42 was already answered by assistant0.',
          },
          hangUp: {
            allowed: true,
            rule: 'R14',
            sentence: '+15550100 can hang up call c42 on line +15552000001.',
          },
        },
        callAvailability: {
          decline: {
            allowed: false,
            rule: 'R10',
            code: 'LINE_NOT_SHARED',
            sentence:
              'Assistant 0 cannot decline calls on line +15552000001: Line +15552000001 is not shared with assistant0; ask Boss 1 to invite you as a delegate.',
            reason:
              'Line +15552000001 is not shared with assistant0; ask Boss 1 to invite you as a delegate.',
          },
          hold: { allowed: true, rule: 'R15', sentence: 'Assistant 0 can hold calls on line +15552000001.' },
          holdLocked: {
            allowed: false,
            rule: 'R15',
            code: 'PRIVACY_LOCK_DELEGATOR_ONLY',
            sentence:
              'Assistant 0 cannot hold calls locked for privacy on line +15552000001: Only the delegator (boss0) can lock or unlock a call for privacy.',
            reason: 'Only the delegator (boss0) can lock or unlock a call for privacy.',
          },
          resume: {
            allowed: false,
            rule: 'R15',
            code: 'CALL_NOT_HELD',
            sentence:
              'Assistant 0 cannot resume held calls on line +15552000001: Call c42 is connected, not on hold.',
            reason: 'Call c42 is connected, not on hold.',
          },
          privacyLock: {
            allowed: false,
            rule: 'R15',
            code: 'PRIVACY_LOCK_DELEGATOR_ONLY',
            sentence:
              'Assistant 0 cannot lock calls for privacy, or unlock them, on line +15552000001: Only the delegator (boss0) can lock or unlock a call for privacy.',
            reason: 'Only the delegator (boss0) can lock or unlock a call for privacy.',
          },
          transfer: {
            allowed: false,
            rule: 'R10',
            code: 'LINE_NOT_SHARED',
            sentence:
              'Assistant 0 cannot transfer calls on line +15552000001: Line +15552000001 is not shared with assistant0; ask Boss 1 to invite you as a delegate.',
            reason:
              'Line +15552000001 is not shared with assistant0; ask Boss 1 to invite you as a delegate.',
          },
          record: {
            allowed: true,
            rule: 'R18',
            sentence: 'Assistant 0 can record calls on line +15552000001.',
          },
          hangUp: {
            allowed: true,
            rule: 'R12',
            sentence: 'Assistant 0 can hang up calls on line +15552000001.',
          },
        },
        availability: {
          answer: {
            allowed: false,
            rule: 'R10',
            code: 'LINE_NOT_SHARED',
            sentence:
              'Assistant 0 cannot answer calls on line +15552000001: Line +15552000001 is not shared with assistant0; ask Boss 1 to invite you as a delegate.',
            reason:
              'Line +15552000001 is not shared with assistant0; ask Boss 1 to invite you as a delegate.',
          },
          pickUp: {
            allowed: false,
            rule: 'R10',
            code: 'LINE_NOT_SHARED',
            sentence:
              'Assistant 0 cannot pick up held calls on line +15552000001: Line +15552000001 is not shared with assistant0; ask Boss 1 to invite you as a delegate.',
            reason:
              'Line +15552000001 is not shared with assistant0; ask Boss 1 to invite you as a delegate.',
          },
          placeCall: {
            allowed: false,
            rule: 'R10',
            code: 'LINE_NOT_SHARED',
            sentence:
              'Assistant 0 cannot place calls on line +15552000001: Line +15552000001 is not shared with assistant0; ask Boss 1 to invite you as a delegate.',
            reason:
              'Line +15552000001 is not shared with assistant0; ask Boss 1 to invite you as a delegate.',
          },
          join: {
            allowed: false,
            rule: 'R10',
            code: 'LINE_NOT_SHARED',
            sentence:
              'Assistant 0 cannot join calls on line +15552000001: Line +15552000001 is not shared with assistant0; ask Boss 1 to invite you as a delegate.',
            reason:
              'Line +15552000001 is not shared with assistant0; ask Boss 1 to invite you as a delegate.',
          },
          merge: {
            allowed: false,
            rule: 'R10',
            code: 'LINE_NOT_SHARED',
            sentence:
              'Assistant 0 cannot merge held calls on line +15552000001: Line +15552000001 is not shared with assistant0; ask Boss 1 to invite you as a delegate.',
            reason:
              'Line +15552000001 is not shared with assistant0; ask Boss 1 to invite you as a delegate.',
          },
        },
        recordings: [],
      },
    ],
    speedDials: [{ owner: { partyId: 'assistant0', name: 'Assistant 0' }, maxSpeedDials: 24, entries: [] }],
    delegates: [],
    delegators: [
      {
        delegationId: 'd0',
        other: { partyId: 'boss0', name: 'Boss 0' },
        status: 'active',
        statusSince: '2026-01-05T09:00:00.000Z',
        permissions: ['placeCalls'],
        sharedLines: ['+15552000000'],
        optedIn: true,
        optInOut: {
          allowed: false,
          rule: 'R6',
          code: 'PERMISSION_REQUIRED',
          sentence:
            'Assistant 0 cannot opt out of ringing for delegation d0: assistant0 does not have the optInOut permission on delegation d0: boss0 or an admin must grant it.',
          reason:
            'assistant0 does not have the optInOut permission on delegation d0: boss0 or an admin must grant it.',
        },
      },
    ],
  },
  /** GET /panel/api-status */
  apiStatus: { answering: true },
  /** GET /panel/timers */
  timers: {
    answering: true,
    pendingTimers: [{ key: 'line-acme.15552000000:ringTimeout:call-002', dueAt: '2026-01-05T09:01:00.000Z' }],
  },
  /** GET /panel/steps */
  steps: {
    current: { position: '9672', type: 'CallEnded', stream: 'line-acme.15552000000' },
    back: '9112',
    forward: null,
  },
  /** GET /panel/seats-start */
  seatsStart: { position: '2210', time: '2026-01-05T09:00:00.000Z' },
} as const;
