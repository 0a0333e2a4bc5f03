import type { Candidate } from '../recognizer.js';
import { Cue, cueAround, cueOfSingle, type RunContext } from './name-cues.js';
import { codeAt, isDigit } from './char-code.js';
import { isLetterCode, isUpperCode, wordEnd } from './name-chars.js';
import { addWordEnds, endBits, wordEndTable } from './name-word-ends.js';
import { EPONYMOUS_BRANDS } from './name-common-words.js';
import { NameFlag } from './name-lexicon.js';
import {
  CUE_TOKEN,
  infoAt,
  isCommon,
  isDistinctiveName,
  isNameShaped,
  isNameToken,
  isPlaceOnly,
  isUnknown,
  KOREAN_GIVEN_SHAPED,
  NAME_BITS,
  NAME_PARTICLE,
  NAME_SUFFIX,
  NON_PERSON_TOKEN,
  PATRONYMIC_SHAPED,
  PERSON_CUE_TOKEN,
  PINYIN_SHAPED,
  SALUTATION_NOUN,
  STREET_WORDS_BEFORE,
  SURNAME_SHAPED,
  type Token,
} from './name-tokens.js';

/**
 * The names inside one run of capitalised tokens, each scored from its words' list entries and
 * shapes and from the cue around the run:
 * - 0.95: a listed first name and a listed surname ("Priya Sharma");
 * - 0.9: any name-shaped words after a naming cue ("Mr Okonkwo", "Name: Tendai Mukamuri");
 * - 0.9: a romanised East Asian surname and given name ("Zhang Xiaoling");
 * - 0.85: a listed name beside an unlisted one ("Zorabel Schneider"), initials before a listed
 *   surname ("R. Srinivasan"), or two unlisted name-shaped words after a person cue.
 */

const SCORE_LISTED_PAIR = 0.95;
const SCORE_CUED = 0.9;
const SCORE_EAST_ASIAN = 0.9;
const SCORE_LISTED_AND_UNKNOWN = 0.85;
const SCORE_PERSON_CUE = 0.85;
const SCORE_INITIALS = 0.85;
export const RECOGNIZER = 'person_name.lexicon';

/** "DUPONT" in "Jean DUPONT": a listed surname, not an everyday word; "DEA", "ANT" stay acronyms. */
function isSurnameInCapitals(token: Token): boolean {
  return token.lower.length >= 3 && (token.flags & NameFlag.Surname) !== 0 && isDistinctiveName(token);
}

/**
 * All-capital tokens are acronyms unless they are names: in an all-capital run every token is
 * read as a word ("MARIA GARCIA"), and its names need the list or a naming cue behind every
 * word; in a mixed run a listed surname in capitals is written the French or passport way
 * ("Jean DUPONT", "SMITH John"). One word in capitals is an acronym ("NIST", "PIV"). Reads the
 * run's tokens in place (they are its own) and says whether the run is all capitals.
 */
function readCapitals(tokens: Token[]): boolean {
  let acronyms = 0;
  let shouting = true;
  for (const token of tokens) {
    if (token.acronym) acronyms++;
    else if (!token.initial) shouting = false;
  }
  if (acronyms === 0 || tokens.length < 2) return false;
  shouting &&= acronyms >= 2;
  for (const token of tokens) {
    if (token.acronym && (shouting || isSurnameInCapitals(token))) token.acronym = false;
  }
  return shouting;
}

