import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonl, killChildren, runCli, workspace } from './run-cli.js';

/**
 * SQLite creates any file it is asked to open. Commands that read, withdraw or erase refuse a
 * store that is not there (run from another directory, a typo in --db), rather than report
 * success over a new empty one; commands that record new state create it and say so.
 * No --db here unless the test is about it: the default store is relative to the working directory.
 */
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  await killChildren();
  for (const c of cleanups.splice(0).reverse()) c();
});

function project(label: string) {
  const w = workspace(label);
  cleanups.push(w.cleanup);
  const dir = (name: string) => {
    const path = join(w.dir, name);
    mkdirSync(path);
    return path;
  };
  const cli = (cwd: string, ...args: string[]) => runCli(args, { cwd, timeoutMs: 60_000 });
  return { w, dir, cli };
}

const REFUSAL = /^error: no store at (.+): pass --db sqlite:PATH \(or set store\.url\), or run from the project directory where an earlier `langtrain` command created it$/m;

describe('a missing store', { timeout: 240_000 }, () => {
  it('erase, consent withdraw and consent check refuse it from another directory, and create nothing', async () => {
    const { dir, cli } = project('store-other-dir');
    const home = dir('project');
    const other = dir('other');
    expect((await cli(home, 'consent', 'record', '--user', 'u1', '--data-types', 'email', '--purposes', 'research')).code).toBe(0);

    for (const args of [['erase', 'u1', '--yes'], ['consent', 'withdraw', '--user', 'u1'], ['consent', 'check', '--user', 'u1', '--data-type', 'email']]) {
      const r = await cli(other, ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.match(REFUSAL)?.[1]).toBe(join(other, '.langtrain', 'langtrain.db'));
    }
    expect(existsSync(join(other, '.langtrain'))).toBe(false);
    // The project's store is untouched: u1 still consents.
    expect((await cli(home, 'consent', 'check', '--user', 'u1', '--data-type', 'email')).code).toBe(0);
  });

  it('a mistyped --db file or directory is refused, not created; --json says so as an error', async () => {
    const { w, dir, cli } = project('store-typo');
    const home = dir('project');
    expect((await cli(home, 'consent', 'record', '--user', 'u1', '--data-types', 'email', '--purposes', 'research')).code).toBe(0);

    const typo = await cli(home, 'erase', 'u1', '--yes', '--db', 'sqlite:.langtrain/langtrian.db');
    expect(typo.code).toBe(2);
    expect(typo.stderr.match(REFUSAL)?.[1]).toBe(join(home, '.langtrain', 'langtrian.db'));
    expect(existsSync(join(home, '.langtrain', 'langtrian.db'))).toBe(false);

    const nowhere = join(w.dir, 'nonexist', 'dir', 'x.db');
    const json = await cli(home, 'consent', 'check', '--user', 'u1', '--data-type', 'email', '--db', `sqlite:${nowhere}`, '--json');
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({ error: { code: 'ERR_NOT_FOUND', message: expect.stringContaining(`no store at ${nowhere}: pass --db`) } });
    expect(existsSync(join(w.dir, 'nonexist'))).toBe(false);
  });

  it('a command that records new state creates it and says so once, on stderr', async () => {
    const { dir, cli } = project('store-created');
    const home = dir('project');
    const first = await cli(home, 'consent', 'record', '--user', 'u1', '--data-types', 'email', '--purposes', 'research', '--json');
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ kind: 'granted' }); // stdout stays the result alone
    expect(first.stderr).toBe(`note: no store was at ${join(home, '.langtrain', 'langtrain.db')}: created a new one there (pass --db to use another)\n`);
    const second = await cli(home, 'consent', 'record', '--user', 'u2', '--data-types', 'email', '--purposes', 'research');
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toBe('');
  });

  it('pii redact --method hash in a new store says that the store and the pii key are new, so that pseudonyms will not join', async () => {
    const { dir, cli } = project('store-hash');
    const home = dir('project');
    const other = dir('other');
    const rows = jsonl([{ text: 'reach me at j.doe@mail-example.co.uk' }]);
    const redact = async (cwd: string, output: string) => {
      const input = join(cwd, 'in.jsonl');
      writeFileSync(input, rows);
      const r = await cli(cwd, 'pii', 'redact', '--input', input, '--output', join(cwd, output), '--method', 'hash', '--quiet');
      expect(r.code, r.stderr).toBe(0);
      return { stderr: r.stderr, text: readFileSync(join(cwd, output), 'utf8') };
    };
    const keyNote = /^note: created a new pii key in sqlite:\.langtrain\/langtrain\.db: its pseudonyms match none made under another store's key$/m;

    const first = await redact(home, 'a.jsonl');
    expect(first.stderr).toContain(`note: no store was at ${join(home, '.langtrain', 'langtrain.db')}: created a new one there`);
    expect(first.stderr).toMatch(keyNote);
    const again = await redact(home, 'b.jsonl');
    expect(again.stderr).toBe('');
    expect(again.text).toBe(first.text); // the same key: the same pseudonyms

    const elsewhere = await redact(other, 'c.jsonl');
    expect(elsewhere.stderr).toContain(`note: no store was at ${join(other, '.langtrain', 'langtrain.db')}`);
    expect(elsewhere.stderr).toMatch(keyNote);
    expect(elsewhere.text).not.toBe(first.text); // what the notes warn of
  });
});

