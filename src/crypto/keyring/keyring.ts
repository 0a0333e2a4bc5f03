import { randomBytes, randomInt } from 'node:crypto';
import type { AuditSink } from '../../core/audit-sink.js';
import { LangtrainError, invalidInput } from '../../core/errors.js';
import type { Store, WriteTx } from '../../store/database.js';
import { decryptWith, deriveVersionKey, encryptWith, readHeader, type VersionKey } from '../ciphertext.js';
import type { KeyEncryptionKey } from '../kms/key-encryption-key.js';

/**
 * What a named key is for: data keys encrypt data; subject keys belong to one data subject;
 * system keys are the platform's own (the identity secrets are derived from one, the secrets
 * store and PII pseudonyms from others). Only data keys are served over HTTP: rotating or
 * destroying a system key there broke every API key and TOTP login, or every stored secret.
 */
export type KeyPurpose = 'data' | 'subject' | 'system';

export interface KeyVersionInfo {
  version: number;
  createdAt: string;
  destroyedAt: string | null;
}

export interface KeyInfo {
  name: string;
  keyId: number;
  purpose: KeyPurpose;
  primaryVersion: number;
  minDecryptionVersion: number;
  rotationIntervalMs: number | null;
  createdAt: string;
  versions: KeyVersionInfo[];
}

/** How long this process trusts its cached view of a key's versions (another process may rotate or destroy). */
const STATE_TTL_MS = 5_000;

const KEY_NAME = /^[a-z0-9][a-z0-9._:@-]{0,199}$/i;

/**
 * Named keys with versions (Vault transit's model): one primary version encrypts, older
 * versions only decrypt, down to a minimum decryption version; destroyed versions are gone.
 * Version material is random, stored only wrapped by the KEK, and unwrapped into a cache
 * of derived keys, so encryption is one AES-GCM call after the first use.
 * Every key event goes to the audit log; key material never does.
 */
export class Keyring {
  readonly #keys = new Map<string, VersionKey>();
  readonly #state = new Map<string, { info: KeyInfo; readAt: number }>();

  constructor(
    private readonly store: Store,
    private readonly kek: () => Promise<KeyEncryptionKey>,
    private readonly audit: AuditSink,
    private readonly defaultRotationIntervalMs: number | null = null,
  ) {}

  /** Create a named key with its first version. Refuses a name already taken. */
  async createKey(name: string, options: { purpose?: KeyPurpose; rotationIntervalMs?: number | null; actor?: string } = {}): Promise<KeyInfo> {
    checkName(name);
    const kek = await this.kek();
    const now = new Date().toISOString();
    await this.store.writeTransaction('crypto', async (tx) => {
      if (await tx.selectFrom('crypto_keys').select('name').where('name', '=', name).executeTakeFirst()) {
        throw invalidInput(`key ${name} already exists`);
      }
      const keyId = await unusedKeyId(tx);
      await tx
        .insertInto('crypto_keys')
        .values({
          name,
          key_id: keyId,
          purpose: options.purpose ?? 'data',
          primary_version: 1,
          min_decryption_version: 1,
          rotation_interval_ms: options.rotationIntervalMs === undefined ? this.defaultRotationIntervalMs : options.rotationIntervalMs,
          created_at: now,
        })
        .execute();
      await insertVersion(tx, kek, keyId, 1, now);
    });
    this.#state.delete(name);
    const info = await this.describe(name);
    await this.audit.record({ eventType: 'keys.created', userId: options.actor ?? null, result: 'success', additionalData: { key: name, keyId: info.keyId, version: 1, kek: kek.uri } });
    return info;
  }

  /**
   * The key, created on first use. Asked for as a system key, a key made as a data key (as every
   * key was before system keys) becomes one, with the rotation interval asked for (a system key
   * rotated on the data keys' schedule changed what the platform derives from it).
   */
  async ensureKey(name: string, options: { purpose?: KeyPurpose; rotationIntervalMs?: number | null } = {}): Promise<KeyInfo> {
    try {
      const info = await this.describe(name);
      return options.purpose === 'system' && info.purpose === 'data' ? await this.#makeSystemKey(name, options.rotationIntervalMs) : info;
    } catch (err) {
      if (!(err instanceof LangtrainError) || err.code !== 'ERR_NOT_FOUND') throw err;
    }
    try {
      return await this.createKey(name, options);
    } catch (err) {
      // Another caller created it between our read and our write.
      if (err instanceof LangtrainError && err.code === 'ERR_INVALID_INPUT') return this.describe(name);
      throw err;
    }
  }

