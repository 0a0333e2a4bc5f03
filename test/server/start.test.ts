import { afterEach, describe, expect, it } from 'vitest';
import { bootstrapAdminToken, startServer } from '../../src/server/start.js';
import { Fixtures } from './support.js';

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
    const token = (await bootstrapAdminToken(security))!;
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

describe('bootstrapAdminToken', () => {
  it('mints a token only when none exists, and never revokes the existing one', async () => {
    const { security } = await f.open();
    const token = await bootstrapAdminToken(security);
    expect(token).toMatch(/^lt_admin_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(await bootstrapAdminToken(security)).toBeNull();
    expect(await security.adminTokens.verify(token!)).not.toBeNull();
  });
});
