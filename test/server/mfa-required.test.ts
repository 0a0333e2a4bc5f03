import { HOTP, Secret } from 'otpauth';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareAdminSetup } from '../../src/server/start.js';
import { Fixtures, json } from './support.js';

const f = new Fixtures();
afterEach(() => f.close());

const PASSWORD = 'the first admin passphrase';
const totpAt = (secret: string, ms: number) => HOTP.generate({ secret: Secret.fromBase32(secret), counter: Math.floor(ms / 30_000) });

describe('auth.mfaRequired on the server', () => {
  it('lets the setup-code administrator enrol TOTP from a confined session, then sign in with it to reach the API', async () => {
    const { security } = await f.open({ auth: { mfaRequired: true, concurrentSessions: null } });
    const { app } = await f.server(security);
    const setup = await prepareAdminSetup(security);
    if (setup.state !== 'new_code') throw new Error('expected a setup code');
    expect((await app.inject({ method: 'POST', url: '/v1/auth/setup', payload: { setupCode: setup.setupCode, username: 'root', password: PASSWORD } })).statusCode).toBe(201);

    const first = await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { username: 'root', password: PASSWORD, mode: 'token' } });
    expect(json(first)).toMatchObject({ status: 'enrolment_required', session: { mfa: false }, user: { roles: ['admin'] } });
    const confined = { authorization: `Bearer ${json(first).token}` };
    // The admin role does not open the API to a session without a second factor.
    for (const url of ['/v1/audit/events', '/v1/users', '/v1/auth/api-keys']) {
      const res = await app.inject({ method: 'GET', url, headers: confined });
      expect(res.statusCode, url).toBe(403);
      expect(json(res).error.code).toBe('ERR_MFA_ENROLMENT_REQUIRED');
    }
    const enrol = json(await app.inject({ method: 'POST', url: '/v1/auth/mfa/totp', headers: confined }));
    const confirm = await app.inject({ method: 'POST', url: '/v1/auth/mfa/totp/confirm', headers: confined, payload: { code: totpAt(enrol.secret, Date.now() - 30_000) } });
    expect(confirm.statusCode).toBe(204);

    const again = json(await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { username: 'root', password: PASSWORD, mode: 'token' } }));
    expect(again).toMatchObject({ status: 'mfa_required', methods: ['totp'] });
    const done = json(await app.inject({ method: 'POST', url: '/v1/auth/mfa/verify', payload: { challenge: again.challenge, method: 'totp', code: totpAt(enrol.secret, Date.now()), mode: 'token' } }));
    expect(done).toMatchObject({ status: 'authenticated', session: { mfa: true } });
    expect((await app.inject({ method: 'GET', url: '/v1/audit/events', headers: { authorization: `Bearer ${done.token}` } })).statusCode).toBe(200);
    // The confined session stays confined.
    expect((await app.inject({ method: 'GET', url: '/v1/audit/events', headers: confined })).statusCode).toBe(403);
    const refusals = await security.audit.query({ eventType: 'api.authentication' });
    const confinedRefusals = refusals.filter((e) => e.additionalData?.reason === 'mfa_enrolment_required');
    expect(confinedRefusals.length).toBe(4);
    expect(new Set(confinedRefusals.map((e) => e.userId))).toEqual(new Set([json(first).user.id]));
  });
});
