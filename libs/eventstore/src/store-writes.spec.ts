import { StoreWrites } from './store-writes.js';

describe('StoreWrites', () => {
  const at = (iso: string) => new Date(iso);

  it('is ok until an append is refused for want of writes', () => {
    expect(new StoreWrites().view()).toEqual({ status: 'ok' });
  });

  it('fails from the first refusal, with the latest cause and the refusals since, until an append succeeds', () => {
    const times = [at('2026-01-05T09:00:00Z'), at('2026-01-05T09:00:05Z')];
    const writes = new StoreWrites(() => times.shift()!);

    writes.refused('ENOSPC');
    writes.refused('EIO');

    expect(writes.view()).toEqual({
      status: 'failing',
      cause: 'EIO',
      since: '2026-01-05T09:00:00.000Z',
      refusedCommands: 2,
      refusedSnapshots: 0,
    });
    writes.succeeded();
    expect(writes.view()).toEqual({ status: 'ok' });
  });

  it('counts every refusal since start across spells, and starts a new spell after a success', () => {
    const times = [at('2026-01-05T09:00:00Z'), at('2026-01-05T10:00:00Z')];
    const writes = new StoreWrites(() => times.shift()!);

    writes.refused('ENOSPC');
    writes.succeeded();
    writes.refused('EDQUOT');

    expect(writes.view()).toEqual({
      status: 'failing',
      cause: 'EDQUOT',
      since: '2026-01-05T10:00:00.000Z',
      refusedCommands: 1,
      refusedSnapshots: 0,
    });
    expect(writes.refusedTotal).toBe(2);
  });

  it('counts refused snapshots apart from commands; a refused probe changes the cause and counts nothing', () => {
    const writes = new StoreWrites(() => at('2026-01-05T09:00:00Z'));

    writes.refused('ENOSPC', 'snapshot');
    writes.refused('ENOSPC');
    writes.probeRefused('EIO');

    expect(writes.view()).toEqual({
      status: 'failing',
      cause: 'EIO',
      since: '2026-01-05T09:00:00.000Z',
      refusedCommands: 1,
      refusedSnapshots: 1,
    });
    expect([writes.refusedTotal, writes.refusedSnapshotsTotal]).toEqual([1, 1]);
  });

  it('tells its listeners once per spell, at the first refusal after a success', () => {
    const writes = new StoreWrites();
    const spells: string[] = [];
    writes.onFailing(() => spells.push(writes.view().status));

    writes.refused('ENOSPC');
    writes.refused('ENOSPC', 'snapshot');
    writes.succeeded();
    writes.refused('EDQUOT');

    expect(spells).toEqual(['failing', 'failing']);
  });
});
