import type { Candidate } from '../recognizer.js';
import { arabicKey, NameFlag, type NameLexicon } from './name-lexicon.js';
import { RECOGNIZER } from './name-scoring.js';

/**
 * Names in spaced scripts without capitals (Arabic, Persian, Urdu, Hebrew, Thaana, Devanagari,
 * Bengali, Tamil, Thai, Georgian): nothing marks a name but the list, so two listed names side by
 * side (first name and surname, either order), or a listed name after a naming cue ("اسمي",
 * "मेरा नाम", "שמי", "คุณ").
 */

const SCORE_LISTED_PAIR = 0.95;
const SCORE_CUED = 0.9;

/** One cheap test keeps every other script out of this scan. */
export const UNCASED_SCRIPT_PRESENT = /[\u0590-\u06ff\u0750-\u07bf\u0900-\u09ff\u0b80-\u0bff\u0e00-\u0e7f\u10a0-\u10ff]/;
/** Letters of those scripts without their punctuation; the zero-width non-joiner sits inside Persian names ("حسین‌زاده"). */
const UNCASED_LETTER =
  '[\u0591-\u05f4\u0610-\u061a\u0620-\u0669\u066e-\u06d3\u06d5-\u06ff\u0750-\u077f\u0780-\u07bf\u0900-\u0963\u0966-\u097f\u0980-\u09ff\u0b80-\u0bff\u0e01-\u0e5b\u10a0-\u10ff\u200c]';
const UNCASED_WORD = `${UNCASED_LETTER}+`;
// At most 256 words a match: an unbounded repeat can overflow the regex engine's stack on a line
// of millions of characters; a longer run is read in pieces, cut between words.
// Starts only at a word's first letter: a start inside a word matches only where the word's own start does, and trying each one read to the word's end, quadratic on a long unspaced word (64 KB of Thai letters: 3.5 s).
export const UNCASED_RUN = new RegExp(`(?<!${UNCASED_LETTER})${UNCASED_WORD}(?:[ \\t]+${UNCASED_WORD}){1,255}`, 'g');
const UNCASED_TOKEN = new RegExp(UNCASED_WORD, 'g');
const ARABIC_LETTER = /[\u0600-\u06ff]/;

/** Naming cues: "my name is", "Mr", "Dr", "customer" in Arabic, Persian, Hebrew, Hindi, Bengali, Tamil and Thai. */
const CUE_WORDS = new Set([
  'اسمي', 'أنا', 'انا', 'السيد', 'السيدة', 'الأستاذ', 'الأستاذة', 'الدكتور', 'الدكتورة', 'المهندس', 'الشيخ', 'العميل', 'العميلة', 'الاسم',
  'آقای', 'خانم', 'دکتر', 'مهندس', 'اینجانب', 'نام', 'שמי', 'מר', 'גברת', 'הלקוח', 'הלקוחה', 'मेरा', 'नाम', 'श्री', 'श्रीमती', 'डॉ', 'सुश्री', 'নাম', 'জনাব', 'শ্রী',
  'பெயர்', 'திரு', 'திருமதி', 'คุณ', 'นาย', 'นาง', 'นางสาว', 'ชื่อ',
]);
/** Arabic words that join the next word into one name ("عبد الله", "أبو بكر"). */
const ARABIC_COMPOUND_HEADS = new Set(['عبد', 'أبو', 'ابو']);
/** Arabic "son of"/"daughter of" between names ("محمد بن سلمان"): part of the name, not a word of it. */
const ARABIC_NASAB = new Set(['بن', 'ابن', 'بنت']);

interface UncasedWord {
  start: number;
  end: number;
  flags: number;
  readonly cue: boolean;
  readonly nasab: boolean;
}

/**
 * Word -> its NameFlag bits: folding Arabic spelling variants costs a regex replace per unlisted
 * word, and the cache halved this scan (0.9 to 0.45 ms per 4 MB of mixed-script records). Cleared
 * when large.
 */
