import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import {
  COMMAND_REASONS,
  EDGE_REASONS,
  REASONS,
  STATUS_OF_KIND,
  templatesOf,
  type Reason,
  type RuleId,
} from '#domain';

// Writes the catalogue of reasons (libs/domain/src/reasons.ts) out as docs: all of docs/reason-codes.md,
// and the per-rule tables of docs/rules.md between their markers. `npm run docs:reasons` runs it;
// tools/reason-codes.spec.ts fails while either file differs from what it would write.

export const REASON_CODES_MD = 'docs/reason-codes.md';
export const RULES_MD = 'docs/rules.md';

const ruleLink = (rule: RuleId, from: 'rules' | 'reasons'): string =>
  `[${rule}](${from === 'rules' ? '' : 'rules.md'}#${rule.toLowerCase()})`;

const reasons = Object.entries(REASONS) as [keyof typeof REASONS, Reason][];

/** Each rule a reason is given under, with when. */
const givenUnder = (reason: Reason): [RuleId, string][] => Object.entries(reason.under) as [RuleId, string][];

const table = (header: readonly string[], rows: readonly (readonly string[])[]): string =>
  [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');

/** The table of one rule in docs/rules.md: every code given under it, in catalogue order. */
const ruleTable = (rule: RuleId): string =>
  table(
    ['code', 'HTTP', 'when'],
    reasons.flatMap(([code, reason]) =>
      givenUnder(reason)
        .filter(([under]) => under === rule)
        .map(([, when]) => [`\`${code}\``, String(STATUS_OF_KIND[reason.kind]), when]),
    ),
  );

const edgeRows = (from: 'rules' | 'reasons'): string[][] =>
  Object.entries(EDGE_REASONS).map(([code, reason]) => {
    const rules = 'rules' in reason ? reason.rules : undefined;
    const when = rules
      ? `${reason.when}; carries a \`rule\`: ${rules.map((r) => ruleLink(r, from)).join(', ')}`
      : reason.when;
    return [
      `\`${code}\``,
      String(reason.status),
      reason.apps.join(', '),
      'says' in reason ? `${when}<br>says: ${reason.says}` : when,
    ];
  });

const edgeTable = (from: 'rules' | 'reasons'): string =>
  table(['code', 'HTTP', 'app', 'when'], edgeRows(from));

const MARKER = /(<!-- reason-codes:(R\d+|edge) -->\n)[\s\S]*?(\n<!-- \/reason-codes -->)/g;

/** docs/rules.md with its tables rewritten from the catalogue. */
export const rulesWithTables = (rules: string): string =>
  rules.replace(
    MARKER,
    (_match, open: string, which: string, close: string) =>
      `${open}\n${which === 'edge' ? edgeTable('rules') : ruleTable(which as RuleId)}\n${close}`,
  );

/** docs/reason-codes.md, whole. */
export const reasonCodesPage = (): string => {
  const domain = table(
    ['code', 'HTTP', 'rule', 'when'],
    reasons.map(([code, reason]) => [
      `\`${code}\``,
      String(STATUS_OF_KIND[reason.kind]),
      givenUnder(reason)
        .map(([rule]) => ruleLink(rule, 'reasons'))
        .join(', '),
      givenUnder(reason)
        .map(([rule, when], _index, all) => (all.length > 1 ? `${rule}: ${when}` : when))
        .join('<br>'),
    ]),
  );
  const sentences = table(
    ['code', 'sentence'],
    reasons.map(([code]) => [
      `\`${code}\``,
      templatesOf(code)
        .map(({ case: which, template }) => (which === undefined ? template : `\`${which}\`: ${template}`))
        .join('<br>'),
    ]),
  );
  const commands = table(
    ['command', 'may be refused with'],
    Object.entries(COMMAND_REASONS).map(([command, codes]) => [
      `\`${command}\``,
      codes.map((code) => `\`${code}\``).join(', '),
    ]),
  );
  return [
    '# Reason codes',
    '',
    '<!-- Generated from libs/domain/src/reasons.ts by `npm run docs:reasons`: edit the catalogue, not this page. -->',
    '',
    'Every answer that refuses a request carries a stable `code`; clients switch on it. A refusal by a rule',
    'also names the `rule` ([docs/rules.md](rules.md) explains each); its HTTP status follows from the kind',
    'of refusal: 409 when the state of the world says no and may change, 422 when the request cannot',
    'succeed as asked until configuration changes, 404 for something that does not exist.',
    '',
    'This page is written from the catalogue the code itself reads (`libs/domain/src/reasons.ts`): the',
    "domain's rejections, the api's error answers and both apps' OpenAPI documents come from the same",
    'entries, so they cannot disagree with it.',
    '',
    '## Refusals by a rule',
    '',
    domain,
    '',
    '## What each refusal says',
    '',
    'The `message` of a refusal is the sentence below with each `{placeholder}` filled in: an id, a name, a',
    'number or a time of the request. A code with several causes has a sentence for each, named before it.',
    '',
    sentences,
    '',
    '## Answers that name no rule',
    '',
    'Malformed input, the request policy, the event store and the read side answer these.',
    '',
    edgeTable('reasons'),
    '',
    '## Which command may be refused with which code',
    '',
    'Besides these, every command may be answered 400 (`INVALID_REQUEST`, `INVALID_ID`), 410',
    '(`STREAM_DELETED`), 422 (`FOREIGN_EVENT_IN_STREAM`), 429 (`TOO_MANY_COMMANDS`), 409',
    '(`CONCURRENCY_CONFLICT`), and with `at`, `AT_REQUIRES_VIRTUAL_CLOCK` or `CLOCK_CANNOT_GO_BACK`',
    '([R21](rules.md#r21)).',
    '',
    commands,
    '',
  ].join('\n');
};

const root = execFileSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8' }).trim();

const formatted = async (file: string, markdown: string): Promise<string> =>
  format(markdown, { ...(await resolveConfig(path.join(root, file))), filepath: path.join(root, file) });

/** What the two files should hold, formatted as the repository's Prettier would. */
export const renderedDocs = async (): Promise<{ readonly file: string; readonly text: string }[]> => [
  { file: REASON_CODES_MD, text: await formatted(REASON_CODES_MD, reasonCodesPage()) },
  {
    file: RULES_MD,
    text: await formatted(RULES_MD, rulesWithTables(readFileSync(path.join(root, RULES_MD), 'utf8'))),
  },
];

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const { file, text } of await renderedDocs()) writeFileSync(path.join(root, file), text);
}
