import { sql } from 'kysely';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLogger } from '../../src/audit/audit-logger.js';
import { parseBody, serializeBody } from '../../src/audit/entry.js';
import { hashLeaf } from '../../src/audit/merkle.js';
import type { AuditEntryView } from '../../src/audit/query.js';
import { queryLine } from '../../src/cli/commands/audit.js';
import { tempDir } from '../support/services.js';

/** What `query` says about a sealed payload that does not open, and how `audit query` prints entries. */
describe('query: payload states', () => {
  const dirs: Array<ReturnType<typeof tempDir>> = [];
  const loggers: AuditLogger[] = [];
  afterEach(async () => {
    for (const log of loggers.splice(0)) await log.close().catch(() => undefined);
    for (const dir of dirs.splice(0)) dir.cleanup();
  });
  const open = (dir: string, kek: string) => {
    const log = new AuditLogger({ storeUrl: `sqlite:${join(dir, 'audit.db')}`, encryption: true, encryptionKey: `file:${join(dir, kek)}`, checkpointEvery: 1000 });
    loggers.push(log);
    return log;
  };

  it('payloads swapped between two users show as tampered, not locked', async () => {
    const dir = tempDir('query-tampered');
    dirs.push(dir);
    const log = open(dir.path, 'kek');
    await log.logEvent({ eventType: 'x.y', userId: 'alice', result: 'success', additionalData: { secret: 'alice-data' }, sensitive: ['userId'] });
    await log.logEvent({ eventType: 'x.y', userId: 'bob', result: 'success', additionalData: { secret: 'bob-data' }, sensitive: ['userId'] });
    await log.logEvent({ eventType: 'x.y', userId: 'carol', result: 'success', additionalData: { secret: 'carol-data' }, sensitive: ['userId'] });
    const store = await log.store();
    const triggers = await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'trigger'`.execute(store.db);
    for (const t of triggers.rows) await sql.raw(`DROP TRIGGER ${t.name}`).execute(store.db);
    const rows = await store.db.selectFrom('audit_entries').select(['seq', 'body']).orderBy('seq').execute();
    const [a, b] = rows.slice(0, 2).map((r) => parseBody(r.body));
    [a!.sealed, b!.sealed] = [b!.sealed, a!.sealed];
    [a!.userRef, b!.userRef] = [b!.userRef, a!.userRef];
    for (const body of [a!, b!]) {
      const bytes = serializeBody(body);
      await store.db.updateTable('audit_entries').set({ body: bytes, leaf_hash: hashLeaf(bytes) }).where('seq', '=', body.index).execute();
    }
    expect((await log.query()).map((e) => e.payload)).toEqual(['tampered', 'tampered', 'opened']);
  });

  it('refuses a key-encryption key that does not open the log, and does not create one that is missing', async () => {
    const dir = tempDir('query-other-kek');
    dirs.push(dir);
    const log = open(dir.path, 'kek');
    await log.logEvent({ eventType: 'x.y', userId: 'alice', result: 'success', additionalData: { secret: 1 }, sensitive: ['userId'] });
    await log.close();
    const size = async () => {
      const reader = new AuditLogger({ storeUrl: `sqlite:${join(dir.path, 'audit.db')}` });
      loggers.push(reader);
      return (await reader.query()).length;
    };

    // another key (a relative file: path read from another directory makes one): sealing and
    // shredding with it would use pseudonyms no other process of the log matches
    writeFileSync(join(dir.path, 'other-kek'), randomBytes(32).toString('base64'));
    const other = open(dir.path, 'other-kek');
    await expect(other.shredSubject('alice')).rejects.toMatchObject({ code: 'ERR_KEY_MISSING', message: expect.stringContaining('does not open this audit log') });
    await expect(other.logEvent({ eventType: 'x.y', userId: 'bob', result: 'success' })).rejects.toMatchObject({ code: 'ERR_KEY_MISSING' });

    const missing = open(dir.path, 'no-such-kek');
    await expect(missing.query()).rejects.toMatchObject({ code: 'ERR_KEY_MISSING', message: expect.stringContaining('does not exist') });
    expect(existsSync(join(dir.path, 'no-such-kek'))).toBe(false);
    expect(await size()).toBe(1);
  });

  it('a process without encryption may read a sealed log (locked) but not append to it in clear', async () => {
    const dir = tempDir('query-clear-writer');
    dirs.push(dir);
    const sealing = open(dir.path, 'kek');
    await sealing.logEvent({ eventType: 'x.y', userId: 'alice', result: 'success', additionalData: { secret: 1 }, sensitive: ['userId'] });
    const clear = new AuditLogger({ storeUrl: `sqlite:${join(dir.path, 'audit.db')}`, checkpointEvery: 1000 });
    loggers.push(clear);
    expect((await clear.query()).map((e) => e.payload)).toEqual(['locked']);
    await expect(clear.logEvent({ eventType: 'privacy.subject_erased', userId: 'alice', result: 'success' })).rejects.toMatchObject({
      code: 'ERR_CONFIG_INVALID',
      message: expect.stringContaining('LANGTRAIN_AUDIT_ENCRYPTION=true'),
    });
    const entries = await sealing.query();
    expect(entries).toHaveLength(1);
    expect(JSON.stringify(entries.map((e) => e.eventType))).not.toContain('privacy.subject_erased');
  });

  it('says whether the user id is stored in clear or only as its pseudonym, whatever the payload shows', async () => {
    const dir = tempDir('query-user-sealed');
    dirs.push(dir);
    const log = open(dir.path, 'kek');
    await log.logEvent({ eventType: 'x.sensitive', userId: 'alice', result: 'success', additionalData: { secret: 1 }, sensitive: ['userId'] });
    // an actor's id (lineage.recorded, privacy.budget_created): not sensitive, so in clear beside a sealed payload
    await log.logEvent({ eventType: 'x.actor', userId: 'alice', result: 'success', additionalData: { operation: 'redact' } });
    await log.logEvent({ eventType: 'x.nobody', result: 'success', additionalData: { n: 1 } });
    const view = async () => (await log.query({ userId: 'alice' })).filter((e) => e.eventType?.startsWith('x.')).map((e) => [e.eventType, e.payload, e.userId, e.userIdSealed]);
    // opened, both show the id: only userIdSealed tells which one the store names in clear
    expect(await view()).toEqual([
      ['x.sensitive', 'opened', 'alice', true],
      ['x.actor', 'opened', 'alice', false],
    ]);
    expect((await log.query({ eventType: 'x.nobody' }))[0]).toMatchObject({ userId: null, userIdSealed: false });
    // its payload is sealed under alice's data key too, so shredded with it: the id stays in clear
    await log.shredSubject('alice');
    expect(await view()).toEqual([
      ['x.sensitive', 'shredded', expect.stringMatching(/^ref:/), true],
      ['x.actor', 'shredded', 'alice', false],
    ]);
    const clear = new AuditLogger({ storeUrl: `sqlite:${join(dir.path, 'clear.db')}`, checkpointEvery: 1000 });
    loggers.push(clear);
    await clear.logEvent({ eventType: 'x.clear', userId: 'alice', result: 'success' });
    expect((await clear.query({ userId: 'alice' }))[0]).toMatchObject({ payload: 'clear', userId: 'alice', userIdSealed: false });
  });

  it('a shredded payload stays shredded', async () => {
    const dir = tempDir('query-shredded');
    dirs.push(dir);
    const log = open(dir.path, 'kek');
    await log.logEvent({ eventType: 'x.y', userId: 'alice', result: 'success', additionalData: { secret: 1 }, sensitive: ['userId'] });
    await log.shredSubject('alice');
    expect((await log.query({ eventType: 'x.y' })).map((e) => e.payload)).toEqual(['shredded']);
  });

  it('a payload another process shredded is shredded here too, though this one had opened it', async () => {
    const dir = tempDir('query-shredded-elsewhere');
    dirs.push(dir);
    const server = open(dir.path, 'kek');
    await server.logEvent({ eventType: 'x.y', userId: 'alice', result: 'success', additionalData: { email: 'alice@example.com' }, sensitive: ['userId'] });
    await server.logEvent({ eventType: 'x.y', userId: 'bob', result: 'success', additionalData: { email: 'bob@example.com' }, sensitive: ['userId'] });
    expect((await server.query({ eventType: 'x.y' })).map((e) => [e.payload, e.additionalData])).toEqual([
      ['opened', { email: 'alice@example.com' }],
      ['opened', { email: 'bob@example.com' }],
    ]);
    // `langtrain erase alice --shred-audit-trail`, run beside the server on the same store
    await open(dir.path, 'kek').shredSubject('alice');
    const after = await server.query({ eventType: 'x.y' });
    expect(after.map((e) => e.payload)).toEqual(['shredded', 'opened']);
    expect(JSON.stringify(after)).not.toContain('alice@example.com');
  });

  it('a payload whose key row is gone is locked, not shredded: no erasure was recorded', async () => {
    const dir = tempDir('query-key-gone');
    dirs.push(dir);
    const log = open(dir.path, 'kek');
    await log.logEvent({ eventType: 'x.y', userId: 'alice', result: 'success', additionalData: { secret: 1 }, sensitive: ['userId'] });
    const store = await log.store();
    const triggers = await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_payload_keys'`.execute(store.db);
    for (const t of triggers.rows) await sql.raw(`DROP TRIGGER ${t.name}`).execute(store.db);
    await store.db.deleteFrom('audit_payload_keys').execute();
    expect((await log.query({ eventType: 'x.y' })).map((e) => e.payload)).toEqual(['locked']);
  });
});

