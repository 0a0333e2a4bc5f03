import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import type { AuditSink } from '../core/audit-sink.js';
import { writeAtomically } from '../core/atomic-file.js';
import { invalidInput, isLangtrainError, LangtrainError } from '../core/errors.js';
import { parseOptions } from '../core/options.js';
import { decryptWith, encryptWith, type VersionKey } from './ciphertext.js';
import { parseFieldPath, transformAt, type FieldPath } from './field-paths.js';
import { ALPHANUMERIC, DIGITS, FpeCipher } from './fpe-ff1.js';
import { createDecryptStream, createEncryptStream } from './stream-aead.js';
import type { Keyring } from './keyring/keyring.js';

/**
 * The seed's `EncryptionService(encryption_scope, key_derivation, secure_deletion,
 * format_preserving)`: encryption of records and files under keyring keys, every value
 * bound to its place (data set, record, field) so it cannot be moved unnoticed.
 */

const fieldSpec = z.union([
  z.string(),
  z.object({ path: z.string(), format: z.enum(['digits', 'alphanumeric']) }).strict(),
]);

export const encryptionServiceOptions = z
  .object({
    /**
     * `field`: the listed fields of each record; `record`: each whole record; `file`: whole
     * files, streamed in authenticated chunks. Full-disk encryption is the operating system's.
     */
    encryptionScope: z
      .string()
      .refine((v) => v !== 'full_disk' && v !== 'disk', {
        message: 'full-disk encryption is the operating system\'s job (LUKS, BitLocker, FileVault); supported: field, record, file',
      })
      .pipe(z.enum(['field', 'record', 'file'], { message: 'supported: field, record, file' }))
      .default('field'),
    /** How keys are derived from passphrases (passphrase KEKs). */
    keyDerivation: z.enum(['PBKDF2-SHA256'], { message: 'supported: PBKDF2-SHA256' }).default('PBKDF2-SHA256'),
    /**
     * Cryptographic erasure: with `subjectField`, each subject's values get their own key,
     * destroyed by `eraseSubject`; failed plaintext outputs are overwritten before removal.
     */
    secureDeletion: z.boolean().default(false),
    /** Allow `{ path, format }` fields, encrypted with FF1 so they keep their shape. */
    formatPreserving: z.boolean().default(false),
    /** Keyring key that protects the data (created on first use). */
    key: z.string().default('datasets'),
    /** Fields to encrypt (scope `field`): paths, or `{ path, format: 'digits' | 'alphanumeric' }` to keep the shape. */
    fields: z.array(fieldSpec).default([]),
    /** Field holding each record's id; bound into every value. Default: the record's position. */
    recordIdField: z.string().optional(),
    /** Field naming the data subject (e.g. `user_id`): one key per subject, for erasure. */
    subjectField: z.string().optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.encryptionScope === 'field' && o.fields.length === 0) ctx.addIssue({ code: 'custom', path: ['fields'], message: 'scope field needs the fields to encrypt' });
    if (o.encryptionScope !== 'field' && o.fields.length > 0) ctx.addIssue({ code: 'custom', path: ['fields'], message: `scope ${o.encryptionScope} encrypts whole ${o.encryptionScope}s; fields are for scope field` });
    if (!o.formatPreserving && o.fields.some((f) => typeof f !== 'string')) {
      ctx.addIssue({ code: 'custom', path: ['fields'], message: 'a field with a format needs formatPreserving: true' });
    }
    if (o.formatPreserving && !o.fields.some((f) => typeof f !== 'string')) {
      ctx.addIssue({ code: 'custom', path: ['formatPreserving'], message: 'formatPreserving: true needs at least one field with a format, e.g. { path: "card", format: "digits" }' });
    }
    if (o.subjectField !== undefined && !o.secureDeletion) {
      ctx.addIssue({ code: 'custom', path: ['subjectField'], message: 'per-subject keys exist for erasure: set secureDeletion: true' });
    }
  });

export type EncryptionServiceOptions = z.input<typeof encryptionServiceOptions>;
type Options = z.output<typeof encryptionServiceOptions>;

/** Where a record sits: bound into every value as associated data (and FF1 tweak). */
export interface RecordPlace {
  dataset: string;
  /** The record's id, or its position when the records have no id field. */
  recordId: string;
}

