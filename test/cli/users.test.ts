import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SecurityManager } from '../../src/security-manager.js';
import { cleanEnv, cliPath, killChildren, parseJson, runCli, workspace, type CliResult } from './run-cli.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  await killChildren();
  for (const c of cleanups.splice(0).reverse()) await c();
});

const PASSWORD = 'Plum-Vortex-Quill-8391-zephyr';
const NEW_PASSWORD = 'Saffron-Lattice-Orbit-2207-mango';

function setup() {
  const w = workspace('users');
  cleanups.push(w.cleanup);
  const config = w.file('langtrain.test.yaml', `crypto:\n  kek: file:${join(w.dir, 'kek.key')}\n`);
  const common = ['--db', w.db, '--config', config];
  const cli = (...args: string[]) => runCli([...args, ...common], { cwd: w.dir });
  /** The CLI with `input` on standard input (runCli gives the child none). */
  const piped = (input: string, ...args: string[]) =>
    new Promise<CliResult>((resolve, reject) => {
      const child = spawn(process.execPath, [cliPath(), ...args, ...common], { cwd: w.dir, env: cleanEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
      const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
      child.once('error', reject);
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, stdout, stderr });
      });
      child.stdin.end(input);
    });
  /** The same deployment through the library, as the server would see it. */
  const library = async () => {
    const security = await SecurityManager.open({ configFile: config, config: { store: { url: w.db } }, env: {} });
    cleanups.push(() => security.close());
    return security.authenticationManager();
  };
  /** Roles in the deployment's access store, as PUT /v1/access/roles/:name makes them (no CLI command does). */
  const defineRoles = async (...names: string[]) => {
    const security = await SecurityManager.open({ configFile: config, config: { store: { url: w.db } }, env: {} });
    try {
      const { store } = await security.accessControl();
      for (const name of names) await store.putRole({ name, permissions: ['audit.read'] }, null);
    } finally {
      await security.close();
    }
  };
  return { w, config, common, cli, piped, library, defineRoles };
}

