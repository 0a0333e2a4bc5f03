import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { Handle, Mechanism, PKCS11 } from 'pkcs11js';
import { z } from 'zod';
import { invalidInput, LangtrainError, type ErrorCode } from '../../core/errors.js';
import { DATA_KEY_MAX_BYTES, DATA_KEY_MIN_BYTES, type KeyEncryptionKey } from './key-encryption-key.js';
import { formatPkcs11Uri } from './pkcs11-uri.js';

/**
 * A KEK inside a PKCS#11 token (an HSM): an AES-256 secret key that is sensitive and not
 * extractable, so its value never reaches this process. Wrapping is AES-256-GCM computed by
 * the token (C_Encrypt/C_Decrypt with CKM_AES_GCM): a 12-byte random IV from node:crypto, a
 * 128-bit tag and the caller's context as associated data. Output: iv || ciphertext || tag,
 * the same layout as `aeadEncrypt` with the local KEK, so either side can be checked against
 * the other. GCM rather than CKM_AES_KEY_WRAP_PAD (RFC 5649) because KWP has no associated
 * data (context would have to be bound by a second mechanism) and GCM works in SoftHSM2 2.6
 * and in every HSM we target; random 96-bit IVs are safe to 2^32 wraps per KEK (SP 800-38D §8.3).
 */
export interface Pkcs11KekOptions {
  /** Path of the vendor's PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so. */
  modulePath: string;
  /** CKA_LABEL of the token (at most 32 bytes). */
  tokenLabel: string;
  /** User PIN. Used for C_Login only: never kept, never in a message. */
  pin: string;
  /** CKA_LABEL of the AES-256 secret key. */
  keyLabel: string;
  /**
   * Generate the key inside the token when there is none with this label. For provisioning
   * from one process: two processes creating at once would make two keys with one label,
   * which later opens reject as ambiguous.
   */
  createIfMissing?: boolean;
}

const optionsSchema = z.strictObject({
  modulePath: z.string().min(1),
  tokenLabel: z
    .string()
    .min(1)
    .refine((label) => Buffer.byteLength(label) <= 32, 'a token label has at most 32 bytes (CK_TOKEN_INFO.label)'),
  pin: z.string().min(1),
  keyLabel: z.string().min(1),
  createIfMissing: z.boolean().default(false),
});

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** Open the KEK `keyLabel` on token `tokenLabel`, logged in as the user. Close it when done. */
export async function openPkcs11Kek(options: Pkcs11KekOptions): Promise<KeyEncryptionKey> {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    // Issue messages name the option and the rule, never the value (the PIN is one of them).
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`);
    throw invalidInput(`PKCS#11 KEK options: ${problems.join('; ')}`, { problems });
  }
  const o = parsed.data;
  const uri = formatPkcs11Uri(o.tokenLabel, o.keyLabel);
  const module = acquireModule(await loadBinding(), resolve(o.modulePath));
  const { api, ck } = module;
  let session: Handle | undefined;
  try {
    const slot = findTokenSlot(module, o.tokenLabel);
    // Read-only unless we may have to create the key: least privilege for the common case.
    session = api.C_OpenSession(slot, ck.CKF_SERIAL_SESSION | (o.createIfMissing ? ck.CKF_RW_SESSION : 0));
    login(module, session, o.pin, o.tokenLabel);
    const key = findKey(module, session, o.keyLabel, uri) ?? (o.createIfMissing ? generateKey(module, session, o.keyLabel) : undefined);
    if (key === undefined) {
      throw new LangtrainError('ERR_KMS_KEY_NOT_FOUND', `no AES secret key labelled "${o.keyLabel}" on token "${o.tokenLabel}" (${uri}); pass createIfMissing to generate one in the token`, { uri });
    }
    return new Pkcs11Kek(uri, module, session, key);
  } catch (err) {
    if (session !== undefined) ignoreFailure(() => api.C_CloseSession(session!));
    releaseModule(module);
    throw err instanceof LangtrainError ? err : kmsFailure('ERR_KMS_UNAVAILABLE', `cannot open ${uri}`, err);
  }
}

/**
 * One PKCS#11 session runs one operation at a time and sessions are not thread-safe, while
 * the binding's *Async calls run on libuv worker threads: every call on a session goes
 * through this queue, so an EncryptInit is never interleaved with another caller's Encrypt.
 */
class SessionQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

class Pkcs11Kek implements KeyEncryptionKey {
  private readonly queue = new SessionQueue();
  private closed = false;

  constructor(
    readonly uri: string,
    private readonly module: LoadedModule,
    private readonly session: Handle,
    private readonly key: Handle,
  ) {}

