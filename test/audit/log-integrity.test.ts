import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLogger } from '../../src/audit/audit-logger.js';
import { storedVerifiers } from '../../src/audit/checkpoint-signer.js';
import { MAX_PAYLOAD_DEPTH, parseBody, serializeBody, validateEvent } from '../../src/audit/entry.js';
import { CompactRange, hashLeaf } from '../../src/audit/merkle.js';
import { generateSignerKey } from '../../src/audit/signed-note.js';
import { isStoredLevel } from '../../src/audit/tree-store.js';
import { verifyStore } from '../../src/audit/verifier.js';
import { openStore, type Store } from '../../src/store/database.js';
import { storeUrls, tempDir } from '../support/services.js';

const event = (i: number, extra: Record<string, unknown> = {}) => ({ eventType: 'user_note', userId: `user${i % 3}`, result: 'success', additionalData: { i }, ...extra });

const nested = (depth: number) => {
  let value: unknown = 'x';
  for (let i = 0; i < depth; i += 1) value = { a: value };
  return value as Record<string, never>;
};

describe('event validation refuses what the database cannot store or would store differently', () => {
  const refuse = (input: Record<string, unknown>, where: RegExp) => {
    let error: unknown;
    try {
      validateEvent({ eventType: 'user_note', result: 'success', ...input } as never, new Date());
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: 'ERR_INVALID_INPUT', message: expect.stringMatching(where) });
    return (error as Error).message;
  };

  it('NUL and lone surrogates in any string or key, without quoting the value', () => {
    expect(refuse({ additionalData: { note: 'secret\u0000tail' } }, /additionalData\.note: contains a NUL/)).not.toContain('secret');
    refuse({ additionalData: { list: ['ok', 'x\ud800'] } }, /additionalData\.list\[1\]: contains an unpaired UTF-16 surrogate/);
    refuse({ additionalData: { s: '\udc00' } }, /unpaired/);
    expect(refuse({ additionalData: { 'secret\u0000k': 1 } }, /additionalData: a key contains a NUL/)).not.toContain('secret');
    refuse({ additionalData: { o: { ['k\udbff']: 1 } } }, /additionalData\.o: a key contains an unpaired/);
    refuse({ userId: 'alice\u0000' }, /userId: contains a NUL/);
    refuse({ userId: 'alice\ud800' }, /userId: contains an unpaired/);
    // a pair is fine
    expect(validateEvent({ eventType: 'user_note', result: 'success', userId: 'emoji 😀', additionalData: { s: '😀' } }, new Date()).userId).toBe('emoji 😀');
  });

  it('control characters in userId (a tab or newline could fake a column or a line)', () => {
    const message = refuse({ userId: 'x\t-\tadmin@company.com\nsuccess' }, /userId: contains a control character/);
    expect(message).not.toContain('admin@company.com');
    refuse({ userId: 'del\u007f' }, /userId: contains a control character/);
    refuse({ eventType: 'user\tnote' }, /eventType/);
    // control characters inside the payload are ordinary JSON
    expect(validateEvent({ eventType: 'user_note', result: 'success', additionalData: { text: 'a\tb\nc' } }, new Date()).additionalData).toEqual({ text: 'a\tb\nc' });
  });

  it(`nesting deeper than ${MAX_PAYLOAD_DEPTH}`, () => {
    expect(() => validateEvent({ eventType: 'user_note', result: 'success', additionalData: nested(MAX_PAYLOAD_DEPTH) }, new Date())).not.toThrow();
    const message = refuse({ additionalData: nested(MAX_PAYLOAD_DEPTH + 1) }, new RegExp(`nested deeper than ${MAX_PAYLOAD_DEPTH} levels`));
    expect(message.length).toBeLessThan(300);
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i += 1) deep = [deep];
    refuse({ additionalData: { deep } }, /nested deeper/);
  });

  it('keys named __proto__, which would otherwise be dropped from the stored event', () => {
    const input = JSON.parse('{"eventType":"a.b","result":"success","additionalData":{"__proto__":{"role":"admin"},"n":1}}');
    expect(() => validateEvent(input, new Date())).toThrow(/a key named __proto__ is not allowed/);
    const deeper = JSON.parse('{"eventType":"a.b","result":"success","additionalData":{"x":[{"__proto__":1}]}}');
    expect(() => validateEvent(deeper, new Date())).toThrow(/additionalData\.x\[0\]: a key named __proto__/);
  });
});

