import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOTP, Secret } from 'otpauth';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEntryView } from '../../src/audit/query.js';
import { base62Fixed, randomBase62 } from '../../src/identity/api-keys/base62.js';
import { crc32Ascii } from '../../src/identity/api-keys/crc32.js';
import type { SecurityManager } from '../../src/security-manager.js';
import { SESSION_COOKIE } from '../../src/server/session-cookies.js';
import { prepareAdminSetup } from '../../src/server/start.js';
import { Fixtures, LogCapture, json } from './support.js';

const f = new Fixtures();
afterEach(() => f.close());

const STEP_MS = 30_000;
const totpAt = (secret: string, ms: number) => HOTP.generate({ secret: Secret.fromBase32(secret), counter: Math.floor(ms / STEP_MS) });

/** Every audit entry, page by page (query answers at most `limit`, 100 by default). */
async function allAuditEntries(security: SecurityManager): Promise<AuditEntryView[]> {
  const entries: AuditEntryView[] = [];
  for (;;) {
    const page = await security.audit.query({ afterIndex: entries.at(-1)?.index ?? -1, limit: 50 });
    entries.push(...page);
    if (page.length < 50) return entries;
  }
}

/** A key with a real id and a well-formed checksum but the wrong secret: it reaches the hash check. */
function wrongSecretFor(key: string): string {
  const [, env, id] = key.split('_');
  const body = `lt_${env}_${id}_${randomBase62(43)}`;
  return `${body}_${base62Fixed(crc32Ascii(body), 6)}`;
}

/**
 * Everything secret the flow handles. Six-digit TOTP codes are matched only as whole numbers:
 * as bare substrings they turn up by chance in timestamps and hashes.
 */
class Secrets {
  readonly strings = new Map<string, string>();
  readonly codes = new Map<string, string>();
  add(label: string, value: string): string {
    expect(value.length, label).toBeGreaterThanOrEqual(8);
    this.strings.set(label, value);
    return value;
  }
  addCode(label: string, code: string): string {
    expect(code).toMatch(/^\d{6}$/);
    this.codes.set(label, code);
    return code;
  }
  /** Labels of the secrets found in `text`. */
  foundIn(text: string): string[] {
    const found = [...this.strings].filter(([, v]) => text.includes(v)).map(([label]) => label);
    for (const [label, code] of this.codes) if (new RegExp(`(?<![0-9A-Za-z])${code}(?![0-9A-Za-z])`).test(text)) found.push(label);
    return found;
  }
}

