import type { Candidate } from '../recognizer.js';
import { codeAt } from './char-code.js';
import { isNameSpace, isUpperCode, wordEnd } from './name-chars.js';
import { capitalScan, isOtherScript, PARTICLES } from './name-capitals.js';
import { nameColumnCues } from './name-columns.js';
import type { RunContext } from './name-cues.js';
import type { NameLexicon } from './name-lexicon.js';
import { mayNameAlone, namesInRun } from './name-scoring.js';
import { CUE_TOKEN, GIVEN_ABBREVIATION, infoAt, MAY_NAME, mayLeadDot, type Token, type TokenInfo } from './name-tokens.js';

/**
 * Names in the cased scripts (Latin, Greek, Cyrillic, Armenian): one pass over the text collects
 * runs of capitalised tokens (particles "van", "de los", "bin" and initials between them), and
 * name-scoring.ts finds the names in each run from its tokens and the cues around it.
 *
 * A regex finds the capitals that may start a run (name-capitals.ts) and a charCode loop reads
 * each run: a run regex plus a cue-phrase regex tried at every position scanned name-dense text
 * at ~20 MB/s; the loop looks at a run's characters once and builds strings only for its tokens.
 */

/**
 * The particles by first letter (all ASCII), compared in place: the word after every capitalised
 * word is looked up, and a Set lookup needed it found and sliced first (~4% slower).
 */
const PARTICLES_BY_FIRST_LETTER: (string[] | undefined)[] = new Array<string[] | undefined>(128).fill(undefined);
for (const particle of PARTICLES) (PARTICLES_BY_FIRST_LETTER[particle.charCodeAt(0)] ??= []).push(particle);

/** End of the particle at `start` when one is there and a space follows it, else -1. */
function particleEnd(text: string, start: number): number {
  const first = text.charCodeAt(start);
  const candidates = first < 128 ? PARTICLES_BY_FIRST_LETTER[first] : undefined;
  if (candidates === undefined) return -1;
  for (const particle of candidates) {
    const end = start + particle.length;
    if (isNameSpace(codeAt(text, end)) && text.startsWith(particle, start)) return end;
  }
  return -1;
}

/** Glued initials that abbreviate a country or a union, not a given name ("U.S. Army", "U.K. Treasury"). */
const PLACE_INITIALS = new Set(['us', 'uk', 'eu', 'un', 'usa', 'uae', 'dc', 'ussr', 'nz', 'sa']);

/**
 * The run of capitalised tokens starting at `start` (a capital at a word start): tokens
 * separated by spaces, with up to two lower-case particles or an initial between them; an
 * honorific may end in a dot ("Mr. Smith"), any other dot ends the run (a sentence end).
 * Fills runTokens, left empty for a lone word that no cue can name (mayNameAlone), and returns
 * where scanning goes on.
 */
function readRun(context: RunContext, start: number): number {
  const { text, lexicon } = context;
  runLength = 0;
  let at = start;
  for (;;) {
    const end = wordEnd(text, at);
    const next = codeAt(text, end);
    // "DE89 3704", "user@x": a token glued to digits or an address is an identifier.
    if ((next >= 48 && next <= 57) || next === 64 || next === 95) return runLength === 0 ? end : at;
    if (next !== 46) {
      const following = nextTokenStart(text, end);
      // Most runs are one capitalised word starting a sentence: not looked up when nothing before it can name it.
      if (following < 0 && runLength === 0 && !mayNameAlone(context, at, end)) return end;
      addToken(at, end, false, infoAt(text, at, end, lexicon));
      if (following < 0) return end;
      at = following;
      continue;
    }
    // A lone word before a dot that no cue can name ends a sentence ("… click Export."): not looked up.
    if (runLength === 0 && end - at > 1 && !mayLeadDot(text, at, end) && !mayNameAlone(context, at, end)) return end;
    const info = infoAt(text, at, end, lexicon);
    const initial = end - at === 1 || ((info.flags & GIVEN_ABBREVIATION) !== 0 && isNameSpace(codeAt(text, end + 1)));
    if (!initial && (info.flags & CUE_TOKEN) === 0) {
      addToken(at, end, false, info);
      return end;
    }
    // "J.R.R. Tolkien": initials glued together, unless they spell a country ("U.S.").
    if (end - at === 1 && isUpperCode(codeAt(text, end + 1)) && codeAt(text, end + 2) === 46) {
      if (runLength === 0 && PLACE_INITIALS.has(gluedInitials(text, at))) return skipGluedInitials(text, at);
      addToken(at, end + 1, true, info);
      at = end + 1;
      continue;
    }
    addToken(at, initial ? end + 1 : end, initial, info);
    const following = nextTokenStart(text, end + 1);
    if (following < 0) return end + 1;
    at = following;
  }
}

