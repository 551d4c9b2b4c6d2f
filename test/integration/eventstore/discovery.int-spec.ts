import { createServer, type AddressInfo } from 'node:net';

import gossipGrpc from '@eventstore/db-client/generated/gossip_grpc_pb.js';
import gossipPb from '@eventstore/db-client/generated/gossip_pb.js';
import serverFeaturesGrpc from '@eventstore/db-client/generated/serverfeatures_grpc_pb.js';
import sharedPb from '@eventstore/db-client/generated/shared_pb.js';
import { credentials } from '@grpc/grpc-js';

import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FOLLOWER,
  LEADER,
  RANDOM,
  READ_ONLY_REPLICA,
  type NodePreference,
} from '@eventstore/db-client';

import { ownEmbeddedStore, storeAddress } from '../../support/embedded-eventstore.js';
import { caughtUp, collect, connectForSuite, numbered, take, uniqueStream } from './support.js';

/**
 * Gossip discovery. The client discovers whenever the connection string says `esdb+discover://` or
 * names more than one host: it asks a seed `Gossip.Read` for the cluster's members, keeps those alive
 * in a state that serves clients (leader, follower, the read-only replica states), orders them by its
 * `nodePreference` and connects to the first one's http end point. A real single node answers with
 * itself as the one alive leader, so these strings work against it; the embedded server answers the
 * same. The first describe runs against the suite's store (EVENTSTORE_CONNECTION_STRING), real or
 * embedded, and expects it to be reached at the address it advertises (a real node published on the
 * same host and port, as `docker compose up` does).
 */

const { MemberInfo } = gossipPb;

interface Member {
  readonly instanceId: string | undefined;
  readonly timeStamp: bigint;
  readonly state: number;
  readonly isAlive: boolean;
  readonly httpEndPoint: { address: string; port: number } | undefined;
}

/** A UUID as text, from either form EventStoreDB's messages carry (structured: Java's signed halves). */
function uuidText(uuid: InstanceType<typeof sharedPb.UUID> | undefined): string | undefined {
  if (!uuid) return undefined;
  if (!uuid.hasStructured()) return uuid.getString();
  const structured = uuid.getStructured()!;
  const half = (bits: string): string => BigInt.asUintN(64, BigInt(bits)).toString(16).padStart(16, '0');
  const hex = half(structured.getMostSignificantBits()) + half(structured.getLeastSignificantBits());
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** `Gossip.Read` on `host:port`, through the client package's own generated stub. */
async function gossip(address: string): Promise<Member[]> {
  const stub = new gossipGrpc.GossipClient(address, credentials.createInsecure());
  try {
    const info = await new Promise<InstanceType<typeof gossipPb.ClusterInfo>>((resolve, reject) =>
      stub.read(new sharedPb.Empty(), (error, reply) => (error ? reject(error) : resolve(reply))),
    );
    return info.getMembersList().map((member) => {
      const endPoint = member.getHttpEndPoint();
      return {
        instanceId: uuidText(member.getInstanceId()),
        timeStamp: BigInt(member.getTimeStamp()),
        state: member.getState(),
        isAlive: member.getIsAlive(),
        httpEndPoint: endPoint && { address: endPoint.getAddress(), port: endPoint.getPort() },
      };
    });
  } finally {
    stub.close();
  }
}

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago): a dead seed. */
async function deadPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((listening) => probe.listen(0, '127.0.0.1', listening));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((closed) => probe.close(() => closed()));
  return port;
}

/** .NET ticks (100 ns) since the Unix epoch, as EventStoreDB's gossip time stamps are. */
const ticksSinceUnixEpoch = (date: Date): bigint => BigInt(date.getTime()) * 10_000n;

const DAY_IN_TICKS = 24n * 3600n * 10_000_000n;

