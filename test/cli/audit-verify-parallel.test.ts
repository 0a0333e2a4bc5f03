import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLogger } from '../../src/audit/audit-logger.js';
import { killChildren, parseJson, runCli, workspace } from './run-cli.js';

/**
 * Verification on worker threads (the built CLI has the compiled worker): a log spanning
 * several 32,768-entry ranges gives the same verdicts with and without workers.
 */
describe('audit verify --workers', () => {
  const w = workspace('parallel');
  const dbPath = join(w.dir, 'audit.db');
  const verify = (workers: number) => runCli(['audit', 'verify', '--db', `sqlite:${dbPath}`, '--workers', String(workers), '--json', '--quiet'], { cwd: w.dir, timeoutMs: 120_000 });

  beforeAll(async () => {
    const log = new AuditLogger({ storeUrl: `sqlite:${dbPath}`, checkpointEvery: 7000 });
    for (let i = 0; i < 80_000; i += 5000) {
      await log.logEvents(Array.from({ length: 5000 }, (_, j) => ({ eventType: 'data_access', userId: `u${(i + j) % 97}`, result: 'success', additionalData: { n: i + j } })));
    }
    await log.close();
  }, 120_000);
  afterAll(async () => {
    await killChildren();
    w.cleanup();
  });

  it('verifies a clean log the same way on one thread and on two workers', async () => {
    const [one, two] = [await verify(0), await verify(2)];
    expect(one.code, one.stderr).toBe(0);
    expect(two.code, two.stderr).toBe(0);
    expect(parseJson(two)).toEqual(parseJson(one));
    expect(parseJson(two)).toMatchObject({ ok: true, entries: 80_000, verifiedSize: 80_000, checkpointsVerified: 8 }); // every 10,000: batches of 5,000, checkpointEvery 7,000
  });

  it('names the same first bad entry in a later range, and a forged checkpoint inside a range', async () => {
    const db = new Database(dbPath);
    db.exec('DROP TRIGGER audit_entries_prune_only; DROP TRIGGER audit_checkpoints_no_update');
    const body = (db.prepare('SELECT body FROM audit_entries WHERE seq = 70001').get() as { body: string }).body;
    db.prepare('UPDATE audit_entries SET body = ? WHERE seq = 70001').run(body.replace('"success"', '"failure"'));
    for (const workers of [0, 2]) {
      const result = await verify(workers);
      expect(result.code).toBe(1);
      expect(parseJson(result).problem).toMatchObject({ index: 70001, reason: expect.stringContaining('altered') });
    }
    // A forged checkpoint at 40,000 (inside the second range) is found before the altered entry.
    const note = (db.prepare('SELECT note FROM audit_checkpoints WHERE size = 40000').get() as { note: string }).note;
    db.prepare('UPDATE audit_checkpoints SET note = ? WHERE size = 40000').run(note.replace(/\n([A-Za-z0-9+/]{43}=)\n/, (_m, root: string) => `\n${root.startsWith('A') ? 'B' : 'A'}${root.slice(1)}\n`));
    db.close();
    for (const workers of [0, 2]) {
      const result = await verify(workers);
      expect(parseJson(result).problem).toMatchObject({ index: 30000, checkpointSize: 40000, reason: expect.stringContaining('not validly signed') });
    }
  });
});
