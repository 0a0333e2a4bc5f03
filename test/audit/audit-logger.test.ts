import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLogger } from '../../src/audit/audit-logger.js';
import { openCheckpoint, storedVerifiers } from '../../src/audit/checkpoint-signer.js';
import { verifyConsistency, verifyInclusion } from '../../src/audit/merkle.js';
import { verifyStore } from '../../src/audit/verifier.js';
import { openStore, type Store } from '../../src/store/database.js';
import { storeUrls, tempDir } from '../support/services.js';

const event = (i: number, extra: Record<string, unknown> = {}) => ({
  eventType: i % 2 === 0 ? 'user_authentication' : 'keys.rotated',
  userId: `user${i % 3}`,
  timestamp: new Date(Date.UTC(2024, 0, 1, 0, 0, i)).toISOString(),
  result: i % 5 === 0 ? 'failure' : 'success',
  additionalData: { ip_address: '10.0.1.100', i },
  ...extra,
});

describe.each(storeUrls('audit'))('AuditLogger on $dialect', ({ make }) => {
  let url: string;
  let cleanup: () => Promise<void>;
  let store: Store;
  let keys: ReturnType<typeof tempDir>;
  const loggers: AuditLogger[] = [];
  const logger = (options: ConstructorParameters<typeof AuditLogger>[0] = {}) => {
    const log = new AuditLogger({ store, encryptionKey: `file:${keys.path}/kek`, checkpointEvery: 10, ...options });
    loggers.push(log);
    return log;
  };

  beforeEach(async () => {
    ({ url, cleanup } = make());
    store = await openStore(url);
    keys = tempDir('keys');
  });
  afterEach(async () => {
    for (const log of loggers.splice(0)) await log.close();
    await store.close();
    await cleanup();
    keys.cleanup();
  });

  it('appends concurrently with contiguous indices and answers queries', async () => {
    const log = logger();
    const receipts = await Promise.all(Array.from({ length: 50 }, (_, i) => log.logEvent(event(i))));
    expect(receipts.map((r) => r.index).sort((a, b) => a! - b!)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(await log.size()).toBe(50);
    const failures = await log.query({ result: 'failure', limit: 100 });
    expect(failures.map((e) => e.additionalData?.i).sort((a, b) => Number(a) - Number(b))).toEqual([0, 5, 10, 15, 20, 25, 30, 35, 40, 45]);
    const user1Keys = await log.query({ userId: 'user1', eventType: 'keys.rotated', limit: 100 });
    expect(user1Keys.length).toBeGreaterThan(0);
    expect(user1Keys.every((e) => e.userId === 'user1' && e.eventType === 'keys.rotated')).toBe(true);
    const window = await log.query({ from: '2024-01-01T00:00:10Z', to: '2024-01-01T00:00:20Z', limit: 100 });
    expect(window).toHaveLength(10);
    const page1 = await log.query({ limit: 20 });
    const page2 = await log.query({ limit: 20, afterIndex: page1.at(-1)!.index });
    expect(page2[0]!.index).toBe(20);
  });

  it('signs a checkpoint every N entries and proves inclusion and consistency against it', async () => {
    const log = logger();
    for (let i = 0; i < 25; i += 1) await log.logEvent(event(i));
    const latest = await log.latestCheckpoint();
    expect(latest?.size).toBe(20);
    const verifiers = await storedVerifiers(store.db);
    const proof = await log.proveInclusion(13);
    const head = openCheckpoint(proof.checkpoint, verifiers);
    const hex = (h: string) => Buffer.from(h, 'hex');
    expect(verifyInclusion(hex(proof.leafHash), 13, head.size, proof.proof.map(hex), head.root)).toBe(true);
    expect(verifyInclusion(hex(proof.leafHash), 12, head.size, proof.proof.map(hex), head.root)).toBe(false);
    // Entry 22 is newer than every checkpoint: no proof until one is signed.
    await expect(log.proveInclusion(22)).rejects.toMatchObject({ code: 'ERR_NOT_FOUND', message: expect.stringContaining('not covered by a signed checkpoint') });
    await expect(log.proveInclusion(99)).rejects.toMatchObject({ code: 'ERR_NOT_FOUND', message: expect.stringContaining('not in the log') });
    const newer = await log.proveInclusion(22, { checkpoint: true });
    expect(newer.treeSize).toBe(25);
    const consistency = await log.proveConsistency(10, 25);
    const [a, b] = [openCheckpoint(consistency.checkpoint1, verifiers), openCheckpoint(consistency.checkpoint2, verifiers)];
    expect(verifyConsistency(10, 25, consistency.proof.map(hex), a.root, b.root)).toBe(true);
    await expect(log.proveConsistency(10, 11)).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    expect(await log.checkpoint()).toBe(25); // nothing new: no second checkpoint at 25
  });

  it('seals payloads before hashing: ciphertext at rest, opened on query, shredded per subject', async () => {
    const log = logger({ encryption: true });
    await log.logEvent(event(1, { userId: 'alice@example.com', sensitive: ['userId'] }));
    await log.logEvent(event(2, { userId: 'bob' }));
    const raw = await store.db.selectFrom('audit_entries').select(['body']).orderBy('seq').execute();
    const text = raw.map((r) => r.body as string).join('\n');
    expect(text).not.toContain('10.0.1.100');
    expect(text).not.toContain('alice@example.com');
    expect(JSON.parse(raw[0]!.body).userRef).toMatch(/^ref:[0-9a-f]{32}$/);
    const [alice] = await log.query({ userId: 'alice@example.com' });
    expect(alice).toMatchObject({ userId: 'alice@example.com', payload: 'opened', additionalData: { ip_address: '10.0.1.100', i: 1 } });
    expect(await log.shredSubject('alice@example.com')).toBe(1);
    expect((await log.query({ userId: 'alice@example.com' }))[0]).toMatchObject({ payload: 'shredded' });
    expect((await log.query({ userId: 'bob' }))[0]).toMatchObject({ payload: 'opened' });
    await log.checkpoint();
    expect(await log.verify()).toMatchObject({ ok: true, entries: 3 }); // and the audit.shredded entry
  });

  it('prunes payloads past the retention period and still verifies and proves', async () => {
    const log = logger({ retentionPeriod: '1d' });
    for (let i = 0; i < 12; i += 1) await log.logEvent(event(i));
    expect(await log.prune(new Date(Date.now() - 86_400_000))).toBe(0);
    expect(await log.prune(new Date(Date.now() + 2 * 86_400_000))).toBe(12);
    const [first] = await log.query({ limit: 1 });
    expect(first).toMatchObject({ payload: 'pruned', eventType: null, userId: null, id: null });
    await log.checkpoint();
    expect(await log.verify()).toMatchObject({ ok: true, prunedEntries: 12, verifiedSize: 12 });
    const proof = await log.proveInclusion(3);
    const head = openCheckpoint(proof.checkpoint, await storedVerifiers(store.db));
    expect(verifyInclusion(Buffer.from(proof.leafHash, 'hex'), 3, 12, proof.proof.map((h) => Buffer.from(h, 'hex')), head.root)).toBe(true);
  });

  it('refuses updates and deletes at the database level (immutableStorage)', async () => {
    const log = logger();
    await log.logEvents(Array.from({ length: 16 }, (_, i) => event(i))); // 16 entries complete a stored node
    await log.checkpoint();
    await expect(store.db.deleteFrom('audit_entries').execute()).rejects.toThrow(/ERR_AUDIT_IMMUTABLE/);
    await expect(store.db.updateTable('audit_entries').set({ body: '{}' }).execute()).rejects.toThrow(/ERR_AUDIT_IMMUTABLE/);
    await expect(store.db.updateTable('audit_checkpoints').set({ note: 'x' }).execute()).rejects.toThrow(/ERR_AUDIT_IMMUTABLE/);
    await expect(store.db.deleteFrom('audit_nodes').execute()).rejects.toThrow(/ERR_AUDIT_IMMUTABLE/);
    if (store.dialect === 'postgres') await expect(sql`TRUNCATE audit_entries`.execute(store.db)).rejects.toThrow(/ERR_AUDIT_IMMUTABLE/);
    expect(await log.size()).toBe(16);
    expect(await log.verify()).toMatchObject({ ok: true, entries: 16 });
  });

  it('at level basic keeps basic events and drops detailed ones', async () => {
    const log = logger({ level: 'basic' });
    expect((await log.logEvent(event(0, { level: 'detailed' }))).index).toBeNull();
    expect((await log.logEvent(event(1))).index).toBe(0);
    expect(log.droppedByLevel).toBe(1);
    expect(await log.size()).toBe(1);
  });

  it('rejects a bad event naming the field, and a bad batch appends nothing', async () => {
    const log = logger();
    await expect(log.logEvent({ eventType: 'Bad Type', result: 'success' })).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT', message: expect.stringContaining('eventType') });
    await expect(log.logEvent({ eventType: 'x', result: 'success', timestamp: 'yesterday' })).rejects.toMatchObject({ message: expect.stringContaining('timestamp') });
    await expect(log.logEvent({ eventType: 'x', result: 'ok', color: 'red' } as never)).rejects.toMatchObject({ message: expect.stringContaining('unknown field color') });
    await expect(log.logEvents([event(0), event(1), { eventType: 'x', result: '' }])).rejects.toMatchObject({ message: expect.stringMatching(/^event 2: .*result/) });
    expect(await log.size()).toBe(0);
  });

  it('commits a batch atomically: its indices stay contiguous among concurrent appends', async () => {
    const log = logger();
    const singles = Array.from({ length: 200 }, (_, i) => log.logEvent(event(i)));
    const batch = log.logEvents(Array.from({ length: 3000 }, (_, i) => event(i)));
    const [receipts] = await Promise.all([batch, Promise.all(singles)]);
    const indices = receipts.map((r) => r.index!);
    expect(indices.at(-1)! - indices[0]!).toBe(2999);
    expect(indices.every((index, i) => index === indices[0]! + i)).toBe(true);
  });

  it('refuses a sensitive user id on a log that stores payloads in clear, and non-ISO timestamps', async () => {
    const log = logger();
    await expect(log.logEvent(event(1, { sensitive: ['userId'] }))).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT', message: expect.stringContaining('encryption: true') });
    await expect(log.logEvent(event(1, { timestamp: '1' }))).rejects.toMatchObject({ message: expect.stringContaining('ISO 8601') });
    expect(await log.size()).toBe(0);
  });

  it('refuses to shred on a log that stores payloads in clear, naming the setting to change', async () => {
    const log = logger();
    await expect(log.shredSubject('user1')).rejects.toMatchObject({
      code: 'ERR_INVALID_INPUT',
      message: expect.stringMatching(/^shredding needs a log with encryption: true .*: set audit\.encryption: true in the configuration, or LANGTRAIN_AUDIT_ENCRYPTION=true/),
    });
  });

  it('flags an entry blanked out of retention order, which the database guard cannot tell from pruning', async () => {
    const log = logger({ retentionPeriod: '1d' });
    for (let i = 0; i < 12; i += 1) await log.logEvent(event(i));
    await log.checkpoint();
    await store.db.updateTable('audit_entries').set({ body: null, pruned_at: new Date().toISOString() }).where('seq', '=', 7).execute();
    expect((await log.verify()).problem).toMatchObject({ index: 7, reason: expect.stringContaining('blanked') });
  });

  it('refuses unsupported seed options at construction', () => {
    expect(() => new AuditLogger({ immutableStorage: false as never })).toThrow(/immutableStorage.*only true/);
    expect(() => new AuditLogger({ digitalSignatures: false as never })).toThrow(/digitalSignatures/);
    expect(() => new AuditLogger({ retentionPeriod: 'ten years' })).toThrow(/retentionPeriod/);
    expect(() => new AuditLogger({ bogus: 1 } as never)).toThrow(/unknown option bogus/);
  });

  describe('verification names the first bad entry after tampering', () => {
    const tamperable = async (log: AuditLogger) => {
      for (let i = 0; i < 40; i += 1) await log.logEvent(event(i));
      await log.checkpoint();
      await log.close();
      // An attacker with database access removes the guards first.
      if (store.dialect === 'sqlite') {
        for (const t of ['audit_entries_no_delete', 'audit_entries_prune_only', 'audit_checkpoints_no_update', 'audit_checkpoints_no_delete']) await sql.raw(`DROP TRIGGER ${t}`).execute(store.db);
      } else {
        for (const t of ['audit_entries', 'audit_checkpoints']) await sql.raw(`ALTER TABLE ${t} DISABLE TRIGGER USER`).execute(store.db);
      }
    };
    // What `langtrain audit verify` does: the store and its recorded verifier key, no logger.
    const verify = async () => verifyStore(store, { verifiers: await storedVerifiers(store.db) });

    it('is clean before tampering', async () => {
      await tamperable(logger());
      expect(await verify()).toMatchObject({ ok: true, entries: 40, verifiedSize: 40, checkpointsVerified: 4 });
    });
    it('a changed body', async () => {
      await tamperable(logger());
      const row = await store.db.selectFrom('audit_entries').select('body').where('seq', '=', 17).executeTakeFirstOrThrow();
      const forged = String(row.body).replace('10.0.1.100', '10.0.1.101');
      await store.db.updateTable('audit_entries').set({ body: forged }).where('seq', '=', 17).execute();
      expect((await verify()).problem).toMatchObject({ index: 17, reason: expect.stringContaining('altered') });
    });
    it('a changed leaf hash', async () => {
      await tamperable(logger());
      await store.db.updateTable('audit_entries').set({ leaf_hash: Buffer.alloc(32, 1) }).where('seq', '=', 8).execute();
      expect((await verify()).problem?.index).toBe(8);
    });
    it('two entries swapped', async () => {
      await tamperable(logger());
      await store.db.updateTable('audit_entries').set({ seq: -1 }).where('seq', '=', 30).execute();
      await store.db.updateTable('audit_entries').set({ seq: 30 }).where('seq', '=', 31).execute();
      await store.db.updateTable('audit_entries').set({ seq: 31 }).where('seq', '=', -1).execute();
      expect((await verify()).problem).toMatchObject({ index: 30, reason: expect.stringContaining('moved') });
    });
    it('a deleted entry in the middle and at the end', async () => {
      await tamperable(logger());
      await store.db.deleteFrom('audit_entries').where('seq', '=', 39).execute();
      expect((await verify()).problem).toMatchObject({ index: 39, reason: expect.stringContaining('missing') });
      await store.db.deleteFrom('audit_entries').where('seq', '=', 5).execute();
      expect((await verify()).problem).toMatchObject({ index: 5, reason: expect.stringContaining('entry 5 is missing') });
    });
    it('a forged checkpoint', async () => {
      await tamperable(logger());
      const cp = await store.db.selectFrom('audit_checkpoints').select('note').where('size', '=', 30).executeTakeFirstOrThrow();
      await store.db.updateTable('audit_checkpoints').set({ note: String(cp.note).replace('\n30\n', '\n31\n') }).where('size', '=', 30).execute();
      expect((await verify()).problem).toMatchObject({ index: 20, checkpointSize: 30, reason: expect.stringContaining('not validly signed') });
    });
    it('an entry rewritten together with its leaf hash', async () => {
      await tamperable(logger());
      const { serializeBody, parseBody } = await import('../../src/audit/entry.js');
      const { hashLeaf } = await import('../../src/audit/merkle.js');
      const row = await store.db.selectFrom('audit_entries').select('body').where('seq', '=', 22).executeTakeFirstOrThrow();
      const body = parseBody(row.body);
      body.data = { ip_address: '192.0.2.1', i: 22 };
      const bytes = serializeBody(body);
      await store.db.updateTable('audit_entries').set({ body: bytes, leaf_hash: hashLeaf(bytes) }).where('seq', '=', 22).execute();
      expect((await verify()).problem).toMatchObject({ index: 20, checkpointSize: 30, reason: expect.stringContaining('do not hash to signed checkpoint') });
    });
  });
});

describe('entry serialization', () => {
  it('writes exactly the RFC 8785 canonical form for any body', async () => {
    const { serializeBody } = await import('../../src/audit/entry.js');
    const { createRequire } = await import('node:module');
    const canonicalize = createRequire(import.meta.url)('canonicalize') as (v: unknown) => string;
    const strings = ['', 'plain', 'ünïcødé ☃', 'quote " and \\ backslash', 'line\nbreak\u0001', '😀 astral', '\u2028'];
    for (let i = 0; i < 500; i += 1) {
      const pick = <T,>(xs: T[]) => xs[(i * 7919 + xs.length) % xs.length]!;
      const body = {
        v: 1 as const,
        index: i * 1000003,
        id: `id-${i}`,
        loggedAt: new Date(i * 1e9).toISOString(),
        timestamp: new Date(i * 7e8).toISOString(),
        eventType: 'user_authentication',
        result: i % 2 ? 'success' : 'failure',
        level: i % 3 ? ('basic' as const) : ('detailed' as const),
        ...(i % 2 ? { userId: pick(strings) + i } : {}),
        ...(i % 5 === 0 ? { userRef: `ref:${i}` } : {}),
        ...(i % 4 ? { data: { z: i, a: [1.5, -0, 1e21, pick(strings)], nested: { b: null, a: true, 'é': 'x' } } } : {}),
        ...(i % 7 === 0 ? { sealed: { kid: 'k', nonce: 'n', ct: 'c' } } : {}),
      };
      expect(serializeBody(body)).toBe(canonicalize(body));
    }
  });
});
