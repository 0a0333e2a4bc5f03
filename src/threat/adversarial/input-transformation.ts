/**
 * What an input says once the usual disguises are taken off, so that the detectors read what a
 * model would: invisible characters dropped (zero-width spaces and joiners, bidi overrides, tag
 * characters, variation selectors, the combining grapheme joiner, Hangul fillers, controls),
 * compatibility forms folded (NFKC: full-width letters, styled maths letters), and base64 runs
 * that hold text decoded, twice at most (base64 of base64), each decoding cleaned the same way.
 *
 * `disguises` lists only what ordinary text does not do: an invisible character inside a word,
 * a letter written full-width or in a maths alphabet, a base64 payload. A non-breaking space, an
 * ellipsis, a ligature or a byte-order mark are folded for reading but are no disguise.
 */
export interface TransformedInput {
  /** The text the detectors read: cleaned, with each decoded payload after its run. */
  text: string;
  /** The text without its disguises and without the payloads (runs dropped, not decoded): what a sanitized input is cut from. */
  cleaned: string;
  /** `format_characters`, `compatibility_forms`, `base64`. */
  disguises: string[];
}

const INVISIBLE = /[\p{Cf}\u034f\u115f\u1160\u3164\uffa0\ufe00-\ufe0f\u{e0100}-\u{e01ef}\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/gu;
/** An invisible character between two letters: hiding a word from a filter, not joining an emoji. */
const INVISIBLE_IN_WORD = /\p{L}[\p{Cf}\u034f\u115f\u1160\u3164\uffa0\ufe00-\ufe0f\u{e0100}-\u{e01ef}]+\p{L}/u;
/** Letters written full-width, in a maths alphabet, or enclosed: the same letters in disguise. */
const STYLED_LETTERS = /[\uff21-\uff3a\uff41-\uff5a\u{1d400}-\u{1d7ff}\u24b6-\u24e9\u{1f130}-\u{1f189}]/u;
const BASE64_RUN = /(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{24,}={0,2}(?![A-Za-z0-9+/=])/g;
/** How far normalisation may grow a text (NFKC turns some characters into 18): work stays bounded. */
const MAX_GROWTH = 2;

export function transformInput(input: string): TransformedInput {
  const disguises = new Set<string>();
  const limit = input.length * MAX_GROWTH + 64;
  const clean = (text: string): string => {
    if (INVISIBLE_IN_WORD.test(text)) disguises.add('format_characters');
    if (STYLED_LETTERS.test(text)) disguises.add('compatibility_forms');
    return text.replace(INVISIBLE, '').normalize('NFKC').slice(0, limit);
  };
  const cleaned = clean(input);
  const decode = (text: string, depth: number): string =>
    text.replace(BASE64_RUN, (run) => {
      const decoded = decodedText(run);
      if (decoded === null) return run;
      disguises.add('base64');
      const inner = clean(decoded);
      return `${run} ${depth < 2 ? decode(inner, depth + 1) : inner}`;
    });
  return { text: decode(cleaned, 1).slice(0, limit), cleaned: cleaned.replace(BASE64_RUN, (run) => (decodedText(run) === null ? run : '')), disguises: [...disguises] };
}

/** The run decoded, when it is UTF-8 text of mostly letters and spaces (not a key or a hash). */
function decodedText(run: string): string | null {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(Buffer.from(run, 'base64'));
  if (text.includes('\uFFFD')) return null;
  const wordy = text.match(/[\p{L}\s]/gu)?.length ?? 0;
  return wordy / Math.max(1, text.length) >= 0.8 ? text : null;
}
