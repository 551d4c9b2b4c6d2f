import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

// The documentation must stand on its own in a fresh clone: every relative link in a Markdown file
// reaches a file of this repository (and an anchor that exists), every rule id an answer can carry
// has its section in docs/rules.md, every reason code is listed there, and every runtime dependency
// and override is explained in docs/dependencies.md.

const root = execFileSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8' }).trim();

/** Tracked files, and new ones not ignored: a link into dist/ or data/ works only on one machine. */
const repositoryFiles = execFileSync(
  'git',
  ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
  { cwd: root, encoding: 'utf8' },
)
  .split('\0')
  .filter((file) => file !== '' && existsSync(path.join(root, file)));

const repositoryPaths = new Set<string>(['']);
for (const file of repositoryFiles) {
  for (let at = file; at !== '.'; at = path.posix.dirname(at)) repositoryPaths.add(at);
}

const read = (file: string): string => readFileSync(path.join(root, file), 'utf8');

const markdownFiles = repositoryFiles.filter((file) => file.endsWith('.md'));
const sourceFiles = repositoryFiles.filter(
  (file) => /^(apps|libs)\/.*\.ts$/.test(file) && !/\.(spec|int-spec|e2e-spec|fixtures?)\.ts$/.test(file),
);

interface Link {
  readonly file: string;
  readonly line: number;
  readonly target: string;
}

/** Markdown with code blocks and code spans blanked out (line breaks kept, so line numbers hold). */
const withoutCodeBlocks = (markdown: string): string =>
  markdown.replace(/^( {0,3})(```|~~~)[^\n]*\n[\s\S]*?^ {0,3}\2[^\n]*$/gm, (block) =>
    block.replace(/[^\n]/g, ' '),
  );

const withoutCode = (markdown: string): string =>
  withoutCodeBlocks(markdown).replace(/(`+)[\s\S]*?\1/g, (span) => span.replace(/[^\n]/g, ' '));

const lineOf = (text: string, index: number): number => text.slice(0, index).split('\n').length;