  async #makeSystemKey(name: string, rotationIntervalMs: number | null | undefined): Promise<KeyInfo> {
    const interval = rotationIntervalMs === undefined ? {} : { rotation_interval_ms: rotationIntervalMs };
    await this.store.writeTransaction('crypto', (tx) => tx.updateTable('crypto_keys').set({ purpose: 'system', ...interval }).where('name', '=', name).where('purpose', '=', 'data').execute());
    this.#state.delete(name);
    await this.audit.record({ eventType: 'keys.purpose_set', userId: null, result: 'success', additionalData: { key: name, purpose: 'system' } });
    return this.describe(name);
  }

  /** Add a new primary version; earlier versions keep decrypting. */
  async rotate(name: string, actor?: string): Promise<KeyInfo> {
    const kek = await this.kek();
    const version = await this.store.writeTransaction('crypto', async (tx) => {
      const key = await tx.selectFrom('crypto_keys').select(['key_id', 'primary_version']).where('name', '=', name).executeTakeFirst();
      if (!key) throw notFound(name);
      const next = Number(key.primary_version) + 1;
      await insertVersion(tx, kek, Number(key.key_id), next, new Date().toISOString());
      await tx.updateTable('crypto_keys').set({ primary_version: next }).where('name', '=', name).execute();
      return next;
    });
    this.#state.delete(name);
    await this.audit.record({ eventType: 'keys.rotated', userId: actor ?? null, result: 'success', additionalData: { key: name, version } });
    return this.describe(name);
  }

  /** Rotate every key whose primary version is older than its rotation interval. Returns the names rotated. */
  async rotateDue(now: Date = new Date()): Promise<string[]> {
    const rotated: string[] = [];
    for (const key of await this.list()) {
      if (key.rotationIntervalMs === null) continue;
      const primary = key.versions.find((v) => v.version === key.primaryVersion)!;
      if (now.getTime() - Date.parse(primary.createdAt) >= key.rotationIntervalMs) {
        await this.rotate(key.name, 'system:rotation-schedule');
        rotated.push(key.name);
      }
    }
    return rotated;
  }

  /** Change a key's rotation interval (null: never rotated on a schedule). */
  async setRotationInterval(name: string, rotationIntervalMs: number | null, actor?: string): Promise<KeyInfo> {
    if (rotationIntervalMs !== null && !(Number.isSafeInteger(rotationIntervalMs) && rotationIntervalMs > 0)) throw invalidInput('a rotation interval is a positive number of milliseconds, or null');
    await this.describe(name, { fresh: true });
    await this.store.writeTransaction('crypto', (tx) => tx.updateTable('crypto_keys').set({ rotation_interval_ms: rotationIntervalMs }).where('name', '=', name).execute());
    this.#state.delete(name);
    await this.audit.record({ eventType: 'keys.rotation_interval_set', userId: actor ?? null, result: 'success', additionalData: { key: name, rotationIntervalMs } });
    return this.describe(name);
  }

  /** Refuse to decrypt with versions below `version` (Vault's min_decryption_version); reversible. */
  async setMinDecryptionVersion(name: string, version: number, actor?: string): Promise<KeyInfo> {
    const info = await this.describe(name, { fresh: true });
    if (!Number.isInteger(version) || version < 1 || version > info.primaryVersion) {
      throw invalidInput(`minimum decryption version must be between 1 and the primary version ${info.primaryVersion}`);
    }
    await this.store.writeTransaction('crypto', (tx) => tx.updateTable('crypto_keys').set({ min_decryption_version: version }).where('name', '=', name).execute());
    this.#state.delete(name);
    await this.audit.record({ eventType: 'keys.min_decryption_version_set', userId: actor ?? null, result: 'success', additionalData: { key: name, version } });
    return this.describe(name);
  }

  /**
   * Destroy a version's material for good: everything it encrypted becomes unreadable.
   * The primary cannot be destroyed (rotate first).
   */
  async destroyVersion(name: string, version: number, actor?: string): Promise<KeyInfo> {
    const info = await this.describe(name, { fresh: true });
    if (version === info.primaryVersion) throw invalidInput(`version ${version} is the primary of ${name}: rotate before destroying it`);
    if (!info.versions.some((v) => v.version === version)) throw new LangtrainError('ERR_NOT_FOUND', `key ${name} has no version ${version}`);
    await this.store.writeTransaction('crypto', (tx) =>
      tx
        .updateTable('crypto_key_versions')
        .set({ wrapped: null, destroyed_at: new Date().toISOString() })
        .where('key_id', '=', info.keyId)
        .where('version', '=', version)
        .execute(),
    );
    this.#keys.delete(cacheKey(info.keyId, version));
    this.#state.delete(name);
    await this.audit.record({ eventType: 'keys.version_destroyed', userId: actor ?? null, result: 'success', additionalData: { key: name, version } });
    await this.store.scrubDeleted(); // the wrapped material's bytes too
    return this.describe(name);
  }

  /** Destroy every version of a key (crypto-shredding of all it protected). */
  async destroyKey(name: string, actor?: string): Promise<void> {
    const info = await this.describe(name, { fresh: true });
    await this.store.writeTransaction('crypto', (tx) =>
      tx.updateTable('crypto_key_versions').set({ wrapped: null, destroyed_at: new Date().toISOString() }).where('key_id', '=', info.keyId).where('destroyed_at', 'is', null).execute(),
    );
    for (const v of info.versions) this.#keys.delete(cacheKey(info.keyId, v.version));
    this.#state.delete(name);
    await this.audit.record({ eventType: 'keys.destroyed', userId: actor ?? null, result: 'success', additionalData: { key: name, keyId: info.keyId } });
    await this.store.scrubDeleted(); // the wrapped material's bytes too
  }

  async describe(name: string, options: { fresh?: boolean } = {}): Promise<KeyInfo> {
    const cached = this.#state.get(name);
    if (cached && !options.fresh && Date.now() - cached.readAt < STATE_TTL_MS) return cached.info;
    const key = await this.store.db.selectFrom('crypto_keys').selectAll().where('name', '=', name).executeTakeFirst();
    if (!key) throw notFound(name);
    const versions = await this.store.db
      .selectFrom('crypto_key_versions')
      .select(['version', 'created_at', 'destroyed_at'])
      .where('key_id', '=', key.key_id)
      .orderBy('version', 'asc')
      .execute();
    const info = toInfo(key, versions);
    this.#state.set(name, { info, readAt: Date.now() });
    return info;
  }

  async list(options: { purpose?: KeyPurpose } = {}): Promise<KeyInfo[]> {
    let query = this.store.db.selectFrom('crypto_keys').select('name').orderBy('name');
    if (options.purpose) query = query.where('purpose', '=', options.purpose);
    const rows = await query.execute();
    return Promise.all(rows.map((row) => this.describe(row.name, { fresh: true })));
  }

  /** The primary version's derived key, for encrypting many values without a lookup each. */
  async primaryKey(name: string): Promise<VersionKey> {
    const info = await this.describe(name);
    return this.#versionKey(info, info.primaryVersion);
  }

  /** The key that opens a ciphertext, read from its header; refuses versions below the minimum or destroyed. */
  async keyFor(ciphertext: Uint8Array): Promise<VersionKey> {
    const { keyId, version } = readHeader(ciphertext);
    const name = await this.#nameOf(keyId);
    const info = await this.describe(name);
    if (version < info.minDecryptionVersion) {
      throw new LangtrainError('ERR_CRYPTO_DECRYPT_FAILED', `version ${version} of key ${name} is below its minimum decryption version ${info.minDecryptionVersion}`);
    }
    // through #versionKey even when cached: it refuses a version the key's state says was destroyed, by another process too
    return this.#versionKey(info, version);
  }

  async encrypt(name: string, plaintext: Uint8Array, context?: Uint8Array): Promise<Buffer> {
    return encryptWith(await this.primaryKey(name), plaintext, context);
  }

  async decrypt(ciphertext: Uint8Array, context?: Uint8Array): Promise<Buffer> {
    return decryptWith(await this.keyFor(ciphertext), ciphertext, context);
  }

  /** Whether the key version that made a ciphertext is its key's current primary (nothing to rewrap). */
  async madeByPrimary(ciphertext: Uint8Array): Promise<boolean> {
    const { keyId, version } = readHeader(ciphertext);
    return version === (await this.describe(await this.#nameOf(keyId))).primaryVersion;
  }

  /** Re-encrypt under the key's primary version if an older one made it; unchanged otherwise. */
  async rewrap(ciphertext: Uint8Array, context?: Uint8Array): Promise<{ ciphertext: Buffer; rewrapped: boolean }> {
    const key = await this.keyFor(ciphertext);
    const name = await this.#nameOf(key.keyId);
    const primary = await this.primaryKey(name);
    if (key.version === primary.version) return { ciphertext: Buffer.from(ciphertext), rewrapped: false };
    return { ciphertext: encryptWith(primary, decryptWith(key, ciphertext, context), context), rewrapped: true };
  }

  readonly #names = new Map<number, string>();

  async #nameOf(keyId: number): Promise<string> {
    const known = this.#names.get(keyId);
    if (known) return known;
    const row = await this.store.db.selectFrom('crypto_keys').select('name').where('key_id', '=', keyId).executeTakeFirst();
    if (!row) throw new LangtrainError('ERR_CRYPTO_DECRYPT_FAILED', `no key with id ${keyId} in this keyring: the data was encrypted elsewhere or its key was removed`);
    this.#names.set(keyId, row.name);
    return row.name;
  }

  async #versionKey(info: KeyInfo, version: number): Promise<VersionKey> {
    const cached = this.#keys.get(cacheKey(info.keyId, version));
    const state = info.versions.find((v) => v.version === version);
    if (!state) throw new LangtrainError('ERR_CRYPTO_DECRYPT_FAILED', `key ${info.name} has no version ${version}`);
    if (state.destroyedAt) {
      this.#keys.delete(cacheKey(info.keyId, version));
      throw new LangtrainError('ERR_CRYPTO_KEY_DESTROYED', `version ${version} of key ${info.name} was destroyed on ${state.destroyedAt}: what it encrypted can no longer be read`);
    }
    if (cached) return cached;
    const row = await this.store.db
      .selectFrom('crypto_key_versions')
      .select(['wrapped'])
      .where('key_id', '=', info.keyId)
      .where('version', '=', version)
      .executeTakeFirstOrThrow();
    if (row.wrapped === null) throw new LangtrainError('ERR_CRYPTO_KEY_DESTROYED', `version ${version} of key ${info.name} was destroyed`);
    const kek = await this.kek();
    const material = await kek.unwrap(row.wrapped, versionContext(info.keyId, version));
    const key = deriveVersionKey(info.keyId, version, material);
    material.fill(0);
    this.#keys.set(cacheKey(info.keyId, version), key);
    return key;
  }
}