describe('gossip discovery through the official client', () => {
  const direct = connectForSuite();
  const store = storeAddress(process.env.EVENTSTORE_CONNECTION_STRING!);
  const host = store.hostname;
  const port = Number(store.port);
  const seed = `${host}:${port}`;
  const opened: EventStoreDBClient[] = [];
  afterAll(() => Promise.all(opened.map((client) => client.dispose())));

  const open = (connectionString: string): EventStoreDBClient => {
    const client = EventStoreDBClient.connectionString(connectionString);
    opened.push(client);
    return client;
  };

  /** Appends through `client`, reads back through it, and finds the events through the direct connection. */
  async function roundTrip(client: EventStoreDBClient): Promise<void> {
    const stream = uniqueStream('discovered');
    const appended = await client.appendToStream(stream, numbered(3));
    expect(appended.nextExpectedRevision).toBe(2n);
    const through = await collect(client.readStream(stream));
    expect(through.map((resolved) => resolved.event!.data)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
    const seen = await collect(direct.readStream(stream));
    expect(seen.map((resolved) => resolved.event!.id)).toEqual(through.map((resolved) => resolved.event!.id));
  }

  it('Gossip.Read answers this node alone: alive, leader, its instance id, a time stamp, where to reach it', async () => {
    const before = ticksSinceUnixEpoch(new Date());
    const [first, second] = [await gossip(seed), await gossip(seed)];
    expect(first).toHaveLength(1);
    const [member] = first as [Member];
    expect(member.isAlive).toBe(true);
    expect(member.state).toBe(MemberInfo.VNodeState.LEADER);
    expect(member.httpEndPoint).toEqual({ address: host, port });
    expect(member.instanceId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    // Stable: the node's id for as long as it runs; the one it wrote as leader of its current epoch.
    expect(second![0]!.instanceId).toBe(member.instanceId);
    const [epoch] = await collect(
      direct.readStream<{ type: string; data: { leaderInstanceId: string } }>('$epoch-information', {
        direction: BACKWARDS,
        fromRevision: END,
        maxCount: 1,
      }),
    );
    expect(epoch!.event!.data.leaderInstanceId).toBe(member.instanceId);
    // Ticks since the Unix epoch (not since year 1): within a day of now.
    expect(member.timeStamp > before - DAY_IN_TICKS && member.timeStamp < before + DAY_IN_TICKS).toBe(true);
  });

  it('ServerFeatures lists Gossip.Read, as EventStoreDB lists every method it serves clients', async () => {
    const stub = new serverFeaturesGrpc.ServerFeaturesClient(seed, credentials.createInsecure());
    const methods = await new Promise<string[]>((resolve, reject) =>
      stub.getSupportedMethods(new sharedPb.Empty(), (error, reply) =>
        error
          ? reject(error)
          : resolve(reply.getMethodsList().map((m) => `${m.getServiceName()}/${m.getMethodName()}`)),
      ),
    ).finally(() => stub.close());
    expect(methods).toContain('event_store.client.gossip.gossip/read');
  });

  it('appends and reads through esdb+discover://', async () => {
    await roundTrip(open(`esdb+discover://${seed}?tls=false`));
  });

  it('appends and reads through two seeds, one of them a dead port, in either order', async () => {
    const dead = await deadPort();
    await roundTrip(open(`esdb://127.0.0.1:${dead},${seed}?tls=false`));
    await roundTrip(open(`esdb://${seed},127.0.0.1:${dead}?tls=false`));
  });

  // A preference only orders the members the client may use; it never rules one out. With one alive
  // leader and nothing else, every preference connects to the leader: `leader` because it prefers it,
  // `follower` and `read_only_replica` for want of a follower or replica, `random` by lot among one.
  const preferences: NodePreference[] = [LEADER, FOLLOWER, RANDOM, READ_ONLY_REPLICA];
  it.each(preferences)(
    'with nodePreference=%s, reaches this node through either string',
    async (preference) => {
      await roundTrip(open(`esdb+discover://${seed}?tls=false&nodePreference=${preference}`));
      const dead = await deadPort();
      await roundTrip(open(`esdb://127.0.0.1:${dead},${seed}?tls=false&nodePreference=${preference}`));
    },
  );

  it('a subscription over discovery catches up, then receives what another connection appends', async () => {
    const stream = uniqueStream('discovered-sub');
    await direct.appendToStream(stream, numbered(2));
    const client = open(`esdb+discover://${seed}?tls=false&nodePreference=follower`);
    const subscription = client.subscribeToStream(stream);
    const live = caughtUp(subscription).then(() => direct.appendToStream(stream, numbered(2, 'Numbered', 2)));
    const { events } = await take(subscription, 4);
    await live;
    expect(events.map((resolved) => resolved.event!.data)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }, { n: 3 }]);
  });
});

/** What a node bound to every interface, or told what to advertise, gossips: only the embedded server. */
describe('the http end point the embedded server gossips', () => {
  describe('bound to 0.0.0.0', () => {
    let client: EventStoreDBClient | undefined;
    const own = ownEmbeddedStore(() => client?.dispose(), ['--host', '0.0.0.0']);

    it('gossips 127.0.0.1 and its port, as a single EventStoreDB node does, and discovery reaches it', async () => {
      const port = Number(storeAddress(own.server.connectionString).port);
      const [member] = await gossip(`127.0.0.1:${port}`);
      expect(member!.httpEndPoint).toEqual({ address: '127.0.0.1', port });
      client = EventStoreDBClient.connectionString(`esdb+discover://127.0.0.1:${port}?tls=false`);
      const stream = uniqueStream('wildcard');
      await client.appendToStream(stream, numbered(1));
      expect(await collect(client.readStream(stream))).toHaveLength(1);
    });
  });

  describe('with --advertise-host-to-client-as and --advertise-http-port-to-client-as', () => {
    let client: EventStoreDBClient | undefined;
    const own = ownEmbeddedStore(
      () => client?.dispose(),
      ['--advertise-host-to-client-as', 'store.example', '--advertise-http-port-to-client-as', '2999'],
    );

    it('gossips that host and port instead of the bound ones, and a discovering client goes there', async () => {
      const seed = storeAddress(own.server.connectionString).host;
      const [member] = await gossip(seed);
      expect(member!.httpEndPoint).toEqual({ address: 'store.example', port: 2999 });
      // `.example` never resolves: the client's channel is opened to what gossip said, not to the seed.
      client = EventStoreDBClient.connectionString(`esdb+discover://${seed}?tls=false`);
      await expect(client.appendToStream(uniqueStream('advertised'), numbered(1))).rejects.toThrow(
        /store\.example:2999/,
      );
    });
  });
});
