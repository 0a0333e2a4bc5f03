import { describe, expect, it } from 'vitest';
import { EncryptionService } from '../../src/crypto/encryption-service.js';
import type { Keyring } from '../../src/crypto/keyring/keyring.js';
import { checkSubjectId, checkSubjectKeyServices, MAX_SUBJECT_ID, subjectIdOf } from '../../src/privacy/subject-id.js';
import { RecordedEvents } from '../support/recorded-events.js';

describe('subject ids', () => {
  it('checkSubjectId takes a non-blank string of at most 256 characters, refusing anything else with the one message', () => {
    expect(MAX_SUBJECT_ID).toBe(256);
    expect(checkSubjectId('alice')).toBe('alice');
    expect(checkSubjectId('x'.repeat(256))).toBe('x'.repeat(256));
    expect(checkSubjectId(' padded ')).toBe(' padded '); // kept as given: ids are compared exactly
    for (const bad of ['', '   ', 'x'.repeat(257), 42, null, undefined, { id: 'alice' }]) {
      expect(() => checkSubjectId(bad)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT', message: 'userId must be a non-empty string of at most 256 characters', details: { field: 'userId' } }));
    }
    expect(() => checkSubjectId('', 'subject')).toThrow(expect.objectContaining({ message: 'subject must be a non-empty string of at most 256 characters', details: { field: 'subject' } }));
  });

  it('subjectIdOf reads a finite number or a non-blank string, and nothing else, without a length limit', () => {
    expect(subjectIdOf({ user_id: 'alice' }, 'user_id')).toBe('alice');
    expect(subjectIdOf({ user_id: 42 }, 'user_id')).toBe('42');
    expect(subjectIdOf({ user_id: 1.5 }, 'user_id')).toBe('1.5');
    expect(subjectIdOf({ user_id: 'x'.repeat(300) }, 'user_id')).toBe('x'.repeat(300)); // a subject, one without consent
    for (const value of ['', '  ', null, true, Number.NaN, Infinity, ['alice'], { id: 'alice' }]) expect(subjectIdOf({ user_id: value }, 'user_id')).toBeNull();
    expect(subjectIdOf({ other: 'alice' }, 'user_id')).toBeNull();
    expect(subjectIdOf(null, 'user_id')).toBeNull();
  });

  it('checkSubjectKeyServices takes only services with per-subject keys', () => {
    const keyring = {} as Keyring; // never used: only the options are read
    const audit = new RecordedEvents();
    const perSubject = new EncryptionService({ encryptionScope: 'field', fields: ['email'], secureDeletion: true, subjectField: 'user_id' }, keyring, audit);
    const shared = new EncryptionService({ encryptionScope: 'field', fields: ['email'] }, keyring, audit);
    expect(checkSubjectKeyServices(undefined)).toEqual([]);
    expect(checkSubjectKeyServices([perSubject])).toEqual([perSubject]);
    expect(() => checkSubjectKeyServices([perSubject, shared])).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_INPUT', message: 'an EncryptionService given has no per-subject keys (secureDeletion: true and a subjectField); pass only ones that have', details: { field: 'encryption' } }),
    );
  });
});
