import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLogger } from '../../src/audit/audit-logger.js';
import { kekFingerprint } from '../../src/audit/kek-fingerprint.js';
import { openStore, type Store } from '../../src/store/database.js';
import { storeUrls, tempDir } from '../support/services.js';

/** Which key-encryption key a log's data keys are wrapped by, settled before the first data key exists. */
describe.each(storeUrls('audit-kek'))('audit KEK fingerprint on $dialect', ({ make }) => {
  let url: string;
  let cleanup: () => Promise<void>;
  let keys: ReturnType<typeof tempDir>;
  let inspector: Store;
  const loggers: AuditLogger[] = [];
  /** A process of the log, with its own connection, sealing under the KEK in file `kek` (made once, here). */
  const processWith = (kek: string) => {
    const log = new AuditLogger({ storeUrl: url, encryption: true, encryptionKey: `file:${join(keys.path, kek)}`, checkpointEvery: 1000 });
    loggers.push(log);
    return log;
  };
  const writeKek = (name: string) => {
    const text = randomBytes(32).toString('base64');
    writeFileSync(join(keys.path, name), text + '\n', { mode: 0o600 });
    return text;
  };
  const sensitive = (userId: string, secret: string) => ({ eventType: 'x.y', userId, result: 'success', additionalData: { secret }, sensitive: ['userId' as const] });
  const dataKeyCount = async () => Number((await inspector.db.selectFrom('audit_payload_keys').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const recorded = async () => (await inspector.db.selectFrom('audit_payload_kek').select('fingerprint').execute()).map((r) => Buffer.from(r.fingerprint as Uint8Array));

  beforeEach(async () => {
    ({ url, cleanup } = make());
    keys = tempDir('audit-kek-keys');
    inspector = await openStore(url);
  });
  afterEach(async () => {
    for (const log of loggers.splice(0)) await log.close().catch(() => undefined);
    await inspector.close();
    await cleanup();
    keys.cleanup();
  });

  it('two processes with different KEKs opened on a new log: the second to make a data key is refused and seals nothing', async () => {
    const serverKek = writeKek('server-kek');
    const shellKek = writeKek('shell-kek');
    const server = processWith('server-kek');
    const shell = processWith('shell-kek');
    // both open before either has made a data key: nothing to check them against yet
    await Promise.all([server.open(), shell.open()]);
    await shell.checkWritable();

    await server.logEvent(sensitive('alice', 'alice-data'));
    // what an erasure asks before it deletes anything: the log is bound to the server's KEK now
    await expect(shell.checkWritable()).rejects.toMatchObject({ code: 'ERR_KEY_MISSING', details: { option: 'audit.encryptionKey' } });
    const keysBefore = await dataKeyCount();
    const sizeBefore = await server.size();
    const refusal = await shell.logEvent(sensitive('bob', 'bob-data')).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refusal).toMatchObject({ code: 'ERR_KEY_MISSING', message: expect.stringContaining('does not open this audit log'), details: { option: 'audit.encryptionKey' } });
    await expect(shell.shredSubject('alice')).rejects.toMatchObject({ code: 'ERR_KEY_MISSING', details: { option: 'audit.encryptionKey' } });
    expect(await dataKeyCount()).toBe(keysBefore);
    expect(await server.size()).toBe(sizeBefore);

    // neither key nor what is derived from it reaches the error
    const told = JSON.stringify({ message: (refusal as Error).message, details: (refusal as { details: unknown }).details });
    for (const key of [serverKek, shellKek]) {
      const bytes = Buffer.from(key, 'base64');
      for (const form of [key, bytes.toString('hex'), kekFingerprint(bytes).toString('hex'), kekFingerprint(bytes).toString('base64')]) expect(told).not.toContain(form);
    }

    // the log's own KEK still works, and every payload opens under it
    await server.logEvent(sensitive('carol', 'carol-data'));
    const reopened = processWith('server-kek');
    expect((await reopened.query({ eventType: 'x.y' })).map((e) => [e.payload, e.additionalData?.secret])).toEqual([
      ['opened', 'alice-data'],
      ['opened', 'carol-data'],
    ]);
    // and the other KEK is now refused as soon as it opens
    await expect(processWith('shell-kek').open()).rejects.toMatchObject({ code: 'ERR_KEY_MISSING', details: { option: 'audit.encryptionKey' } });
    expect(await recorded()).toEqual([kekFingerprint(Buffer.from(serverKek, 'base64'))]);
  });

  it('two processes with different KEKs racing for the first data key: one wins, the other writes nothing', async () => {
    writeKek('kek-a');
    writeKek('kek-b');
    const [a, b] = [processWith('kek-a'), processWith('kek-b')];
    await Promise.all([a.open(), b.open()]);
    const outcomes = await Promise.allSettled([a.logEvent(sensitive('alice', 'from-a')), b.logEvent(sensitive('alice', 'from-b'))]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    const lost = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected')!;
    expect(lost.reason).toMatchObject({ code: 'ERR_KEY_MISSING', details: { option: 'audit.encryptionKey' } });
    const winner = outcomes[0]!.status === 'fulfilled' ? 'kek-a' : 'kek-b';
    expect(await dataKeyCount()).toBe(1);
    expect((await processWith(winner).query()).map((e) => [e.payload, e.additionalData?.secret])).toEqual([['opened', winner === 'kek-a' ? 'from-a' : 'from-b']]);
  });

  it('a log from before fingerprints adopts its KEK from the newest live data key, and refuses another one', async () => {
    const kek = writeKek('kek');
    writeKek('other-kek');
    const old = processWith('kek');
    await old.logEvent(sensitive('alice', 'alice-data'));
    // what the migration leaves in a log that sealed payloads before it: data keys, no fingerprint
    await inspector.db.deleteFrom('audit_payload_kek').execute();

    await expect(processWith('other-kek').open()).rejects.toMatchObject({ code: 'ERR_KEY_MISSING', message: expect.stringContaining('does not open this audit log') });
    const upgraded = processWith('kek');
    expect((await upgraded.query()).map((e) => e.payload)).toEqual(['opened']);
    expect(await recorded()).toEqual([]);
    // recorded with the next data key, under the writer lock
    await upgraded.logEvent(sensitive('bob', 'bob-data'));
    const fingerprint = kekFingerprint(Buffer.from(kek, 'base64'));
    expect(await recorded()).toEqual([fingerprint]);
    expect(fingerprint.equals(Buffer.from(kek, 'base64'))).toBe(false);
    expect((await processWith('kek').query()).map((e) => e.payload)).toEqual(['opened', 'opened']);
  });

  it('a process opened before an older version wrote the first data key is refused by that key, though no fingerprint is recorded', async () => {
    writeKek('kek');
    writeKek('other-kek');
    const late = processWith('other-kek');
    await late.open();
    await processWith('kek').logEvent(sensitive('alice', 'alice-data'));
    // an older version of LangTrain made that data key: it recorded no fingerprint
    await inspector.db.deleteFrom('audit_payload_kek').execute();
    const keysBefore = await dataKeyCount();
    await expect(late.logEvent(sensitive('bob', 'bob-data'))).rejects.toMatchObject({ code: 'ERR_KEY_MISSING', details: { option: 'audit.encryptionKey' } });
    expect(await dataKeyCount()).toBe(keysBefore);
    expect(await recorded()).toEqual([]);
  });
});
