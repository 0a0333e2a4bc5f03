import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { affectedArtifactsDigest, ERASURE_ARTIFACTS_EVENT } from '../../src/privacy/erasure-record.js';
import { SUBJECTS } from '../../src/privacy/lineage/schema.js';
import { SecurityManager } from '../../src/security-manager.js';
import { storeUrls, tempDir } from '../support/services.js';

/** eraseSubject with shredAuditTrail, on a real audit log that seals payloads (and one that does not). */
describe.each(storeUrls('erasure-audit'))('erasure of the audit trail on $dialect', ({ make }) => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const open = async (encryption: boolean) => {
    const dir = tempDir('erasure-audit');
    const store = make();
    const security = await SecurityManager.open({
      env: {},
      config: { store: { url: store.url }, crypto: { kek: `file:${join(dir.path, 'kek')}` }, audit: { encryption, encryptionKey: `file:${join(dir.path, 'audit-kek')}` } },
    });
    cleanups.push(() => dir.cleanup(), () => store.cleanup(), () => security.close());
    return security;
  };

  it('makes the payloads of the subject\'s earlier events unreadable, keeps everyone else\'s, and records the erasure readably after', async () => {
    const security = await open(true);
    const consent = await security.consentManager();
    await consent.recordConsent({ userId: 'alice', dataTypes: ['email'], purposes: ['support'] });
    await consent.recordConsent({ userId: 'bob', dataTypes: ['email'], purposes: ['support'] });

    const report = await security.eraseSubject('alice', { actor: 'dpo', shredAuditTrail: true });
    expect(report.auditKeysShredded).toBeGreaterThanOrEqual(1);
    const recorded = await security.audit.query({ eventType: 'consent.recorded' });
    const byUser = Object.fromEntries(recorded.map((e) => [e.userId, e]));
    expect(byUser['bob']).toMatchObject({ payload: 'opened', additionalData: { dataTypes: ['email'] } });
    // alice's entry is still there (and the log verifies), but no one can read what she consented to
    const alice = recorded.find((e) => e.userId !== 'bob')!;
    expect(alice).toMatchObject({ payload: 'shredded' });
    expect(alice.additionalData).toBeUndefined();
    const [erased] = await security.audit.query({ eventType: 'privacy.subject_erased' });
    expect(erased).toMatchObject({ payload: 'opened', additionalData: { actor: 'dpo', auditKeysShredded: report.auditKeysShredded } });
    await security.audit.checkpoint(); // verification needs a signed checkpoint over the entries
    expect((await security.audit.verify()).ok).toBe(true);

    // without the option the trail is kept
    const kept = await security.eraseSubject('bob', { actor: 'dpo' });
    expect(kept).not.toHaveProperty('auditKeysShredded');
    expect((await security.audit.query({ eventType: 'consent.recorded' })).find((e) => e.userId === 'bob')).toMatchObject({ payload: 'opened' });
  });

  it('records the erasure of a subject held in 800 data sets in the real log, its list paged, the log still verifying', async () => {
    const security = await open(true);
    const lineage = await security.lineage();
    const digests = Array.from({ length: 800 }, (_, i) => `sha256:${i.toString(16).padStart(64, '0')}`);
    await lineage.recordSubjects(digests[0]!, ['alice']);
    // the other 799 straight to the table, as 799 recordSubjects would write them (each an audited transaction)
    for (let i = 1; i < digests.length; i += 200) await security.store.db.insertInto(SUBJECTS).values(digests.slice(i, i + 200).map((digest) => ({ digest, subject_id: 'alice' }))).execute();
    const report = await security.eraseSubject('alice', { actor: 'dpo' });
    expect(report.affectedArtifacts).toHaveLength(800);
    const [erased] = await security.audit.query({ eventType: 'privacy.subject_erased' });
    expect(erased).toMatchObject({ payload: 'opened', result: 'success', additionalData: { affectedArtifactCount: 800, affectedArtifactsSha256: affectedArtifactsDigest(report.affectedArtifacts) } });
    const pages = await security.audit.query({ eventType: ERASURE_ARTIFACTS_EVENT });
    expect(pages.length).toBe((erased!.additionalData!.affectedArtifactPages as number) - 1);
    expect(pages.every((page) => page.additionalData?.erasureId === erased!.additionalData!.erasureId)).toBe(true);
    const listed = [erased!, ...pages].flatMap((e) => e.additionalData!.affectedArtifacts as Array<{ digest: string }>);
    expect(listed.map((a) => a.digest)).toEqual(report.affectedArtifacts.map((a) => a.digest));
    await security.audit.checkpoint();
    expect((await security.audit.verify()).ok).toBe(true);
  });

  it('is refused before anything is deleted on a log that stores payloads in clear', async () => {
    const security = await open(false);
    const consent = await security.consentManager();
    await consent.recordConsent({ userId: 'alice', dataTypes: ['email'], purposes: ['support'] });
    await expect(security.eraseSubject('alice', { actor: 'dpo', shredAuditTrail: true })).rejects.toMatchObject({
      code: 'ERR_INVALID_INPUT',
      message: expect.stringMatching(/^shredAuditTrail needs an audit log with encryption: true .*: set audit\.encryption: true in the configuration, or LANGTRAIN_AUDIT_ENCRYPTION=true$/),
      details: { field: 'shredAuditTrail' },
    });
    expect(await consent.history('alice')).toHaveLength(1);
  });

  it('is refused before anything is deleted from a process whose audit settings do not match the sealing log: no encryption, or another key', async () => {
    const dir = tempDir('erasure-audit-operator');
    const store = make();
    const managerWith = async (audit: { encryption: boolean; encryptionKey?: string }) => {
      const security = await SecurityManager.open({ env: {}, config: { store: { url: store.url }, crypto: { kek: `file:${join(dir.path, 'kek')}` }, audit } });
      cleanups.push(() => security.close());
      return security;
    };
    cleanups.push(() => dir.cleanup(), () => store.cleanup());
    const server = await managerWith({ encryption: true, encryptionKey: `file:${join(dir.path, 'audit-kek')}` });
    await (await server.consentManager()).recordConsent({ userId: 'alice', dataTypes: ['email'], purposes: ['support'] });

    // the operator's shell lacks LANGTRAIN_AUDIT_ENCRYPTION: its erasure record would name alice in clear, for good
    const clear = await managerWith({ encryption: false });
    await expect(clear.eraseSubject('alice', { actor: 'dpo' })).rejects.toMatchObject({ code: 'ERR_CONFIG_INVALID', details: { option: 'audit.encryption' } });
    // a relative key path read from another directory: a key that is not there (never made now), or
    // another one, whose shred would destroy nothing: refused as the audit log opens
    const operatorKey = join(dir.path, 'operator-audit-kek');
    await expect(managerWith({ encryption: true, encryptionKey: `file:${operatorKey}` })).rejects.toMatchObject({ code: 'ERR_KEY_MISSING', details: { option: 'audit.encryptionKey' } });
    expect(existsSync(operatorKey)).toBe(false);
    writeFileSync(operatorKey, randomBytes(32).toString('base64'));
    await expect(managerWith({ encryption: true, encryptionKey: `file:${operatorKey}` })).rejects.toMatchObject({ code: 'ERR_KEY_MISSING', message: expect.stringContaining('does not open') });

    expect(await (await server.consentManager()).history('alice')).toHaveLength(1);
    expect((await server.audit.query({ eventType: 'privacy.subject_erased' })).length).toBe(0);
  });

  it('refuses a misspelt option (shredAuditTrial, encryptionkey) before anything is deleted, naming the supported ones', async () => {
    const security = await open(true);
    const consent = await security.consentManager();
    await consent.recordConsent({ userId: 'alice', dataTypes: ['email'], purposes: ['support'] });
    for (const options of [{ actor: 'dpo', shredAuditTrial: true }, { actor: 'dpo', encryptionkey: 'datasets' }, { actr: 'dpo' }]) {
      await expect(security.eraseSubject('alice', options as never)).rejects.toMatchObject({
        code: 'ERR_CONFIG_UNSUPPORTED_OPTION',
        message: expect.stringMatching(/^eraseSubject: unknown option \w+ \(supported: actor, encryptionKey, shredAuditTrail\)$/),
      });
    }
    await expect(security.eraseSubject('alice', { actor: 'dpo', shredAuditTrail: 'yes' } as never)).rejects.toThrow(/shredAuditTrail/);
    expect(await consent.history('alice')).toHaveLength(1);
    expect((await security.audit.query({ eventType: 'consent.recorded' }))[0]).toMatchObject({ payload: 'opened' });
    await expect(security.exportSubject('alice', { actr: 'dpo' } as never)).rejects.toThrow(/^exportSubject: unknown option actr \(supported: actor\)$/);
  });

  it('reports how many audit entries still name the subject in clear: all of them on a log without encryption, none once sealed and shredded', async () => {
    const clear = await open(false);
    const consent = await clear.consentManager();
    await consent.recordConsent({ userId: 'alice', dataTypes: ['email'], purposes: ['support'] });
    await consent.withdrawConsent({ userId: 'alice', dataTypes: ['email'] });
    await consent.recordConsent({ userId: 'bob', dataTypes: ['email'], purposes: ['support'] });
    const report = await clear.eraseSubject('alice', { actor: 'dpo' });
    // the grant, the withdrawal, and this erasure's own record: readable by anyone who reads the log
    expect(report.auditEntriesInClear).toBe(3);
    expect((await clear.audit.query({ userId: 'alice' })).filter((e) => e.payload === 'clear')).toHaveLength(3);
    const [erased] = await clear.audit.query({ eventType: 'privacy.subject_erased' });
    expect(erased?.additionalData).toMatchObject({ auditEntriesInClear: 3 });

    const sealed = await open(true);
    await (await sealed.consentManager()).recordConsent({ userId: 'alice', dataTypes: ['email'], purposes: ['support'] });
    expect((await sealed.eraseSubject('alice', { actor: 'dpo', shredAuditTrail: true })).auditEntriesInClear).toBe(0);
  });

  it('counts in auditEntriesInClear every entry that stores the id in clear, its payload opened or shredded: an edge the subject ran, a budget they created', async () => {
    const security = await open(true);
    await (await security.consentManager()).recordConsent({ userId: 'alice', dataTypes: ['email'], purposes: ['support'] });
    await (await security.lineage()).recordTransformation({ inputDigest: `sha256:${'a'.repeat(64)}`, outputDigest: `sha256:${'b'.repeat(64)}`, operation: 'redact', actor: 'alice' });
    await (await security.privacyBudgets()).createBudget({ unit: 'dataset:tickets-v2', epsilon: 8, delta: 1e-5 }, 'alice');

    const report = await security.eraseSubject('alice', { actor: 'dpo' });
    // an actor's id is no sensitive field: those two entries name alice in clear, though this log opens their payloads
    const inClear = (await security.audit.query({ userId: 'alice' })).filter((e) => !e.userIdSealed);
    expect(inClear.map((e) => [e.eventType, e.payload, e.userId])).toEqual([
      ['lineage.recorded', 'opened', 'alice'],
      ['privacy.budget_created', 'opened', 'alice'],
    ]);
    expect(report.auditEntriesInClear).toBe(2);
    const [erased] = await security.audit.query({ eventType: 'privacy.subject_erased' });
    expect(erased?.additionalData).toMatchObject({ auditEntriesInClear: 2 });
    // shredding takes their payloads, not the id in the entry: still counted
    expect((await security.eraseSubject('alice', { actor: 'dpo', shredAuditTrail: true })).auditEntriesInClear).toBe(2);
  });

  it("leaves nothing in the audit log that leads to an erased actor: others' consent events name them by a pseudonym, its key deleted", async () => {
    const security = await open(true);
    const consent = await security.consentManager();
    await consent.recordConsent({ userId: 'alice', dataTypes: ['email'], purposes: ['support'] });
    await consent.recordConsent({ userId: 'bob', dataTypes: ['email'], purposes: ['support'], actor: 'alice' });
    await consent.withdrawConsent({ userId: 'bob', dataTypes: ['email'], actor: 'alice' });

    const report = await security.eraseSubject('alice', { actor: 'dpo', shredAuditTrail: true });
    expect(report).toMatchObject({ consentActorsErased: 2, auditEntriesInClear: 0, auditEntriesNamingAsActor: 0 });
    const entries = await security.audit.query({ limit: 10_000 });
    // bob's proof of consent still opens; only this erasure's own record names her (Art. 5(2)), under a new key
    expect(entries.filter((e) => e.eventType?.startsWith('consent.') && e.payload === 'opened').map((e) => e.userId)).toEqual(['bob', 'bob']);
    const opened = entries.filter((e) => e.eventType !== 'privacy.subject_erased').map((e) => JSON.stringify([e.userId, e.additionalData]));
    expect(opened.filter((text) => text.includes('alice'))).toEqual([]);
    const bodies = await security.store.db.selectFrom('audit_entries').select('body').execute();
    expect(bodies.filter((row) => String(row.body).includes('alice'))).toEqual([]);
  });

  it('counts the entries of others\' consent events written before the actor was pseudonymised, which name the erased actor where no shred of theirs reaches', async () => {
    for (const encryption of [true, false]) {
      const security = await open(encryption);
      // as consent events were audited before `actorRef`: the actor's id in the subject's payload
      const legacy = (userId: string, actor: string, eventType = 'consent.recorded') =>
        security.audit.record({ eventType, userId, ...(encryption ? { sensitive: ['userId' as const] } : {}), result: 'success', level: 'basic', additionalData: { seq: 1, dataTypes: ['email'], purposes: ['support'], actor } });
      await legacy('bob', 'alice');
      await legacy('bob', 'alice', 'consent.withdrawn');
      await legacy('bob', 'carol');
      await legacy('alice', 'alice'); // her own: counted as hers, reached by her shred

      const report = await security.eraseSubject('alice', { actor: 'dpo', shredAuditTrail: encryption });
      expect(report.auditEntriesNamingAsActor).toBe(2);
      const [erased] = await security.audit.query({ eventType: 'privacy.subject_erased' });
      expect(erased?.additionalData).toMatchObject({ auditEntriesNamingAsActor: 2 });
      const naming = (await security.audit.query({ limit: 10_000 })).filter((e) => e.userId === 'bob' && e.additionalData?.actor === 'alice');
      expect(naming).toHaveLength(2);
      if (!encryption) continue;
      // once bob's own trail is shredded, nothing readable names her there
      await security.eraseSubject('bob', { actor: 'dpo', shredAuditTrail: true });
      expect((await security.eraseSubject('alice', { actor: 'dpo' })).auditEntriesNamingAsActor).toBe(0);
    }
  });

  it('the Art. 15 export lists the subject\'s audit entries: event, time and result, the payload opened while their key exists', async () => {
    const security = await open(true);
    const consent = await security.consentManager();
    await consent.recordConsent({ userId: 'alice', dataTypes: ['email'], purposes: ['support'] });
    await consent.recordConsent({ userId: 'bob', dataTypes: ['email'], purposes: ['support'] });
    const exported = await security.exportSubject('alice', { actor: 'dpo' });
    expect(exported.domains.audit).toEqual({
      domain: 'audit',
      count: 1,
      truncated: false,
      entries: [{ index: expect.any(Number), eventType: 'consent.recorded', timestamp: expect.any(String), result: 'success', payload: 'opened', additionalData: expect.objectContaining({ dataTypes: ['email'] }) }],
    });
    const [recorded] = await security.audit.query({ eventType: 'privacy.subject_exported' });
    expect(recorded?.additionalData).toMatchObject({ auditEntries: 1 });

    // after the trail is shredded: the entries are still listed, their payloads no longer
    await security.eraseSubject('alice', { actor: 'dpo', shredAuditTrail: true });
    const after = await security.exportSubject('alice', { actor: 'dpo' });
    expect(after.domains.audit?.entries.map((e) => [e.eventType, e.payload])).toEqual([
      ['consent.recorded', 'shredded'],
      ['privacy.subject_exported', 'shredded'],
      ['audit.shredded', 'opened'], // the shred itself, by the subject's reference
      ['privacy.subject_erased', 'opened'],
    ]);
    expect(after.domains.audit?.entries.filter((e) => e.payload === 'shredded').every((e) => e.additionalData === undefined)).toBe(true);
  });
});
