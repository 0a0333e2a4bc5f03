import { foldInvisible, INVISIBLE_CHARS, withoutInvisible, type FoldedText } from './invisible-chars.js';

/**
 * Full-width forms of ASCII as Japanese, Chinese and Korean input methods type them:
 * "０９０－１２３４－５６７８", "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ". The recognizers read ASCII, so a text
 * holding any is scanned as its ASCII fold. Each is one UTF-16 unit, as its ASCII form is: the
 * fold keeps every offset, and findings point into the original text unchanged.
 *
 * Folded: digits, letters, the ideographic space, and the symbols found inside values (+ - . @ /
 * ( ) # _). Not the sentence punctuation of CJK prose (， ： ； ！ ？): read as ASCII, a
 * Chinese sentence's commas made its line look like a CSV row, and shifted the columns of
 * the header after it.
 */
const FULL_WIDTH_CHARS = '\\u3000\\uFF03\\uFF08\\uFF09\\uFF0B\\uFF0D-\\uFF19\\uFF20-\\uFF3A\\uFF3F\\uFF41-\\uFF5A';
const FULL_WIDTH = new RegExp(`[${FULL_WIDTH_CHARS}]`);
const FULL_WIDTH_ALL = new RegExp(FULL_WIDTH.source, 'g');
/** Either a full-width form or an invisible character (invisible-chars.ts): one test for the texts having neither. */
const FOLDED = new RegExp(`[${FULL_WIDTH_CHARS}${INVISIBLE_CHARS}]`);
const INVISIBLE = new RegExp(`[${INVISIBLE_CHARS}]`);
const FULL_WIDTH_OFFSET = 0xfee0;

/** `text` with its full-width forms as ASCII, the same length; `text` itself when it has none (most texts: one scan, no copy). */
export function foldFullWidth(text: string): string {
  if (!FULL_WIDTH.test(text)) return text;
  return text.replace(FULL_WIDTH_ALL, (char) => (char === '\u3000' ? ' ' : String.fromCharCode(char.charCodeAt(0) - FULL_WIDTH_OFFSET)));
}

/**
 * `text` as the recognizers read it: full-width forms as ASCII, and without the invisible
 * characters that carry no meaning where they stand (invisible-chars.ts), with the map from its
 * offsets to `text`'s when any were removed. Most texts have neither: one regex test, no copy.
 */
export function foldForScan(text: string): FoldedText {
  if (!FOLDED.test(text)) return { text, offsets: undefined };
  const ascii = foldFullWidth(text);
  return INVISIBLE.test(ascii) ? foldInvisible(ascii) : { text: ascii, offsets: undefined };
}

/** A found value as fakes, hashes and ciphertexts are made from it: its ASCII fold, without invisible characters. */
export function foldValue(value: string): string {
  return withoutInvisible(foldFullWidth(value));
}