const flagsCache = new Map<string, number>();
const FLAGS_CACHE_LIMIT = 20_000;
/** The lexicon the cache was filled from: another one starts it afresh. */
let flagsLexicon: NameLexicon | undefined;

function flagsOf(word: string, lexicon: NameLexicon): number {
  if (lexicon !== flagsLexicon) {
    flagsCache.clear();
    flagsLexicon = lexicon;
  }
  let flags = flagsCache.get(word);
  if (flags === undefined) {
    flags = lexicon.flags.get(word) ?? (ARABIC_LETTER.test(word) ? (lexicon.flags.get(arabicKey(word)) ?? 0) : 0);
    if (flagsCache.size >= FLAGS_CACHE_LIMIT) flagsCache.clear();
    flagsCache.set(word, flags);
  }
  return flags;
}

function wordsOf(text: string, runStart: number, run: string, lexicon: NameLexicon): UncasedWord[] {
  const words: UncasedWord[] = [];
  UNCASED_TOKEN.lastIndex = 0;
  for (let match = UNCASED_TOKEN.exec(run); match !== null; match = UNCASED_TOKEN.exec(run)) {
    const value = match[0];
    const start = runStart + match.index;
    const previous = words[words.length - 1];
    // "عبد الرحمن": the compound is one given name, whatever its second word.
    if (previous !== undefined && ARABIC_COMPOUND_HEADS.has(text.slice(previous.start, previous.end)) && previous.end === start - 1) {
      previous.end = start + value.length;
      previous.flags |= NameFlag.First;
      continue;
    }
    words.push({ start, end: start + value.length, flags: flagsOf(value, lexicon), cue: CUE_WORDS.has(value), nasab: ARABIC_NASAB.has(value) });
  }
  return words;
}

export function findUncasedNames(text: string, lexicon: NameLexicon, out: Candidate[]): void {
  UNCASED_RUN.lastIndex = 0;
  for (let run = UNCASED_RUN.exec(text); run !== null; run = UNCASED_RUN.exec(text)) {
    const words = wordsOf(text, run.index, run[0], lexicon);
    for (let i = 0; i < words.length; i++) {
      const a = words[i]!;
      const b = words[i + 1];
      const cued = i > 0 && words[i - 1]!.cue;
      if (b === undefined) {
        if (cued && (a.flags & (NameFlag.First | NameFlag.Surname)) !== 0) out.push(finding(a.start, a.end, SCORE_CUED, true));
        continue;
      }
      const aFirst = (a.flags & NameFlag.First) !== 0;
      const bFirst = (b.flags & NameFlag.First) !== 0;
      const pair =
        (aFirst && (b.flags & NameFlag.Surname) !== 0) ||
        ((a.flags & NameFlag.Surname) !== 0 && bFirst) ||
        // Arabic-script names are often a given name and the father's given name ("محمد علي").
        (aFirst && bFirst && a.end - a.start >= 3 && b.end - b.start >= 3) ||
        // "اسمي زكريا الحربي": after a naming cue, a given name and an "al-" family name.
        (cued && a.end - a.start >= 3 && b.end - b.start >= 4 && text.startsWith('ال', b.start));
      if (!pair) {
        if (cued && aFirst && !b.nasab) out.push(finding(a.start, a.end, SCORE_CUED, true));
        continue;
      }
      let last = i + 1;
      // Further names (father's, grandfather's, "bin" between them) follow: take listed names up to four words.
      while (last + 1 < words.length && last - i < 4) {
        const next = words[last + 1]!;
        if (next.nasab && last + 2 < words.length && (words[last + 2]!.flags & (NameFlag.First | NameFlag.Surname)) !== 0) {
          last += 2;
          continue;
        }
        if ((next.flags & (NameFlag.First | NameFlag.Surname)) === 0) break;
        last++;
      }
      out.push(finding(a.start, words[last]!.end, SCORE_LISTED_PAIR, cued));
      i = last;
    }
  }
}

function finding(start: number, end: number, score: number, cued: boolean): Candidate {
  return { start, end, type: 'person_name', score, recognizer: RECOGNIZER, cued };
}