  async wrap(dataKey: Uint8Array, context: Uint8Array): Promise<Buffer> {
    checkBytes(dataKey, 'dataKey');
    checkBytes(context, 'context');
    if (dataKey.length < DATA_KEY_MIN_BYTES || dataKey.length > DATA_KEY_MAX_BYTES) {
      throw invalidInput(`a data key has ${DATA_KEY_MIN_BYTES} to ${DATA_KEY_MAX_BYTES} bytes, got ${dataKey.length}`);
    }
    this.checkOpen();
    const plaintext = Buffer.from(dataKey);
    const iv = randomBytes(IV_BYTES);
    return this.queue.run(async () => {
      const { api } = this.module;
      try {
        api.C_EncryptInit(this.session, this.gcm(iv, context), this.key);
        // Output sized exactly (data + tag): a short buffer would leave the operation active.
        const body = await api.C_EncryptAsync(this.session, plaintext, Buffer.alloc(plaintext.length + TAG_BYTES));
        if (body.length !== plaintext.length + TAG_BYTES) throw new Error(`token returned ${body.length} bytes for ${plaintext.length} bytes of data`);
        return Buffer.concat([iv, body]);
      } catch (err) {
        throw kmsFailure('ERR_KMS_UNAVAILABLE', `wrapping with ${this.uri} failed`, err);
      } finally {
        plaintext.fill(0);
      }
    });
  }

