import { invalidInput } from '../../core/errors.js';
import type { EntityType } from './entity-types.js';
import type { Candidate, Recognizer } from './recognizer.js';

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

/** One recognizer per type with a deny list; refuses a type the scan does not look for, and entries that are no value. */
export function denyListRecognizers({ denyList, allowList, allowListMatch }: ScanLists, types: readonly EntityType[]): Recognizer[] {
  if (denyList === undefined) return [];
  const allowed = (allowListMatch ?? 'exact') === 'exact' ? new Set(allowList ?? []) : new Set<string>();
  return Object.entries(denyList).flatMap(([type, entries]) => {
    if (entries === undefined || entries.length === 0) return [];
    if (!types.includes(type as EntityType)) throw invalidInput(`denyList.${type}: ${type} is not among the types looked for (${types.join(', ')})`);
    // entries are personal data: messages name them by index only
    checkEntries(`denyList.${type}`, entries, (entry) => WORD_CHAR.test(entry));
    const both = entries.findIndex((entry) => allowed.has(entry));
    if (both >= 0) throw invalidInput(`denyList.${type}[${both}] is also in the allowList: a value cannot be both`);
    return [new DenyListRecognizer(type as EntityType, entries)];
  });
}

function checkEntries(option: string, entries: readonly string[], isValue: (entry: string) => boolean): void {
  if (entries.length > MAX_LIST_ENTRIES) throw invalidInput(`${option} has ${entries.length} entries; at most ${MAX_LIST_ENTRIES}`);
  entries.forEach((entry, i) => {
    if (typeof entry !== 'string') throw invalidInput(`${option}[${i}] must be a string`);
    if (entry.length > MAX_LIST_ENTRY_LENGTH) throw invalidInput(`${option}[${i}] is longer than ${MAX_LIST_ENTRY_LENGTH} characters`);
    if (!isValue(entry)) throw invalidInput(`${option}[${i}] ${entry.trim() === '' ? 'is empty' : 'has no letter or digit'}`);
  });
}

const WORD_CHAR = /[\p{L}\p{N}_]/u;
/**
 * The CJK scripts run words together without spaces ("ACME-INT-4471です", "我是欧阳娜娜。"): each
 * of their characters is a word of its own here, and none makes a match part of a longer word.
 */
const CJK = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}';
/** A neighbour that would make a match part of a longer word. */
const JOINS_WORD = new RegExp(`(?![${CJK}])[\\p{L}\\p{N}_]`, 'u');
/** Words as entries are looked up by their first: runs of letters, digits and _, or one CJK character. */
const WORDS = new RegExp(`(?:(?![${CJK}])[\\p{L}\\p{N}_])+|[${CJK}]`, 'gu');
const SPACE = /\s/u;

/** A deny-list entry as matched: lower-cased code unit by code unit, white space runs as one space. */
interface DenyEntry {
  readonly folded: string;
  /** Where its first word starts in `folded` ("+44 …" starts at 1). */
  readonly firstWordAt: number;
}

/**
 * Finds the entries of one deny list. Hand-written because a regex alternation of the entries
 * backtracks through all of them at every position (measured here: 700 MB/s with 10 entries,
 * 7 with 1,000, none to speak of with 10,000), and no multi-pattern matcher on npm matches
 * whole words ignoring case and spacing at the text's own offsets. Entries are looked up by
 * their first word: each word of the text costs one map lookup, and only entries starting with
 * it are compared.
 */
class DenyListRecognizer implements Recognizer {
  readonly name: string;
  readonly #byFirstWord = new Map<string, DenyEntry[]>();

  constructor(
    readonly type: EntityType,
    entries: readonly string[],
  ) {
    this.name = `${type}.deny_list`;
    for (const entry of new Set(entries.map((e) => foldUnits(e.trim().replace(/\s+/gu, ' '))))) {
      const first = new RegExp(WORDS.source, 'u').exec(entry)!;
      const list = this.#byFirstWord.get(first[0]) ?? [];
      list.push({ folded: entry, firstWordAt: first.index });
      this.#byFirstWord.set(first[0], list);
    }
    for (const list of this.#byFirstWord.values()) list.sort((a, b) => b.folded.length - a.folded.length); // longest first
  }

  find(text: string): Candidate[] {
    const found: Candidate[] = [];
    let after = 0; // found values do not overlap
    for (const word of text.matchAll(WORDS)) {
      const entries = this.#byFirstWord.get(foldUnits(word[0]));
      if (entries === undefined || word.index < after) continue;
      for (const entry of entries) {
        const start = word.index - entry.firstWordAt;
        const end = start < after ? -1 : matchEnd(text, start, entry.folded);
        if (end < 0) continue;
        found.push({ start, end, type: this.type, score: 1, recognizer: this.name });
        after = end;
        break;
      }
    }
    return found;
  }
}

/** Where `folded` ends when it matches `text` at `start` as a whole value, or -1. */
function matchEnd(text: string, start: number, folded: string): number {
  if (start < 0 || (start > 0 && JOINS_WORD.test(text[start - 1]!))) return -1;
  let at = start;
  for (let i = 0; i < folded.length; i++) {
    if (folded[i] === ' ') {
      if (at >= text.length || !SPACE.test(text[at]!)) return -1;
      while (at < text.length && SPACE.test(text[at]!)) at++;
    } else if (at < text.length && foldUnit(text[at]!) === folded[i]) at++;
    else return -1;
  }
  return at < text.length && JOINS_WORD.test(text[at]!) ? -1 : at;
}

/** Lower case one UTF-16 unit at a time, so that folding never changes a length ("İ" lower-cases to two units and is kept). */
function foldUnit(unit: string): string {
  const lower = unit.toLowerCase();
  return lower.length === 1 ? lower : unit;
}

function foldUnits(text: string): string {
  let folded = '';
  for (let i = 0; i < text.length; i++) folded += foldUnit(text[i]!);
  return folded;
}
