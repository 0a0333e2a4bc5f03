import type { Finding } from '../entity-types.js';
import { continuesWord, isNameSpace, isUpperCode, wordEnd } from './name-chars.js';
import { nameColumnCues } from './name-columns.js';
import type { RunContext } from './name-cues.js';
import type { NameLexicon } from './name-lexicon.js';
import { namesInRun } from './name-scoring.js';
import { CUE_TOKEN, GIVEN_ABBREVIATION, infoOf, PARTICLES, type Token } from './name-tokens.js';

/**
 * Names in the cased scripts (Latin, Greek, Cyrillic, Armenian): one pass over the text collects
 * runs of capitalised tokens (particles "van", "de los", "bin" and initials between them), and
 * name-scoring.ts finds the names in each run from its tokens and the cues around it.
 *
 * A charCode loop, not a regex: the run regex plus a cue-phrase regex tried at every position
 * scanned name-dense text at ~20 MB/s; the loop looks at a character once and builds strings only
 * for capitalised tokens.
 */

/** Glued initials that abbreviate a country or a union, not a given name ("U.S. Army", "U.K. Treasury"). */
const PLACE_INITIALS = new Set(['us', 'uk', 'eu', 'un', 'usa', 'uae', 'dc', 'ussr', 'nz', 'sa']);

/**
 * The run of capitalised tokens starting at `start` (a capital at a word start): tokens
 * separated by spaces, with up to two lower-case particles or an initial between them; an
 * honorific may end in a dot ("Mr. Smith"), any other dot ends the run (a sentence end).
 * Returns where scanning goes on.
 */
function readRun(text: string, start: number, lexicon: NameLexicon, tokens: Token[]): number {
  const n = text.length;
  let at = start;
  for (;;) {
    const end = wordEnd(text, at);
    const next = text.charCodeAt(end);
    // "DE89 3704", "user@x": a token glued to digits or an address is an identifier.
    if ((next >= 48 && next <= 57) || next === 64 || next === 95) return tokens.length === 0 ? end : at;
    let after = end;
    const info = infoOf(text.slice(at, end), lexicon);
    if (next === 46) {
      const initial = end - at === 1 || ((info.flags & GIVEN_ABBREVIATION) !== 0 && isNameSpace(text.charCodeAt(end + 1)));
      if (!initial && (info.flags & CUE_TOKEN) === 0) {
        tokens.push({ start: at, end, initial: false, lower: info.lower, flags: info.flags, acronym: info.acronym });
        return end;
      }
      // "J.R.R. Tolkien": initials glued together, unless they spell a country ("U.S.").
      if (end - at === 1 && isUpperCode(text.charCodeAt(end + 1)) && text.charCodeAt(end + 2) === 46) {
        if (tokens.length === 0 && PLACE_INITIALS.has(gluedInitials(text, at))) return skipGluedInitials(text, at);
        tokens.push({ start: at, end: end + 1, initial: true, lower: info.lower, flags: info.flags, acronym: false });
        at = end + 1;
        continue;
      }
      tokens.push({ start: at, end: initial ? end + 1 : end, initial, lower: info.lower, flags: info.flags, acronym: info.acronym });
      after = end + 1;
    } else {
      tokens.push({ start: at, end, initial: false, lower: info.lower, flags: info.flags, acronym: info.acronym });
    }
    let gap = after;
    while (gap < n && isNameSpace(text.charCodeAt(gap))) gap++;
    if (gap === after) return after;
    for (let particles = 0; gap < n && !isUpperCode(text.charCodeAt(gap)) && particles < 2; particles++) {
      const particleEnd = wordEnd(text, gap);
      if (particleEnd - gap > 6 || !isNameSpace(text.charCodeAt(particleEnd)) || !PARTICLES.has(text.slice(gap, particleEnd))) return after;
      gap = particleEnd;
      while (gap < n && isNameSpace(text.charCodeAt(gap))) gap++;
    }
    if (gap >= n || !isUpperCode(text.charCodeAt(gap))) return after;
    at = gap;
  }
}

function gluedInitials(text: string, at: number): string {
  let letters = '';
  while (isUpperCode(text.charCodeAt(at)) && text.charCodeAt(at + 1) === 46) {
    letters += text[at]!.toLowerCase();
    at += 2;
  }
  return letters;
}

function skipGluedInitials(text: string, at: number): number {
  while (isUpperCode(text.charCodeAt(at)) && text.charCodeAt(at + 1) === 46) at += 2;
  return at;
}

/** Characters that may be capitals; the Latin Extended blocks mix cases and are checked per character. */
const CAPITAL_CANDIDATE = /[A-Z\u00C0-\u00DE\u0100-\u024F\u0386-\u03AB\u0400-\u042F\u0531-\u0556\u1E00-\u1EFF]/g;

export function findCasedNames(text: string, lexicon: NameLexicon, out: Finding[]): void {
  const n = text.length;
  const context: RunContext = { text, lexicon, columnCues: text.includes('\n') ? nameColumnCues(text) : undefined, previousNameEnd: -1 };
  let i = 0;
  while (i < n) {
    // The regex engine finds the next capital-class character far faster than a charCode loop.
    CAPITAL_CANDIDATE.lastIndex = i;
    if (!CAPITAL_CANDIDATE.test(text)) return;
    i = CAPITAL_CANDIDATE.lastIndex - 1;
    const c = text.charCodeAt(i);
    if (!isUpperCode(c)) {
      i++;
      continue;
    }
    // "@Brandon Mills" in a chat mention starts a name; "user@Example" does not.
    if (i > 0 && continuesWord(text.charCodeAt(i - 1)) && !(text.charCodeAt(i - 1) === 64 && (i === 1 || !continuesWord(text.charCodeAt(i - 2))))) {
      i = wordEnd(text, i);
      continue;
    }
    const tokens: Token[] = [];
    let next = readRun(text, i, lexicon, tokens);
    if (tokens.length > 0) {
      const before = out.length;
      namesInRun(context, tokens, out);
      if (out.length > before) {
        // A name may reach past its run ("Doe, Jane"): go on after it.
        context.previousNameEnd = out[out.length - 1]!.end;
        if (context.previousNameEnd > next) next = context.previousNameEnd;
      }
    }
    i = next > i ? next : i + 1;
  }
}
