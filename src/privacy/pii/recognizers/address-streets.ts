import { compiledNow } from './address-compile.js';
import { isSpaceOrTab, windowStart } from './address-window.js';
import {
  asWrittenAndCapitals,
  DIRECTION,
  DISTRICT_PREFIX,
  ENGLISH_TYPES,
  ENGLISH_WEAK_TYPES,
  FRENCH_AMBIGUOUS_TYPES,
  FRENCH_PARTICLE_START,
  isUpperCase,
  JOINED_SUFFIX_WORDS,
  JOINED_SUFFIXES,
  LETTER,
  LOWER_CASE_ENGLISH_TYPES,
  NUMBER_FIRST_TYPES,
  NUMBER_MARK,
  PARTICLE,
  PREPOSITION,
  SEPARATE_TYPES_CAPITALISED,
  SEPARATE_TYPE_ENGLISH_WORDS,
  SEPARATE_TYPE_OTHER_WORDS,
  SEPARATE_TYPES_ENGLISH,
  SEPARATE_TYPES_OTHER,
  TYPE_FIRST_SPELLINGS,
  TYPE_FIRST_TYPES,
  UPPER,
  WEAK_SUFFIX,
  WEAK_TYPE_FIRST,
  WORD,
} from './address-words.js';
import { alternation, endingAlternation } from './word-alternation.js';

/**
 * Street layouts, each tried at a number that may be a house number: number first, number after
 * a typed street, an untyped street with a postcode after it, a building or box label first, a
 * Colombian grid address, romanised Japanese and Korean. The words they use are in address-words.ts.
 */

export type Layout = 'number-first' | 'untyped-number-first' | 'number-after' | 'postcode-anchored' | 'building-first' | 'po-box' | 'grid' | 'romanised' | 'lower-case';

export interface Street {
  start: number;
  end: number;
  layout: Layout;
  /** A street type that is also a common noun ("Park", "Ring"): taken only with a unit, locality or postcode after it. */
  needsTail: boolean;
  /** The address must end where a part may end, not inside a sentence going on ("Windows 10, 2004 Update is out"). */
  needsPartEnd?: boolean;
}

/** A whole word (no backtracking into it, which cost as much as the rest of the match), maybe cut short ("St. John's Road"), or an ordinal. */
const WHOLE_WORD = `${WORD}(?![${LETTER}'’-])`;
const ENGLISH_NAME_WORD = `(?:${WHOLE_WORD}\\.?|\\d{1,3}(?:st|nd|rd|th)(?![${LETTER}]))`;
/**
 * The number-first prefix: "12", "221B", "123 1/2" (USPS fractional), "10-123" (Canada Post
 * unit-civic), "5/12" (Australia Post unit/number), "12-B", then a space or a comma ("12, MG Road", India).
 */
const NUMBER_FIRST_PREFIX = String.raw`\d{1,6}[A-Za-z]?(?:[-/](?:\d{1,5}[A-Za-z]?|[A-Za-z](?![A-Za-z])))?(?:[ \t]1\/2)?(?:,[ \t]*|[ \t]+)`;
/** "4500 N. Lincoln Avenue", "O'Connell Street Upper", "Ang Mo Kio Avenue 3" (Singapore numbered streets). */
const NUMBER_FIRST_ENGLISH_STREET = String.raw`(?:${DIRECTION}[ \t]+)?${ENGLISH_NAME_WORD}(?:[ \t]+${ENGLISH_NAME_WORD}){0,3}[ \t]+(?:(?<strongType>${ENGLISH_TYPES})|${ENGLISH_WEAK_TYPES})(?![-${LETTER}])\.?(?:[ \t]+(?:${DIRECTION}|Upper|Lower|Extension)(?![${LETTER}]))?(?:[ \t]+\d{1,3}(?=[ \t]*(?:[,\n#]|$)))?`;
/**
 * A number and a name without a type word ("12 Nguyễn Huệ, Phường Bến Nghé, Quận 1": Vietnamese
 * addresses seldom write "đường"): an address only with a prefixed district after it.
 */
