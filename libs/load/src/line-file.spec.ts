import { execFileSync } from 'node:child_process';
import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileToReplace, LineFile, writeWholeFile } from './line-file.js';

describe('a file written line by line', () => {
  let root: string;
  let dir: string;
  let n = 0;
  beforeAll(async () => (root = await mkdtemp(join(tmpdir(), 'sb-line-file-'))));
  // A directory of its own per test, so that "nothing else is left in it" is the test's own.
  beforeEach(async () => {
    dir = join(root, String(n++));
    await mkdir(dir);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  const EARLIER = 'an earlier export\n';

  it('keeps every line it was given once closed, and leaves no temporary', async () => {
    // Given a file, When lines are written and it is closed
    const file = new LineFile(join(dir, 'whole.ndjson'));
    await file.opened();
    file.write('a\n');
    file.write('b\n');
    await file.close();
    // Then it holds them, and nothing else is in its directory
    expect(await readFile(join(dir, 'whole.ndjson'), 'utf8')).toBe('a\nb\n');
    expect(await readdir(dir)).toEqual(['whole.ndjson']);
  });

  it('replaces an earlier file only once closed, with no more permissions than it had', async () => {
    // Given an earlier file only its owner may read
    const path = join(dir, 'export.ndjson');
    await writeFile(path, EARLIER);
    await chmod(path, 0o600);
    // When a new one is written, Then until it is closed the earlier one is still there, whole
    const file = new LineFile(path);
    await file.opened();
    file.write('new\n');
    await file.drained();
    expect(await readFile(path, 'utf8')).toBe(EARLIER);
    // And once closed the new one has its name, its permissions, and no temporary is left
    await file.close();
    expect(await readFile(path, 'utf8')).toBe('new\n');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['export.ndjson']);
  });

  it('leaves an earlier file byte for byte, and no temporary, when the command stops before it is whole', async () => {
    // Given an earlier file, and a new one partly written in its place
    const path = join(dir, 'part.ndjson');
    await writeFile(path, EARLIER);
    const file = new LineFile(path);
    expect(file.replacing).toBe(true);
    await file.opened();
    for (let i = 0; i < 1000; i++) file.write(`${'x'.repeat(1000)}\n`);
    // When it is discarded, writes still queued, Then nothing of it is left and the earlier file is as it was
    await expect(file.discard()).resolves.toBe(true);
    expect(await readFile(path, 'utf8')).toBe(EARLIER);
    // And the writes it dropped are no failure of the file (a failure would speak for the file itself)
    expect(file.failed).toBe(false);
    expect(await readdir(dir)).toEqual(['part.ndjson']);
  });

  it('leaves no file at all when there was none and the command stops', async () => {
    const path = join(dir, 'new.ndjson');
    const file = new LineFile(path);
    expect(file.replacing).toBe(false);
    file.write('a\n');
    await expect(file.discard()).resolves.toBe(true);
    expect(await readdir(dir)).toEqual([]);
  });

  it('says, naming the file, that it could not take the name, and leaves the part written nowhere', async () => {
    // Given a file being written, whose name becomes a directory before it is closed
    const path = join(dir, 'taken.ndjson');
    const file = new LineFile(path, undefined, `--out ${path}`);
    await file.opened();
    file.write('a\n');
    await mkdir(path);
    // When it is closed, Then the rename's failure is said, and no temporary is left beside it
    await expect(file.close()).rejects.toThrow(
      `cannot write --out ${path} (EISDIR); the part written was removed`,
    );
    expect(await readdir(dir)).toEqual(['taken.ndjson']);
  });

  it('writes the file a symbolic link names, and keeps the link', async () => {
    // Given `latest.ndjson`, a link to the day's export
    const day = join(dir, 'day.ndjson');
    await writeFile(day, EARLIER);
    await symlink('day.ndjson', join(dir, 'latest.ndjson'));
    // When the link is written, Then the day's export holds the new lines, as `>` would have
    await writeWholeFile(join(dir, 'latest.ndjson'), 'new\n');
    expect(await readFile(day, 'utf8')).toBe('new\n');
    expect((await lstat(join(dir, 'latest.ndjson'))).isSymbolicLink()).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(['day.ndjson', 'latest.ndjson']);
  });

  it('writes a device, a FIFO or a descriptor of /dev as it is, never a temporary beside it', async () => {
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    await symlink('/dev/stdout', join(dir, 'out'));
    for (const path of ['/dev/null', '/dev/stdout', '/dev/fd/1', '/proc/self/fd/1', fifo, join(dir, 'out')])
      expect(fileToReplace(path)).toBeUndefined();
    // And a regular file, or a name not taken yet, is one to replace whole
    expect(fileToReplace(join(dir, 'new.ndjson'))).toEqual({ path: join(dir, 'new.ndjson') });
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
