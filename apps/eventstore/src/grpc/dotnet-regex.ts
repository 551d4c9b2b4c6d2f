/**
 * A filter's regular expression as EventStoreDB reads it: it compiles filters with .NET's `Regex`
 * (default options), and this server runs JavaScript's `RegExp`, whose syntax looks the same and
 * means something else in places. `\A` is a literal `A` in JavaScript, `$` does not match before a
 * final newline, `.` stops at `\r` too, `\w` and `\d` are ASCII only, `\e` is a literal `e`, and
 * `(?#…)`, `(?'name'…)` or `(?i:…)` do not compile at all. So the pattern is read here with .NET's
 * grammar and written out as a JavaScript pattern (no flags) that matches the same names; a
 * construct JavaScript cannot express, or that .NET itself refuses, is refused with its name
 * (DotNetRegexError) rather than matched differently.
 *
 * Character classes follow .NET's documented sets, over UTF-16 code units as .NET's are: `\d` is
 * `\p{Nd}`, `\w` is `[\p{L}\p{Mn}\p{Nd}\p{Pc}]`, `\s` is `[\f\n\r\t\v\x85\p{Z}]`, and `\b` also counts
 * U+200C and U+200D as word characters. Case-insensitive parts match each letter's upper- and
 * lower-case forms (JavaScript's mapping, which agrees with .NET's invariant one but for a few
 * characters such as the Kelvin sign).
 */
export class DotNetRegexError extends Error {
  constructor(readonly construct: string) {
    super(construct);
    this.name = 'DotNetRegexError';
  }
}

interface Options {
  readonly i: boolean;
  readonly m: boolean;
  readonly s: boolean;
  /** Explicit capture: plain groups do not capture. */
  readonly n: boolean;
  /** Unescaped whitespace and `#` comments outside classes are ignored. */
  readonly x: boolean;
}

type Range = readonly [number, number];

/** The BMP code units `test` accepts, as ranges: .NET's classes hold UTF-16 code units. */
const rangesOf = (test: RegExp): Range[] => {
  const ranges: [number, number][] = [];
  for (let unit = 0; unit <= 0xffff; unit += 1) {
    if (!test.test(String.fromCharCode(unit))) continue;
    const last = ranges.at(-1);
    if (last && last[1] === unit - 1) last[1] = unit;
    else ranges.push([unit, unit]);
  }
  return ranges;
};

const complementOf = (ranges: readonly Range[]): Range[] => {
  const out: Range[] = [];
  let next = 0;
  for (const [low, high] of ranges) {
    if (low > next) out.push([next, low - 1]);
    next = high + 1;
  }
  if (next <= 0xffff) out.push([next, 0xffff]);
  return out;
};

const cache = new Map<string, Range[]>();
const cached = (key: string, make: () => Range[]): Range[] => {
  let ranges = cache.get(key);
  if (!ranges) {
    ranges = make();
    cache.set(key, ranges);
  }
  return ranges;
};

const DIGIT = (): Range[] => cached('d', () => rangesOf(/^\p{Nd}$/u));
const WORD = (): Range[] => cached('w', () => rangesOf(/^[\p{L}\p{Mn}\p{Nd}\p{Pc}]$/u));
const SPACE = (): Range[] => cached('s', () => rangesOf(/^[\f\n\r\t\v\x85\p{Z}]$/u));
const BOUNDARY_WORD = (): Range[] => cached('b', () => rangesOf(/^[\p{L}\p{Mn}\p{Nd}\p{Pc}\u200c\u200d]$/u));

/** The class shorthands `\d \w \s`, and their complements `\D \W \S`, by letter. */
const CLASS_SHORTHANDS: ReadonlyMap<string, () => Range[]> = new Map([
  ['d', DIGIT],
  ['D', () => complementOf(DIGIT())],
  ['w', WORD],
  ['W', () => complementOf(WORD())],
  ['s', SPACE],
  ['S', () => complementOf(SPACE())],
]);

/** The escapes that stand for one control character, by letter (`\b`, a backspace only in a class, is not one). */
const CONTROL_ESCAPES: ReadonlyMap<string, number> = new Map([
  ['a', 0x07],
  ['e', 0x1b],
  ['f', 0x0c],
  ['n', 0x0a],
  ['r', 0x0d],
  ['t', 0x09],
  ['v', 0x0b],
]);

