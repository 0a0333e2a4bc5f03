import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AuditSink } from '../../core/audit-sink.js';
import { invalidInput } from '../../core/errors.js';
import { parseOptions } from '../../core/options.js';
import { matchInjectionRules } from './injection-rules.js';
import { transformInput } from './input-transformation.js';

/** The seed's `detection_methods`. */
export const DETECTION_METHODS = ['input_transformation', 'statistical_analysis', 'ensemble_voting'] as const;
/** The seed's `response_actions`. */
export const RESPONSE_ACTIONS = ['reject_input', 'sanitize_input', 'flag_for_review'] as const;

/** The seed's `AdversarialDefense(detection_methods, response_actions)`, camelCased. */
export interface AdversarialDefenseOptions {
  /** Default: all three. */
  detectionMethods?: Array<(typeof DETECTION_METHODS)[number] | (string & {})>;
  /** Default: `reject_input` and `flag_for_review`. */
  responseActions?: Array<(typeof RESPONSE_ACTIONS)[number] | (string & {})>;
  /** The score from which an input is adversarial, 0–1 (default 0.5). */
  threshold?: number;
}

/**
 * The probability, 0–1, that a text is a prompt injection: the statistical detector. Given by
 * the composition root (SecurityManager trains one on the shipped examples), so this domain
 * depends on no other for it.
 */
export type InjectionScorer = (text: string) => number;

export interface AdversarialDefenseDeps {
  /** Where flagged inputs are recorded (`threat.adversarial_input`). */
  audit: AuditSink;
  /** Needed for `statistical_analysis`. */
  scorer?: InjectionScorer | null;
}

export interface DetectorScore {
  detector: 'phrase_rules' | 'classifier' | 'obfuscation';
  /** 0–1. */
  score: number;
}

export interface Inspection {
  adversarial: boolean;
  /** The combined score, 0–1. */
  score: number;
  detectors: DetectorScore[];
  /** The injection phrases found (rule names). */
  matchedRules: string[];
  /** Disguises taken off by input_transformation (`format_characters`, `compatibility_forms`, `base64`). */
  disguises: string[];
  /** `rejected` (do not pass it on), `sanitized` (pass `sanitized` on instead), `flagged` (recorded for review, passed on), `allowed`. */
  action: 'allowed' | 'rejected' | 'sanitized' | 'flagged';
  /** With `sanitize_input`: the input without its disguises and without the sentences holding injection phrases. */
  sanitized?: string;
}

const schema = z.strictObject({
  detectionMethods: z
    .array(z.enum(DETECTION_METHODS, { error: (i) => `detection method ${JSON.stringify(i.input)} is not supported (supported: ${DETECTION_METHODS.join(', ')})` }))
    .min(1)
    .default([...DETECTION_METHODS]),
  responseActions: z
    .array(z.enum(RESPONSE_ACTIONS, { error: (i) => `response action ${JSON.stringify(i.input)} is not supported (supported: ${RESPONSE_ACTIONS.join(', ')})` }))
    .min(1)
    .default(['reject_input', 'flag_for_review']),
  threshold: z.number().gt(0).lt(1).default(0.5),
});

/** A strong injection phrase counts this much: alone it makes an input adversarial. */
const STRONG_RULE_SCORE = 0.9;
/** A weak one (also found in ordinary requests) counts this much: only beside other evidence. */
const WEAK_RULE_SCORE = 0.35;
/** A disguise alone is suspicious, not proof (full-width text is ordinary in CJK input). */
const OBFUSCATION_SCORE = 0.3;
/** The longest input inspected: a model's context, not a data set. */
const MAX_INPUT = 100_000;

/**
 * The seed's `AdversarialDefense` for language-model inputs: prompt injections and jailbreaks.
 *
 * Detectors: injection phrases (injection-rules.ts, always), a text classifier
 * (`statistical_analysis`: logistic regression over hashed word and character n-grams, trained on
 * deepset/prompt-injections), and, with `input_transformation`, both run on the input with its
 * disguises taken off, the disguise itself counting too. `ensemble_voting` combines the
 * detectors' scores as the chance that at least one is right, 1 − Π(1 − sᵢ); without it the
 * strongest one decides. The input is adversarial from `threshold` on.
 *
 * Responses, for an adversarial input: `reject_input` rejects it; otherwise `sanitize_input`
 * returns a sanitized copy; `flag_for_review` records it in the audit log (its SHA-256 and length,
 * never the text, which may hold personal data) with the scores, whatever else is done.
 */
