import { DotNetRegexError, translateDotNetRegex } from './dotnet-regex.js';

/** Whether EventStoreDB's filter, compiled from `pattern` by .NET, matches `name` (Regex.IsMatch). */
const matches = (pattern: string, name: string): boolean =>
  new RegExp(translateDotNetRegex(pattern)).test(name);

/** Expects each pattern to match its name as .NET does or not; a failure names the pattern and the name. */
const expectMatchedAsDotNet = (
  cases: readonly (readonly [pattern: string, name: string, matched: boolean])[],
) => {
  for (const [pattern, name, expected] of cases) {
    expect([pattern, name, matches(pattern, name)]).toEqual([pattern, name, expected]);
  }
};

const refusal = (pattern: string): string => {
  try {
    translateDotNetRegex(pattern);
  } catch (error) {
    if (error instanceof DotNetRegexError) return error.construct;
    throw error;
  }
  return 'accepted';
};

describe('filter patterns read as .NET reads them', () => {
  it('anchors \\A, \\z and \\Z to the whole name, which JavaScript reads as the letters A, z and Z', () => {
    // Given anchors .NET has and JavaScript lacks, When a name is matched, Then they anchor as in .NET
    expectMatchedAsDotNet([
      ['\\Aorders-', 'orders-1', true],
      ['\\Aorders-', 'Aorders-1', false],
      ['-1\\z', 'orders-1', true],
      ['-1\\z', 'orders-1\n', false],
      ['-1\\Z', 'orders-1\n', true],
      ['-1\\Z', 'orders-1\n\n', false],
    ]);
  });

  it('reads $, ^ and . as .NET does: $ before a final newline, . anything but \\n', () => {
    expectMatchedAsDotNet([
      ['^orders$', 'orders\n', true],
      ['^a.c$', 'a\rc', true],
      ['^a.c$', 'a\nc', false],
    ]);
    // And (?s) lets . take \n; (?m) anchors at each line, and only at \n
    expectMatchedAsDotNet([
      ['(?s)^a.c$', 'a\nc', true],
      ['(?m)^c$', 'a\nc', true],
      ['(?m)^c$', 'a\rc', false],
    ]);
  });

  it('takes inline options anywhere, and scoped ones, for the rest of their group', () => {
    expectMatchedAsDotNet([
      ['(?i)^orders$', 'ORDERS', true],
      ['^(?i:ord)ers$', 'ORDers', true],
      ['^(?i:ord)ers$', 'ORDERS', false],
      ['^ord(?i)ers$', 'ordERS', true],
      ['^(ord(?i)e)rs$', 'ordErs', true],
      ['^(ord(?i)e)rs$', 'ordeRS', false],
      ['(?i)^ord(?-i:ers)$', 'ORDers', true],
      ['(?i)^ord(?-i:ers)$', 'ORDERS', false],
      ['(?i)^[a-c]+$', 'aBc', true],
      ['(?i)^[^a]$', 'A', false],
    ]);
    // And (?x) ignores whitespace and # comments, (?n) makes plain groups non-capturing
    expectMatchedAsDotNet([['(?x) ^ ord  ers $ # the orders streams\n', 'orders', true]]);
    expect(translateDotNetRegex('(?n)(a)(?<b>c)')).toBe('(?:a)(?<b>c)');
  });

  it("drops (?#comments) and reads (?'name'…) and \\k'name' as named groups", () => {
    expectMatchedAsDotNet([
      ['^ord(?# the prefix)ers$', 'orders', true],
      ["^(?'half'ab)\\k'half'$", 'abab', true],
      ['^(?<half>ab)\\k<half>$', 'abab', true],
    ]);
  });

  it('gives \\d, \\w, \\s and \\b their Unicode meaning, as .NET does', () => {
    expectMatchedAsDotNet([
      ['^\\d+$', '٣٤', true],
      ['^\\w+$', 'café', true],
      ['^a\\sb$', 'a\u0085b', true],
      ['^a\\sb$', 'a\ufeffb', false],
      ['\\bé', 'café', false],
      ['^[\\w-]+$', 'façade-1', true],
      ['^\\p{Lu}', 'Éclair', true],
      ['^\\P{Lu}', 'Éclair', false],
      ['^\\D\\W\\S$', 'a-b', true],
      ['^\\D$', '٣', false],
    ]);
  });

  it('reads .NET escapes JavaScript reads as letters, and a ] first in a class as itself', () => {
    expectMatchedAsDotNet([
      ['^\\e\\a$', '\u001b\u0007', true],
      ['^\\f\\n\\r\\t\\v$', '\f\n\r\t\v', true],
      ['^[]a]+$', ']a', true],
    ]);
  });

  it('refuses, naming it, what it cannot match as .NET does or what .NET refuses', () => {
    // Given constructs JavaScript has no equivalent for, When read, Then each is refused by name
    expect(refusal('(?>orders)-1')).toBe('an atomic group (?>…)');
    expect(refusal('orders-\\d++')).toMatch(/^a possessive quantifier/);
    expect(refusal('orders-a{2}+')).toMatch(/^a possessive quantifier/);
    expect(refusal('(?(a)b|c)')).toBe('a conditional (?(…)…|…)');
    expect(refusal('(?<open-close>x)')).toBe('the balancing group (?<open-close>…)');
    expect(refusal('[a-z-[aeiou]]')).toBe('character class subtraction ([a-z-[aeiou]])');
    expect(refusal('\\Gorders')).toBe('\\G (where the previous match ended)');
    expect(refusal('\\p{IsGreek}')).toBe('the Unicode block \\p{IsGreek}');
    expect(refusal('\\q')).toMatch(/^\\q, which is no escape in .NET/);
    expect(refusal('(?i)(a)\\1')).toBe('a backreference in a case-insensitive part');
    expect(refusal('(?i)\\p{Lu}')).toBe('a Unicode category in a case-insensitive part');
    expect(refusal('(?<x>a)(b)\\1')).toBe('a numbered backreference in a pattern with named groups');
    expect(refusal('(orders')).toBe('a ( without its )');
    expect(refusal('(a)\\10')).toBe('the backreference \\10…');
  });

  it('leaves what both read alike as it was', () => {
    expectMatchedAsDotNet([
      ['^account-', 'account-acme', true],
      ['Call(Placed|Answered)$', 'CallAnswered', true],
      ['^line-[0-9]{3,}$', 'line-12', false],
      ['(?<=line-)\\d', 'line-1', true],
      ['a+?b*c?', 'aac', true],
      ['^\\$all$', '$all', true],
      ['^\\{x\\}$', '{x}', true],
      ['^x{$', 'x{', true],
      ['^(a)\\1$', 'aa', true],
    ]);
    // And a lazy quantifier stays lazy: what it matches, not whether, tells it from a greedy one
    expect(translateDotNetRegex('a{1,3}?b+?')).toBe('a{1,3}?b+?');
  });
});
