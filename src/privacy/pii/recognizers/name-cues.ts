import { codeAt } from './char-code.js';
import { isBlank, isCueWordCode, isLetterCode, isQuoteOrBlank, isUpperCode, mayEndCue } from './name-chars.js';
import {
  cueWordAt,
  HONORIFIC_BEFORE_DOT,
  isNamingPair,
  isPersonPair,
  mayCue,
  mayNameBefore,
  mayStartPair,
  NAMING_KEY_BEFORE_EQUALS,
  NAMING_LABEL,
  NAMING_PAIR_END,
  NAMING_WORD,
  NAMING_WORD_BEFORE_COMMA,
  PERSON_LABEL,
  PERSON_PAIR_END,
  PERSON_WORD,
  type CueWord,
} from './name-cue-words.js';
import type { NameLexicon } from './name-lexicon.js';

/**
 * The text around a run of capitalised words that says whether it names a person: cue words
 * before it ("my name is", "Customer", "Thanks,", "Attendees:"), a closing line above a
 * signature, a speech verb or an e-mail address after it, its place in a list of names, a CSV
 * column or a delimited field. Looked up by the one or two words right before the run and the
 * punctuation between (name-cue-words.ts): a lookup or two per run instead of a phrase regex
 * tried at every position of the text.
 */

/** How strongly the text around a run says it names a person. */
export const enum Cue {
  None = 0,
  /** "Customer", "Thanks,", "I'm", a chat speaker: two or more name-shaped words are a name. */
  Person = 1,
  /** "My name is", "Mr", "Dear", "Name:": even one capitalised word is a name. */
  Naming = 2,
}

/** What the scan of one text knows beyond a run's tokens. */
export interface RunContext {
  readonly text: string;
  readonly lexicon: NameLexicon;
  /** Field starts of CSV name columns -> their cue (name-columns.ts). */
  readonly columnCues: ReadonlyMap<number, Cue> | undefined;
  /** End of the last name found in the text, for lists of names; -1 before the first. */
  previousNameEnd: number;
}

const words = (list: string): ReadonlySet<string> => new Set(list.trim().split(/\s+/));

/** Last words of a closing line above a signature ("Best regards,", "Cordialement,", "-- "). */
const CLOSING_WORDS = words(`
  regards wishes thanks cheers sincerely best yours faithfully truly respectfully warmly cordialement salutations amitiés
  saludos atentamente abrazos atenciosamente abraços cumprimentos grazie saluti grüße grüßen gruß groet groeten pozdrawiam
  pozdrowienia saygılarımla уважением merci gracias danke obrigado obrigada tack hälsningar mvh thx -- — you
`);

/** No punctuation between a cue word and the name, or more than one mark. */
const NO_MARK = 0;
const MARKS = -1;

interface WordBefore {
  readonly word: CueWord;
  readonly start: number;
  /** The one punctuation mark between the word and what follows it (":", ",", "=", "-"), NO_MARK, or MARKS. */
  readonly mark: number;
}

/** Which words wordBefore reads: those that may be the first word of a pair, a cue, or a naming cue before their mark. */
const enum Reading {
  PairFirstWord,
  CueWord,
  NamingCueWord,
}

/**
 * The word before `end` on the same line and the punctuation between, quotes and blanks left
 * out; undefined as well when the word is not of the `reading` asked for.
 */
function wordBefore(text: string, end: number, reading: Reading): WordBefore | undefined {
  let at = end;
  let mark = NO_MARK;
  if (at > 1 && text.charCodeAt(at - 1) === 32 && isLetterCode(text.charCodeAt(at - 2))) {
    // Most runs follow a word and one space: no punctuation to read.
    at--;
  } else {
    for (let steps = 0; at > 0 && steps < 6; steps++) {
      const c = text.charCodeAt(at - 1);
      if (c === 10 || c === 13) break;
      if (!isQuoteOrBlank(c)) {
        if (isCueWordCode(c) || (c >= 48 && c <= 57)) break;
        mark = mark === NO_MARK ? c : MARKS;
      }
      at--;
    }
  }
  const wordEndAt = at;
  while (at > 0 && wordEndAt - at < 24 && isInCueWord(text, at - 1, wordEndAt)) at--;
  if (at === wordEndAt) return undefined;
  const readable =
    reading === Reading.NamingCueWord ? mayNameBefore(text, at, wordEndAt, mark) : reading === Reading.CueWord ? mayCue(text, at, wordEndAt) : mayStartPair(text, at, wordEndAt);
  if (!readable) return undefined;
  return { word: cueWordAt(text, at, wordEndAt), start: at, mark };
}

