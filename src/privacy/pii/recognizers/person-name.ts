import type { Finding } from '../entity-types.js';
import type { Recognizer } from '../recognizer.js';
import { CJK_PRESENT, findCjkNames } from './cjk-names.js';
import { NameFlag, nameLexicon, type NameLexicon } from './name-lexicon.js';

/**
 * Person names in any script, offline, from faker's name lists of ~70 locales (see
 * name-lexicon.ts) instead of an NER model: Presidio's spaCy NER is English-only and slow.
 *
 * - cased scripts (Latin, Cyrillic, Greek, Armenian): one hand-written pass over the text
 *   collects runs of capitalised tokens (particles "van", "de", "al" and initials between them);
 *   each run is scored from its tokens' list entries and shapes and from the cue before or after
 *   it ("my name is", "Customer", "Thanks,", a chat speaker's "Name:", an e-mail display name);
 * - spaced uncased scripts (Arabic, Hebrew, Devanagari, Thai, Georgian): two listed names side by side;
 * - Han, kana and Hangul: cjk-names.ts.
 *
 * The cased pass is a charCode loop, not a regex: the run regex plus a cue-phrase regex tried at
 * every position scanned name-dense text at ~20 MB/s; the loop looks at a character once and
 * builds strings only for capitalised tokens. Character classes are explicit BMP ranges: `\p{Lu}`
 * with the `u` flag measured 10x slower.
 */

const SCORE_LISTED_PAIR = 0.95;
const SCORE_CUED = 0.9;
const SCORE_EAST_ASIAN = 0.9;
const SCORE_LISTED_AND_UNKNOWN = 0.85;
const SCORE_PERSON_CUE = 0.85;
const RECOGNIZER = 'person_name.lexicon';

/** Lower-case particles between the words of a name ("Ludwig van Beethoven", "Jan de Vries"). */
const PARTICLES = new Set([
  'van', 'von', 'vom', 'de', 'der', 'den', 'del', 'della', 'degli', 'di', 'da', 'das', 'dos', 'do', 'du', 'la', 'le',
  'ter', 'ten', 'bin', 'binti', 'bint', 'ibn', 'al', 'el', 'y', 'zu', 'af', 'av', 'e',
]);
/** Capitalised particles that join a name but do not count as one of its words ("Maricel Dela Cruz", "Darragh Ó Briain"). */
const NAME_PARTICLES = new Set(['dela', 'de', 'del', 'della', 'da', 'di', 'van', 'von', 'le', 'la', 'ó', 'ní', 'nic', 'mac', 'bin', 'ibn', 'abu', 'ben', 'al', 'el', 'dos', 'das', 'du']);

/** Leading run tokens that are cues, not part of the name ("Dear John Smith", "Mr John Smith"). */
const CUE_TOKENS = new Set([
  'mr', 'mrs', 'ms', 'miss', 'mx', 'dr', 'prof', 'herr', 'frau', 'm', 'mme', 'mlle', 'sr', 'sra', 'srta', 'sig', 'dott', 'pan', 'pani',
  'sayın', 'г-н', 'г-жа', 'dear', 'hi', 'hello', 'señor', 'señora', 'signor', 'signora', 'dhr', 'mevr', 'bay', 'bayan', 'shri', 'smt',
  'ông', 'bà', 'chị', 'cô',
]);

/** Capitalised words inside a run, before a name, that make it a person ("Customer Ana Lima", "Met Ana Lima"). */
const PERSON_CUE_TOKENS = new Set([
  'customer', 'client', 'cliente', 'kunde', 'kundin', 'holder', 'owner', 'lead', 'met', 'visited', 'thanks', "i'm", 'i’m',
  'applicant', 'employee', 'patient', 'tenant', 'passenger', 'recipient', 'sender', 'visitor', 'guest', 'attendee',
  'speaker', 'contact', 'assignee', 'reporter', 'requester', 'subscriber', 'member', 'user',
]);

/** Words inside a run that make it an organisation, a place, an event or a product. */
const NON_PERSON_TOKENS = new Set([
  'inc', 'corp', 'corporation', 'ltd', 'llc', 'llp', 'plc', 'gmbh', 'ag', 'sa', 'sas', 'sarl', 'srl', 'spa', 'bv',
  'nv', 'ab', 'oy', 'co', 'company', 'group', 'holdings', 'bank', 'banco', 'banque', 'university', 'universität', 'université',
  'universidad', 'college', 'institute', 'foundation', 'association', 'society', 'motors', 'airlines',
  'airways', 'technologies', 'technology', 'systems', 'labs', 'software', 'pharmaceuticals', 'partners',
  'capital', 'ventures', 'media', 'studios', 'records', 'press', 'hotel', 'hospital', 'clinic', 'church',
  'school', 'academy', 'museum', 'library', 'station', 'airport', 'stadium', 'arena', 'centre', 'center',
  'street', 'st', 'road', 'rd', 'avenue', 'ave', 'boulevard', 'blvd', 'drive', 'court', 'square', 'terrace',
  'highway', 'hwy', 'parkway', 'pkwy', 'crescent', 'gardens', 'straße', 'strasse', 'platz', 'allee', 'gasse',
  'rue', 'calle', 'via', 'city', 'county', 'province', 'district', 'region', 'state', 'republic', 'kingdom',
  'beach', 'lake', 'island', 'islands', 'valley', 'mountain', 'mountains', 'heights', 'bridge', 'river',
  'ocean', 'sea', 'bay', 'cup', 'league', 'award', 'awards', 'prize', 'festival', 'day', 'act', 'law',
  'pro', 'max', 'plus', 'edition', 'series', 'model', 'cloud', 'azure', 'windows', 'office', 'studio',
  'santa', 'san', 'saint', 'sankt', 'fort', 'mount', 'cape', 'pier', 'garden', 'tower', 'towers', 'plaza', 'mall', 'castle',
  'palace', 'temple', 'zoo', 'services', 'service', 'web', 'house', 'hills', 'residency', 'apartments', 'enclave',
  // Indian locality words ("Shanti Kunj", "Anna Nagar"): housing societies and neighbourhoods.
  'nagar', 'kunj', 'vihar', 'colony', 'puram', 'ganj', 'bagh', 'marg', 'chowk', 'layout', 'sector',
]);

