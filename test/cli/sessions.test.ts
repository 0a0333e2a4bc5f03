import { afterEach, describe, expect, it } from 'vitest';
import { SessionStore } from '../../src/identity/sessions/session-store.js';
import { killChildren, libraryWorkspace, parseJson } from './run-cli.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  await killChildren();
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Sessions are started through the library (as sign-ins would), against the store the CLI opens. */
async function setup() {
  const { cli, security, auth } = await libraryWorkspace('sessions', cleanups);
  const alice = await auth.users.createUser({ username: 'alice', password: 'Plum-Vortex-Quill-8391-zephyr' });
  // No session limit here, so one account can hold several sessions at once.
  const sessions = new SessionStore({ concurrentSessions: null }, { store: security.store, audit: security.audit });
  const signIn = async (ip: string) => sessions.create({ userId: alice.id, ip, userAgent: 'curl/8.5', mfa: false });
  return { cli, auth, alice, signIn };
}

describe('langtrain sessions', { timeout: 90_000 }, () => {
  it('lists live sessions without tokens and revokes one; the revoked token no longer validates', async () => {
    const { cli, auth, alice, signIn } = await setup();
    const first = await signIn('10.0.0.1');
    const list = await cli('sessions', 'list', '--user', 'alice', '--json');
    expect(list.code, list.stderr).toBe(0);
    expect(parseJson(list)).toEqual([{ ...first.session }]);
    const human = await cli('sessions', 'list', '--user', 'Alice');
    expect(human.stdout).toMatch(new RegExp(`^${first.session.id}  since \\S+  last seen \\S+  ends \\S+  password only  10\\.0\\.0\\.1 curl/8\\.5\\n$`));
    for (const r of [list, human]) expect(r.stdout).not.toContain(first.token);

    const revoked = await cli('sessions', 'revoke', first.session.id);
    expect(revoked).toMatchObject({ code: 0, stdout: `revoked session ${first.session.id}\n` });
    expect(await auth.validateSession(first.token)).toBeNull();
    expect((await cli('sessions', 'list', '--user', 'alice')).stdout).toBe('alice has no live sessions\n');
    const again = await cli('sessions', 'revoke', first.session.id);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('`langtrain sessions list --user NAME` shows the live sessions');

    const audit = parseJson<Array<{ eventType: string; userId: string | null }>>(await cli('audit', 'query', '--json', '--limit', '1000'));
    expect(audit.filter((e) => e.eventType === 'auth.session_revoked')).toMatchObject([{ userId: alice.id }]);
    expect(JSON.stringify(audit)).not.toContain(first.token);
  });

  it('revoke-all ends every session of the account', async () => {
    const { cli, auth, signIn } = await setup();
    const all = [await signIn('10.0.0.1'), await signIn('10.0.0.2'), await signIn('10.0.0.3')];
    expect(parseJson<unknown[]>(await cli('sessions', 'list', '--user', 'alice', '--json'))).toHaveLength(3);
    const r = await cli('sessions', 'revoke-all', '--user', 'alice', '--json');
    expect(parseJson(r)).toMatchObject({ username: 'alice', revoked: 3 });
    for (const s of all) expect(await auth.validateSession(s.token)).toBeNull();
    expect(parseJson(await cli('sessions', 'revoke-all', '--user', 'alice', '--json'))).toMatchObject({ revoked: 0 });
  });

  it('an unknown user or a malformed id is exit 2 with what to do', async () => {
    const { cli } = await setup();
    for (const args of [['sessions', 'list', '--user', 'nobody'], ['sessions', 'revoke-all', '--user', 'nobody']]) {
      const r = await cli(...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe('error: no such user nobody; `langtrain users list` shows the accounts\n');
    }
    const malformed = await cli('sessions', 'revoke', 'xyz');
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/session id \(32 hex characters\)/);
    const missing = await cli('sessions', 'list');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/required option '--user <username>'/);
  });
});
