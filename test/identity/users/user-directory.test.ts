import { createHash, randomBytes } from 'node:crypto';
import { HOTP, Secret } from 'otpauth';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PasswordHasher } from '../../../src/identity/passwords/password-hasher.js';
import { UserDirectory, type UserDirectoryOptions } from '../../../src/identity/users/user-directory.js';
import { userMigrations } from '../../../src/identity/users/user-schema.js';
import { openStore, type Store } from '../../../src/store/database.js';
import { migrate } from '../../../src/store/migrations.js';
import { storeUrls } from '../../support/services.js';
import { RecordedEvents, manualClock } from '../../support/recorded-events.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const START = Date.parse('2025-03-01T09:00:00.000Z');
const CLIENT = { ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) LangTrainTest/1.0' };
const PASSWORD = 'correct horse battery staple';
const OTHER_PASSWORD = 'plum tangerine nightfall';
const WRONG = 'definitely not the password';

/** The code an authenticator app shows for `secret` at `ms`. */
function codeAt(secret: string, ms: number): string {
  return HOTP.generate({ secret: Secret.fromBase32(secret), counter: Math.floor(ms / 30_000) });
}

const fastHasher = () => new PasswordHasher({ memoryCost: 1024, timeCost: 1 });

describe.each(storeUrls('users'))('UserDirectory on $dialect', ({ make }) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let audit: RecordedEvents;
  let time: ReturnType<typeof manualClock>;
  let secretKey: Buffer;
  /** Everything that must never reach the audit log. */
  const secrets: string[] = [];

  const directory = (options: UserDirectoryOptions = {}, hasher = fastHasher(), s = store) => new UserDirectory(options, { store: s, audit, secretKey, hasher, clock: time.clock });
  const login = (d: UserDirectory, username: string, password: string, client = CLIENT) => d.authenticate({ username, password, ...client });

  beforeEach(async () => {
    const made = make();
    cleanup = made.cleanup;
    store = await openStore(made.url);
    await migrate(store, 'users', userMigrations);
    audit = new RecordedEvents();
    time = manualClock(START);
    secretKey = randomBytes(32);
    secrets.length = 0;
    secrets.push(PASSWORD, OTHER_PASSWORD, WRONG);
  });
  afterEach(async () => {
    // Whatever a test did, no event carries a password, code, secret or hash.
    const text = JSON.stringify(audit.events);
    for (const s of secrets) {
      expect(text).not.toContain(s);
      expect(text).not.toContain(createHash('sha256').update(s).digest('hex'));
    }
    expect(text).not.toContain('$argon2id$');
    expect(text).not.toContain('v1.');
    await store.close();
    await cleanup();
  });

  it('keeps roles (validated, sorted, audited on change) and accounts without a password, which no password opens', async () => {
    const d = directory();
    const bob = await d.createUser({ username: 'bob', roles: ['ml_engineer', 'admin', 'admin'] });
    expect(bob).toMatchObject({ hasPassword: false, roles: ['admin', 'ml_engineer'] });
    await expect(d.createUser({ username: 'carol', roles: ['Admin'] })).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT', message: expect.stringContaining('"Admin" is not a role name') });
    expect(await d.findByUsername('carol')).toBeNull();

    // Empty, or the hash of nothing: neither opens an account without a password.
    expect(await login(d, 'bob', '')).toEqual({ ok: false, reason: 'invalid_credentials' });
    expect(await login(d, 'bob', WRONG)).toEqual({ ok: false, reason: 'invalid_credentials' });
    await d.setPassword(bob.id, PASSWORD);
    expect(await login(d, 'bob', PASSWORD)).toMatchObject({ ok: true, user: { hasPassword: true } });

    expect((await d.setRoles(bob.id, ['data_scientist'], CLIENT)).roles).toEqual(['data_scientist']);
    await d.setRoles(bob.id, ['data_scientist']);
    expect(audit.of('auth.roles_changed')).toMatchObject([{ userId: bob.id, additionalData: { before: ['admin', 'ml_engineer'], after: ['data_scientist'], ip: CLIENT.ip } }]);
    await expect(d.setRoles('no-such-id', [])).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    expect((await d.list()).map((u) => u.username)).toEqual(['bob']);

    expect((await d.setPhone(bob.id, '+447700900123', CLIENT)).phone).toBe('+447700900123');
    await expect(d.setPhone(bob.id, '07700 900123')).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT', message: expect.stringContaining('E.164') });
    expect((await d.setPhone(bob.id, null)).phone).toBeNull();
    expect(audit.of('auth.phone_changed').map((e) => e.additionalData?.phone)).toEqual(['***23', null]);
  });

  it('creates users under a normalised, unique username and authenticates them', async () => {
    const d = directory();
    // Fullwidth letters fold to ASCII under NFKC, then lower case.
    const alice = await d.createUser({ username: 'Ａｌｉｃｅ', password: PASSWORD }, CLIENT);
    expect(alice).toMatchObject({ username: 'alice', disabled: false, mfa: false });
    expect(Object.keys(alice).sort()).toEqual(['createdAt', 'disabled', 'hasPassword', 'id', 'mfa', 'passwordChangedAt', 'phone', 'roles', 'username']);
    expect(alice).toMatchObject({ hasPassword: true, roles: [], phone: null });
    await expect(d.createUser({ username: ' ALICE', password: OTHER_PASSWORD })).rejects.toMatchObject({ code: 'ERR_USER_EXISTS' });
    expect(await d.get(alice.id)).toEqual(alice);

    const ok = await login(d, 'ALICE', PASSWORD);
    expect(ok).toEqual({ ok: true, user: alice, needsMfa: false });
    expect(await login(d, 'alice', WRONG)).toEqual({ ok: false, reason: 'invalid_credentials' });
    // An unknown user gets the very same answer; the audit log says which it was.
    expect(await login(d, 'mallory', WRONG)).toEqual({ ok: false, reason: 'invalid_credentials' });
    expect(audit.of('auth.login').map((e) => [e.result, e.userId, e.additionalData?.reason ?? null])).toEqual([
      ['success', alice.id, null],
      ['failure', alice.id, 'wrong_password'],
      ['failure', null, 'unknown_user'],
    ]);
    for (const e of audit.of('auth.login')) expect(e.additionalData).toMatchObject(CLIENT);

    const row = await store.db.selectFrom('identity_users').selectAll().where('id', '=', alice.id).executeTakeFirstOrThrow();
    expect(String(row.password_hash)).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);

    await d.setPassword(alice.id, OTHER_PASSWORD, CLIENT);
    expect((await login(d, 'alice', PASSWORD)).ok).toBe(false);
    expect((await login(d, 'alice', OTHER_PASSWORD)).ok).toBe(true);

    await d.disable(alice.id, CLIENT);
    expect(await login(d, 'alice', OTHER_PASSWORD)).toEqual({ ok: false, reason: 'disabled' });
    expect((await d.get(alice.id))?.disabled).toBe(true);
    expect(audit.of('auth.user_disabled')).toHaveLength(1);
  });

  it('audits a sign-in under a username no account can have (an unpaired surrogate) as an unknown user, rather than failing unaudited', async () => {
    const d = directory();
    await d.createUser({ username: 'mallory', password: PASSWORD });
    expect(await login(d, 'mal\ud800lory', PASSWORD)).toEqual({ ok: false, reason: 'invalid_credentials' });
    expect(audit.of('auth.login').at(-1)).toMatchObject({ result: 'failure', additionalData: { reason: 'unknown_user', username: '' } });
    await expect(d.createUser({ username: 'ana\udc00', password: PASSWORD })).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
  });

  it('spends the same argon2 work on an unknown user, and counts concurrent failures exactly', async () => {
    let verifies = 0;
    class CountingHasher extends PasswordHasher {
      override async verify(stored: string, password: string) {
        verifies += 1;
        return super.verify(stored, password);
      }
    }
    const d = directory({}, new CountingHasher({ memoryCost: 1024, timeCost: 1 }));
    await d.createUser({ username: 'alice', password: PASSWORD });
    await login(d, 'nobody', PASSWORD);
    expect(verifies).toBe(1); // verifyWithoutUser runs a real verify
    await login(d, 'alice', WRONG);
    expect(verifies).toBe(2);

    const results = await Promise.all(Array.from({ length: 4 }, () => login(d, 'alice', WRONG)));
    expect(results.filter((r) => !r.ok && r.reason === 'locked')).toHaveLength(1);
    expect(audit.of('auth.lockout')).toHaveLength(1);
    expect(await login(d, 'alice', PASSWORD)).toMatchObject({ ok: false, reason: 'locked' });
  });

  it('refuses a password the policy rejects, naming every reason', async () => {
    const d = directory();
    const refused = await d.createUser({ username: 'bob', password: 'bob12' }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'ERR_PASSWORD_REJECTED' });
    const reasons = (refused as { details: { reasons: string[] } }).details.reasons;
    expect(reasons.some((r) => r.includes('at least 15 characters'))).toBe(true);
    expect(reasons.some((r) => r.includes('username'))).toBe(true);
    // The single-factor minimum applies at creation: 12 characters are too few.
    await expect(d.createUser({ username: 'bob', password: 'violet-harbor' })).rejects.toMatchObject({ code: 'ERR_PASSWORD_REJECTED' });
    await expect(d.createUser({ username: 'bob', password: 'password1234567!' })).rejects.toMatchObject({ code: 'ERR_PASSWORD_REJECTED' });
    await expect(d.createUser({ username: 'bob', password: PASSWORD, mfa: true as never })).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
    expect(await d.findByUsername('bob')).toBeNull();
    const bob = await d.createUser({ username: 'bob', password: PASSWORD });
    await expect(d.setPassword(bob.id, 'bobbobbob-bob')).rejects.toMatchObject({ code: 'ERR_PASSWORD_REJECTED' });
  });

  it('locks an account after 5 failures for 1, 2, then 4 minutes, refusing even the right password', async () => {
    // The IP throttle is the next test's subject; here it stays out of the way.
    const d = directory({ ipMaxFailures: 1000 });
    const alice = await d.createUser({ username: 'alice', password: PASSWORD });
    for (const [round, delay] of [1, 2, 4].map((m, i) => [i, m * MINUTE] as const)) {
      for (let i = 0; i < 4; i += 1) expect(await login(d, 'alice', WRONG)).toEqual({ ok: false, reason: 'invalid_credentials' });
      expect(await login(d, 'alice', WRONG)).toEqual({ ok: false, reason: 'locked', retryAfterMs: delay });
      time.advance(delay - SECOND);
      expect(await login(d, 'alice', PASSWORD), `round ${round}`).toEqual({ ok: false, reason: 'locked', retryAfterMs: SECOND });
      time.advance(SECOND);
    }
    expect(audit.of('auth.lockout').map((e) => e.additionalData?.lockedForMs)).toEqual([MINUTE, 2 * MINUTE, 4 * MINUTE]);
    for (const e of audit.of('auth.lockout')) expect(e).toMatchObject({ userId: alice.id, additionalData: CLIENT });
    // The lock has ended by time; a success clears the doubling.
    expect((await login(d, 'alice', PASSWORD)).ok).toBe(true);
    for (let i = 0; i < 5; i += 1) await login(d, 'alice', WRONG);
    expect(await login(d, 'alice', PASSWORD)).toEqual({ ok: false, reason: 'locked', retryAfterMs: MINUTE });
  });

  it('caps the lockout at one hour and forgets failures outside the window', async () => {
    const d = directory({ failureWindow: '10m', ipMaxFailures: 1000 });
    await d.createUser({ username: 'alice', password: PASSWORD });
    for (let i = 0; i < 4; i += 1) await login(d, 'alice', WRONG);
    time.advance(10 * MINUTE);
    // The four earlier failures have expired: this is the first of a new window.
    expect(await login(d, 'alice', WRONG)).toEqual({ ok: false, reason: 'invalid_credentials' });
    let last: unknown;
    for (let round = 0; round < 8; round += 1) {
      for (let i = 0; i < 5; i += 1) last = await login(d, 'alice', WRONG);
      const wait = (last as { retryAfterMs: number }).retryAfterMs;
      time.advance(wait);
    }
    expect(last).toEqual({ ok: false, reason: 'locked', retryAfterMs: HOUR });
  });

  it('lets an admin unlock, and keeps lockout state shared between instances', async () => {
    const other = await openStore(store.connectionUrl);
    try {
      const a = directory();
      const b = directory({}, fastHasher(), other);
      const alice = await a.createUser({ username: 'alice', password: PASSWORD });
      for (let i = 0; i < 3; i += 1) await login(a, 'alice', WRONG);
      for (let i = 0; i < 2; i += 1) await login(b, 'alice', WRONG);
      expect(await login(a, 'alice', PASSWORD)).toMatchObject({ ok: false, reason: 'locked' });
      expect(await login(b, 'alice', PASSWORD)).toMatchObject({ ok: false, reason: 'locked' });
      expect(await b.unlock('ALICE', CLIENT)).toBe(true);
      expect(await b.unlock('nobody')).toBe(false);
      expect(await login(a, 'alice', PASSWORD)).toMatchObject({ ok: true });
      expect(audit.of('auth.unlock')).toEqual([
        expect.objectContaining({ userId: alice.id, result: 'success', additionalData: { by: 'admin', wasLocked: true, lockouts: 1, ...CLIENT } }),
      ]);
      // Attempts during the lock were refused with a reason, audited, and not counted.
      expect(audit.of('auth.login').filter((e) => e.additionalData?.reason === 'locked')).toHaveLength(2);
    } finally {
      await other.close();
    }
  });

  it('throttles an IP after 20 failures in 15 minutes, whatever the usernames, with growing delays', async () => {
    const d = directory();
    await d.createUser({ username: 'alice', password: PASSWORD });
    const attacker = { ip: '198.51.100.9', userAgent: 'curl/8' };
    for (let i = 0; i < 20; i += 1) expect((await login(d, `user${i}`, WRONG, attacker)).ok).toBe(false);
    expect(await login(d, 'alice', PASSWORD, attacker)).toEqual({ ok: false, reason: 'ip_throttled', retryAfterMs: MINUTE });
    // Another client is not affected, nor is the account.
    expect((await login(d, 'alice', PASSWORD)).ok).toBe(true);
    expect(audit.of('auth.ip_throttled')).toEqual([expect.objectContaining({ userId: null, additionalData: { lockedForMs: MINUTE, ...attacker } })]);

    time.advance(MINUTE);
    expect((await login(d, 'alice', PASSWORD, attacker)).ok).toBe(true);
    for (let i = 0; i < 20; i += 1) await login(d, `user${i}`, WRONG, attacker);
    expect(await login(d, 'alice', PASSWORD, attacker)).toEqual({ ok: false, reason: 'ip_throttled', retryAfterMs: 2 * MINUTE });

    // Failures spread beyond the window do not throttle.
    const slow = { ip: '192.0.2.44', userAgent: 'slow' };
    for (let i = 0; i < 19; i += 1) await login(d, 'nobody', WRONG, slow);
    time.advance(15 * MINUTE);
    for (let i = 0; i < 19; i += 1) await login(d, 'nobody', WRONG, slow);
    expect((await login(d, 'alice', PASSWORD, slow)).ok).toBe(true);
  });

  it('rehashes on login when the stored hash is weaker than the current parameters', async () => {
    const weak = directory({}, fastHasher());
    const alice = await weak.createUser({ username: 'alice', password: PASSWORD });
    const hashOf = async () => String((await store.db.selectFrom('identity_users').select('password_hash').where('id', '=', alice.id).executeTakeFirstOrThrow()).password_hash);
    expect(await hashOf()).toContain('m=1024,t=1,p=1');

    const strong = directory({}, new PasswordHasher());
    expect((await login(strong, 'alice', WRONG)).ok).toBe(false);
    expect(await hashOf()).toContain('m=1024,t=1,p=1');
    expect((await login(strong, 'alice', PASSWORD)).ok).toBe(true);
    expect(await hashOf()).toContain('m=19456,t=2,p=1');
    expect(audit.of('auth.password_rehashed')).toHaveLength(1);
    // Once upgraded, no further rehash.
    expect((await login(strong, 'alice', PASSWORD)).ok).toBe(true);
    expect(audit.of('auth.password_rehashed')).toHaveLength(1);
  });

  it('enrols TOTP (pending until confirmed, sealed at rest) and refuses a reused code', async () => {
    const d = directory();
    const alice = await d.createUser({ username: 'alice', password: PASSWORD });
    const { secret, uri } = await d.enrolTotp(alice.id, CLIENT);
    secrets.push(secret);
    expect(uri).toMatch(/^otpauth:\/\/totp\/LangTrain:alice\?/);
    expect(uri).toContain(`secret=${secret}`);

    // Pending: not yet a factor.
    expect(await d.verifyTotp(alice.id, codeAt(secret, time.at()), CLIENT)).toEqual({ ok: false, reason: 'not_enrolled' });
    expect((await login(d, 'alice', PASSWORD)).ok && (await d.get(alice.id))?.mfa).toBe(false);
    expect(await d.confirmTotp(alice.id, '000000', CLIENT)).toMatchObject({ ok: false });
    const first = codeAt(secret, time.at());
    secrets.push(first);
    expect(await d.confirmTotp(alice.id, first, CLIENT)).toEqual({ ok: true });

    const row = await store.db.selectFrom('identity_users').selectAll().where('id', '=', alice.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(row.totp_pending).toBeNull();
    expect(String(row.totp_secret)).toMatch(/^v1\./);
    // The sealed value is bound to its row: copied to another user it does not open.
    const bob = await d.createUser({ username: 'bob', password: OTHER_PASSWORD });
    await store.db.updateTable('identity_users').set({ totp_secret: row.totp_secret }).where('id', '=', bob.id).execute();
    await expect(d.verifyTotp(bob.id, first)).rejects.toMatchObject({ code: 'ERR_CRYPTO_DECRYPT_FAILED' });

    expect(await login(d, 'alice', PASSWORD)).toMatchObject({ ok: true, needsMfa: true });
    // The code used to confirm cannot be used again.
    expect(await d.verifyTotp(alice.id, first, CLIENT)).toEqual({ ok: false, reason: 'used' });
    time.advance(30 * SECOND);
    const next = codeAt(secret, time.at());
    secrets.push(next);
    expect(await d.verifyTotp(alice.id, next, CLIENT)).toEqual({ ok: true });
    expect(await d.verifyTotp(alice.id, next, CLIENT)).toEqual({ ok: false, reason: 'used' });
    expect(await d.verifyTotp(alice.id, '12345', CLIENT)).toEqual({ ok: false, reason: 'invalid_code' });

    expect(audit.of('auth.mfa_enrolled').map((e) => e.result)).toEqual(['failure', 'success']);
    expect(audit.of('auth.mfa_verified').map((e) => [e.result, e.additionalData?.reason ?? null])).toEqual([
      ['failure', 'not_enrolled'],
      ['failure', 'used'],
      ['success', null],
      ['failure', 'used'],
      ['failure', 'invalid_code'],
    ]);
    // With TOTP the 8-character minimum applies to a new password.
    await d.setPassword(alice.id, 'ochre-lake');
    secrets.push('ochre-lake');
  });

  it('counts wrong TOTP codes towards the lockout', async () => {
    const d = directory();
    const alice = await d.createUser({ username: 'alice', password: PASSWORD });
    const { secret } = await d.enrolTotp(alice.id);
    secrets.push(secret);
    await d.confirmTotp(alice.id, codeAt(secret, time.at()));
    time.advance(30 * SECOND);
    for (let i = 0; i < 5; i += 1) await d.verifyTotp(alice.id, '000000', CLIENT);
    const good = codeAt(secret, time.at());
    expect(await d.verifyTotp(alice.id, good, CLIENT)).toEqual({ ok: false, reason: 'locked', retryAfterMs: MINUTE });
    expect(audit.of('auth.lockout')).toEqual([expect.objectContaining({ userId: alice.id, additionalData: expect.objectContaining({ cause: 'auth.mfa_verified' }) })]);
  });

  it('issues ten recovery codes, stored as digests, each usable once', async () => {
    const d = directory();
    const alice = await d.createUser({ username: 'alice', password: PASSWORD });
    const codes = await d.generateRecoveryCodes(alice.id, CLIENT);
    secrets.push(...codes);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
    const rows = await store.db.selectFrom('identity_recovery_codes').selectAll().where('user_id', '=', alice.id).execute();
    expect(rows.map((r) => r.digest).sort()).toEqual(codes.map((c) => createHash('sha256').update(c.replace(/-/g, '')).digest('hex')).sort());

    // Typed in upper case without hyphens, it still counts.
    expect(await d.useRecoveryCode(alice.id, codes[0]!.replace(/-/g, '').toUpperCase(), CLIENT)).toEqual({ ok: true });
    expect(await d.useRecoveryCode(alice.id, codes[0]!, CLIENT)).toEqual({ ok: false, reason: 'invalid_code' });
    expect(await d.remainingRecoveryCodes(alice.id)).toBe(9);
    expect(await d.useRecoveryCode(alice.id, codes[1]!, CLIENT)).toEqual({ ok: true });

    // Regenerating invalidates the old set.
    const fresh = await d.generateRecoveryCodes(alice.id);
    secrets.push(...fresh);
    expect(await d.useRecoveryCode(alice.id, codes[2]!, CLIENT)).toEqual({ ok: false, reason: 'invalid_code' });
    expect(await d.remainingRecoveryCodes(alice.id)).toBe(10);
    expect(audit.of('auth.recovery_code_used').map((e) => e.result)).toEqual(['success', 'failure', 'success', 'failure']);
    for (const e of audit.of('auth.recovery_code_used')) expect(e).toMatchObject({ userId: alice.id, additionalData: expect.objectContaining(CLIENT) });
  });

  it('refuses an unknown key in any argument, naming the supported ones and never the password, before changing anything', async () => {
    const d = directory();
    const unsupported = (message: string) => ({ code: 'ERR_CONFIG_UNSUPPORTED_OPTION', message });
    await expect(d.createUser({ username: 'bob', password: PASSWORD, role: ['admin'] } as never)).rejects.toMatchObject(
      unsupported('UserDirectory.createUser: unknown option role (supported: username, password, roles, mfa)'),
    );
    await expect(d.createUser({ username: 'bob', password: PASSWORD }, { ipAddress: '203.0.113.7' } as never)).rejects.toMatchObject(
      unsupported('UserDirectory.createUser client: unknown option ipAddress (supported: ip, userAgent)'),
    );
    expect(await d.findByUsername('bob')).toBeNull();

    const alice = await d.createUser({ username: 'alice', password: PASSWORD }, CLIENT);
    // A misspelt client key would leave the sign-in unthrottled by IP.
    const typo = (await d.authenticate({ username: 'alice', password: WRONG, ip_address: '203.0.113.7' } as never).catch((err: unknown) => err)) as Error;
    expect(typo).toMatchObject(unsupported('UserDirectory.authenticate: unknown option ip_address (supported: username, password, ip, userAgent)'));
    expect(typo.message).not.toContain(WRONG);
    expect(audit.of('auth.login')).toEqual([]);

    const client = { user_agent: 'curl/8' } as never;
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['setPassword', () => d.setPassword(alice.id, OTHER_PASSWORD, client)],
      ['setRoles', () => d.setRoles(alice.id, ['admin'], client)],
      ['setPhone', () => d.setPhone(alice.id, '+447700900123', client)],
      ['disable', () => d.disable(alice.id, client)],
      ['unlock', () => d.unlock('alice', client)],
      ['enrolTotp', () => d.enrolTotp(alice.id, client)],
      ['confirmTotp', () => d.confirmTotp(alice.id, '123456', client)],
      ['verifyTotp', () => d.verifyTotp(alice.id, '123456', client)],
      ['removeTotp', () => d.removeTotp(alice.id, client)],
      ['generateRecoveryCodes', () => d.generateRecoveryCodes(alice.id, client)],
      ['useRecoveryCode', () => d.useRecoveryCode(alice.id, 'abcd-efgh', client)],
    ];
    for (const [method, call] of calls) await expect(call(), method).rejects.toMatchObject(unsupported(`UserDirectory.${method} client: unknown option user_agent (supported: ip, userAgent)`));
    // Nothing changed, and only the creation was audited.
    expect(await d.get(alice.id)).toMatchObject({ roles: [], phone: null, disabled: false, mfa: false });
    expect(await login(d, 'alice', PASSWORD)).toMatchObject({ ok: true });
    expect(await d.remainingRecoveryCodes(alice.id)).toBe(0);
    expect(audit.events.map((e) => e.eventType)).toEqual(['auth.user_created', 'auth.login']);
  });
});

describe('UserDirectory options', () => {
  const deps = { store: { db: {} } as unknown as Store, audit: new RecordedEvents(), secretKey: randomBytes(32) };

  it('names bad options and refuses a missing or short key', () => {
    expect(() => new UserDirectory({ lockoutDelay: '1 minute' } as never, deps)).toThrow(/lockoutDelay/);
    expect(() => new UserDirectory({ maxFailures: 0 }, deps)).toThrow(/maxFailures/);
    expect(() => new UserDirectory({ lockoutDelay: '2h' }, deps)).toThrow(/maxLockoutDelay/);
    expect(() => new UserDirectory({ lockout: 5 } as never, deps)).toThrow(/maxFailures/);
    expect(() => new UserDirectory({}, { ...deps, secretKey: randomBytes(16) })).toThrow(/32-byte/);
    const d = new UserDirectory({}, deps);
    expect([d.settings.maxFailures, d.settings.lockoutDelay, d.settings.maxLockoutDelay, d.settings.ipMaxFailures, d.settings.ipFailureWindow]).toEqual([
      5,
      MINUTE,
      HOUR,
      20,
      15 * MINUTE,
    ]);
  });
});