const NUMBER_FIRST_UNTYPED = String.raw`\d{1,4}[A-Za-z]?(?:\/\d{1,3})?[ \t]+${WHOLE_WORD}(?:[ \t]+${WHOLE_WORD}){0,3}(?=,[ \t]+(?:[^,\n]{1,40},[ \t]+)?${DISTRICT_PREFIX})`;
const US_STATES = 'AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR';
/** Chat in lower case ("42 elm st, boston ma 02118"): only with the city, state and ZIP code, which the rest of the pattern lacks. */
const LOWER_CASE_ENGLISH = String.raw`\d{1,6}[a-z]?[ \t]+[a-z]{2,}(?:[ \t]+[a-z]{2,}){0,2}[ \t]+(?:${LOWER_CASE_ENGLISH_TYPES})\.?(?:,?[ \t]+(?:apt|unit|ste|suite)\.?[ \t]*#?[a-z0-9-]{1,6}|,?[ \t]+#[a-z0-9-]{1,6})?,?[ \t]+[a-z]{3,}(?:[ \t]+[a-z]{3,}){0,2},?[ \t]+(?:${US_STATES.toLowerCase()})[ \t]+\d{5}(?:-\d{4})?(?![\d-])`;

/** Street name words after a type word: capitalised, with particles between ("de la Paix", "Lê Lợi"), or a title cut short ("Jend.", "Gral."). */
const NAME_WORD = `(?:[${UPPER}][a-z]{1,4}\\.(?=[ \\t])|${WORD})`;
// At most three particles in a row ("de la", "van der"): an unbounded repeat overflowed the regex
// engine's stack on a line of millions of characters ("12 rue lalala…").
const TYPED_NAME = `(?:${PARTICLE}[ \\t]*){0,3}${NAME_WORD}(?:[ \\t]+(?:${PARTICLE}[ \\t]*){0,3}${NAME_WORD}){0,4}`;
const NUMBER_FIRST_TYPED = String.raw`\d{1,4}(?:[ \t]?(?:bis|ter|quater|[A-D])(?![${LETTER}]))?,?[ \t]+(?:(?<frenchType>${asWrittenAndCapitals(FRENCH_AMBIGUOUS_TYPES)})|${alternation(FRENCH_AMBIGUOUS_TYPES.map((type) => type.toLowerCase()))}|${NUMBER_FIRST_TYPES}|Jalan|JALAN|Jln\.?|Jl\.)[ \t]+(?<name>${TYPED_NAME})`;

const BEFORE_NUMBER = String.raw`(?:,?[ \t]*${NUMBER_MARK}[ \t]*|,?[ \t]+)`;
/** The whole street from its type word to the number, matched forwards from a word start. */
const TYPE_FIRST_STREET = compiledNow(new RegExp(`(?:${TYPE_FIRST_TYPES})[ \\t]*${TYPED_NAME}${BEFORE_NUMBER}(?=\\d)`, 'y'));
/** Type word, up to five name words with particles, and a number mark: seven words at most. */
const TYPE_FIRST_MAX_WORDS = 7;
/** The first two code units of the text at `i`, as one number. */
const firstTwo = (text: string, i: number) => text.charCodeAt(i) * 0x10000 + text.charCodeAt(i + 1);
/**
 * How the types written first begin: TYPE_FIRST_STREET is tried only at words that begin so. Of the
 * 36,000 words before the numbers of 4 MB of PII-dense text, 5,000 do; trying it at every word
 * took a sixth of the search's time.
 */
const TYPE_FIRST_STARTS = new Set(TYPE_FIRST_SPELLINGS.map((type) => firstTwo(type, 0)));
/**
 * Whether a UTF-16 code unit ends a word read backwards: white space (the code units of \s) or
 * , ; : " (. A test per character, where a regex test per character cost 1 ms per 4 MB of PII.
 */
function isWordEnd(code: number): boolean {
  if (code < 0x80) return code === 32 || (code >= 9 && code <= 13) || code === 44 || code === 59 || code === 58 || code === 34 || code === 40;
  return code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff;
}
const PARTICLE_WORD = new RegExp(`${PARTICLE}(?:[ \\t]|(?<=['’]))`, 'y');
/** "et al. Smith 2019" is a citation, not "al." (Polish aleja). */
const ET_BEFORE = /[Ee]t[ \t]$/;

/**
 * A joined street type after the number, as Swiss and Luxembourg addresses may be written ("12
 * Hauptstrasse"). The suffix is checked once at the word's end: trying the alternation at every
 * letter of the word cost more than the rest of the number-first layouts together.
 */
