import { allLocales } from '@faker-js/faker';

/**
 * Word lists the person-name recognizer looks tokens up in, all lower-cased.
 *
 * Source: the person-name definitions of every `@faker-js/faker` locale (about 70 locales,
 * Latin, Cyrillic, Greek, Arabic, Hebrew, Devanagari, Thai, CJK and Hangul scripts), so names
 * work offline with no model download. Built once per process (or worker thread) on first
 * use: faker's locale data is already in memory after its import, and building the sets
 * takes ~30 ms, which a detector that never scans for names should not pay.
 */
/** What a lower-cased token is, as bits: a token can be a first name, a surname and a common word at once. */
export const NameFlag = {
  First: 1,
  Surname: 2,
  /**
   * A word of ordinary English text (faker's English word lists, months and weekdays of every
   * locale, names that are everyday words): a name only next to a name token that is not one.
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
} as const;

export interface NameLexicon {
  /** Lower-cased token -> OR of NameFlag bits; absent means unknown. One lookup per token. */
  readonly flags: ReadonlyMap<string, number>;
  /** Whole multi-word place names ("new york", "san francisco"), never a person. */
  readonly placeNames: ReadonlySet<string>;
  /** CJK and Hangul surnames, longest first so "欧阳" wins over "欧". */
  readonly cjkSurnames: readonly string[];
  /** CJK, kana and Hangul given names, whole. */
  readonly cjkGivenNames: ReadonlySet<string>;
}

type FakerNameList = readonly string[] | Readonly<Record<string, readonly string[] | undefined>> | undefined;

function entriesOf(list: FakerNameList): readonly string[] {
  if (list === undefined) return [];
  if (Array.isArray(list)) return list as readonly string[];
  return Object.values(list as Record<string, readonly string[] | undefined>).flatMap((part) => part ?? []);
}

const CJK_OR_HANGUL = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+$/u;

/**
 * Romanised East Asian names: faker ships Chinese, Japanese and Korean names only in their own
 * scripts, and no installed package maps them to Latin letters. These are the most frequent
 * surnames (national census rankings, facts not creative work) and common given names.
 */
const ROMANISED_EAST_ASIAN_SURNAMES = [
  // Chinese (Hanyu Pinyin, plus Cantonese/Taiwanese spellings common in English text)
  'wang', 'li', 'zhang', 'liu', 'chen', 'yang', 'huang', 'zhao', 'wu', 'zhou', 'xu', 'sun', 'ma', 'zhu',
  'hu', 'guo', 'he', 'lin', 'luo', 'gao', 'zheng', 'liang', 'xie', 'song', 'tang', 'deng', 'feng', 'han',
  'cao', 'peng', 'zeng', 'xiao', 'tian', 'dong', 'pan', 'yuan', 'cai', 'jiang', 'yu', 'du', 'ye', 'cheng',
  'wei', 'su', 'lu', 'ding', 'ren', 'shen', 'yao', 'zhong', 'jin', 'cui', 'tan', 'fan', 'fang', 'shi', 'qian',
  'chan', 'wong', 'cheung', 'leung', 'lau', 'ng', 'ho', 'chow', 'tsang', 'kwok', 'yip', 'chiu', 'tsai', 'hsu',
  // Japanese (Hepburn)
  'sato', 'suzuki', 'takahashi', 'tanaka', 'watanabe', 'ito', 'yamamoto', 'nakamura', 'kobayashi', 'kato',
  'yoshida', 'yamada', 'sasaki', 'yamaguchi', 'matsumoto', 'inoue', 'kimura', 'hayashi', 'shimizu',
  'yamazaki', 'mori', 'abe', 'ikeda', 'hashimoto', 'yamashita', 'ishikawa', 'nakajima', 'maeda', 'fujita',
  'ogawa', 'goto', 'okada', 'hasegawa', 'murakami', 'kondo', 'ishii', 'saito', 'sakamoto', 'endo', 'aoki',
  'fujii', 'nishimura', 'fukuda', 'ota', 'miura', 'fujiwara', 'okamoto', 'matsuda', 'nakagawa', 'nomura',
  // Korean (Revised Romanization and common spellings)
  'kim', 'lee', 'park', 'choi', 'jung', 'jeong', 'kang', 'cho', 'yoon', 'yun', 'jang', 'lim', 'oh', 'seo',
  'shin', 'kwon', 'hwang', 'ahn', 'yoo', 'hong', 'jeon', 'ko', 'moon', 'son', 'bae', 'baek', 'heo', 'nam',
];