describe('langtrain users', { timeout: 90_000 }, () => {
  it('creates an account from a password on stdin with roles, then lists and shows it; the password is never printed nor audited', async () => {
    const { cli, piped, library, defineRoles } = setup();
    await defineRoles('ml.engineer');
    const created = await piped(`${PASSWORD}\n`, 'users', 'create', 'Alice', '--password-stdin', '--role', 'ml.engineer', '--role', 'admin');
    expect(created.code, created.stderr).toBe(0);
    const id = created.stdout.match(/^created alice: ([0-9a-f-]{36})\n$/)?.[1];
    expect(id).toBeDefined();

    const list = await cli('users', 'list', '--json');
    expect(parseJson(list)).toMatchObject([{ id, username: 'alice', disabled: false, mfa: false, hasPassword: true, roles: ['admin', 'ml.engineer'] }]);
    const shown = await cli('users', 'show', 'ALICE');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`alice  ${id}`);
    expect(shown.stdout).toMatch(/roles +admin, ml\.engineer/);
    expect(shown.stdout).toMatch(/recovery codes +0 left/);

    // The password stored is the one piped in (its trailing newline dropped).
    const auth = await library();
    expect(await auth.login({ username: 'alice', password: PASSWORD })).toMatchObject({ status: 'authenticated' });

    const audit = await cli('audit', 'query', '--json', '--limit', '1000');
    const events = parseJson<Array<{ eventType: string; userId: string | null; additionalData: Record<string, unknown> }>>(audit);
    expect(events.find((e) => e.eventType === 'auth.user_created')).toMatchObject({ userId: id, additionalData: { userAgent: 'langtrain-cli', roles: ['admin', 'ml.engineer'] } });
    for (const r of [created, list, shown, audit]) expect(r.stdout + r.stderr).not.toContain(PASSWORD);
  });

  it('refuses to run without a password source, rejects a weak password without echoing it, and refuses a taken name: exit 2', async () => {
    const { cli, piped } = setup();
    const none = await cli('users', 'create', 'bob');
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--password-stdin/);
    const empty = await piped('\n', 'users', 'create', 'bob', '--password-stdin');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/no password on standard input/);
    const twoLines = await piped(`${PASSWORD}\nsecond line\n`, 'users', 'create', 'bob', '--password-stdin');
    expect(twoLines.code).toBe(2);
    expect(twoLines.stderr).toMatch(/more than one line/);
    const weak = await piped('hunter2\n', 'users', 'create', 'bob', '--password-stdin');
    expect(weak.code).toBe(2);
    expect(weak.stderr).toMatch(/password rejected: .*15 characters/);
    expect(weak.stderr).not.toContain('hunter2');
    const badRole = await piped(`${PASSWORD}\n`, 'users', 'create', 'bob', '--password-stdin', '--role', 'Not A Role');
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toMatch(/no such role: Not A Role/);
    expect((await piped(`${PASSWORD}\n`, 'users', 'create', 'bob', '--password-stdin')).code).toBe(0);
    const taken = await piped(`${PASSWORD}\n`, 'users', 'create', 'BOB', '--password-stdin', '--json');
    expect(taken.code).toBe(2);
    expect(parseJson(taken)).toEqual({ error: { code: 'ERR_USER_EXISTS', message: 'that username is taken' } });
    expect(parseJson(await cli('users', 'list', '--json'))).toHaveLength(1);
  });

  it('an unknown user is exit 2 with the way to find the right name, for every command that takes one', async () => {
    const { cli, piped, library } = setup();
    await library(); // the deployment's store, with no account yet (a missing store is refused before any name is looked up)
    for (const args of [['users', 'show', 'nobody'], ['users', 'disable', 'nobody'], ['users', 'unlock', 'nobody'], ['users', 'recovery-codes', 'nobody'], ['users', 'set-roles', 'nobody']]) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toBe('error: no such user nobody; `langtrain users list` shows the accounts\n');
    }
    const setPassword = await piped(`${PASSWORD}\n`, 'users', 'set-password', 'nobody', '--password-stdin', '--json');
    expect(setPassword.code).toBe(2);
    expect(parseJson(setPassword)).toMatchObject({ error: { code: 'ERR_NOT_FOUND', message: expect.stringContaining('langtrain users list') } });
    expect((await cli('users', 'list')).stdout).toBe('no users yet (langtrain users create NAME)\n');
  });

  it('set-password replaces the password and ends the sessions; disable refuses sign-in and revokes sessions and API keys', async () => {
    const { cli, piped, library } = setup();
    expect((await piped(`${PASSWORD}\n`, 'users', 'create', 'carol', '--password-stdin')).code).toBe(0);
    const auth = await library();
    const first = await auth.login({ username: 'carol', password: PASSWORD });
    if (first.status !== 'authenticated') throw new Error(`login: ${first.status}`);

    const changed = await piped(`${NEW_PASSWORD}\n`, 'users', 'set-password', 'carol', '--password-stdin');
    expect(changed.code, changed.stderr).toBe(0);
    expect(changed.stdout).toBe('password of carol replaced; revoked 1 session(s)\n');
    expect(await auth.validateSession(first.token)).toBeNull();
    expect(await auth.login({ username: 'carol', password: PASSWORD })).toMatchObject({ status: 'refused', reason: 'invalid_credentials' });
    const second = await auth.login({ username: 'carol', password: NEW_PASSWORD });
    if (second.status !== 'authenticated') throw new Error(`login: ${second.status}`);

    const carol = (await auth.users.findByUsername('carol'))!;
    const { key } = await auth.createApiKey({ userId: carol.id, permissions: ['models.inference'] });
    const disabled = await cli('users', 'disable', 'carol', '--json');
    expect(parseJson(disabled)).toEqual({ id: carol.id, username: 'carol', disabled: true, sessionsRevoked: 1, apiKeysRevoked: 1 });
    expect(await auth.validateSession(second.token)).toBeNull();
    expect(await auth.verifyApiKey(key)).toEqual({ ok: false, reason: 'revoked' });
    expect(await auth.login({ username: 'carol', password: NEW_PASSWORD })).toMatchObject({ status: 'refused', reason: 'disabled' });
    expect(parseJson(await cli('users', 'show', 'carol', '--json'))).toMatchObject({ disabled: true });

    const audit = await cli('audit', 'query', '--json', '--limit', '1000');
    expect(audit.stdout).toContain('auth.password_changed');
    expect(audit.stdout).toContain('auth.user_disabled');
    for (const secret of [PASSWORD, NEW_PASSWORD, key]) expect(audit.stdout + changed.stdout + changed.stderr).not.toContain(secret);
  });

  it('unlock ends a lockout after failed sign-ins', async () => {
    const { cli, piped, library } = setup();
    expect((await piped(`${PASSWORD}\n`, 'users', 'create', 'dan', '--password-stdin')).code).toBe(0);
    const auth = await library();
    for (let i = 0; i < auth.users.settings.maxFailures; i++) await auth.login({ username: 'dan', password: 'wrong-password-guess-123' });
    expect(await auth.login({ username: 'dan', password: PASSWORD })).toMatchObject({ status: 'refused', reason: 'locked' });
    const unlocked = await cli('users', 'unlock', 'dan');
    expect(unlocked).toMatchObject({ code: 0, stdout: 'unlocked dan\n' });
    expect(await auth.login({ username: 'dan', password: PASSWORD })).toMatchObject({ status: 'authenticated' });
  });

  it('recovery-codes prints ten new codes once with a warning; they work as a second factor and stay out of the audit log', async () => {
    const { cli, piped, library } = setup();
    expect((await piped(`${PASSWORD}\n`, 'users', 'create', 'erin', '--password-stdin')).code).toBe(0);
    const r = await cli('users', 'recovery-codes', 'erin');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^warning: these recovery codes are shown once/);
    const codes = r.stdout.trim().split('\n');
    expect(codes).toHaveLength(10);
    const auth = await library();
    const erin = (await auth.users.findByUsername('erin'))!;
    expect(await auth.users.useRecoveryCode(erin.id, codes[3]!)).toEqual({ ok: true });
    expect((await cli('users', 'show', 'erin')).stdout).toMatch(/recovery codes +9 left/);
    // A second run replaces them: the old codes no longer work.
    expect((await cli('users', 'recovery-codes', 'erin')).code).toBe(0);
    expect(await auth.users.useRecoveryCode(erin.id, codes[4]!)).toEqual({ ok: false, reason: 'invalid_code' });
    const audit = await cli('audit', 'query', '--json', '--limit', '1000');
    expect(audit.stdout).toContain('auth.recovery_codes_generated');
    for (const code of codes) expect(audit.stdout).not.toContain(code);
  });

  it('set-roles replaces the roles; without --role it clears them', async () => {
    const { cli, piped, defineRoles } = setup();
    await defineRoles('viewer', 'trainer', 'auditor');
    expect((await piped(`${PASSWORD}\n`, 'users', 'create', 'fay', '--password-stdin', '--role', 'viewer')).code).toBe(0);
    expect((await cli('users', 'set-roles', 'fay', '--role', 'trainer', '--role', 'auditor')).stdout).toBe('fay: roles auditor, trainer\n');
    expect(parseJson(await cli('users', 'show', 'fay', '--json'))).toMatchObject({ roles: ['auditor', 'trainer'] });
    expect((await cli('users', 'set-roles', 'fay')).stdout).toBe('fay: no roles\n');
    const audit = parseJson<Array<{ eventType: string; additionalData: Record<string, unknown> }>>(await cli('audit', 'query', '--json', '--limit', '1000'));
    expect(audit.filter((e) => e.eventType === 'auth.roles_changed').map((e) => e.additionalData.after)).toEqual([['auditor', 'trainer'], []]);
  });

  it('create and set-roles refuse a role that does not exist (a typo would grant nothing), naming it and where roles are made: exit 2, nothing changed', async () => {
    const { cli, piped, defineRoles } = setup();
    await defineRoles('trainer');
    const created = await piped(`${PASSWORD}\n`, 'users', 'create', 'gil', '--password-stdin', '--role', 'trainer', '--role', 'nosuchrole', '--role', 'trainr');
    expect(created.code).toBe(2);
    expect(created.stderr).toBe('error: no such role: nosuchrole, trainr. Roles are managed through the server: GET /v1/access lists them, PUT /v1/access/roles/:name creates one\n');
    expect(parseJson(await cli('users', 'list', '--json'))).toEqual([]);

    expect((await piped(`${PASSWORD}\n`, 'users', 'create', 'gil', '--password-stdin', '--role', 'trainer', '--role', 'admin')).code).toBe(0);
    const replaced = await cli('users', 'set-roles', 'gil', '--role', 'admin', '--role', 'trainr', '--json');
    expect(replaced.code).toBe(2);
    expect(parseJson(replaced)).toEqual({ error: { code: 'ERR_INVALID_INPUT', message: expect.stringMatching(/^no such role: trainr\. .*GET \/v1\/access lists them/) } });
    expect(parseJson(await cli('users', 'show', 'gil', '--json'))).toMatchObject({ roles: ['admin', 'trainer'] });
  });

  const python = spawnSync('python3', ['-c', 'import pty'], { stdio: 'ignore' }).status === 0;
  it.skipIf(!python)('in a terminal, prompts twice for the password without echoing it', async () => {
    const { common, w, library } = setup();
    // A pseudo-terminal from Python's pty module: the prompt is answered only once shown, as a person would.
    const script = `
import json, os, pty, sys, select
args, answers = json.loads(sys.argv[1]), json.loads(sys.argv[2])
pid, fd = pty.fork()
if pid == 0:
    os.execv(args[0], args)
out = b''
def read_until(token):
    global out
    while token not in out:
        ready, _, _ = select.select([fd], [], [], 20)
        if not ready: raise SystemExit('timed out waiting for %r in %r' % (token, out))
        out += os.read(fd, 1024)
for prompt, answer in answers:
    read_until(prompt.encode())
    os.write(fd, answer.encode() + b'\\r')
while True:
    try:
        chunk = os.read(fd, 1024)
    except OSError:
        break
    if not chunk: break
    out += chunk
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
sys.exit(os.waitstatus_to_exitcode(status))
`;
    const terminal = (args: string[], answers: Array<[string, string]>) =>
      spawnSync('python3', ['-c', script, JSON.stringify([process.execPath, cliPath(), ...args, ...common]), JSON.stringify(answers)], { cwd: w.dir, env: cleanEnv(), encoding: 'utf8', timeout: 25_000 });

    const created = terminal(['users', 'create', 'gus'], [['password: ', PASSWORD], ['password again: ', PASSWORD]]);
    expect(created.status, created.stdout + created.stderr).toBe(0);
    expect(created.stdout).toMatch(/created gus: [0-9a-f-]{36}/);
    expect(created.stdout).not.toContain(PASSWORD);
    expect(await (await library()).login({ username: 'gus', password: PASSWORD })).toMatchObject({ status: 'authenticated' });

    const mismatch = terminal(['users', 'set-password', 'gus'], [['password: ', NEW_PASSWORD], ['password again: ', `${NEW_PASSWORD}x`]]);
    expect(mismatch.status).toBe(2);
    expect(mismatch.stdout).toContain('the two passwords differ');
    expect(mismatch.stdout).not.toContain(NEW_PASSWORD);
  });
  it('set-phone sets or clears the SMS number, printing it masked; a malformed number is exit 2', async () => {
    const { cli, piped, library } = setup();
    expect((await piped(`${PASSWORD}\n`, 'users', 'create', 'alice', '--password-stdin')).code).toBe(0);
    const set = await cli('users', 'set-phone', 'alice', '+447700900123');
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('***23');
    expect(set.stdout).not.toContain('+447700900123');
    expect((await (await library()).users.findByUsername('alice'))?.phone).toBe('+447700900123');
    const bad = await cli('users', 'set-phone', 'alice', '07700 900123');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('E.164');
    expect((await cli('users', 'set-phone', 'alice')).code).toBe(2);
    expect((await cli('users', 'set-phone', 'alice', '--clear')).code).toBe(0);
    expect((await (await library()).users.findByUsername('alice'))?.phone).toBeNull();
  });
});