/** A dot inside a word belongs to it ("Sig.ra", "Dott.ssa"); one after a word is punctuation, read before. */
function isInCueWord(text: string, at: number, wordEndAt: number): boolean {
  const c = text.charCodeAt(at);
  return isCueWordCode(c) || (c === 46 && at + 1 < wordEndAt && at > 0 && isLetterCode(text.charCodeAt(at - 1)));
}

/** A dot at `at` after a short lower-case word ("sr.", "dott."), not after a sentence. */
function endsAbbreviation(text: string, at: number): boolean {
  let begin = at;
  while (begin > 0 && at - begin < 5 && text.charCodeAt(begin - 1) >= 97 && text.charCodeAt(begin - 1) <= 122) begin--;
  return begin < at && at - begin <= 4 && (begin === 0 || !isLetterCode(text.charCodeAt(begin - 1)));
}

/**
 * The cue in the words before `start`. `namingOnly` is for a single capitalised word, which only
 * a naming cue makes a name.
 */
function cueBefore(text: string, start: number, namingOnly: boolean): Cue {
  // Cue words end in a letter or in ":", ",", "=", ".", quotes or a dash: anything else (a digit, a bracket) cannot be one.
  const at = start > 1 && isBlank(text.charCodeAt(start - 1)) ? start - 2 : start - 1;
  const c = at >= 0 ? text.charCodeAt(at) : 0;
  if (c === 46 ? !endsAbbreviation(text, at) : !mayEndCue(c)) return Cue.None;
  const last = wordBefore(text, start, namingOnly ? Reading.NamingCueWord : Reading.CueWord);
  if (last === undefined) return Cue.None;
  const { word, mark } = last;
  const bits = word.bits;
  if (mark === NO_MARK) {
    if ((bits & NAMING_WORD) !== 0) return Cue.Naming;
  } else if (mark === 58) {
    if ((bits & NAMING_LABEL) !== 0) return Cue.Naming;
  } else if (mark === 61) {
    if ((bits & (NAMING_LABEL | NAMING_KEY_BEFORE_EQUALS)) !== 0) return Cue.Naming;
  } else if (mark === 44) {
    if ((bits & NAMING_WORD_BEFORE_COMMA) !== 0) return Cue.Naming;
  } else if (mark === 46) {
    if ((bits & HONORIFIC_BEFORE_DOT) !== 0) return Cue.Naming;
  }
  if (namingOnly && mark !== NO_MARK) return Cue.None;
  if (mark === 58 && (bits & PERSON_LABEL) !== 0) return Cue.Person;
  // ":", ",", "-", "—" after a person word ("Customer: Ana Lima", "Thanks, Ana Lima").
  const person =
    (bits & PERSON_WORD) !== 0 &&
    (mark === NO_MARK || mark === 58 || mark === 44 || mark === 45 || mark === 0x2014) &&
    !(mark === NO_MARK && (word.lower === 'for' || word.lower === 'by') && followsTitleWords(text, last.start));
  if (mark !== NO_MARK) return person ? Cue.Person : Cue.None;
  if ((bits & NAMING_PAIR_END) === 0 && (namingOnly || (bits & PERSON_PAIR_END) === 0)) return person && !namingOnly ? Cue.Person : Cue.None;
  const previous = wordBefore(text, last.start, Reading.PairFirstWord);
  if (previous !== undefined && previous.mark === NO_MARK) {
    if (isNamingPair(previous.word.lower, word.lower)) return Cue.Naming;
    if (isPersonPair(previous.word.lower, word.lower) && !namingOnly) return Cue.Person;
  }
  return person && !namingOnly ? Cue.Person : Cue.None;
}