const ROMANISED_EAST_ASIAN_GIVEN_NAMES = [
  // Chinese
  'wei', 'fang', 'min', 'jing', 'qiang', 'lei', 'jun', 'yong', 'yan', 'jie', 'tao', 'ming', 'chao', 'xiuying',
  'xia', 'hui', 'hong', 'ping', 'gang', 'bo', 'hao', 'xin', 'ying', 'lan', 'na', 'ting', 'yi', 'yun', 'jian',
  'xiaoming', 'xiaoyan', 'li', 'lili', 'jingjing', 'zhiwei', 'haoran', 'yuxuan', 'zihan', 'wen', 'qing',
  // Japanese
  'yuki', 'haruto', 'yuto', 'sota', 'hiroshi', 'takashi', 'akira', 'kenji', 'yui', 'aoi', 'sakura', 'hina',
  'yuna', 'hana', 'keiko', 'yoko', 'naoko', 'kenta', 'daiki', 'ren', 'riku', 'haruka', 'ayumi', 'kaori',
  'makoto', 'satoshi', 'shota', 'taro', 'ichiro', 'naomi', 'emi', 'mai', 'yumi', 'tomoko', 'kazuki',
  // Korean
  'minjun', 'min-jun', 'seojun', 'seo-jun', 'jiwoo', 'ji-woo', 'seoyeon', 'seo-yeon', 'jimin', 'ji-min',
  'jiho', 'ji-ho', 'hyun', 'soo-jin', 'soojin', 'yuna', 'eunji', 'eun-ji', 'minseo', 'min-seo', 'jisoo',
  'ji-hoon', 'jihoon', 'sung-min', 'young-ho', 'dong-hyun',
];

/**
 * Vietnamese surnames: faker's `vi` locale lists them among first names, and a dozen family
 * names cover about nine in ten Vietnamese people (Nguyễn alone about 38%), so the list is short
 * and closed. With and without diacritics, as English text often drops them.
 */
const VIETNAMESE_SURNAMES = [
  'nguyễn', 'trần', 'lê', 'phạm', 'hoàng', 'huỳnh', 'phan', 'vũ', 'võ', 'đặng', 'bùi', 'đỗ', 'hồ', 'ngô', 'dương', 'lý',
  'nguyen', 'tran', 'pham', 'hoang', 'huynh', 'vu', 'vo', 'dang', 'bui', 'do', 'ngo', 'duong', 'ly',
];
/** Vietnamese middle names that mark sex ("Thị" for women, "Văn" for men), in most full names. */
const VIETNAMESE_MIDDLE_NAMES = ['thị', 'văn', 'hữu', 'đức'];

/**
 * First names that are also everyday English words. faker's English word lists miss most of
 * them and no installed package marks the overlap (compromise tags "mark"/"grant" as first
 * names only, and costs 0.7 s to load per worker).
 */
const NAMES_THAT_ARE_WORDS = [
  'will', 'may', 'mark', 'grant', 'bill', 'rose', 'april', 'june', 'august', 'hope', 'faith', 'joy', 'grace',
  'art', 'guy', 'pat', 'sue', 'don', 'ray', 'herb', 'bob', 'penny', 'carol', 'cliff', 'dawn', 'summer',
  'autumn', 'iris', 'ivy', 'jack', 'jean', 'lane', 'hall', 'wood', 'page', 'price', 'park', 'chase', 'dean',
  'case', 'rich', 'king', 'young', 'white', 'black', 'brown', 'green', 'gray', 'grey', 'long', 'short', 'little',
  'street', 'house', 'love', 'star', 'sky', 'river', 'stone', 'rock', 'field', 'hill', 'bay', 'forest', 'lake',
  'general', 'major', 'justice', 'noble', 'royal', 'sterling', 'sunny', 'honey', 'angel', 'baby', 'crystal',
  'amber', 'ruby', 'pearl', 'jade', 'misty', 'storm', 'rain', 'river', 'ocean', 'sage', 'basil', 'olive',
  'cherry', 'ginger', 'daisy', 'holly', 'heather', 'violet', 'lily', 'melody', 'harmony', 'destiny', 'trinity',
  'china', 'india', 'jordan', 'israel', 'paris', 'london', 'berlin', 'sydney', 'victoria', 'georgia',
  'virginia', 'carolina', 'florida', 'dakota', 'montana', 'nevada', 'austin', 'dallas', 'houston', 'phoenix',
  'denver', 'orlando', 'chelsea', 'florence', 'regina',
  'christian', 'muslim', 'jewish', 'nat', 'gene', 'sandy', 'rusty', 'buck', 'duke', 'earl', 'baron', 'prince',
  'princess', 'queen', 'bishop', 'marshal', 'marshall', 'sheriff', 'judge', 'miles', 'norm', 'frank', 'sol',
  'an', 'le', 'la', 'de', 'do', 'da', 'van', 'von', 'ha', 'to', 'in', 'on', 'so', 'no', 'man', 'son',
  'new', 'old', 'north', 'south', 'east', 'west', 'central', 'united', 'national', 'global', 'digital',
];

