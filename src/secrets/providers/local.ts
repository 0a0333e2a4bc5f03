import { LangtrainError, isLangtrainError } from '../../core/errors.js';
import { once, type Once } from '../../core/once.js';
import type { Keyring } from '../../crypto/keyring/keyring.js';
import type { Store } from '../../store/database.js';
import { migrate } from '../../store/migrations.js';
import type { SecretSummary, SecretTags, SecretValue, SecretVersionInfo, SecretsProvider, StoredSecretVersion } from '../provider.js';
import { secretsMigrations } from '../schema.js';

/**
 * The embedded default: secrets in the one LangTrain database (SQLite or PostgreSQL),
 * each version encrypted by the keyring under the key `secrets` (AES-256-GCM, key-committing,
 * the key id in every ciphertext so keyring rotation never strands old versions).
 *
 * Tested against: SQLite and PostgreSQL through `openStore`, with a keyring over a local KEK
 * (test/secrets/secrets-manager.test.ts).
 */
export const SECRETS_KEY = 'secrets';

/**
 * Associated data binding a ciphertext to its secret name and version: a row copied to
 * another secret, or to another version of the same one, fails to decrypt (Tink's rule).
 */
export function secretContext(name: string, version: number): Buffer {
  return Buffer.from(`langtrain/secret/v1\0${name}\0${version}`);
}

/** Rounds of the optimistic write loop before giving up under contention. */
const MAX_WRITE_ATTEMPTS = 20;

interface SecretRow {
  name: string;
  tags: string;
  current_version: number;
  deleted_at: string | null;
}

export class LocalSecretsProvider implements SecretsProvider {
  readonly name = 'local' as const;
  readonly atRestEncryption = 'AES-256-GCM' as const;
  readonly #ready: Once<void>;

