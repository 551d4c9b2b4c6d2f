// Runs before `npm ci`, with nothing installed: a lock that npm did not write (a hand edit, a package.json
// changed without `npm install`) must stop CI here, loudly, instead of breaking `npm ci` for users on
// another npm or registry state. Two checks:
//  1. shape: every installed package has the version and checksum npm always writes (the address it may omit:
//     `omit-lockfile-registry-resolved`);
//  2. sync: npm itself, asked to write the lock from package.json alone, writes the same file.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const lockText = readFileSync(join(root, 'package-lock.json'), 'utf8');
const lock = JSON.parse(lockText);
const semver = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

const malformed = Object.entries(lock.packages ?? {})
  .filter(([path, entry]) => path !== '' && !entry.link && !entry.inBundle)
  .filter(([, entry]) => !semver.test(entry.version ?? '') || !entry.integrity)
  .map(([path]) => path);
if (malformed.length > 0) {
  console.error(
    `package-lock.json has ${malformed.length} entries npm would never write (no version or checksum):`,
  );
  for (const path of malformed.slice(0, 20)) console.error(`  ${path}`);
  console.error('Delete them and run `npm install` so that npm writes the lock.');
  process.exit(1);
}

const scratch = mkdtempSync(join(tmpdir(), 'lock-check-'));
try {
  copyFileSync(join(root, 'package.json'), join(scratch, 'package.json'));
  copyFileSync(join(root, 'package-lock.json'), join(scratch, 'package-lock.json'));
  execFileSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: scratch,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (readFileSync(join(scratch, 'package-lock.json'), 'utf8') !== lockText) {
    console.error(
      'package-lock.json is out of sync with package.json: run `npm install` and commit the lock it writes.',
    );
    process.exit(1);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
console.log('package-lock.json: written by npm and in sync with package.json');
