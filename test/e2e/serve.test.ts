import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { killChildren, runCli, spawnCli, workspace, type LiveCli } from '../cli/run-cli.js';

/**
 * `langtrain serve` as an operator runs it: no --db (the embedded SQLite file under
 * ./.langtrain/), a free port, the bootstrap admin token printed once; then real HTTP.
 */
const TOKEN = /lt_admin_[0-9a-f]{12}_[A-Za-z0-9_-]{43}/g;
const w = workspace('serve');
afterAll(() => w.cleanup());
afterEach(() => killChildren());

interface Started {
  server: LiveCli;
  url: string;
  /** Every admin token printed (none after the first start). */
  tokens: string[];
  banner: string;
}

async function start(...extra: string[]): Promise<Started> {
  const server = spawnCli(['serve', '--port', '0', ...extra], { cwd: w.dir });
  const [, url] = await server.waitFor(/LangTrain Security is listening on (http:\/\/127\.0\.0\.1:\d+)\n/);
  await server.waitFor(/API description: .*\/openapi\.json\n/);
  const out = server.stdout();
  const banner = out.slice(out.indexOf('LangTrain Security is listening'), out.indexOf('/openapi.json') + '/openapi.json'.length);
  return { server, url: url!, tokens: [...new Set(banner.match(TOKEN) ?? [])], banner };
}

async function stop(started: Started): Promise<void> {
  started.server.child.kill('SIGTERM');
  expect(await started.server.exited).toEqual({ code: 0, signal: null });
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const event = { eventType: 'user_authentication', userId: 'e2e-alice', result: 'success', additionalData: { ip_address: '10.0.1.100', mfa: true } };

describe('langtrain serve (e2e)', () => {
  let adminToken = '';

  it('first start: prints the url and a one-time admin token; the API works over real HTTP', async () => {
    const s = await start();
    expect(s.tokens).toHaveLength(1);
    adminToken = s.tokens[0]!;
    expect(s.banner).toContain('Bootstrap admin token (shown once; it is stored only as a hash):');
    expect(s.banner).toContain(`store: sqlite:`);
    expect(existsSync(join(w.dir, '.langtrain', 'langtrain.db'))).toBe(true);

    const health = await fetch(`${s.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true, store: 'sqlite' });

    const posted = await fetch(`${s.url}/v1/audit/events`, { method: 'POST', headers: { ...bearer(adminToken), 'content-type': 'application/json' }, body: JSON.stringify(event) });
    expect(posted.status).toBe(201);
    const { receipts } = (await posted.json()) as { receipts: Array<{ index: number; id: string }> };
    expect(receipts).toEqual([{ index: expect.any(Number), id: expect.any(String) }]);

    const got = await fetch(`${s.url}/v1/audit/events?userId=e2e-alice`, { headers: bearer(adminToken) });
    expect(got.status).toBe(200);
    const { entries } = (await got.json()) as { entries: Array<Record<string, unknown>> };
    expect(entries).toEqual([expect.objectContaining({ index: receipts[0]!.index, id: receipts[0]!.id, eventType: event.eventType, result: 'success', additionalData: event.additionalData })]);

    const anonymous = await fetch(`${s.url}/v1/audit/events`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const forged = await fetch(`${s.url}/v1/audit/events`, { method: 'POST', headers: { ...bearer(adminToken.slice(0, -1) + (adminToken.endsWith('A') ? 'B' : 'A')), 'content-type': 'application/json' }, body: JSON.stringify(event) });
    expect(forged.status).toBe(401);
    expect(await forged.text()).not.toContain(adminToken.slice(9));

    const openapi = await fetch(`${s.url}/openapi.json`);
    expect(openapi.status).toBe(200);
    const doc = (await openapi.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toContain('/v1/audit/events');

    await stop(s);
    // The token is never written in the server's own log lines.
    expect(s.server.stdout().split(s.banner).join('')).not.toContain(adminToken);
    expect(s.server.stderr()).not.toContain(adminToken);
  });

  it('a restart in the same folder prints no new token (a hint instead); the old token still works', async () => {
    expect(adminToken).not.toBe('');
    const s = await start();
    expect(s.tokens).toEqual([]);
    expect(s.banner).toContain('Log in with the admin token printed at first start; lost it? restart with --new-admin-token');
    const got = await fetch(`${s.url}/v1/audit/events?userId=e2e-alice`, { headers: bearer(adminToken) });
    expect(got.status).toBe(200);
    expect(((await got.json()) as { entries: unknown[] }).entries).toHaveLength(1);
    await stop(s);
  });

  it('--new-admin-token prints a new token and revokes the old one', async () => {
    const s = await start('--new-admin-token');
    expect(s.tokens).toHaveLength(1);
    const fresh = s.tokens[0]!;
    expect(fresh).not.toBe(adminToken);
    expect((await fetch(`${s.url}/v1/audit/events`, { headers: bearer(adminToken) })).status).toBe(401);
    expect((await fetch(`${s.url}/v1/audit/events`, { headers: bearer(fresh) })).status).toBe(200);
    await stop(s);
    adminToken = fresh;
  });

  it('the log the server wrote verifies offline, and holds the authentication failures', async () => {
    const db = `sqlite:${join(w.dir, '.langtrain', 'langtrain.db')}`;
    const v = await runCli(['audit', 'verify', '--db', db], { cwd: w.dir });
    expect(v.code, v.stdout + v.stderr).toBe(0);
    expect(v.stdout).toMatch(/^OK: the log verifies\n/);
    expect(v.stdout).not.toMatch(/not yet signed/); // a clean shutdown signs a final checkpoint
    const failures = await runCli(['audit', 'query', '--db', db, '--json', '--type', 'api.authentication', '--result', 'failure'], { cwd: w.dir });
    expect(JSON.parse(failures.stdout).length).toBeGreaterThanOrEqual(3);
    expect(failures.stdout).not.toContain(adminToken);
  });

  it('a second server on the same port fails with exit 2 and a message', async () => {
    const s = await start();
    const port = new URL(s.url).port;
    const clash = await runCli(['serve', '--port', port], { cwd: w.dir });
    expect(clash.code).toBe(2);
    expect(clash.stderr).toMatch(/EADDRINUSE/);
    await stop(s);
  });
});
