import { afterEach, describe, expect, it } from 'vitest';
import { HttpStandIn } from '../secrets/stand-ins/http-stand-in.js';
import { Fixtures, json, signInAdmin } from './support.js';

const f = new Fixtures();
afterEach(() => f.close());

const AUTH_TOKEN_VAR = 'LANGTRAIN_TEST_TWILIO_TOKEN';
const AUTH_TOKEN = 'twilio-test-auth-token-0123456789';
const PHONE = '+447700900123';
const PASSWORD = 'plum tangerine nightfall sms';

/** The six-digit code in the last message the gateway stand-in received for `to`. */
function lastCode(gateway: HttpStandIn, to: string): string {
  const sent = gateway.requests.filter((r) => new URLSearchParams(r.body).get('To') === to).at(-1);
  const code = /\b(\d{6})\b/.exec(new URLSearchParams(sent?.body ?? '').get('Body') ?? '')?.[1];
  if (!code) throw new Error(`no code was sent to ${to}`);
  return code;
}

describe('SMS as a second factor through the server (Twilio-compatible gateway stand-in)', () => {
  it('verifies a number by SMS, then requires and accepts an SMS code at sign-in; secrets stay out of the audit log', async () => {
    process.env[AUTH_TOKEN_VAR] = AUTH_TOKEN;
    f.defer(() => void delete process.env[AUTH_TOKEN_VAR]);
    const gateway = await HttpStandIn.start(() => ({ status: 201, body: { sid: 'SM1', status: 'queued' } }));
    f.defer(() => gateway.close());
    const { app, auth, security } = await f.serve({
      auth: { mfaMethods: ['totp', 'sms'], sms: { baseUrl: gateway.url, accountSid: 'AC0123', authToken: `env:${AUTH_TOKEN_VAR}`, from: '+15005550006' } },
    });
    const created = await app.inject({ method: 'POST', url: '/v1/users', headers: auth, payload: { username: 'sam', password: PASSWORD } });
    expect(created.statusCode).toBe(201);

    const login = async () => app.inject({ method: 'POST', url: '/v1/auth/login', payload: { username: 'sam', password: PASSWORD, mode: 'token' } });
    const first = json(await login());
    expect(first.status).toBe('authenticated'); // no second factor yet, and mfaRequired is off
    const bearer = { authorization: `Bearer ${first.token}` };

    const started = await app.inject({ method: 'POST', url: '/v1/auth/mfa/sms/phone', headers: bearer, payload: { phone: PHONE } });
    expect(started.statusCode).toBe(200);
    expect(json(started)).toMatchObject({ phone: '***23' });
    const proof = lastCode(gateway, PHONE);
    const wrong = proof === '000000' ? '111111' : '000000';
    const badConfirm = await app.inject({ method: 'POST', url: '/v1/auth/mfa/sms/phone/confirm', headers: bearer, payload: { verification: json(started).verification, code: wrong } });
    expect(badConfirm.statusCode).toBe(401);
    const confirmed = await app.inject({ method: 'POST', url: '/v1/auth/mfa/sms/phone/confirm', headers: bearer, payload: { verification: json(started).verification, code: proof } });
    expect(json(confirmed)).toEqual({ phone: '***23' });
    expect(gateway.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from(`AC0123:${AUTH_TOKEN}`).toString('base64')}`);

    // With mfaRequired on (a second manager over the same store), the number is the second factor.
    const manager = await security.authenticationManager({ mfaRequired: true, mfaMethods: ['sms'], concurrentSessions: null, sms: { baseUrl: gateway.url, accountSid: 'AC0123', authToken: `env:${AUTH_TOKEN_VAR}`, from: '+15005550006' } });
    const challenged = await manager.login({ username: 'sam', password: PASSWORD });
    if (challenged.status !== 'mfa_required') throw new Error(`expected a challenge, got ${challenged.status}`);
    expect(challenged.methods).toEqual(['sms']);
    expect(await manager.startSmsChallenge(challenged.challenge)).toMatchObject({ status: 'sent', phone: '***23' });
    const code = lastCode(gateway, PHONE);
    const done = await manager.completeMfa({ challenge: challenged.challenge, method: 'sms', code });
    expect(done, JSON.stringify(done)).toMatchObject({ status: 'authenticated', session: { mfa: true } });

    // The same flow over HTTP on the configured server (mfaRequired off, but the account now has sms).
    const overHttp = json(await login());
    expect(overHttp.status).toBe('authenticated');

    const text = JSON.stringify(await security.audit.query({ limit: 1000 }));
    for (const secret of [AUTH_TOKEN, PASSWORD, proof, code, PHONE, first.token]) expect(text).not.toContain(secret);
    expect((await (await security.authenticationManager()).users.findByUsername('sam'))?.phone).toBe(PHONE);
    await signInAdmin(security); // the admin is untouched by all this
  });

  it('refuses mfaMethods sms without a gateway, naming auth.sms', async () => {
    await expect(f.serve({ auth: { mfaMethods: ['sms'] } })).rejects.toMatchObject({ code: 'ERR_CONFIG_INVALID', message: expect.stringContaining('auth.sms') });
  });
});
