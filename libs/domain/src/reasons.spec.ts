import { DomainError, refusal, refuse } from './shared/domain-error.js';
import {
  EDGE_REASONS,
  edgeSentenceOf,
  REASONS,
  sentenceOf,
  templatesOf,
  type ReasonCode,
  type SentenceParams,
  type WordedEdgeReasonCode,
} from './reasons.js';

// Every refusal is given in its catalogue sentence: these read each template as a user would, filled in.

/** Placeholders that hold a sentence of their own (routing's reason, an eligibility refusal). */
const SENTENCES_WITHIN: Readonly<Record<string, string>> = {
  routing: 'Bob is outside his business hours.',
  eligibility: 'The Assistant is disabled for bob: an admin must enable it.',
};

const placeholdersOf = (template: string): string[] =>
  [...template.matchAll(/\{(\w+)\}/g)].map(([, name]) => name!);

/** The params a user's refusal would carry, with a sample for each placeholder. */
const sampleParams = (template: string, which: string | undefined): Record<string, string> => ({
  ...Object.fromEntries(
    placeholdersOf(template).map((name) => [name, SENTENCES_WITHIN[name] ?? `sample-${name}`]),
  ),
  ...(which === undefined ? {} : { case: which }),
});

/**
 * A sentence opens with a capital letter, or with what it is about: a value filled in (an id, a
 * number, perhaps quoted) or a field or permission name as the api spells it (`maxSpeedDials`).
 */
const OPENS_A_SENTENCE = /^(?:[A-Z]|"?\{\w+\}|[a-z]+[A-Z]\w* )/;

const templates = (Object.keys(REASONS) as ReasonCode[]).flatMap((code) =>
  templatesOf(code).map(({ case: which, template }) => ({ code, which, template })),
);

describe('the sentences of the catalogue of reasons', () => {
  it('give every reason at least one sentence', () => {
    const without = (Object.keys(REASONS) as ReasonCode[]).filter((code) => templatesOf(code).length === 0);
    expect(without).toEqual([]);
  });

  it.each(templates.map((t) => [`${t.code}${t.which ? ` (${t.which})` : ''}`, t] as const))(
    '%s: filled in, it is one full sentence',
    (_name, { code, which, template }) => {
      const params = sampleParams(template, which);
      const sentence = sentenceOf(code, params as never);
      expect({ template, opens: OPENS_A_SENTENCE.test(template) }).toEqual({ template, opens: true });
      expect(sentence).toMatch(/[.]$/);
      expect(sentence).not.toMatch(/undefined|\[object|[{}]/);
      for (const name of placeholdersOf(template)) expect(sentence).toContain(params[name]);
    },
  );

  it('fill every placeholder with the value of its name, as often as the template names it', () => {
    expect(sentenceOf('NUMBER_ALREADY_ASSIGNED', { number: '+15550001', owner: 'erin' })).toBe(
      '+15550001 is already a direct number of erin: choose another number or remove it from erin first.',
    );
    expect(sentenceOf('INVALID_RING_TIMEOUT', { min: 5, max: 300 })).toBe(
      'The ring timeout must be a whole number of seconds from 5 to 300.',
    );
  });

  it("take a code's case to pick its sentence", () => {
    expect(sentenceOf('CALL_ID_IN_USE', { case: 'current', callId: 'c1' })).toBe(
      'Call id c1 is the call in progress on this line; a new call needs a new id.',
    );
    expect(() => sentenceOf('CALL_ID_IN_USE', { case: 'later', callId: 'c1' } as never)).toThrow(
      'CALL_ID_IN_USE has no sentence for case later',
    );
  });

  it('R12: LINE_BUSY names a call on hold as held, and only then (a connected call is not "held by")', () => {
    const busy = templatesOf('LINE_BUSY');
    expect(busy.map(({ case: which }) => which)).toEqual([
      'dialing',
      'ringing',
      'connected',
      'held',
      'transferring',
      'previousOwner',
    ]);
    expect(
      busy.filter(({ template }) => /\bhold|\bheld/.test(template)).map(({ case: which }) => which),
    ).toEqual(['held']);
  });

  it('are what a refusal and a DomainError carry, with the details beside them', () => {
    const refused = refusal('CALL_NOT_FOUND', 'R15', { case: 'unknown', callId: 'c9' }, { callId: 'c9' });
    expect(refused).toEqual({
      ok: false,
      code: 'CALL_NOT_FOUND',
      rule: 'R15',
      message: 'There is no call c9 on this line.',
      details: { callId: 'c9' },
    });
    const error = new DomainError(refused);
    expect({ ...error, message: error.message }).toMatchObject({
      code: 'CALL_NOT_FOUND',
      rule: 'R15',
      kind: 'not_found',
      message: 'There is no call c9 on this line.',
      details: { callId: 'c9' },
    });
    expect(() => refuse('ACCOUNT_NOT_FOUND', 'R1', {})).toThrow(
      new DomainError(refusal('ACCOUNT_NOT_FOUND', 'R1', {})),
    );
  });

  it('cannot be raised with a value missing, one too many, or a case the code does not have', () => {
    // Each call compiles only with its @ts-expect-error (npm run typecheck checks them); what each would
    // answer unchecked is why the type refuses it.
    const messageOf =
      <Code extends ReasonCode>(code: Code, params: SentenceParams<Code>) =>
      () =>
        refusal(code, 'R1', params).message;
    // @ts-expect-error `party` is missing
    expect(messageOf('LINE_NOT_SHARED', { line: '1001', delegator: 'Erin' })()).toContain('undefined');
    // @ts-expect-error `extra` is not in the sentence, so it would be dropped unread
    expect(messageOf('CALL_NOT_FOUND', { case: 'unknown', callId: 'c1', extra: 1 })()).toBe(
      'There is no call c1 on this line.',
    );
    // @ts-expect-error a sentence without placeholders takes none
    expect(messageOf('ACCOUNT_NOT_FOUND', { account: 'a1' })()).not.toContain('a1');
    // @ts-expect-error LINE_BUSY has no case `parked`
    expect(messageOf('LINE_BUSY', { case: 'parked', line: '1', callId: 'c1', parties: 'Erin' })).toThrow(
      'LINE_BUSY has no sentence for case parked',
    );
    // @ts-expect-error a code with several sentences needs its case
    expect(messageOf('CALL_ID_IN_USE', { callId: 'c1' })).toThrow('CALL_ID_IN_USE has no sentence for case');
  });

  it.each(
    Object.entries(EDGE_REASONS).flatMap(([code, reason]: [string, { says?: string }]) =>
      reason.says === undefined ? [] : [[code, reason.says] as const],
    ),
  )('%s (an answer no rule gives): filled in, it is one full sentence', (code, template) => {
    const params = sampleParams(template, undefined);
    const sentence = edgeSentenceOf(code as WordedEdgeReasonCode, params as never);
    expect(OPENS_A_SENTENCE.test(template)).toBe(true);
    expect(sentence).toMatch(/[.]$/);
    expect(sentence).not.toMatch(/undefined|\[object|[{}]/);
    for (const name of placeholdersOf(template)) expect(sentence).toContain(params[name]);
  });
});