  async unwrap(wrapped: Uint8Array, context: Uint8Array): Promise<Buffer> {
    checkBytes(wrapped, 'wrapped');
    checkBytes(context, 'context');
    const bytes = Buffer.from(wrapped);
    const bodyLength = bytes.length - IV_BYTES - TAG_BYTES;
    if (bodyLength < DATA_KEY_MIN_BYTES || bodyLength > DATA_KEY_MAX_BYTES) {
      throw new LangtrainError('ERR_CRYPTO_DECRYPT_FAILED', `wrapped key for ${this.uri} is malformed (${bytes.length} bytes)`, { uri: this.uri });
    }
    this.checkOpen();
    return this.queue.run(async () => {
      const { api } = this.module;
      try {
        api.C_DecryptInit(this.session, this.gcm(bytes.subarray(0, IV_BYTES), context), this.key);
      } catch (err) {
        throw kmsFailure('ERR_KMS_UNAVAILABLE', `unwrapping with ${this.uri} failed`, err);
      }
      // The output buffer is as long as the input (ciphertext + tag), never too small: a
      // CKR_BUFFER_TOO_SMALL is the one failure that leaves the session's operation active.
      const scratch = Buffer.alloc(bytes.length - IV_BYTES);
      try {
        const plaintext = await api.C_DecryptAsync(this.session, bytes.subarray(IV_BYTES), scratch);
        return Buffer.from(plaintext);
      } catch (err) {
        // A token that went away must not look like tampered data (callers treat those
        // differently); any other failure is the tag check. SoftHSM2 reports a bad tag as
        // CKR_GENERAL_ERROR, others as CKR_ENCRYPTED_DATA_INVALID, so we cannot list them.
        if (TOKEN_GONE.has(ckrName(err) ?? '')) throw kmsFailure('ERR_KMS_UNAVAILABLE', `unwrapping with ${this.uri} failed`, err);
        throw new LangtrainError('ERR_CRYPTO_DECRYPT_FAILED', `key-encryption key ${this.uri} cannot unwrap this key: it was wrapped by another KEK or for another context, or altered`, { uri: this.uri });
      } finally {
        scratch.fill(0);
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Calls queued before close still run (they were accepted); the session closes after
    // them, never under a running C_EncryptAsync on a worker thread.
    await this.queue.run(async () => {
      ignoreFailure(() => this.module.api.C_CloseSession(this.session));
      releaseModule(this.module);
    });
  }

  private checkOpen(): void {
    if (this.closed) throw new LangtrainError('ERR_KMS_UNAVAILABLE', `${this.uri} is closed`, { uri: this.uri });
  }

  private gcm(iv: Uint8Array, context: Uint8Array): Mechanism {
    const { ck } = this.module;
    // CK_GCM_PARAMS as in PKCS#11 v2.40 (with ulIvBits), the layout SoftHSM2 and current HSMs read.
    return {
      mechanism: ck.CKM_AES_GCM,
      parameter: { type: ck.CK_PARAMS_AES_GCM_v240, iv: Buffer.from(iv), ivBits: IV_BYTES * 8, aad: Buffer.from(context), tagBits: TAG_BYTES * 8 },
    } as Mechanism;
  }
}

/** Return codes meaning the token, session or login is gone, not that the data is bad. */
const TOKEN_GONE = new Set([
  'CKR_DEVICE_ERROR',
  'CKR_DEVICE_MEMORY',
  'CKR_DEVICE_REMOVED',
  'CKR_TOKEN_NOT_PRESENT',
  'CKR_SESSION_CLOSED',
  'CKR_SESSION_HANDLE_INVALID',
  'CKR_USER_NOT_LOGGED_IN',
  'CKR_CRYPTOKI_NOT_INITIALIZED',
  'CKR_KEY_HANDLE_INVALID',
  'CKR_OPERATION_NOT_INITIALIZED',
  'CKR_HOST_MEMORY',
]);

// ---- the module, token, login and key -------------------------------------------------

type Binding = typeof import('pkcs11js');

interface LoadedModule {
  readonly path: string;
  readonly api: PKCS11;
  /** The binding's constants (CKA_*, CKM_*, CKF_*). */
  readonly ck: Binding;
  users: number;
  /** False when something else in this process had already initialized the library. */
  readonly ownsInitialize: boolean;
}

/**
 * A PKCS#11 library is initialized once per process (a second C_Initialize fails and one
 * C_Finalize ends every session), so KEKs on the same module share it, counted.
 */
const modules = new Map<string, LoadedModule>();

async function loadBinding(): Promise<Binding> {
  try {
    // Loaded on first use: the native addon is needed only by deployments with an HSM.
    const imported = (await import('pkcs11js')) as Binding & { default?: Binding };
    return imported.default ?? imported;
  } catch (err) {
    throw kmsFailure('ERR_KMS_UNAVAILABLE', 'the PKCS#11 binding (npm package pkcs11js) is not installed or did not build', err);
  }
}

function acquireModule(ck: Binding, path: string): LoadedModule {
  const known = modules.get(path);
  if (known !== undefined) {
    known.users += 1;
    return known;
  }
  const api = new ck.PKCS11();
  try {
    api.load(path);
  } catch (err) {
    throw kmsFailure('ERR_KMS_UNAVAILABLE', `cannot load the PKCS#11 module ${path}`, err);
  }
  let ownsInitialize = true;
  try {
    // OS locking: calls from different sessions may run at once on libuv worker threads.
    api.C_Initialize({ flags: ck.CKF_OS_LOCKING_OK });
  } catch (err) {
    if (ckrName(err) === 'CKR_CRYPTOKI_ALREADY_INITIALIZED') ownsInitialize = false;
    else {
      ignoreFailure(() => api.close());
      throw kmsFailure('ERR_KMS_UNAVAILABLE', `cannot initialize the PKCS#11 module ${path}`, err);
    }
  }
  const loaded: LoadedModule = { path, api, ck, users: 1, ownsInitialize };
  modules.set(path, loaded);
  return loaded;
}

function releaseModule(module: LoadedModule): void {
  module.users -= 1;
  if (module.users > 0) return;
  modules.delete(module.path);
  if (module.ownsInitialize) ignoreFailure(() => module.api.C_Finalize());
  ignoreFailure(() => module.api.close());
}

function findTokenSlot({ api, path }: LoadedModule, tokenLabel: string): Handle {
  const slots = api.C_GetSlotList(true).filter((slot) => api.C_GetTokenInfo(slot).label.replace(/ +$/, '') === tokenLabel);
  if (slots.length === 0) throw new LangtrainError('ERR_KMS_UNAVAILABLE', `no token labelled "${tokenLabel}" in ${path}`, { tokenLabel });
  // Two tokens with one label: refuse rather than pick one that may be an impostor.
  if (slots.length > 1) throw new LangtrainError('ERR_KMS_UNAVAILABLE', `${slots.length} tokens are labelled "${tokenLabel}" in ${path}; labels must be unique`, { tokenLabel });
  return slots[0]!;
}

function login({ api, ck }: LoadedModule, session: Handle, pin: string, tokenLabel: string): void {
  try {
    api.C_Login(session, ck.CKU_USER, pin);
  } catch (err) {
    const ckr = ckrName(err);
    // Another KEK in this process logged in to this token already (login is per
    // application, not per session); the PIN is not checked again then.
    if (ckr === 'CKR_USER_ALREADY_LOGGED_IN') return;
    // A distinct code, because retrying a wrong PIN counts towards the token locking it.
    // No `cause`: nothing from the login call is carried along, so the PIN cannot be either.
    if (ckr?.startsWith('CKR_PIN_') || ckr === 'CKR_USER_PIN_NOT_INITIALIZED') {
      throw new LangtrainError('ERR_KMS_LOGIN_FAILED', `login to token "${tokenLabel}" refused (${ckr}): check the user PIN; do not retry blindly, tokens lock after repeated failures`, { tokenLabel, ckr });
    }
    throw new LangtrainError('ERR_KMS_UNAVAILABLE', `login to token "${tokenLabel}" failed (${ckr ?? 'no return code'})`, { tokenLabel, ckr });
  }
}

function findKey(module: LoadedModule, session: Handle, keyLabel: string, uri: string): Handle | undefined {
  const { api, ck } = module;
  api.C_FindObjectsInit(session, [
    { type: ck.CKA_CLASS, value: ck.CKO_SECRET_KEY },
    { type: ck.CKA_TOKEN, value: true },
    { type: ck.CKA_LABEL, value: keyLabel },
  ]);
  let found: Handle[];
  try {
    found = api.C_FindObjects(session, 2);
  } finally {
    api.C_FindObjectsFinal(session);
  }
  if (found.length > 1) throw new LangtrainError('ERR_KMS_KEY_NOT_FOUND', `more than one secret key is labelled "${keyLabel}" (${uri}); labels must be unique`, { uri });
  const key = found[0];
  if (key === undefined) return undefined;
  // A key someone made by hand may be weaker than ours: refuse it rather than use it.
  const [keyType, valueLength, encrypt, decrypt, sensitive, extractable] = api
    .C_GetAttributeValue(session, key, [
      { type: ck.CKA_KEY_TYPE },
      { type: ck.CKA_VALUE_LEN },
      { type: ck.CKA_ENCRYPT },
      { type: ck.CKA_DECRYPT },
      { type: ck.CKA_SENSITIVE },
      { type: ck.CKA_EXTRACTABLE },
    ])
    .map((attribute) => attribute.value as Buffer);
  const problems = [
    ulong(keyType!) !== ck.CKK_AES || ulong(valueLength!) !== KEY_BYTES ? 'not an AES-256 key' : '',
    bool(encrypt!) && bool(decrypt!) ? '' : 'not allowed to encrypt and decrypt',
    bool(sensitive!) ? '' : 'not sensitive',
    bool(extractable!) ? 'extractable' : '',
  ].filter((p) => p !== '');
  if (problems.length > 0) {
    throw new LangtrainError('ERR_KMS_KEY_NOT_FOUND', `the key labelled "${keyLabel}" (${uri}) cannot be a KEK: ${problems.join(', ')}`, { uri, problems });
  }
  return key;
}

/** Generated by the token, stored in it, usable only to encrypt and decrypt, never readable. */
function generateKey({ api, ck }: LoadedModule, session: Handle, keyLabel: string): Handle {
  return api.C_GenerateKey(session, { mechanism: ck.CKM_AES_KEY_GEN }, [
    { type: ck.CKA_CLASS, value: ck.CKO_SECRET_KEY },
    { type: ck.CKA_KEY_TYPE, value: ck.CKK_AES },
    { type: ck.CKA_VALUE_LEN, value: KEY_BYTES },
    { type: ck.CKA_LABEL, value: keyLabel },
    { type: ck.CKA_TOKEN, value: true },
    { type: ck.CKA_PRIVATE, value: true },
    { type: ck.CKA_SENSITIVE, value: true },
    { type: ck.CKA_EXTRACTABLE, value: false },
    { type: ck.CKA_ENCRYPT, value: true },
    { type: ck.CKA_DECRYPT, value: true },
    { type: ck.CKA_WRAP, value: false },
    { type: ck.CKA_UNWRAP, value: false },
    { type: ck.CKA_SIGN, value: false },
    { type: ck.CKA_VERIFY, value: false },
    { type: ck.CKA_DERIVE, value: false },
  ]);
}

// ---- small helpers ----------------------------------------------------------------------

function checkBytes(value: unknown, name: string): void {
  if (!(value instanceof Uint8Array)) throw invalidInput(`${name} must be a Uint8Array`);
}

/** The CKR_* name of a PKCS#11 failure, if it is one. */
function ckrName(err: unknown): string | undefined {
  const message = err instanceof Error ? err.message : '';
  return /^CKR_[A-Z_]+/.exec(message)?.[0];
}

function kmsFailure(code: ErrorCode, message: string, err: unknown): LangtrainError {
  if (err instanceof LangtrainError) return err;
  const ckr = ckrName(err);
  const reason = ckr ?? (err instanceof Error ? err.message : String(err));
  return new LangtrainError(code, `${message}: ${reason}`, ckr === undefined ? {} : { ckr }, { cause: err });
}

function ignoreFailure(step: () => void): void {
  try {
    step();
  } catch {
    // Clean-up after a failure or on close: the first error is the one to report.
  }
}

/** CK_BBOOL and CK_ULONG attribute values (little-endian hosts: x86-64, arm64). */
function bool(value: Buffer): boolean {
  return value.length > 0 && value[0] !== 0;
}

function ulong(value: Buffer): number {
  return value.length === 8 ? Number(value.readBigUInt64LE()) : value.readUInt32LE();
}
