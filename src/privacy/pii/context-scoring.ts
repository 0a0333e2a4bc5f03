import { contextWindowStart, type Recognizer } from './recognizer.js';

/** What a context word near a candidate adds to its score (capped at 1), as Presidio's default 0.35. */
export const CONTEXT_BOOST = 0.35;
/** What a negative context word ("order", "version") takes away. */
export const NEGATIVE_CONTEXT_PENALTY = 0.4;

/**
 * Matches whole words of one recognizer's list in a lower-cased window of text. Built once per
 * recognizer: one alternation regex instead of a search per word.
 */
export class ContextWords {
  readonly #positive: RegExp | null;
  readonly #negative: RegExp | null;

  constructor(recognizer: Pick<Recognizer, 'contextWords' | 'negativeContextWords'>) {
    this.#positive = wordsPattern(recognizer.contextWords);
    this.#negative = wordsPattern(recognizer.negativeContextWords);
  }

  /** The highest score context words could give a candidate of base score `score` (`cued`: its recognizer saw a cue). */
  ceiling(score: number, cued: boolean): number {
    if (this.#positive !== null) return Math.min(1, score + CONTEXT_BOOST);
    return cued ? cuedScore(score) : score;
  }

  /**
   * `score` adjusted for the words in the CONTEXT_WINDOW characters before `start`, on the same
   * line, and for the recognizer's own cue (`cued`), which counts as a context word with two
   * limits: it lifts to CUED_CEILING at most, so that a candidate only its recognizer's cue vouches
   * for ties with, rather than outranks, a validated one it overlaps (a postcode's "LT" read as an
   * honorific must not make "Leiden" a name over the address it ends); and a negative context word
   * cancels it, as before it did the base score alone.
   */
  adjust(text: string, start: number, score: number, cued: boolean): number {
    if (this.#positive === null && this.#negative === null) return cued ? cuedScore(score) : score;
    // at the top already, only a negative word could lower it: without any, the window is not read
    if (this.#negative === null && score >= 1) return 1;
    const window = windowBefore(text, start);
    const negative = this.#negative?.test(window) === true;
    let adjusted = score;
    if (this.#positive?.test(window)) adjusted += CONTEXT_BOOST;
    else if (cued && !negative) adjusted = cuedScore(score);
    if (negative) adjusted -= NEGATIVE_CONTEXT_PENALTY;
    return Math.min(1, Math.max(0, adjusted));
  }

  /** The context words `adjust` sees before `start`, the first of each kind, for an explanation (null: none). */
  wordsBefore(text: string, start: number): { contextWord: string | null; negativeContextWord: string | null } {
    const window = windowBefore(text, start);
    return { contextWord: this.#positive?.exec(window)?.[0] ?? null, negativeContextWord: this.#negative?.exec(window)?.[0] ?? null };
  }
}

/** The lower-cased text context words are looked for in, before `start`. */
function windowBefore(text: string, start: number): string {
  return text.slice(contextWindowStart(text, start), start).toLowerCase();
}

/** The most a recognizer's own cue lifts a candidate to: the seed's threshold. */
export const CUED_CEILING = 0.95;

function cuedScore(score: number): number {
  return Math.max(score, Math.min(CUED_CEILING, score + CONTEXT_BOOST));
}

function wordsPattern(words: readonly string[] | undefined): RegExp | null {
  if (!words || words.length === 0) return null;
  const escaped = words.map((w) => w.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  // Unicode-aware word edges: "né" and "dob" must not match inside longer words.
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${escaped.join('|')})(?![\\p{L}\\p{N}])`, 'u');
}
