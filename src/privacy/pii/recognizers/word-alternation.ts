/**
 * Regex sources for lists of literal words, shared by the recognizers that build their patterns
 * from word lists (addresses, name cues).
 */

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Regex-escaped alternation of words. */
export function alternation(words: Iterable<string>): string {
  return [...new Set(words)].map(escape).join('|');
}

interface Ending {
  /** A word ends (starts, read backwards) here. */
  whole: boolean;
  /** The letters before, each with what may stand before it. */
  before: Map<string, Ending>;
}

/**
 * Regex-escaped alternation of words grouped by their endings ("(?:w|ste)eg" for "weg" and
 * "steeg"), for lookbehinds: read backwards, a word that fits none is turned away at its last
 * letters instead of being tried against each word in turn, which made the street-suffix
 * lookbehind three times as slow. Only for tests of whether a word ends there: the words are no
 * longer tried in their order.
 */
export function endingAlternation(words: Iterable<string>): string {
  const last: Ending = { whole: false, before: new Map() };
  for (const word of words) {
    let node = last;
    for (let i = word.length - 1; i >= 0; i--) {
      let next = node.before.get(word[i]!);
      if (next === undefined) node.before.set(word[i]!, (next = { whole: false, before: new Map() }));
      node = next;
    }
    node.whole = true;
  }
  const source = (node: Ending): string => {
    const branches = [...node.before].map(([letter, before]) => source(before) + escape(letter));
    if (node.whole) branches.push('');
    return branches.length === 1 ? branches[0]! : `(?:${branches.join('|')})`;
  };
  return source(last);
}