describe('audit query text lines', () => {
  const view = (over: Partial<AuditEntryView>): AuditEntryView => ({
    index: 1,
    id: 'id',
    loggedAt: '2024-01-15T10:30:00.000Z',
    timestamp: '2024-01-15T10:30:00.000Z',
    eventType: 'user_note',
    userId: 'ops@company.com',
    userIdSealed: false,
    result: 'success',
    level: 'basic',
    payload: 'clear',
    leafHash: '00',
    ...over,
  });

  it('a user id with tabs and a line break cannot fake columns or an entry', () => {
    const spoof = 'x\t-\t{"submittedBy":"api_key:k1"}\n1\t2024-01-15T10:30:00.000Z\tauth.login\tadmin@company.com\tsuccess';
    const line = queryLine(view({ userId: spoof, additionalData: { submittedBy: 'api_key:k1' } }));
    expect(line.split('\n')).toHaveLength(1);
    const fields = line.split('\t');
    expect(fields).toHaveLength(7);
    expect(fields[3]).toBe(JSON.stringify(spoof));
    expect(fields[5]).toBe('submittedBy=api_key:k1');
  });

  it('plain fields print as before; platform events have no submitter', () => {
    expect(queryLine(view({ additionalData: { key: 'pii' } }))).toBe('1\t2024-01-15T10:30:00.000Z\tuser_note\tops@company.com\tsuccess\t-\t{"key":"pii"}');
    expect(queryLine(view({ id: null, eventType: null, userId: null, result: null, timestamp: null, payload: 'pruned' }))).toBe('1\t-\t(pruned)\t-\t-\t-\tpruned');
    expect(queryLine(view({ userId: '"quoted"' })).split('\t')[3]).toBe('"\\"quoted\\""');
    expect(queryLine(view({ payload: 'tampered' })).split('\t')[6]).toBe('tampered');
  });
});
