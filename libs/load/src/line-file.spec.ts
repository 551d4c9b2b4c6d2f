import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LineFile } from './line-file.js';

describe('a file written line by line', () => {
  let dir: string;
  beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), 'sb-line-file-'))));
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('keeps every line it was given once closed', async () => {
    // Given a file, When lines are written and it is closed
    const file = new LineFile(join(dir, 'whole.ndjson'));
    await file.opened();
    file.write('a\n');
    file.write('b\n');
    await file.close();
    // Then it holds them
    expect(await readFile(join(dir, 'whole.ndjson'), 'utf8')).toBe('a\nb\n');
  });

  it('removes a file the command stopped writing before it was whole', async () => {
    // Given a file partly written, When it is discarded, Then it is gone
    const path = join(dir, 'part.ndjson');
    const file = new LineFile(path);
    file.write('a\n');
    await expect(file.discard()).resolves.toBe(true);
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('says, naming the file, that a full disk took no more, tells its writer once, and removes no device', async () => {
    // Given a file on a full disk (/dev/full)
    let told = 0;
    const file = new LineFile('/dev/full', () => told++, '--record /dev/full');
    // When more is written than it can take
    for (let i = 0; i < 3; i++) file.write(`${'x'.repeat(100_000)}\n`);
    // Then waiting for it to take more fails, naming it
    await expect(file.drained()).rejects.toThrow('cannot write --record /dev/full (ENOSPC)');
    expect(told).toBe(1);
    // And closing it fails the same way, and the device is not removed
    await expect(file.close()).rejects.toThrow(/^cannot write --record \/dev\/full \(ENOSPC\)$/);
    expect((await stat('/dev/full')).isCharacterDevice()).toBe(true);
  });

  it('says a path it cannot open, naming it, before anything is written', async () => {
    const file = new LineFile(join(dir, 'no', 'such.ndjson'), undefined, '--out no/such.ndjson');
    await expect(file.opened()).rejects.toThrow('cannot write --out no/such.ndjson (ENOENT)');
  });
});