const NUMBER_FIRST_JOINED_STREET = String.raw`[${UPPER}][${LETTER}'’-]*(?![${LETTER}'’-])(?<=${endingAlternation(JOINED_SUFFIX_WORDS)})`;
/** One-word streets named with "-way" ("88 Queensway", "Kingsway"): taken only with more after them. */
const NUMBER_FIRST_WAY_STREET = String.raw`[A-Z][a-z]{2,}way(?![A-Za-z'’-])`;
/** The capitalised number-first layouts, so the number and its separator are read once. */
const NUMBER_FIRST_CAPITALISED = `${NUMBER_FIRST_PREFIX}(?:${NUMBER_FIRST_ENGLISH_STREET}|(?<joined>${NUMBER_FIRST_JOINED_STREET})|(?<way>${NUMBER_FIRST_WAY_STREET}))`;

/**
 * Whether a suffix or type ends right before the number and its mark. The words are tested in a
 * lookbehind of their own: written after the mark's alternatives, irregexp compiled a copy of them
 * for each way through the mark, and the pattern took 3 ms to compile instead of 0.5 ms.
 */
const SUFFIX_BEFORE = compiledNow(new RegExp(
  `(?<=(?<=${endingAlternation([...JOINED_SUFFIX_WORDS, ...SEPARATE_TYPE_OTHER_WORDS, ...SEPARATE_TYPE_ENGLISH_WORDS])})\\.?${BEFORE_NUMBER})`,
  'y',
));
const NAME_WORDS = `${WORD}(?:[ \\t]+${WORD}){0,2}`;
/** The street that ends right before the number, by kind: joined suffix, capitalised separate type, other separate type, English type. */
const SUFFIX_STREET = compiledNow(new RegExp(
  String.raw`(?:^|[^${LETTER}\d'’.-])(?:(${WORD}[ \t]+(?:${SEPARATE_TYPES_CAPITALISED}))|([${UPPER}][${LETTER}'’-]*(?:${JOINED_SUFFIXES}))|(${NAME_WORDS}[ \t]+(?:${SEPARATE_TYPES_OTHER}))|(${NAME_WORDS}[ \t]+(?:${SEPARATE_TYPES_ENGLISH})))\.?${BEFORE_NUMBER}$`,
));
/** Runs of spaces in SUFFIX_STREET after its boundary: two between the name words, one before the type, two around a number mark. */
const SUFFIX_STREET_RUNS = 5;

/**
 * House numbers after the street: "12", "5a", "10/12", "45/3/12" (AT house/staircase/door),
 * "832/19" (CZ), "12-II" (NL floor), "7/B", "12 A 5" (FI staircase and flat).
 */
const NUMBER_AFTER = new RegExp(
  String.raw`\d{1,5}[A-Za-z]?(?:[-/](?:\d{1,4}[A-Za-z]?|[A-Za-z](?![A-Za-z])|[IVX]{1,3}(?![A-Za-z]))){0,8}(?:[ \t][A-H](?:[ \t]?\d{1,3})?(?![\w:.]))?(?![\d${LETTER}])`,
  'y',
);
/** NUMBER_AFTER's most digits: a longer number is no house number written after its street. */
const NUMBER_AFTER_DIGITS = 5;

/** Four digits alone are as often a year as a postcode. */
const FOUR_DIGITS_FOLLOW = /,?[ \t]*(?:\r?\n[ \t]*)?\d{4}[ \t]/y;

/**
 * The name of a street without a type word: one word of three letters or more ("Model X 90D" is
 * not one), or a preposition or adjective and its article ("Unter den Linden", "Am Markt", "An
 * der Alster", "Gran Vía").
 */
const UNTYPED_STREET = new RegExp(String.raw`(?:^|[^${LETTER}\d'’.-])((?:(?:${PREPOSITION})[ \t]+(?:${PARTICLE}[ \t]+)*)?(?=[${LETTER}]{3})${WORD})[ \t]+$`);
/** A street without a type word is an address only when a postcode and city follow ("Damrak 1, 1012 LG Amsterdam", "Národní 9, 110 00 Praha"). */
const POSTCODE_FOLLOWS = compiledNow(new RegExp(
  String.raw`(?=(?:[ \t]+(?:bus|bte|boîte|app\.?|apt\.?)[ \t]*\w{1,4})?,?[ \t]*(?:\r?\n[ \t]*)?(?:[A-Z]{1,2}-)?(?:\d{4,5}|\d{3}[ \t]\d{2}|\d{2}-\d{3}|\d{4}[ \t]?[A-Z]{2}|\d{4}-\d{3})[ \t]+[${UPPER}])`,
  'y',
));

