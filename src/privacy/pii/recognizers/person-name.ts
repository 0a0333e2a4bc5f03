import type { Finding } from '../entity-types.js';
import type { Recognizer } from '../recognizer.js';
import { NameFlag, nameLexicon, type NameLexicon } from './name-lexicon.js';

/**
 * Person names in any script, offline, from faker's name lists of ~70 locales (see
 * name-lexicon.ts) instead of an NER model: Presidio's spaCy NER is English-only and slow.
 *
 * Four scans, each one global regex whose matches are looked up in a Map:
 * - cased scripts (Latin, Cyrillic, Greek, Armenian): runs of 2+ capitalised tokens, with
 *   particles ("van", "de", "al") and initials between them, or an honorific and 1+ tokens;
 * - cue phrases ("my name is", "signed,") followed by capitalised tokens, for single names;
 * - spaced uncased scripts (Arabic, Hebrew, Devanagari, Thai, Georgian): two listed names side by side;
 * - Han, kana and Hangul: a listed surname followed by a listed given name, or by one or two
 *   characters and an honorific ("先生", "さん", "씨").
 *
 * Character classes are explicit BMP ranges, not `\p{Lu}` with the `u` flag: measured on 5 MB
 * of mixed text, the `\p{…}` run regex scanned at 16 MB/s and the range version at 177 MB/s.
 */

const SCORE_LISTED_PAIR = 0.95;
const SCORE_CUED = 0.9;
const SCORE_LISTED_FIRST_UNKNOWN_SURNAME = 0.85;
const SCORE_CJK_LISTED = 0.9;
const RECOGNIZER = 'person_name.lexicon';

/** Capital letters of the Latin, Greek, Cyrillic and Armenian blocks (Latin Extended blocks mix cases; checked per token). */
const UPPER = String.raw`A-Z\u00C0-\u00D6\u00D8-\u00DE\u0100-\u024F\u0386-\u038F\u0391-\u03AB\u0400-\u042F\u0531-\u0556\u1E00-\u1EFF`;
const LETTER = String.raw`A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F\u0300-\u036F\u0386-\u03FF\u0400-\u052F\u0531-\u0587\u1E00-\u1EFF`;
const TOKEN = `[${UPPER}][${LETTER}]*(?:['’\\-][${LETTER}]+)*`;
const PARTICLES = 'van|von|vom|de|der|den|del|della|degli|di|da|das|dos|do|du|la|le|ter|ten|bin|binti|bint|ibn|al|el|y|zu|af|av|e';
const SEPARATOR = `[ \\t]+(?:(?:${PARTICLES})[ \\t]+){0,2}`;
/** An initial ("F.") only inside a run, so a sentence end ("Paris. John") never joins two runs. */
const ELEMENT = `(?:[${UPPER}]\\.(?=[ \\t]+[${UPPER}])|${TOKEN})`;
/**
 * 2+ capitalised tokens; the first may end in a dot so that "Mr. Smith" and "Dr. Ana Lima" are
 * one run (a first token that is not an honorific is then a sentence end, and dropped). A single
 * capitalised word is a sentence start unless cued.
 */
const CAPITALISED_RUN = new RegExp(`${TOKEN}\\.?(?:${SEPARATOR}${ELEMENT})+`, 'g');
const WORD_CHAR_BEFORE = new RegExp(`[${LETTER}0-9'’.\\-]`);
const RUN_TOKEN = new RegExp(`[${UPPER}]\\.|${TOKEN}|[a-z]+`, 'g');

/** Phrases before a name. */
const CUE_PHRASES = [
  '[Mm]y name is', '[Nn]ame is', '[Nn]ame:', '[Nn]amed', '[Ss]igned,?', '[Rr]egards,', '[Ss]incerely,',
  "[Jj]e m'appelle", '[Ii]ch heiße', '[Ii]ch heisse', '[Mm]ein [Nn]ame ist', '[Mm]e llamo', '[Mm]i nombre es',
  '[Mm]i chiamo', '[Mm]eu nome é', '[Mm]ijn naam is', '[Мм]еня зовут', '[Pp]atient:', '[Cc]ontact:', '[Aa]uthor:',
].join('|');
/** A cue phrase, then 1–4 capitalised tokens: the name. */
const CUED_NAME = new RegExp(`(?:${CUE_PHRASES})[ \\t]+(${TOKEN}(?:${SEPARATOR}${ELEMENT}){0,3})`, 'g');

