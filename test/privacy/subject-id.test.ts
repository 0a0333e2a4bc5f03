import { describe, expect, it } from 'vitest';
import { EncryptionService } from '../../src/crypto/encryption-service.js';
import type { Keyring } from '../../src/crypto/keyring/keyring.js';
import { checkSubjectId, checkSubjectKeyServices, ERASED_ACTOR, MAX_SUBJECT_ID, subjectIdOf } from '../../src/privacy/subject-id.js';
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

  it('checkSubjectId refuses NUL and unpaired surrogates, which the databases cannot keep as given, naming the field', () => {
    for (const [bad, what] of [['a\u0000b', 'a NUL character'], ['ana\uD800', 'an unpaired surrogate (ill-formed UTF-16)'], ['\uDC00x', 'an unpaired surrogate (ill-formed UTF-16)'], ['\uDE00\uD83D', 'an unpaired surrogate (ill-formed UTF-16)']]) {
      expect(() => checkSubjectId(bad, 'subjectIds[3]')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT', message: `subjectIds[3] must not contain ${what}`, details: { field: 'subjectIds[3]' } }));
    }
    expect(checkSubjectId('ana\uD83D\uDE00')).toBe('ana\uD83D\uDE00'); // a pair is one character
  });

  it('subjectIdOf reads a safe integer or a non-blank string, and nothing else, without a length limit', () => {
    expect(subjectIdOf({ user_id: 'alice' }, 'user_id')).toBe('alice');
    expect(subjectIdOf({ user_id: 42 }, 'user_id')).toBe('42');
    expect(subjectIdOf({ user_id: -7 }, 'user_id')).toBe('-7');
    expect(subjectIdOf({ user_id: Number.MAX_SAFE_INTEGER }, 'user_id')).toBe('9007199254740991');
    expect(subjectIdOf({ user_id: 'x'.repeat(300) }, 'user_id')).toBe('x'.repeat(300)); // a subject, one without consent
    for (const value of ['', '  ', null, true, Number.NaN, Infinity, ['alice'], { id: 'alice' }]) expect(subjectIdOf({ user_id: value }, 'user_id')).toBeNull();
    expect(subjectIdOf({ other: 'alice' }, 'user_id')).toBeNull();
    expect(subjectIdOf(null, 'user_id')).toBeNull();
  });

  it('subjectIdOf refuses a number that is not a safe integer, telling to quote ids, and an id no store can keep', () => {
    // what JSON.parse makes of {"user_id":1234567890123456789}: another person's id
    const rounded = (JSON.parse('{"user_id":1234567890123456789}') as { user_id: number }).user_id;
    expect(() => subjectIdOf({ user_id: rounded }, 'user_id')).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_INPUT', message: 'user_id holds a number past the safe integers (2^53): JSON numbers that large are rounded when read, so it may name another subject; quote subject ids as strings', details: { field: 'user_id', reason: 'unsafe-number' } }),
    );
    expect(() => subjectIdOf({ user_id: 2 ** 53 }, 'user_id')).toThrow(/past the safe integers/);
    expect(() => subjectIdOf({ user_id: 1.5 }, 'user_id')).toThrow(expect.objectContaining({ message: 'user_id holds a number that is not an integer; quote subject ids as strings' }));
    expect(() => subjectIdOf({ user_id: 'a\u0000b' }, 'user_id')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT', details: { field: 'user_id', reason: 'unstorable-string' } }));
    expect(() => subjectIdOf({ user_id: 'ana\uD800' }, 'user_id')).toThrow(/unpaired surrogate/);
    expect(subjectIdOf({ user_id: '1234567890123456789' }, 'user_id')).toBe('1234567890123456789');
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

describe('ERASED_ACTOR', () => {
  it('is defined with the subject ids, once: the value erasure writes in every domain, so it never changes', async () => {
    expect(ERASED_ACTOR).toBe('erased');
    // the domains import it from here; none defines or passes on one of its own
    for (const module of ['../../src/privacy/lineage/lineage-store.js', '../../src/privacy/consent/consent-manager.js', '../../src/privacy/budget/budget-ledger.js']) {
      expect(Object.keys((await import(module)) as object), module).not.toContain('ERASED_ACTOR');
    }
  });
});
