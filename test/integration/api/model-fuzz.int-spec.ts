import { jest } from '@jest/globals';
import { EventStore } from '#eventstore';
import { startEmbeddedEventStore, type EmbeddedEventStore } from '../../support/embedded-eventstore.js';
import {
  describeSteps,
  runSteps,
  shrink,
  shrinkSteps,
  seededSteps,
  replaying,
  type Outcomes,
  type FuzzWorld,
  type RunOptions,
  type FuzzRequest,
  type FuzzStep,
} from '../../support/model-fuzz.js';
import { startApi, type Api } from './lines.support.js';

// Starting a store and two apis can take longer than Jest's 5 s default on a busy machine.
jest.setTimeout(60_000);

/**
 * FUZZ_SEEDS=<n> runs n seeds from FUZZ_FIRST_SEED (default 1) with FUZZ_STEPS steps each; without
 * them, a fixed few that run in seconds. The first broken seed stops the run, unless FUZZ_KEEP_GOING
 * is set (a campaign collects every broken seed). The live read models are compared with a rebuild
 * every `rebuildEvery` steps and after the last.
 */
const SEEDS = Number(process.env.FUZZ_SEEDS ?? 2);
const FIRST_SEED = Number(process.env.FUZZ_FIRST_SEED ?? 1);
const STEPS = Number(process.env.FUZZ_STEPS ?? 40);
const OPTIONS: RunOptions = { rebuildEvery: 20 };

describe('model-based fuzzing of the api against state poisoning', () => {
  let store: EmbeddedEventStore;
  let apis: [Api, Api];
  let world: FuzzWorld;
  beforeAll(async () => {
    store = await startEmbeddedEventStore({ inMemory: true });
    const connectionString = store.connectionString;
    apis = [
      await startApi({ clock: 'virtual', connectionString }),
      await startApi({ clock: 'virtual', connectionString }),
    ];
    world = { apis, store: apis[0].app.get(EventStore) };
  });
  afterAll(async () => {
    for (const api of apis ?? []) await api.close();
    await store?.stop();
  });

  it(
    `${SEEDS} seeds × ${STEPS} steps keep every invariant`,
    async () => {
      const seen = [];
      const outcomes: Outcomes = new Map();
      const deepStates: Outcomes = new Map();
      for (let seed = FIRST_SEED; seed < FIRST_SEED + SEEDS; seed++) {
        const { steps, violation } = await runSteps(
          world,
          seededSteps(seed, STEPS),
          OPTIONS,
          outcomes,
          deepStates,
        );
        if (!violation) continue;
        process.stdout.write(
          `model fuzz: seed ${seed} broke an invariant at step ${violation.step}: ${violation.problem}; shrinking\n`,
        );
        const minimal = await shrink(world, steps.slice(0, violation.step + 1), OPTIONS);
        const { violation: again } = await runSteps(world, replaying(minimal), OPTIONS);
        seen.push(
          `seed ${seed}, step ${violation.step}: ${violation.problem}\n shrunk to ${minimal.length} steps (${again?.problem ?? 'passes alone'}):\n${describeSteps(minimal)}`,
        );
        if (process.env.FUZZ_KEEP_GOING === undefined) break;
      }
      const byCount = (counts: Outcomes) =>
        JSON.stringify(Object.fromEntries([...counts].sort(([, a], [, b]) => b - a)));
      process.stdout.write(
        `model fuzz: seeds ${FIRST_SEED}..${FIRST_SEED + SEEDS - 1}, answers ${byCount(outcomes)}\n` +
          `model fuzz: deep states reached ${byCount(deepStates)}\n`,
      );
      if (seen.length) throw new Error(seen.join('\n\n'));
    },
    Math.max(60_000, SEEDS * STEPS * 1_000),
  );
});

describe('shrinking a sequence that breaks an invariant', () => {
  const request = (name: string, via: 0 | 1 = 0): FuzzRequest => ({
    via,
    method: 'POST',
    path: `/accounts/{account}/${name}`,
    body: {},
  });
  const clock: FuzzStep = [0, 1].map((via) => ({
    ...request('clock', via as 0 | 1),
    path: '/clock/advance',
  }));

  it('keeps only the steps and, of racing steps, only the requests the violation needs; a clock step stays whole', async () => {
    const steps: FuzzStep[] = [
      [request('a')],
      [request('b'), request('c'), request('d')],
      clock,
      [request('e')],
      [request('f'), request('g', 1)],
    ];
    // The violation needs c, the clock moving, then g.
    const breaks = async (candidate: readonly FuzzStep[]) => {
      const sent = candidate.flat().map((r) => r.path);
      const at = (path: string) => sent.indexOf(path);
      const [c, g, moved] = [at(request('c').path), at(request('g').path), at('/clock/advance')];
      return c >= 0 && moved > c && g > moved;
    };
    expect(await shrinkSteps(steps, breaks)).toEqual([[request('c')], clock, [request('g', 1)]]);
  });
});
