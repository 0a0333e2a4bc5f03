import { createHmac } from 'node:crypto';
import { invalidInput } from '../../../core/errors.js';
import { DIGITS, type FpeCipher } from '../../../crypto/fpe-ff1.js';
import type { EntityType, Finding } from '../entity-types.js';
import { foldValue } from '../full-width.js';
import { valueKey } from './value-keys.js';

/**
 * The anonymizer operators (Presidio's term): what replaces each finding. Pure functions of
 * the text, its findings and the operator; the same inputs always give the same output.
 */

/**
 * Type tags (`<EMAIL>`), or with `preserveFormat` a character mask that keeps length, separators
 * and the last four digits of cards, phones and IBANs. An `api_key` keeps only its length and
 * whitespace: a password's symbols are part of the secret, not separators.
 */
export interface MaskingOperator {
  method: 'masking';
  preserveFormat?: boolean;
}

/**
 * Realistic, format-valid fakes; the same (type, value) always gets the same fake under one
 * seed. Made by `syntheticOperator(seed)` (synthetic-values.ts), which holds the seed, a secret.
 */
export interface SyntheticOperator {
  method: 'synthetic';
  fake(type: EntityType, value: string): string;
}

/** Deletes the value. */
export interface RemovalOperator {
  method: 'removal';
}

/**
 * `<TYPE:hex16>` from HMAC-SHA256(key, type \0 value key): equal values give equal tokens however
 * they are written (value-keys.ts: `Jane.Doe@Corp.com` and `jane.doe@corp.com`, `(415) 555-0134`
 * and `+1 415 555 0134`), so tables still join, without revealing the values.
 */
export interface HashOperator {
  method: 'hash';
  /** At least {@link MIN_HASH_KEY_BYTES} bytes, as piiRedactionKeys derives it. */
  key: Uint8Array;
}

/**
 * The shortest `hash` key taken: 32 bytes, what piiRedactionKeys derives (HKDF-SHA256, one hash
 * length). With an empty or short key anyone could recompute a token from a guessed value
 * (an email, a card), and the pseudonym would hide nothing.
 */
export const MIN_HASH_KEY_BYTES = 32;

/** Refuses a `hash` key shorter than {@link MIN_HASH_KEY_BYTES}; `option` names it in the error. */
export function checkHashKey(key: Uint8Array, option: string): void {
  if (!(key instanceof Uint8Array) || key.length < MIN_HASH_KEY_BYTES) {
    throw invalidInput(`${option} must be a key of at least ${MIN_HASH_KEY_BYTES} bytes (piiRedactionKeys derives one)`, {
      option,
      length: key instanceof Uint8Array ? key.length : null,
    });
  }
}

/** The type tag that masking writes (`<API_KEY>`), and what any method falls back to when it cannot make a safe replacement. */
export function typeTag(type: EntityType): string {
  return `<${type.toUpperCase()}>`;
}

/** FF1 format-preserving encryption of the digits of a card, phone, SSN or IBAN; reversible with {@link decryptValue}. */
export interface EncryptOperator {
  method: 'encrypt';
  /** An FF1 cipher over {@link DIGITS}. */
  cipher: FpeCipher;
  /** Context the ciphertexts are bound to (e.g. "customers.notes"); the same context is needed to decrypt. */
  context?: string;
}

export type RedactionOperator = MaskingOperator | SyntheticOperator | RemovalOperator | HashOperator | EncryptOperator;

/** One replaced finding: where it was in the input and where its replacement is in the output. */
export interface Replacement {
  start: number;
  end: number;
  type: EntityType;
  /** `output.slice(replacementStart, replacementEnd)` is what replaced `input.slice(start, end)`; empty for removal. */
  replacementStart: number;
  replacementEnd: number;
}

export interface RedactedText {
  text: string;
  replacements: Replacement[];
}

/** Types whose values are digit strings with separators: the ones FF1 over digits can encrypt and keep valid-looking. */
export const FPE_ENTITY_TYPES = ['credit_card', 'phone', 'ssn', 'iban'] as const satisfies readonly EntityType[];

/** One UTF-16 unit, so a mask keeps the value's length and the offsets after it. */
const MASK_CHAR = '*';

/**
 * Replaces each finding in `text` with what `operator` makes of it. Findings must be sorted by
 * start and not overlap (as `PIIDetector.detect` returns them). Built left to right, so each
 * replacement's output offsets are known as it is written.
 */
