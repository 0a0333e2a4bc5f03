import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ssoMigrations } from '../../../src/identity/sso/schema.js';
import { SsoAccounts, type ProvisioningPolicy } from '../../../src/identity/sso/sso-accounts.js';
import type { SsoIdentity } from '../../../src/identity/sso/sso-identity.js';
import { UserDirectory } from '../../../src/identity/users/user-directory.js';
import { userMigrations } from '../../../src/identity/users/user-schema.js';
import { openStore, type Store } from '../../../src/store/database.js';
import { migrate } from '../../../src/store/migrations.js';
import { RecordedEvents, manualClock } from '../../support/recorded-events.js';
import { storeUrls } from '../../support/services.js';

const START = Date.parse('2025-03-01T09:00:00.000Z');
const CLIENT = { ip: '203.0.113.7', userAgent: 'Mozilla/5.0 LangTrainTest/1.0' };
const TABLE = 'identity_external_identities';
const PASSWORD = 'a long enough passphrase for tests';

const POLICY: ProvisioningPolicy = {
  jitProvisioning: true,
  groupRoles: { 'ml-admins': ['admin', 'trainer'], 'ml-engineers': ['trainer'], auditors: ['auditor'] },
  defaultRoles: ['viewer'],
  roleSync: 'always',
};

const ALICE: SsoIdentity = { provider: 'okta', subject: '00u-alice', email: 'alice@example.com', username: 'alice', groups: ['ml-engineers', 'unmapped'], mfa: true };

