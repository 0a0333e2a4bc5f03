import { afterEach, describe, expect, it } from 'vitest';
import { killChildren, libraryWorkspace, parseJson } from './run-cli.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  await killChildren();
  for (const c of cleanups.splice(0).reverse()) await c();
});

const KEY_SHAPE = /^lt_live_([0-9A-Za-z]{12})_[0-9A-Za-z]{43}_[0-9A-Za-z]{6}$/;

/** A workspace with its account created through the library, which also checks the keys the CLI issues. */
async function setup() {
  const { cli, security, auth } = await libraryWorkspace('api-keys', cleanups);
  const alice = await auth.users.createUser({ username: 'alice', password: 'Plum-Vortex-Quill-8391-zephyr' });
  return { cli, auth, alice };
}

describe('langtrain api-keys', { timeout: 90_000 }, () => {
  it('creates a key printed once, lists it without the secret, and a revoked key is refused', async () => {
    const { cli, auth, alice } = await setup();
    const created = await cli('api-keys', 'create', '--user', 'alice', '--permission', 'models.inference', '--permission', 'datasets.read', '--name', 'ci');
    expect(created.code, created.stderr).toBe(0);
    // Alone on stdout, so `> key.txt` or a pipe takes exactly the key; the warning is on stderr.
    const key = created.stdout.trimEnd();
    const id = key.match(KEY_SHAPE)?.[1];
    expect(id).toBeDefined();
    expect(created.stderr).toContain(`warning: the API key ${id} is shown once`);

    expect(await auth.verifyApiKey(key, { permission: 'models.inference' })).toMatchObject({ ok: true, id, userId: alice.id });
    expect(await auth.verifyApiKey(key, { permission: 'models.train' })).toEqual({ ok: false, reason: 'forbidden' });

    const secret = key.split('_')[3]!;
    const human = await cli('api-keys', 'list');
    expect(human.stdout).toMatch(new RegExp(`^${id}  alice  active  models\\.inference,datasets\\.read  1000/hour  expires \\S+  "ci"\\n$`));
    const listed = await cli('api-keys', 'list', '--user', 'alice', '--json');
    expect(parseJson(listed)).toMatchObject([{ id, userId: alice.id, username: 'alice', status: 'active', autoRotate: true, rateLimit: '1000/hour', name: 'ci' }]);
    for (const r of [human, listed]) expect(r.stdout).not.toContain(secret);

    const revoked = await cli('api-keys', 'revoke', id!);
    expect(revoked).toMatchObject({ code: 0, stdout: `revoked ${id}\n` });
    expect(await auth.verifyApiKey(key, { permission: 'models.inference' })).toEqual({ ok: false, reason: 'revoked' });
    expect(parseJson(await cli('api-keys', 'list', '--json'))).toMatchObject([{ id, status: 'revoked' }]);
    const again = await cli('api-keys', 'revoke', id!);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('`langtrain api-keys list` shows the keys');

    const audit = await cli('audit', 'query', '--json', '--limit', '1000');
    expect(audit.stdout).toContain('auth.api_key_created');
    expect(audit.stdout).toContain('auth.api_key_revoked');
    expect(audit.stdout).not.toContain(secret);
  });

  it('takes expiry, rate limit, auto-rotation and --json; rotate prints a successor while the old key works through the grace', async () => {
    const { cli, auth, alice } = await setup();
    const before = Date.now();
    const created = await cli('api-keys', 'create', '--user', 'alice', '--permission', 'models.*', '--expiry-days', '7', '--rate-limit', 'none', '--no-auto-rotate', '--json');
    expect(created.code, created.stderr).toBe(0);
    const issued = parseJson<{ key: string; id: string; expiresAt: string; userId: string; username: string }>(created);
    expect(issued).toMatchObject({ userId: alice.id, username: 'alice' });
    expect(issued.key).toMatch(KEY_SHAPE);
    const days = (Date.parse(issued.expiresAt) - before) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThan(7.01);
    expect(parseJson(await cli('api-keys', 'list', '--json'))).toMatchObject([{ id: issued.id, rateLimit: null, autoRotate: false, permissions: ['models.*'] }]);

    const rotated = await cli('api-keys', 'rotate', issued.id);
    expect(rotated.code, rotated.stderr).toBe(0);
    const successor = rotated.stdout.trimEnd();
    expect(successor).toMatch(KEY_SHAPE);
    expect(successor).not.toBe(issued.key);
    expect(rotated.stderr).toContain(`the old key ${issued.id} keeps working for 24h`);
    expect(await auth.verifyApiKey(successor, { permission: 'models.train' })).toMatchObject({ ok: true, userId: alice.id });
    expect(await auth.verifyApiKey(issued.key, { permission: 'models.train' })).toMatchObject({ ok: true });
    expect(parseJson<Array<{ status: string }>>(await cli('api-keys', 'list', '--json')).map((k) => k.status)).toEqual(['rotating', 'active']);
  });

  it('usage and input errors exit 2 and say what to do', async () => {
    const { cli } = await setup();
    const cases: Array<[string[], RegExp]> = [
      [['api-keys', 'create', '--user', 'nobody', '--permission', 'models.inference'], /no such user nobody; `langtrain users list` shows the accounts/],
      [['api-keys', 'list', '--user', 'nobody'], /no such user nobody/],
      [['api-keys', 'create', '--user', 'alice'], /name at least one --permission/],
      [['api-keys', 'create', '--user', 'alice', '--permission', 'models.inference', '--rate-limit', 'lots'], /--rate-limit: "lots" is not a rate/],
      [['api-keys', 'create', '--user', 'alice', '--permission', 'models.inference', '--expiry-days', 'soon'], /--expiry-days must be a whole number from 1 to 3650; got "soon"/],
      [['api-keys', 'create', '--user', 'alice', '--permission', 'models.inference', '--expiry-days', '1e1'], /--expiry-days must be a whole number from 1 to 3650; got "1e1"/],
      [['api-keys', 'create', '--user', 'alice', '--permission', 'models.inference', '--expiry-days', ''], /--expiry-days must be a whole number from 1 to 3650; got ""/],
      [['api-keys', 'create', '--user', 'alice', '--permission', 'models.inference', '--expiry-days', '3651'], /--expiry-days must be a whole number from 1 to 3650; got "3651"/],
      [['api-keys', 'create', '--permission', 'models.inference'], /required option '--user <username>'/],
      [['api-keys', 'revoke', 'AAAAAAAAAAAA'], /no unrevoked API key AAAAAAAAAAAA/],
      [['api-keys', 'rotate', 'AAAAAAAAAAAA'], /no API key AAAAAAAAAAAA; `langtrain api-keys list` shows the keys/],
      [['api-keys', 'revoke', 'not-an-id'], /api key id must be 12 base62 characters/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    }
    expect((await cli('api-keys', 'list')).stdout).toBe('no API keys (langtrain api-keys create --user NAME --permission P)\n');
  });
});