export class AdversarialDefense {
  readonly detectionMethods: ReadonlyArray<(typeof DETECTION_METHODS)[number]>;
  readonly responseActions: ReadonlyArray<(typeof RESPONSE_ACTIONS)[number]>;
  readonly threshold: number;
  readonly #audit: AuditSink;
  readonly #scorer: InjectionScorer | null;

  constructor(options: AdversarialDefenseOptions, deps: AdversarialDefenseDeps) {
    const parsed = parseOptions(schema, options, 'AdversarialDefense');
    if (parsed.detectionMethods.includes('statistical_analysis') && !deps.scorer) {
      throw invalidInput('AdversarialDefense: statistical_analysis needs a scorer (SecurityManager.adversarialDefense gives its trained classifier)');
    }
    this.detectionMethods = [...new Set(parsed.detectionMethods)];
    this.responseActions = [...new Set(parsed.responseActions)];
    this.threshold = parsed.threshold;
    this.#audit = deps.audit;
    this.#scorer = deps.scorer ?? null;
  }

  /** The detectors' scores for `text`, and the combined one. */
  #score(text: string, disguised: boolean): { score: number; detectors: DetectorScore[]; matchedRules: string[] } {
    const rules = matchInjectionRules(text);
    const detectors: DetectorScore[] = [{ detector: 'phrase_rules', score: rules.strong ? STRONG_RULE_SCORE : rules.names.length > 0 ? WEAK_RULE_SCORE : 0 }];
    if (this.#scorer !== null && this.detectionMethods.includes('statistical_analysis')) detectors.push({ detector: 'classifier', score: this.#scorer(text) });
    if (disguised) detectors.push({ detector: 'obfuscation', score: OBFUSCATION_SCORE });
    const score = this.detectionMethods.includes('ensemble_voting') ? 1 - detectors.reduce((miss, d) => miss * (1 - d.score), 1) : Math.max(...detectors.map((d) => d.score));
    return { score, detectors, matchedRules: rules.names };
  }

  /** The text without the sentences (or lines) that hold an injection phrase. */
  #sanitize(text: string): string {
    return text
      .split(/(?<=[.!?\n])\s+/)
      .filter((sentence) => matchInjectionRules(sentence).names.length === 0)
      .join(' ')
      .trim();
  }

  /** Inspects one input; `actor` (who sent it) goes with a flagged input into the audit log. */
  async inspect(input: string, context: { actor?: string } = {}): Promise<Inspection> {
    if (typeof input !== 'string') throw invalidInput('inspect takes the input text');
    if (input.length > MAX_INPUT) throw invalidInput(`the input is ${input.length} characters; at most ${MAX_INPUT} are inspected`);
    const transformed = this.detectionMethods.includes('input_transformation') ? transformInput(input) : { text: input, cleaned: input, disguises: [] };
    const { score, detectors, matchedRules } = this.#score(transformed.text, transformed.disguises.length > 0);
    const adversarial = score >= this.threshold;
    const inspection: Inspection = { adversarial, score: round(score), detectors: detectors.map((d) => ({ ...d, score: round(d.score) })), matchedRules, disguises: transformed.disguises, action: 'allowed' };
    if (!adversarial) return inspection;
    if (this.responseActions.includes('reject_input')) inspection.action = 'rejected';
    else if (this.responseActions.includes('sanitize_input')) {
      // the sentences holding injection phrases cut from the input without its disguises; an
      // input that still reads as adversarial (the classifier's alone, or a phrase rebuilt by the
      // cut) cannot be made safe this way, and is rejected
      const sanitized = this.#sanitize(transformed.cleaned);
      if (this.#score(sanitized, false).score >= this.threshold) inspection.action = 'rejected';
      else {
        inspection.action = 'sanitized';
        inspection.sanitized = sanitized;
      }
    } else inspection.action = 'flagged';
    if (this.responseActions.includes('flag_for_review')) {
      await this.#audit.record({
        eventType: 'threat.adversarial_input',
        userId: context.actor ?? null,
        result: inspection.action,
        additionalData: { sha256: createHash('sha256').update(input).digest('hex'), length: input.length, score: inspection.score, matchedRules, disguises: transformed.disguises, detectors: inspection.detectors.map((d) => `${d.detector}:${d.score}`) },
      });
    }
    return inspection;
  }
}


function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