/** Where the run's next token starts after `after`: past spaces and up to two particles, at a capital; -1 when the run ends. */
function nextTokenStart(text: string, after: number): number {
  const n = text.length;
  let gap = after;
  while (gap < n && isNameSpace(text.charCodeAt(gap))) gap++;
  if (gap === after) return -1;
  for (let particles = 0; gap < n && !isUpperCode(text.charCodeAt(gap)) && particles < 2; particles++) {
    const end = particleEnd(text, gap);
    if (end < 0) return -1;
    gap = end;
    while (gap < n && isNameSpace(text.charCodeAt(gap))) gap++;
  }
  return gap < n && isUpperCode(text.charCodeAt(gap)) ? gap : -1;
}

type RunToken = { -readonly [K in keyof Token]: Token[K] };

/**
 * The tokens of the run being read, reused from run to run, and how many there are: most runs
 * (sentence starts, headings) are dropped before scoring, and then a run allocates nothing
 * (~2% faster than a new array of new tokens per run).
 */
const runTokens: RunToken[] = [];
let runLength = 0;

function addToken(start: number, end: number, initial: boolean, info: TokenInfo): void {
  const token = runTokens[runLength];
  if (token === undefined) runTokens.push({ start, end, initial, lower: info.lower, flags: info.flags, acronym: info.acronym });
  else {
    token.start = start;
    token.end = end;
    token.initial = initial;
    token.lower = info.lower;
    token.flags = info.flags;
    token.acronym = info.acronym;
  }
  runLength++;
}

/**
 * Whether namesInRun could find a name in the run read: one of its tokens is a cue or may be a
 * name (name-scoring.ts drops a run with neither before any cue lookup). A word in capitals is
 * read as a word only beside another token. Saves copying the run and calling it (~2%).
 */
function mayHoldName(): boolean {
  for (let i = 0; i < runLength; i++) {
    const token = runTokens[i]!;
    if ((token.flags & CUE_TOKEN) !== 0) return true;
    if ((token.flags & MAY_NAME) !== 0 && !token.initial && token.end - token.start >= 2 && (!token.acronym || runLength > 1)) return true;
  }
  return false;
}

function gluedInitials(text: string, at: number): string {
  let letters = '';
  while (isUpperCode(codeAt(text, at)) && codeAt(text, at + 1) === 46) {
    letters += text[at]!.toLowerCase();
    at += 2;
  }
  return letters;
}

function skipGluedInitials(text: string, at: number): number {
  while (isUpperCode(codeAt(text, at)) && codeAt(text, at + 1) === 46) at += 2;
  return at;
}

/** Adds the names of `text` in cased scripts to `out`; returns whether the text holds letters of the other scripts. */
export function findCasedNames(text: string, lexicon: NameLexicon, out: Candidate[]): boolean {
  const n = text.length;
  const context: RunContext = { text, lexicon, columnCues: nameColumnCues(text), previousNameEnd: -1 };
  let otherScript = false;
  let candidates = capitalScan(true, context.columnCues !== undefined);
  let i = 0;
  while (i < n) {
    candidates.lastIndex = i;
    if (!candidates.test(text)) break;
    i = candidates.lastIndex - 1;
    const c = text.charCodeAt(i);
    if (!isUpperCode(c)) {
      if (!otherScript && isOtherScript(c)) {
        otherScript = true;
        candidates = capitalScan(false, context.columnCues !== undefined);
      }
      i++;
      continue;
    }
    let next = readRun(context, i);
    if (runLength > 0 && mayHoldName()) {
      const before = out.length;
      namesInRun(context, runTokens.slice(0, runLength), out);
      if (out.length > before) {
        // A name may reach past its run ("Doe, Jane"): go on after it.
        context.previousNameEnd = out[out.length - 1]!.end;
        if (context.previousNameEnd > next) next = context.previousNameEnd;
      }
    }
    i = next > i ? next : i + 1;
  }
  return otherScript;
}
