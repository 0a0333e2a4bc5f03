import { invalidInput } from '../../core/errors.js';
import type { EntityType } from './entity-types.js';
import type { Candidate } from './recognizer.js';

/**
 * A deployment's own lists, as Presidio's `allow_list` and deny-list recognizers: values that
 * are never personal data here (the company's support address, a public switchboard number, a
 * documented test card), and values that always are (the staff's names, internal account ids
 * no pattern knows).
 */
export interface ScanLists {
  /** Found values never reported: compared with the whole value as the text writes it. */
  allowList?: readonly string[];
  /** `exact` (default): equal strings; `regex`: each entry a regular expression the whole value must match. */
  allowListMatch?: AllowListMatch;
  /**
   * Per entity type, values always reported as that type (score 1, recognizer `<type>.deny_list`):
   * matched as whole words, ignoring case, any run of white space matching any other.
   */
  denyList?: Readonly<Partial<Record<EntityType, readonly string[]>>>;
}

export const ALLOW_LIST_MATCHES = ['exact', 'regex'] as const;
export type AllowListMatch = (typeof ALLOW_LIST_MATCHES)[number];

/** Longer entries are not values of any of the eleven types; a bound keeps a request's lists cheap to compile. */
export const MAX_LIST_ENTRY_LENGTH = 256;
/**
 * Words in a deny-list entry (a full postal address has about ten): the matcher may follow an
 * entry's words from every word of a text, so this bounds its work per word.
 */
export const MAX_DENY_ENTRY_WORDS = 24;
/** Entries per list: a deny list of every customer's name belongs in a data set of its own, not in settings sent to each worker. */
export const MAX_LIST_ENTRIES = 100_000;

/**
 * The test a found value must fail to be reported, or null without an allow list. Errors name
 * the entry by its index: an allow list is not secret, but the message of a bad regex is long.
 */
export function allowListTest({ allowList, allowListMatch }: ScanLists): ((value: string) => boolean) | null {
  if (allowListMatch !== undefined && allowList === undefined) throw invalidInput('allowListMatch applies only with an allowList');
  if (allowList === undefined || allowList.length === 0) return null;
  checkEntries('allowList', allowList, (entry) => entry.length > 0);
  if ((allowListMatch ?? 'exact') === 'exact') {
    const values = new Set(allowList);
    return (value) => values.has(value);
  }
  // one regex per entry, not one alternation: an entry's back-references keep their own numbering
  const patterns = allowList.map((entry, i) => {
    try {
      return new RegExp(`^(?:${entry})$`, 'u');
    } catch (err) {
      throw invalidInput(`allowList[${i}] is not a regular expression (${(err as Error).message.replace(/^Invalid regular expression: /, '')})`);
    }
  });
  return (value) => patterns.some((pattern) => pattern.test(value));
}

/**
 * The matcher of every type's deny list, or null without one; refuses a type the scan does not
 * look for, entries that are no value, and a value listed under two types.
 */
export function denyListMatcher({ denyList, allowList, allowListMatch }: ScanLists, types: readonly EntityType[]): DenyListMatcher | null {
  if (denyList === undefined) return null;
  const allowed = (allowListMatch ?? 'exact') === 'exact' ? new Set(allowList ?? []) : new Set<string>();
  const lists: Array<[EntityType, readonly string[]]> = [];
  for (const [type, entries] of Object.entries(denyList)) {
    if (entries === undefined || entries.length === 0) continue;
    if (!types.includes(type as EntityType)) throw invalidInput(`denyList.${type}: ${type} is not among the types looked for (${types.join(', ')})`);
    // entries are personal data: messages name them by index only
    checkEntries(`denyList.${type}`, entries, (entry) => WORD_CHAR.test(entry));
    const long = entries.findIndex((entry) => (entry.match(WORDS)?.length ?? 0) > MAX_DENY_ENTRY_WORDS);
    if (long >= 0) throw invalidInput(`denyList.${type}[${long}] has more than ${MAX_DENY_ENTRY_WORDS} words`);
    const both = entries.findIndex((entry) => allowed.has(entry));
    if (both >= 0) throw invalidInput(`denyList.${type}[${both}] is also in the allowList: a value cannot be both`);
    lists.push([type as EntityType, entries]);
  }
  return lists.length === 0 ? null : new DenyListMatcher(lists);
}

function checkEntries(option: string, entries: readonly string[], isValue: (entry: string) => boolean): void {
  if (entries.length > MAX_LIST_ENTRIES) throw invalidInput(`${option} has ${entries.length} entries; at most ${MAX_LIST_ENTRIES}`);
  entries.forEach((entry, i) => {
    if (typeof entry !== 'string') throw invalidInput(`${option}[${i}] must be a string`);
    if (entry.length > MAX_LIST_ENTRY_LENGTH) throw invalidInput(`${option}[${i}] is longer than ${MAX_LIST_ENTRY_LENGTH} characters`);
    if (!isValue(entry)) throw invalidInput(`${option}[${i}] ${entry.trim() === '' ? 'is empty' : 'has no letter or digit'}`);
  });
}