/** Prefix of an encrypted field value: versioned, and recognisable in data. */
export const ENCRYPTED_PREFIX = 'enc:v1:';
const RECORD_FIELD = '_encrypted';
const FILE_MAGIC = 'LTF1';

interface PlannedField {
  path: FieldPath;
  format?: 'digits' | 'alphanumeric';
}

export class EncryptionService {
  readonly options: Options;
  readonly #fields: PlannedField[];

  constructor(
    options: EncryptionServiceOptions,
    private readonly keyring: Keyring,
    private readonly audit: AuditSink,
  ) {
    this.options = parseOptions(encryptionServiceOptions, options, 'EncryptionService');
    this.#fields = this.options.fields.map((f) => (typeof f === 'string' ? { path: parseFieldPath(f) } : { path: parseFieldPath(f.path), format: f.format }));
  }

  /** Encrypt one record (scopes field and record); returns a new record. */
  async encryptRecord(record: Record<string, unknown>, place: RecordPlace): Promise<Record<string, unknown>> {
    const key = await this.#keyFor(record);
    if (this.options.encryptionScope === 'record') {
      const kept = this.#clearFields(record);
      const sealed = encryptWith(key, Buffer.from(JSON.stringify(record)), context(place, RECORD_FIELD));
      return { ...kept, [RECORD_FIELD]: ENCRYPTED_PREFIX + sealed.toString('base64url') };
    }
    this.#requireScope('field');
    const fpe = this.#fields.some((f) => f.format) ? await this.#fpeKey(record) : undefined;
    const out = structuredClone(record);
    for (const field of this.#fields) {
      transformAt(out, field.path, (value, at) =>
        field.format
          ? this.#fpe(fpe!, field.format).encrypt(String(value), context(place, at))
          : ENCRYPTED_PREFIX + encryptWith(key, Buffer.from(JSON.stringify(value)), context(place, at)).toString('base64url'),
      );
    }
    return out;
  }

