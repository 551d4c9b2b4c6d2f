import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REASONS } from '#domain';
import { renderedDocs, RULES_MD, rulesWithTables } from './reason-codes.js';

// docs/reason-codes.md and the code tables of docs/rules.md are written from the catalogue of reasons
// (libs/domain/src/reasons.ts): a change to the catalogue without `npm run docs:reasons` fails here.

const root = execFileSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8' }).trim();

describe('the docs written from the catalogue of reasons', () => {
  it('are what `npm run docs:reasons` writes', async () => {
    for (const { file, text } of await renderedDocs()) {
      expect({ file, upToDate: readFileSync(path.join(root, file), 'utf8') === text }).toEqual({
        file,
        upToDate: true,
      });
    }
  });

  it('give every rule of the catalogue its table in docs/rules.md', () => {
    const rules = readFileSync(path.join(root, RULES_MD), 'utf8');
    const tables = new Set([...rules.matchAll(/<!-- reason-codes:(R\d+) -->/g)].map(([, rule]) => rule));
    const catalogued = new Set(Object.values(REASONS).flatMap((reason) => Object.keys(reason.under)));
    expect([...catalogued].filter((rule) => !tables.has(rule))).toEqual([]);
  });

  it('rewrite a stale table from the catalogue, and leave the prose around it', () => {
    const stale =
      'Before.\n\n<!-- reason-codes:R9 -->\n\n| code |\n| --- |\n| `GONE` |\n\n<!-- /reason-codes -->\n\nAfter.';
    const fresh = rulesWithTables(stale);
    expect(fresh).toMatch(/^Before\.\n/);
    expect(fresh).toMatch(/\nAfter\.$/);
    expect(fresh).not.toContain('GONE');
    expect(fresh).toContain('| `SELF_DELEGATION` | 422 | delegator and delegate are the same party |');
  });
});
