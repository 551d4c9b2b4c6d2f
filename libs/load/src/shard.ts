import type { Topology } from './plan.js';

/**
 * One of `count` generators running disjoint parts of the same seeded workload against one stack
 * (`load run --shard index/count`, index from 1). The unit of partition is the delegator: a shard
 * provisions the delegators it owns (with their delegates, delegations and lines) and runs exactly
 * the calls on those lines. So no two shards ever act on the same line, party or call: their
 * commands never contend for one stream, and what a shard's calls meet (a busy line, a call already
 * answered) is what the same calls meet in an unsharded run. Call ids and command ids come from the
 * global call index, so they are disjoint across shards by construction; the account is shared, and
 * every shard sends its creation with the same command id (the api answers the resend with the first
 * result, so exactly one creation is appended whichever shard comes first).
 */
export interface Shard {
  /** 1-based. */
  readonly index: number;
  readonly count: number;
}

/** The whole workload as one shard: what an unsharded run is. */
export const WHOLE: Shard = { index: 1, count: 1 };

export const parseShard = (text: string): Shard => {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) throw new Error(`--shard takes i/n, e.g. 1/2 (the first of two), not "${text}"`);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || index < 1 || index > count) {
    throw new Error(`--shard ${text}: i counts from 1 to n, e.g. 1/${Math.max(2, count)}`);
  }
  return { index, count };
};

export const formatShard = (shard: Shard): string => `${shard.index}/${shard.count}`;

/** Delegator `d` (0-based, in topology order) belongs to this shard. */
export const ownsDelegator = (shard: Shard, delegator: number): boolean =>
  delegator % shard.count === shard.index - 1;

/** Call `index` runs on a line of a delegator this shard owns. */
export const ownsCall = (topology: Topology, shard: Shard, index: number): boolean =>
  ownsDelegator(shard, topology.lines[index % topology.lines.length]!.delegator);

/**
 * The closed model's parties of this shard: the run's `--concurrency` dealt out over the shards,
 * the first ones taking one more when it does not divide, so the shards' parties add up to it.
 */
export const concurrencyShare = (concurrency: number, shard: Shard): number =>
  Math.floor(concurrency / shard.count) + (shard.index - 1 < concurrency % shard.count ? 1 : 0);

/** What makes a shard impossible, in the words of `load run`'s options. */
export const shardProblems = (
  shard: Shard,
  options: { delegators: number; concurrency?: number; runIdGiven: boolean },
): string[] => {
  if (shard.count === 1) return [];
  const problems: string[] = [];
  const text = formatShard(shard);
  if (options.delegators < shard.count) {
    problems.push(
      `--shard ${text} needs at least ${shard.count} delegators, one per shard at least (shards split ` +
        `the delegators, their lines and their calls), not --delegators ${options.delegators}`,
    );
  }
  if (options.concurrency !== undefined && options.concurrency < shard.count) {
    problems.push(
      `--shard ${text} deals --concurrency ${options.concurrency} out over ${shard.count} shards: ` +
        `give --concurrency ${shard.count} or more`,
    );
  }
  if (!options.runIdGiven) {
    // Each shard would pick a random run id of its own, and so an account of its own.
    problems.push(`--shard ${text} needs --run-id, the same for every shard, so that they share one account`);
  }
  return problems;
};