  /** Decrypt one record made by `encryptRecord` with the same place. */
  async decryptRecord(record: Record<string, unknown>, place: RecordPlace): Promise<Record<string, unknown>> {
    if (this.options.encryptionScope === 'record') {
      const sealed = record[RECORD_FIELD];
      if (typeof sealed !== 'string' || !sealed.startsWith(ENCRYPTED_PREFIX)) throw invalidInput(`record ${place.recordId} has no ${RECORD_FIELD} value to decrypt`);
      const bytes = Buffer.from(sealed.slice(ENCRYPTED_PREFIX.length), 'base64url');
      return JSON.parse((await this.#open(bytes, context(place, RECORD_FIELD))).toString('utf8'));
    }
    this.#requireScope('field');
    const fpe = this.#fields.some((f) => f.format) ? await this.#fpeKey(record) : undefined;
    // Keys are looked up (async, cached) before the synchronous rewrite of the record.
    const keys = new Map<string, VersionKey>();
    for (const field of this.#fields.filter((f) => !f.format)) {
      const found: Buffer[] = [];
      transformAt(structuredClone(record), field.path, (value, at) => {
        if (typeof value !== 'string' || !value.startsWith(ENCRYPTED_PREFIX)) throw invalidInput(`record ${place.recordId}: ${at} is not an encrypted value`);
        found.push(Buffer.from(value.slice(ENCRYPTED_PREFIX.length), 'base64url'));
        return value;
      });
      for (const bytes of found) {
        const header = bytes.subarray(0, 10).toString('hex');
        if (!keys.has(header)) keys.set(header, await this.keyring.keyFor(bytes));
      }
    }
    const out = structuredClone(record);
    for (const field of this.#fields) {
      transformAt(out, field.path, (value, at) => {
        if (field.format) return this.#fpe(fpe!, field.format).decrypt(String(value), context(place, at));
        const bytes = Buffer.from(String(value).slice(ENCRYPTED_PREFIX.length), 'base64url');
        return JSON.parse(decryptWith(keys.get(bytes.subarray(0, 10).toString('hex'))!, bytes, context(place, at)).toString('utf8'));
      });
    }
    return out;
  }

  /**
   * Encrypt a file (scope `file`) in authenticated chunks with a fresh data key, wrapped by
   * the keyring key and stored in front of the stream:
   * "LTF1" | u32 length | keyring ciphertext of the data key | STREAM (see stream-aead.ts).
   * `associatedData` (e.g. the file's logical name) must be given again to decrypt.
   */
  async encryptFile(input: string, output: string, associatedData = ''): Promise<void> {
    this.#requireFileScope();
    await this.keyring.ensureKey(this.options.key);
    const dataKey = randomBytes(32);
    const wrapped = await this.keyring.encrypt(this.options.key, dataKey, fileContext(associatedData));
    const header = Buffer.alloc(8);
    header.write(FILE_MAGIC, 0, 'latin1');
    header.writeUInt32BE(wrapped.length, 4);
    try {
      await writeAtomically(output, async (out) => {
        out.write(Buffer.concat([header, wrapped]));
        await pipeline(createReadStream(input), createEncryptStream({ key: dataKey, associatedData: Buffer.from(associatedData) }), out);
      });
    } finally {
      dataKey.fill(0);
    }
  }

  async decryptFile(input: string, output: string, associatedData = ''): Promise<void> {
    this.#requireFileScope();
    const handle = await open(input, 'r');
    let wrapped: Buffer;
    try {
      const header = Buffer.alloc(8);
      await handle.read(header, 0, 8, 0);
      if (header.toString('latin1', 0, 4) !== FILE_MAGIC) throw invalidInput(`${input} is not a LangTrain encrypted file`);
      const length = header.readUInt32BE(4);
      if (length > 4096) throw invalidInput(`${input}: its key header is malformed`);
      wrapped = Buffer.alloc(length);
      await handle.read(wrapped, 0, length, 8);
    } finally {
      await handle.close();
    }
    const dataKey = await this.#open(wrapped, fileContext(associatedData));
    try {
      await writeAtomically(
        output,
        (out) => pipeline(createReadStream(input, { start: 8 + wrapped.length }), createDecryptStream({ key: dataKey, associatedData: Buffer.from(associatedData) }), out),
        { scrub: this.options.secureDeletion },
      );
    } finally {
      dataKey.fill(0);
    }
  }

  #requireFileScope(): void {
    if (this.options.encryptionScope !== 'file') throw invalidInput(`this EncryptionService has scope ${this.options.encryptionScope}; files need scope file`);
  }

  /**
   * Destroy a subject's key (cryptographic erasure): every value encrypted for them is
   * unreadable from now on, by anyone; other subjects are untouched. Audited. Fails with
   * ERR_NOT_FOUND, creating nothing, when no record of theirs was encrypted under this key.
   */
  async eraseSubject(subjectId: string, actor?: string): Promise<void> {
    const name = await this.subjectKey(subjectId);
    if (name === undefined) throw new LangtrainError('ERR_NOT_FOUND', `no record of that subject was encrypted with a per-subject key under ${this.options.key}: nothing to erase`);
    await this.keyring.destroyKey(name, actor);
    await this.audit.record({ eventType: 'keys.subject_erased', userId: actor ?? null, result: 'success', additionalData: { key: this.options.key, subjectKey: name } });
  }

  /**
   * The name of the subject's own key, when one was made for them under this service's key;
   * undefined otherwise. Reads only: an erasure must create no key, and must know before it
   * deletes anything else that the keyring opens (a wrong KEK fails here).
   */
  async subjectKey(subjectId: string): Promise<string | undefined> {
    const state = await this.subjectKeyState(subjectId);
    return state === undefined || state.destroyed ? undefined : state.name;
  }

  /** subjectKey, telling a key destroyed before (an erasure already done) from none ever made. */
  async subjectKeyState(subjectId: string): Promise<{ name: string; destroyed: boolean } | undefined> {
    if (!this.options.secureDeletion || this.options.subjectField === undefined) {
      throw invalidInput('erasing a subject needs secureDeletion: true and a subjectField (per-subject keys)');
    }
    try {
      const name = await this.#subjectKeyName(subjectId, { create: false });
      const { versions } = await this.keyring.describe(name, { fresh: true });
      return { name, destroyed: versions.every((v) => v.destroyedAt !== null) };
    } catch (err) {
      if (isLangtrainError(err, 'ERR_NOT_FOUND')) return undefined;
      throw err;
    }
  }

  #requireScope(scope: 'field'): void {
    if (this.options.encryptionScope !== scope) throw invalidInput(`this EncryptionService has scope ${this.options.encryptionScope}`);
  }

