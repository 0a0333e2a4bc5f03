import type { EntityType, Finding } from './entity-types.js';

/**
 * A recognizer finds one entity type in a text. It validates what its pattern matched
 * (checksums, ranges, issuer tables) and returns only candidates that pass, each with a base
 * score; the detector then applies context words, the threshold and overlap resolution.
 *
 * Recognizers are pure and synchronous: the detector runs them on worker threads, many
 * records at a time.
 */
export interface Recognizer {
  /** Stable name used in findings and the audit log, e.g. `credit_card.luhn`. */
  readonly name: string;
  readonly type: EntityType;
  /**
   * Words that, near a candidate (same line, within CONTEXT_WINDOW characters before it),
   * make it likelier (e.g. "card", "visa" for a card number). Lower-case.
   */
  readonly contextWords?: readonly string[];
  /** Words that near a candidate make it unlikelier (e.g. "order", "invoice", "version"). Lower-case. */
  readonly negativeContextWords?: readonly string[];
  /** Candidates in `text`, validated, with base scores. */
  find(text: string): Candidate[];
}

/**
 * A recognizer's candidate: a finding, and whether the recognizer itself saw one of its cues for
 * it. Recognizers whose cues are richer than a word list (a phone number under a CSV column
 * headed "phone", a cue on the line above, "Callback number:"; a name after "soy" or "Thanks,")
 * say so here, and the scanner then boosts it as it would for a context word, but to 0.95 at most
 * and not past a negative context word (ContextWords.adjust): without it, every number or name
 * such a cue alone vouches for stayed at its base score, below the seed's 0.95 threshold. Not
 * part of the finding the scanner reports.
 */
export interface Candidate extends Finding {
  readonly cued?: boolean;
}

/** How far before a candidate context words are looked for, in characters. */
export const CONTEXT_WINDOW = 48;

/**
 * Where the context window before `start` begins: CONTEXT_WINDOW characters back, or the start
 * of its line if that is nearer. Scanned within the window: `lastIndexOf('\n')` searched back
 * through the whole line for every candidate, quadratic on a long line (a 1.2 MB line with 32,000
 * findings took 5.6 s).
 */
export function contextWindowStart(text: string, start: number): number {
  const from = Math.max(0, start - CONTEXT_WINDOW);
  for (let i = start - 1; i >= from; i--) if (text.charCodeAt(i) === 0x0a) return i + 1;
  return from;
}
