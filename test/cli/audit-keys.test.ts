import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killChildren, parseJson, runCli, workspace } from './run-cli.js';

/** The checkpoint signing key kept out of the database, and the verifier key handed to auditors. */
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  await killChildren();
  for (const c of cleanups.splice(0).reverse()) c();
});

describe('audit signing and verifier keys', () => {
  it('generates a file signing key, signs with it, and verifies against the pinned verifier key', async () => {
    const w = workspace('keys');
    cleanups.push(w.cleanup);
    const keyFile = join(w.dir, 'signer.key');
    const generated = await runCli(['audit', 'signing-key', '--output', keyFile, '--json'], { cwd: w.dir });
    expect(generated.code, generated.stderr).toBe(0);
    const { verifierKey } = parseJson<{ verifierKey: string }>(generated);
    expect(verifierKey).toMatch(/^langtrain\.local\/audit\+[0-9a-f]{8}\+/);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const again = await runCli(['audit', 'signing-key', '--output', keyFile], { cwd: w.dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('never overwritten');

    const config = w.file('langtrain.test.yaml', `audit:\n  signingKey: file:${keyFile}\n`);
    const cli = (...args: string[]) => runCli([...args, '--db', w.db, '--config', config], { cwd: w.dir });
    expect((await cli('audit', 'log', '--type', 'keys.rotated', '--result', 'success')).code).toBe(0);
    expect((await cli('audit', 'checkpoint')).code).toBe(0);
    const printed = await cli('audit', 'verifier-key');
    expect(printed.stdout.trim()).toBe(verifierKey);
    const pinned = await cli('audit', 'verify', '--verifier-key', verifierKey);
    expect(pinned.code, pinned.stdout + pinned.stderr).toBe(0);
    // The private key is not in the database.
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(w.db.slice('sqlite:'.length), { readonly: true });
    const row = db.prepare('SELECT signer_key FROM audit_keys').get() as { signer_key: string | null };
    db.close();
    expect(row.signer_key).toBeNull();
  });

  it('verify on a database that does not exist fails without creating it', async () => {
    const w = workspace('keys');
    cleanups.push(w.cleanup);
    const missing = join(w.dir, 'typo.db');
    const result = await runCli(['audit', 'verify', '--db', `sqlite:${missing}`], { cwd: w.dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no database at');
    expect(existsSync(missing)).toBe(false);
  });

  it('serve refuses --tls-key without --tls-cert', async () => {
    const w = workspace('keys');
    cleanups.push(w.cleanup);
    const result = await runCli(['serve', '--port', '0', '--tls-key', join(w.dir, 'k.pem'), '--db', w.db], { cwd: w.dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('tlsCert and tlsKey go together');
  });
});
