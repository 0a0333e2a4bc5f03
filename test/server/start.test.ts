import { afterEach, describe, expect, it } from 'vitest';
import { prepareAdminSetup, startServer } from '../../src/server/start.js';
import { Fixtures, signInAdmin } from './support.js';

const f = new Fixtures();
afterEach(() => f.close());

describe('startServer', () => {
  it('listens on a real port and closes', async () => {
    const { security } = await f.open();
    const running = await startServer(security, { port: 0, logStream: { write: () => undefined } });
    f.defer(running.close);
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${running.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, store: 'sqlite' });
    const token = await signInAdmin(security);
    const authed = await fetch(`${running.url}/v1/audit/checkpoints/latest`, { headers: { authorization: `Bearer ${token}` } });
    expect(authed.status).toBe(404); // nothing signed yet, but past authentication
    await running.close();
    await expect(fetch(`${running.url}/healthz`)).rejects.toThrow();
  });

  it('fails with the listen error when the port is taken, leaving nothing open', async () => {
    const { security } = await f.open();
    const running = await startServer(security, { port: 0, logStream: { write: () => undefined } });
    f.defer(running.close);
    const port = Number(new URL(running.url).port);
    await expect(startServer(security, { port, logStream: { write: () => undefined } })).rejects.toThrow(/EADDRINUSE/);
  });
});

describe('prepareAdminSetup', () => {
  it('mints a setup code only while there is no admin and none is pending; the code creates one admin, once', async () => {
    const { security } = await f.open();
    const running = await startServer(security, { port: 0, logStream: { write: () => undefined } });
    f.defer(running.close);
    const setup = await prepareAdminSetup(security);
    if (setup.state !== 'new_code') throw new Error(`expected a new code, got ${setup.state}`);
    expect(setup.setupCode).toMatch(/^lt_setup_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(setup.adminExists).toBe(false);
    // A restart must not invalidate the code the operator is about to use.
    expect(await prepareAdminSetup(security)).toEqual({ state: 'code_pending' });

    const post = (body: unknown) => fetch(`${running.url}/v1/auth/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    // A weak password is refused and the code survives it.
    const weak = await post({ setupCode: setup.setupCode, username: 'root', password: 'password' });
    expect(weak.status).toBe(400);
    expect(await security.setupCodes.check(setup.setupCode)).not.toBeNull();
    const created = await post({ setupCode: setup.setupCode, username: 'root', password: 'a long enough admin passphrase' });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ username: 'root', roles: ['admin'], hasPassword: true });
    const again = await post({ setupCode: setup.setupCode, username: 'root2', password: 'a long enough admin passphrase' });
    expect(again.status).toBe(401);
    expect(await prepareAdminSetup(security)).toEqual({ state: 'has_admin' });

    // The new admin signs in and reaches an admin route.
    const login = await fetch(`${running.url}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'root', password: 'a long enough admin passphrase', mode: 'token' }) });
    const { token } = (await login.json()) as { token: string };
    expect((await fetch(`${running.url}/v1/users`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    // --new-setup-code: a fresh code even with an admin present, saying one exists (serve words its banner by it).
    expect(await prepareAdminSetup(security, { fresh: true })).toMatchObject({ state: 'new_code', adminExists: true });
    const events = JSON.stringify(await security.audit.query({}));
    expect(events).not.toContain(setup.setupCode);
    expect(events).not.toContain('a long enough admin passphrase');
  });
});
