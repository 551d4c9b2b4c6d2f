import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ID_RULE } from '#events';
import type { ApiCommand } from './api-client.js';
import {
  filterRecording,
  readRecording,
  recordedAccount,
  recordingFilterProblems,
  retarget,
  type RecordedCommand,
} from './recording.js';

const on = { accountId: 'acc-1', line: '10001', callId: 'call-0' };
const entries: RecordedCommand[] = [
  {
    seq: 0,
    phase: 'setup',
    offsetMs: 0,
    command: { type: 'createAccount', actor: 'admin', accountId: 'acc-1', name: 'A' },
  },
  {
    seq: 1,
    phase: 'load',
    offsetMs: 0,
    call: 0,
    flow: 'ring-answer',
    step: 0,
    command: { type: 'receiveIncomingCall', actor: 'ext-1', from: 'ext-1', ...on },
  },
  {
    seq: 2,
    phase: 'load',
    offsetMs: 1500,
    call: 0,
    flow: 'ring-answer',
    step: 1,
    command: { type: 'answerCall', actor: 'boss-1', ...on },
  },
  {
    seq: 3,
    phase: 'load',
    offsetMs: 3000,
    call: 0,
    flow: 'ring-answer',
    step: 2,
    command: { type: 'hangUp', actor: 'boss-1', ...on },
  },
];

describe('recorded streams', () => {
  let dir: string;
  beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), 'sb-rec-'))));
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('selects a window of offsets, from inclusive and to exclusive, keeping the setup', () => {
    expect(filterRecording(entries, { fromMs: 1000, toMs: 3000 }).map((e) => e.seq)).toEqual([0, 2]);
  });

  it('refuses a filter that can select nothing: an unknown type, or --from at or after --to', () => {
    // Given filters a load tester might mistype
    // When they are checked
    // Then a typo'd type and an empty window are named, and a good filter passes
    expect(recordingFilterProblems({ types: ['answerCall', 'hangUp'], fromMs: 0, toMs: 1 })).toEqual([]);
    expect(recordingFilterProblems({ types: ['answer', 'hangUp'] })).toEqual([
      expect.stringMatching(/^--filter: unknown command type\(s\) answer \(use createAccount, .*answerCall/),
    ]);
    expect(recordingFilterProblems({ fromMs: 5000, toMs: 2000 })).toEqual([
      '--from (5000 ms) must be before --to (2000 ms)',
    ]);
    expect(recordingFilterProblems({ fromMs: 2000, toMs: 2000 })).toHaveLength(1);
  });

  it('selects command types', () => {
    expect(filterRecording(entries, { types: ['answerCall', 'hangUp'] }).map((e) => e.seq)).toEqual([
      0, 2, 3,
    ]);
  });

  it('leaves out the setup on request', () => {
    expect(filterRecording(entries, { skipSetup: true }).map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('moves commands into another account', () => {
    expect(recordedAccount(entries)).toBe('acc-1');
    const moved = entries.map((e) => retarget(e, 'acc-2'));
    expect(moved.every((e) => (e.command as ApiCommand & { accountId: string }).accountId === 'acc-2')).toBe(
      true,
    );
    expect(entries[1]!.command).toMatchObject({ accountId: 'acc-1' });
  });

  it('reads back what was written, header apart, and names the line of a bad entry', async () => {
    const file = join(dir, 'run.ndjson');
    await writeFile(
      file,
      [
        JSON.stringify({ recording: 1, manifest: { seed: 's' } }),
        ...entries.map((e) => JSON.stringify(e)),
        '',
      ].join('\n'),
    );
    const read = await readRecording(file);
    expect(read.header?.manifest).toEqual({ seed: 's' });
    expect(read.entries).toEqual(entries);
    await writeFile(file, `${JSON.stringify(entries[0])}\n{"nope":1}\n`);
    await expect(readRecording(file)).rejects.toThrow(/run.ndjson:2: neither/);
  });

  it('refuses an entry that cannot be replayed, naming its line, before anything is sent', async () => {
    // Given recordings with one bad entry after a good one
    const file = join(dir, 'run.ndjson');
    const refused = async (bad: string): Promise<string> => {
      await writeFile(file, `${JSON.stringify(entries[0])}\n${bad}\n`);
      return readRecording(file).then(
        () => 'read',
        (error: Error) => error.message,
      );
    };
    const entry = entries[0]!;
    // Then each is named with its line: null, an unknown or prototype command type, a phase, an offset
    await expect(refused('null')).resolves.toMatch(/run\.ndjson:2: neither a recording header/);
    for (const type of ['launchMissiles', '__proto__', 'constructor']) {
      await expect(
        refused(JSON.stringify({ ...entry, command: { ...entry.command, type } })),
      ).resolves.toMatch(
        new RegExp(`run\\.ndjson:2: unknown command type "${type}" \\(a recording holds createAccount, `),
      );
    }
    await expect(refused(JSON.stringify({ ...entry, phase: 'weird' }))).resolves.toMatch(
      /run\.ndjson:2: phase "weird" is neither setup nor load$/,
    );
    for (const offsetMs of [-1, 1e300]) {
      await expect(refused(JSON.stringify({ ...entry, offsetMs }))).resolves.toMatch(
        /run\.ndjson:2: offsetMs .* is not between 0 and 2147483647$/,
      );
    }
    // And a command that lacks a member its route or body is made of, or whose route id the api refuses
    const answer = entries[2]!;
    const { line: _line, ...withoutLine } = answer.command as ApiCommand & { line: string };
    const shapes: [Record<string, unknown>, string][] = [
      [withoutLine, 'answerCall needs line (text), found missing'],
      [{ ...answer.command, callId: 7 }, 'answerCall needs callId (text), found 7'],
      [{ ...answer.command, actor: '' }, 'answerCall needs actor (text), found ""'],
      [
        { ...entries[0]!.command, type: 'registerPhoneUser', partyId: 'p', callingPlan: 'x', numbers: '+1' },
        'registerPhoneUser needs numbers (a list of text), found "+1"',
      ],
      [
        { ...answer.command, accountId: '__proto__' },
        `answerCall has accountId "__proto__", which ${ID_RULE}`,
      ],
      [{ ...answer.command, callId: 'constructor' }, `answerCall has callId "constructor", which ${ID_RULE}`],
    ];
    for (const [command, problem] of shapes) {
      await expect(refused(JSON.stringify({ ...answer, command }))).resolves.toBe(`${file}:2: ${problem}`);
    }
    // And a header of a recording format this version does not write, or of no format at all
    for (const recording of [2, 0, '1', null]) {
      await expect(refused(JSON.stringify({ recording, manifest: {} }))).resolves.toBe(
        `${file}:2: recording format ${JSON.stringify(recording)} is not the one this version reads (1): replay it with the version that recorded it, or record it again`,
      );
    }
    // And a byte order mark before the first line is read past
    await writeFile(file, `\uFEFF${JSON.stringify(entries[0])}\n`);
    await expect(readRecording(file)).resolves.toEqual({ header: undefined, entries: [entries[0]] });
  });
});