export function redactText(text: string, findings: readonly Finding[], operator: RedactionOperator): RedactedText {
  const parts: string[] = [];
  const replacements: Replacement[] = [];
  let outputLength = 0;
  let cursor = 0;
  // Whether the output so far ends in a space, kept as it is written: looking back over the
  // parts, empty between adjacent removals, was quadratic on a text of many findings.
  let endsWithSpace = false;
  for (let index = 0; index < findings.length; index++) {
    const { start, end, type } = findings[index]!;
    if (start < cursor || end < start || end > text.length) {
      throw invalidInput('findings must lie inside the text, sorted by start and not overlapping', { index, start, end });
    }
    const kept = text.slice(cursor, start);
    parts.push(kept);
    outputLength += kept.length;
    if (kept.length > 0) endsWithSpace = kept.endsWith(' ');
    const replacement = replacementFor(text.slice(start, end), type, operator);
    parts.push(replacement);
    if (replacement.length > 0) endsWithSpace = replacement.endsWith(' ');
    replacements.push({ start, end, type, replacementStart: outputLength, replacementEnd: outputLength + replacement.length });
    outputLength += replacement.length;
    cursor = end;
    // A removal between two spaces would leave a double space: drop the one after it, unless
    // the next finding starts there.
    if (operator.method === 'removal' && text[end] === ' ' && (findings[index + 1]?.start ?? Infinity) > end && endsWithSpace) {
      cursor = end + 1;
    }
  }
  parts.push(text.slice(cursor));
  return { text: parts.join(''), replacements };
}


/**
 * What replaces one value. Fakes, hashes and ciphertexts are made from the value's ASCII fold,
 * as the value was found (full-width.ts): a fake card made digit by digit from "４１１１ …"
 * would have kept every full-width digit, and "０９０…" hashes as "090…" does.
 */
export function replacementFor(value: string, type: EntityType, operator: RedactionOperator): string {
  switch (operator.method) {
    case 'masking':
      return operator.preserveFormat ? maskPreservingFormat(value, type) : typeTag(type);
    case 'synthetic':
      return operator.fake(type, foldValue(value));
    case 'removal':
      return '';
    case 'hash':
      checkHashKey(operator.key, 'key');
      return `<${type.toUpperCase()}:${createHmac('sha256', operator.key).update(`${type}\0${valueKey(type, foldValue(value))}`, 'utf8').digest('hex').slice(0, 16)}>`;
    case 'encrypt':
      return fpe(foldValue(value), type, operator, 'encrypt');
  }
}

/** Letters, combining marks and digits are masked; separators (@ . - space parentheses + /) stay. */
const MASKED = /[\p{L}\p{M}\p{N}]/gu;
/**
 * A secret (`api_key`: a password, a token, a PEM body) keeps only its length and line breaks:
 * its symbols are as secret as its letters (`Password=!#$%^&*()` kept every character before).
 * The recognizers report a connection string's password alone, so the URL around it stays.
 */
const MASKED_SECRET = /\S/gu;

/** Card, phone and IBAN keep their last four characters of this kind (full-width ones too), as receipts and PCI DSS display rules do. */
const LAST_FOUR_KEPT: Partial<Record<EntityType, RegExp>> = {
  credit_card: /[0-9\uFF10-\uFF19]/,
  phone: /[0-9\uFF10-\uFF19]/,
  iban: /[A-Za-z0-9\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A]/,
};

function maskPreservingFormat(value: string, type: EntityType): string {
  let keepFrom = value.length;
  const kept = LAST_FOUR_KEPT[type];
  if (kept) {
    let count = 0;
    let fourthFromEnd = value.length;
    for (let i = value.length - 1; i >= 0; i--) {
      if (!kept.test(value[i]!)) continue;
      if (++count === 4) fourthFromEnd = i;
    }
    // A value of four such characters or fewer would be shown whole: mask it all instead.
    if (count > 4) keepFrom = fourthFromEnd;
  }
  // Repeat per UTF-16 unit, so a letter outside the BMP keeps the value's length too.
  const masked = value.slice(0, keepFrom).replace(type === 'api_key' ? MASKED_SECRET : MASKED, (c) => MASK_CHAR.repeat(c.length));
  const out = masked + value.slice(keepFrom);
  // A value with nothing to mask (no letter or digit) would come out whole: write the tag instead.
  return out === value ? typeTag(type) : out;
}

/**
 * Inverse of the `encrypt` operator for one value: the original of `ciphertext`, a value of
 * `type` that `redactText` wrote with the same operator.
 */
export function decryptValue(ciphertext: string, type: EntityType, operator: EncryptOperator): string {
  return fpe(ciphertext, type, operator, 'decrypt');
}

function fpe(value: string, type: EntityType, operator: EncryptOperator, direction: 'encrypt' | 'decrypt'): string {
  if (!(FPE_ENTITY_TYPES as readonly EntityType[]).includes(type)) {
    throw invalidInput(`format-preserving encryption supports ${FPE_ENTITY_TYPES.join(', ')}; not ${type}`, {
      type,
      supported: FPE_ENTITY_TYPES,
    });
  }
  if (operator.cipher.alphabet !== DIGITS) {
    throw invalidInput('format-preserving encryption of PII needs an FpeCipher over DIGITS', { alphabet: operator.cipher.alphabet.length });
  }
  // The type is part of the tweak: equal digits as a phone and as a card encrypt differently.
  const tweak = `langtrain.pii\0${type}\0${operator.context ?? ''}`;
  return direction === 'encrypt' ? operator.cipher.encrypt(value, tweak) : operator.cipher.decrypt(value, tweak);
}
