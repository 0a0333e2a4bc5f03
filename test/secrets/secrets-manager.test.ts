import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LangtrainError } from '../../src/core/errors.js';
import type { Keyring } from '../../src/crypto/keyring/keyring.js';
import { SecretsManager } from '../../src/secrets/secrets-manager.js';
import type { Store } from '../../src/store/database.js';
import { storeUrls } from '../support/services.js';
import { RecordedEvents, openKeyedStore } from './support.js';

const VALUE = 'super_secure_password';
const DAY = 86_400_000;

describe.each(storeUrls('secrets'))('SecretsManager, local provider on $dialect', ({ make }) => {
  let store: Store;
  let keyring: Keyring;
  let audit: RecordedEvents;
  let cleanup: () => Promise<void>;
  let secrets: SecretsManager;

  beforeEach(async () => {
    const made = make();
    cleanup = made.cleanup;
    ({ store, keyring } = await openKeyedStore(made.url));
    audit = new RecordedEvents();
    secrets = new SecretsManager({ encryption: 'AES-256', rotationSchedule: '30d', accessLogging: true }, { store, keyring, audit });
  });
  afterEach(async () => {
    await secrets.close();
    await store.close();
    await cleanup();
  });

  it('stores the seed secret, versions each store, and reads any version', async () => {
    const tags = { environment: 'production', service: 'database' };
    expect(await secrets.storeSecret({ name: 'database_password', value: VALUE, tags })).toEqual({ name: 'database_password', version: '1' });
    expect(await secrets.storeSecret({ name: 'database_password', value: 'second' })).toEqual({ name: 'database_password', version: '2' });
    const current = await secrets.getSecret('database_password');
    expect(current).toMatchObject({ name: 'database_password', version: '2', value: 'second', tags });
    expect(Date.parse(current.createdAt)).not.toBeNaN();
    expect((await secrets.getSecret('database_password', { version: '1' })).value).toBe(VALUE);
    const versions = await secrets.versions('database_password');
    expect(versions.map((v) => [v.version, v.current, v.destroyed])).toEqual([
      ['1', false, false],
      ['2', true, false],
    ]);
    // The keyring made its key `secrets` on first use.
    expect((await keyring.describe('secrets')).primaryVersion).toBe(1);
  });

  it('keeps tags when a store omits them, replaces them when given, and lists by tag without values', async () => {
    await secrets.storeSecret({ name: 'db_prod', value: 'a', tags: { environment: 'production', service: 'database' } });
    await secrets.storeSecret({ name: 'db_staging', value: 'b', tags: { environment: 'staging', service: 'database' } });
    await secrets.storeSecret({ name: 'api_key', value: 'c', tags: { environment: 'production', service: 'api' } });
    await secrets.storeSecret({ name: 'db_prod', value: 'a2' });
    expect((await secrets.getSecret('db_prod')).tags).toEqual({ environment: 'production', service: 'database' });
    const production = await secrets.listSecrets({ tag: { environment: 'production' } });
    expect(production.map((s) => s.name)).toEqual(['api_key', 'db_prod']);
    expect(production[1]).toEqual({ name: 'db_prod', version: '2', tags: { environment: 'production', service: 'database' }, createdAt: expect.any(String) });
    expect(JSON.stringify(production)).not.toContain('"value"');
    expect((await secrets.listSecrets({ tag: { environment: 'production', service: 'database' } })).map((s) => s.name)).toEqual(['db_prod']);
    expect((await secrets.listSecrets()).map((s) => s.name)).toEqual(['api_key', 'db_prod', 'db_staging']);
    await secrets.storeSecret({ name: 'db_prod', value: 'a3', tags: { environment: 'retired' } });
    expect((await secrets.getSecret('db_prod')).tags).toEqual({ environment: 'retired' });
    await expect(secrets.storeSecret({ name: 'x', value: 'v', tags: { 'aws:created': 'no' } })).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    await expect(secrets.storeSecret({ name: 'x', value: 'v', tags: { env: 42 as unknown as string } })).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
  });

  it('rotates with 32 random bytes by default, or with the caller rotator, keeping tags', async () => {
    await secrets.storeSecret({ name: 'api_key', value: VALUE, tags: { owner: 'ml-platform' } });
    expect(await secrets.rotateSecret('api_key')).toEqual({ name: 'api_key', version: '2' });
    const rotated = await secrets.getSecret('api_key');
    expect(rotated.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(rotated.value, 'base64url')).toHaveLength(32);
    expect(rotated.tags).toEqual({ owner: 'ml-platform' });
    const seen: unknown[] = [];
    await secrets.rotateSecret('api_key', async (current) => {
      seen.push(current);
      return 'chosen-by-rotator';
    });
    expect(seen).toEqual([{ name: 'api_key', version: '2', tags: { owner: 'ml-platform' } }]);
    expect((await secrets.getSecret('api_key')).value).toBe('chosen-by-rotator');
    await expect(secrets.rotateSecret('api_key', () => '')).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT', message: 'the rotator result must not be empty' });
    await expect(secrets.rotateSecret('missing')).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    expect(audit.events.filter((e) => e.eventType === 'secrets.rotated').map((e) => [e.result, e.additionalData?.['rotator'] ?? e.additionalData?.['error']])).toEqual([
      ['success', 'default'],
      ['success', 'custom'],
      ['failure', 'ERR_INVALID_INPUT'],
      ['failure', 'ERR_NOT_FOUND'],
    ]);
  });

  it('rotates what is due under the schedule, and nothing without one', async () => {
    await secrets.storeSecret({ name: 'old', value: 'v1' });
    await secrets.storeSecret({ name: 'young', value: 'v1' });
    const now = Date.now();
    // `young`'s only version is ten days younger than `old`'s.
    await store.db.updateTable('secret_versions').set({ created_at: new Date(now + 10 * DAY).toISOString() }).where('name', '=', 'young').execute();
    expect(await secrets.rotateDue(new Date(now + 29 * DAY))).toEqual([]);
    expect(await secrets.rotateDue(new Date(now + 31 * DAY))).toEqual([{ name: 'old', version: '2' }]);
    expect(audit.events.at(-1)).toMatchObject({ eventType: 'secrets.rotated', userId: 'system:rotation-schedule', result: 'success' });
    // The rotated version is new: nothing is due until it, too, is 30 days old.
    expect(await secrets.rotateDue(new Date(now + 29 * DAY))).toEqual([]);
    expect(await secrets.rotateDue(new Date(now + 41 * DAY), () => 'from-rotator')).toEqual([
      { name: 'old', version: '3' },
      { name: 'young', version: '2' },
    ]);
    expect((await secrets.getSecret('young')).value).toBe('from-rotator');
    const unscheduled = new SecretsManager({ rotationSchedule: null }, { store, keyring, audit });
    expect(await unscheduled.rotateDue(new Date(now + 1000 * DAY))).toEqual([]);
  });

  it('keeps rotating the other due secrets when one rotation fails, then reports which', async () => {
    for (const name of ['a', 'b', 'c']) await secrets.storeSecret({ name, value: 'x' });
    const err = await secrets
      .rotateDue(new Date(Date.now() + 31 * DAY), ({ name }) => {
        if (name === 'b') throw new LangtrainError('ERR_INVALID_INPUT', 'the database refused the new password');
        return `new-${name}`;
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'ERR_INVALID_INPUT',
      message: 'rotated 2 due secret(s); 1 failed: b (ERR_INVALID_INPUT)',
      details: { rotated: [{ name: 'a', version: '2' }, { name: 'c', version: '2' }], failed: [{ name: 'b', code: 'ERR_INVALID_INPUT' }] },
    });
    expect((await secrets.getSecret('b')).version).toBe('1');
    expect(audit.events.filter((e) => e.eventType === 'secrets.rotated').map((e) => [e.additionalData?.['name'], e.result])).toEqual([
      ['a', 'success'],
      ['b', 'failure'],
      ['c', 'success'],
    ]);
  });

  it('deletes: every version destroyed, reads fail with ERR_NOT_FOUND, a later store starts the next version', async () => {
    await secrets.storeSecret({ name: 'db', value: VALUE });
    await secrets.storeSecret({ name: 'db', value: 'second' });
    await secrets.deleteSecret('db');
    await expect(secrets.getSecret('db')).rejects.toMatchObject({ code: 'ERR_NOT_FOUND', message: expect.stringContaining('secret db was deleted on') });
    await expect(secrets.getSecret('db', { version: '1' })).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    await expect(secrets.rotateSecret('db')).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    await expect(secrets.deleteSecret('db')).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    expect((await secrets.versions('db')).map((v) => [v.version, v.current, v.destroyed])).toEqual([
      ['1', false, true],
      ['2', false, true],
    ]);
    expect(await secrets.listSecrets()).toEqual([]);
    const rows = await store.db.selectFrom('secret_versions').select(['ciphertext', 'destroyed_at']).where('name', '=', 'db').execute();
    expect(rows.every((r) => r.ciphertext === null && r.destroyed_at !== null)).toBe(true);
    expect(await secrets.storeSecret({ name: 'db', value: 'reborn' })).toEqual({ name: 'db', version: '3' });
    expect((await secrets.getSecret('db')).value).toBe('reborn');
    await expect(secrets.getSecret('db', { version: '2' })).rejects.toMatchObject({ code: 'ERR_NOT_FOUND', message: expect.stringContaining('version 2 of secret db was destroyed') });
  });

  it('answers unknown names and versions with ERR_NOT_FOUND and refuses bad input', async () => {
    await secrets.storeSecret({ name: 'db', value: VALUE });
    await expect(secrets.getSecret('nope')).rejects.toMatchObject({ code: 'ERR_NOT_FOUND', message: 'no secret named nope' });
    await expect(secrets.getSecret('db', { version: '7' })).rejects.toMatchObject({ code: 'ERR_NOT_FOUND', message: 'secret db has no version 7' });
    await expect(secrets.getSecret('db', { version: 'latest' })).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    await expect(secrets.versions('nope')).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    await expect(secrets.storeSecret({ name: 'a/b', value: 'x' })).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    await expect(secrets.storeSecret({ name: 'db', value: '' })).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    await expect(secrets.storeSecret({ name: 'db', value: 'x'.repeat(65_537) })).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT', message: 'value has 65537 bytes; at most 65536' });
    await expect(secrets.storeSecret({ name: 'db', value: 'bad\uD800' })).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    // A caller who swaps name and value does not see the value echoed.
    await expect(secrets.storeSecret({ name: 'my secret: hunter2!', value: 'db' })).rejects.toSatisfy((err: Error) => !err.message.includes('hunter2'));
  });


  it('refuses an option it does not know, naming it and the supported ones, before anything is stored or read', async () => {
    await secrets.storeSecret({ name: 'db', value: VALUE, tags: { environment: 'production' } });
    const before = audit.events.length;
    await expect(secrets.storeSecret({ name: 'db', value: 'hunter2-new', tag: { environment: 'staging' } } as never)).rejects.toSatisfy(
      (err: LangtrainError) => err.code === 'ERR_CONFIG_UNSUPPORTED_OPTION' && /SecretsManager.storeSecret: unknown option tag \(supported: name, value, tags, actor\)/.test(err.message) && !err.message.includes('hunter2'),
    );
    await expect(secrets.storeSecret({ name: 'db2', secret_value: 'x' } as never)).rejects.toThrow(/unknown option secret_value/);
    await expect(secrets.getSecret('db', { verison: '1' } as never)).rejects.toThrow(/SecretsManager.getSecret: unknown option verison \(supported: version, actor\)/);
    await expect(secrets.listSecrets({ tags: { environment: 'production' } } as never)).rejects.toThrow(/unknown option tags \(supported: tag, actor\)/);
    for (const call of [() => secrets.versions('db', { user: 'x' } as never), () => secrets.rotateSecret('db', undefined, { user: 'x' } as never), () => secrets.deleteSecret('db', { user: 'x' } as never), () => secrets.rotateDue(new Date(), undefined, { user: 'x' } as never)]) {
      await expect(call()).rejects.toThrow(/unknown option user \(supported: actor\)/);
    }
    // nothing was written, read or deleted: the stored secret is as it was, with its tags
    expect(audit.events.length).toBe(before);
    const kept = await secrets.getSecret('db');
    expect([kept.value, kept.version, kept.tags]).toEqual([VALUE, '1', { environment: 'production' }]);
  });
  it('keeps only ciphertext in the database, bound to the secret name and version', async () => {
    await secrets.storeSecret({ name: 'alpha', value: VALUE });
    await secrets.storeSecret({ name: 'beta', value: 'beta-value' });
    await secrets.storeSecret({ name: 'beta', value: 'beta-value-2' });
    const rows = await store.db.selectFrom('secret_versions').select(['name', 'version', 'ciphertext']).execute();
    for (const row of rows) {
      const bytes = Buffer.from(row.ciphertext);
      expect(bytes.includes(Buffer.from(VALUE))).toBe(false);
      expect(bytes.includes(Buffer.from('beta-value'))).toBe(false);
    }
    const alpha = rows.find((r) => r.name === 'alpha')!.ciphertext;
    // alpha's ciphertext copied over beta version 1: same key, other name, so it must not open.
    await store.db.updateTable('secret_versions').set({ ciphertext: alpha }).where('name', '=', 'beta').where('version', '=', 1).execute();
    await expect(secrets.getSecret('beta', { version: '1' })).rejects.toMatchObject({ code: 'ERR_CRYPTO_DECRYPT_FAILED', message: expect.stringContaining('version 1 of secret beta cannot be decrypted') });
    // Moved across versions of one secret: fails too.
    const beta2 = rows.find((r) => r.name === 'beta' && Number(r.version) === 2)!.ciphertext;
    await store.db.updateTable('secret_versions').set({ ciphertext: beta2 }).where('name', '=', 'beta').where('version', '=', 1).execute();
    await expect(secrets.getSecret('beta', { version: '1' })).rejects.toMatchObject({ code: 'ERR_CRYPTO_DECRYPT_FAILED' });
    expect((await secrets.getSecret('alpha')).value).toBe(VALUE);
  });

  it('still reads versions written before a keyring rotation', async () => {
    await secrets.storeSecret({ name: 'db', value: 'before' });
    await keyring.rotate('secrets');
    await secrets.storeSecret({ name: 'db', value: 'after' });
    expect((await secrets.getSecret('db', { version: '1' })).value).toBe('before');
    expect((await secrets.getSecret('db')).value).toBe('after');
  });

  it('with access logging records every read, listing and failure by name, version and tags', async () => {
    await secrets.storeSecret({ name: 'db', value: VALUE, tags: { env: 'prod' }, actor: 'alice' });
    await secrets.getSecret('db', { actor: 'bob' });
    await secrets.getSecret('db', { version: '9' }).catch(() => undefined);
    await secrets.listSecrets({ tag: { env: 'prod' } });
    await secrets.versions('db');
    expect(audit.events.map((e) => [e.eventType, e.result, e.userId ?? null, e.additionalData])).toEqual([
      ['secrets.stored', 'success', 'alice', { provider: 'local', name: 'db', version: '1', tags: { env: 'prod' } }],
      ['secrets.read', 'success', 'bob', { provider: 'local', name: 'db', version: '1', tags: { env: 'prod' } }],
      ['secrets.read', 'failure', null, { provider: 'local', name: 'db', version: '9', error: 'ERR_NOT_FOUND' }],
      ['secrets.listed', 'success', null, { provider: 'local', tag: { env: 'prod' }, count: 1 }],
      ['secrets.versions_listed', 'success', null, { provider: 'local', name: 'db', count: 1 }],
    ]);
    expect(audit.events.every((e) => e.level === 'basic')).toBe(true);
    expect(JSON.stringify(audit.events)).not.toContain(VALUE);
  });

  it('without access logging records writes only', async () => {
    const quiet = new SecretsManager({ accessLogging: false }, { store, keyring, audit });
    await quiet.storeSecret({ name: 'db', value: VALUE });
    await quiet.getSecret('db');
    await quiet.getSecret('nope').catch(() => undefined);
    await quiet.listSecrets();
    await quiet.versions('db');
    await quiet.rotateSecret('db');
    await quiet.deleteSecret('db');
    await quiet.deleteSecret('db').catch(() => undefined);
    expect(audit.types()).toEqual(['secrets.stored:success', 'secrets.rotated:success', 'secrets.deleted:success', 'secrets.deleted:failure']);
  });

  it('fails a read closed when the audit sink fails', async () => {
    await secrets.storeSecret({ name: 'db', value: VALUE });
    const broken = new SecretsManager({}, { store, keyring, audit: { record: async () => Promise.reject(new Error('audit log unavailable')) } });
    await expect(broken.getSecret('db')).rejects.toThrow('audit log unavailable');
  });

  it('gives each concurrent store its own version', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => secrets.storeSecret({ name: 'busy', value: `v${i}` })));
    expect(results.map((r) => Number(r.version)).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const r of results) {
      expect((await secrets.getSecret('busy', { version: r.version })).value).toMatch(/^v\d$/);
    }
  });
});
