import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { transformDataset } from '../../src/crypto/dataset-encryption.js';
import { EncryptionService, type EncryptionServiceOptions } from '../../src/crypto/encryption-service.js';
import { Keyring } from '../../src/crypto/keyring/keyring.js';
import { keyringMigrations } from '../../src/crypto/keyring/schema.js';
import { kekFromKey } from '../../src/crypto/kms/local.js';
import { openStore, type Store } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrations.js';
import { RecordedEvents } from '../support/recorded-events.js';
import { tempFiles } from '../support/services.js';

/** transformDataset on JSON Lines: what it writes back besides the (de)crypted values. */
describe('transformDataset on JSON Lines', () => {
  let store: Store;
  const cleanups: Array<() => void> = [];
  const kek = randomBytes(32);
  beforeEach(async () => {
    store = await openStore('sqlite::memory:');
    await migrate(store, 'crypto', keyringMigrations);
  });
  afterEach(async () => {
    cleanups.splice(0).forEach((c) => c());
    await store.close();
  });
  const service = (options: EncryptionServiceOptions) => new EncryptionService(options, new Keyring(store, async () => kekFromKey('file:test', kek), new RecordedEvents()), new RecordedEvents());
  const run = (s: EncryptionService, input: string, output: string, direction: 'encrypt' | 'decrypt' | 'rewrap') => transformDataset(s, { input, output, direction, dataset: 'chats' });

  it('with scope field, changes only the fields where they stand: a 19-digit id, 1.10 and spacing elsewhere stay as written', async () => {
    const file = tempFiles('dataset-encryption', cleanups);
    const lines = [
      '{"message_id": 1234567890123456789, "author": {"email": "ana@example.org", "score": 1.10},  "items": [{"ssn": "078-05-1120"}, {"ssn": "219-09-9999"}]}',
      '{"message_id": 2, "author": {"email": {"home": "b@example.org", "n": [1, 2]}}, "items": []}',
    ];
    const input = file('in.jsonl', lines.join('\n') + '\n');
    const fields = service({ encryptionScope: 'field', fields: ['author.email', 'items[].ssn'] });
    await run(fields, input, file('enc.jsonl'), 'encrypt');
    const encrypted = readFileSync(file('enc.jsonl'), 'utf8').split('\n');
    expect(encrypted[0]).toMatch(/^\{"message_id": 1234567890123456789, "author": \{"email": "enc:v1:[\w-]+", "score": 1\.10\},  "items": \[\{"ssn": "enc:v1:[\w-]+"\}, \{"ssn": "enc:v1:[\w-]+"\}\]\}$/);
    // a whole object at a field is one encrypted value
    expect(encrypted[1]).toMatch(/^\{"message_id": 2, "author": \{"email": "enc:v1:[\w-]+"\}, "items": \[\]\}$/);
    expect(encrypted.join('\n')).not.toMatch(/ana@|078-05|b@example/);

    await run(fields, file('enc.jsonl'), file('rewrapped.jsonl'), 'rewrap');
    expect(readFileSync(file('rewrapped.jsonl'), 'utf8')).toContain('"message_id": 1234567890123456789, ');
    await run(fields, file('rewrapped.jsonl'), file('dec.jsonl'), 'decrypt');
    // the decrypted object is written as JSON.stringify writes it; the rest of each line as it was
    expect(readFileSync(file('dec.jsonl'), 'utf8')).toBe(`${lines[0]}\n{"message_id": 2, "author": {"email": {"home":"b@example.org","n":[1,2]}}, "items": []}\n`);
  });

  it('reads a CSV of mixed line endings record by record, each ending a record', async () => {
    const file = tempFiles('dataset-encryption-mixed', cleanups);
    const fields = service({ encryptionScope: 'field', fields: ['email'] });
    await run(fields, file('in.csv', 'email,note\r\na@example.org,one\nb@example.org,two\r\n'), file('enc.csv'), 'encrypt');
    const encrypted = readFileSync(file('enc.csv'), 'utf8').trim().split('\n');
    expect(encrypted).toHaveLength(3);
    expect(encrypted.slice(1).map((row) => row.split(',')[1])).toEqual(['one', 'two']);
    expect(encrypted.join('\n')).not.toMatch(/@example/);
  });

  it('fails when no record has a field it is to encrypt (misspelt, or a CSV without a header row), rather than write the data set in clear', async () => {
    const file = tempFiles('dataset-encryption-missing', cleanups);
    const fields = service({ encryptionScope: 'field', fields: ['email'] });
    const headerless = run(fields, file('nohdr.csv', 'jane@example.com,Jane Doe\nbob@example.com,Bob Smith\n'), file('nohdr-out.csv'), 'encrypt');
    await expect(headerless).rejects.toThrow(/^no record has a value at the field "email" to encrypt \(1 records read\) \(a CSV needs a header row naming its columns\)/);
    expect(existsSync(file('nohdr-out.csv'))).toBe(false);
    const misspelt = run(service({ encryptionScope: 'field', fields: ['emial'] }), file('in.jsonl', '{"email": "a@example.org"}\n'), file('out.jsonl'), 'encrypt');
    await expect(misspelt).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT', details: { fields: ['emial'] } });
    expect(existsSync(file('out.jsonl'))).toBe(false);
    // present in some records only: encrypted where it is
    await run(fields, file('some.jsonl', '{"email": "a@example.org"}\n{"name": "b"}\n'), file('some-out.jsonl'), 'encrypt');
    expect(readFileSync(file('some-out.jsonl'), 'utf8')).toMatch(/^\{"email": ?"enc:v1:[\w-]+"\}\n\{"name": "b"\}\n$/);
  });

  it('fails on bytes that are not UTF-8, JSON Lines and CSV alike, naming the line and writing nothing (they were written back as U+FFFD)', async () => {
    const file = tempFiles('dataset-encryption-utf8', cleanups);
    const fields = service({ encryptionScope: 'field', fields: ['email'] });
    for (const [name, bytes] of [
      ['in.jsonl', Buffer.concat([Buffer.from('{"email": "a@example.org"}\n{"email": "caf'), Buffer.from([0xe9]), Buffer.from('@example.org"}\n')])],
      ['in.csv', Buffer.concat([Buffer.from('email\na@example.org\ncaf'), Buffer.from([0xe9]), Buffer.from('@example.org\n')])],
    ] as const) {
      const input = file(name);
      writeFileSync(input, bytes);
      const output = file(`out-${name}`);
      await expect(run(fields, input, output, 'encrypt')).rejects.toThrow(new RegExp(`^line ${name.endsWith('.csv') ? 3 : 2}: is not valid UTF-8`));
      expect(existsSync(output)).toBe(false);
    }
  });

  it('refuses a number JSON.parse rounds where it would be encrypted or written whole, naming the line and field but not the number', async () => {
    const file = tempFiles('dataset-encryption-inexact', cleanups);
    const fields = service({ encryptionScope: 'field', fields: ['id'] });
    const inField = run(fields, file('in.jsonl', '{"id": "a"}\n{"id": 1234567890123456789}\n'), file('out.jsonl'), 'encrypt');
    await expect(inField).rejects.toThrow(/^line 2: the field id holds a number of 19 significant digits that JavaScript cannot hold exactly/);
    await expect(inField).rejects.not.toThrow(/1234567890123456789/);
    expect(existsSync(file('out.jsonl'))).toBe(false);
    // a key holding a dot: the line must be written whole, which would round the number
    const dotted = run(fields, file('dotted.jsonl', '{"id": "a", "v1.2": 1234567890123456789}\n'), file('dotted-out.jsonl'), 'encrypt');
    await expect(dotted).rejects.toThrow(/^line 1: the record \(a key holds "\.", "\[" or "\]", so it is written whole\) holds a number of 19/);
    // the subject field chooses the key: two ids JSON.parse reads as one would share it
    const perSubject = service({ encryptionScope: 'field', fields: ['email'], secureDeletion: true, subjectField: 'user_id' });
    const subjects = run(perSubject, file('subjects.jsonl', '{"user_id": 1234567890123456789, "email": "a@example.org"}\n{"user_id": 1234567890123456790, "email": "b@example.org"}\n'), file('subjects-out.jsonl'), 'encrypt');
    await expect(subjects).rejects.toThrow(/^line 1: the field user_id, which chooses its key or binds it to its record, holds a number of 19 significant digits/);
    expect(existsSync(file('subjects-out.jsonl'))).toBe(false);
    await run(perSubject, file('small-ids.jsonl', '{"user_id": 42, "email": "a@example.org"}\n'), file('small-ids-out.jsonl'), 'encrypt'); // exact: fine
    const whole = run(service({ encryptionScope: 'record' }), file('whole.jsonl', '{"id": "a", "n": 1234567890123456789}\n'), file('whole-out.jsonl'), 'encrypt');
    await expect(whole).rejects.toThrow(/^line 1: the record holds a number of 19 significant digits/);
  });
});