describe.each(storeUrls('audit-integrity'))('audit log integrity on $dialect', ({ make }) => {
  let url: string;
  let cleanup: () => Promise<void>;
  let store: Store;
  let keys: ReturnType<typeof tempDir>;
  const loggers: AuditLogger[] = [];
  const logger = (options: ConstructorParameters<typeof AuditLogger>[0] = {}) => {
    const log = new AuditLogger({ store, encryptionKey: `file:${keys.path}/kek`, checkpointEvery: 10, checkpointInterval: 3_600_000, ...options });
    loggers.push(log);
    return log;
  };
  const signingKeyFile = () => {
    const path = join(keys.path, 'checkpoint.key');
    writeFileSync(path, generateSignerKey('langtrain.local/audit').signerKey);
    return path;
  };

  beforeEach(async () => {
    ({ url, cleanup } = make());
    store = await openStore(url);
    keys = tempDir('keys');
  });
  afterEach(async () => {
    for (const log of loggers.splice(0)) await log.close().catch(() => undefined);
    await store.close();
    await cleanup();
    keys.cleanup();
  });

  const dropGuards = async () => {
    if (store.dialect === 'sqlite') {
      const triggers = await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'trigger'`.execute(store.db);
      for (const t of triggers.rows) await sql.raw(`DROP TRIGGER ${t.name}`).execute(store.db);
    } else {
      for (const t of ['audit_entries', 'audit_checkpoints', 'audit_nodes', 'audit_payload_keys']) await sql.raw(`ALTER TABLE ${t} DISABLE TRIGGER USER`).execute(store.db);
    }
  };

  /** What an attacker with database access and no key does: rewrite entry `index` with its leaf hash, recompute the stored nodes, drop the checkpoints after `keepUpTo`. */
  const forge = async (index: number, keepUpTo: number) => {
    await dropGuards();
    const row = await store.db.selectFrom('audit_entries').select('body').where('seq', '=', index).executeTakeFirstOrThrow();
    const body = parseBody(row.body);
    body.data = { i: 'forged' };
    const bytes = serializeBody(body);
    await store.db.updateTable('audit_entries').set({ body: bytes, leaf_hash: hashLeaf(bytes) }).where('seq', '=', index).execute();
    const leaves = await store.db.selectFrom('audit_entries').select('leaf_hash').orderBy('seq').execute();
    const range = CompactRange.empty();
    const nodes = leaves.flatMap((l) => range.append(Buffer.from(l.leaf_hash))).filter((n) => isStoredLevel(n.level));
    await store.db.deleteFrom('audit_nodes').execute();
    for (const n of nodes) await store.db.insertInto('audit_nodes').values({ level: n.level, idx: n.index, hash: n.hash }).execute();
    await store.db.deleteFrom('audit_checkpoints').where('size', '>', keepUpTo).execute();
  };

  const checkpointSizes = async () => (await store.db.selectFrom('audit_checkpoints').select('size').orderBy('size').execute()).map((r) => Number(r.size));
  const refusals = async (log: AuditLogger) => (await log.query({ eventType: 'audit.checkpoint_refused', limit: 100 })).map((e) => e.additionalData);

  it('one event the database refuses does not sink the others committed with it', async () => {
    const log = logger();
    await log.logEvent(event(0));
    // Stands in for any event the database refuses at insert (an index expression failing).
    if (store.dialect === 'sqlite') {
      await sql.raw(`CREATE TRIGGER poison BEFORE INSERT ON audit_entries WHEN NEW.body LIKE '%poison%' BEGIN SELECT RAISE(ABORT, 'poison refused'); END`).execute(store.db);
    } else {
      await sql
        .raw(
          `CREATE FUNCTION poison() RETURNS trigger AS $$ BEGIN IF NEW.body LIKE '%poison%' THEN RAISE EXCEPTION 'poison refused'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql;
           CREATE TRIGGER poison BEFORE INSERT ON audit_entries FOR EACH ROW EXECUTE FUNCTION poison()`,
        )
        .execute(store.db);
    }
    const platform = Array.from({ length: 5 }, (_, i) => log.logEvent({ eventType: 'api.authentication', result: 'denied', additionalData: { i } }));
    const poisoned = log.logEvent(event(1, { additionalData: { note: 'poison' } }));
    const batch = log.logEvents(Array.from({ length: 7 }, (_, i) => event(i)));
    const more = Array.from({ length: 5 }, (_, i) => log.logEvent(event(100 + i)));
    const poisonedBatch = log.logEvents([event(1), event(2, { additionalData: { note: 'poison' } })]);
    const settled = await Promise.allSettled([...platform, poisoned, batch, ...more, poisonedBatch]);
    expect(settled.map((s) => s.status)).toEqual([...Array(5).fill('fulfilled'), 'rejected', 'fulfilled', ...Array(5).fill('fulfilled'), 'rejected']);
    expect((settled[5] as PromiseRejectedResult).reason.message).toContain('poison refused');
    const indices = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value].flat().map((r) => r.index!) : []));
    // every kept event has its own index, contiguous from 1, queue order kept, the batch contiguous
    expect([...indices].sort((a, b) => a - b)).toEqual(Array.from({ length: 17 }, (_, i) => i + 1));
    expect(indices).toEqual([...indices].sort((a, b) => a - b));
    const batchIndices = (settled[6] as PromiseFulfilledResult<Array<{ index: number }>>).value.map((r) => r.index);
    expect(batchIndices.every((index, i) => index === batchIndices[0]! + i)).toBe(true);
    expect(await log.size()).toBe(18);
    await log.checkpoint();
    expect(await log.verify()).toMatchObject({ ok: true, entries: 18 });
  });

  it('refuses to sign over entries rewritten before the last checkpoint (key in the database)', async () => {
    const log = logger();
    for (let k = 0; k < 4; k += 1) await log.logEvents(Array.from({ length: 10 }, (_, i) => event(k * 10 + i)));
    expect(await checkpointSizes()).toEqual([10, 20, 30, 40]);
    await log.close();
    await forge(5, 20);
    const next = logger();
    expect((await next.logEvent(event(40))).index).toBe(40); // appending still works
    await expect(next.checkpoint()).rejects.toMatchObject({
      code: 'ERR_AUDIT_CHAIN_BROKEN',
      message: expect.stringMatching(/^refusing to sign a checkpoint over \d+ entries: the stored tree no longer hashes to signed checkpoint 20.*run: langtrain audit verify$/),
    });
    expect(await checkpointSizes()).toEqual([10, 20]);
    expect(await refusals(next)).toEqual([expect.objectContaining({ signedSize: 20, reason: expect.stringContaining('no longer hashes to signed checkpoint 20') })]);
    // auto-signing on append is refused too
    await next.logEvents(Array.from({ length: 20 }, (_, i) => event(i)));
    expect(await checkpointSizes()).toEqual([10, 20]);
    // tried again and again (the 10 s timer), the refusal is recorded once, though each try's tree is larger
    for (let i = 0; i < 3; i += 1) await expect(next.checkpoint()).rejects.toMatchObject({ code: 'ERR_AUDIT_CHAIN_BROKEN' });
    expect(await refusals(next)).toHaveLength(1);
  });

  it('refuses to sign over tampered tree nodes', async () => {
    const log = logger();
    await log.logEvents(Array.from({ length: 40 }, (_, i) => event(i)));
    await log.close();
    await dropGuards();
    await store.db.updateTable('audit_nodes').set({ hash: Buffer.alloc(32, 7) }).where('level', '=', 4).where('idx', '=', 1).execute();
    const next = logger();
    await next.logEvent(event(40));
    await expect(next.checkpoint()).rejects.toMatchObject({ message: expect.stringContaining('refusing to sign') });
    expect(await checkpointSizes()).toEqual([40]);

    // Nodes tampered after the last checkpoint are caught against the leaf hashes.
    await store.db.updateTable('audit_nodes').set({ hash: Buffer.alloc(32, 8) }).execute(); // all, so the frontier is wrong
    await store.db.deleteFrom('audit_checkpoints').execute();
    const third = logger();
    await third.logEvent(event(41));
    await expect(third.checkpoint()).rejects.toMatchObject({ message: expect.stringContaining('tree nodes (audit_nodes) were changed') });
    expect(await checkpointSizes()).toEqual([]);
  });

  it('keeps the last signed head beside a file key and refuses when the database lost checkpoints', async () => {
    const keyFile = signingKeyFile();
    const head = `${keyFile}.head`;
    const options = { signingKey: `file:${keyFile}` as const, headFile: `${keyFile}.head`, origin: 'langtrain.local/audit' };
    const log = logger(options);
    for (let k = 0; k < 4; k += 1) await log.logEvents(Array.from({ length: 10 }, (_, i) => event(k * 10 + i)));
    expect(readFileSync(head, 'utf8')).toMatch(/^langtrain\.local\/audit\n40\n/);
    await log.close();
    // Every checkpoint deleted: the database alone has nothing to compare with.
    await forge(5, -1);
    const next = logger(options);
    await next.logEvent(event(40));
    await expect(next.checkpoint()).rejects.toMatchObject({ message: expect.stringContaining(`this log last signed tree size 40 (audit.headFile ${head})`) });
    expect(await checkpointSizes()).toEqual([]);
    expect(readFileSync(head, 'utf8')).toMatch(/\n40\n/);
    expect(await refusals(next)).toHaveLength(1);
  });

  it('writes no head file unless audit.headFile names one: a key on a read-only mount, or shared by two databases, signs as before', async () => {
    const keyFile = signingKeyFile();
    const log = logger({ signingKey: `file:${keyFile}`, origin: 'langtrain.local/audit' });
    await log.logEvents(Array.from({ length: 5 }, (_, i) => event(i)));
    expect(await log.checkpoint()).toBe(5);
    await log.close();
    expect(existsSync(`${keyFile}.head`)).toBe(false);
  });

  it('re-creates a missing head file only after the log verifies', async () => {
    const keyFile = signingKeyFile();
    const head = `${keyFile}.head`;
    const options = { signingKey: `file:${keyFile}` as const, headFile: `${keyFile}.head`, origin: 'langtrain.local/audit' };
    const log = logger(options);
    for (let k = 0; k < 2; k += 1) await log.logEvents(Array.from({ length: 10 }, (_, i) => event(k * 10 + i)));
    await log.close();
    rmSync(head);
    const again = logger(options);
    await again.open();
    expect(readFileSync(head, 'utf8')).toMatch(/\n20\n/);
    await again.logEvent(event(20));
    expect(await again.checkpoint()).toBe(21);
    expect(readFileSync(head, 'utf8')).toMatch(/\n21\n/);
    await again.close();

    rmSync(head);
    await forge(3, 10); // checkpoint 10 kept; entry 3 no longer hashes to it
    const forged = logger(options);
    await forged.logEvent(event(30));
    await expect(forged.checkpoint()).rejects.toMatchObject({ message: expect.stringContaining('does not verify') });
    expect(existsSync(head)).toBe(false);
    expect(await checkpointSizes()).toEqual([10]);
  });

  it('an honest log keeps signing, across processes, with a file key', async () => {
    const keyFile = signingKeyFile();
    const options = { signingKey: `file:${keyFile}` as const, headFile: `${keyFile}.head`, origin: 'langtrain.local/audit' };
    const [a, b] = [logger(options), logger(options)];
    await Promise.all([a.logEvents(Array.from({ length: 25 }, (_, i) => event(i))), b.logEvents(Array.from({ length: 25 }, (_, i) => event(i)))]);
    await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).logEvent(event(i))));
    await a.checkpoint();
    await b.checkpoint();
    expect(await refusals(a)).toEqual([]);
    expect(await verifyStore(store, { verifiers: await storedVerifiers(store.db) })).toMatchObject({ ok: true, entries: 80, verifiedSize: 80 });
    // Concurrent writers may leave the file a little behind (never ahead of) the database.
    expect(await checkpointSizes()).toContain(Number(readFileSync(`${keyFile}.head`, 'utf8').split('\n')[1]));
  });

  it('records every shred as an audit.shredded entry naming the subject by pseudonym only', async () => {
    const log = logger({ encryption: true });
    await log.logEvent(event(1, { userId: 'alice@example.com', sensitive: ['userId'] }));
    await log.logEvent(event(2, { userId: 'bob' }));
    expect(await log.shredSubject('alice@example.com')).toBe(1);
    expect(await log.shredSubject('nobody@example.com')).toBe(0);
    const rows = await store.db.selectFrom('audit_entries').select('body').orderBy('seq').execute();
    const bodies = rows.map((r) => JSON.parse(r.body as string));
    expect(bodies.map((b) => b.eventType)).toEqual(['user_note', 'user_note', 'audit.shredded', 'audit.shredded']);
    expect(rows.map((r) => r.body).join('\n')).not.toContain('alice');
    expect(bodies[2].userRef).toBe(bodies[0].userRef);
    expect(bodies[2].userId).toBeUndefined();
    const [shredded] = await log.query({ eventType: 'audit.shredded', userId: 'alice@example.com' });
    expect(shredded).toMatchObject({ result: 'success', additionalData: { keysDestroyed: 1 } });
    expect((await log.query({ eventType: 'audit.shredded', userId: 'nobody@example.com' }))[0]).toMatchObject({ additionalData: { keysDestroyed: 0 } });
    await log.checkpoint();
    expect(await log.verify()).toMatchObject({ ok: true, entries: 4 });
  });
});
