import { NAME_LEXICON_DATA } from './name-lexicon-data.js';
import { WordFlagTable, type WordFlags } from './word-flag-table.js';

/**
 * Word lists the person-name recognizer looks tokens up in, all lower-cased.
 *
 * Sources: the person-name definitions of every `@faker-js/faker` locale (about 70 locales,
 * Latin, Cyrillic, Greek, Arabic, Hebrew, Devanagari, Thai, CJK and Hangul scripts), so names
 * work offline with no model download; the frequent names of cultures faker leaves out or
 * writes only in their own script (name-lists.ts, name-lists-native.ts); everyday words that
 * are not names alone (name-common-words.ts).
 *
 * Compiled ahead of time (name-lexicon-build.ts, `npm run build:name-lexicon`) into
 * name-lexicon-data.ts, which a test keeps equal to a fresh build. Built at run time instead,
 * every worker thread paid ~110 ms importing faker's locales and ~60 ms folding its ~90,000
 * entries into ~71,500 words: most of a redaction job's start-up, a third of a 50 MB job's time.
 */
/** What a lower-cased token is, as bits: a token can be a first name, a surname and a common word at once. */
export const NameFlag = {
  First: 1,
  Surname: 2,
  /**
   * A word of ordinary text (faker's English word lists, months and weekdays of every locale,
   * name-common-words.ts): a name only next to a name token that is not one.
   */
  Common: 4,
  /** A word of a place name: cannot stand in as an unknown surname. */
  Place: 8,
  /** A street-type word ("Lane", "Forest", "Path"): a run ending in it is a street, not a person. */
  Street: 16,
  /**
   * A romanised Chinese, Japanese or Korean surname ("Zhang", "Park"): the given name after it
   * may be any pinyin or hyphenated Korean given name, which no list can hold in full.
   */
  EastAsianSurname: 32,
  /**
   * A frequent English word (SCOWL) that no name list holds ("Cost", "Harvesting", "Drop"): a run
   * of nothing but such words and common ones is a title or a value, never a name, even after a
   * cue ("name: Cost Harvesting"). Unlike Common it is no reason to trim a word off a name:
   * surnames that are also words ("Jane Doe") are missing from the lists.
   */
  EnglishWord: 64,
} as const;

export interface NameLexicon {
  /** Lower-cased token -> OR of NameFlag bits; absent means unknown. One lookup per token. */
  readonly flags: WordFlags;
  /** Whole multi-word place names ("new york", "san francisco"), never a person. */
  readonly placeNames: ReadonlySet<string>;
  /** CJK and Hangul surnames, longest first so "欧阳" wins over "欧". */
  readonly cjkSurnames: readonly string[];
  /** CJK, kana and Hangul given names, whole. */
  readonly cjkGivenNames: ReadonlySet<string>;
}

/** Separates the words of one list in name-lexicon-data.ts (no word contains it). */
export const LEXICON_WORD_SEPARATOR = '\n';

const ARABIC_VARIANTS = /[\u0622\u0623\u0625\u0671\u0649\u06cc\u0629\u06a9\u064b-\u065f\u0640\u200c]/g;
const ARABIC_BASE: Readonly<Record<string, string>> = { 'آ': 'ا', 'أ': 'ا', 'إ': 'ا', 'ٱ': 'ا', 'ى': 'ي', 'ی': 'ي', 'ة': 'ه', 'ک': 'ك' };

/**
 * Arabic-script spelling variants folded to one key: hamza on alef, alef maqsura and the Persian
 * yeh and kaf, taa marbuta, vowel marks, tatweel and zero-width non-joiners, which writers use
 * or drop freely ("فاطمة"/"فاطمه", "علی"/"علي"). Returns the word itself when nothing folds.
 */
export function arabicKey(word: string): string {
  return word.replace(ARABIC_VARIANTS, (char) => ARABIC_BASE[char] ?? '');
}
let lexicon: NameLexicon | undefined;

/** The lexicon of this process or worker, decoded from the compiled data on first call. */
export function nameLexicon(): NameLexicon {
  lexicon ??= decodeNameLexicon();
  return lexicon;
}

function decodeNameLexicon(): NameLexicon {
  const words = (list: string) => (list === '' ? [] : list.split(LEXICON_WORD_SEPARATOR));
  return {
    flags: new WordFlagTable(
      Object.entries(NAME_LEXICON_DATA.wordsByFlags).map(([bits, list]) => [Number(bits), list]),
      LEXICON_WORD_SEPARATOR,
    ),
    placeNames: new Set(words(NAME_LEXICON_DATA.placeNames)),
    cjkSurnames: words(NAME_LEXICON_DATA.cjkSurnames),
    cjkGivenNames: new Set(words(NAME_LEXICON_DATA.cjkGivenNames)),
  };
}
