import type { Candidate } from '../recognizer.js';
import { isLetterCode, isUpperCode, wordEnd } from './name-chars.js';
import { NameFlag, type NameLexicon } from './name-lexicon.js';
import { RECOGNIZER } from './name-scoring.js';
import { infoAt, isCommon, NAME_BITS, SURNAME_SHAPED } from './name-tokens.js';

/**
 * Names typed in lower case in chat ("hi my name is maria lopez"), found only after a cue that
 * introduces a person, as lower-case words carry no other sign of a name:
 * - "name is", "name's" or "name:", the one cue that introduces the writer's name: a listed
 *   first name that is not an everyday word, and a listed name after it when there is one;
 * - "i am", "i'm", "this is", "my friend is": only a listed first name and a listed name after
 *   it, both not everyday words ("i'm john smith", not "i'm fine" or "this is urgent").
 *
 * One regex over the message's opening (person-name.ts scans only messages that open in lower
 * case with a greeting or "i", "my", "this").
 */

const SCORE_LOWER_CASE = 0.85;
/** A writer introduces themselves near the start of a message; later matches are not looked for. */
const INTRODUCTION_LENGTH = 120;
/** The cues, as the words before the name: group 1 a naming cue, group 2 a person cue. */
const LOWER_CASE_CUE = /(?<![\p{L}\p{N}'’])(?:(name(?: is|:|['’]s))|([iI] am|[iI]['’]m|this is|my (?:friend|colleague|husband|wife|son|daughter|brother|sister|mother|father|boss|manager) is)) +/gu;

export function findLowerCaseNames(text: string, lexicon: NameLexicon, out: Candidate[]): void {
  const opening = text.length > INTRODUCTION_LENGTH ? text.slice(0, INTRODUCTION_LENGTH) : text;
  LOWER_CASE_CUE.lastIndex = 0;
  for (let cue = LOWER_CASE_CUE.exec(opening); cue !== null; cue = LOWER_CASE_CUE.exec(opening)) {
    const found = nameAfterCue(text, cue.index + cue[0].length, cue[1] !== undefined, lexicon);
    if (found !== undefined) out.push(found);
  }
}

function nameAfterCue(text: string, firstStart: number, naming: boolean, lexicon: NameLexicon): Candidate | undefined {
  if (!isLowerLetter(text.charCodeAt(firstStart))) return undefined;
  const firstEnd = wordEnd(text, firstStart);
  const first = infoAt(text, firstStart, firstEnd, lexicon);
  if ((first.flags & NameFlag.First) === 0 || isCommon(first.flags) || first.lower.length < 3) return undefined;
  let end = firstEnd;
  if (text.charCodeAt(firstEnd) === 32 && isLowerLetter(text.charCodeAt(firstEnd + 1))) {
    const surnameEnd = wordEnd(text, firstEnd + 1);
    const surname = infoAt(text, firstEnd + 1, surnameEnd, lexicon);
    // "sarah connor": a listed first name may be a surname too.
    if ((surname.flags & (NAME_BITS | SURNAME_SHAPED)) !== 0 && !isCommon(surname.flags) && surname.lower.length >= 2) end = surnameEnd;
  }
  if (!naming && end === firstEnd) return undefined;
  // Always after "my name is" or the like: cued.
  return { start: firstStart, end, type: 'person_name', score: SCORE_LOWER_CASE, recognizer: RECOGNIZER, cued: true };
}

function isLowerLetter(c: number): boolean {
  return isLetterCode(c) && !isUpperCode(c);
}
