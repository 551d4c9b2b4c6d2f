import { isIPv6 } from 'node:net';

import { status, type sendUnaryData } from '@grpc/grpc-js';

import { ClusterInfo, EndPoint, MemberInfo, UUID, type ClusterInfoMessage } from './protocol.js';

/**
 * `Gossip.Read`: the client calls it to discover whenever its connection string says
 * `esdb+discover://` or names several hosts. It keeps the members that are alive in a state serving
 * clients, orders them by its `nodePreference` and opens its channel to the first one's http end
 * point. This server is a single node, so it answers as a real single node does: itself alone, alive,
 * Leader; every node preference then picks it.
 */

export interface HttpEndPoint {
  readonly address: string;
  readonly port: number;
}

/** What EventStoreDB calls the advertise-to-client settings; unset means the bound host and port. */
export interface AdvertiseToClient {
  /** `--advertise-host-to-client-as`: the host clients are told to connect to. */
  readonly host?: string;
  /** `--advertise-http-port-to-client-as`: the port clients are told to connect to (0: the bound one). */
  readonly port?: number;
}

/**
 * The http end point gossip gives clients, as EventStoreDB builds it (`ClientMemberInfo`): the
 * advertise-to-client host and port where set, else the bound ones. A node bound to every interface
 * (0.0.0.0, or `::`, which Node binds dual-stack) advertises the loopback address, as a single
 * EventStoreDB node does; other hosts are given as they were named to `--host`, so a name resolves for
 * the client as it did for the server. An IPv6 address goes in brackets: the Node client joins address
 * and port with a colon, and grpc-js reads `::1:2113` as a host without a port.
 */
export function advertisedEndPoint(
  bound: { readonly host: string; readonly address: string; readonly port: number },
  advertise: AdvertiseToClient = {},
): HttpEndPoint {
  const port = advertise.port ? advertise.port : bound.port;
  if (advertise.host) return { address: advertise.host, port };
  if (bound.address === '0.0.0.0' || bound.address === '::') return { address: '127.0.0.1', port };
  return { address: isIPv6(bound.host) ? `[${bound.host}]` : bound.host, port };
}

/** A UUID as EventStoreDB's gossip sends it (`Uuid.ToDto`): structured, Java's two signed 64-bit halves. */
export function structuredUuid(text: string): InstanceType<typeof UUID> {
  const hex = text.replace(/-/g, '');
  const half = (digits: string): string => BigInt.asIntN(64, BigInt(`0x${digits}`)).toString();
  return new UUID().setStructured(
    new UUID.Structured()
      .setMostSignificantBits(half(hex.slice(0, 16)))
      .setLeastSignificantBits(half(hex.slice(16, 32))),
  );
}

/** .NET ticks (100 ns) since the Unix epoch: EventStoreDB's `ToTicksSinceEpoch`, for gossip time stamps. */
const ticksSinceUnixEpoch = (milliseconds: number): string => (BigInt(milliseconds) * 10_000n).toString();

/**
 * The ClusterInfo for this node: one member, `instanceId` (stable for the process), time-stamped with
 * the time of the answer, alive, Leader, at `endPoint`.
 */
export function clusterInfo(
  instanceId: string,
  endPoint: HttpEndPoint,
  now = Date.now(),
): ClusterInfoMessage {
  const member = new MemberInfo()
    .setInstanceId(structuredUuid(instanceId))
    .setTimeStamp(ticksSinceUnixEpoch(now))
    .setState(MemberInfo.VNodeState.LEADER)
    .setIsAlive(true)
    .setHttpEndPoint(new EndPoint().setAddress(endPoint.address).setPort(endPoint.port));
  return new ClusterInfo().setMembersList([member]);
}

/** The `Gossip.Read` handler; `endPoint` is known once the server listens. */
export const gossipReadHandler =
  (instanceId: string, endPoint: () => HttpEndPoint | undefined) =>
  (_call: unknown, callback: sendUnaryData<ClusterInfoMessage>): void => {
    const where = endPoint();
    if (!where) return callback({ code: status.UNAVAILABLE, details: 'the server is not listening yet' });
    callback(null, clusterInfo(instanceId, where));
  };