/**
 * The CJK scripts run words together without spaces ("ACME-INT-4471です", "我是欧阳娜娜。"): each
 * of their characters is a word of its own here, so a match may start or end beside them.
 */
const CJK = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}';
/** Words: runs of letters (with their combining marks), digits and _, or one CJK character. */
const WORDS = new RegExp(`(?:(?![${CJK}])[\\p{L}\\p{M}\\p{N}_])+|[${CJK}]`, 'gu');
const WORD_CHAR = /[\p{L}\p{M}\p{N}_]/u;
const SPACE = /\s/u;

/**
 * A value split as the matcher reads it: its words (folded), the separators between them, and
 * what stands before its first word and after its last (`(555) 123-4567`: "(", "555", ") ",
 * "123", "-", "4567", ""). Separators are folded and their white space runs made one space.
 */
interface SplitValue {
  readonly before: string;
  readonly words: readonly string[];
  /** `between[i]` stands between words i and i + 1. */
  readonly between: readonly string[];
  readonly after: string;
}

/**
 * A trie node: the words that may follow, by the separator before them, then the word; `ends`:
 * the entries ending here, by their `after` part, with their type and where they were listed.
 */
interface TrieNode {
  readonly next: Map<string, Map<string, TrieNode>>;
  readonly ends: Map<string, ListedEntry>;
}

interface ListedEntry {
  readonly type: EntityType;
  /** Its option path, `denyList.person_name[3]`: errors name entries so, never by value. */
  readonly listedAs: string;
}

/**
 * Finds the entries of every type's deny list in one walk. Hand-written: a regex alternation of
 * the entries backtracks through all of them at every position (measured here: 700 MB/s with
 * 10 entries, 7 with 1,000, none to speak of with 10,000), and the npm multi-pattern matchers
 * compare characters, not whole words with their spacing and case folded at the text's own
 * offsets.
 *
 * The entries form a trie of words, entered by what stands before the first word and the word
 * itself: from each word of the text the matcher follows at most the words of the longest
 * entry, however many entries share a beginning (first-word buckets compared every entry of a
 * bucket: 1,000 entries starting "a a a …" took 30 s on a 10,000-character text). One trie for
 * all types, not one per type: the walks added up, and a request listing one 24-word entry under
 * each of the eleven types kept the server's event loop busy 10 s on a megabyte of "a a a …".
 */
export class DenyListMatcher {
  readonly #root: TrieNode = { next: new Map(), ends: new Map() };
  /** The longest `before` and `after` parts of any entry: how far around its words a match is looked for. */
  #longestBefore = 0;
  #longestAfter = 0;

  constructor(lists: ReadonlyArray<readonly [EntityType, readonly string[]]>) {
    for (const [type, entries] of lists) entries.forEach((entry, i) => this.#add(splitValue(entry.trim()), { type, listedAs: `denyList.${type}[${i}]` }));
  }

  #add({ before, words, between, after }: SplitValue, entry: ListedEntry): void {
    this.#longestBefore = Math.max(this.#longestBefore, before.length);
    this.#longestAfter = Math.max(this.#longestAfter, after.length);
    let node = this.#root;
    words.forEach((word, i) => {
      const separator = i === 0 ? before : between[i - 1]!;
      let byWord = node.next.get(separator);
      if (byWord === undefined) node.next.set(separator, (byWord = new Map()));
      let child = byWord.get(word);
      if (child === undefined) byWord.set(word, (child = { next: new Map(), ends: new Map() }));
      node = child;
    });
    const listed = node.ends.get(after);
    if (listed !== undefined && listed.type !== entry.type) {
      throw invalidInput(`${entry.listedAs} is also ${listed.listedAs} (matched alike, ignoring case and spacing): a value is of one type`);
    }
    if (listed === undefined) node.ends.set(after, entry);
  }

  /**
   * The entries found in `text`: per type, at each word the longest entry of that type starting
   * there, its entries not overlapping one another; where two types' entries overlap, the
   * scanner keeps the longer (resolveOverlaps), as it would for one recognizer per type.
   */
  find(text: string): Candidate[] {
    const words = [...text.matchAll(WORDS)].map((m) => ({ start: m.index, end: m.index + m[0].length, folded: foldUnits(m[0]) }));
    if (words.length === 0) return [];
    // gap(k): the text before word k (gap(words.length): after the last), folded when first asked for
    const folded: FoldedRun[] = [];
    const gaps = (k: number) => (folded[k] ??= new FoldedRun(text, k === 0 ? 0 : words[k - 1]!.end, k < words.length ? words[k]!.start : text.length));
    const found: Candidate[] = [];
    const covered = new Map<EntityType, number>(); // per type: where its last value ended
    for (let i = 0; i < words.length; i++) {
      for (const [type, match] of this.#longestMatchesAt(words, gaps, i)) {
        if (match.start < (covered.get(type) ?? 0)) continue;
        found.push({ start: match.start, end: match.end, type, score: 1, recognizer: `${type}.deny_list` });
        covered.set(type, match.end);
      }
    }
    return found;
  }

