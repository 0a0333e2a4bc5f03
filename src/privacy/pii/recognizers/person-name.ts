import type { Candidate, Recognizer } from '../recognizer.js';
import { findCasedNames } from './cased-names.js';
import { CJK_PRESENT, findCjkNames } from './cjk-names.js';
import { isLetterCode } from './name-chars.js';
import { findLowerCaseNames } from './lower-case-names.js';
import { findMrzNames } from './mrz-names.js';
import { nameLexicon } from './name-lexicon.js';
import { RECOGNIZER } from './name-scoring.js';
import { findUncasedNames, UNCASED_SCRIPT_PRESENT } from './uncased-names.js';

/**
 * Person names in any script, offline, from faker's name lists of ~70 locales and our own lists
 * of the cultures faker leaves out (name-lexicon.ts) instead of an NER model: Presidio's spaCy
 * NER is English-only and slow.
 *
 * - cased scripts (Latin, Cyrillic, Greek, Armenian), cased-names.ts: runs of capitalised
 *   tokens, each scored from its tokens' list entries and shapes and from the cue around it
 *   (name-scoring.ts, name-cues.ts); lower-case names only after "my name is" and the like
 *   (lower-case-names.ts);
 * - spaced scripts without capitals (Arabic, Hebrew, Devanagari, Bengali, Tamil, Thai,
 *   Georgian), uncased-names.ts: listed names side by side, or after a naming cue;
 * - Han, kana and Hangul, cjk-names.ts: a listed surname confirmed by a given name, an
 *   honorific or a cue;
 * - a passport's machine-readable zone, mrz-names.ts: the name field of its first line.
 */

/** First words of a message that introduces its writer in lower case ("hi my name is maria lopez", "i'm john smith", "this is john smith"), by first letter (all ASCII). */
const LOWER_CASE_OPENINGS: (string[] | undefined)[] = new Array<string[] | undefined>(128).fill(undefined);
for (const word of 'hi hello hey hii helo hallo hola good dear greetings my sir madam ok yes yo name namaste salam bonjour ola olá i this'.split(' ')) {
  (LOWER_CASE_OPENINGS[word.charCodeAt(0)] ??= []).push(word);
}

/**
 * A message that opens with a greeting in lower case, the casual chat where a name may be in
 * lower case too. Other text skips the lower-case scan: run on every text that starts in lower
 * case (21% of the NIST and ATLAS paragraphs do), it cost about 5% of the recognizer's time there.
 */
function opensInLowerCase(text: string): boolean {
  const first = text.charCodeAt(0);
  const openings = first < 128 ? LOWER_CASE_OPENINGS[first] : undefined;
  if (openings === undefined) return false;
  for (const word of openings) {
    if (text.startsWith(word) && !isLetterCode(text.charCodeAt(word.length))) return true;
  }
  return false;
}

function inOrder(a: Candidate, b: Candidate): number {
  return a.start - b.start || b.end - a.end || b.score - a.score;
}

/**
 * Cue and run scans can find the same name; keep the earliest, then the longest, then the best
 * scored. The run scan finds names in order and apart: most texts need no sort and no copy (the
 * sort measured ~1% of the time on records).
 */
function withoutOverlaps(findings: Candidate[]): Candidate[] {
  let apart = true;
  for (let i = 1; i < findings.length && apart; i++) apart = findings[i]!.start >= findings[i - 1]!.end;
  if (apart) return findings;
  findings.sort(inOrder);
  const kept: Candidate[] = [];
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
  find(text: string): Candidate[] {
    const lexicon = nameLexicon();
    const findings: Candidate[] = [];
    const otherScripts = findCasedNames(text, lexicon, findings);
    if (opensInLowerCase(text)) findLowerCaseNames(text, lexicon, findings);
    findMrzNames(text, RECOGNIZER, findings);
    // The cased scan says whether letters of other scripts are there: Latin and Cyrillic text skips their scans.
    if (otherScripts) {
      if (UNCASED_SCRIPT_PRESENT.test(text)) findUncasedNames(text, lexicon, findings);
      if (CJK_PRESENT.test(text)) findCjkNames(text, lexicon, RECOGNIZER, findings);
    }
    return findings.length > 1 ? withoutOverlaps(findings) : findings;
  },
};