/** `\p{Lu}`: the general categories .NET names with one or two letters; its blocks (`IsGreek`) are refused. */
const category = (name: string): Range[] => {
  if (!/^[A-Z][a-z]?$/.test(name)) {
    throw new DotNetRegexError(
      name.startsWith('Is') ? `the Unicode block \\p{${name}}` : `the Unicode category \\p{${name}}`,
    );
  }
  return cached(`p${name}`, () => {
    try {
      return rangesOf(new RegExp(`^\\p{${name}}$`, 'u'));
    } catch {
      throw new DotNetRegexError(`the Unicode category \\p{${name}}`);
    }
  });
};

const hex4 = (unit: number): string => `\\u${unit.toString(16).padStart(4, '0')}`;

const rangeText = (ranges: readonly Range[]): string =>
  ranges.map(([low, high]) => (low === high ? hex4(low) : `${hex4(low)}-${hex4(high)}`)).join('');

/** The other cases of a code unit: itself, and its upper- and lower-case forms that are one code unit. */
const casesOf = (unit: number): number[] => {
  const char = String.fromCharCode(unit);
  const forms = [char, char.toLowerCase(), char.toUpperCase()].filter((form) => form.length === 1);
  return [...new Set(forms.map((form) => form.charCodeAt(0)))];
};

/** A literal code unit written so that JavaScript reads it as itself, in or out of a class. */
const literal = (unit: number): string =>
  /[A-Za-z0-9_ ]/.test(String.fromCharCode(unit)) ? String.fromCharCode(unit) : hex4(unit);

const OPTION_LETTERS = /^[imnsx]*(-[imnsx]*)?$/;
const START = '(?<![\\s\\S])';
const END = '(?![\\s\\S])';

/** What one escape outside or inside a class stands for. */
type Escape =
  | { readonly kind: 'unit'; readonly unit: number }
  | { readonly kind: 'set'; readonly ranges: readonly Range[] }
  | { readonly kind: 'raw'; readonly text: string };