/**
 * "Deep Residual Learning for Image Recognition": "for" or "by" after two capitalised words
 * joins the words of a title, and cues no person. ("Photo by Ana Lima" keeps its cue.)
 */
function followsTitleWords(text: string, wordStart: number): boolean {
  let at = wordStart;
  for (let words = 0; words < 2; words++) {
    if (at < 2 || text.charCodeAt(at - 1) !== 32) return false;
    at--;
    while (at > 0 && isLetterCode(text.charCodeAt(at - 1))) at--;
    if (!isUpperCode(text.charCodeAt(at))) return false;
  }
  return true;
}

/**
 * A run alone at the start of the line after a closing ("Best regards,\nAna Lima",
 * "Cordialement,\nFrançois-Xavier Delacroix", "-- \nAna"): a signature. A run that fills its line
 * is named by it even as one word; one with more after it is a person cue.
 */
function signatureCue(text: string, start: number, end: number): Cue {
  let at = start;
  while (at > 0 && isBlank(text.charCodeAt(at - 1))) at--;
  if (at === 0 || text.charCodeAt(at - 1) !== 10) return Cue.None;
  let lineEnd = at - 1;
  if (lineEnd > 0 && text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
  // A blank line above, as between paragraphs, closes nothing (and lastIndexOf is a slow builtin).
  if (lineEnd === 0 || text.charCodeAt(lineEnd - 1) === 10) return Cue.None;
  const lineStart = text.lastIndexOf('\n', lineEnd - 1) + 1;
  if (lineEnd - lineStart > 40 || lineEnd === lineStart) return Cue.None;
  const line = text.slice(lineStart, lineEnd).trim().toLowerCase().replace(/[,.!]+$/, '');
  const lastSpace = line.lastIndexOf(' ');
  const last = line.slice(lastSpace + 1);
  if (!CLOSING_WORDS.has(last) || (last === 'you' && !line.startsWith('thank'))) return Cue.None;
  let after = end;
  while (after < text.length && isBlank(text.charCodeAt(after))) after++;
  const next = text.charCodeAt(after);
  return after >= text.length || next === 10 || next === 13 ? Cue.Naming : Cue.Person;
}

/** What follows a run that makes it a person: a verb of speech or action, a chat speaker's colon, an e-mail address, an age. */
const PERSON_CUE_AFTER =
  /(?:[ \t]+(?:joined|says|said|wrote|writes|asked|asks|replied|replies|changed|will collect|reported|called|emailed|phoned|texted|mentioned|confirmed|approved|signed|submitted|requested|noted|added|explained|agreed|responded|commented|stated|told|thanked|sent|left the|resigned|apologi[sz]ed|complained|has joined|is typing|was born|passed away)(?![a-z])|:[ \t]|[ \t]*<[^\s<>@]+@|[ \t]*\([^\s()@]+@|,[ \t]+\d{1,3}(?:[ \t]*(?:y\/?o|years?)\b)?,|[ \t]+\((?:she|he|they)\/)/y;

/** ` <local@domain.tld>` right after a run: the mailbox of the name before it. */
const DISPLAY_NAME_ADDRESS = /^[ \t]?<[^\s<>@]{1,64}@[^\s<>@]+\.[A-Za-z]{2,}>/;
const DISPLAY_NAME_LOOKAHEAD = 160;

/** The cue after a run, where a sentence or line starts ("[10:04] Ana Lima: hi", "Ana Lima reported the outage"). */
function cueAfter(text: string, start: number, end: number): Cue {
  // "Thanks to Helge Deller <deller@gmx.de>", " -- Jochen Sprickerhof <jspricke@debian.org>": a
  // display name before its address in angle brackets (RFC 5322 name-addr) wherever it stands.
  if (DISPLAY_NAME_ADDRESS.test(text.slice(end, end + DISPLAY_NAME_LOOKAHEAD))) return Cue.Person;
  // After "from Acme Corp" a colon or a verb says nothing: only a run that starts a clause is its subject.
  if (!startsClause(text, start)) return Cue.None;
  PERSON_CUE_AFTER.lastIndex = end;
  if (!PERSON_CUE_AFTER.test(text)) return Cue.None;
  // "- Format Preserving: …" defines a term: a bulleted line with a colon is no chat speaker.
  return text.charCodeAt(end) === 58 && isBulleted(text, start) ? Cue.None : Cue.Person;
}

const LIST_JOINERS = words('and or und et y e i ve og och en и és a oraz ja na');

/**
 * A run that continues a list after a name found just before ("Sarah Connor, Kyle Reese and
 * Miles Dyson"): a comma, a semicolon, an ampersand or a conjunction between them.
 */
function continuesList(text: string, previousNameEnd: number, start: number): boolean {
  const gap = start - previousNameEnd;
  if (previousNameEnd < 0 || gap < 2 || gap > 8) return false;
  const between = text.slice(previousNameEnd, start);
  if (between.includes('\n')) return false;
  const trimmed = between.trim();
  if (trimmed === ',' || trimmed === ';' || trimmed === '&' || trimmed === '/' || trimmed === ', &') return true;
  return LIST_JOINERS.has(trimmed.startsWith(',') ? trimmed.slice(1).trim() : trimmed);
}

function startsClause(text: string, start: number): boolean {
  if (startsLine(text, start)) return true;
  let at = start;
  while (at > 0 && isBlank(text.charCodeAt(at - 1))) at--;
  const c = codeAt(text, at - 1);
  return c === 58 || c === 46 || c === 33 || c === 63;
}

function isBulleted(text: string, start: number): boolean {
  let at = start;
  while (at > 0 && isBlank(text.charCodeAt(at - 1))) at--;
  const c = codeAt(text, at - 1);
  return c === 45 || c === 42 || c === 0x2022;
}

/** Only blanks, a list bullet, or a bracketed time or channel ("[10:04]", "[support]") between the line start and `start`. */
function startsLine(text: string, start: number): boolean {
  let at = start;
  while (at > 0 && isBlank(text.charCodeAt(at - 1))) at--;
  const c = codeAt(text, at - 1);
  if (at > 0 && (c === 45 || c === 42 || c === 0x2022) && (at === 1 || isBlank(text.charCodeAt(at - 2)) || text.charCodeAt(at - 2) === 10)) {
    at--;
    while (at > 0 && isBlank(text.charCodeAt(at - 1))) at--;
  } else if (at > 0 && c === 93) {
    // within the 22 characters a time or channel takes: `lastIndexOf` ran back to the text's start (quadratic)
    let open = at - 1;
    while (open >= 0 && at - open <= 22 && text.charCodeAt(open) !== 91) open--;
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
  return outer === 10 || outer === 44 || outer === 58 || isSeparator(outer);
}

/**
 * The cue around a multi-word run: words before it, its CSV column, a closing line above it,
 * a name just before it in a list, a speech verb or a chat speaker's colon after it, or a
 * delimited field around it.
 */
export function cueAround(context: RunContext, start: number, end: number): Cue {
  const { text } = context;
  const before = cueBefore(text, start, false);
  if (before !== Cue.None) return before;
  const column = context.columnCues?.get(start);
  if (column !== undefined) return column;
  const signature = signatureCue(text, start, end);
  if (signature !== Cue.None) return signature;
  if (continuesList(text, context.previousNameEnd, start)) return Cue.Person;
  if (cueAfter(text, start, end) !== Cue.None) return Cue.Person;
  return isDelimitedField(text, start, end) ? Cue.Person : Cue.None;
}

/**
 * The cue for a single capitalised word: only a naming cue, a given-name column or a signature
 * line make it a name; a signature only for a listed given name (`givenName`), as "Thanks,\nAcme"
 * or "Regards,\nSigned" sign for no one.
 */
export function cueOfSingle(context: RunContext, start: number, end: number, givenName: boolean): Cue {
  const before = cueBefore(context.text, start, true);
  if (before !== Cue.None) return before;
  if (context.columnCues?.get(start) === Cue.Naming) return Cue.Naming;
  return givenName && signatureCue(context.text, start, end) === Cue.Naming ? Cue.Naming : Cue.None;
}
