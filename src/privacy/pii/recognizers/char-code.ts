/**
 * The UTF-16 code unit at `at`, or -1 outside the text. `charCodeAt` outside the text returns
 * NaN, but V8 then stops inlining that call site for good: a scan loop with such a read measured
 * 3x slower, and a recognizer's `find` was deoptimised 3–4 times per corpus by reads at the
 * text's edges.
 */
export function codeAt(text: string, at: number): number {
  return at >= 0 && at < text.length ? text.charCodeAt(at) : -1;
}

/**
 * The first `code` in `text[from, to)`, or -1: a search kept within a row, a line or a window,
 * where `indexOf` would run on to the text's end and, repeated per row or candidate, be quadratic.
 */
export function indexOfCode(text: string, code: number, from: number, to: number): number {
  const end = Math.min(to, text.length);
  for (let i = from; i < end; i++) if (text.charCodeAt(i) === code) return i;
  return -1;
}

/** An ASCII digit 0-9 (other scripts' digits are not read as numbers by the recognizers). */
export function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}
