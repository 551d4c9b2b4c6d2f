import { jest } from '@jest/globals';
import { EventStore } from '#eventstore';
import { startEmbeddedEventStore, type EmbeddedEventStore } from '../../support/embedded-eventstore.js';
import {
  describeSteps,
  runSteps,
  shrink,
  seededSteps,
  replaying,
  type Outcomes,
  type FuzzWorld,
  type RunOptions,
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
