import { continuesWord, isCueWordCode, isLetterCode, isUpperCode, mayEndCue, regexClass } from './name-chars.js';
import { NAMING_WORDS_BEFORE_NAME } from './name-cue-words.js';
import { endingAlternation } from './word-alternation.js';

/**
 * The regexes with which the cased-name scan (cased-names.ts) finds the next capital that may
 * start a run of a name. The regex engine finds the next capital-class character far faster
 * than a charCode loop, but every stop costs a call (~25 ns) and the scan's work on the word.
 */

/** Lower-case particles between the words of a name ("Ludwig van Beethoven", "Ana María de los Ángeles Pérez"). */
export const PARTICLES: readonly string[] = `
  van von vom de der den del della degli di da das dos do du la le las los des ter ten bin binti bint ibn al el y zu af av e
  dela delos
`
  .trim()
  .split(/\s+/);

/** Characters that may be capitals; the Latin Extended blocks mix cases and are checked per character. */
const CAPITAL = '[A-Z\\u00C0-\\u00DE\\u0100-\\u024F\\u0386-\\u03AB\\u0400-\\u042F\\u0531-\\u0556\\u1E00-\\u1EFF]';
/**
 * Letters of the scripts without capitals (Hebrew to Georgian, kana to Hangul): the scan stops
 * on them (OTHER_SCRIPT) and cased-names.ts tells them apart (isOtherScript), from one definition
 * so the two cannot drift.
 */
const FIRST_HEBREW = 0x0590;
const LAST_GEORGIAN = 0x10ff;
const FIRST_KANA = 0x3040;
const LAST_HANGUL = 0xd7af;
const u = (code: number) => `\\u${code.toString(16).padStart(4, '0')}`;
const OTHER_SCRIPT = `[${u(FIRST_HEBREW)}-${u(LAST_GEORGIAN)}${u(FIRST_KANA)}-${u(LAST_HANGUL)}]`;

export function isOtherScript(code: number): boolean {
  return (code >= FIRST_HEBREW && code <= LAST_GEORGIAN) || (code >= FIRST_KANA && code <= LAST_HANGUL);
}

const LETTER = regexClass(isLetterCode);
const UPPER = regexClass(isUpperCode);
/**
 * wordEnd (name-chars.ts) as a regex, made atomic by the lookahead and back-reference so that it
 * cannot end earlier; up to 16 joined parts, as an unbounded repeat overflowed the regex engine's
 * stack on a word of millions of characters ("A-a-a-…"). A longer word, which no name is, then
 * reads as a lone word and is stepped over.
 */
const REST_OF_WORD = `(?=(${LETTER}*(?:(?:-|['\\u2019](?![sS](?!${LETTER})))${LETTER}+){0,15}))\\1`;
/** What continues a run after its first word (readRun, nextTokenStart): a dot, or spaces, up to two particles and a capital. */
const RUN_GOES_ON = `\\.|[ \\u00a0]+(?:(?:${PARTICLES.join('|')})[ \\u00a0]+){0,2}${UPPER}`;
/**
 * A character before a run, with a blank between, after which no cue can name a single word
 * (cueBefore, signatureCue, mayNameAlone): not the end of a cue word or of its punctuation, not
 * a line break.
 */
const NO_CUE_BEFORE_BLANK = regexClass((c) => !mayEndCue(c) && c !== 46 && c !== 10 && c !== 13);
/** The same right before a run, where it must not continue a word either. */
const NO_CUE_RIGHT_BEFORE = regexClass((c) => !mayEndCue(c) && c !== 46 && c !== 10 && c !== 13 && !continuesWord(c));
/** What ends the word before a run when read backwards (wordBefore): not a character of a cue word, nor a dot inside one. */
const NOT_IN_CUE_WORD = `(?:^|${regexClass((c) => !isCueWordCode(c) && c !== 46)})`;

/**
 * A lower-case ASCII word and a space that is none of the words that name a single word after
 * them (NAMING_WORDS_BEFORE_NAME), the only ones cueBefore reads there.
 */
const PLAIN_WORD_AND_SPACE = `${NOT_IN_CUE_WORD}[a-z]+ (?<!${NOT_IN_CUE_WORD}(?:${endingAlternation(NAMING_WORDS_BEFORE_NAME.filter((word) => /^[a-z]+$/.test(word)))}) )`;

/**
 * Where a single word cannot be named: at the start of the text or of a paragraph (a blank line
 * above is no signature), after such a character, after a dot that ends a sentence rather than
 * a short lower-case abbreviation ("sr.", endsAbbreviation), or after a lower-case word that is
 * no naming cue. (After a comma or a colon the cue words are as easy to rule out, but there the
 * regex's extra work cost more than it saved on name-dense text.)
 */
const NO_CUE_BEFORE = `(?:${[
  '^',
  '\\n\\n',
  NO_CUE_RIGHT_BEFORE,
  `${NO_CUE_BEFORE_BLANK}[ \\t]`,
  '(?:^|[^a-z])\\.[ \\t]',
  '[a-z]{5}\\.[ \\t]',
  PLAIN_WORD_AND_SPACE,
].join('|')})`;
/**
 * A capital starting a run that would be one word in such a place: the scan would read the word,
 * find no cue and drop it. Texts start most sentences and paragraphs this way; letting the regex
 * step over them (~40 ns each in the engine, against a call and ~100 ns in the scan) made the
 * recognizer ~15% faster on prose.
 */
const LONE_WORD_WITHOUT_CUE = `(?<=${NO_CUE_BEFORE}.)${REST_OF_WORD}(?!${RUN_GOES_ON})`;

/**
 * What comes before a capital inside a word or an identifier ("iPhone", "user_Name",
 * "user@Example"), not at the start of a run; "@Brandon" after a non-word character starts a
 * chat mention. Read by the regex rather than the scan: ~7% faster on records, which are full of
 * codes in capitals.
 */
const INSIDE_WORD = `(?:${regexClass((c) => continuesWord(c) && c !== 64)}|${regexClass(continuesWord)}@)`;
/** A capital at the start of a word. */
const WORD_CAPITAL = `${CAPITAL}(?<!${INSIDE_WORD}.)`;

const CAPITALS = new RegExp(WORD_CAPITAL, 'g');
const CAPITALS_OR_OTHER_SCRIPT = new RegExp(`${WORD_CAPITAL}|${OTHER_SCRIPT}`, 'g');
const CAPITALS_BUT_LONE_WORDS = new RegExp(`${WORD_CAPITAL}(?!${LONE_WORD_WITHOUT_CUE})`, 'g');
const CAPITALS_BUT_LONE_WORDS_OR_OTHER_SCRIPT = new RegExp(`${WORD_CAPITAL}(?!${LONE_WORD_WITHOUT_CUE})|${OTHER_SCRIPT}`, 'g');

/**
 * The global regex for the scan's next stop: a capital, or a letter of the scripts without
 * capitals until the first of those (`otherScripts`: the scan reads the whole text anyway, and a
 * separate test for them cost one more pass over every text, ~3% of the recognizer's time).
 * Capitals inside words are stepped over, and so are those of lone words without a cue unless
 * CSV name columns (`columnCues`) may name a word anywhere.
 */
export function capitalScan(otherScripts: boolean, columnCues: boolean): RegExp {
  if (columnCues) return otherScripts ? CAPITALS_OR_OTHER_SCRIPT : CAPITALS;
  return otherScripts ? CAPITALS_BUT_LONE_WORDS_OR_OTHER_SCRIPT : CAPITALS_BUT_LONE_WORDS;
}
