import type { Candidate } from '../recognizer.js';
import type { NameLexicon } from './name-lexicon.js';

/**
 * Person names in Han, kana and Hangul text. These scripts have no capitals and (Chinese,
 * Japanese) no spaces between words, so a listed surname is looked for at every character of a
 * run and confirmed by a listed given name or an honorific right after it ("先生", "さん", "씨").
 */

const SCORE_LISTED_PAIR_WITH_HONORIFIC = 0.95;
const SCORE_LISTED_PAIR = 0.9;
const SCORE_SURNAME_WITH_HONORIFIC = 0.9;
const SCORE_SURNAME_AFTER_CUE = 0.85;

/** One cheap test keeps every other script out of this scan. */
export const CJK_PRESENT = /[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]/;
const CJK_CHARS = '[\u3005\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]+';
// At most 64 words a match: an unbounded repeat overflowed the regex engine's stack on a line of
// ~6.8 million characters ("王 王 …"); a longer run is read in pieces, cut between words.
const CJK_RUN = new RegExp(`${CJK_CHARS}(?:[ \u3000]${CJK_CHARS}){0,63}`, 'g');
/** Sticky, tried where a given name would end. */
const CJK_HONORIFIC_AFTER = /先生|女士|小姐|老师|さん|様|さま|君|くん|ちゃん|氏|殿|씨|님|선생님/y;
/**
 * Labels and phrases right before a name: "contact", "name", "my name is", "customer", "person in
 * charge" in Chinese, Japanese and Korean. After one, a listed surname and one or two more Han
 * characters are a name even when the given name is not listed ("联系人：王小明").
 */
const CJK_CUE_BEFORE = /(?:联系人|聯絡人|联络人|姓名|名字|我叫|我是|客户|客戶|收件人|担当者?は?|氏名|名前|私は|お客様|申請者|이름은?|성명|담당자는?|고객)[：:\s]*$/;

function isHangul(code: number): boolean {
  return code >= 0xac00 && code <= 0xd7af;
}

function isHan(code: number): boolean {
  return code === 0x3005 || (code >= 0x3400 && code <= 0x4dbf) || (code >= 0x4e00 && code <= 0x9fff);
}

function isCjkSpace(code: number): boolean {
  return code === 32 || code === 0x3000;
}

function honorificAt(run: string, at: number): boolean {
  CJK_HONORIFIC_AFTER.lastIndex = at;
  return CJK_HONORIFIC_AFTER.test(run);
}

/**
 * Surnames by their first UTF-16 unit (all CJK and Hangul are in the BMP): a lookup by code
 * unit for every character of a run, where `run[i]` allocated a string for each; with the
 * character tests below by code unit, this scan went from 1.1 to 0.7 ms per 4 MB of records.
 */
let surnamesByFirstChar: Map<number, string[]> | undefined;

function cjkSurnameIndex(lexicon: NameLexicon): Map<number, string[]> {
  if (surnamesByFirstChar !== undefined) return surnamesByFirstChar;
  const index = new Map<number, string[]>();
  for (const surname of lexicon.cjkSurnames) {
    const key = surname.charCodeAt(0);
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
export function findCjkNames(text: string, lexicon: NameLexicon, recognizer: string, out: Candidate[]): void {
  const index = cjkSurnameIndex(lexicon);
  CJK_RUN.lastIndex = 0;
  for (let run = CJK_RUN.exec(text); run !== null; run = CJK_RUN.exec(text)) {
    const value = run[0];
    for (let i = 0; i < value.length; i++) {
      const code = value.charCodeAt(i);
      const candidates = index.get(code);
      if (candidates === undefined) continue;
      // Hangul names are written as one word: only look at word starts.
      if (isHangul(code) && i > 0 && !isCjkSpace(value.charCodeAt(i - 1))) continue;
      const found = cjkNameAt(value, i, candidates, lexicon) ?? cuedNameAt(text, run.index + i, value, i, candidates);
      if (found === undefined) continue;
      out.push({ start: run.index + i, end: run.index + found.end, type: 'person_name', score: found.score, recognizer, cued: found.cued === true });
      i = found.end - 1;
    }
  }
}

/** A name found from a surname on: where it ends, its score, and whether a cue before it vouched for it. */
interface CjkName {
  end: number;
  score: number;
  cued?: boolean;
}

function cjkNameAt(run: string, at: number, surnames: readonly string[], lexicon: NameLexicon): CjkName | undefined {
  for (const surname of surnames) {
    if (!run.startsWith(surname, at)) continue;
    let givenStart = at + surname.length;
    if (givenStart < run.length && isCjkSpace(run.charCodeAt(givenStart))) {
      givenStart++;
      const spaced = spacedGivenName(run, givenStart, lexicon);
      if (spaced !== undefined) return spaced;
    }
    for (let length = 3; length >= 1; length--) {
      const givenEnd = givenStart + length;
      if (givenEnd > run.length) continue;
      const given = run.slice(givenStart, givenEnd);
      if (given.includes(' ') || given.includes('\u3000')) continue;
      const honorific = honorificAt(run, givenEnd);
      if (lexicon.cjkGivenNames.has(given)) return { end: givenEnd, score: honorific ? SCORE_LISTED_PAIR_WITH_HONORIFIC : SCORE_LISTED_PAIR };
      if (honorific && length <= 2) return { end: givenEnd, score: SCORE_SURNAME_WITH_HONORIFIC };
    }
  }
  return undefined;
}

/**
 * "田中 花子", "佐藤 健": after a surname and a space the given name is the whole Han word, taken
 * when a prefix of it is listed or an honorific follows, not only the listed prefix ("田中 花").
 */
function spacedGivenName(run: string, start: number, lexicon: NameLexicon): CjkName | undefined {
  let end = start;
  while (end < run.length && end - start < 4 && isHan(run.charCodeAt(end))) end++;
  const length = end - start;
  if (length === 0 || length > 3 || (end < run.length && isHan(run.charCodeAt(end)))) return undefined;
  const honorific = honorificAt(run, end);
  for (let prefix = length; prefix >= 1; prefix--) {
    if (lexicon.cjkGivenNames.has(run.slice(start, start + prefix))) return { end, score: honorific ? SCORE_LISTED_PAIR_WITH_HONORIFIC : SCORE_LISTED_PAIR };
  }
  return honorific ? { end, score: SCORE_SURNAME_WITH_HONORIFIC } : undefined;
}

/** A listed surname right after a naming cue, with the one or two Han characters after it ("联系人：王小明"). */
function cuedNameAt(text: string, at: number, run: string, i: number, surnames: readonly string[]): CjkName | undefined {
  if (!CJK_CUE_BEFORE.test(text.slice(Math.max(0, at - 6), at))) return undefined;
  for (const surname of surnames) {
    if (!run.startsWith(surname, i)) continue;
    const givenStart = i + surname.length;
    let end = givenStart;
    while (end < run.length && end - givenStart < 2 && isHan(run.charCodeAt(end))) end++;
    if (end > givenStart) return { end, score: SCORE_SURNAME_AFTER_CUE, cued: true };
  }
  return undefined;
}
