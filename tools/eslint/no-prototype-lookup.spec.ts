import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';
import { noPrototypeLookup } from './no-prototype-lookup.js';

/**
 * The lint rule that keeps ids from reaching Object.prototype, run on small sources as typed eslint
 * sees them: the shape of the voicemail bug is refused; Maps, literal keys and guarded lookups pass.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));

let eslint: ESLint;

const lint = async (source: string): Promise<string[]> => {
  const [result] = await eslint.lintText(source, { filePath: `${root}tools/eslint/probe.ts` });
  return result!.messages.map((m) => `${m.line}:${m.message.split(':')[0]}`);
};

// Typed linting builds a TypeScript program first: seconds, more on a busy machine.
beforeAll(async () => {
  eslint = new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts'],
        languageOptions: {
          parser: tseslint.parser,
          parserOptions: {
            projectService: { allowDefaultProject: ['tools/eslint/*.ts'] },
            tsconfigRootDir: root,
          },
        },
        plugins: { local: { rules: { 'no-prototype-lookup': noPrototypeLookup } } },
        rules: { 'local/no-prototype-lookup': 'error' },
      },
    ],
  });
  await lint('export {};');
}, 120_000);

describe('lint rule local/no-prototype-lookup', () => {
  it('refuses a lookup by any string in a plain record: the voicemail bug', async () => {
    const problems = await lint(`
      const voicemails: Readonly<Record<string, { readBy: string | null }>> = {};
      export const find = (messageId: string) => voicemails[messageId];
    `);
    expect(problems).toEqual([
      '3:A lookup by an arbitrary string can reach Object.prototype (constructor, toString, __proto__)',
    ]);
  });

  it('refuses writes, destructuring by a computed key and `in` with any string', async () => {
    const problems = await lint(`
      const byId: Record<string, number> = {};
      export const put = (id: string) => { byId[id] = 1; };
      export const drop = (id: string) => { const { [id]: _gone, ...rest } = byId; return rest; };
      export const has = (id: string) => id in byId;
    `);
    expect(problems.map((p) => p.split(':')[0])).toEqual(['3', '4', '5']);
  });

  it('accepts Maps, known literal keys, numbers and lookups guarded by Object.hasOwn', async () => {
    const problems = await lint(`
      const byId = new Map<string, number>();
      const units = { s: 1, m: 60 } as const;
      const list = [1, 2, 3];
      const record: Record<string, number> = {};
      export const a = (id: string) => byId.get(id);
      export const b = (unit: keyof typeof units) => units[unit];
      export const c = (i: number) => list[i];
      export const d = (id: string) => (Object.hasOwn(record, id) ? record[id] : undefined);
      export const e = (id: string) => Object.hasOwn(record, id) && record[id];
      export const f = (id: string) => { if (Object.hasOwn(record, id)) return record[id]; return 0; };
      export const g = (other: string, id: string) => (Object.hasOwn(record, other) ? record[id] : 0);
    `);
    expect(problems.map((p) => p.split(':')[0])).toEqual(['12']);
  });
});