/** A building or plot number first, its street later: "Flat 12B, …", "House No. 7, …", "Plot 1234, …", "No. 5, …" (India, Nigeria, Malaysia, Gulf). */
const BUILDING_LABEL = String.raw`(?:(?:^|[^${LETTER}])(?:(?:House|H\.)[ \t]?No\.?|Flat|Plot|Door|Shop|Apartment|Apt\.?|Unit|Suite|Office|Level|Building|Bldg\.?|Block|Blk|Lot|No\.?|Villa|House)(?:[ \t]+No\.?)?[ \t]*#?|(?:^|[\s,"'(])(?:[A-Z]-|#))`;
const BUILDING_BEFORE = compiledNow(new RegExp(`(?<=${BUILDING_LABEL})`, 'y'));
// At most eight suffixes, as in the house number above: bounded repeats keep the regex engine's
// stack bounded on a line of millions of characters.
const BUILDING_NUMBER = /\d{1,5}[A-Za-z]?(?:[-/]\d{1,4}[A-Za-z]?){0,8}(?=,)/y;
/** BUILDING_NUMBER's most digits, as GRID_DIGITS are GRID_NUMBER's. */
const BUILDING_DIGITS = 5;
/** Post office boxes: USPS "PO Box", Posta Kenya "P.O. Box 30197-00100", "Postfach 10 20 30", "Apartado", "Caixa Postal", "B.P.". */
const PO_BOX_LABEL = String.raw`(?:^|[^${LETTER}])(?:P\.?[ \t]?O\.?[ \t]?Box|P\.O\.B\.?|POB|Post[ \t]Office[ \t]Box|Postfach|Apartado(?:[ \t]de[ \t]Correos)?|Apdo\.|Caixa[ \t]Postal|Casilla|Postbus|B\.P\.|BP)[ \t]*`;
const PO_BOX_BEFORE = new RegExp(`(?<=${PO_BOX_LABEL})`, 'y');
/** Where a label ends right before the number, to find where it starts: the label without its boundary character. */
const LABEL_START = compiledNow(new RegExp(`(?:${BUILDING_LABEL}|${PO_BOX_LABEL})$`));
const PO_BOX_NUMBER = /\d{1,6}(?:-\d{5}|(?: \d{2}){1,3})?(?![\w-])/y;
/** Colombian grid addresses: "Calle 93 # 11-26" (street number, then the cross street and the distance from it). */
const GRID_BEFORE = new RegExp(String.raw`(?<=(?:^|[^${LETTER}])(?:Calle|Cl\.|Cll\.|Carrera|Cra\.|Kr\.|Cr\.|Avenida|Av\.|Ak\.|Ac\.|Transversal|Tv\.|Diagonal|Dg\.)[ \t]*)`, 'y');
const GRID_DIGITS = 3;
const GRID_NUMBER = /\d{1,3}[A-Z]?(?:[ \t]?[Bb]is)?(?:[ \t]+(?:Sur|Norte|Este|Oeste))?[ \t]*(?:#|No\.?|N[º°o]\.?)[ \t]*\d{1,3}[A-Z]?[ \t]*-[ \t]*\d{1,3}(?:[ \t]+(?:Sur|Norte|Este))?(?![\w-])/y;
const GRID_TYPE = new RegExp(`(?:^|[^${LETTER}])((?:Calle|Cl\\.|Cll\\.|Carrera|Cra\\.|Kr\\.|Cr\\.|Avenida|Av\\.|Ak\\.|Ac\\.|Transversal|Tv\\.|Diagonal|Dg\\.)[ \\t]*)$`);
/** Romanised Korean road-name addresses: building number, road ("-ro", "-gil"), district ("152 Teheran-ro, Gangnam-gu"). */
const ROMANISED_KOREAN = String.raw`\d{1,4}(?:-\d{1,4})?[ \t]+${WORD}-(?:ro|gil|daero)(?:[ \t]+\d{1,3}(?:beon)?-gil)?(?=,[ \t]*${WORD}-(?:gu|si|gun)(?![A-Za-z]))`;
/** Romanised Japanese: chōme-banchi-gō, then the district and the ward ("4-28-6 Tenjin, Chuo-ku, Fukuoka"). */
const ROMANISED_JAPANESE = String.raw`\d{1,2}-\d{1,2}(?:-\d{1,3})?[ \t]+${WORD},[ \t]*${WORD}-(?:ku|shi|cho|machi|gun|mura)(?![A-Za-z])`;
/**
 * The number-first layouts in one pattern, likeliest first; the group named after each tells
 * which matched. One run at each number instead of one per layout (up to six) took a tenth off
 * the recognizer's time on prose.
 */
const NUMBER_FIRST = compiledNow(new RegExp(
  `(?<capitalised>${NUMBER_FIRST_CAPITALISED})|(?<typed>${NUMBER_FIRST_TYPED})|(?<lowerCase>${LOWER_CASE_ENGLISH})|(?<romanised>${ROMANISED_JAPANESE}|${ROMANISED_KOREAN})|(?<untyped>${NUMBER_FIRST_UNTYPED})`,
  'y',
));

/**
 * Words before a number that make it a count, a rank or an identifier, not a house number
 * ("Chapter 5 Street Fighter", "top 10 Park Avenue hotels", "version 2 Road Map").
 */
const NOT_A_HOUSE_NUMBER_BEFORE = compiledNow(/(?:^|[^A-Za-z])(?:chapter|version|v|page|section|step|part|volume|vol|episode|season|level|figure|fig|table|item|top|than|over|under|about|only|number|issue|rule|article|art|grade|year|years|day|days)\.?[ \t]*$/i);
/** A year after "in", "since", … ("In 2023 Main Street Bank opened"). */
const YEAR_BEFORE = /(?:^|[^A-Za-z])(?:in|since|by|from|until|till|during|before|after|circa|ca)\.?[ \t]*$/i;
const YEAR = /^(?:18|19|20)\d\d$/;
const STREET_NAME_CHAR = new RegExp(`[${LETTER}'’.-]`);
const LOOKBACK = 80;

const NEWLINE = 10;
const HASH = 35;
const COMMA = 44;
const DASH = 45;
const SLASH = 47;
const isAsciiLetter = (code: number) => (code >= 65 && code <= 90) || (code >= 97 && code <= 122);

function sticky(pattern: RegExp, text: string, index: number): RegExpExecArray | null {
  pattern.lastIndex = index;
  return pattern.exec(text);
}

function matchesAt(pattern: RegExp, text: string, index: number): boolean {
  pattern.lastIndex = index;
  return pattern.test(text);
}

/**
 * A year in a copyright line: right after "Copyright", "(c)", "©" or another year or year range
 * ("Copyright 2002, 2003 CodeFactory AB", "Copyright 1984-1994, 1998 The Open Group", "(c)
 * Copyright 1990 1991 Tektronix, Inc"), or opening a line under a line that opens with a year
 * (Debian copyright files: "  2001 Hidetoshi Tajima\n  2021 Iain Lane").
 */
const COPYRIGHT_YEAR = /^(?:19|20)\d\d(?!\d)/;
const COPYRIGHT_BEFORE = /(?:(?:^|[^A-Za-z])copyright|\([cC]\)|©|(?:^|[^\d.:-])(?:19|20)\d\d(?:[ \t]*[-–][ \t]*(?:19|20)?\d\d)?)[ \t]*,?[ \t]*$/i;
const YEAR_LINE = /^[ \t]*(?:Copyright:?[ \t]*)?(?:\([cC]\)[ \t]*|©[ \t]*)?(?:19|20)\d\d(?!\d)/;
const PREVIOUS_LINE_LOOKBACK = 200;

function isCopyrightYear(text: string, index: number, before: string): boolean {
  if (!COPYRIGHT_YEAR.test(text.slice(index, index + 5))) return false;
  if (COPYRIGHT_BEFORE.test(before)) return true;
  let lineStart = index;
  while (lineStart > 0 && (text.charCodeAt(lineStart - 1) === 0x20 || text.charCodeAt(lineStart - 1) === 0x09)) lineStart--;
  if (lineStart === 0 || text.charCodeAt(lineStart - 1) !== NEWLINE) return false;
  const previousEnd = lineStart - 1;
  const previousStart = text.lastIndexOf('\n', previousEnd - 1) + 1;
  return previousEnd - previousStart <= PREVIOUS_LINE_LOOKBACK && YEAR_LINE.test(text.slice(previousStart, previousEnd));
}

function isHouseNumber(text: string, index: number, numberEnd: number): boolean {
  const before = text.slice(Math.max(0, index - 12), index);
  if (NOT_A_HOUSE_NUMBER_BEFORE.test(before) || isCopyrightYear(text, index, before)) return false;
  return !(numberEnd - index === 4 && YEAR.test(text.slice(index, numberEnd)) && YEAR_BEFORE.test(before));
}

/** Lookbehinds at a regex's start cost a check at every position; word starts are checked here instead. */
function startsWord(text: string, index: number): boolean {
  return index === 0 || !STREET_NAME_CHAR.test(text[index - 1]!);
}

function numberFirst(text: string, index: number, numberEnd: number): Street | null {
  const match = sticky(NUMBER_FIRST, text, index);
  if (match === null) return null;
  const { capitalised, typed, lowerCase, romanised, strongType, joined, way, frenchType, name } = match.groups!;
  const end = index + match[0].length;
  if (romanised !== undefined) return { start: index, end, layout: 'romanised', needsTail: false };
  if (!isHouseNumber(text, index, numberEnd)) return null;
  if (capitalised !== undefined) {
    const needsTail = joined !== undefined ? WEAK_SUFFIX.test(joined) : way !== undefined || strongType === undefined;
    return { start: index, end, layout: 'number-first', needsTail };
  }
  if (typed !== undefined) return { start: index, end, layout: 'number-first', needsTail: frenchType !== undefined && !FRENCH_PARTICLE_START.test(name!) };
  if (lowerCase !== undefined) return { start: index, end, layout: 'lower-case', needsTail: false };
  return { start: index, end, layout: 'untyped-number-first', needsTail: true };
}

/**
 * Start of the street whose type word comes first and whose number is at `index` ("Via Roma 12",
 * "C/ Mayor, 10", "Jl. Sudirman No. 5"), or -1: each word start before the number is tried,
 * nearest first, with a forward match. A lookbehind doing the same tried every split of the
 * words into name and particles against every type word, and cost three times as much.
 */
function typeFirstStart(text: string, index: number): number {
  // Within LOOKBACK: stepping back over a word of any length, at every number after it, was
  // quadratic ("A#1#1#1…", minified CSS took minutes a megabyte).
  const limit = Math.max(0, index - LOOKBACK);
  let i = index;
  for (let words = 0; words < TYPE_FIRST_MAX_WORDS; words++) {
    while (i > limit && (isSpaceOrTab(text.charCodeAt(i - 1)) || (words === 0 && text.charCodeAt(i - 1) === COMMA))) i--;
    if (i === 0 || text.charCodeAt(i - 1) === NEWLINE) return -1;
    while (i > limit && !isWordEnd(text.charCodeAt(i - 1))) i--;
    if (i === limit && limit > 0) return -1; // the word reaches past the lookback
    if (TYPE_FIRST_STARTS.has(firstTwo(text, i))) {
      TYPE_FIRST_STREET.lastIndex = i;
      if (TYPE_FIRST_STREET.test(text) && TYPE_FIRST_STREET.lastIndex === index) return ET_BEFORE.test(text.slice(Math.max(0, i - 3), i)) ? -1 : i;
    }
    if (i === 0 || !isSpaceOrTab(text.charCodeAt(i - 1))) return -1;
    // Between the type and the number stand capitalised words, particles and a number mark; anything else ends the search.
    if (words > 0 && !isUpperCase(text.charCodeAt(i)) && !matchesAt(PARTICLE_WORD, text, i)) return -1;
  }
  return -1;
}

/** End of the house number written after its street at `index`, or -1. */
function numberAfterEnd(text: string, index: number): number {
  return matchesAt(NUMBER_AFTER, text, index) ? NUMBER_AFTER.lastIndex : -1;
}

/**
 * The street before the number: a type word first ("Via Roma 12") or last ("Hauptstraße 5",
 * "Andrássy út 12"). After the number's length (to `numberEnd`), the street is looked for before
 * the number's own pattern, which most numbers match.
 */
function numberAfter(text: string, index: number, numberEnd: number): Street | null {
  if (numberEnd - index > NUMBER_AFTER_DIGITS) return null;
  const typeFirst = typeFirstStart(text, index);
  if (typeFirst >= 0) {
    const end = numberAfterEnd(text, index);
    return end < 0 ? null : { start: typeFirst, end, layout: 'number-after', needsTail: WEAK_TYPE_FIRST.test(text.slice(typeFirst, typeFirst + 16)) };
  }
  if (matchesAt(SUFFIX_BEFORE, text, index)) {
    const end = numberAfterEnd(text, index);
    if (end < 0) return null;
    const street = SUFFIX_STREET.exec(text.slice(windowStart(text, index, SUFFIX_STREET_RUNS, LOOKBACK), index));
    if (street === null) return null;
    const [whole, capitalisedType, joined, otherType, englishType] = street;
    const start = index - whole.length + whole.indexOf((capitalisedType ?? joined ?? otherType ?? englishType)!);
    const needsTail = englishType !== undefined || (joined !== undefined && WEAK_SUFFIX.test(joined.replace(/\.$/, ''))) || /(?:Ring|Markt)$/.test(capitalisedType ?? '');
    return { start, end, layout: 'number-after', needsTail };
  }
  if (text[index - 1] !== ' ') return null;
  const end = numberAfterEnd(text, index);
  if (end >= 0 && matchesAt(POSTCODE_FOLLOWS, text, end) && isHouseNumber(text, index, index)) {
    const street = UNTYPED_STREET.exec(text.slice(Math.max(0, index - LOOKBACK), index));
    if (street !== null) {
      const start = index - street[0].length + street[0].indexOf(street[1]!);
      return { start, end, layout: 'postcode-anchored', needsTail: true, needsPartEnd: matchesAt(FOUR_DIGITS_FOLLOW, text, end) };
    }
  }
  return null;
}

/** Start of the building or box label that ends at `index`. */
function labelStart(text: string, index: number): number {
  const label = LABEL_START.exec(text.slice(Math.max(0, index - 24), index))!;
  const boundary = label[0].length > 0 && !/[A-Za-z]/.test(label[0][0]!) ? 1 : 0;
  return index - label[0].length + boundary;
}

/**
 * A building's or grid address's number is matched before its label: most numbers fail it (no
 * comma or "#" after them), and sooner. Before either pattern, the number's length (to
 * `numberEnd`) and the character after it turn away, in PII-dense text, half the numbers the
 * building pattern would try and four in five the grid pattern would.
 */
function labelled(text: string, index: number, numberEnd: number): Street | null {
  // Read past the end, charCodeAt's NaN made V8 throw away the optimised caller.
  const next = numberEnd < text.length ? text.charCodeAt(numberEnd) : 0;
  if (numberEnd - index <= BUILDING_DIGITS && (next === COMMA || next === DASH || next === SLASH || isAsciiLetter(next)) && matchesAt(BUILDING_NUMBER, text, index)) {
    const end = BUILDING_NUMBER.lastIndex;
    if (matchesAt(BUILDING_BEFORE, text, index)) return { start: labelStart(text, index), end, layout: 'building-first', needsTail: true };
  }
  if (matchesAt(PO_BOX_BEFORE, text, index)) {
    const number = sticky(PO_BOX_NUMBER, text, index);
    if (number !== null) return { start: labelStart(text, index), end: index + number[0].length, layout: 'po-box', needsTail: true };
  }
  if (numberEnd - index <= GRID_DIGITS && (isSpaceOrTab(next) || next === HASH || isAsciiLetter(next)) && matchesAt(GRID_NUMBER, text, index)) {
    const end = GRID_NUMBER.lastIndex;
    const type = matchesAt(GRID_BEFORE, text, index) ? GRID_TYPE.exec(text.slice(Math.max(0, index - 16), index)) : null;
    if (type !== null) return { start: index - type[1]!.length, end, layout: 'grid', needsTail: false };
  }
  return null;
}

/**
 * The first street, likeliest layout first, that the number from `index` to `numberEnd` may
 * belong to and that `accept` turns into an address; the address scan (address-scan.ts) has
 * told whether a street may follow the number or precede it.
 */
export function firstAddress<T>(
  text: string,
  index: number,
  numberEnd: number,
  streetMayFollow: boolean,
  streetMayPrecede: boolean,
  accept: (text: string, street: Street) => T | null,
): T | null {
  const first = streetMayFollow ? numberFirst(text, index, numberEnd) : null;
  const fromFirst = first === null ? null : accept(text, first);
  if (fromFirst !== null || !streetMayPrecede) return fromFirst;
  const after = numberAfter(text, index, numberEnd);
  const fromAfter = after === null || !startsWord(text, after.start) ? null : accept(text, after);
  if (fromAfter !== null) return fromAfter;
  const label = labelled(text, index, numberEnd);
  return label === null ? null : accept(text, label);
}
