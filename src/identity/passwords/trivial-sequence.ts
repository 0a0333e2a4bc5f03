/**
 * Whether a password is nothing but repeated or sequential characters, the patterns NIST
 * SP 800-63B §5.1.1.2 names ("aaaaaa", "1234abcd"): each is among the first guesses of any
 * cracking rule set. Pure; works on code points, which the caller lower-cases first.
 *
 * A password is trivial when either
 * - it splits wholly into runs of at least 3 characters, each run one character repeated
 *   ("aaaa"), stepping up or down by one code point ("abcd", "4321"), or walking along a
 *   keyboard row ("qwerty", "asdf", "7890"): "12345678", "1234abcd", "aaaabbbb"; or
 * - it is one short unit repeated: a unit of up to 4 characters twice or more ("abababab",
 *   "passpass"), or any unit three times or more.
 */
export function isTrivialSequence(codePoints: readonly string[]): boolean {
  return isRepeatedUnit(codePoints) || splitsIntoRuns(codePoints);
}

const MIN_RUN = 3;
const SHORT_UNIT = 4;

/** Rows of a US QWERTY keyboard, unshifted: the walks users type as "sequences". */
const KEYBOARD_ROWS = ['1234567890-=', 'qwertyuiop[]', "asdfghjkl;'", 'zxcvbnm,./'];
const KEY_POSITION = new Map<string, { row: number; column: number }>();
KEYBOARD_ROWS.forEach((keys, row) => [...keys].forEach((key, column) => KEY_POSITION.set(key, { row, column })));

/** Kinds of step from one character to the next, as bits, so a run keeps their intersection. */
const SAME = 1;
const UP = 2;
const DOWN = 4;
const KEY_RIGHT = 8;
const KEY_LEFT = 16;

function stepKinds(a: string, b: string): number {
  let kinds = 0;
  const from = a.codePointAt(0)!;
  const to = b.codePointAt(0)!;
  if (to === from) kinds |= SAME;
  if (to === from + 1) kinds |= UP;
  if (to === from - 1) kinds |= DOWN;
  const ka = KEY_POSITION.get(a);
  const kb = KEY_POSITION.get(b);
  if (ka && kb && ka.row === kb.row) {
    if (kb.column === ka.column + 1) kinds |= KEY_RIGHT;
    if (kb.column === ka.column - 1) kinds |= KEY_LEFT;
  }
  return kinds;
}

/**
 * Dynamic programme over prefixes: `covered[i]` when the first i characters split into runs.
 * O(n²) in the worst case; n is capped by the policy's maximum length.
 */
function splitsIntoRuns(cps: readonly string[]): boolean {
  const n = cps.length;
  if (n < MIN_RUN) return false;
  const covered = new Array<boolean>(n + 1).fill(false);
  covered[0] = true;
  for (let start = 0; start < n; start++) {
    if (!covered[start]) continue;
    let kinds = SAME | UP | DOWN | KEY_RIGHT | KEY_LEFT;
    for (let end = start + 1; end < n; end++) {
      kinds &= stepKinds(cps[end - 1]!, cps[end]!);
      if (kinds === 0) break;
      if (end + 1 - start >= MIN_RUN) covered[end + 1] = true;
    }
  }
  return covered[n]!;
}

function isRepeatedUnit(cps: readonly string[]): boolean {
  const n = cps.length;
  for (let unit = 1; unit <= n / 2; unit++) {
    if (n % unit !== 0) continue;
    if (unit > SHORT_UNIT && n / unit < 3) continue;
    let repeats = true;
    for (let i = unit; i < n && repeats; i++) repeats = cps[i] === cps[i - unit];
    if (repeats) return true;
  }
  return false;
}