const linksIn = (file: string): Link[] => {
  const text = withoutCode(read(file));
  const links: Link[] = [];
  const patterns = [
    /!?\[[^\]]*\]\(\s*<?([^\s)>]+)>?(?:\s+["'(][^)]*)?\)/g, // [text](target "title")
    /^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm, // [ref]: target
    /\b(?:href|src)\s*=\s*["']([^"']+)["']/g, // <a href="target">
  ];
  for (const pattern of patterns) {
    for (const match of text.matchAll(pattern)) {
      links.push({ file, line: lineOf(text, match.index), target: match[1]! });
    }
  }
  return links;
};

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
const anchorsOf = (file: string): Set<string> => {
  // A heading's inline code counts in its anchor, as on GitHub ("… and `repair`" → "…-and-repair").
  const text = withoutCodeBlocks(read(file));
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const [, heading] of text.matchAll(/^ {0,3}#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    const slug = heading!
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/<[^>]+>/g, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  for (const [, id] of read(file).matchAll(/<a\s+(?:id|name)\s*=\s*["']([^"']+)["']/g)) anchors.add(id!);
  return anchors;
};

/** What is wrong with a link, or undefined when it reaches its target. */
const problemWith = ({ file, target }: Link): string | undefined => {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined; // https:, mailto: … lead out on purpose
  const [pathPart = '', fragment] = target.split('#', 2);
  const resolved = pathPart === '' ? file : resolveInRepository(file, pathPart);
  if (resolved === undefined) return 'points outside the repository';
  if (!repositoryPaths.has(resolved)) return 'points to nothing in the repository';
  if (fragment !== undefined && resolved.endsWith('.md') && !anchorsOf(resolved).has(fragment)) {
    return `has no anchor #${fragment} in ${resolved}`;
  }
  return undefined;
};

const resolveInRepository = (file: string, target: string): string | undefined => {
  const decoded = decodeURIComponent(target);
  const absolute = decoded.startsWith('/')
    ? path.join(root, decoded)
    : path.resolve(root, path.dirname(file), decoded);
  const relative = path.relative(root, absolute).split(path.sep).join('/');
  return relative.startsWith('..') || path.isAbsolute(relative) ? undefined : relative;
};

const sourceMatches = (pattern: RegExp, files = sourceFiles): Set<string> => {
  const found = new Set<string>();
  for (const file of files) for (const match of read(file).matchAll(pattern)) found.add(match[1]!);
  return found;
};

describe('the documentation inside the repository', () => {
  it('finds the Markdown files and their links', () => {
    expect(markdownFiles).toEqual(expect.arrayContaining(['README.md', 'docs/README.md', 'docs/rules.md']));
    expect(markdownFiles.flatMap(linksIn).length).toBeGreaterThan(20);
  });

  it('links only to files and anchors of this repository', () => {
    const broken = markdownFiles
      .flatMap(linksIn)
      .map((link) => ({ link, problem: problemWith(link) }))
      .filter(({ problem }) => problem !== undefined)
      .map(({ link, problem }) => `${link.file}:${link.line}: ${link.target} ${problem}`);
    expect(broken).toEqual([]);
  });

  it('tells a link that leaves the repository or misses its target from one that works', () => {
    const link = (target: string): Link => ({ file: 'apps/eventstore/README.md', line: 1, target });
    expect(problemWith(link('../../../shared/ESDB-PROTOCOL.md'))).toBe('points outside the repository');
    expect(problemWith(link('../../docs/missing.md'))).toBe('points to nothing in the repository');
    expect(problemWith(link('../../node_modules/jest/package.json'))).toBe(
      'points to nothing in the repository',
    );
    expect(problemWith(link('../../docs/rules.md#r99'))).toBe('has no anchor #r99 in docs/rules.md');
    expect(problemWith(link('../../docs/rules.md#r12'))).toBeUndefined();
    expect(problemWith(link('../../docs/event-store.md'))).toBeUndefined();
    expect(problemWith(link('https://www.kurrent.io/'))).toBeUndefined();
  });

  it('names in code spans only files and folders that exist', () => {
    // "Tests: `…spec.ts`" lines send a reader to a file; after a move they must follow it. Spans with a
    // placeholder (`line-<accountId>…`, `{api,projector}`, `shard-*.json`) name a pattern, not a path.
    const named = markdownFiles.flatMap((file) =>
      [
        ...withoutCodeBlocks(read(file)).matchAll(
          /`((?:apps|libs|tools|test|bench|scenarios|docs)\/[^`\s]+)`/g,
        ),
      ]
        .map((match) => ({ file, path: match[1]!.replace(/[/.]$/, '') }))
        .filter(({ path: named }) => !/[<>{}*…]/.test(named)),
    );
    expect(named.length).toBeGreaterThan(50);
    const missing = named
      .filter(({ path: named }) => !repositoryPaths.has(named))
      .map(({ file, path: named }) => `${file}: ${named}`);
    expect(missing).toEqual([]);
  });

  it('gives every rule id an answer can carry a section in docs/rules.md', () => {
    const anchors = anchorsOf('docs/rules.md');
    const used = sourceMatches(/'(R\d+)'/g);
    expect(used.size).toBeGreaterThan(15);
    const contract = Array.from({ length: 23 }, (_, index) => `R${index + 1}`);
    const missing = [...new Set([...contract, ...used])].filter((rule) => !anchors.has(rule.toLowerCase()));
    expect(missing).toEqual([]);
  });

  it('lists in docs/rules.md every reason code the domain and the apps answer with', () => {
    const domainFiles = sourceFiles.filter((file) => file.startsWith('libs/domain/'));
    const codes = new Set([
      ...sourceMatches(/'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)'/g, domainFiles),
      ...sourceMatches(/(?:\bcode:|\brefuse\(|\brefusal\(|super\()\s*'([A-Z][A-Z0-9_]+)'/g),
    ]);
    expect([...codes]).toEqual(
      expect.arrayContaining(['LINE_BUSY', 'CLOCK_CANNOT_GO_BACK', 'INVALID_REQUEST']),
    );
    const rules = read('docs/rules.md');
    expect([...codes].filter((code) => !rules.includes(`\`${code}\``))).toEqual([]);
  });

  it('explains every runtime dependency and override in docs/dependencies.md', () => {
    const manifest = JSON.parse(read('package.json')) as {
      dependencies: Record<string, string>;
      overrides?: Record<string, string>;
    };
    const explained = read('docs/dependencies.md');
    const names = [...Object.keys(manifest.dependencies), ...Object.keys(manifest.overrides ?? {})];
    expect(names.filter((name) => !explained.includes(`\`${name}\``))).toEqual([]);
    const pins = Object.entries(manifest.overrides ?? {});
    expect(pins.filter(([name, version]) => !explained.includes(`\`${name}\` ${version}`))).toEqual([]);
  });
});
