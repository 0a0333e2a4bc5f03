import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { killChildren, parseJson, runCli, workspace } from './run-cli.js';

/** `audit prune` (retention) and `audit shred` (crypto-shredding) through the CLI with a config file. */
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  await killChildren();
  for (const c of cleanups.splice(0).reverse()) c();
});

function setup(configYaml: (dir: string) => string) {
  const w = workspace('retention');
  cleanups.push(w.cleanup);
  const config = w.file('langtrain.test.yaml', configYaml(w.dir));
  const cli = (...args: string[]) => runCli([...args, '--db', w.db, '--config', config], { cwd: w.dir });
  const log = async (type: string, user: string, data: object) => {
    const r = await cli('audit', 'log', '--type', type, '--result', 'success', '--user', user, '--data', JSON.stringify(data));
    expect(r.code, r.stderr).toBe(0);
  };
  return { w, cli, log };
}

// Each test runs the CLI a dozen times: ~6 s alone, past vitest's 30 s default on a loaded 2-core machine.
describe('langtrain audit prune', { timeout: 120_000 }, () => {
  it('with audit.retentionPeriod: 1ms prunes old payloads; leaf hashes stay and the log still verifies', async () => {
    const { cli, log } = setup(() => 'audit:\n  retentionPeriod: 1ms\n');
    await log('user_authentication', 'alice', { ip: '10.0.0.1' });
    await log('data_access', 'bob', { dataset: 'd1' });
    const before = parseJson(await cli('audit', 'query', '--json'));
    await new Promise((r) => setTimeout(r, 5));

    const r = await cli('audit', 'prune');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('pruned 2 entries\n');
    expect(parseJson(await cli('audit', 'prune', '--json'))).toEqual({ pruned: 0 });

    const after = parseJson(await cli('audit', 'query', '--json'));
    expect(after).toEqual(
      before.map((e: any) => ({ index: e.index, leafHash: e.leafHash, id: null, loggedAt: null, timestamp: null, eventType: null, userId: null, userIdSealed: false, result: null, level: null, payload: 'pruned' })),
    );
    const human = await cli('audit', 'query');
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^0\t-\t\(pruned\)\t-\t-\t-\tpruned\n/); // index, time, type, user, result, submittedBy, payload

    const v = await cli('audit', 'verify');
    expect(v.code, v.stdout + v.stderr).toBe(0);
    expect(v.stdout).toMatch(/entries: 2 \(2 pruned\)/);
    const proof = await cli('audit', 'prove', '1', '--json');
    expect(parseJson(proof).leafHash).toBe(before[1].leafHash);
  });

  it('with the default retention (10y) prunes nothing', async () => {
    const { cli, log } = setup(() => 'audit:\n  level: detailed\n');
    await log('user_authentication', 'alice', { ip: '10.0.0.1' });
    expect((await cli('audit', 'prune')).stdout).toBe('pruned 0 entries\n');
  });
});

describe('langtrain audit shred', { timeout: 120_000 }, () => {
  const SECRET = 'bob-private-dataset-42';

  it('destroys one user\'s payload key: their payloads become unreadable, others stay, proofs stay valid', async () => {
    const { w, cli, log } = setup((dir) => `audit:\n  encryption: true\n  encryptionKey: file:${join(dir, 'kek')}\n`);
    const kek = join(w.dir, 'kek');
    await log('data_access', 'bob', { dataset: SECRET });
    await log('data_access', 'alice', { dataset: 'alice-data' });
    await log('model_access', 'bob', { model: 'm1' });

    // The key-encryption key is made on first use, readable by its owner only.
    expect(statSync(kek).mode & 0o777).toBe(0o600);
    expect(readFileSync(kek, 'utf8').trim()).toMatch(/^[A-Za-z0-9+/=]{44}$/);
    // Payloads are sealed at rest: the database never holds them in clear.
    const db = new Database(w.db.slice('sqlite:'.length), { readonly: true });
    const bodies = (db.prepare('SELECT body FROM audit_entries ORDER BY seq').all() as Array<{ body: string }>).map((r) => r.body);
    db.close();
    expect(bodies.join('\n')).not.toContain(SECRET);
    expect(bodies.every((b) => b.includes('"sealed":'))).toBe(true);

    const opened = parseJson(await cli('audit', 'query', '--json', '--user', 'bob'));
    expect(opened.map((e: any) => [e.index, e.payload, e.additionalData])).toEqual([
      [0, 'opened', { dataset: SECRET }],
      [2, 'opened', { model: 'm1' }],
    ]);

    const r = await cli('audit', 'shred', '--user', 'bob');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('destroyed 1 payload key(s)\n');
    expect(parseJson(await cli('audit', 'shred', '--user', 'bob', '--json'))).toEqual({ destroyedKeys: 0 });

    const all = parseJson(await cli('audit', 'query', '--json'));
    expect(all.map((e: any) => [e.index, e.userId, e.payload, e.additionalData])).toEqual([
      [0, 'bob', 'shredded', undefined],
      [1, 'alice', 'opened', { dataset: 'alice-data' }],
      [2, 'bob', 'shredded', undefined],
      // each shred is itself recorded, by the user's reference, never the id
      [3, expect.stringMatching(/^ref:[0-9a-f]{32}$/), 'opened', { keysDestroyed: 1 }],
      [4, expect.stringMatching(/^ref:[0-9a-f]{32}$/), 'opened', { keysDestroyed: 0 }],
    ]);
    expect(all[3].userId).toBe(all[4].userId);
    const v = await cli('audit', 'verify');
    expect(v.code, v.stdout + v.stderr).toBe(0);
    expect((await cli('audit', 'prove', '0')).code).toBe(0);
  });

  it('refuses on a log without encryption (exit 2, naming encryption: true)', async () => {
    const { cli, log } = setup(() => 'audit:\n  encryption: false\n');
    await log('data_access', 'bob', { dataset: 'x' });
    const r = await cli('audit', 'shred', '--user', 'bob');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/shredding needs a log with encryption: true .*: set audit\.encryption: true in the configuration, or LANGTRAIN_AUDIT_ENCRYPTION=true/);
    const missing = await cli('audit', 'shred');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/required option '--user <userId>'/);
  });
});