const cacheKey = (keyId: number, version: number) => `${keyId}:${version}`;

/** Wrapping binds material to its key id and version: a wrapped blob moved to another row fails. */
const versionContext = (keyId: number, version: number) => Buffer.from(`langtrain/key-version/v1\0${keyId}\0${version}`);

async function insertVersion(tx: WriteTx, kek: KeyEncryptionKey, keyId: number, version: number, createdAt: string): Promise<void> {
  const material = randomBytes(32);
  const wrapped = await kek.wrap(material, versionContext(keyId, version));
  material.fill(0);
  await tx.insertInto('crypto_key_versions').values({ key_id: keyId, version, wrapped, kek_uri: kek.uri, created_at: createdAt }).execute();
}

async function unusedKeyId(tx: WriteTx): Promise<number> {
  for (;;) {
    // Random 32-bit ids as in Tink: no coordination needed between keyrings that merge later.
    const candidate = randomInt(1, 2 ** 32 - 1);
    if (!(await tx.selectFrom('crypto_keys').select('key_id').where('key_id', '=', candidate).executeTakeFirst())) return candidate;
  }
}

function checkName(name: string): void {
  if (!KEY_NAME.test(name)) throw invalidInput(`key name "${name}" must be 1-200 letters, digits and . _ : @ - (starting with a letter or digit)`);
}

function notFound(name: string): LangtrainError {
  return new LangtrainError('ERR_NOT_FOUND', `no key named ${name}; create it with: langtrain keys create ${name}`);
}

function toInfo(key: Record<string, any>, versions: Array<Record<string, any>>): KeyInfo {
  return {
    name: key.name,
    keyId: Number(key.key_id),
    purpose: key.purpose,
    primaryVersion: Number(key.primary_version),
    minDecryptionVersion: Number(key.min_decryption_version),
    rotationIntervalMs: key.rotation_interval_ms === null ? null : Number(key.rotation_interval_ms),
    createdAt: key.created_at,
    versions: versions.map((v) => ({ version: Number(v.version), createdAt: v.created_at, destroyedAt: v.destroyed_at ?? null })),
  };
}
