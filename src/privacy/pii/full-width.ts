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
const FULL_WIDTH = /[\u3000\uFF03\uFF08\uFF09\uFF0B\uFF0D-\uFF19\uFF20-\uFF3A\uFF3F\uFF41-\uFF5A]/;
const FULL_WIDTH_ALL = new RegExp(FULL_WIDTH.source, 'g');
const FULL_WIDTH_OFFSET = 0xfee0;

/** `text` with its full-width forms as ASCII, the same length; `text` itself when it has none (most texts: one scan, no copy). */
export function foldFullWidth(text: string): string {
  if (!FULL_WIDTH.test(text)) return text;
  return text.replace(FULL_WIDTH_ALL, (char) => (char === '\u3000' ? ' ' : String.fromCharCode(char.charCodeAt(0) - FULL_WIDTH_OFFSET)));
}