/**
 * English function and sentence-start words, and heading words of technical text. faker's word
 * lists are content words; these are the words that start sentences and title-case headings.
 */
const ENGLISH_FUNCTION_WORDS = [
  'the', 'a', 'an', 'and', 'or', 'but', 'if', 'then', 'so', 'as', 'at', 'by', 'for', 'from', 'in', 'into',
  'of', 'on', 'onto', 'to', 'with', 'without', 'about', 'after', 'before', 'during', 'since', 'until',
  'while', 'when', 'where', 'why', 'how', 'what', 'which', 'who', 'whom', 'whose', 'this', 'that', 'these',
  'those', 'there', 'here', 'it', 'its', 'i', 'we', 'you', 'he', 'she', 'they', 'me', 'us', 'him', 'her',
  'them', 'my', 'our', 'your', 'his', 'their', 'is', 'are', 'was', 'were', 'be', 'been', 'being', 'am',
  'do', 'does', 'did', 'have', 'has', 'had', 'can', 'could', 'shall', 'should', 'would', 'must', 'might',
  'not', 'no', 'yes', 'all', 'any', 'each', 'every', 'some', 'many', 'much', 'more', 'most', 'other',
  'such', 'only', 'also', 'just', 'very', 'too', 'please', 'thanks', 'thank', 'hello', 'hi', 'hey', 'dear',
  'however', 'therefore', 'meanwhile', 'yesterday', 'today', 'tomorrow', 'tonight', 'now', 'later',
  'first', 'second', 'third', 'last', 'next', 'our', 'see', 'note', 'chapter', 'section', 'page', 'figure',
  'table', 'version', 'release', 'step', 'part', 'item', 'total', 'summary', 'introduction', 'conclusion',
  // Heading words of technical text (READMEs, logs), where "Server Error" is not a person.
  'server', 'client', 'error', 'data', 'file', 'user', 'admin', 'api', 'app', 'default', 'example', 'usage',
  'install', 'options', 'config', 'license', 'docs', 'test', 'tests', 'build', 'debug', 'node', 'type', 'types',
];

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
  }
}

function buildNameLexicon(): NameLexicon {
  const flags = new Map<string, number>();
  const cjkGivenNames = new Set<string>();
  const cjkSurnameSet = new Set<string>();
  const placeNames = new Set<string>();

  for (const word of ROMANISED_EAST_ASIAN_GIVEN_NAMES) addFlag(flags, word, NameFlag.First);
  for (const word of ROMANISED_EAST_ASIAN_SURNAMES) addFlag(flags, word, NameFlag.Surname | NameFlag.EastAsianSurname);
  for (const word of VIETNAMESE_SURNAMES) addFlag(flags, word, NameFlag.Surname);
  for (const word of VIETNAMESE_MIDDLE_NAMES) addFlag(flags, word, NameFlag.First);
  for (const word of [...ENGLISH_FUNCTION_WORDS, ...NAMES_THAT_ARE_WORDS, ...calendarWords()]) addFlag(flags, word, NameFlag.Common);
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

  const cjkSurnames = [...cjkSurnameSet].sort((a, b) => b.length - a.length);
  return { flags, placeNames, cjkSurnames, cjkGivenNames };
}

let lexicon: NameLexicon | undefined;

/** The lexicon of this process or worker, built on first call. */
export function nameLexicon(): NameLexicon {
  lexicon ??= buildNameLexicon();
  return lexicon;
}
