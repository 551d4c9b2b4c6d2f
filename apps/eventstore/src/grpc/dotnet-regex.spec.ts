import { DotNetRegexError, translateDotNetRegex } from './dotnet-regex.js';

/** Whether EventStoreDB's filter, compiled from `pattern` by .NET, matches `name` (Regex.IsMatch). */
const matches = (pattern: string, name: string): boolean =>
  new RegExp(translateDotNetRegex(pattern)).test(name);

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
    expect(matches('\\Aorders-', 'orders-1')).toBe(true);
    expect(matches('\\Aorders-', 'Aorders-1')).toBe(false);
    expect(matches('-1\\z', 'orders-1')).toBe(true);
    expect(matches('-1\\z', 'orders-1\n')).toBe(false);
    expect(matches('-1\\Z', 'orders-1\n')).toBe(true);
    expect(matches('-1\\Z', 'orders-1\n\n')).toBe(false);
  });

  it('reads $, ^ and . as .NET does: $ before a final newline, . anything but \\n', () => {
    expect(matches('^orders$', 'orders\n')).toBe(true);
    expect(matches('^a.c$', 'a\rc')).toBe(true);
    expect(matches('^a.c$', 'a\nc')).toBe(false);
    // And (?s) lets . take \n; (?m) anchors at each line, and only at \n
    expect(matches('(?s)^a.c$', 'a\nc')).toBe(true);
    expect(matches('(?m)^c$', 'a\nc')).toBe(true);
    expect(matches('(?m)^c$', 'a\rc')).toBe(false);
  });

  it('takes inline options anywhere, and scoped ones, for the rest of their group', () => {
    expect(matches('(?i)^orders$', 'ORDERS')).toBe(true);
    expect(matches('^(?i:ord)ers$', 'ORDers')).toBe(true);
    expect(matches('^(?i:ord)ers$', 'ORDERS')).toBe(false);
    expect(matches('^ord(?i)ers$', 'ordERS')).toBe(true);
    expect(matches('^(ord(?i)e)rs$', 'ordErs')).toBe(true);
    expect(matches('^(ord(?i)e)rs$', 'ordeRS')).toBe(false);
    expect(matches('(?i)^ord(?-i:ers)$', 'ORDers')).toBe(true);
    expect(matches('(?i)^ord(?-i:ers)$', 'ORDERS')).toBe(false);
    expect(matches('(?i)^[a-c]+$', 'aBc')).toBe(true);
    expect(matches('(?i)^[^a]$', 'A')).toBe(false);
    // And (?x) ignores whitespace and # comments, (?n) makes plain groups non-capturing
    expect(matches('(?x) ^ ord  ers $ # the orders streams\n', 'orders')).toBe(true);
    expect(translateDotNetRegex('(?n)(a)(?<b>c)')).toBe('(?:a)(?<b>c)');
  });

  it("drops (?#comments) and reads (?'name'…) and \\k'name' as named groups", () => {
    expect(matches('^ord(?# the prefix)ers$', 'orders')).toBe(true);
    expect(matches("^(?'half'ab)\\k'half'$", 'abab')).toBe(true);
    expect(matches('^(?<half>ab)\\k<half>$', 'abab')).toBe(true);
  });

  it('gives \\d, \\w, \\s and \\b their Unicode meaning, as .NET does', () => {
    expect(matches('^\\d+$', '٣٤')).toBe(true);
    expect(matches('^\\w+$', 'café')).toBe(true);
    expect(matches('^a\\sb$', 'a\u0085b')).toBe(true);
    expect(matches('^a\\sb$', 'a\ufeffb')).toBe(false);
    expect(matches('\\bé', 'café')).toBe(false);
    expect(matches('^[\\w-]+$', 'façade-1')).toBe(true);
    expect(matches('^\\p{Lu}', 'Éclair')).toBe(true);
    expect(matches('^\\P{Lu}', 'Éclair')).toBe(false);
  });

  it('reads .NET escapes JavaScript reads as letters, and a ] first in a class as itself', () => {
    expect(matches('^\\e\\a$', '\u001b\u0007')).toBe(true);
    expect(matches('^[]a]+$', ']a')).toBe(true);
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
    for (const [pattern, name, expected] of [
      ['^account-', 'account-acme', true],
      ['Call(Placed|Answered)$', 'CallAnswered', true],
      ['^line-[0-9]{3,}$', 'line-12', false],
      ['(?<=line-)\\d', 'line-1', true],
      ['a+?b*c?', 'aac', true],
      ['^\\$all$', '$all', true],
      ['^\\{x\\}$', '{x}', true],
      ['^x{$', 'x{', true],
      ['^(a)\\1$', 'aa', true],
    ] as const) {
      expect([pattern, name, matches(pattern, name)]).toEqual([pattern, name, expected]);
    }
  });
});