export function namesInRun(context: RunContext, tokens: Token[], out: Candidate[]): void {
  const shouting = readCapitals(tokens);
  // "Mr Smith", "Dear Ana Lima": leading cue tokens make the rest a name.
  let lo = 0;
  let honorific = false;
  while (lo < tokens.length && isHonorific(context.text, tokens, lo)) {
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
  if (!anyNameShaped || (hi > lo && isPlaceName(context, tokens, lo, hi))) return;
  const first = tokens[lo]!;
  // One word is a name only after a naming cue; person cues need two.
  let cue = honorific
    ? Cue.Naming
    : lo === hi
      ? cueOfSingle(context, first.start, first.end, (first.flags & NameFlag.First) !== 0 && isDistinctiveName(first))
      : cueAround(context, first.start, tokens[hi]!.end);
  if (cue === Cue.Naming && (first.flags & SALUTATION_NOUN) !== 0) return;

  // Sentence-start words and headings: drop leading tokens that are not names.
  if (cue !== Cue.Naming) {
    while (lo <= hi) {
      const token = tokens[lo]!;
      // "… EUR Pan Konstanty Adamczyk": an honorific after the trimmed words is still a cue.
      if (isHonorific(context.text, tokens, lo)) {
        cue = Cue.Naming;
        lo++;
        break;
      }
      if (token.initial && initialsLeadToName(tokens, lo)) break;
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
  if (lo === hi && cue === Cue.None) {
    // A lone surname is a name only with its given name after a comma, inside quotes ("\"Nakamura, Aiko\" <…>").
    const end = givenNameAfterComma(context, first.start, first.end, cue);
    if (end >= 0 && isDistinctiveName(first)) out.push({ start: first.start, end, type: 'person_name', score: SCORE_CUED, recognizer: RECOGNIZER });
    return;
  }
  // Words that are not names split the rest ("Der Antrag von Hans Müller" -> "Der", "Hans Müller").
  let segmentStart = lo;
  for (let i = lo; i <= hi + 1; i++) {
    if (i <= hi && belongsToName(tokens, i, cue, i === lo)) continue;
    if (i > segmentStart) {
      const segmentCue = segmentStart === lo ? cue : Cue.None;
      // "James Webb Space Telescope": a name followed by everyday words in one run names a thing.
      const named = i <= hi && isCommon(tokens[i]!.flags) && !isNameToken(tokens[i]!.flags);
      const finding = named ? undefined : nameInSegment(context, tokens, segmentStart, i - 1, segmentCue, shouting);
      if (finding !== undefined) {
        const end = i > hi && finding.end === tokens[hi]!.end ? givenNameAfterComma(context, finding.start, finding.end, segmentCue) : -1;
        out.push(end < 0 ? finding : { ...finding, end });
      }
    }
    segmentStart = i + 1;
  }
}

/**
 * Whether namesInRun could find a name in a run of the one word `text[start, end)`, whatever the
 * word: a lone word is a name only after a naming cue (asked as if it were a given name, the one
 * cue that depends on the word) or as a quoted surname before a comma (givenNameAfterComma). The
 * scan asks before looking the word up: most capitalised words start a sentence, and skipping
 * the lookup and the scoring of those measured ~15% of the recognizer's time on prose. The
 * scan's regex steps over lone words where this cannot hold (name-capitals.ts): keep the two in step.
 */
export function mayNameAlone(context: RunContext, start: number, end: number): boolean {
  return cueOfSingle(context, start, end, true) !== Cue.None || (codeAt(context.text, start - 1) === 34 && codeAt(context.text, end) === 44);
}

/**
 * "Name: Doe, Jane", "\"García Márquez, Gabriel\"": forms, directories and e-mail headers write the
 * surname first and the given name after a comma. After a naming cue, or inside quotes that
 * close right after it, a listed given name there belongs to the name. Returns its end, or -1.
 */
function givenNameAfterComma(context: RunContext, start: number, end: number, cue: Cue): number {
  const { text, lexicon } = context;
  const at = end + 2;
  if (codeAt(text, end) !== 44 || codeAt(text, end + 1) !== 32 || !isUpperCode(codeAt(text, at))) return -1;
  const givenEnd = wordEnd(text, at);
  const given = infoAt(text, at, givenEnd, lexicon);
  if ((given.flags & NameFlag.First) === 0 || isCommon(given.flags) || isLetterCode(codeAt(text, givenEnd))) return -1;
  if (cue === Cue.Naming) return givenEnd;
  return codeAt(text, start - 1) === 34 && codeAt(text, givenEnd) === 34 ? givenEnd : -1;
}

/** "Rio Grande do Sul", "Santa Catarina": a run whose words are all place words and that is a listed place. */
function isPlaceName(context: RunContext, tokens: readonly Token[], lo: number, hi: number): boolean {
  for (let i = lo; i <= hi; i++) if ((tokens[i]!.flags & NameFlag.Place) === 0) return false;
  return context.lexicon.placeNames.has(context.text.slice(tokens[lo]!.start, tokens[hi]!.end).toLowerCase());
}

/** An honorific or a greeting, but not "M." before another initial ("M. S. Swaminathan", not "M. Dupont"). */
function isHonorific(text: string, tokens: readonly Token[], i: number): boolean {
  const token = tokens[i]!;
  return (
    (token.flags & CUE_TOKEN) !== 0 &&
    !(token.initial && tokens[i + 1]?.initial === true) &&
    !isDutchPostcodeLetters(text, token) &&
    !isUnitAfterNumber(text, token)
  );
}

/** "0.5 M NaCl", "3 M Tris": a lone letter without a dot after a number is a unit (molar, million), not "M" for Monsieur. */
function isUnitAfterNumber(text: string, token: Token): boolean {
  if (token.initial || token.end - token.start !== 1) return false;
  let at = token.start;
  while (at > 0 && text.charCodeAt(at - 1) === 32) at--;
  return at < token.start && isDigit(codeAt(text, at - 1));
}

/**
 * "…, 7745 LT Leiden", "1012 MR Amsterdam" on a line of its own: two capitals after four digits
 * are a Dutch postcode's, not an honorific, where the digits open an address part (a line's
 * start, after a comma). "Appointment at 1430 DR Jansen" keeps its doctor. (The lexicon's place
 * flag cannot tell the city: "Smith" is a place there, "Amsterdam" is not.)
 */
function isDutchPostcodeLetters(text: string, token: Token): boolean {
  const digitsStart = token.start - 5;
  if (token.end - token.start !== 2 || digitsStart < 0 || text.charCodeAt(token.start - 1) !== 32) return false;
  if (!isUpperAscii(text.charCodeAt(token.start)) || !isUpperAscii(text.charCodeAt(token.start + 1))) return false;
  for (let d = digitsStart; d < token.start - 1; d++) if (!isDigit(text.charCodeAt(d))) return false;
  const before = codeAt(text, digitsStart - 1);
  if (isDigit(before)) return false;
  return before === -1 || before === 0x0a || (before === 0x20 && codeAt(text, digitsStart - 2) === 0x2c);
}

function isUpperAscii(code: number): boolean {
  return code >= 65 && code <= 90;
}


/** Initials ("J. R. R.", "A.") before a word that is a name, not before "Introduction". */
function initialsLeadToName(tokens: readonly Token[], i: number): boolean {
  let j = i;
  while (j < tokens.length && tokens[j]!.initial) j++;
  const word = tokens[j];
  return word !== undefined && isNameShaped(word) && !isCommon(word.flags) && !isPlaceOnly(word);
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

/** The nearest token before `i` that is not a capitalised particle ("Khaled" in "Khaled El Masri"). */
function previousWord(tokens: readonly Token[], i: number): Token | undefined {
  let j = i - 1;
  while (j > 0 && (tokens[j]!.flags & NAME_PARTICLE) !== 0) j--;
  return tokens[j];
}

function belongsToName(tokens: readonly Token[], i: number, cue: Cue, head: boolean): boolean {
  const token = tokens[i]!;
  if ((head && cue === Cue.Naming) || token.initial || isNameToken(token.flags)) return true;
  if ((token.flags & NAME_PARTICLE) !== 0) return i > 0 && i < tokens.length - 1;
  if ((token.flags & NAME_SUFFIX) !== 0) return i > 0;
  // "Contact: Joaquim Figueira", "Thanks, Montserrat Iglesias": after a cue a place word may be a name.
  if (cue !== Cue.None && isPlaceOnly(token)) return true;
  if (!isUnknown(token.flags) || token.acronym) return false;
  if (cue !== Cue.None) return true;
  const previous = previousWord(tokens, i);
  const afterGivenName =
    previous !== undefined && (previous.initial || (previous.flags & (NameFlag.First | NameFlag.EastAsianSurname | PATRONYMIC_SHAPED)) !== 0);
  return afterGivenName || joinsNext(tokens, i);
}

function nameInSegment(context: RunContext, tokens: readonly Token[], lo: number, hi: number, cue: Cue, shouting: boolean): Candidate | undefined {
  while (hi >= lo && (tokens[hi]!.initial || (tokens[hi]!.flags & NAME_PARTICLE) !== 0)) hi--;
  while (hi > lo && isCommon(tokens[hi]!.flags) && !isNameToken(tokens[hi]!.flags) && (tokens[hi]!.flags & NAME_SUFFIX) === 0) hi--;
  if (lo > hi) return undefined;
  if (hi > lo && isStreetName(context.text, tokens, lo, hi)) return undefined;

  // The words of the name: initials, suffixes and particles inside it do not count.
  const words: Token[] = [];
  for (let i = lo; i <= hi; i++) {
    const token = tokens[i]!;
    if (!token.initial && (token.flags & NAME_SUFFIX) === 0 && (i === lo || (token.flags & NAME_PARTICLE) === 0)) words.push(token);
  }
  if (words.length === 0 || words.length > 4) return undefined;
  const start = tokens[lo]!.start;
  const end = tokens[hi]!.end;
  // "name: Cost Harvesting", "name: Persistence": words, not names; but a word may be a surname before its given name ("Name: Doe, Jane")
  if (words.every(isWordNotName) && (words.length > 1 || givenNameAfterComma(context, start, end, cue) < 0)) return undefined;
  const score = shouting ? scoreOfCapitals(words, cue) : scoreOf(words, cue, tokens[lo]!.initial ? hi - lo + 1 - words.length : 0);
  if (score === undefined || isEponymousBrand(words) || followsStreetWord(context.text, start)) return undefined;
  // Every word of a listed place name carries the Place bit, so most names skip the lookup.
  if (words.length > 1 && words.every((word) => (word.flags & NameFlag.Place) !== 0) && context.lexicon.placeNames.has(context.text.slice(start, end).toLowerCase())) {
    return undefined;
  }
  return { start, end, type: 'person_name', score, recognizer: RECOGNIZER, cued: cue !== Cue.None };
}

function scoreOf(words: readonly Token[], cue: Cue, initials: number): number | undefined {
  if (words.length >= 2 && hasListedPair(words)) return SCORE_LISTED_PAIR;
  const head = words[0]!;
  if (cue === Cue.Naming) {
    // "Dear Will" is a name; "Dear Monday" is not: a common word after a cue must be a listed name.
    if (isCommon(head.flags) && (head.flags & NAME_BITS) === 0) return undefined;
    // "Name: XML", "Gen Z": an acronym or a lone letter after a cue is a value, not a person.
    if (words.length === 1 && (head.acronym || head.end - head.start < 2)) return undefined;
    return SCORE_CUED;
  }
  // "R. Srinivasan", "J. R. R. Tolkien": initials before a listed surname, or several before any name-shaped word.
  if (words.length === 1 && initials > 0 && isNameShaped(head) && !isCommon(head.flags) && !isPlaceOnly(head)) {
    return isDistinctiveName(head) || initials >= 2 ? SCORE_INITIALS : undefined;
  }
  if (words.length < 2 || words.length > 3) return undefined;
  // After a person cue a word that is also a place may be a name ("Thanks, Montserrat Iglesias", "Michael Caldwell").
  if (!words.every((word) => isNameShaped(word) || (cue === Cue.Person && isPlaceOnly(word)))) return undefined;
  // Everyday words only count as names beside a word that is not one ("Heather Ashby", not "Rose Garden").
  if (words.every((word) => isCommon(word.flags))) return undefined;
  if (words.length === 2 && isEastAsianPair(words[0]!, words[1]!)) return SCORE_EAST_ASIAN;
  if (words.some(isDistinctiveName)) return SCORE_LISTED_AND_UNKNOWN;
  // Three unlisted words are a title more often than a name ("CEO Voice Deepfake Attempt").
  return cue === Cue.Person && words.length === 2 ? SCORE_PERSON_CUE : undefined;
}

/** "Cost", "Drop": a frequent English word or a common one, and in no name list. */
function isWordNotName(word: Token): boolean {
  return (word.flags & NAME_BITS) === 0 && (word.flags & (NameFlag.EnglishWord | NameFlag.Common)) !== 0;
}

/** An all-capital run: a listed pair, or name-shaped words after a naming cue. Headings in capitals are common words. */
function scoreOfCapitals(words: readonly Token[], cue: Cue): number | undefined {
  if (words.length >= 2 && words.every((word) => isNameToken(word.flags)) && hasListedPair(words)) return SCORE_LISTED_PAIR;
  if (cue === Cue.None || (cue === Cue.Person && words.length < 2) || !words.every(isNameShaped) || !words.some(isDistinctiveName)) return undefined;
  return SCORE_CUED;
}

/**
 * "12 Wiza Forest", "Arnoldo Path": a street name, left to the address recognizer. A listed first
 * name and surname that is also a street word ("Brad Hill", "Emma Lane") is a person unless a
 * house number comes before it.
 */
function isStreetName(text: string, tokens: readonly Token[], lo: number, hi: number): boolean {
  const last = tokens[hi]!.flags;
  if ((last & NameFlag.Street) === 0 || (!isCommon(last) && (last & NAME_BITS) !== 0) || isEastAsianPair(tokens[lo]!, tokens[hi]!)) return false;
  const first = tokens[lo]!;
  if ((last & NameFlag.Surname) === 0 || (first.flags & NameFlag.First) === 0 || isCommon(first.flags)) return true;
  let at = first.start;
  while (at > 0 && text.charCodeAt(at - 1) === 32) at--;
  const c = codeAt(text, at - 1);
  return c >= 48 && c <= 57;
}

/** EPONYMOUS_BRANDS by first word, then second word: looked up without joining a name's two words into a new string. */
const EPONYMOUS_BRANDS_BY_FIRST_WORD = new Map<string, Set<string>>();
for (const brand of EPONYMOUS_BRANDS) {
  const space = brand.indexOf(' ');
  const seconds = EPONYMOUS_BRANDS_BY_FIRST_WORD.get(brand.slice(0, space)) ?? new Set<string>();
  seconds.add(brand.slice(space + 1));
  EPONYMOUS_BRANDS_BY_FIRST_WORD.set(brand.slice(0, space), seconds);
}

function isEponymousBrand(words: readonly Token[]): boolean {
  return words.length === 2 && EPONYMOUS_BRANDS_BY_FIRST_WORD.get(words[0]!.lower)?.has(words[1]!.lower) === true;
}

/** STREET_WORDS_BEFORE by first and last letters and length, to rule most words before a name out without slicing them. */
const STREET_WORD_ENDS = wordEndTable();
addWordEnds(STREET_WORD_ENDS, STREET_WORDS_BEFORE, 1);

/** "rue Victor Hugo", "avenida Paulista": the word before `start` is a street type. */
function followsStreetWord(text: string, start: number): boolean {
  let end = start;
  while (end > 0 && text.charCodeAt(end - 1) === 32) end--;
  if (end === start || end === 0 || !isLetterCode(text.charCodeAt(end - 1))) return false;
  let begin = end;
  while (begin > 0 && end - begin < 10 && isLetterCode(text.charCodeAt(begin - 1))) begin--;
  return begin < end && endBits(STREET_WORD_ENDS, text, begin, end) !== 0 && STREET_WORDS_BEFORE.has(text.slice(begin, end).toLowerCase());
}

/** "Zhang Xiaoling", "Park Hyun-woo", "Hyun-woo Park", "Yiming Zhang": a romanised East Asian surname beside a given-name shape. */
function isEastAsianPair(a: Token, b: Token): boolean {
  const surnameA = (a.flags & NameFlag.EastAsianSurname) !== 0;
  const surnameB = (b.flags & NameFlag.EastAsianSurname) !== 0;
  if (surnameA && (b.flags & (PINYIN_SHAPED | KOREAN_GIVEN_SHAPED | NameFlag.First)) !== 0) return true;
  if (!surnameB) return false;
  // Given name first, as English text writes Chinese names: two pinyin syllables ("Yiming"), not a word ("Sun").
  return (a.flags & KOREAN_GIVEN_SHAPED) !== 0 || ((a.flags & PINYIN_SHAPED) !== 0 && a.lower.length >= 5 && !isCommon(a.flags));
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