  constructor(
    private readonly store: Store,
    private readonly keyring: Keyring,
  ) {
    // Tables and key on first use: the constructor cannot wait, and migrating under the
    // store's write lock is safe when several processes start together.
    this.#ready = once(async () => {
      await migrate(store, 'secrets', secretsMigrations);
      await keyring.ensureKey(SECRETS_KEY, { purpose: 'system' });
    });
  }

  async put(name: string, value: string, tags: SecretTags | undefined): Promise<StoredSecretVersion> {
    await this.#ready.get();
    // Encrypt outside the write lock with the version we expect to write, then write only if
    // no one wrote in between (else retry with the next number). The version is part of the
    // associated data, so it must be known before encrypting; the keyring may read the store
    // and must not do so inside our transaction (SQLite has one connection).
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt += 1) {
      const previous = (await this.#row(name))?.current_version ?? 0;
      const version = previous + 1;
      const plaintext = Buffer.from(value, 'utf8');
      let ciphertext: Buffer;
      try {
        ciphertext = await this.keyring.encrypt(SECRETS_KEY, plaintext, secretContext(name, version));
      } finally {
        plaintext.fill(0);
      }
      const now = new Date().toISOString();
      const written = await this.store.writeTransaction('secrets', async (tx) => {
        const current = await tx.selectFrom('secrets').select('current_version').where('name', '=', name).executeTakeFirst();
        if ((current ? Number(current.current_version) : 0) !== previous) return false;
        if (current) {
          await tx
            .updateTable('secrets')
            .set({ current_version: version, updated_at: now, deleted_at: null, ...(tags ? { tags: JSON.stringify(tags) } : {}) })
            .where('name', '=', name)
            .execute();
        } else {
          await tx.insertInto('secrets').values({ name, tags: JSON.stringify(tags ?? {}), current_version: version, created_at: now, updated_at: now, deleted_at: null }).execute();
        }
        await tx.insertInto('secret_versions').values({ name, version, ciphertext, created_at: now, destroyed_at: null }).execute();
        return true;
      });
      if (written) return { name, version: String(version), createdAt: now };
    }
    throw new LangtrainError('ERR_INTERNAL', `secret ${name}: ${MAX_WRITE_ATTEMPTS} concurrent writers won in a row; retry`);
  }

  async get(name: string, version?: string): Promise<SecretValue> {
    const row = await this.#live(name);
    const number = version === undefined ? row.current_version : parseVersion(name, version);
    const stored = await this.store.db
      .selectFrom('secret_versions')
      .select(['ciphertext', 'created_at', 'destroyed_at'])
      .where('name', '=', name)
      .where('version', '=', number)
      .executeTakeFirst();
    if (!stored) throw new LangtrainError('ERR_NOT_FOUND', `secret ${name} has no version ${number}`, { name, version: String(number) });
    if (stored.ciphertext === null) {
      throw new LangtrainError('ERR_NOT_FOUND', `version ${number} of secret ${name} was destroyed on ${stored.destroyed_at}`, { name, version: String(number) });
    }
    let plaintext: Buffer;
    try {
      plaintext = await this.keyring.decrypt(stored.ciphertext, secretContext(name, number));
    } catch (err) {
      if (!isLangtrainError(err)) throw err;
      throw new LangtrainError(err.code, `version ${number} of secret ${name} cannot be decrypted (${err.message}): the row was altered, moved from another secret, or its key destroyed`, { name, version: String(number) });
    }
    const value = plaintext.toString('utf8');
    plaintext.fill(0);
    return { name, version: String(number), value, tags: parseTags(row.tags), createdAt: stored.created_at };
  }

  async describe(name: string): Promise<SecretSummary> {
    const row = await this.#live(name);
    const current = await this.store.db
      .selectFrom('secret_versions')
      .select('created_at')
      .where('name', '=', name)
      .where('version', '=', row.current_version)
      .executeTakeFirstOrThrow();
    return { name, version: String(row.current_version), tags: parseTags(row.tags), createdAt: current.created_at };
  }

  async list(): Promise<SecretSummary[]> {
    await this.#ready.get();
    const rows = await this.store.db
      .selectFrom('secrets as s')
      .innerJoin('secret_versions as v', (join) => join.onRef('v.name', '=', 's.name').onRef('v.version', '=', 's.current_version'))
      .select(['s.name', 's.tags', 's.current_version', 'v.created_at'])
      .where('s.deleted_at', 'is', null)
      .orderBy('s.name')
      .execute();
    return rows.map((r) => ({ name: r.name, version: String(r.current_version), tags: parseTags(r.tags), createdAt: r.created_at }));
  }

  async versions(name: string): Promise<SecretVersionInfo[]> {
    const row = await this.#row(name);
    if (!row) throw notFound(name);
    const rows = await this.store.db
      .selectFrom('secret_versions')
      .select(['version', 'created_at', 'destroyed_at'])
      .where('name', '=', name)
      .orderBy('version')
      .execute();
    return rows.map((v) => ({
      version: String(v.version),
      createdAt: v.created_at,
      current: row.deleted_at === null && Number(v.version) === row.current_version,
      destroyed: v.destroyed_at !== null,
    }));
  }

  async delete(name: string): Promise<void> {
    await this.#ready.get();
    const now = new Date().toISOString();
    await this.store.writeTransaction('secrets', async (tx) => {
      const row = await tx.selectFrom('secrets').select('deleted_at').where('name', '=', name).executeTakeFirst();
      if (!row || row.deleted_at !== null) throw notFound(name);
      // Erase the ciphertexts (not only mark them): a deleted secret is gone even to someone
      // holding the database and the keyring.
      await tx.updateTable('secret_versions').set({ ciphertext: null, destroyed_at: now }).where('name', '=', name).where('destroyed_at', 'is', null).execute();
      await tx.updateTable('secrets').set({ deleted_at: now, updated_at: now }).where('name', '=', name).execute();
    });
    await this.store.scrubDeleted(); // and their bytes from the store's files
  }

  async close(): Promise<void> {
    // The store and keyring belong to the composition root, which closes them.
  }

  async #row(name: string): Promise<SecretRow | undefined> {
    await this.#ready.get();
    const row = await this.store.db.selectFrom('secrets').select(['name', 'tags', 'current_version', 'deleted_at']).where('name', '=', name).executeTakeFirst();
    return row ? { ...(row as SecretRow), current_version: Number(row.current_version) } : undefined;
  }

  async #live(name: string): Promise<SecretRow> {
    const row = await this.#row(name);
    if (!row) throw notFound(name);
    if (row.deleted_at !== null) throw new LangtrainError('ERR_NOT_FOUND', `secret ${name} was deleted on ${row.deleted_at}`, { name });
    return row;
  }
}

function notFound(name: string): LangtrainError {
  return new LangtrainError('ERR_NOT_FOUND', `no secret named ${name}`, { name });
}

function parseVersion(name: string, version: string): number {
  if (!/^[1-9][0-9]{0,8}$/.test(version)) {
    throw new LangtrainError('ERR_NOT_FOUND', `secret ${name} has no such version: local versions are whole numbers from 1`, { name });
  }
  return Number(version);
}

function parseTags(text: string): SecretTags {
  return JSON.parse(text) as SecretTags;
}
