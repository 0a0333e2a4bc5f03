import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EncryptionService } from '../../src/crypto/encryption-service.js';
import { Keyring } from '../../src/crypto/keyring/keyring.js';
import { kekFromKey } from '../../src/crypto/kms/local.js';
import { LangtrainError } from '../../src/core/errors.js';
import type { BudgetLedger } from '../../src/privacy/budget/budget-ledger.js';
import { BUDGETS } from '../../src/privacy/budget/schema.js';
import type { ConsentManager } from '../../src/privacy/consent/consent-manager.js';
import { CONSENT_TABLE } from '../../src/privacy/consent/schema.js';
import { eraseSubject } from '../../src/privacy/erasure.js';
import { affectedArtifactsDigest } from '../../src/privacy/erasure-record.js';
import type { LineageStore } from '../../src/privacy/lineage/lineage-store.js';
import { ERASED_ACTOR } from '../../src/privacy/subject-id.js';
import type { Store } from '../../src/store/database.js';
import { storeUrls } from '../support/services.js';
import { RecordedEvents } from '../support/recorded-events.js';
import { ACTOR, CLEAN, customer, MODEL, OTHER, place, RAW, subjectWorld } from './support/subject-world.js';

describe.each(storeUrls('erasure'))('eraseSubject on $dialect', ({ make }) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let audit: RecordedEvents;
  let consent: ConsentManager;
  let lineage: LineageStore;
  let budgets: BudgetLedger;
  let encryption: EncryptionService;
  let keyring: Keyring;

  beforeEach(async () => {
    const made = make();
    cleanup = made.cleanup;
    ({ store, audit, consent, lineage, budgets, keyring, datasets: encryption } = await subjectWorld(made.url));
  });
  afterEach(async () => {
    await store.close();
    await cleanup();
  });

  it('deletes consent and lineage links, shreds the key, lists the artifacts, and records it once', async () => {
    const sealedAlice = await encryption.encryptRecord(customer('alice'), place('1'));
    const sealedBob = await encryption.encryptRecord(customer('bob'), place('2'));
    audit.events.length = 0;

    const report = await eraseSubject('alice', { consent, lineage, encryption: [encryption], audit, actor: ACTOR });
    expect(report).toEqual({
      consentRecords: 2,
      consentActorsErased: 0,
      lineageActorsErased: 0,
      lineageLinks: 1,
      keysShredded: ['datasets'],
      keysShreddedBefore: [],
      affectedArtifacts: [
        { digest: RAW, names: ['dataset:customers-v2'], via: 'direct' },
        { digest: CLEAN, names: [], via: 'downstream' },
        { digest: MODEL, names: ['model:classifier-3'], via: 'downstream' },
      ],
    });
    expect(await consent.history('alice')).toEqual([]);
    expect(await lineage.artifactsContaining('alice')).toEqual([]);
    await expect(encryption.decryptRecord(sealedAlice, place('1'))).rejects.toMatchObject({ code: 'ERR_CRYPTO_KEY_DESTROYED' });
    // Others untouched; the graph, which names no one, stays.
    expect(await encryption.decryptRecord(sealedBob, place('2'))).toEqual(customer('bob'));
    expect(await consent.hasValidConsent('bob', 'email', 'model_training')).toBe(true);
    expect(new Set((await lineage.artifactsContaining('bob')).map((a) => a.digest))).toEqual(new Set([OTHER, RAW, CLEAN, MODEL]));
    expect((await lineage.lineageOf(MODEL, { direction: 'upstream' })).edges).toHaveLength(2);

    const erased = audit.of('privacy.subject_erased');
    expect(erased).toHaveLength(1);
    expect(erased[0]).toMatchObject({ userId: 'alice', sensitive: ['userId'], level: 'basic', result: 'success' });
    expect(erased[0]!.additionalData).toEqual({
      actor: ACTOR,
      consentRecords: 2,
      consentActorsErased: 0,
      lineageActorsErased: 0,
      lineageLinks: 1,
      keysShredded: ['datasets'],
      keysShreddedBefore: [],
      affectedArtifacts: report.affectedArtifacts,
      affectedArtifactCount: 3,
      affectedArtifactsSha256: affectedArtifactsDigest(report.affectedArtifacts),
    });
    const payload = JSON.stringify(erased[0]!.additionalData);
    for (const personal of ['alice', 'bob', 'mail.example', 'notes about', 'chat_transcripts', 'model_training']) expect(payload).not.toContain(personal);
  });

  it('erases an unknown subject with zeros, creates no key, and still records it', async () => {
    await encryption.encryptRecord(customer('bob'), place('2'));
    const keysBefore = (await keyring.list()).map((k) => k.name);
    const report = await eraseSubject('nobody', { consent, lineage, encryption: [encryption], audit, actor: ACTOR });
    expect(report).toEqual({ consentRecords: 0, consentActorsErased: 0, lineageActorsErased: 0, lineageLinks: 0, keysShredded: [], keysShreddedBefore: [], affectedArtifacts: [] });
    expect((await keyring.list()).map((k) => k.name)).toEqual(keysBefore);
    expect(audit.of('privacy.subject_erased')).toHaveLength(1);
    expect(audit.of('privacy.subject_erased')[0]).toMatchObject({ userId: 'nobody', additionalData: { consentRecords: 0, affectedArtifacts: [] } });
  });

  it("shreds the subject's key under every key given, and a second run finds nothing left to shred", async () => {
    const other = new EncryptionService({ key: 'support-tickets', encryptionScope: 'record', secureDeletion: true, subjectField: 'user_id' }, keyring, audit);
    const sealed = await other.encryptRecord(customer('alice'), place('7'));
    await encryption.encryptRecord(customer('alice'), place('1'));
    const first = await eraseSubject('alice', { consent, lineage, encryption: [encryption, other], audit, actor: ACTOR });
    expect(first.keysShredded).toEqual(['datasets', 'support-tickets']);
    await expect(other.decryptRecord(sealed, place('7'))).rejects.toMatchObject({ code: 'ERR_CRYPTO_KEY_DESTROYED' });
    const again = await eraseSubject('alice', { consent, lineage, encryption: [encryption, other], audit, actor: ACTOR });
    expect(again).toEqual({ consentRecords: 0, consentActorsErased: 0, lineageActorsErased: 0, lineageLinks: 0, keysShredded: [], keysShreddedBefore: ['datasets', 'support-tickets'], affectedArtifacts: [] });
  });

  it('a keyring its KEK does not open fails the erasure before anything is deleted', async () => {
    await encryption.encryptRecord(customer('alice'), place('1'));
    const wrongKek = randomBytes(32);
    const lockedOut = new Keyring(store, async () => kekFromKey('file:other', wrongKek), audit);
    const service = new EncryptionService({ encryptionScope: 'field', fields: ['email'], secureDeletion: true, subjectField: 'user_id' }, lockedOut, audit);
    await expect(eraseSubject('alice', { consent, lineage, encryption: [service], audit, actor: ACTOR })).rejects.toThrow();
    expect(await consent.history('alice')).toHaveLength(2);
    expect(await lineage.artifactsContaining('alice')).toHaveLength(3);
    expect(audit.of('privacy.subject_erased')).toEqual([]);
  });

  it('a run that fails part-way is recorded as a failure with what it did, says so, and a second run finishes and still lists the artifacts', async () => {
    const sealed = await encryption.encryptRecord(customer('alice'), place('1'));
    await sql`ALTER TABLE ${sql.table(CONSENT_TABLE)} RENAME TO consent_away`.execute(store.db);
    const failed = eraseSubject('alice', { consent, lineage, encryption: [encryption], audit, actor: ACTOR });
    await expect(failed).rejects.toThrow(/the erasure stopped part-way \(keys destroyed under: datasets; consent records deleted: 0; lineage edges with them as actor now erased: 0; consent events with them as actor now erased: 0; lineage links deleted: 0\).*it is safe to run it again to finish/);
    await expect(encryption.decryptRecord(sealed, place('1'))).rejects.toMatchObject({ code: 'ERR_CRYPTO_KEY_DESTROYED' });
    expect(audit.of('privacy.subject_erased')).toHaveLength(1);
    expect(audit.of('privacy.subject_erased')[0]).toMatchObject({ result: 'failure', additionalData: { keysShredded: ['datasets'], consentRecords: 0, affectedArtifacts: [{ digest: RAW }, { digest: CLEAN }, { digest: MODEL }] } });

    await sql`ALTER TABLE consent_away RENAME TO ${sql.table(CONSENT_TABLE)}`.execute(store.db);
    const finished = await eraseSubject('alice', { consent, lineage, encryption: [encryption], audit, actor: ACTOR });
    expect(finished).toMatchObject({ consentRecords: 2, lineageLinks: 1, keysShredded: [], keysShreddedBefore: ['datasets'] });
    expect(finished.affectedArtifacts.map((a) => a.digest)).toEqual([RAW, CLEAN, MODEL]);
    expect(audit.of('privacy.subject_erased').map((e) => e.result)).toEqual(['failure', 'success']);
  });

  it('a failure with the audit log down too throws the failure, saying (by code only) that it could not be audited', async () => {
    await encryption.encryptRecord(customer('alice'), place('1'));
    await sql`ALTER TABLE ${sql.table(CONSENT_TABLE)} RENAME TO consent_away`.execute(store.db);
    const auditDown = new LangtrainError('ERR_STORE_UNAVAILABLE', 'audit store unreachable while writing the event of alice');
    const brokenAudit = new (class extends RecordedEvents {
      override async record(event: Parameters<RecordedEvents['record']>[0]) {
        if (event.eventType === 'privacy.subject_erased') throw auditDown;
        return super.record(event);
      }
    })();
    const failure = await eraseSubject('alice', { consent, lineage, encryption: [encryption], audit: brokenAudit, actor: ACTOR }).then(
      () => expect.unreachable('failed'),
      (err: unknown) => err as LangtrainError,
    );
    expect(failure).not.toBe(auditDown);
    expect(failure.message).toMatch(/^the erasure stopped part-way \(keys destroyed under: datasets; consent records deleted: 0; lineage edges with them as actor now erased: 0; consent events with them as actor now erased: 0; lineage links deleted: 0\): .*; and the failure could not be audited \(ERR_STORE_UNAVAILABLE\); it is safe to run it again to finish$/);
    expect(failure.message).not.toContain('audit store unreachable');
    expect(failure.code).not.toBe('ERR_STORE_UNAVAILABLE');
    expect(failure.cause).toBeInstanceOf(Error);
    expect(failure.cause).not.toBe(auditDown);
    expect(failure.details).toMatchObject({ done: { keysShredded: ['datasets'], consentRecords: 0 }, auditFailure: 'ERR_STORE_UNAVAILABLE' });
    expect(JSON.stringify(failure.details)).not.toContain('alice');
    await sql`ALTER TABLE consent_away RENAME TO ${sql.table(CONSENT_TABLE)}`.execute(store.db);
  });

  it('an erasure done but not audited says so, with the report as its record', async () => {
    await encryption.encryptRecord(customer('alice'), place('1'));
    const brokenAudit = new (class extends RecordedEvents {
      override async record(event: Parameters<RecordedEvents['record']>[0]) {
        if (event.eventType === 'privacy.subject_erased') throw new LangtrainError('ERR_STORE_UNAVAILABLE', 'audit store unreachable');
        return super.record(event);
      }
    })();
    const failure = await eraseSubject('alice', { consent, lineage, encryption: [encryption], audit: brokenAudit, actor: ACTOR }).then(
      () => expect.unreachable('failed'),
      (err: unknown) => err as LangtrainError,
    );
    expect(failure.code).toBe('ERR_ERASURE_NOT_AUDITED');
    expect(failure.message).toMatch(/^the subject was erased \(keys destroyed under: datasets; consent records deleted: 2; lineage edges with them as actor now erased: 0; consent events with them as actor now erased: 0; lineage links deleted: 1; affected data sets and models: sha256:[0-9a-f]{64}, sha256:[0-9a-f]{64}, sha256:[0-9a-f]{64}\), but the erasure could not be recorded in the audit log \(ERR_STORE_UNAVAILABLE\); keep this message/);
    expect(failure.details).toMatchObject({ done: { keysShredded: ['datasets'], affectedArtifacts: [{ digest: RAW }, { digest: CLEAN }, { digest: MODEL }] }, auditFailure: 'ERR_STORE_UNAVAILABLE' });
    expect(await consent.history('alice')).toEqual([]);
  });

  it('an audit log that cannot be read for the in-clear count leaves the count out, not the finished erasure reported as failed', async () => {
    const unreadable = { query: async () => Promise.reject(new LangtrainError('ERR_STORE_UNAVAILABLE', 'audit store busy')) };
    const report = await eraseSubject('alice', { consent, lineage, audit, actor: ACTOR, auditLog: unreadable as never });
    expect(report).toMatchObject({ consentRecords: 2, lineageLinks: 1, affectedArtifacts: [{ digest: RAW }, { digest: CLEAN }, { digest: MODEL }] });
    expect(report.auditEntriesInClear).toBeUndefined();
    expect(audit.of('privacy.subject_erased').map((e) => e.result)).toEqual(['success']);
  });

  it("replaces the subject where they are a lineage edge's actor by `erased`, counts it, and leaves others' edges", async () => {
    await lineage.recordTransformation({ inputDigest: MODEL, outputDigest: OTHER, operation: 'evaluate', actor: 'alice' });
    await lineage.recordTransformation({ inputDigest: OTHER, outputDigest: CLEAN, operation: 'import', actor: 'alice' });
    await lineage.recordTransformation({ inputDigest: OTHER, outputDigest: RAW, operation: 'import', actor: 'bob' });
    audit.events.length = 0;
    const report = await eraseSubject('alice', { consent, lineage, audit, actor: ACTOR });
    expect(report).toMatchObject({ consentRecords: 2, lineageActorsErased: 2, lineageLinks: 1 });
    const edges = (await lineage.lineageOf(OTHER, { direction: 'upstream', depth: 1 })).edges.concat((await lineage.lineageOf(OTHER, { direction: 'downstream', depth: 1 })).edges);
    expect(edges.map((e) => [e.operation, e.actor]).sort()).toEqual([['evaluate', ERASED_ACTOR], ['import', 'bob'], ['import', ERASED_ACTOR]]);
    expect(JSON.stringify((await lineage.lineageOf(RAW, { direction: 'downstream' })).edges)).not.toContain('alice');
    expect(audit.of('privacy.subject_erased')[0]!.additionalData).toMatchObject({ lineageActorsErased: 2 });
    expect((await eraseSubject('alice', { consent, lineage, audit, actor: ACTOR })).lineageActorsErased).toBe(0);
  });

  it("replaces the subject by `erased` where they recorded another subject's consent events, created a privacy budget or reserved a spend; counts them; leaves the rest", async () => {
    const grant = await consent.recordConsent({ userId: 'bob', dataTypes: ['chat_transcripts'], purposes: ['model_training'], actor: 'alice' });
    const withdrawal = await consent.withdrawConsent({ userId: 'bob', dataTypes: ['email'], actor: 'alice' });
    const byCarol = await consent.recordConsent({ userId: 'bob', dataTypes: ['email'], purposes: ['support'], actor: 'carol' });
    await budgets.createBudget({ unit: 'dataset:tickets-v2', epsilon: 8, delta: 1e-5 }, 'alice');
    await budgets.createBudget({ unit: 'dataset:chats-v1', epsilon: 8, delta: 1e-5 }, 'carol');
    const mechanism = { noiseMultiplier: 1.1, samplingRate: 0.01, steps: 100 };
    await budgets.reserve({ unit: 'dataset:tickets-v2', ...mechanism, job: 'job-1', actor: 'alice' });
    await budgets.reserve({ unit: 'dataset:tickets-v2', ...mechanism, job: 'job-2', actor: 'carol' });
    await budgets.reserve({ unit: 'dataset:chats-v1', ...mechanism, job: 'job-3', actor: 'alice' });
    const spentBefore = (await budgets.budget('dataset:tickets-v2')).spentEpsilon;
    audit.events.length = 0;

    const report = await eraseSubject('alice', { consent, lineage, budgets, audit, actor: ACTOR });
    expect(report).toMatchObject({ consentRecords: 2, consentActorsErased: 2, budgetActorsErased: 3 });
    // bob's consent stays, his proof of it (Art. 7(1)): only who recorded it is gone
    expect((await consent.history('bob')).map((e) => [e.seq, e.actor])).toEqual([
      [expect.any(Number), null],
      [grant.seq, ERASED_ACTOR],
      [withdrawal.seq, ERASED_ACTOR],
      [byCarol.seq, 'carol'],
    ]);
    expect(await consent.hasValidConsent('bob', 'chat_transcripts', 'model_training')).toBe(true);
    // the spends stay (every later reservation composes them), their actor erased
    const tickets = await budgets.budget('dataset:tickets-v2');
    expect(tickets.spends.map((x) => [x.job, x.actor])).toEqual([['job-1', ERASED_ACTOR], ['job-2', 'carol']]);
    expect(tickets.spentEpsilon).toBe(spentBefore);
    expect((await budgets.budget('dataset:chats-v1')).spends.map((x) => x.actor)).toEqual([ERASED_ACTOR]);
    expect(await store.db.selectFrom(BUDGETS).select(['unit', 'created_by']).orderBy('unit').execute()).toEqual([
      { unit: 'dataset:chats-v1', created_by: 'carol' },
      { unit: 'dataset:tickets-v2', created_by: ERASED_ACTOR },
    ]);
    expect(audit.of('privacy.subject_erased')[0]!.additionalData).toMatchObject({ consentActorsErased: 2, budgetActorsErased: 3 });
    expect((await eraseSubject('alice', { consent, lineage, budgets, audit, actor: ACTOR })).consentActorsErased).toBe(0);
    expect((await eraseSubject('alice', { consent, lineage, budgets, audit, actor: ACTOR })).budgetActorsErased).toBe(0);
    // `erased` itself names no one: erasing it changes nothing
    expect(await eraseSubject(ERASED_ACTOR, { consent, lineage, budgets, audit, actor: ACTOR })).toMatchObject({ consentActorsErased: 0, budgetActorsErased: 0 });
    expect((await consent.history('bob')).filter((e) => e.actor === ERASED_ACTOR)).toHaveLength(2);
  });

  it('a run that fails part-way after the keys is finished by a second, the actors included', async () => {
    await consent.recordConsent({ userId: 'bob', dataTypes: ['chat_transcripts'], purposes: ['model_training'], actor: 'alice' });
    await budgets.createBudget({ unit: 'dataset:tickets-v2', epsilon: 8, delta: 1e-5 }, 'alice');
    await sql`ALTER TABLE ${sql.table(BUDGETS)} RENAME TO budgets_away`.execute(store.db);
    await expect(eraseSubject('alice', { consent, lineage, budgets, audit, actor: ACTOR })).rejects.toThrow(
      /the erasure stopped part-way \(.*; consent events with them as actor now erased: 1; privacy budgets and spends with them as actor now erased: 0; lineage links deleted: 0\).*it is safe to run it again to finish/,
    );
    await sql`ALTER TABLE budgets_away RENAME TO ${sql.table(BUDGETS)}`.execute(store.db);
    const finished = await eraseSubject('alice', { consent, lineage, budgets, audit, actor: ACTOR });
    expect(finished).toMatchObject({ consentActorsErased: 0, budgetActorsErased: 1, lineageLinks: 1 });
    expect(finished.affectedArtifacts.map((a) => a.digest)).toEqual([RAW, CLEAN, MODEL]);
  });

  it('works without an EncryptionService (nothing to shred)', async () => {
    const report = await eraseSubject('bob', { consent, lineage, audit, actor: ACTOR });
    expect(report).toMatchObject({ consentRecords: 1, lineageLinks: 2, keysShredded: [] });
    expect(new Set(report.affectedArtifacts.map((a) => a.digest))).toEqual(new Set([OTHER, RAW, CLEAN, MODEL]));
  });

  it('refuses, before deleting anything, a service without per-subject keys or a request without an actor', async () => {
    const shared = new EncryptionService({ encryptionScope: 'field', fields: ['email'] }, keyring, audit);
    await expect(eraseSubject('alice', { consent, lineage, encryption: [encryption, shared], audit, actor: ACTOR })).rejects.toMatchObject({ details: { field: 'encryption' } });
    await expect(eraseSubject('alice', { consent, lineage, audit, actor: '' })).rejects.toMatchObject({ details: { field: 'actor' } });
    await expect(eraseSubject('', { consent, lineage, audit, actor: ACTOR })).rejects.toMatchObject({ details: { field: 'userId' } });
    expect(await consent.history('alice')).toHaveLength(2);
    expect(await lineage.artifactsContaining('alice')).toHaveLength(3);
    expect(audit.of('privacy.subject_erased')).toEqual([]);
  });
});
