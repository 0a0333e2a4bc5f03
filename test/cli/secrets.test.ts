import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killChildren, parseJson, runCli, workspace } from './run-cli.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  await killChildren();
  for (const c of cleanups.splice(0).reverse()) c();
});

describe('langtrain secrets', () => {
  it('puts from a file, gets, lists without values, rotates and deletes; the value stays out of the audit log', async () => {
    const w = workspace('secrets');
    cleanups.push(w.cleanup);
    const config = w.file('langtrain.test.yaml', `crypto:\n  kek: file:${join(w.dir, 'kek.key')}\n`);
    const cli = (...args: string[]) => runCli([...args, '--db', w.db, '--config', config], { cwd: w.dir });
    const value = 'hunter2-correct-horse-battery';
    const put = await cli('secrets', 'put', 'database_password', '--from-file', w.file('value.txt', `${value}\n`), '--tag', 'environment=production');
    expect(put.code, put.stderr).toBe(0);
    expect((await cli('secrets', 'get', 'database_password')).stdout.trim()).toBe(value);
    const list = await cli('secrets', 'list', '--json');
    expect(parseJson<Array<{ name: string; tags: Record<string, string> }>>(list)).toMatchObject([{ name: 'database_password', tags: { environment: 'production' } }]);
    expect(list.stdout).not.toContain(value);
    expect((await cli('secrets', 'rotate', 'database_password')).code).toBe(0);
    expect((await cli('secrets', 'get', 'database_password')).stdout.trim()).not.toBe(value);
    expect((await cli('secrets', 'get', 'database_password', '--secret-version', '1')).stdout.trim()).toBe(value);
    expect((await cli('secrets', 'delete', 'database_password')).code).toBe(0);
    const gone = await cli('secrets', 'get', 'database_password');
    expect(gone.code).toBe(2);
    const audit = await cli('audit', 'query', '--json', '--limit', '1000');
    expect(audit.stdout).toContain('secrets.stored');
    expect(audit.stdout).not.toContain(value);
  });
});
