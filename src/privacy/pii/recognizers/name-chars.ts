/**
 * Character classes of the cased scripts (Latin, Greek, Cyrillic, Armenian) by UTF-16 code
 * unit, for the person-name scan. Explicit BMP ranges rather than `\p{Lu}`: the scan tests every
 * capital of the text, and `\p{Lu}` with the `u` flag measured 10x slower.
 */

/**
 * The UTF-16 code unit at `at`, or -1 outside the text. `charCodeAt` outside the text returns
 * NaN, but V8 then stops inlining that call site for good: a scan loop with such a read measured
 * 3x slower.
 */
export function codeAt(text: string, at: number): number {
  return at >= 0 && at < text.length ? text.charCodeAt(at) : -1;
}

export function isUpperCode(c: number): boolean {
  if (c < 0x80) return c >= 65 && c <= 90;
  if (c < 0xc0) return false;
  if (c <= 0xde) return c !== 0xd7;
  // Latin Extended and Latin Extended Additional mix cases letter by letter.
  if ((c >= 0x100 && c <= 0x24f) || (c >= 0x1e00 && c <= 0x1eff)) {
    const char = String.fromCharCode(c);
    return char !== char.toLowerCase();
  }
  return (c >= 0x386 && c <= 0x3ab && c !== 0x387) || (c >= 0x400 && c <= 0x42f) || (c >= 0x531 && c <= 0x556);
}

export function isLetterCode(c: number): boolean {
  if (c < 0x80) return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  return (
    (c >= 0xc0 && c <= 0x24f && c !== 0xd7 && c !== 0xf7) ||
    (c >= 0x300 && c <= 0x36f) ||
    (c >= 0x386 && c <= 0x3ff) ||
    (c >= 0x400 && c <= 0x52f) ||
    (c >= 0x531 && c <= 0x587) ||
    (c >= 0x1e00 && c <= 0x1eff)
  );
}

function isApostrophe(c: number): boolean {
  return c === 39 || c === 0x2019;
}

/** Characters that continue a word or an identifier: a capital after one is not a word start ("iPhone", "user_Name"). */
export function continuesWord(c: number): boolean {
  return isLetterCode(c) || (c >= 48 && c <= 57) || isApostrophe(c) || c === 46 || c === 45 || c === 95 || c === 64;
}

/** Space or tab: what may stand between a cue word and the name after it. */
export function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

/**
 * Space or no-break space: what stands between the words of one name. A tab separates fields
 * ("Siddharth Rao<TAB>Engineering"), so it ends a name.
 */
export function isNameSpace(c: number): boolean {
  return c === 32 || c === 0xa0;
}

/**
 * End of the word starting at `start`: letters, with apostrophes and hyphens inside
 * ("O'Connor", "Jean-Pierre"); an English possessive ("Kim's") is left out of the word.
 */
export function wordEnd(text: string, start: number): number {
  const n = text.length;
  let end = start + 1;
  for (;;) {
    while (end < n && isLetterCode(text.charCodeAt(end))) end++;
    const c = codeAt(text, end);
    if ((isApostrophe(c) || c === 45) && end + 1 < n && isLetterCode(text.charCodeAt(end + 1))) {
      if (isApostrophe(c) && (text.charCodeAt(end + 1) | 32) === 115 && !isLetterCode(codeAt(text, end + 2))) return end;
      end++;
      continue;
    }
    return end;
  }
}