export function translateDotNetRegex(pattern: string): string {
  let at = 0;
  let out = '';
  let options: Options = { i: false, m: false, s: false, n: false, x: false };
  const enclosing: Options[] = [];
  let namedGroups = 0;
  let numberedReferences = 0;

  const peek = (offset = 0): string | undefined => pattern[at + offset];

  const applyOptions = (letters: string): Options => {
    const [on = '', off = ''] = letters.split('-');
    const next = { ...options } as { -readonly [K in keyof Options]: Options[K] };
    for (const letter of on) next[letter as keyof Options] = true;
    for (const letter of off) next[letter as keyof Options] = false;
    return next;
  };

  /** `\` at `at`, inside or outside a class: advances past it. */
  const readEscape = (inClass: boolean): Escape => {
    const letter = pattern[at + 1];
    if (letter === undefined) throw new DotNetRegexError('a \\ at the end of the pattern');
    at += 2;
    const shorthand = CLASS_SHORTHANDS.get(letter);
    if (shorthand) return { kind: 'set', ranges: shorthand() };
    const control = CONTROL_ESCAPES.get(letter);
    if (control !== undefined) return { kind: 'unit', unit: control };
    switch (letter) {
      case 'p':
      case 'P': {
        const close = pattern.indexOf('}', at);
        if (peek() !== '{' || close < 0) throw new DotNetRegexError(`\\${letter} without {name}`);
        // .NET versions differ on what `(?i)\p{Lu}` matches (older ones lower-cased the input first).
        if (options.i) throw new DotNetRegexError('a Unicode category in a case-insensitive part');
        const ranges = category(pattern.slice(at + 1, close));
        at = close + 1;
        return { kind: 'set', ranges: letter === 'p' ? ranges : complementOf(ranges) };
      }
      case 'b':
        if (inClass) return { kind: 'unit', unit: 0x08 };
        return { kind: 'raw', text: boundary(true) };
      case 'B':
        if (inClass) throw new DotNetRegexError('\\B inside a character class');
        return { kind: 'raw', text: boundary(false) };
      case 'x':
      case 'u': {
        const digits = letter === 'x' ? 2 : 4;
        const code = pattern.slice(at, at + digits);
        if (!new RegExp(`^[0-9A-Fa-f]{${digits}}$`).test(code)) {
          throw new DotNetRegexError(`\\${letter} without ${digits} hexadecimal digits`);
        }
        at += digits;
        return { kind: 'unit', unit: parseInt(code, 16) };
      }
      case 'c': {
        const control = peek();
        if (!control || !/[A-Za-z]/.test(control)) throw new DotNetRegexError('\\c without a letter');
        at += 1;
        return { kind: 'unit', unit: control.toUpperCase().charCodeAt(0) - 64 };
      }
      case '0': {
        const octal = /^[0-7]{0,2}/.exec(pattern.slice(at))![0];
        at += octal.length;
        return { kind: 'unit', unit: parseInt(`0${octal}`, 8) };
      }
    }
    if (inClass && /[0-9A-Za-z]/.test(letter)) {
      throw new DotNetRegexError(`\\${letter} inside a character class`);
    }
    if (/[1-9]/.test(letter)) {
      // .NET reads \1 to \9 as backreferences, always.
      if (options.i) throw new DotNetRegexError('a backreference in a case-insensitive part');
      // A digit after it: .NET and JavaScript each decide by their own rules whether \10 names group 10.
      if (/[0-9]/.test(peek() ?? '')) throw new DotNetRegexError(`the backreference \\${letter}${peek()!}…`);
      numberedReferences += 1;
      return { kind: 'raw', text: `\\${letter}` };
    }
    switch (letter) {
      case 'A':
        return { kind: 'raw', text: START };
      case 'z':
        return { kind: 'raw', text: END };
      case 'Z':
        return { kind: 'raw', text: `(?=\\n?${END})` };
      case 'G':
        throw new DotNetRegexError('\\G (where the previous match ended)');
      case 'k': {
        const quoted = /^(?:<([^>]*)>|'([^']*)')/.exec(pattern.slice(at));
        if (!quoted) throw new DotNetRegexError('\\k without <name>');
        if (options.i) throw new DotNetRegexError('a backreference in a case-insensitive part');
        at += quoted[0].length;
        return { kind: 'raw', text: `\\k<${groupName(quoted[1] ?? quoted[2]!)}>` };
      }
    }
    if (/[0-9A-Za-z_]/.test(letter)) {
      // .NET refuses an escaped letter it does not know; JavaScript reads it as the letter.
      throw new DotNetRegexError(`\\${letter}, which is no escape in .NET (it refuses the pattern)`);
    }
    return { kind: 'unit', unit: letter.charCodeAt(0) };
  };

  const groupName = (name: string): string => {
    if (name.includes('-')) throw new DotNetRegexError(`the balancing group (?<${name}>…)`);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new DotNetRegexError(`the group name "${name}"`);
    return name;
  };

  const boundary = (atBoundary: boolean): string => {
    const word = `[${rangeText(BOUNDARY_WORD())}]`;
    return atBoundary
      ? `(?:(?<=${word})(?!${word})|(?<!${word})(?=${word}))`
      : `(?:(?<=${word})(?=${word})|(?<!${word})(?!${word}))`;
  };

  /** A literal outside a class: under case-insensitivity, each of its cases. */
  const unitAtom = (unit: number): string => {
    const cases = options.i ? casesOf(unit) : [unit];
    return cases.length === 1 ? literal(unit) : `[${cases.map(hex4).join('')}]`;
  };

  /** `[` at `at`: reads the class to its `]` and writes it for JavaScript. */
  const readClass = (): string => {
    at += 1;
    const negated = peek() === '^';
    if (negated) at += 1;
    const units: number[] = [];
    const ranges: Range[] = [];
    let first = true;
    while (at < pattern.length && (peek() !== ']' || first)) {
      first = false;
      if (peek() === '-' && peek(1) === '[') {
        throw new DotNetRegexError('character class subtraction ([a-z-[aeiou]])');
      }
      const item: Escape =
        peek() === '\\' ? readEscape(true) : { kind: 'unit', unit: pattern.charCodeAt(at++) };
      if (item.kind === 'set') {
        if (peek() === '-' && peek(1) !== undefined && peek(1) !== ']') {
          throw new DotNetRegexError('a character range starting at a class such as \\d');
        }
        ranges.push(...item.ranges);
        continue;
      }
      if (item.kind === 'raw') throw new DotNetRegexError('this escape inside a character class');
      if (peek() === '-' && peek(1) !== undefined && peek(1) !== ']' && peek(1) !== '[') {
        at += 1;
        const end: Escape =
          peek() === '\\' ? readEscape(true) : { kind: 'unit', unit: pattern.charCodeAt(at++) };
        if (end.kind !== 'unit') throw new DotNetRegexError('a character range ending in a class');
        if (end.unit < item.unit) throw new DotNetRegexError('a character range in reverse order');
        ranges.push([item.unit, end.unit]);
        continue;
      }
      units.push(item.unit);
    }
    if (peek() !== ']') throw new DotNetRegexError('an unterminated character class [');
    at += 1;
    if (options.i) {
      for (const unit of [...units]) units.push(...casesOf(unit));
      for (const [low, high] of [...ranges]) {
        for (let unit = low; unit <= high; unit += 1) {
          for (const other of casesOf(unit)) if (other < low || other > high) units.push(other);
        }
      }
    }
    const body = units.map(hex4).join('') + rangeText(ranges);
    // An empty class matches nothing, and negated everything, in both languages.
    return `[${negated ? '^' : ''}${body}]`;
  };

  /**
   * What may follow a quantifier just written: a `?` makes it lazy, as in JavaScript; a `+` would make
   * it possessive, which .NET has not either.
   */
  const readQuantifierSuffix = (): void => {
    if (peek() === '?') {
      out += '?';
      at += 1;
    } else if (peek() === '+') {
      throw new DotNetRegexError('a possessive quantifier (*+, ++, ?+, {n}+), which .NET refuses too');
    }
  };

  while (at < pattern.length) {
    const char = pattern[at]!;
    if (options.x && /\s/.test(char)) {
      at += 1;
      continue;
    }
    if (options.x && char === '#') {
      const newline = pattern.indexOf('\n', at);
      at = newline < 0 ? pattern.length : newline + 1;
      continue;
    }
    switch (char) {
      case '\\': {
        const escape = readEscape(false);
        out +=
          escape.kind === 'unit'
            ? unitAtom(escape.unit)
            : escape.kind === 'set'
              ? `[${rangeText(escape.ranges)}]`
              : escape.text;
        continue;
      }
      case '[':
        out += readClass();
        continue;
      case '.':
        out += options.s ? '[\\s\\S]' : '[^\\n]';
        at += 1;
        continue;
      case '^':
        out += options.m ? `(?:${START}|(?<=\\n))` : START;
        at += 1;
        continue;
      case '$':
        out += options.m ? `(?=\\n|${END})` : `(?=\\n?${END})`;
        at += 1;
        continue;
      case '*':
      case '+':
      case '?':
        out += char;
        at += 1;
        readQuantifierSuffix();
        continue;
      case '{': {
        const quantifier = /^\{\d+(,\d*)?\}/.exec(pattern.slice(at));
        if (!quantifier) {
          out += literal(0x7b);
          at += 1;
          continue;
        }
        out += quantifier[0];
        at += quantifier[0].length;
        readQuantifierSuffix();
        continue;
      }
      case ')':
        if (enclosing.length === 0) throw new DotNetRegexError('a ) without its (');
        options = enclosing.pop()!;
        out += ')';
        at += 1;
        continue;
      case '(':
        out += readGroupOpening();
        continue;
      case '|':
        out += '|';
        at += 1;
        continue;
      default:
        out += unitAtom(pattern.charCodeAt(at));
        at += 1;
    }
  }
  if (enclosing.length > 0) throw new DotNetRegexError('a ( without its )');
  if (namedGroups > 0 && numberedReferences > 0) {
    // .NET numbers the unnamed groups first and the named ones after; JavaScript numbers them all
    // from left to right, so \1 could name another group.
    throw new DotNetRegexError('a numbered backreference in a pattern with named groups');
  }
  return out;

  /** `(` at `at`: writes a group's opening, or nothing for a comment or inline options. */
  function readGroupOpening(): string {
    const rest = pattern.slice(at);
    const comment = /^\(\?#[^)]*\)/.exec(rest);
    if (comment) {
      at += comment[0].length;
      return '';
    }
    const inline = /^\(\?([imnsx-]+)([:)])/.exec(rest);
    if (inline && OPTION_LETTERS.test(inline[1]!)) {
      at += inline[0].length;
      if (inline[2] === ')') {
        // Inline options hold to the end of the enclosing group.
        options = applyOptions(inline[1]!);
        return '';
      }
      enclosing.push(options);
      options = applyOptions(inline[1]!);
      return '(?:';
    }
    const named = /^\(\?(?:<([^>=!]*)>|'([^']*)')/.exec(rest);
    if (named) {
      at += named[0].length;
      const name = named[1] ?? named[2]!;
      if (/^\d+$/.test(name)) throw new DotNetRegexError(`the numbered group (?<${name}>…)`);
      enclosing.push(options);
      namedGroups += 1;
      return `(?<${groupName(name)}>`;
    }
    const lookaround = /^\(\?(?::|=|!|<=|<!)/.exec(rest);
    if (lookaround) {
      at += lookaround[0].length;
      enclosing.push(options);
      return lookaround[0];
    }
    if (rest.startsWith('(?>')) throw new DotNetRegexError('an atomic group (?>…)');
    if (rest.startsWith('(?(')) throw new DotNetRegexError('a conditional (?(…)…|…)');
    if (rest.startsWith('(?')) throw new DotNetRegexError(`the group ${rest.slice(0, 3)}…`);
    at += 1;
    enclosing.push(options);
    return options.n ? '(?:' : '(';
  }
}
