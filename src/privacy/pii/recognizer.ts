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
  find(text: string): Finding[];
}

/** How far before a candidate context words are looked for, in characters. */
export const CONTEXT_WINDOW = 48;
