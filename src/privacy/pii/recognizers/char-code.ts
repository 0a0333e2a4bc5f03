/**
 * The UTF-16 code unit at `at`, or -1 outside the text. `charCodeAt` outside the text returns
 * NaN, but V8 then stops inlining that call site for good: a scan loop with such a read measured
 * 3x slower, and a recognizer's `find` was deoptimised 3–4 times per corpus by reads at the
 * text's edges.
 */
export function codeAt(text: string, at: number): number {
  return at >= 0 && at < text.length ? text.charCodeAt(at) : -1;
}

/** An ASCII digit 0-9 (other scripts' digits are not read as numbers by the recognizers). */
export function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}
