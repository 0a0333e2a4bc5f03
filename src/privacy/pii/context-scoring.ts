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

  get empty(): boolean {
    return this.#positive === null && this.#negative === null;
  }

  /** The highest score context words could give a candidate of base score `score`. */
  ceiling(score: number): number {
    return this.#positive === null ? score : Math.min(1, score + CONTEXT_BOOST);
  }

  /** `score` adjusted for the words in the CONTEXT_WINDOW characters before `start`, on the same line. */
  adjust(text: string, start: number, score: number): number {
    if (this.empty) return score;
    const window = text.slice(contextWindowStart(text, start), start).toLowerCase();
    let adjusted = score;
    if (this.#positive?.test(window)) adjusted += CONTEXT_BOOST;
    if (this.#negative?.test(window)) adjusted -= NEGATIVE_CONTEXT_PENALTY;
    return Math.min(1, Math.max(0, adjusted));
  }
}

function wordsPattern(words: readonly string[] | undefined): RegExp | null {
  if (!words || words.length === 0) return null;
  const escaped = words.map((w) => w.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  // Unicode-aware word edges: "né" and "dob" must not match inside longer words.
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${escaped.join('|')})(?![\\p{L}\\p{N}])`, 'u');
}
