import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { killChildren, runCli, spawnCli, workspace, type LiveCli } from '../cli/run-cli.js';

/**
 * `langtrain serve` as an operator runs it: no --db (the embedded SQLite file under
 * ./.langtrain/), a free port, a one-time setup code printed at first start; then the first
 * administrator, sign-in and the API over real HTTP.
 */
const SETUP_CODE = /lt_setup_[0-9a-f]{12}_[A-Za-z0-9_-]{43}/g;
const PASSWORD = 'an e2e administrator passphrase';
const w = workspace('serve');
afterAll(() => w.cleanup());
afterEach(() => killChildren());

interface Started {
  server: LiveCli;
  url: string;
  /** Every setup code printed (none once an administrator exists). */
  codes: string[];
  banner: string;
}

async function start(...extra: string[]): Promise<Started> {
  const server = spawnCli(['serve', '--port', '0', ...extra], { cwd: w.dir });
  const [, url] = await server.waitFor(/LangTrain Security is listening on (http:\/\/127\.0\.0\.1:\d+)\n/);
  await server.waitFor(/API description: .*\/openapi\.json\n/);
  const out = server.stdout();
  const banner = out.slice(out.indexOf('LangTrain Security is listening'), out.indexOf('/openapi.json') + '/openapi.json'.length);
  return { server, url: url!, codes: [...new Set(banner.match(SETUP_CODE) ?? [])], banner };
}

async function stop(started: Started): Promise<void> {
  started.server.child.kill('SIGTERM');
  expect(await started.server.exited).toEqual({ code: 0, signal: null });
}

