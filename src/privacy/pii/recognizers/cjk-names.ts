import type { Finding } from '../entity-types.js';
import type { NameLexicon } from './name-lexicon.js';

/**
 * Person names in Han, kana and Hangul text. These scripts have no capitals and (Chinese,
 * Japanese) no spaces between words, so a listed surname is looked for at every character of a
 * run and confirmed by a listed given name or an honorific right after it ("先生", "さん", "씨").
 */

const SCORE_LISTED_PAIR_WITH_HONORIFIC = 0.95;
const SCORE_LISTED_PAIR = 0.9;
const SCORE_SURNAME_WITH_HONORIFIC = 0.9;

/** One cheap test keeps every other script out of this scan. */
export const CJK_PRESENT = /[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]/;
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
export function findCjkNames(text: string, lexicon: NameLexicon, recognizer: string, out: Finding[]): void {
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
      out.push({ start: run.index + i, end: run.index + found.end, type: 'person_name', score: found.score, recognizer });
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
      if (lexicon.cjkGivenNames.has(given)) return { end: givenEnd, score: honorific ? SCORE_LISTED_PAIR_WITH_HONORIFIC : SCORE_LISTED_PAIR };
      if (honorific && length <= 2) return { end: givenEnd, score: SCORE_SURNAME_WITH_HONORIFIC };
    }
  }
  return undefined;
}
