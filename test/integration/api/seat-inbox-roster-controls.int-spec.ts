import { ADMIN, EVERYDAY, expectStatus, numberOf, servedAccountForSuite } from './accounts.support.js';

/**
 * R20 through the api and a projector over the log, for the seat's controls off the call: a message's
 * Mark read and Delete (R17), a delegate's Opt in/out (R13) and Stop recording (R18). Every control the
 * seat enables is one the api takes, and every one it disables the api refuses with the code the seat
 * shows. A refused command changes nothing, so the refusals are sent first, on the seat as read.
 */
describe("the seat's voicemail, roster and recording controls, as the api decides them (R13, R17, R18, R20)", () => {
  // Alice owns NUMBER and shares it with Bob (who may opt in and out) and with Carol (who may not).
  const { api, accountId, read } = servedAccountForSuite(['alice', 'bob', 'carol']);
  const NUMBER = numberOf(1);
  const CALLER = '+15550177';
  const onLine = (rest: string) => `/accounts/${accountId}/lines/${NUMBER.slice(1)}${rest}`;
  const delegations = `/accounts/${accountId}/delegations`;

  interface Availability {
    readonly allowed: boolean;
    readonly code?: string;
    readonly sentence: string;
  }
  interface SeatMessage {
    readonly messageId: string;
    readonly can: { readonly read: Availability; readonly delete: Availability };
  }
  interface SeatLine {
    readonly number: string;
    readonly voicemail: { readonly messages: readonly SeatMessage[] };
    readonly recordings: readonly { readonly recordingId: string; readonly stop: Availability }[];
  }
  interface SeatDelegation {
    readonly delegationId: string;
    readonly optedIn: boolean;
    readonly optInOut: Availability | null;
  }
  interface SeatJson {
    readonly lines: readonly SeatLine[];
    readonly delegates: readonly SeatDelegation[];
    readonly delegators: readonly SeatDelegation[];
  }
  /** A control of the seat, and the request the page sends for it. */
  interface Control {
    readonly name: string;
    readonly availability: Availability;
    readonly method: string;
    readonly path: string;
  }

  const seatOf = async (viewer: string): Promise<SeatJson> => {
    const seat = await read(`/panel/seat?account=${accountId}&viewer=${viewer}`);
    expect(seat.status).toBe(200);
    return seat.body as SeatJson;
  };
  const lineOf = (seat: SeatJson): SeatLine | undefined => seat.lines.find((l) => l.number === NUMBER);

  let calls = 0;
  /** Messages left on the line: while Alice's call keeps it busy, each caller goes to voicemail (R12). */
  const leaveMessages = async (count: number): Promise<string[]> => {
    const busy = `busy${++calls}`;
    expectStatus(await api.call('POST', onLine('/calls'), { actor: 'alice', to: CALLER, callId: busy }), 201);
    const left: string[] = [];
    for (let i = 0; i < count; i++) {
      const callId = `vm${calls}-${i}`;
      expectStatus(await api.call('POST', onLine('/incoming-calls'), { from: CALLER, callId }), 201);
      left.push(callId);
    }
    expectStatus(await api.call('POST', onLine(`/calls/${busy}/hang-up`), { actor: 'alice' }), 200);
    return left;
  };

  /** The inbox controls of the messages `ids` and the roster's, as the seat of `viewer` offers them. */
  const controlsOf = (seat: SeatJson, ids: readonly string[]): Control[] => [
    ...(lineOf(seat)?.voicemail.messages ?? [])
      .filter((m) => ids.includes(m.messageId))
      .flatMap((m): Control[] => [
        {
          name: `read ${m.messageId}`,
          availability: m.can.read,
          method: 'POST',
          path: onLine(`/voicemails/${m.messageId}/read`),
        },
        {
          name: `delete ${m.messageId}`,
          availability: m.can.delete,
          method: 'DELETE',
          path: onLine(`/voicemails/${m.messageId}`),
        },
      ]),
    ...[...seat.delegates, ...seat.delegators].flatMap((d): Control[] =>
      d.optInOut
        ? [
            {
              name: `${d.optedIn ? 'opt out of' : 'opt in to'} ${d.delegationId}`,
              availability: d.optInOut,
              method: 'POST',
              path: `${delegations}/${d.delegationId}/${d.optedIn ? 'opt-out' : 'opt-in'}`,
            },
          ]
        : [],
    ),
  ];

  /**
   * Sends every control of `viewer`'s seat: each disabled one is refused with the code shown, then each
   * enabled one is taken. Returns the names of those enabled.
   */
  const everyControlAsTheApiDecides = async (viewer: string, ids: readonly string[]): Promise<string[]> => {
    const controls = controlsOf(await seatOf(viewer), ids);
    for (const { name, availability, method, path } of controls.filter((c) => !c.availability.allowed)) {
      const refused = await api.call(method, path, { actor: viewer });
      expect({ name, status: refused.status, code: refused.body?.code }).toEqual({
        name,
        status: expect.any(Number),
        code: availability.code,
      });
      expect(refused.status).toBeGreaterThanOrEqual(400);
      expect(availability.sentence).toContain(refused.body.message);
    }
    const enabled = controls.filter((c) => c.availability.allowed);
    for (const { name, method, path } of enabled) {
      const taken = await api.call(method, path, { actor: viewer });
      expect({ name, status: taken.status, code: taken.body?.code }).toEqual({
        name,
        status: 200,
        code: undefined,
      });
    }
    return enabled.map((c) => c.name);
  };

  beforeAll(async () => {
    for (const [delegate, permissions] of [
      ['bob', [...EVERYDAY, 'optInOut']],
      ['carol', EVERYDAY],
    ] as const) {
      const delegationId = `alice-${delegate}`;
      expectStatus(
        await api.invite(accountId, 'alice', delegate, { delegationId, permissions, sharedLines: [NUMBER] }),
        201,
      );
      expectStatus(await api.call('POST', `${delegations}/${delegationId}/accept`, { actor: delegate }), 200);
    }
  });

  it.each([
    ['alice', (ids: readonly string[]) => ids.flatMap((id) => [`read ${id}`, `delete ${id}`])],
    [
      'bob',
      (ids: readonly string[]) => [
        ...ids.flatMap((id) => [`read ${id}`, `delete ${id}`]),
        'opt out of alice-bob',
      ],
    ],
    ['carol', (ids: readonly string[]) => ids.flatMap((id) => [`read ${id}`, `delete ${id}`])],
  ])(
    'Given two messages in the shared inbox, When %s works them and its delegations from its seat, Then every control it enables the api takes, and every other the api refuses with the code shown',
    async (viewer, expected) => {
      const ids = await leaveMessages(2);
      const enabled = await everyControlAsTheApiDecides(viewer, ids);
      expect(enabled.sort()).toEqual(expected(ids).sort());
    },
  );

  it('R6: Given Carol without optInOut, When her seat shows her delegation, Then Opt out is disabled with PERMISSION_REQUIRED, which the api refuses with', async () => {
    const [delegation] = (await seatOf('carol')).delegators;
    expect(delegation?.optInOut).toMatchObject({ allowed: false, code: 'PERMISSION_REQUIRED' });
    expect((await seatOf('alice')).delegates.map((d) => d.optInOut)).toEqual([null, null]);
  });

  it('R4: Given Bob no longer enabled as an assistant, When his seat shows the inbox and his delegation, Then each is disabled with ASSISTANT_DISABLED, which the api refuses with', async () => {
    const ids = await leaveMessages(1);
    const assistant = (assistantEnabled: boolean) =>
      api.call('PUT', `/accounts/${accountId}/parties/bob/assistant`, { actor: ADMIN, assistantEnabled });
    expectStatus(await assistant(false), 200);
    try {
      const seat = await seatOf('bob');
      // The line is still his to see (his delegation is active): only acting on it is refused.
      expect(lineOf(seat)?.voicemail.messages.map((m) => m.messageId)).toEqual(expect.arrayContaining(ids));
      const [delegation] = seat.delegators;
      const codes = [
        ...(lineOf(seat)?.voicemail.messages ?? []).flatMap((m) => [m.can.read.code, m.can.delete.code]),
        delegation?.optInOut?.code,
      ];
      expect(new Set(codes)).toEqual(new Set(['ASSISTANT_DISABLED']));
      expect(await everyControlAsTheApiDecides('bob', ids)).toEqual([]);
    } finally {
      expectStatus(await assistant(true), 200);
    }
  });

  it('R18: Given Bob recording his call, When his seat shows the recording, Then Stop recording is enabled and the api takes it', async () => {
    const callId = `rec${++calls}`;
    expectStatus(await api.call('POST', onLine('/calls'), { actor: 'bob', to: CALLER, callId }), 201);
    try {
      expectStatus(await api.call('POST', onLine(`/calls/${callId}/external-answer`), {}), 200);
      expectStatus(
        await api.call('POST', onLine(`/calls/${callId}/recordings`), { actor: 'bob', recordingId: 'r1' }),
        201,
      );
      const [recording] = lineOf(await seatOf('bob'))!.recordings;
      expect(recording).toMatchObject({ recordingId: 'r1', stop: { allowed: true } });
      const stopped = await api.call('POST', onLine(`/calls/${callId}/recordings/r1/stop`), { actor: 'bob' });
      expect(stopped.status).toBe(200);
      expect(lineOf(await seatOf('bob'))!.recordings).toEqual([]);
    } finally {
      await api.call('POST', onLine(`/calls/${callId}/external-hang-up`), {});
    }
  });
});