const event = { eventType: 'user_authentication', userId: 'e2e-alice', result: 'success', additionalData: { ip_address: '10.0.1.100', mfa: true } };

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** Sign in over HTTP in token mode; the session token. */
async function signIn(url: string, username: string): Promise<string> {
  const res = await post(`${url}/v1/auth/login`, { username, password: PASSWORD, mode: 'token' });
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

describe('langtrain serve (e2e)', () => {
  /** Everything secret this run handled: none may reach a log or the audit log. */
  const secrets: string[] = [PASSWORD];

  it('first start: prints the url and a setup code that creates the first administrator; the API works over real HTTP', async () => {
    const s = await start();
    expect(s.codes).toHaveLength(1);
    const code = s.codes[0]!;
    secrets.push(code);
    expect(s.banner).toContain('No administrator yet. Create one with this setup code (shown once, usable once):');
    expect(s.banner).toContain(`store: sqlite:`);
    expect(existsSync(join(w.dir, '.langtrain', 'langtrain.db'))).toBe(true);

    const health = await fetch(`${s.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true, store: 'sqlite' });

    // The API refuses everyone until an administrator exists and signs in.
    const anonymous = await fetch(`${s.url}/v1/audit/events`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const created = await post(`${s.url}/v1/auth/setup`, { setupCode: code, username: 'root', password: PASSWORD });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ username: 'root', roles: ['admin'] });
    expect((await post(`${s.url}/v1/auth/setup`, { setupCode: code, username: 'root2', password: PASSWORD })).status).toBe(401);
    const token = await signIn(s.url, 'root');
    secrets.push(token);
    const bearer = { authorization: `Bearer ${token}` };

    const posted = await post(`${s.url}/v1/audit/events`, event, bearer);
    expect(posted.status).toBe(201);
    const { receipts } = (await posted.json()) as { receipts: Array<{ index: number; id: string }> };
    expect(receipts).toEqual([{ index: expect.any(Number), id: expect.any(String) }]);

    const got = await fetch(`${s.url}/v1/audit/events?userId=e2e-alice`, { headers: bearer });
    expect(got.status).toBe(200);
    const { entries } = (await got.json()) as { entries: Array<Record<string, unknown>> };
    expect(entries).toEqual([expect.objectContaining({ index: receipts[0]!.index, id: receipts[0]!.id, eventType: event.eventType, result: 'success', additionalData: { ...event.additionalData, submittedBy: expect.stringMatching(/^user:/) } })]);

    const forgedToken = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    const forged = await post(`${s.url}/v1/audit/events`, event, { authorization: `Bearer ${forgedToken}` });
    expect(forged.status).toBe(401);
    expect(await forged.text()).not.toContain(token.slice(37));

    // A text past 64 KiB is scanned on a worker thread of the built server, with the same findings.
    const text = `${'Prose with nothing personal in it. '.repeat(4_000)}Mail e2e.person@example.org from 203.0.113.7.`;
    const detected = await post(`${s.url}/v1/pii/detect`, { text, types: ['email', 'ip_address'] }, bearer);
    expect(detected.status).toBe(200);
    const { results } = (await detected.json()) as { results: Array<{ spans: Array<{ start: number; end: number; type: string }> }> };
    expect(results[0]!.spans.map((f) => [f.type, text.slice(f.start, f.end)])).toEqual([['email', 'e2e.person@example.org'], ['ip_address', '203.0.113.7']]);

    const openapi = await fetch(`${s.url}/openapi.json`);
    expect(openapi.status).toBe(200);
    const doc = (await openapi.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/audit/events', '/v1/auth/login', '/v1/auth/setup']));

    await stop(s);
    // Only the banner shows the code; no log line carries it, the password or the session token.
    const logs = s.server.stdout().split(s.banner).join('') + s.server.stderr();
    for (const secret of secrets) expect(logs).not.toContain(secret);
  });

  it('a restart in the same folder prints no setup code, says how to sign in, and the administrator still can', async () => {
    const s = await start();
    expect(s.codes).toEqual([]);
    expect(s.banner).toContain(`Sign in: POST ${s.url}/v1/auth/login`);
    const token = await signIn(s.url, 'root');
    secrets.push(token);
    const got = await fetch(`${s.url}/v1/audit/events?userId=e2e-alice`, { headers: { authorization: `Bearer ${token}` } });
    expect(got.status).toBe(200);
    expect(((await got.json()) as { entries: unknown[] }).entries).toHaveLength(1);
    await stop(s);
  });

  it('--new-setup-code prints a fresh code that creates another administrator (the way back in)', async () => {
    const s = await start('--new-setup-code');
    expect(s.codes).toHaveLength(1);
    // root exists: the banner must not claim there is no administrator, nor suggest a taken name.
    expect(s.banner).toContain('An administrator already exists. This new setup code');
    expect(s.banner).not.toContain('No administrator yet');
    expect(s.banner).toContain('"username":"<new username>"');
    const code = s.codes[0]!;
    secrets.push(code);
    expect((await post(`${s.url}/v1/auth/setup`, { setupCode: code, username: 'rescue', password: PASSWORD })).status).toBe(201);
    const token = await signIn(s.url, 'rescue');
    secrets.push(token);
    expect((await fetch(`${s.url}/v1/users`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    await stop(s);
  });

  it('the log the server wrote verifies offline, holds the authentication failures, and no secret', async () => {
    const db = `sqlite:${join(w.dir, '.langtrain', 'langtrain.db')}`;
    const v = await runCli(['audit', 'verify', '--db', db], { cwd: w.dir });
    expect(v.code, v.stdout + v.stderr).toBe(0);
    expect(v.stdout).toMatch(/^OK: the log verifies\n/);
    expect(v.stdout).not.toMatch(/not yet signed/); // a clean shutdown signs a final checkpoint
    const failures = await runCli(['audit', 'query', '--db', db, '--json', '--type', 'api.authentication', '--result', 'failure'], { cwd: w.dir });
    expect(JSON.parse(failures.stdout).length).toBeGreaterThanOrEqual(2);
    const all = await runCli(['audit', 'query', '--db', db, '--json', '--limit', '1000'], { cwd: w.dir });
    expect(all.code, all.stderr).toBe(0);
    for (const secret of secrets) expect(all.stdout).not.toContain(secret);
    expect(JSON.parse(all.stdout).map((e: { eventType: string }) => e.eventType)).toEqual(expect.arrayContaining(['auth.setup_code_minted', 'auth.user_created', 'auth.roles_changed', 'auth.session_created']));
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
