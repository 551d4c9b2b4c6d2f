import { jsonEvent } from '@eventstore/db-client';

import { collect, numbered, storeForSuite } from './support.js';

// EventStoreDB reads `$acl` with StreamMetadata.ReadAcl (src/EventStore.Core/Data/StreamMetadata.cs): it
// must be an object whose `$r`, `$w`, `$d`, `$mr` and `$mw` are each a role or a list of roles (strings);
// anything else throws, and metadata it cannot read counts as none at all, its valid `$maxCount`
// included (IndexReader.GetStreamMetadataUncached). Another key inside `$acl` throws too: ReadAcl
// skips no value, so it reads that key's value where it expects the next key.
describe('stream metadata with an $acl EventStoreDB cannot read, through the official client', () => {
  const { client, streamWith } = storeForSuite();

  it('Given a stream of 3 events, When its metadata holds $maxCount 1 and an $acl of the wrong shape, Then the metadata limits nothing and the stream is read whole', async () => {
    const unreadable: [string, unknown][] = [
      ['an $acl that is a role', '$admins'],
      ['an $acl that is null', null],
      ['an $acl that is a list', ['$admins']],
      ['a role that is a number', { $r: 1 }],
      ['a list of roles holding a number', { $w: ['$admins', 2] }],
      ['a key of its own', { $r: '$admins', readers: 'ops' }],
    ];
    for (const [what, acl] of unreadable) {
      const { stream } = await streamWith('meta-acl', numbered(3));
      await client.appendToStream(
        `$$${stream}`,
        jsonEvent({ type: '$metadata', data: { $maxCount: 1, $acl: acl } }),
      );
      const events = await collect(client.readStream(stream));
      expect([what, events.map((resolved) => resolved.event!.revision)]).toEqual([what, [0n, 1n, 2n]]);
    }
  });

  it('Given a stream of 3 events, When its metadata holds $maxCount 1 and an $acl of roles and lists of roles, Then $maxCount 1 holds', async () => {
    const { stream } = await streamWith('meta-acl-readable', numbered(3));
    await client.setStreamMetadata(stream, {
      maxCount: 1,
      acl: { readRoles: ['$admins', 'ops'], writeRoles: ['$admins'], deleteRoles: [] },
    });
    const events = await collect(client.readStream(stream));
    expect(events.map((resolved) => resolved.event!.revision)).toEqual([2n]);
  });
});
