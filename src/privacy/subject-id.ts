import { invalidInput } from '../core/errors.js';
import type { EncryptionService } from '../crypto/encryption-service.js';

/**
 * The longest subject id: consent, lineage, erasure and access requests accept none longer,
 * so a longer id read from a data set cannot have consent, be recorded, or be asked about.
 */
export const MAX_SUBJECT_ID = 256;

/**
 * What a subject's id becomes where it stood as the actor of a record that outlives their
 * erasure (a lineage edge, a consent event, a privacy budget or spend): one id for every domain,
 * which none exports or erases as though it named someone.
 */
export const ERASED_ACTOR = 'erased';

/**
 * An id given by a caller, a subject's (consent, lineage, erasure, access requests) or an
 * actor's: a string, not blank, of at most MAX_SUBJECT_ID characters, with no NUL character
 * and well-formed UTF-16 (no unpaired surrogate); anything else is refused naming `field`.
 * One rule, so that an id one domain takes every other takes too, and on every database:
 * PostgreSQL cannot store NUL or an unpaired surrogate in text at all, and SQLite would store
 * the latter as U+FFFD, another id than the one asked about later.
 */
export function checkSubjectId(value: unknown, field = 'userId'): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_SUBJECT_ID) {
    throw invalidInput(`${field} must be a non-empty string of at most ${MAX_SUBJECT_ID} characters`, { field });
  }
  const problem = unstorable(value);
  if (problem) throw invalidInput(`${field} must not contain ${problem}`, { field });
  return value;
}

/**
 * The subject id a record holds in `field`, as every data-set step reads it: an integer
 * (as its decimal string) or a non-blank string; null when the field is absent, blank, or of
 * another type. Not length-checked: an id longer than MAX_SUBJECT_ID is still the record's
 * subject (one without consent), which callers tell apart from no subject at all.
 *
 * Refused (ERR_INVALID_INPUT, `details.field` and `details.reason`), because the record names
 * a subject but no id can stand for them: a number that is not a safe integer (JSON numbers
 * past 2^53 were already rounded when the line was parsed, so `1234567890123456789` would be
 * read as another person's `1234567890123456800`; a fraction is no id either), and a string
 * with NUL or an unpaired surrogate (checkSubjectId). The consent filter counts such a record
 * as one without a usable subject; steps that record who a data set holds fail instead.
 */
export function subjectIdOf(record: Readonly<Record<string, unknown>> | null | undefined, field: string): string | null {
  const value = record?.[field];
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null;
    if (!Number.isSafeInteger(value)) {
      throw invalidInput(
        // The value is never quoted: ids this long are often account or card numbers.
        Number.isInteger(value)
          ? `${field} holds a number past the safe integers (2^53): JSON numbers that large are rounded when read, so it may name another subject; quote subject ids as strings`
          : `${field} holds a number that is not an integer; quote subject ids as strings`,
        { field, reason: 'unsafe-number' },
      );
    }
    return String(value);
  }
  if (typeof value !== 'string' || value.trim() === '') return null;
  const problem = unstorable(value);
  if (problem) throw invalidInput(`${field} holds a subject id with ${problem}, which no store can keep as given`, { field, reason: 'unstorable-string' });
  return value;
}

/** In Unicode mode a pair is read as one code point, so only an unpaired surrogate is in Cs (String#isWellFormed, without needing lib ES2024). */
const LONE_SURROGATE = /\p{Cs}/u;

/** What in `value` no store keeps as given: NUL, or an unpaired surrogate (ill-formed UTF-16). */
function unstorable(value: string): string | undefined {
  if (value.includes('\u0000')) return 'a NUL character';
  if (LONE_SURROGATE.test(value)) return 'an unpaired surrogate (ill-formed UTF-16)';
  return undefined;
}

/**
 * The services an erasure or access request reads the subject's keys from, each of which must
 * have per-subject keys (secureDeletion and a subjectField); refused otherwise, before anything
 * is read or deleted.
 */
export function checkSubjectKeyServices(services: readonly EncryptionService[] | undefined): readonly EncryptionService[] {
  const given = services ?? [];
  if (given.some((s) => !s.options.secureDeletion || s.options.subjectField === undefined)) {
    throw invalidInput('an EncryptionService given has no per-subject keys (secureDeletion: true and a subjectField); pass only ones that have', { field: 'encryption' });
  }
  return given;
}
