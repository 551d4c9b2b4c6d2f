import { parseUUID } from '@eventstore/db-client/dist/utils/grpcUUID.js';

import { advertisedEndPoint, clusterInfo, structuredUuid } from './gossip.js';
import { MemberInfo } from './protocol.js';

describe('the http end point gossip advertises', () => {
  it('is the host as bound and the bound port', () => {
    expect(advertisedEndPoint({ host: '127.0.0.1', address: '127.0.0.1', port: 2113 })).toEqual({
      address: '127.0.0.1',
      port: 2113,
    });
    // A name stays a name: the client resolves it as the server did.
    expect(advertisedEndPoint({ host: 'localhost', address: '::1', port: 2113 })).toEqual({
      address: 'localhost',
      port: 2113,
    });
  });

  it('is the loopback address when bound to every interface, as on a single EventStoreDB node', () => {
    for (const address of ['0.0.0.0', '::'])
      expect(advertisedEndPoint({ host: address, address, port: 2113 })).toEqual({
        address: '127.0.0.1',
        port: 2113,
      });
  });

  it('puts an IPv6 address in brackets, which the client needs to tell it from the port', () => {
    expect(advertisedEndPoint({ host: '::1', address: '::1', port: 2113 })).toEqual({
      address: '[::1]',
      port: 2113,
    });
  });

  it('is what the advertise-to-client options say, each in place of the bound one', () => {
    const bound = { host: '0.0.0.0', address: '0.0.0.0', port: 2113 };
    expect(advertisedEndPoint(bound, { host: 'store.internal', port: 443 })).toEqual({
      address: 'store.internal',
      port: 443,
    });
    expect(advertisedEndPoint(bound, { host: 'store.internal' })).toEqual({
      address: 'store.internal',
      port: 2113,
    });
    // 0 is EventStoreDB's "not set".
    expect(advertisedEndPoint(bound, { port: 0 })).toEqual({ address: '127.0.0.1', port: 2113 });
  });
});

describe('the ClusterInfo gossip answers', () => {
  it('is this node alone, alive, Leader, with its id, the time in ticks since the Unix epoch, its end point', () => {
    const id = '01234567-89ab-4def-8123-456789abcdef';
    const info = clusterInfo(id, { address: '127.0.0.1', port: 2113 }, Date.UTC(2024, 0, 1));
    const [member, ...others] = info.getMembersList();
    expect(others).toEqual([]);
    expect(member!.getIsAlive()).toBe(true);
    expect(member!.getState()).toBe(MemberInfo.VNodeState.LEADER);
    expect(member!.getTimeStamp()).toBe((BigInt(Date.UTC(2024, 0, 1)) * 10_000n).toString());
    expect(member!.getHttpEndPoint()!.getAddress()).toBe('127.0.0.1');
    expect(member!.getHttpEndPoint()!.getPort()).toBe(2113);
    // Structured, as EventStoreDB sends it; the client reads it back to the same text.
    expect(member!.getInstanceId()!.hasStructured()).toBe(true);
    expect(parseUUID(member!.getInstanceId())).toBe(id);
  });

  it('sends a UUID as Java-style signed halves', () => {
    const structured = structuredUuid('ffffffff-ffff-ffff-0000-000000000001').getStructured()!;
    expect(structured.getMostSignificantBits()).toBe('-1');
    expect(structured.getLeastSignificantBits()).toBe('1');
  });
});
