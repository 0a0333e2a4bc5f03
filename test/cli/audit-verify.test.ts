import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { hashLeaf } from '../../src/audit/merkle.js';
import { PG_BASE, postgresSchema, tempDir } from '../support/services.js';
import { jsonl, killChildren, parseJson, runCli, workspace, type CliResult } from './run-cli.js';

/**
 * `audit verify` against an attacker with write access to the database: they remove the
 * append-only guards (triggers) first, then rewrite history. The signed Merkle tree must
 * catch each change and name the first bad entry.
 */
interface Attacker {
  run(sql: string, params?: unknown[]): Promise<void>;
  one(sql: string, params?: unknown[]): Promise<Record<string, any>>;
  /** Drop or disable the guards, as someone with the database's owner rights can. */
  disableGuards(): Promise<void>;
  close(): Promise<void>;
}

function sqliteAttacker(file: string): Attacker {
  const db = new Database(file);
  return {
    async run(sql, params = []) {
      db.prepare(sql).run(...params);
    },
    async one(sql, params = []) {
      return db.prepare(sql).get(...params) as Record<string, any>;
    },
    async disableGuards() {
      for (const t of ['audit_entries_prune_only', 'audit_entries_no_delete', 'audit_checkpoints_no_update']) db.exec(`DROP TRIGGER ${t}`);
    },
    async close() {
      db.close();
    },
  };
}

async function postgresAttacker(schema: string): Promise<Attacker> {
  const client = new pg.Client({ connectionString: PG_BASE, options: `-c search_path=${schema}` });
  await client.connect();
  const numbered = (sql: string) => {
    let n = 0;
    return sql.replace(/\?/g, () => `$${++n}`);
  };
  return {
    async run(sql, params = []) {
      await client.query(numbered(sql), params);
    },
    async one(sql, params = []) {
      return (await client.query(numbered(sql), params)).rows[0];
    },
    async disableGuards() {
      for (const t of ['audit_entries', 'audit_checkpoints']) await client.query(`ALTER TABLE ${t} DISABLE TRIGGER USER`);
    },
    async close() {
      await client.end();
    },
  };
}

const dialects = [
  {
    dialect: 'sqlite',
    make: async () => {
      const dir = tempDir('cli-verify-db');
      const file = `${dir.path}/audit.db`;
      return { url: `sqlite:${file}`, attacker: async () => sqliteAttacker(file), cleanup: async () => dir.cleanup() };
    },
  },
  {
    dialect: 'postgres',
    make: async () => {
      const schema = postgresSchema('cli_verify');
      return { url: schema.url, attacker: () => postgresAttacker(schema.schema), cleanup: schema.drop };
    },
  },
];

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  await killChildren();
  for (const c of cleanups.splice(0).reverse()) await c();
});

const event = (i: number) => ({ eventType: 'data_access', userId: `user-${i}`, result: 'success', additionalData: { row: i } });

