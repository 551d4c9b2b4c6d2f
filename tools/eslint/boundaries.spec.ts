import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';
import { APPS, boundaries } from './boundaries.js';

/**
 * The import boundaries of eslint.config.js, run on one-line sources placed where the code would live:
 * apps reach no other app, libraries no app, and bench, test and tools only what the policy grants.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));

const eslint = new ESLint({
  cwd: root,
  overrideConfigFile: true,
  overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, ...boundaries],
});

/** Whether eslint refuses `import … from specifier` in a file at `path` (relative to the repository). */
const refuses = async (path: string, specifier: string): Promise<boolean> => {
  const [result] = await eslint.lintText(`import { x } from '${specifier}';\nexport { x };\n`, {
    filePath: `${root}${path}`,
  });
  return result!.messages.some((m) => m.ruleId === 'no-restricted-imports');
};

describe('import boundaries', () => {
  it.each(APPS.flatMap((app) => APPS.filter((other) => other !== app).map((other) => [app, other])))(
    'refuses apps/%s importing the src of apps/%s, from any depth',
    async (app, other) => {
      expect(await refuses(`apps/${app}/src/probe.ts`, `../../${other}/src/x.js`)).toBe(true);
      expect(await refuses(`apps/${app}/src/a/b/probe.ts`, `../../../../${other}/src/a/x.js`)).toBe(true);
      expect(await refuses(`apps/${app}/src/a/probe.ts`, `../../../../apps/${other}/src/x.js`)).toBe(true);
    },
  );

  it('lets an app import its own files, libraries and packages', async () => {
    expect(await refuses('apps/cli/src/audit/probe.ts', '../options.js')).toBe(false);
    expect(await refuses('apps/cli/src/audit/probe.ts', '#read-models')).toBe(false);
    expect(await refuses('apps/projector/src/http/probe.ts', '@nestjs/common')).toBe(false);
  });

  it('refuses a library importing any app, even its bootstrap', async () => {
    expect(await refuses('libs/read-models/src/engine/probe.ts', '../../../../apps/projector/src/x.js')).toBe(
      true,
    );
    expect(await refuses('libs/load/src/probe.ts', '../../../apps/api/src/bootstrap.js')).toBe(true);
    expect(await refuses('libs/load/src/probe.ts', '#stack')).toBe(false);
  });

  it('refuses bench, test and tools reaching into an app that is not theirs', async () => {
    expect(await refuses('bench/e2e/probe.ts', '../../apps/cli/src/load/runner.js')).toBe(true);
    expect(await refuses('test/support/probe.ts', '../../apps/cli/src/stack.js')).toBe(true);
    expect(await refuses('test/integration/api/probe.ts', '../../../apps/projector/src/engine/x.js')).toBe(
      true,
    );
    expect(await refuses('test/e2e/probe.ts', '../../apps/eventstore/src/storage/record.js')).toBe(true);
    expect(await refuses('tools/probe.ts', '../apps/api/src/main.js')).toBe(true);
    expect(await refuses('bench/line-history.bench.ts', '../apps/projector/src/x.js')).toBe(true);
  });

  it('lets an app’s own integration tests and benchmarks test its internals', async () => {
    expect(
      await refuses('test/integration/eventstore/probe.ts', '../../../apps/eventstore/src/storage/x.js'),
    ).toBe(false);
    expect(await refuses('test/integration/cli/probe.ts', '../../../apps/cli/src/history/import.js')).toBe(
      false,
    );
    expect(await refuses('bench/store/probe.ts', '../../apps/eventstore/src/grpc/server.js')).toBe(false);
    expect(await refuses('bench/line-history.bench.ts', '../apps/api/src/lines/line.repository.js')).toBe(
      false,
    );
  });

  it('lets any test host an app in-process through its bootstrap, and nothing else of it', async () => {
    expect(await refuses('test/integration/api/probe.ts', '../../../apps/projector/src/bootstrap.js')).toBe(
      false,
    );
    expect(await refuses('test/e2e/probe.ts', '../../apps/api/src/bootstrap.js')).toBe(false);
    expect(await refuses('test/e2e/probe.ts', '../../apps/api/src/bootstrap.spec.js')).toBe(true);
  });
});
