/** Right-to-left letters, and the characters that steer direction (marks, embeddings, overrides, isolates). */
export const STEERS_DIRECTION =
  /[\u0590-\u08FF\u200E\u200F\u202A-\u202E\u2066-\u2069\uFB1D-\uFDFF\uFE70-\uFEFF\u{10800}-\u{10FFF}\u{1E800}-\u{1EFFF}]/u;

/** Opening a directional isolate (LRI, RLI, FSI), and closing the innermost one open (PDI). */
const OPENS_ISOLATE = /[\u2066-\u2068]/;
const CLOSES_ISOLATE = '\u2069';

/**
 * `text` with its isolates paired: a closing one with nothing of the text's own open would close the
 * isolate `named` sets the text in, and an override after it would run on past the name; it is
 * dropped (it is invisible and closes nothing of the text's). One left open is closed at the end.
 */
const pairedIsolates = (text: string): string => {
  let open = 0;
  let paired = '';
  for (const character of text) {
    if (OPENS_ISOLATE.test(character)) open++;
    else if (character === CLOSES_ISOLATE) {
      if (open === 0) continue;
      open--;
    }
    paired += character;
  }
  return paired + CLOSES_ISOLATE.repeat(open);
};

/**
 * A name people gave (a party's display name, a line's name, a speed-dial label, an account's name) as
 * a sentence built here puts it, set apart from the words around it by Unicode's first-strong isolate
 * (U+2068 … U+2069), as the panel's `named` does: its right-to-left letters or direction overrides then
 * cannot reorder the rest of the sentence ("… on behalf of Alice" read backwards). The api refuses
 * direction controls in names, but a store written before, or a history imported, may hold them.
 * Other text is left as it is, so sentences about plain names read as they always did.
 */
export const named = (text: string): string =>
  STEERS_DIRECTION.test(text) ? `\u2068${pairedIsolates(text)}${CLOSES_ISOLATE}` : text;