  /** The fields kept in clear by scope record: the id (to find the record) and the subject (to erase it). */
  #clearFields(record: Record<string, unknown>): Record<string, unknown> {
    const kept: Record<string, unknown> = {};
    for (const name of [this.options.recordIdField, this.options.subjectField]) if (name !== undefined && name in record) kept[name] = record[name];
    return kept;
  }

  async #keyFor(record: Record<string, unknown>): Promise<VersionKey> {
    if (this.options.subjectField === undefined) {
      await this.keyring.ensureKey(this.options.key);
      return this.keyring.primaryKey(this.options.key);
    }
    const subject = record[this.options.subjectField];
    if (typeof subject !== 'string' && typeof subject !== 'number') {
      throw invalidInput(`record has no ${this.options.subjectField} (the subject field) to choose its key`);
    }
    const name = await this.#subjectKeyName(String(subject));
    await this.keyring.ensureKey(name, { purpose: 'subject', rotationIntervalMs: null });
    return this.keyring.primaryKey(name);
  }

  async #open(ciphertext: Buffer, ctx: Buffer): Promise<Buffer> {
    return decryptWith(await this.keyring.keyFor(ciphertext), ciphertext, ctx);
  }

  /**
   * Subject keys are named by a keyed hash of the subject id, so key names reveal no ids;
   * the hash key comes from a keyring key that never rotates (it only names things).
   */
  async #subjectKeyName(subjectId: string, { create }: { create: boolean } = { create: true }): Promise<string> {
    const refs = this.options.key + SUBJECT_REFS_SUFFIX;
    if (create) await this.keyring.ensureKey(refs, { purpose: 'system', rotationIntervalMs: null });
    const refKey = await this.keyring.primaryKey(refs);
    return `${this.options.key}.subject.${createHmac('sha256', refKey.encryptionKey).update(subjectId).digest('hex').slice(0, 32)}`;
  }

  /**
   * Format-preserving fields use a key that is never rotated on a schedule: FF1 output has
   * no room for a key version, so a value must be decrypted with the very version that made
   * it. With per-subject keys that is the subject's own key (so erasure covers these fields
   * too); otherwise `<key>.fpe`. Rotating it means re-encrypting those fields.
   */
  async #fpeKey(record: Record<string, unknown>): Promise<VersionKey> {
    if (this.options.subjectField !== undefined) return this.#keyFor(record);
    const name = this.options.key + FPE_KEY_SUFFIX;
    await this.keyring.ensureKey(name, { purpose: 'system', rotationIntervalMs: null });
    return this.keyring.primaryKey(name);
  }

  readonly #fpeCiphers = new Map<string, FpeCipher>();

  #fpe(key: VersionKey, format: 'digits' | 'alphanumeric'): FpeCipher {
    const id = `${key.keyId}:${key.version}:${format}`;
    let cipher = this.#fpeCiphers.get(id);
    if (!cipher) {
      const fpeKey = Buffer.from(hkdfSync('sha256', key.encryptionKey, Buffer.alloc(0), 'langtrain/fpe-ff1/v1', 32));
      cipher = new FpeCipher({ key: fpeKey, alphabet: format === 'digits' ? DIGITS : ALPHANUMERIC });
      this.#fpeCiphers.set(id, cipher);
    }
    return cipher;
  }
}

/**
 * What ends the name of the keyring key that names `key`'s per-subject keys (`datasets.subject-refs`):
 * it exists once a record was encrypted under `key` with one.
 */
export const SUBJECT_REFS_SUFFIX = '.subject-refs';

/** What ends the name of the keyring key of `key`'s format-preserving fields (`datasets.fpe`) without per-subject keys. */
export const FPE_KEY_SUFFIX = '.fpe';

/** Associated data: data set, record and concrete field path, length-separated. */
function context(place: RecordPlace, field: string): Buffer {
  return Buffer.from(`langtrain/field/v1\0${place.dataset}\0${place.recordId}\0${field}`);
}

function fileContext(associatedData: string): Buffer {
  return Buffer.from(`langtrain/file-key/v1\0${associatedData}`);
}
