import { parseMix } from './mix.js';
import { buildTopology, planCalls, setupCommands } from './plan.js';
import { dueArrivals } from './runner.js';
import { concurrencyShare, ownsCall, ownsDelegator, parseShard, shardProblems, type Shard } from './shard.js';
import { parseThinkTime } from './think-time.js';

const topology = buildTopology({ accountId: 'acc-s', delegators: 5, delegatesPerDelegator: 2, lines: 12 });
const shardsOf = (count: number): Shard[] =>
  Array.from({ length: count }, (_, i) => ({ index: i + 1, count }));
const partyOf = (command: object): string[] =>
  ['partyId', 'delegatorId', 'delegateId', 'actor'].flatMap((key) =>
    Object.hasOwn(command, key) ? [String((command as Record<string, unknown>)[key])] : [],
  );

describe('load run --shard i/n', () => {
  it('reads i/n with i from 1 to n, and refuses anything else in the words of the option', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, count: 1 });
    expect(() => parseShard('0/2')).toThrow('--shard 0/2: i counts from 1 to n');
    expect(() => parseShard('3/2')).toThrow('--shard 3/2: i counts from 1 to n');
    expect(() => parseShard('half')).toThrow('--shard takes i/n');
  });

  it.each([1, 2, 3, 5])(
    'deals every call to exactly one of %i shards, each call with its whole line',
    (n) => {
      // Given a topology and n shards, When each takes the calls it owns
      const owners = Array.from({ length: 500 }, (_, index) =>
        shardsOf(n).filter((shard) => ownsCall(topology, shard, index)),
      );
      // Then each call has one owner, and every call on a line has the same one: no line is shared
      expect(owners.every((o) => o.length === 1)).toBe(true);
      const ownerOfLine = new Map<number, number>();
      owners.forEach(([owner], index) => {
        const line = index % topology.lines.length;
        expect(ownerOfLine.get(line) ?? owner!.index).toBe(owner!.index);
        ownerOfLine.set(line, owner!.index);
      });
    },
  );

  it("splits provisioning by delegator: every shard creates the one account, no party is another shard's", () => {
    // Given 2 shards, When each takes its setup commands
    const whole = setupCommands(topology);
    const parts = shardsOf(2).map((shard) => setupCommands(topology, (d) => ownsDelegator(shard, d)));
    // Then each starts with the same account creation (its resend is idempotent), the rest partition the whole
    for (const part of parts) expect(part[0]).toEqual(whole[0]);
    const rest = parts.flatMap((part) => part.slice(1));
    expect(rest.map((c) => c.commandId).sort()).toEqual(
      whole
        .slice(1)
        .map((c) => c.commandId)
        .sort(),
    );
    expect(new Set(rest.map((c) => JSON.stringify(c)))).toEqual(
      new Set(whole.slice(1).map((c) => JSON.stringify(c))),
    );
    const [one, two] = parts.map((part) => new Set(part.slice(1).flatMap(partyOf)));
    // (the account's admin registers everyone's parties: it acts for no line)
    expect([...one!].filter((party) => two!.has(party))).toEqual(['admin']);
  });

  it("keeps the calls' commands those of the whole run: ids from the global call index", () => {
    const options = { seed: 's', mix: parseMix('place=1,ring-answer=1'), think: parseThinkTime('0') };
    const whole = planCalls(topology, options, 40);
    const shard = { index: 2, count: 3 };
    const own = whole.filter((call) => ownsCall(topology, shard, call.index));
    // The shard's parties act on its calls only
    const parties = new Set(setupCommands(topology, (d) => ownsDelegator(shard, d)).flatMap(partyOf));
    for (const call of own)
      for (const step of call.steps)
        if (!step.command.actor.startsWith('external:')) expect(parties.has(step.command.actor)).toBe(true);
  });

  it("splits the open model's rate: the shards' arrivals are the whole schedule's, at the same instants", async () => {
    const schedule = { rate: 1_000_000, maxCalls: 60 };
    const collect = async (owns?: (index: number) => boolean): Promise<number[]> => {
      const dues: number[] = [];
      for await (const due of dueArrivals(schedule, 0, owns)) dues.push(due);
      return dues;
    };
    const whole = await collect();
    const parts = await Promise.all(shardsOf(3).map((shard) => collect((i) => ownsCall(topology, shard, i))));
    expect(parts.flat().sort((a, b) => a - b)).toEqual(whole);
    expect(parts.every((part) => part.length > 0)).toBe(true);
  });

  it("deals the closed model's parties out so that they add up to --concurrency", () => {
    for (const [concurrency, n] of [
      [7, 3],
      [2, 2],
      [10, 5],
    ] as const) {
      const shares = shardsOf(n).map((shard) => concurrencyShare(concurrency, shard));
      expect(shares.reduce((a, b) => a + b)).toBe(concurrency);
      expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
    }
  });

  it('says what a shard needs: a delegator and a party of its own, and a run id shared by all', () => {
    expect(shardProblems({ index: 1, count: 1 }, { delegators: 1, runIdGiven: false })).toEqual([]);
    const problems = shardProblems(
      { index: 1, count: 4 },
      { delegators: 3, concurrency: 2, runIdGiven: false },
    );
    expect(problems).toEqual([
      expect.stringContaining('--shard 1/4 needs at least 4 delegators'),
      expect.stringContaining('give --concurrency 4 or more'),
      expect.stringContaining('--shard 1/4 needs --run-id'),
    ]);
  });
});