describe.each(dialects)('langtrain audit verify on $dialect', ({ make }) => {
  /** A log of 8 entries with signed checkpoints at 4 and 8, verified clean. */
  async function setup() {
    const w = workspace('verify');
    cleanups.push(w.cleanup);
    const store = await make();
    cleanups.push(store.cleanup);
    const cli = (...args: string[]) => runCli([...args, '--db', store.url], { cwd: w.dir });
    for (const batch of [[0, 1, 2, 3], [4, 5, 6, 7]]) {
      const r = await cli('audit', 'import', w.file(`b${batch[0]}.jsonl`, jsonl(batch.map(event))));
      expect(r.code, r.stderr).toBe(0);
    }
    const attacker = await store.attacker();
    cleanups.push(() => attacker.close());
    return { cli, attacker };
  }

  async function expectFirstBad(cli: (...args: string[]) => Promise<CliResult>, index: number, reason: RegExp) {
    const r = await cli('audit', 'verify');
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^FAILED: /);
    expect(lines[0]).toMatch(reason);
    expect(lines[1]).toBe(`first bad entry: ${index}`);
    const json = await cli('audit', 'verify', '--json');
    expect(json.code).toBe(1);
    expect(parseJson(json)).toMatchObject({ ok: false, problem: { index, reason: expect.stringMatching(reason) } });
  }

  it('a clean log verifies (exit 0), and the guards refuse a plain rewrite', async () => {
    const { cli, attacker } = await setup();
    const r = await cli('audit', 'verify');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^OK: the log verifies\nentries: 8 \(0 pruned\)\ncheckpoints verified: 2, up to tree size 8\n/);
    expect(parseJson(await cli('audit', 'verify', '--json'))).toMatchObject({ ok: true, entries: 8, checkpointsVerified: 2, verifiedSize: 8, unsignedTail: 0 });
    await expect(attacker.run(`UPDATE audit_entries SET body = replace(body, 'success', 'failure') WHERE seq = 5`)).rejects.toThrow(/ERR_AUDIT_IMMUTABLE/);
    await expect(attacker.run('DELETE FROM audit_entries WHERE seq = 5')).rejects.toThrow(/ERR_AUDIT_IMMUTABLE/);
    await expect(attacker.run(`UPDATE audit_checkpoints SET note = 'x' WHERE size = 8`)).rejects.toThrow(/ERR_AUDIT_IMMUTABLE/);
    expect((await cli('audit', 'verify')).code).toBe(0);
  });

  it('an edited body names its entry', async () => {
    const { cli, attacker } = await setup();
    await attacker.disableGuards();
    await attacker.run(`UPDATE audit_entries SET body = replace(body, '"result":"success"', '"result":"failure"') WHERE seq = 5`);
    expect((await attacker.one('SELECT body FROM audit_entries WHERE seq = 5')).body).toContain('"result":"failure"');
    await expectFirstBad(cli, 5, /entry 5 was altered/);
  });

  it('a changed leaf hash names its entry', async () => {
    const { cli, attacker } = await setup();
    await attacker.disableGuards();
    await attacker.run('UPDATE audit_entries SET leaf_hash = ? WHERE seq = 2', [randomBytes(32)]);
    await expectFirstBad(cli, 2, /entry 2 was altered/);
  });

  it('a deleted entry is named as missing', async () => {
    const { cli, attacker } = await setup();
    await attacker.disableGuards();
    await attacker.run('DELETE FROM audit_entries WHERE seq = 6');
    await expectFirstBad(cli, 6, /entry 6 is missing/);
  });

  it('two entries with their seq swapped: the first one moved is named', async () => {
    const { cli, attacker } = await setup();
    await attacker.disableGuards();
    await attacker.run('UPDATE audit_entries SET seq = -1 WHERE seq = 1');
    await attacker.run('UPDATE audit_entries SET seq = 1 WHERE seq = 6');
    await attacker.run('UPDATE audit_entries SET seq = 6 WHERE seq = -1');
    await expectFirstBad(cli, 1, /entry 1 was moved: it records index 6/);
  });

  it('an edited checkpoint note fails its signature; the first entry it should cover is named', async () => {
    const { cli, attacker } = await setup();
    await attacker.disableGuards();
    const { note } = await attacker.one('SELECT note FROM audit_checkpoints WHERE size = 8');
    const lines = String(note).split('\n');
    lines[2] = randomBytes(32).toString('base64'); // a different root
    await attacker.run('UPDATE audit_checkpoints SET note = ? WHERE size = 8', [lines.join('\n')]);
    await expectFirstBad(cli, 4, /checkpoint 8 is not validly signed/);
  });

  it('an entry rewritten together with its leaf hash fails at the checkpoint that covers it', async () => {
    const { cli, attacker } = await setup();
    await attacker.disableGuards();
    const { body } = await attacker.one('SELECT body FROM audit_entries WHERE seq = 6');
    const forged = String(body).replace('"result":"success"', '"result":"denied"');
    await attacker.run('UPDATE audit_entries SET body = ?, leaf_hash = ? WHERE seq = 6', [forged, hashLeaf(forged)]);
    await expectFirstBad(cli, 4, /entries 4\.\.7 do not hash to signed checkpoint 8/);
  });
});