/** Leading run tokens that are cues, not part of the name ("Dear John Smith", "Mr John Smith"). */
const CUE_TOKENS = new Set([
  'mr', 'mrs', 'ms', 'miss', 'mx', 'dr', 'prof', 'herr', 'frau', 'm', 'mme', 'mlle', 'sr', 'sra', 'srta', 'sig', 'dott', 'pan', 'pani',
  'sayın', 'г-н', 'г-жа', 'dear', 'hi', 'hello',
]);

/** Words inside a run that make it an organisation, a place, an event or a product. */
const NON_PERSON_TOKENS = new Set([
  'inc', 'corp', 'corporation', 'ltd', 'llc', 'llp', 'plc', 'gmbh', 'ag', 'sa', 'sas', 'sarl', 'srl', 'spa', 'bv',
  'nv', 'ab', 'oy', 'co', 'company', 'group', 'holdings', 'bank', 'university', 'universität', 'université',
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
  'santa', 'san', 'saint', 'sankt', 'fort', 'mount', 'cape', 'pier', 'garden', 'tower', 'plaza', 'mall', 'castle',
  'palace', 'temple', 'zoo', 'services', 'service', 'web',
]);

/** Words after a salutation that address a role, not a person ("Dear Sir", "Hi Team"). */
const SALUTATION_NOUNS = new Set([
  'sir', 'sirs', 'madam', 'madame', 'customer', 'customers', 'team', 'all', 'colleague', 'colleagues', 'friend',
  'friends', 'member', 'members', 'valued', 'hiring', 'manager', 'support', 'user', 'users', 'everyone',
  'there', 'folks', 'guys', 'reader', 'readers', 'client', 'applicant', 'candidate', 'editor', 'board', 'world',
]);