/** Words after a salutation that address a role, not a person ("Dear Sir", "Hi Team"). */
const SALUTATION_NOUNS = new Set([
  'sir', 'sirs', 'madam', 'madame', 'customer', 'customers', 'team', 'all', 'colleague', 'colleagues', 'friend',
  'friends', 'member', 'members', 'valued', 'hiring', 'manager', 'support', 'user', 'users', 'everyone',
  'there', 'folks', 'guys', 'reader', 'readers', 'client', 'applicant', 'candidate', 'editor', 'board', 'world',
]);

/**
 * Surname shapes that need no list: O'Connor, McAdams, Al-Farsi, Ivanova, Kowalska, Johansson,
 * Petrenko, Popescu, Yılmazoğlu, Hovhannisyan, Rezapour, Alizadeh, Papadopoulos, Georgiadis.
 */
const SURNAME_SHAPE =
  /^(?:(?:O['’]|Mc|Mac|Fitz)[A-Z\u00C0-\u00DE]|(?:Al|El|Ben|Bin|Abu|Ibn)-[A-Z\u00C0-\u00DE]|.{2,}(?:ov|ova|ev|eva|ski|ska|sky|wicz|enko|escu|sson|poulos|opoulou|idis|iadis|akis|ović|ovic|ić|yan|dze|shvili|oğlu|oglu|pour|zadeh)$)/;
/** Romanised Korean given names are two syllables joined by a hyphen ("Min-jun", "Hyun-woo"). */
const KOREAN_GIVEN_SHAPE = /^[A-Z][a-z]{1,4}-[a-z]{2,4}$/;
/** One or two Hanyu Pinyin syllables without tone marks ("Wei", "Xiaoling", "Haoran"). */
const PINYIN_SYLLABLE = '(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?(?:iang|iong|uang|ang|eng|ing|ong|uai|uan|ian|iao|ai|ei|ao|ou|an|en|in|un|ia|ie|iu|ua|uo|ui|ue|er|a|o|e|i|u|v)';
const PINYIN_GIVEN_SHAPE = new RegExp(`^(?:${PINYIN_SYLLABLE}){1,2}$`);

const NAME_BITS = NameFlag.First | NameFlag.Surname;
/** Synthetic bits for what a token's shape says; kept apart from the lexicon's bits. */
const SURNAME_SHAPED = 1 << 8;
const KOREAN_GIVEN_SHAPED = 1 << 9;
const PINYIN_SHAPED = 1 << 10;
/** Bits for the word sets above, so the scan tests a bit instead of looking a word up in a set. */
const CUE_TOKEN = 1 << 11;
const PERSON_CUE_TOKEN = 1 << 12;
const NON_PERSON_TOKEN = 1 << 13;
const NAME_PARTICLE = 1 << 14;
const SALUTATION_NOUN = 1 << 15;

/** How strongly the text around a run says it names a person. */
const enum Cue {
  None = 0,
  /** "Customer", "Thanks,", "I'm", a chat speaker: two or more name-shaped words are a name. */
  Person = 1,
  /** "My name is", "Mr", "Dear": even one capitalised word is a name. */
  Naming = 2,
}

/**
 * Cue words before a run, looked up by the one or two words right before it and the punctuation
 * between them and the run: a few Set lookups per run instead of a phrase regex tried at every
 * position of the text before it.
 */
const NAMING_WORDS = new Set(['named', 'heiße', 'heisse', 'llamo', 'chiamo', 'chamo', 'зовут', "m'appelle", 'm’appelle', 'adım', 'heter', 'naam']);
const NAMING_PAIRS = new Set(['name is', 'nombre es', 'nome é', 'naam is', 'name ist', 'na imię', 'nazywam się', 'tên là', 'tôi là']);
const NAMING_WORDS_BEFORE_COLON = new Set(['name', 'patient', 'contact', 'author', 'nom', 'nombre', 'nome', 'имя']);
const NAMING_WORDS_BEFORE_COMMA = new Set(['signed', 'regards', 'sincerely']);
const NAMING_WORDS_BEFORE_EQUALS = new Set(['name', 'holder', 'customer', 'subject', 'user', 'patient', 'fullname', 'full_name']);
const PERSON_WORDS = new Set([
  'customer', 'client', 'cliente', 'kunde', 'kundin', 'holder', 'owner', 'lead', 'assignee', 'reporter', 'requester', 'for', 'by',
  'met', 'visited', 'father', 'mother', 'husband', 'wife', 'son', 'daughter', 'brother', 'sister', 'applicant', 'employee',
  'tenant', 'passenger', 'recipient', 'sender', 'attn', 'soy', 'sono', 'ben', 'sou', 'jestem', 'thanks', 'cheers', 'best',
  "i'm", 'i’m', 'para', 'c/o', 'name',
]);
const PERSON_PAIRS = new Set([
  'i am', 'this is', 'ik ben', 'ich bin', 'je suis', 'thank you', 'maker is', 'nombre de', 'nom de', 'nome de', 'behalf of',
  'note that', 'ticket from', 'message from', 'email from', 'e-mail from', 'call from', 'note from', 'letter from',
  'request from', 'reply from',
]);
/** What follows a run that makes it a person: a verb of speech, a chat speaker's colon, an e-mail address. */
const PERSON_CUE_AFTER = /(?:[ \t]+(?:joined|says|said|wrote|asked|replied|changed|will collect)(?![a-z])|:[ \t]|[ \t]*<[^\s<>@]+@|[ \t]*\([^\s()@]+@)/y;
/** A CSV or TSV header whose column holds people's names. */
const NAME_COLUMN_PRESENT = /(?:name|applicant|customer|holder|employee|patient|contact|owner|person)"?(?:[,;\t|]|$)/i;
const NAME_COLUMN_HEADER = /^(?:full_?name|name|applicant|customer|holder|account_holder|employee|patient|contact|owner|person)$/i;

interface TokenInfo {
  readonly lower: string;
  /** NameFlag bits, plus the synthetic shape bits. */
  readonly flags: number;
  /** Two or more capitals and no lower-case letter ("XML", "NASA"). */
  readonly acronym: boolean;
}

interface Token extends TokenInfo {
  readonly start: number;
  readonly end: number;
  readonly initial: boolean;
}

/**
 * Token text -> what it is. Names repeat across records, so a token's lower-casing, list lookup
 * and shape tests run once per distinct spelling; cleared when large, as corpora are unbounded.
 */
const tokenInfoCache = new Map<string, TokenInfo>();
const TOKEN_CACHE_LIMIT = 100_000;

function infoOf(value: string, lexicon: NameLexicon): TokenInfo {
  let info = tokenInfoCache.get(value);
  if (info !== undefined) return info;
  const lower = value.toLowerCase();
  let flags = lexicon.flags.get(lower) ?? 0;
  if ((flags & NameFlag.Surname) === 0 && lower.length >= 5 && SURNAME_SHAPE.test(value)) flags |= SURNAME_SHAPED;
  if (KOREAN_GIVEN_SHAPE.test(value)) flags |= KOREAN_GIVEN_SHAPED;
  if (lower.length <= 8 && PINYIN_GIVEN_SHAPE.test(lower)) flags |= PINYIN_SHAPED;
  if (CUE_TOKENS.has(lower)) flags |= CUE_TOKEN;
  if (PERSON_CUE_TOKENS.has(lower)) flags |= PERSON_CUE_TOKEN;
  if (NON_PERSON_TOKENS.has(lower)) flags |= NON_PERSON_TOKEN;
  if (NAME_PARTICLES.has(lower)) flags |= NAME_PARTICLE;
  if (SALUTATION_NOUNS.has(lower)) flags |= SALUTATION_NOUN;
  info = { lower, flags, acronym: value.length > 1 && value === value.toUpperCase() };
  if (tokenInfoCache.size >= TOKEN_CACHE_LIMIT) tokenInfoCache.clear();
  tokenInfoCache.set(value, info);
  return info;
}

function isNameToken(flags: number): boolean {
  return (flags & (NAME_BITS | SURNAME_SHAPED)) !== 0;
}

function isCommon(flags: number): boolean {
  return (flags & NameFlag.Common) !== 0;
}

function isUnknown(flags: number): boolean {
  return (flags & (NAME_BITS | NameFlag.Common | NameFlag.Place | NameFlag.Street)) === 0;
}

/** A word that can be part of a name with no list behind it: listed as a name, or in no list at all. */
function isNameShaped(token: Token): boolean {
  if (token.acronym || token.initial || token.end - token.start < 2) return false;
  const flags = token.flags;
  if ((flags & NAME_BITS) !== 0) return true;
  return isUnknown(flags);
}

function isPlaceOnly(token: Token): boolean {
  return !token.acronym && (token.flags & (NameFlag.Place | NameFlag.Common)) === NameFlag.Place;
}

// ---------------------------------------------------------------------------------------------
// Character classes by code unit: Latin, Greek, Cyrillic and Armenian.

function isUpperCode(c: number): boolean {
  if (c < 0x80) return c >= 65 && c <= 90;
  if (c < 0xc0) return false;
  if (c <= 0xde) return c !== 0xd7;
  // Latin Extended and Latin Extended Additional mix cases letter by letter.
  if ((c >= 0x100 && c <= 0x24f) || (c >= 0x1e00 && c <= 0x1eff)) {
    const char = String.fromCharCode(c);
    return char !== char.toLowerCase();
  }
  return (c >= 0x386 && c <= 0x3ab && c !== 0x387) || (c >= 0x400 && c <= 0x42f) || (c >= 0x531 && c <= 0x556);
}

function isLetterCode(c: number): boolean {
  if (c < 0x80) return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  return (
    (c >= 0xc0 && c <= 0x24f && c !== 0xd7 && c !== 0xf7) ||
    (c >= 0x300 && c <= 0x36f) ||
    (c >= 0x386 && c <= 0x3ff) ||
    (c >= 0x400 && c <= 0x52f) ||
    (c >= 0x531 && c <= 0x587) ||
    (c >= 0x1e00 && c <= 0x1eff)
  );
}

/** Characters that continue a word or an identifier: a capital after one is not a word start ("iPhone", "user_Name"). */
function continuesWord(c: number): boolean {
  return isLetterCode(c) || (c >= 48 && c <= 57) || c === 39 || c === 0x2019 || c === 46 || c === 45 || c === 95 || c === 64;
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

/** End of the word starting at `start`: letters, with apostrophes and hyphens inside ("O'Connor", "Jean-Pierre"). */
function wordEnd(text: string, start: number): number {
  const n = text.length;
  let end = start + 1;
  for (;;) {
    while (end < n && isLetterCode(text.charCodeAt(end))) end++;
    const c = text.charCodeAt(end);
    if ((c === 39 || c === 0x2019 || c === 45) && end + 1 < n && isLetterCode(text.charCodeAt(end + 1))) {
      end++;
      continue;
    }
    return end;
  }
}

// ---------------------------------------------------------------------------------------------
// Runs of capitalised tokens.

/**
 * The run of capitalised tokens starting at `start` (a capital at a word start): tokens
 * separated by blanks, with up to two lower-case particles or an initial between them; an
 * honorific may end in a dot ("Mr. Smith"), any other dot ends the run (a sentence end).
 * Returns the tokens and where scanning goes on.
 */
function readRun(text: string, start: number, lexicon: NameLexicon, tokens: Token[]): number {
  const n = text.length;
  let at = start;
  for (;;) {
    const end = wordEnd(text, at);
    const next = text.charCodeAt(end);
    // "DE89 3704", "user@x": a token glued to digits or an address is an identifier.
    if ((next >= 48 && next <= 57) || next === 64 || next === 95) return tokens.length === 0 ? end : at;
    let after = end;
    if (next === 46) {
      const value = text.slice(at, end);
      const info = infoOf(value, lexicon);
      const initial = end - at === 1;
      if (!initial && (info.flags & CUE_TOKEN) === 0) {
        tokens.push({ start: at, end, initial: false, lower: info.lower, flags: info.flags, acronym: info.acronym });
        return end;
      }
      tokens.push({ start: at, end: initial ? end + 1 : end, initial, lower: info.lower, flags: info.flags, acronym: info.acronym });
      after = end + 1;
    } else {
      const info = infoOf(text.slice(at, end), lexicon);
      tokens.push({ start: at, end, initial: false, lower: info.lower, flags: info.flags, acronym: info.acronym });
    }
    let gap = after;
    while (gap < n && isBlank(text.charCodeAt(gap))) gap++;
    if (gap === after) return after;
    for (let particles = 0; gap < n && !isUpperCode(text.charCodeAt(gap)) && particles < 2; particles++) {
      const particleEnd = wordEnd(text, gap);
      if (particleEnd - gap > 6 || !isBlank(text.charCodeAt(particleEnd)) || !PARTICLES.has(text.slice(gap, particleEnd))) return after;
      gap = particleEnd;
      while (gap < n && isBlank(text.charCodeAt(gap))) gap++;
    }
    if (gap >= n || !isUpperCode(text.charCodeAt(gap))) return after;
    at = gap;
  }
}

/** Characters that may be capitals; the Latin Extended blocks mix cases and are checked per character. */
const CAPITAL_CANDIDATE = /[A-Z\u00C0-\u00DE\u0100-\u024F\u0386-\u03AB\u0400-\u042F\u0531-\u0556\u1E00-\u1EFF]/g;

function findCasedNames(text: string, lexicon: NameLexicon, nameColumnStarts: ReadonlySet<number> | undefined, out: Finding[]): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    // The regex engine finds the next capital-class character far faster than a charCode loop.
    CAPITAL_CANDIDATE.lastIndex = i;
    if (!CAPITAL_CANDIDATE.test(text)) return;
    i = CAPITAL_CANDIDATE.lastIndex - 1;
    if (!isUpperCode(text.charCodeAt(i))) {
      i++;
      continue;
    }
    if (i > 0 && continuesWord(text.charCodeAt(i - 1))) {
      i = wordEnd(text, i);
      continue;
    }
    const tokens: Token[] = [];
    const next = readRun(text, i, lexicon, tokens);
    if (tokens.length > 0) namesInRun(text, tokens, lexicon, nameColumnStarts?.has(i) === true, out);
    i = next > i ? next : i + 1;
  }
}

/** The cue around a run: naming and person words before it, speech verbs or a chat speaker's colon after it. */
function cueAround(text: string, start: number, end: number, inNameColumn: boolean): Cue {
  const before = cueBefore(text, start, false);
  if (before !== Cue.None) return before;
  if (inNameColumn) return Cue.Person;
  PERSON_CUE_AFTER.lastIndex = end;
  // A speech verb or a colon after the run makes it a speaker only where a sentence or line
  // starts ("[10:04] Ana Lima: hi", "Escalation: Ana Lima says"), not after "from Acme Corp".
  if (PERSON_CUE_AFTER.test(text) && startsClause(text, start)) return Cue.Person;
  return isDelimitedField(text, start, end) ? Cue.Person : Cue.None;
}

function isCueWordCode(c: number): boolean {
  return isLetterCode(c) || c === 39 || c === 0x2019 || c === 45 || c === 95 || c === 47;
}

/** The word ending at `end` (exclusive) on the same line, lower-cased, and where it starts; blanks before `end` skipped. */
function wordBefore(text: string, end: number): { word: string; start: number; punctuation: string } | undefined {
  let at = end;
  while (at > 0 && isBlank(text.charCodeAt(at - 1))) at--;
  const punctuationEnd = at;
  while (at > 0 && punctuationEnd - at < 3) {
    const c = text.charCodeAt(at - 1);
    if (c === 10 || isBlank(c) || isCueWordCode(c) || (c >= 48 && c <= 57)) break;
    at--;
  }
  const punctuation = text.slice(at, punctuationEnd);
  while (at > 0 && isBlank(text.charCodeAt(at - 1))) at--;
  const wordEndAt = at;
  while (at > 0 && wordEndAt - at < 16 && isCueWordCode(text.charCodeAt(at - 1))) at--;
  if (at === wordEndAt) return undefined;
  return { word: text.slice(at, wordEndAt).toLowerCase(), start: at, punctuation };
}

function cueBefore(text: string, start: number, namingOnly: boolean): Cue {
  // Cue words end in a letter or in ":", ",", "=", quotes or a dash: anything else (a digit, a dot) cannot be one.
  const c = start > 1 ? text.charCodeAt(isBlank(text.charCodeAt(start - 1)) ? start - 2 : start - 1) : 0;
  if (!isCueWordCode(c) && c !== 58 && c !== 44 && c !== 61 && c !== 34 && c !== 39 && c !== 45 && c !== 0x2014) return Cue.None;
  const last = wordBefore(text, start);
  if (last === undefined) return Cue.None;
  const { word, punctuation } = last;
  if (punctuation === '') {
    if (NAMING_WORDS.has(word)) return Cue.Naming;
  } else if (punctuation === ':') {
    if (NAMING_WORDS_BEFORE_COLON.has(word)) return Cue.Naming;
  } else if (punctuation === ',') {
    if (NAMING_WORDS_BEFORE_COMMA.has(word)) return Cue.Naming;
  } else if (punctuation[0] === '=') {
    if (NAMING_WORDS_BEFORE_EQUALS.has(word)) return Cue.Naming;
  }
  if (namingOnly && punctuation !== '') return Cue.None;
  const person = PERSON_WORDS.has(word) && (punctuation === '' || punctuation === ':' || punctuation === ',' || punctuation === '-' || punctuation === '—');
  if (punctuation !== '') return person ? Cue.Person : Cue.None;
  const previous = wordBefore(text, last.start);
  if (previous !== undefined && previous.punctuation === '') {
    const pair = `${previous.word} ${word}`;
    if (NAMING_PAIRS.has(pair)) return Cue.Naming;
    if (PERSON_PAIRS.has(pair) && !namingOnly) return Cue.Person;
  }
  return person && !namingOnly ? Cue.Person : Cue.None;
}

function startsClause(text: string, start: number): boolean {
  if (startsLine(text, start)) return true;
  let at = start;
  while (at > 0 && isBlank(text.charCodeAt(at - 1))) at--;
  const c = text.charCodeAt(at - 1);
  return c === 58 || c === 46;
}

/** Only blanks, or a bracketed time or channel ("[10:04]", "[support]"), between the line start and `start`. */
function startsLine(text: string, start: number): boolean {
  let at = start;
  while (at > 0 && isBlank(text.charCodeAt(at - 1))) at--;
  if (at > 0 && text.charCodeAt(at - 1) === 93) {
    const open = text.lastIndexOf('[', at - 1);
    if (open < 0 || at - open > 22) return false;
    at = open;
    while (at > 0 && isBlank(text.charCodeAt(at - 1))) at--;
  }
  return at === 0 || text.charCodeAt(at - 1) === 10;
}

function isSeparator(c: number): boolean {
  return c === 59 || c === 9 || c === 124;
}

/** A run that is a whole field of a `;`, tab or `|` separated line, or a quoted CSV field. */
function isDelimitedField(text: string, start: number, end: number): boolean {
  const before = start > 0 ? text.charCodeAt(start - 1) : 10;
  const after = end < text.length ? text.charCodeAt(end) : 10;
  if (isSeparator(before) && (isSeparator(after) || after === 10 || after === 13)) return true;
  if (before !== 34 || after !== 34) return false;
  const outer = start > 1 ? text.charCodeAt(start - 2) : 10;
  return outer === 10 || outer === 44 || isSeparator(outer);
}

/** The names inside one run of capitalised tokens. */
function namesInRun(text: string, tokens: Token[], lexicon: NameLexicon, inNameColumn: boolean, out: Finding[]): void {
  // "Mr Smith", "Dear Ana Lima": leading cue tokens make the rest a name.
  let lo = 0;
  let honorific = false;
  while (lo < tokens.length && (tokens[lo]!.flags & CUE_TOKEN) !== 0) {
    honorific = true;
    lo++;
  }
  const hi = tokens.length - 1;
  if (lo > hi) return;
  let anyNameShaped = honorific;
  for (let i = lo; i <= hi; i++) {
    const token = tokens[i]!;
    if ((token.flags & NON_PERSON_TOKEN) !== 0) return;
    if (!anyNameShaped && isNameShaped(token) && !(isCommon(token.flags) && (token.flags & NAME_BITS) === 0)) anyNameShaped = true;
  }
  // Most runs are sentence starts and headings of everyday words: no cue lookup for them.
  if (!anyNameShaped) return;
  // One word is a name only after a naming cue; person cues need two.
  let cue = honorific ? Cue.Naming : lo === hi ? cueBefore(text, tokens[lo]!.start, true) : cueAround(text, tokens[lo]!.start, tokens[hi]!.end, inNameColumn);
  if (cue === Cue.Naming && (tokens[lo]!.flags & SALUTATION_NOUN) !== 0) return;

  // Sentence-start words and headings: drop leading tokens that are not names.
  if (cue !== Cue.Naming) {
    while (lo <= hi) {
      const token = tokens[lo]!;
      // "… EUR Pan Konstanty Adamczyk": an honorific after the trimmed words is still a cue.
      if ((token.flags & CUE_TOKEN) !== 0) {
        cue = Cue.Naming;
        lo++;
        break;
      }
      if (isNameToken(token.flags) && !(isCommon(token.flags) && (token.flags & NameFlag.First) === 0)) break;
      // "Sun Ming", "Ma Hui": an East Asian surname that is also an everyday word, before a given name.
      if ((token.flags & NameFlag.EastAsianSurname) !== 0 && lo < hi && isEastAsianPair(token, tokens[lo + 1]!)) break;
      if ((token.flags & PERSON_CUE_TOKEN) !== 0) {
        cue = Cue.Person;
        lo++;
        continue;
      }
      if (isUnknown(token.flags) && !token.acronym && (cue === Cue.Person || joinsNext(tokens, lo))) break;
      if (cue === Cue.Person && isPlaceOnly(token)) break;
      lo++;
    }
  }
  // Words that are not names split the rest ("Der Antrag von Hans Müller" -> "Der", "Hans Müller").
  let segmentStart = lo;
  for (let i = lo; i <= hi + 1; i++) {
    if (i <= hi && belongsToName(tokens, i, cue, i === lo)) continue;
    if (i > segmentStart) {
      const finding = nameInSegment(text, tokens, segmentStart, i - 1, segmentStart === lo ? cue : Cue.None, lexicon);
      if (finding !== undefined) out.push(finding);
    }
    segmentStart = i + 1;
  }
}

/**
 * A listed, non-everyday surname or a surname shape after token `i`: the unknown word `i` is
 * then a given name ("Ulrike Wagner", "Siobhán O'Connor"), unless that surname is itself a given
 * name followed by another name ("Toplantıya Mehmet Yılmaz": the sentence's first word stays out).
 */
function joinsNext(tokens: readonly Token[], i: number): boolean {
  const next = tokens[i + 1];
  if (next === undefined) return false;
  if ((tokens[i]!.flags & KOREAN_GIVEN_SHAPED) !== 0 && (next.flags & NameFlag.EastAsianSurname) !== 0) return true;
  const surname = ((next.flags & NameFlag.Surname) !== 0 && !isCommon(next.flags)) || (next.flags & SURNAME_SHAPED) !== 0;
  if (!surname) return false;
  const after = tokens[i + 2];
  return (next.flags & NameFlag.First) === 0 || after === undefined || !isNameToken(after.flags);
}

function belongsToName(tokens: readonly Token[], i: number, cue: Cue, head: boolean): boolean {
  const token = tokens[i]!;
  if ((head && cue === Cue.Naming) || token.initial || isNameToken(token.flags)) return true;
  if ((token.flags & NAME_PARTICLE) !== 0) return i > 0 && i < tokens.length - 1;
  if (cue === Cue.Person && isPlaceOnly(token)) return true;
  if (!isUnknown(token.flags) || token.acronym) return false;
  if (cue !== Cue.None) return true;
  const previous = tokens[i - 1];
  const afterGivenName = previous !== undefined && ((previous.flags & NameFlag.First) !== 0 || (previous.flags & NameFlag.EastAsianSurname) !== 0);
  return afterGivenName || joinsNext(tokens, i);
}

function nameInSegment(text: string, tokens: readonly Token[], lo: number, hi: number, cue: Cue, lexicon: NameLexicon): Finding | undefined {
  while (hi >= lo && (tokens[hi]!.initial || (tokens[hi]!.flags & NAME_PARTICLE) !== 0)) hi--;
  while (hi > lo && isCommon(tokens[hi]!.flags) && !isNameToken(tokens[hi]!.flags)) hi--;
  if (lo > hi) return undefined;
  const last = tokens[hi]!.flags;
  // "Wiza Forest", "Arnoldo Path": a street name, left to the address recognizer.
  if (hi > lo && (last & NameFlag.Street) !== 0 && (isCommon(last) || (last & NAME_BITS) === 0) && !isEastAsianPair(tokens[lo]!, tokens[hi]!)) return undefined;

  const span = tokens.slice(lo, hi + 1);
  const words = span.filter((token) => !token.initial && !((token.flags & NAME_PARTICLE) !== 0 && token !== span[0]));
  if (words.length > 4) return undefined;
  const start = span[0]!.start;
  const end = span[span.length - 1]!.end;
  const score = scoreOf(words, cue);
  if (score === undefined) return undefined;
  // Every word of a listed place name carries the Place bit, so most names skip the lookup.
  if (words.length > 1 && words.every((word) => (word.flags & NameFlag.Place) !== 0) && lexicon.placeNames.has(text.slice(start, end).toLowerCase())) return undefined;
  return { start, end, type: 'person_name', score, recognizer: RECOGNIZER };
}

function scoreOf(words: readonly Token[], cue: Cue): number | undefined {
  if (words.length >= 2 && hasListedPair(words)) return SCORE_LISTED_PAIR;
  const head = words[0]!;
  if (cue === Cue.Naming) {
    // "Dear Will" is a name; "Dear Monday" is not: a common word after a cue must be a listed name.
    if (isCommon(head.flags) && (head.flags & NAME_BITS) === 0) return undefined;
    // "Name: XML": an acronym after a cue is a value, not a person.
    if (words.length === 1 && head.acronym) return undefined;
    return SCORE_CUED;
  }
  if (words.length < 2 || words.length > 3) return undefined;
  // After a person cue a word that is also a place may be a name ("Thanks, Montserrat Iglesias", "Michael Caldwell").
  if (!words.every((word) => isNameShaped(word) || (cue === Cue.Person && isPlaceOnly(word)))) return undefined;
  // Everyday words only count as names beside a word that is not one ("Heather Ashby", not "Rose Garden").
  if (words.every((word) => isCommon(word.flags))) return undefined;
  if (words.length === 2 && isEastAsianPair(words[0]!, words[1]!)) return SCORE_EAST_ASIAN;
  const listed = words.some((word) => (word.flags & (NAME_BITS | SURNAME_SHAPED)) !== 0 && !isCommon(word.flags) && word.lower.length >= 3);
  if (listed) return SCORE_LISTED_AND_UNKNOWN;
  return cue === Cue.Person ? SCORE_PERSON_CUE : undefined;
}

/** "Zhang Xiaoling", "Park Hyun-woo", "Hyun-woo Park": a romanised East Asian surname beside a given-name shape. */
function isEastAsianPair(a: Token, b: Token): boolean {
  const surnameA = (a.flags & NameFlag.EastAsianSurname) !== 0;
  const surnameB = (b.flags & NameFlag.EastAsianSurname) !== 0;
  if (surnameA && (b.flags & (PINYIN_SHAPED | KOREAN_GIVEN_SHAPED | NameFlag.First)) !== 0) return true;
  return surnameB && (a.flags & KOREAN_GIVEN_SHAPED) !== 0;
}

/** A listed first name and a listed surname, not both everyday words. */
function hasListedPair(words: readonly Token[]): boolean {
  for (let i = 0; i < words.length; i++) {
    const a = words[i]!.flags;
    if ((a & NameFlag.First) === 0) continue;
    for (let j = 0; j < words.length; j++) {
      const b = words[j]!.flags;
      if (i === j || (b & NameFlag.Surname) === 0) continue;
      if (!isCommon(a) || !isCommon(b)) return true;
    }
  }
  return false;
}

/**
 * Start offsets of the fields of a name column in CSV/TSV text whose first line is a header
 * naming one ("id,full_name,email"). Quoted fields with separators inside are rare in name
 * columns and only shift the count on their own line.
 */
function nameColumnStarts(text: string): Set<number> | undefined {
  const headerEnd = text.indexOf('\n');
  if (headerEnd < 0) return undefined;
  const header = text.slice(0, headerEnd).replace(/\r$/, '');
  if (!NAME_COLUMN_PRESENT.test(header)) return undefined;
  const separator = header.includes('\t') ? '\t' : header.includes(';') ? ';' : header.includes(',') ? ',' : undefined;
  if (separator === undefined) return undefined;
  const column = header.split(separator).findIndex((field) => NAME_COLUMN_HEADER.test(field.trim().replace(/^"|"$/g, '')));
  if (column < 0) return undefined;
  const starts = new Set<number>();
  let lineStart = headerEnd + 1;
  while (lineStart < text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    let fieldStart = lineStart;
    for (let field = 0; field < column && fieldStart <= lineEnd; field++) {
      const next = text.indexOf(separator, fieldStart);
      fieldStart = next < 0 || next > lineEnd ? lineEnd + 1 : next + 1;
    }
    if (fieldStart <= lineEnd) starts.add(text.charCodeAt(fieldStart) === 34 ? fieldStart + 1 : fieldStart);
    lineStart = lineEnd + 1;
  }
  return starts;
}

/** One cheap test keeps Latin and Cyrillic text out of the two scans below. */
const NON_CASED_SCRIPT_PRESENT = /[\u0590-\u10ff\u3040-\ud7af]/;
const UNCASED_SCRIPT_PRESENT = /[\u0590-\u06ff\u0750-\u07bf\u0900-\u09ff\u0e00-\u0e7f\u10a0-\u10ff]/;
/** Letters of Hebrew, Arabic, Thaana, Devanagari, Bengali, Thai and Georgian, without their punctuation. */
const UNCASED_WORD = '[\u0591-\u05f4\u0610-\u061a\u0620-\u0669\u066e-\u06d3\u06d5-\u06ff\u0750-\u077f\u0780-\u07bf\u0900-\u0963\u0966-\u097f\u0980-\u09ff\u0e01-\u0e5b\u10a0-\u10ff]+';
const UNCASED_RUN = new RegExp(`${UNCASED_WORD}(?:[ \\t]+${UNCASED_WORD})+`, 'g');
const UNCASED_TOKEN = new RegExp(UNCASED_WORD, 'g');

interface UncasedWord {
  readonly start: number;
  readonly end: number;
  readonly flags: number;
  /** A naming cue ("اسمي" my name is, "السيد" Mr): the words after it are likelier a name. */
  readonly cue: boolean;
}

const UNCASED_CUE_WORDS = new Set(['اسمي', 'أنا', 'انا', 'السيد', 'السيدة', 'الأستاذ', 'الدكتور', 'الدكتورة', 'العميل', 'שמי', 'मेरा', 'नाम']);

/** Scripts without capitals: two listed names side by side (first name and surname, either order). */
function findUncasedNames(text: string, lexicon: NameLexicon, out: Finding[]): void {
  UNCASED_RUN.lastIndex = 0;
  for (let run = UNCASED_RUN.exec(text); run !== null; run = UNCASED_RUN.exec(text)) {
    const words: UncasedWord[] = [];
    UNCASED_TOKEN.lastIndex = 0;
    for (let word = UNCASED_TOKEN.exec(run[0]); word !== null; word = UNCASED_TOKEN.exec(run[0])) {
      const start = run.index + word.index;
      words.push({ start, end: start + word[0].length, flags: lexicon.flags.get(word[0]) ?? 0, cue: UNCASED_CUE_WORDS.has(word[0]) });
    }
    for (let i = 0; i + 1 < words.length; i++) {
      const a = words[i]!;
      const b = words[i + 1]!;
      const aFirst = (a.flags & NameFlag.First) !== 0;
      const bFirst = (b.flags & NameFlag.First) !== 0;
      const pair =
        (aFirst && (b.flags & NameFlag.Surname) !== 0) ||
        ((a.flags & NameFlag.Surname) !== 0 && bFirst) ||
        // Arabic-script names are often a given name and the father's given name ("محمد علي").
        (aFirst && bFirst && a.end - a.start >= 3 && b.end - b.start >= 3) ||
        // "اسمي أحمد السيد": after a naming cue, a listed given name and an "al-" family name.
        (i > 0 && words[i - 1]!.cue && a.end - a.start >= 3 && b.end - b.start >= 4 && text.startsWith('ال', b.start));
      if (!pair) continue;
      let last = i + 1;
      // Further given names (father's, grandfather's) follow: take listed names up to four words.
      while (last + 1 < words.length && last - i < 3 && (words[last + 1]!.flags & NAME_BITS) !== 0) last++;
      out.push({ start: a.start, end: words[last]!.end, type: 'person_name', score: SCORE_LISTED_PAIR, recognizer: RECOGNIZER });
      i = last;
    }
  }
}

/** Cue and run scans can find the same name; keep the earliest, then the longest, then the best scored. */
function withoutOverlaps(findings: Finding[]): Finding[] {
  findings.sort((a, b) => a.start - b.start || b.end - a.end || b.score - a.score);
  const kept: Finding[] = [];
  for (const finding of findings) {
    const previous = kept[kept.length - 1];
    if (previous !== undefined && finding.start < previous.end) {
      if (finding.score > previous.score && finding.end - finding.start >= previous.end - previous.start) kept[kept.length - 1] = finding;
      continue;
    }
    kept.push(finding);
  }
  return kept;
}

export const personNameRecognizer: Recognizer = {
  name: RECOGNIZER,
  type: 'person_name',
  contextWords: ['name', 'named', 'mr', 'mrs', 'ms', 'dr', 'contact', 'patient', 'customer', 'employee', 'author', 'signed', 'dear', 'nom', 'nombre', 'имя'],
  negativeContextWords: ['street', 'avenue', 'road', 'inc', 'company', 'product', 'brand', 'city', 'hotel'],
  find(text: string): Finding[] {
    const lexicon = nameLexicon();
    const findings: Finding[] = [];
    findCasedNames(text, lexicon, text.includes('\n') ? nameColumnStarts(text) : undefined, findings);
    if (NON_CASED_SCRIPT_PRESENT.test(text)) {
      if (UNCASED_SCRIPT_PRESENT.test(text)) findUncasedNames(text, lexicon, findings);
      if (CJK_PRESENT.test(text)) findCjkNames(text, lexicon, RECOGNIZER, findings);
    }
    return findings.length > 1 ? withoutOverlaps(findings) : findings;
  },
};
