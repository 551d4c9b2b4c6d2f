import { jest } from '@jest/globals';
import { ALICE, CALLER, startApi, type Api, type SeededLine } from './lines.support.js';

// Starting a store, an api or the CLI can take longer than Jest's 5 s default on a busy machine.
jest.setTimeout(60_000);

const PARTIES = [ALICE, 'd1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7'];
const NAMES: Record<string, string> = Object.fromEntries(
  PARTIES.map((p) => [p, p[0]!.toUpperCase() + p.slice(1)]),
);
const ANSWER_ROUNDS = 200;
const START_ROUNDS = 50;
/** Every `TWO_PROCESS_EVERY`-th round spreads its racers over two apps (two caches, like two api processes). */
const TWO_PROCESS_EVERY = 4;
/** Jest's limit for a whole race spec (hundreds of HTTP round trips), not a measured bound. */
const SPEC_LIMIT_MS = 120_000;

/**
 * R12/R13 through the real store: racing commands on one line, answered over HTTP. Within one api
 * process commands on a line queue; across two processes only the store's expected-revision check
 * keeps "exactly one wins", by re-deciding the loser against the winner's events.
 */
describe('races on one shared line', () => {
  let one: Api;
  let two: Api;
  let line: SeededLine;
  let path: string;
  beforeAll(async () => {
    one = await startApi();
    two = await startApi();
    line = await one.seedLine('race', { delegates: PARTIES.slice(1).map((id) => ({ id })) });
    path = line.path;
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
  });

  /** Who fires first changes every round, so the first request to arrive is not always the same party's. */
  const racersIn = (round: number): string[] => PARTIES.map((_, k) => PARTIES[(k + round) % PARTIES.length]!);

  const apiFor = (round: number, racer: number): Api =>
    round % TWO_PROCESS_EVERY === 0 && racer % 2 === 1 ? two : one;

  it(
    `R13: ${PARTIES.length} parallel answers give exactly one success and ${PARTIES.length - 1} ALREADY_ANSWERED naming the winner, ${ANSWER_ROUNDS} times`,
    async () => {
      const winners = new Map<string, number>();
      for (let round = 0; round < ANSWER_ROUNDS; round++) {
        const callId = `answer-${round}`;
        expect((await one.post(`${path}/incoming-calls`, { from: CALLER, callId })).status).toBe(201);
        const outcomes = await Promise.all(
          racersIn(round).map((actor, racer) =>
            apiFor(round, racer).command(`${path}/calls/${callId}/answer`, { actor }),
          ),
        );
        const won = outcomes.filter((o) => o.status === 200);
        expect(won).toHaveLength(1);
        const winner = won[0]!.body.events[0]?.data.by as string;
        expect(won[0]!.body.events[0]).toMatchObject({ type: 'CallAnswered', data: { callId } });
        const lost = outcomes.filter((o) => o.status !== 200);
        expect(lost.map((o) => [o.status, o.body.code, o.body.rule, o.body.details?.answeredBy])).toEqual(
          Array(PARTIES.length - 1).fill([409, 'ALREADY_ANSWERED', 'R13', winner]),
        );
        for (const o of lost) expect(o.body.message).toContain(NAMES[winner]);
        winners.set(winner, (winners.get(winner) ?? 0) + 1);
        expect((await one.post(`${path}/calls/${callId}/hang-up`, { actor: winner })).status).toBe(200);
      }
      const stored = await line.storedEvents();
      const answered = stored.filter((s) => s.event.type === 'CallAnswered');
      expect(answered).toHaveLength(ANSWER_ROUNDS);
      expect(new Set(answered.map((s) => (s.event.data as { callId: string }).callId)).size).toBe(
        ANSWER_ROUNDS,
      );
      process.stdout.write(
        `R13 race: ${ANSWER_ROUNDS} rounds × ${PARTIES.length} answers (${ANSWER_ROUNDS / TWO_PROCESS_EVERY} rounds over two api instances): ` +
          `${ANSWER_ROUNDS} successes, ${ANSWER_ROUNDS * (PARTIES.length - 1)} ALREADY_ANSWERED; wins by party ${JSON.stringify(Object.fromEntries(winners))}\n`,
      );
    },
    SPEC_LIMIT_MS,
  );

  it(
    `R12: ${PARTIES.length} parallel call starts on an idle line give exactly one session, the rest LINE_BUSY naming it, ${START_ROUNDS} times`,
    async () => {
      for (let round = 0; round < START_ROUNDS; round++) {
        const outcomes = await Promise.all(
          racersIn(round).map((actor, racer) =>
            apiFor(round, racer).command(`${path}/calls`, {
              actor,
              to: CALLER,
              callId: `start-${round}-${racer}`,
            }),
          ),
        );
        const started = outcomes.filter((o) => o.status === 201);
        expect(started).toHaveLength(1);
        const { callId } = started[0]!.body;
        const holder = started[0]!.body.events[0]?.data.placedBy as string;
        const busy = outcomes.filter((o) => o.status !== 201);
        expect(busy.map((o) => [o.status, o.body.code, o.body.rule, o.body.details])).toEqual(
          Array(PARTIES.length - 1).fill([
            409,
            'LINE_BUSY',
            'R12',
            { callId, phase: 'dialing', heldBy: [holder] },
          ]),
        );
        for (const o of busy)
          expect(o.body.message).toContain(`${callId} (dialing, placed by ${NAMES[holder]})`);
        expect((await two.post(`${path}/calls/${callId}/hang-up`, { actor: holder })).status).toBe(200);
      }
    },
    SPEC_LIMIT_MS,
  );
});