/** Surname shapes that need no list: O'Connor, McAdams, Al-Farsi, Ivanova, Kowalska, Johansson. */
const SURNAME_SHAPE =
  /^(?:(?:O['’]|Mc|Mac|Fitz)[A-Z\u00C0-\u00DE]|(?:Al|El|Ben|Bin|Abu|Ibn)-[A-Z\u00C0-\u00DE]|.{2,}(?:ov|ova|ev|eva|ski|ska|sky|wicz|enko|escu|sson|poulos|ović|ovic|ić|yan|dze|shvili)$)/;

const NAME_BITS = NameFlag.First | NameFlag.Surname;
/** Synthetic bit for a token whose shape says surname; kept apart from the lexicon's bits. */
const SHAPE = 1 << 8;

interface Token {
  readonly start: number;
  readonly end: number;
  readonly lower: string;
  /** NameFlag bits, plus SHAPE. */
  readonly flags: number;
  readonly initial: boolean;
  /** Two or more capitals and no lower-case letter ("XML", "NASA"). */
  readonly acronym: boolean;
}

function isNameToken(flags: number): boolean {
  return (flags & (NAME_BITS | SHAPE)) !== 0;
}

function isCommon(flags: number): boolean {
  return (flags & NameFlag.Common) !== 0;
}

function isUnknown(flags: number): boolean {
  return (flags & (NAME_BITS | NameFlag.Common | NameFlag.Place | NameFlag.Street)) === 0;
}

/** Capitalised tokens of a run (particles dropped); stops at a token that is not really capitalised. */
function tokensOf(text: string, start: number, end: number, lexicon: NameLexicon): Token[] {
  const tokens: Token[] = [];
  RUN_TOKEN.lastIndex = start;
  for (let match = RUN_TOKEN.exec(text); match !== null && match.index < end; match = RUN_TOKEN.exec(text)) {
    const value = match[0];
    const head = value[0]!;
    if (head >= 'a' && head <= 'z') continue;
    // Latin Extended blocks mix cases: "ł" matched the capital class but does not start a name.
    if (head === head.toLowerCase()) {
      if (tokens.length === 0) continue;
      break;
    }
    const initial = value.length === 2 && value[1] === '.';
    const lower = (initial ? head : value).toLowerCase();
    let flags = lexicon.flags.get(lower) ?? 0;
    if ((flags & NameFlag.Surname) === 0 && lower.length >= 5 && SURNAME_SHAPE.test(value)) flags |= SHAPE;
    const acronym = value.length > 1 && !initial && value === value.toUpperCase();
    tokens.push({ start: match.index, end: match.index + value.length, lower, flags, initial, acronym });
  }
  return tokens;
}

/** The names inside one run of capitalised tokens. */
function namesInRun(text: string, runStart: number, runEnd: number, lexicon: NameLexicon, cued: boolean, out: Finding[]): void {
  let tokens = tokensOf(text, runStart, runEnd, lexicon);
  // A run that starts inside a word ("iPhone Pro") loses that partial first token.
  const first = tokens[0];
  if (first !== undefined && first.start > 0 && WORD_CHAR_BEFORE.test(text[first.start - 1]!)) tokens = tokens.slice(1);
  // "Paris. John Smith": a dot after a first token that is not an honorific or an initial ends a sentence.
  const head = tokens[0];
  if (head !== undefined && !head.initial && text[head.end] === '.' && !CUE_TOKENS.has(head.lower)) tokens = tokens.slice(1);
  let lo = 0;
  while (lo < tokens.length && CUE_TOKENS.has(tokens[lo]!.lower)) {
    cued = true;
    lo++;
  }
  const hi = tokens.length - 1;
  if (lo > hi) return;
  for (let i = lo; i <= hi; i++) if (NON_PERSON_TOKENS.has(tokens[i]!.lower)) return;
  if (cued && SALUTATION_NOUNS.has(tokens[lo]!.lower)) return;

  // Sentence-start words and headings: drop leading tokens that are not names.
  if (!cued) {
    while (lo <= hi) {
      const flags = tokens[lo]!.flags;
      // "… EUR Pan Konstanty Adamczyk": an honorific after the trimmed words is still a cue.
      if (CUE_TOKENS.has(tokens[lo]!.lower)) {
        cued = true;
        lo++;
        break;
      }
      if (isNameToken(flags) && !(isCommon(flags) && (flags & NameFlag.First) === 0)) break;
      // An unknown given name before a surname-shaped word stays ("Siobhán O'Connor").
      if (isUnknown(flags) && lo < hi && (tokens[lo + 1]!.flags & SHAPE) !== 0) break;
      lo++;
    }
  }
  // Words that are not names split the rest ("Der Antrag von Hans Müller" -> "Der", "Hans Müller").
  let segmentStart = lo;
  for (let i = lo; i <= hi + 1; i++) {
    if (i <= hi && belongsToName(tokens, i, cued && i === lo)) continue;
    if (i > segmentStart) {
      const finding = nameInSegment(text, tokens, segmentStart, i - 1, cued && segmentStart === lo, lexicon);
      if (finding !== undefined) out.push(finding);
    }
    segmentStart = i + 1;
  }
}

function belongsToName(tokens: readonly Token[], i: number, cuedHead: boolean): boolean {
  const token = tokens[i]!;
  if (cuedHead || token.initial || isNameToken(token.flags)) return true;
  if (!isUnknown(token.flags)) return false;
  const previous = tokens[i - 1];
  const next = tokens[i + 1];
  const afterFirstName = previous !== undefined && (previous.flags & NameFlag.First) !== 0;
  const beforeSurnameShape = next !== undefined && (next.flags & SHAPE) !== 0;
  return afterFirstName || beforeSurnameShape;
}

function nameInSegment(text: string, tokens: readonly Token[], lo: number, hi: number, cued: boolean, lexicon: NameLexicon): Finding | undefined {
  while (hi >= lo && tokens[hi]!.initial) hi--;
  while (hi > lo && isCommon(tokens[hi]!.flags) && !isNameToken(tokens[hi]!.flags)) hi--;
  if (lo > hi) return undefined;
  const last = tokens[hi]!.flags;
  // "Wiza Forest", "Arnoldo Path": a street name, left to the address recognizer.
  if (hi > lo && (last & NameFlag.Street) !== 0 && (isCommon(last) || (last & NAME_BITS) === 0)) return undefined;

  const span = tokens.slice(lo, hi + 1);
  const words = span.filter((token) => !token.initial);
  if (words.length > 4) return undefined;
  const start = span[0]!.start;
  const end = span[span.length - 1]!.end;
  if (words.length > 1 && lexicon.placeNames.has(text.slice(start, end).toLowerCase())) return undefined;

  const score = scoreOf(words, cued);
  if (score === undefined) return undefined;
  return { start, end, type: 'person_name', score, recognizer: RECOGNIZER };
}

function scoreOf(words: readonly Token[], cued: boolean): number | undefined {
  if (words.length >= 2 && hasListedPair(words)) return SCORE_LISTED_PAIR;
  if (cued) {
    // "Dear Will" is a name; "Dear Monday" is not: a common word after a cue must be a listed name.
    const head = words[0]!;
    if (isCommon(head.flags) && (head.flags & NAME_BITS) === 0) return undefined;
    // "Name: XML": an acronym after a cue is a value, not a person.
    if (words.length === 1 && head.acronym) return undefined;
    return SCORE_CUED;
  }
  // A listed first name then an unknown capitalised word ("Mohammed Al-Farsi"), or an unknown
  // word then a surname-shaped one ("Siobhán O'Connor"): neither may be an everyday word.
  if (words.length !== 2) return undefined;
  const [a, b] = words as [Token, Token];
  const aFirst = (a.flags & NameFlag.First) !== 0 && !isCommon(a.flags) && a.lower.length >= 3;
  const bShape = (b.flags & SHAPE) !== 0 && !isCommon(b.flags);
  if (aFirst && (isUnknown(b.flags) || bShape)) return SCORE_LISTED_FIRST_UNKNOWN_SURNAME;
  if (bShape && isUnknown(a.flags)) return SCORE_LISTED_FIRST_UNKNOWN_SURNAME;
  return undefined;
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

function findCasedNames(text: string, lexicon: NameLexicon, out: Finding[]): void {
  CUED_NAME.lastIndex = 0;
  for (let match = CUED_NAME.exec(text); match !== null; match = CUED_NAME.exec(text)) {
    if (match.index > 0 && WORD_CHAR_BEFORE.test(text[match.index - 1]!)) continue;
    const name = match[1]!;
    const start = match.index + match[0].length - name.length;
    namesInRun(text, start, start + name.length, lexicon, true, out);
  }
  CAPITALISED_RUN.lastIndex = 0;
  for (let match = CAPITALISED_RUN.exec(text); match !== null; match = CAPITALISED_RUN.exec(text)) {
    namesInRun(text, match.index, match.index + match[0].length, lexicon, false, out);
  }
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
}

/** Scripts without capitals: two listed names side by side (first name and surname, either order). */
function findUncasedNames(text: string, lexicon: NameLexicon, out: Finding[]): void {
  UNCASED_RUN.lastIndex = 0;
  for (let run = UNCASED_RUN.exec(text); run !== null; run = UNCASED_RUN.exec(text)) {
    const words: UncasedWord[] = [];
    UNCASED_TOKEN.lastIndex = 0;
    for (let word = UNCASED_TOKEN.exec(run[0]); word !== null; word = UNCASED_TOKEN.exec(run[0])) {
      const start = run.index + word.index;
      words.push({ start, end: start + word[0].length, flags: lexicon.flags.get(word[0]) ?? 0 });
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
        (aFirst && bFirst && a.end - a.start >= 3 && b.end - b.start >= 3);
      if (!pair) continue;
      let last = i + 1;
      // Further given names (father's, grandfather's) follow: take listed names up to four words.
      while (last + 1 < words.length && last - i < 3 && (words[last + 1]!.flags & NAME_BITS) !== 0) last++;
      out.push({ start: a.start, end: words[last]!.end, type: 'person_name', score: SCORE_LISTED_PAIR, recognizer: RECOGNIZER });
      i = last;
    }
  }
}

const CJK_PRESENT = /[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]/;
const CJK_CHARS = '[\u3005\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]+';
const CJK_RUN = new RegExp(`${CJK_CHARS}(?:[ \u3000]${CJK_CHARS})*`, 'g');
const CJK_HONORIFIC_AFTER = /^(?:先生|女士|小姐|老师|さん|様|さま|君|くん|ちゃん|氏|殿|씨|님|선생님)/;
const CJK_SPACE = /[ \u3000]/;

function isHangul(char: string): boolean {
  return char >= '\uac00' && char <= '\ud7af';
}

let surnamesByFirstChar: Map<string, string[]> | undefined;

function cjkSurnameIndex(lexicon: NameLexicon): Map<string, string[]> {
  if (surnamesByFirstChar !== undefined) return surnamesByFirstChar;
  const index = new Map<string, string[]>();
  for (const surname of lexicon.cjkSurnames) {
    const key = surname[0]!;
    const list = index.get(key) ?? [];
    list.push(surname);
    index.set(key, list);
  }
  surnamesByFirstChar = index;
  return index;
}

/**
 * Han, kana and Hangul have no spaces between words, so a surname is looked for at every
 * character of a run and confirmed by a listed given name or an honorific right after.
 */
function findCjkNames(text: string, lexicon: NameLexicon, out: Finding[]): void {
  const index = cjkSurnameIndex(lexicon);
  CJK_RUN.lastIndex = 0;
  for (let run = CJK_RUN.exec(text); run !== null; run = CJK_RUN.exec(text)) {
    const value = run[0];
    for (let i = 0; i < value.length; i++) {
      const char = value[i]!;
      const candidates = index.get(char);
      if (candidates === undefined) continue;
      // Hangul names are written as one word: only look at word starts.
      if (isHangul(char) && i > 0 && !CJK_SPACE.test(value[i - 1]!)) continue;
      const found = cjkNameAt(value, i, candidates, lexicon);
      if (found === undefined) continue;
      out.push({ start: run.index + i, end: run.index + found.end, type: 'person_name', score: found.score, recognizer: RECOGNIZER });
      i = found.end - 1;
    }
  }
}

function cjkNameAt(run: string, at: number, surnames: readonly string[], lexicon: NameLexicon): { end: number; score: number } | undefined {
  for (const surname of surnames) {
    if (!run.startsWith(surname, at)) continue;
    let givenStart = at + surname.length;
    if (givenStart < run.length && CJK_SPACE.test(run[givenStart]!)) givenStart++;
    for (let length = 3; length >= 1; length--) {
      const givenEnd = givenStart + length;
      if (givenEnd > run.length) continue;
      const given = run.slice(givenStart, givenEnd);
      if (CJK_SPACE.test(given)) continue;
      const honorific = CJK_HONORIFIC_AFTER.test(run.slice(givenEnd, givenEnd + 3));
      if (lexicon.cjkGivenNames.has(given)) return { end: givenEnd, score: honorific ? SCORE_LISTED_PAIR : SCORE_CJK_LISTED };
      if (honorific && length <= 2) return { end: givenEnd, score: SCORE_CUED };
    }
  }
  return undefined;
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
    findCasedNames(text, lexicon, findings);
    if (NON_CASED_SCRIPT_PRESENT.test(text)) {
      if (UNCASED_SCRIPT_PRESENT.test(text)) findUncasedNames(text, lexicon, findings);
      if (CJK_PRESENT.test(text)) findCjkNames(text, lexicon, findings);
    }
    return findings.length > 1 ? withoutOverlaps(findings) : findings;
  },
};