describe('no secret reaches the log, the audit log or the database', () => {
  it('through setup, sign-ins, MFA, recovery codes, API keys and a password change', async () => {
    const { security, dir } = await f.open({ server: { logLevel: 'trace' }, audit: { level: 'detailed' }, auth: { concurrentSessions: 10 } });
    const secrets = new Secrets();
    const setup = await prepareAdminSetup(security);
    if (setup.state !== 'new_code') throw new Error(`expected a new setup code, got ${setup.state}`);
    secrets.add('setup code', setup.setupCode);
    secrets.add('setup code secret part', setup.setupCode.slice(-43));
    const logs = new LogCapture();
    const { app } = await f.server(security, logs);
    const post = (url: string, payload: object, headers: Record<string, string> = {}) => app.inject({ method: 'POST', url, payload, headers });
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

    // Setup: a wrong code, a rejected password, then the real thing.
    const wrongCode = secrets.add('wrong setup code', `${setup.setupCode.slice(0, -4)}AAAA`);
    expect((await post('/v1/auth/setup', { setupCode: wrongCode, username: 'operator', password: 'unused but secret passphrase' })).statusCode).toBe(401);
    const rejected = secrets.add('rejected password', 'Password123');
    expect((await post('/v1/auth/setup', { setupCode: setup.setupCode, username: 'operator', password: rejected })).statusCode).toBe(400);
    const password = secrets.add('password', 'the first real passphrase, kept safe');
    expect((await post('/v1/auth/setup', { setupCode: setup.setupCode, username: 'operator', password })).statusCode).toBe(201);

    // Failed and successful sign-ins, token and cookie mode.
    for (const [username, guess] of [
      ['operator', secrets.add('wrong password', 'the first real passphrase, kept Safe')],
      ['nobody', secrets.add('unknown user password', 'a password for nobody at all')],
    ]) {
      expect((await post('/v1/auth/login', { username, password: guess })).statusCode).toBe(401);
    }
    const tokenLogin = json(await post('/v1/auth/login', { username: 'operator', password, mode: 'token' }));
    const token = secrets.add('session token', tokenLogin.token);
    secrets.add('session token secret', token.slice(-43));
    secrets.add('csrf token (token mode)', tokenLogin.csrfToken);
    const cookieLogin = await post('/v1/auth/login', { username: 'operator', password });
    const cookie = secrets.add('session cookie', cookieLogin.cookies.find((c) => c.name === SESSION_COOKIE)!.value);
    const csrf = secrets.add('csrf token', json(cookieLogin).csrfToken);
    expect((await post('/v1/audit/checkpoints', {}, { cookie: `${SESSION_COOKIE}=${cookie}` })).statusCode).toBe(403);
    expect((await post('/v1/audit/checkpoints', {}, { cookie: `${SESSION_COOKIE}=${cookie}`, 'x-csrf-token': csrf })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/v1/auth/session', headers: bearer(`${token.slice(0, -3)}AAA`) })).statusCode).toBe(401);

    // TOTP enrolment and a second-factor sign-in, with a wrong code first.
    const enrol = json(await post('/v1/auth/mfa/totp', {}, bearer(token)));
    const totpSecret = secrets.add('totp secret', enrol.secret);
    secrets.add('totp uri', enrol.uri);
    const confirmCode = secrets.addCode('totp confirm code', totpAt(totpSecret, Date.now()));
    expect((await post('/v1/auth/mfa/totp/confirm', { code: confirmCode }, bearer(token))).statusCode).toBe(204);
    const mfa = json(await post('/v1/auth/login', { username: 'operator', password, mode: 'token' }));
    expect(mfa.status).toBe('mfa_required');
    secrets.add('mfa challenge', mfa.challenge);
    expect((await post('/v1/auth/mfa/verify', { challenge: mfa.challenge, method: 'totp', code: confirmCode })).statusCode).toBe(401);
    const loginCode = secrets.addCode('totp login code', totpAt(totpSecret, Date.now() + STEP_MS));
    const mfaDone = json(await post('/v1/auth/mfa/verify', { challenge: mfa.challenge, method: 'totp', code: loginCode, mode: 'token' }));
    secrets.add('mfa session token', mfaDone.token);

    // Recovery codes: one spent, then refused on reuse.
    const { codes } = json(await post('/v1/auth/mfa/recovery-codes', {}, bearer(token)));
    codes.forEach((code: string, i: number) => {
      secrets.add(`recovery code ${i}`, code);
      secrets.add(`recovery code ${i} (normalised)`, code.replace(/-/g, ''));
    });
    for (const expected of [200, 401]) {
      const { challenge } = json(await post('/v1/auth/login', { username: 'operator', password, mode: 'token' }));
      secrets.add(`mfa challenge for recovery ${expected}`, challenge);
      expect((await post('/v1/auth/mfa/verify', { challenge, method: 'recovery', code: codes[0], mode: 'token' })).statusCode).toBe(expected);
    }

    // API keys: create, use, a wrong secret for a real id, rotate, revoke.
    const created = json(await post('/v1/auth/api-keys', { permissions: ['audit.read'] }, bearer(token)));
    const key = secrets.add('api key', created.key);
    secrets.add('api key secret', key.split('_')[3]!);
    const use = async (presented: string) => (await app.inject({ method: 'GET', url: '/v1/audit/events?limit=1', headers: bearer(presented) })).statusCode;
    expect(await use(key)).toBe(200);
    expect(await use(secrets.add('forged api key', wrongSecretFor(key)))).toBe(401);
    const rotated = json(await post(`/v1/auth/api-keys/${created.id}/rotate`, {}, bearer(token)));
    secrets.add('rotated api key', rotated.key);
    secrets.add('rotated api key secret', rotated.key.split('_')[3]!);
    expect([await use(key), await use(rotated.key)]).toEqual([200, 200]);
    for (const id of [created.id, rotated.id]) expect((await app.inject({ method: 'DELETE', url: `/v1/auth/api-keys/${id}`, headers: bearer(token) })).statusCode).toBe(204);
    expect(await use(rotated.key)).toBe(401);

    // Password change: a wrong current password first.
    const change = (currentPassword: string, newPassword: string) => post('/v1/auth/password', { currentPassword, newPassword }, bearer(token));
    expect((await change(secrets.add('wrong current password', 'not the current passphrase'), 'a second real passphrase')).statusCode).toBe(401);
    const newPassword = secrets.add('new password', 'the second real passphrase, kept safe');
    expect((await change(password, newPassword)).statusCode).toBe(204);
    expect((await post('/v1/auth/login', { username: 'operator', password: newPassword, mode: 'token' })).statusCode).toBe(200);
    expect((await post('/v1/auth/logout', {}, bearer(token))).statusCode).toBe(204);

    // Closing waits for audit writes still in flight, so the scan sees every entry.
    await app.close();
    // The scanner itself finds what it should, codes as whole numbers only.
    expect(secrets.foundIn(`{"code":${loginCode}} ${key}`)).toEqual(['api key', 'api key secret', 'totp login code']);
    expect(secrets.foundIn(`{"time":17${loginCode}123}`)).toEqual([]);
    const entries = await allAuditEntries(security);
    expect(entries.length).toBe(await security.audit.size());
    expect(entries.length).toBeGreaterThan(50);
    // Opened payloads only: a sealed one would hide a secret from this scan.
    expect(entries.filter((e) => e.payload !== 'clear' && e.payload !== 'opened')).toEqual([]);
    const auditText = JSON.stringify(entries);
    // The scan sees the entries' contents: ids that are not secret are there.
    expect(auditText).toContain(created.id);
    expect(auditText).toContain(tokenLogin.session.id);
    expect(auditText).toMatch(/"reason":"wrong_password"/);
    expect(secrets.foundIn(auditText)).toEqual([]);

    // The capture holds every request and every refusal, so the scan covers them.
    expect(logs.records.filter((r) => r.msg === 'incoming request').length).toBeGreaterThan(30);
    // refusals are logged by code and route, never by their message, which echoes the caller's input
    expect(logs.records.filter((r) => r.msg === 'request refused' && r.code === 'ERR_UNAUTHENTICATED' && (r.route === '/v1/auth/login' || r.route === '/v1/auth/password'))).toHaveLength(3);
    expect(secrets.foundIn(logs.text)).toEqual([]);

    // Nor are they stored: only digests, peppered hashes, sealed secrets.
    for (const file of readdirSync(dir)) {
      const content = readFileSync(join(dir, file)).toString('latin1');
      expect(secrets.foundIn(content), file).toEqual([]);
    }
  });
});