describe.each(storeUrls('sso-accounts'))('SsoAccounts on $dialect', ({ make }) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let audit: RecordedEvents;
  let time: ReturnType<typeof manualClock>;
  let users: UserDirectory;
  let accounts: SsoAccounts;

  const links = async () => (await store.db.selectFrom(TABLE).selectAll().orderBy('subject').execute()).map((r) => ({ provider: r.provider, subject: r.subject, userId: r.user_id, lastLoginAt: r.last_login_at }));
  const resolved = async (identity: SsoIdentity, policy: ProvisioningPolicy = POLICY) => {
    const r = await accounts.resolve(identity, policy, CLIENT);
    if (!r.ok) throw new Error(`expected an account, got ${r.reason}`);
    return r;
  };

  beforeEach(async () => {
    const made = make();
    cleanup = made.cleanup;
    store = await openStore(made.url);
    await migrate(store, 'users', userMigrations);
    await migrate(store, 'sso', ssoMigrations);
    audit = new RecordedEvents();
    time = manualClock(START);
    users = new UserDirectory({}, { store, audit, secretKey: randomBytes(32), clock: time.clock });
    accounts = new SsoAccounts({ store, users, audit, clock: time.clock });
  });
  afterEach(async () => {
    await store.close();
    await cleanup();
  });

  it('creates a passwordless account just in time, with the mapped groups and default roles', async () => {
    const r = await resolved(ALICE);
    expect(r.created).toBe(true);
    expect(r.user).toMatchObject({ username: 'alice', roles: ['trainer', 'viewer'], hasPassword: false, mfa: false, disabled: false });
    expect(await links()).toEqual([{ provider: 'okta', subject: '00u-alice', userId: r.user.id, lastLoginAt: new Date(START).toISOString() }]);
    // Without a password the account cannot be signed into locally.
    expect(await users.authenticate({ username: 'alice', password: PASSWORD })).toMatchObject({ ok: false, reason: 'invalid_credentials' });
    expect(audit.of('auth.sso_provisioned')).toEqual([
      expect.objectContaining({ userId: r.user.id, result: 'success', additionalData: { provider: 'okta', subject: '00u-alice', username: 'alice', roles: ['trainer', 'viewer'], ...CLIENT } }),
    ]);
  });

  it('falls back to the email, then subject@provider, for the new username', async () => {
    expect((await resolved({ ...ALICE, username: null })).user.username).toBe('alice@example.com');
    expect((await resolved({ ...ALICE, subject: 'no-names', username: null, email: null })).user.username).toBe('no-names@okta');
  });

  it('finds the account again by the link, not the username: a renamed IdP user keeps it, a new subject with the old name is refused', async () => {
    const first = await resolved(ALICE);
    time.advance(60_000);
    const again = await resolved({ ...ALICE, username: 'alice.smith', email: 'alice.smith@example.com' });
    expect(again).toMatchObject({ created: false, user: { id: first.user.id, username: 'alice' } });
    expect((await links())[0]?.lastLoginAt).toBe(new Date(START + 60_000).toISOString());

    const impostor = await accounts.resolve({ ...ALICE, subject: '00u-mallory' }, POLICY, CLIENT);
    expect(impostor).toEqual({ ok: false, reason: 'account_conflict' });
    expect((await links()).map((l) => l.subject)).toEqual(['00u-alice']);
  });

  it("roleSync 'always' sets the roles from the groups at each sign-in, a removed group removing its role", async () => {
    const first = await resolved({ ...ALICE, groups: ['ml-admins'] });
    expect(first.user.roles).toEqual(['admin', 'trainer', 'viewer']);
    const second = await resolved({ ...ALICE, groups: ['auditors'] });
    expect(second.user.roles).toEqual(['auditor', 'viewer']);
    expect((await users.get(first.user.id))?.roles).toEqual(['auditor', 'viewer']);
    expect(audit.of('auth.roles_changed').map((e) => e.additionalData)).toEqual([expect.objectContaining({ before: ['admin', 'trainer', 'viewer'], after: ['auditor', 'viewer'] })]);
  });

  it("roleSync 'on_create' keeps the roles managed here after the first sign-in", async () => {
    const policy: ProvisioningPolicy = { ...POLICY, roleSync: 'on_create' };
    const first = await resolved({ ...ALICE, groups: ['ml-admins'] }, policy);
    await users.setRoles(first.user.id, ['admin', 'operator']);
    const second = await resolved({ ...ALICE, groups: [] }, policy);
    expect(second.user.roles).toEqual(['admin', 'operator']);
  });

  it('refuses a first sign-in whose username a local account holds: no link, audited', async () => {
    const local = await users.createUser({ username: 'Alice', password: PASSWORD, roles: ['admin'] });
    expect(await accounts.resolve(ALICE, POLICY, CLIENT)).toEqual({ ok: false, reason: 'account_conflict' });
    expect(await links()).toEqual([]);
    expect((await users.get(local.id))?.roles).toEqual(['admin']);
    expect(audit.of('auth.sso_login')).toEqual([
      expect.objectContaining({ userId: null, result: 'denied', additionalData: { provider: 'okta', subject: '00u-alice', reason: 'account_conflict', username: 'alice', ...CLIENT } }),
    ]);
  });

  it('without jitProvisioning an unlinked subject is not_provisioned and nothing is created', async () => {
    expect(await accounts.resolve(ALICE, { ...POLICY, jitProvisioning: false }, CLIENT)).toEqual({ ok: false, reason: 'not_provisioned' });
    expect(await users.list()).toEqual([]);
    expect(await links()).toEqual([]);
    expect(audit.of('auth.sso_login').map((e) => [e.result, e.additionalData?.reason])).toEqual([['denied', 'not_provisioned']]);
  });

  it('refuses a disabled account and leaves its roles alone', async () => {
    const first = await resolved({ ...ALICE, groups: ['ml-admins'] });
    await users.disable(first.user.id);
    expect(await accounts.resolve({ ...ALICE, groups: [] }, POLICY, CLIENT)).toEqual({ ok: false, reason: 'disabled' });
    expect((await users.get(first.user.id))?.roles).toEqual(['admin', 'trainer', 'viewer']);
    expect(audit.of('auth.sso_login').at(-1)).toMatchObject({ userId: first.user.id, result: 'denied', additionalData: { reason: 'disabled' } });
  });

  it('an administrator links an existing account, after which the IdP sign-in reaches it (also without JIT)', async () => {
    const local = await users.createUser({ username: 'alice', password: PASSWORD, roles: ['admin'] });
    expect(await accounts.resolve(ALICE, POLICY, CLIENT)).toEqual({ ok: false, reason: 'account_conflict' });
    await accounts.link(local.id, 'okta', ALICE.subject, CLIENT);
    expect(audit.of('auth.sso_linked')).toEqual([expect.objectContaining({ userId: local.id, additionalData: { provider: 'okta', subject: ALICE.subject, ...CLIENT } })]);
    const r = await resolved(ALICE, { ...POLICY, jitProvisioning: false, roleSync: 'on_create' });
    expect(r).toMatchObject({ created: false, user: { id: local.id, hasPassword: true, roles: ['admin'] } });
    // The same subject at another provider is another identity.
    expect(await accounts.resolve({ ...ALICE, provider: 'keycloak' }, { ...POLICY, jitProvisioning: false }, CLIENT)).toEqual({ ok: false, reason: 'not_provisioned' });
  });

  it('link refuses an unknown account and a subject that is already linked', async () => {
    await expect(accounts.link('no-such-user', 'okta', 'x', CLIENT)).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    const first = await resolved(ALICE);
    const other = await users.createUser({ username: 'bob', password: PASSWORD });
    await expect(accounts.link(other.id, 'okta', ALICE.subject, CLIENT)).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT', message: 'okta subject 00u-alice is already linked to another account' });
    // Linking what is already linked is a no-op.
    await accounts.link(first.user.id, 'okta', ALICE.subject, CLIENT);
    expect(audit.of('auth.sso_linked')).toEqual([]);
    expect(await links()).toEqual([expect.objectContaining({ subject: ALICE.subject, userId: first.user.id })]);
  });
});
