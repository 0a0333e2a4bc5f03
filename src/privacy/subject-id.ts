import { invalidInput } from '../core/errors.js';
import type { EncryptionService } from '../crypto/encryption-service.js';

/**
 * The longest subject id: consent, lineage, erasure and access requests accept none longer,
 * so a longer id read from a data set cannot have consent, be recorded, or be asked about.
 */
export const MAX_SUBJECT_ID = 256;

/**
 * An id given by a caller, a subject's (consent, lineage, erasure, access requests) or an
 * actor's: a string, not blank, of at most MAX_SUBJECT_ID characters; anything else is refused
 * naming `field`. One rule, so that an id one domain takes every other takes too.
 */
export function checkSubjectId(value: unknown, field = 'userId'): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_SUBJECT_ID) {
    throw invalidInput(`${field} must be a non-empty string of at most ${MAX_SUBJECT_ID} characters`, { field });
  }
  return value;
}

/**
 * The subject id a record holds in `field`, as every data-set step reads it: a finite number
 * (as its decimal string) or a non-blank string; null when the field is absent, blank, or of
 * another type. Not length-checked: an id longer than MAX_SUBJECT_ID is still the record's
 * subject (one without consent), which callers tell apart from no subject at all.
 */
export function subjectIdOf(record: Readonly<Record<string, unknown>> | null | undefined, field: string): string | null {
  const value = record?.[field];
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value : null;
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
