import type { Candidate } from '../recognizer.js';
import { isLetterCode, isUpperCode, wordEnd } from './name-chars.js';
import { NameFlag, type NameLexicon } from './name-lexicon.js';
import { RECOGNIZER } from './name-scoring.js';
import { infoAt, isCommon, SURNAME_SHAPED } from './name-tokens.js';

/**
 * Names typed in lower case in chat ("hi my name is maria lopez"), found only after "name is",
 * "name's" or "name:", the one cue that introduces the writer's name: lower-case words carry no
 * other sign of a name. It takes a listed first name that is not an everyday word, and a listed
 * surname after it when there is one.
 *
 * One indexOf scan for "name" and a check of what follows: every further cue ("i'm", "this is")
 * would cost another scan, each measured at about an eighth of the recognizer's time on the
 * texts scanned, and "i'm fine" or "this is urgent" would need the surname as well.
 */

const SCORE_LOWER_CASE = 0.85;
/** A writer introduces themselves near the start of a message; later matches are not looked for. */
const INTRODUCTION_LENGTH = 120;

export function findLowerCaseNames(text: string, lexicon: NameLexicon, out: Candidate[]): void {
  const opening = text.length > INTRODUCTION_LENGTH ? text.slice(0, INTRODUCTION_LENGTH) : text;
  for (let at = opening.indexOf('name'); at >= 0; at = opening.indexOf('name', at + 4)) {
    if (at > 0 && isLetterCode(text.charCodeAt(at - 1))) continue;
    const valueStart = afterNameCue(text, at + 4);
    if (valueStart < 0) continue;
    const found = nameAfterCue(text, valueStart, lexicon);
    if (found !== undefined) out.push(found);
  }
}

/** Where the value starts after "name is ", "name's " or "name: "; -1 after any other "name". */
function afterNameCue(text: string, at: number): number {
  const c = text.charCodeAt(at);
  let next: number;
  if (c === 58) next = at + 1;
  else if ((c === 39 || c === 0x2019) && text.charCodeAt(at + 1) === 115) next = at + 2;
  else if (c === 32 && text.charCodeAt(at + 1) === 105 && text.charCodeAt(at + 2) === 115) next = at + 3;
  else return -1;
  if (text.charCodeAt(next) !== 32) return -1;
  while (text.charCodeAt(next) === 32) next++;
  return next;
}

function nameAfterCue(text: string, firstStart: number, lexicon: NameLexicon): Candidate | undefined {
  if (!isLowerLetter(text.charCodeAt(firstStart))) return undefined;
  const firstEnd = wordEnd(text, firstStart);
  const first = infoAt(text, firstStart, firstEnd, lexicon);
  if ((first.flags & NameFlag.First) === 0 || isCommon(first.flags) || first.lower.length < 3) return undefined;
  let end = firstEnd;
  if (text.charCodeAt(firstEnd) === 32 && isLowerLetter(text.charCodeAt(firstEnd + 1))) {
    const surnameEnd = wordEnd(text, firstEnd + 1);
    const surname = infoAt(text, firstEnd + 1, surnameEnd, lexicon);
    if ((surname.flags & (NameFlag.Surname | SURNAME_SHAPED)) !== 0 && !isCommon(surname.flags) && surname.lower.length >= 2) end = surnameEnd;
  }
  // Always after "my name is" or the like: cued.
  return { start: firstStart, end, type: 'person_name', score: SCORE_LOWER_CASE, recognizer: RECOGNIZER, cued: true };
}

function isLowerLetter(c: number): boolean {
  return isLetterCode(c) && !isUpperCode(c);
}
