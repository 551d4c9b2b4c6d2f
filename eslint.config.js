import tseslint from 'typescript-eslint';
import { boundaries } from './tools/eslint/boundaries.js';
import { noPrototypeLookup } from './tools/eslint/no-prototype-lookup.js';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'data/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The shipped code, where keys can come from clients, files or the store. Typed, so it can tell a
    // lookup by any string from one by a known literal.
    files: ['apps/**/*.ts', 'libs/**/*.ts', 'tools/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.fixture.ts', '**/*.fixtures.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { local: { rules: { 'no-prototype-lookup': noPrototypeLookup } } },
    rules: { 'local/no-prototype-lookup': 'error' },
  },
  ...boundaries,
);