  /**
   * Per type, the longest entry whose first word is `words[i]`, as text offsets. Entered once
   * for each ending of the gap before the word that an entry's `before` could be ("", "(", " ("
   * of " ("), then one trie step a word.
   */
  #longestMatchesAt(words: ReadonlyArray<{ start: number; folded: string }>, gaps: (k: number) => FoldedRun, i: number): Map<EntityType, { start: number; end: number }> {
    const best = new Map<EntityType, { start: number; end: number }>();
    // most words begin no entry, and most entries have nothing before their first word: no gap is folded then
    const befores = this.#longestBefore === 0 ? 0 : Math.min(gaps(i).folded.length, this.#longestBefore);
    for (let length = 0; length <= befores; length++) {
      const before = length === 0 ? '' : gaps(i).folded.slice(-length);
      const start = length === 0 ? words[i]!.start : gaps(i).startOf(gaps(i).folded.length - length);
      let node = this.#root.next.get(before)?.get(words[i]!.folded);
      for (let j = i; node !== undefined; j++) {
        if (node.ends.size > 0) this.#addEndings(node.ends, gaps(j + 1), start, best);
        node = j + 1 < words.length && node.next.size > 0 ? node.next.get(gaps(j + 1).folded)?.get(words[j + 1]!.folded) : undefined;
      }
    }
    return best;
  }

  /** Into `best`, per type, the longest of `ends` that begins `gap`, where it is longer than the type's match so far. */
  #addEndings(ends: ReadonlyMap<string, ListedEntry>, gap: FoldedRun, start: number, best: Map<EntityType, { start: number; end: number }>): void {
    for (let length = Math.min(gap.folded.length, this.#longestAfter); length >= 0; length--) {
      const entry = ends.get(gap.folded.slice(0, length));
      if (entry === undefined) continue;
      const end = gap.startOf(length);
      const current = best.get(entry.type);
      if (current === undefined || end - start > current.end - current.start) best.set(entry.type, { start, end });
    }
  }
}

/**
 * Text between two words, folded as entries are (white space runs as one space). The way back
 * to the text's offsets is worked out only for a match: most gaps are looked at, few matched.
 */
class FoldedRun {
  readonly folded: string;

  constructor(
    private readonly text: string,
    private readonly from: number,
    private readonly to: number,
  ) {
    let folded = '';
    for (let at = from; at < to; ) {
      if (SPACE.test(text[at]!)) {
        folded += ' ';
        while (at < to && SPACE.test(text[at]!)) at++;
      } else folded += foldUnit(text[at++]!);
    }
    this.folded = folded;
  }

  #starts: number[] | undefined;

  /** The text offset of folded character `k`; `folded.length` gives the run's end. */
  startOf(k: number): number {
    if (k >= this.folded.length) return this.to;
    if (this.folded.length === this.to - this.from) return this.from + k; // no white space run was made one
    if (this.#starts === undefined) {
      this.#starts = [];
      for (let at = this.from; at < this.to; ) {
        this.#starts.push(at);
        if (SPACE.test(this.text[at]!)) while (at < this.to && SPACE.test(this.text[at]!)) at++;
        else at++;
      }
    }
    return this.#starts[k]!;
  }
}

function splitValue(value: string): SplitValue {
  const words = [...value.matchAll(WORDS)];
  const gap = (from: number, to: number) => new FoldedRun(value, from, to).folded;
  return {
    before: gap(0, words[0]!.index),
    words: words.map((w) => foldUnits(w[0])),
    between: words.slice(1).map((w, i) => gap(words[i]!.index + words[i]![0].length, w.index)),
    after: gap(words.at(-1)!.index + words.at(-1)![0].length, value.length),
  };
}

/** Lower case one UTF-16 unit at a time, so that folding never changes a length ("İ" lower-cases to two units and is kept). */
function foldUnit(unit: string): string {
  const lower = unit.toLowerCase();
  return lower.length === 1 ? lower : unit;
}

/** foldUnit over a text: its lower case when that keeps the length (almost always), else unit by unit. */
function foldUnits(text: string): string {
  const lower = text.toLowerCase();
  return lower.length === text.length ? lower : foldUnitByUnit(text);
}

function foldUnitByUnit(text: string): string {
  let folded = '';
  for (let i = 0; i < text.length; i++) folded += foldUnit(text[i]!);
  return folded;
}
