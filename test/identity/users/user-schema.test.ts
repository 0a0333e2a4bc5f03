import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { PasswordHasher } from '../../../src/identity/passwords/password-hasher.js';
import { UserDirectory } from '../../../src/identity/users/user-directory.js';
import { userMigrations } from '../../../src/identity/users/user-schema.js';
import { openStore, type Store } from '../../../src/store/database.js';
import { migrate } from '../../../src/store/migrations.js';
import { storeUrls } from '../../support/services.js';
import { RecordedEvents } from '../../support/recorded-events.js';

const PASSWORD = 'correct horse battery staple';

describe.each(storeUrls('users-schema'))('users migrations on $dialect', ({ make }) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  afterEach(async () => {
    await store.close();
    await cleanup();
  });

  it('keeps accounts made before 0002 (roles, optional password) usable, lockout state and all', async () => {
    const made = make();
    cleanup = made.cleanup;
    store = await openStore(made.url);
    await migrate(store, 'users', userMigrations.slice(0, 1));
    const audit = new RecordedEvents();
    const deps = { store, audit, secretKey: randomBytes(32), hasher: new PasswordHasher({ memoryCost: 1024, timeCost: 1 }) };
    const before = await new UserDirectory({}, deps).createUser({ username: 'alice', password: PASSWORD }).catch(() => null);
    // Under 0001 the directory's insert names the `roles` column, which does not exist yet.
    expect(before).toBeNull();
    const hash = await deps.hasher.hash(PASSWORD);
    await store.db.insertInto('identity_users').values({ id: 'u1', username: 'alice', password_hash: hash, created_at: '2025-01-01T00:00:00.000Z', password_changed_at: '2025-01-01T00:00:00.000Z', failures: 3, lockouts: 1 }).execute();

    expect(await migrate(store, 'users', userMigrations)).toEqual(['0002_roles_optional_password', '0003_phone']);
    const users = new UserDirectory({}, deps);
    expect(await users.get('u1')).toMatchObject({ username: 'alice', roles: [], hasPassword: true, phone: null });
    const row = await store.db.selectFrom('identity_users').select(['failures', 'lockouts']).where('id', '=', 'u1').executeTakeFirstOrThrow();
    expect(Number(row.lockouts)).toBe(1);
    expect(await users.authenticate({ username: 'alice', password: PASSWORD })).toMatchObject({ ok: true });
    await expect(users.createUser({ username: 'alice', password: PASSWORD })).rejects.toMatchObject({ code: 'ERR_USER_EXISTS' });
  });
});
