/**
 * The entity types every PII output names (scan spans, redaction counts, audit records). The
 * seed's seven, then four more that training data leaks as often.
 */
export const ENTITY_TYPES = [
  'email',
  'phone',
  'ssn',
  'credit_card',
  'ip_address',
  'person_name',
  'address',
  'iban',
  'date_of_birth',
  'passport',
  'api_key',
] as const;

export type EntityType = (typeof ENTITY_TYPES)[number];

export function isEntityType(value: unknown): value is EntityType {
  return typeof value === 'string' && (ENTITY_TYPES as readonly string[]).includes(value);
}

/**
 * One piece of personal data found in a text. `start`/`end` are JavaScript string indices
 * (UTF-16 code units, end exclusive), so `text.slice(start, end)` is the value.
 */
export interface Finding {
  start: number;
  end: number;
  type: EntityType;
  /** Confidence in [0, 1] after context words have raised or lowered it. */
  score: number;
  /** Which recognizer found it, e.g. `credit_card.luhn`. */
  recognizer: string;
}

/** A count per entity type, every type listed, all zero. */
export function zeroCounts(): Record<EntityType, number> {
  return Object.fromEntries(ENTITY_TYPES.map((type) => [type, 0])) as Record<EntityType, number>;
}
