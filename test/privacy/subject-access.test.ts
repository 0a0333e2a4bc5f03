import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EncryptionService } from '../../src/crypto/encryption-service.js';
import type { Keyring } from '../../src/crypto/keyring/keyring.js';
import type { BudgetLedger } from '../../src/privacy/budget/budget-ledger.js';
import type { ConsentManager } from '../../src/privacy/consent/consent-manager.js';
import { eraseSubject } from '../../src/privacy/erasure.js';
import type { LineageStore } from '../../src/privacy/lineage/lineage-store.js';
import { ERASED_ACTOR } from '../../src/privacy/subject-id.js';
import { exportSubject } from '../../src/privacy/subject-access.js';
import type { Store } from '../../src/store/database.js';
import { RecordedEvents } from '../support/recorded-events.js';
import { storeUrls } from '../support/services.js';
import { ACTOR, CLEAN, customer, MODEL, OTHER, place, RAW, subjectWorld } from './support/subject-world.js';

const NOW = new Date('2030-01-02T03:04:05.000Z');

describe.each(storeUrls('subject-access'))('exportSubject (GDPR Art. 15) on $dialect', ({ make }) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let audit: RecordedEvents;
  let consent: ConsentManager;
  let lineage: LineageStore;
  let budgets: BudgetLedger;
  let keyring: Keyring;
  let datasets: EncryptionService;
  let tickets: EncryptionService;

  beforeEach(async () => {
    const made = make();
    cleanup = made.cleanup;
    ({ store, audit, consent, lineage, budgets, keyring, datasets } = await subjectWorld(made.url, { clock: () => NOW }));
    tickets = new EncryptionService({ key: 'support-tickets', encryptionScope: 'record', secureDeletion: true, subjectField: 'user_id' }, keyring, audit);
    await datasets.encryptRecord(customer('alice'), place('1'));
    await tickets.encryptRecord(customer('bob'), place('2'));
  });
  afterEach(async () => {
    await store.close();
    await cleanup();
  });

  const deps = () => ({ consent, lineage, encryption: [datasets, tickets], audit, actor: ACTOR, clock: () => NOW });

  it('answers with one versioned document: consent as before, the artifacts holding the subject, the keys they have a key under', async () => {
    const exported = await exportSubject('alice', deps());
    expect(exported).toEqual({
      format: 'langtrain.subject-export',
      formatVersion: 1,
      generatedAt: NOW.toISOString(),
      subject: 'alice',
      domains: {
        // The consent section keeps the shape ConsentManager.subjectRecords has always had, and adds the events the subject recorded.
        consent: { ...(await consent.subjectRecords('alice')), eventsRecordedBy: [] },
        lineage: {
          domain: 'lineage',
          artifacts: [
            { digest: RAW, names: ['dataset:customers-v2'], via: 'direct' },
            { digest: CLEAN, names: [], via: 'downstream' },
            { digest: MODEL, names: ['model:classifier-3'], via: 'downstream' },
          ],
          edgesActedBy: [],
        },
        encryption: { domain: 'encryption', keysWithSubjectKey: ['datasets'] },
      },
    });
    expect(exported.domains.consent.events.map((e) => e.kind)).toEqual(['granted', 'withdrawn']);
    expect(exported.domains.consent.validConsents).toEqual([expect.objectContaining({ dataType: 'chat_transcripts', purpose: 'model_training' })]);
    // Nothing of another subject's.
    expect(JSON.stringify(exported)).not.toContain('bob');
    expect((await exportSubject('bob', deps())).domains).toMatchObject({ lineage: { artifacts: expect.arrayContaining([expect.objectContaining({ digest: OTHER, via: 'direct' })]) }, encryption: { keysWithSubjectKey: ['support-tickets'] } });
  });

  it('is audited as an access request: the subject id sensitive, counts only, never the content', async () => {
    audit.events.length = 0;
    await exportSubject('alice', deps());
    const recorded = audit.of('privacy.subject_exported');
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ userId: 'alice', sensitive: ['userId'], level: 'basic', result: 'success', timestamp: NOW.toISOString() });
    expect(recorded[0]!.additionalData).toEqual({ actor: ACTOR, formatVersion: 1, consentEvents: 2, consentEventsRecordedBy: 0, artifacts: 3, edgesActedBy: 0, keysWithSubjectKey: 1 });
    const payload = JSON.stringify(recorded[0]!.additionalData);
    for (const personal of ['alice', 'mail.example', 'chat_transcripts', 'model_training', 'customers-v2', RAW]) expect(payload).not.toContain(personal);
    // Only this record: reading creates no key and audits nothing else.
    expect(audit.events.map((e) => e.eventType)).toEqual(['privacy.subject_exported']);
  });

  it('an unknown subject gets empty sections, no key is created, and the request is still recorded', async () => {
    const keysBefore = (await keyring.list()).map((k) => k.name);
    const exported = await exportSubject('nobody', deps());
    expect(exported.domains).toEqual({
      consent: { domain: 'consent', subjectId: 'nobody', exportedAt: NOW.toISOString(), events: [], validConsents: [], eventsRecordedBy: [] },
      lineage: { domain: 'lineage', artifacts: [], edgesActedBy: [] },
      encryption: { domain: 'encryption', keysWithSubjectKey: [] },
    });
    expect((await keyring.list()).map((k) => k.name)).toEqual(keysBefore);
    expect(audit.of('privacy.subject_exported')).toEqual([expect.objectContaining({ userId: 'nobody', additionalData: expect.objectContaining({ consentEvents: 0, artifacts: 0 }) })]);
  });

  it('lists the lineage edges the subject ran, as their actor (edgesActedBy), oldest first, and none once they are erased', async () => {
    const evaluated = await lineage.recordTransformation({ inputDigest: MODEL, outputDigest: OTHER, operation: 'evaluate', parameters: { split: 'test' }, actor: 'alice' });
    await lineage.recordTransformation({ inputDigest: OTHER, outputDigest: RAW, operation: 'import', actor: 'bob' });
    const imported = await lineage.recordTransformation({ inputDigest: OTHER, outputDigest: CLEAN, operation: 'import', actor: 'alice' });
    const exported = await exportSubject('alice', deps());
    expect(exported.domains.lineage.edgesActedBy).toEqual([evaluated, imported]);
    expect(JSON.stringify(exported.domains.lineage)).not.toContain('bob');
    expect(audit.of('privacy.subject_exported').at(-1)!.additionalData).toMatchObject({ edgesActedBy: 2 });
    // The world's own edges were run by `pipeline`: an actor is found by its id like any subject.
    expect((await exportSubject('pipeline', deps())).domains.lineage.edgesActedBy.map((e) => e.operation)).toEqual(['redact', 'train']);

    await eraseSubject('alice', { consent, lineage, encryption: [datasets, tickets], audit, actor: ACTOR });
    expect((await exportSubject('alice', deps())).domains.lineage.edgesActedBy).toEqual([]);
    // `erased` stands for subjects already forgotten: its edges are no one's to export.
    expect((await exportSubject(ERASED_ACTOR, deps())).domains.lineage.edgesActedBy).toEqual([]);
  });

  it("lists the consent events the subject recorded for others (number, kind and time: nothing of the other subject's) and, with the ledger, the budgets they created and spent from", async () => {
    const grant = await consent.recordConsent({ userId: 'bob', dataTypes: ['chat_transcripts'], purposes: ['model_training'], actor: 'alice' });
    await consent.recordConsent({ userId: 'bob', dataTypes: ['chat_transcripts'], purposes: ['support'], actor: 'carol' });
    const withdrawal = await consent.withdrawConsent({ userId: 'bob', purposes: ['model_training'], actor: 'alice' });
    await budgets.createBudget({ unit: 'dataset:tickets-v2', epsilon: 8, delta: 1e-5 }, 'alice');
    await budgets.createBudget({ unit: 'dataset:chats-v1', epsilon: 8, delta: 1e-5 }, 'carol');
    const mechanism = { noiseMultiplier: 1.1, samplingRate: 0.01, steps: 100 };
    await budgets.reserve({ unit: 'dataset:chats-v1', ...mechanism, job: 'job-1', actor: 'alice' });
    await budgets.reserve({ unit: 'dataset:chats-v1', ...mechanism, job: 'job-2', actor: 'carol' });

    const exported = await exportSubject('alice', { ...deps(), budgets });
    expect(exported.domains.consent.eventsRecordedBy).toEqual([
      { seq: grant.seq, kind: 'granted', recordedAt: NOW.toISOString() },
      { seq: withdrawal.seq, kind: 'withdrawn', recordedAt: NOW.toISOString() },
    ]);
    expect(exported.domains.budgets).toEqual({
      domain: 'budgets',
      actedBy: {
        created: [{ unit: 'dataset:tickets-v2', createdAt: NOW.toISOString() }],
        spends: [expect.objectContaining({ unit: 'dataset:chats-v1', job: 'job-1', actor: 'alice', steps: 100, at: NOW.toISOString() })],
      },
    });
    expect(JSON.stringify(exported)).not.toContain('bob');
    expect(JSON.stringify(exported)).not.toContain('carol');
    expect(audit.of('privacy.subject_exported').at(-1)!.additionalData).toMatchObject({ consentEventsRecordedBy: 2, budgetsCreatedBy: 1, budgetSpendsBy: 1 });
    // without the ledger, no budgets section (and no count of it)
    expect((await exportSubject('alice', deps())).domains).not.toHaveProperty('budgets');

    await eraseSubject('alice', { consent, lineage, budgets, audit, actor: ACTOR });
    const after = await exportSubject('alice', { ...deps(), budgets });
    expect(after.domains.consent.eventsRecordedBy).toEqual([]);
    expect(after.domains.budgets?.actedBy).toEqual({ created: [], spends: [] });
    // `erased` stands for actors already forgotten: what they did is no one's to export
    const ofErased = await exportSubject(ERASED_ACTOR, { ...deps(), budgets });
    expect(ofErased.domains.consent.eventsRecordedBy).toEqual([]);
    expect(ofErased.domains.budgets?.actedBy).toEqual({ created: [], spends: [] });
  });

  it('after erasure, the export shows nothing left (a destroyed key is not listed)', async () => {
    await eraseSubject('alice', { consent, lineage, encryption: [datasets, tickets], audit, actor: ACTOR });
    const exported = await exportSubject('alice', deps());
    expect(exported.domains.consent.events).toEqual([]);
    expect(exported.domains.lineage.artifacts).toEqual([]);
    expect(exported.domains.lineage.edgesActedBy).toEqual([]);
    expect(exported.domains.encryption.keysWithSubjectKey).toEqual([]);
  });

  it('refuses, before reading or recording anything, a bad subject id, a missing actor or a service without per-subject keys', async () => {
    audit.events.length = 0;
    await expect(exportSubject('', deps())).rejects.toMatchObject({ details: { field: 'userId' } });
    await expect(exportSubject('alice', { ...deps(), actor: ' ' })).rejects.toMatchObject({ details: { field: 'actor' } });
    const shared = new EncryptionService({ encryptionScope: 'field', fields: ['email'] }, keyring, audit);
    await expect(exportSubject('alice', { ...deps(), encryption: [shared] })).rejects.toMatchObject({ details: { field: 'encryption' } });
    expect(audit.events).toEqual([]);
  });

  it('a failed audit write withholds the export (an access request must be answerable)', async () => {
    const failing = Object.assign(new RecordedEvents(), { record: async () => Promise.reject(new Error('audit log unavailable')) });
    await expect(exportSubject('alice', { ...deps(), audit: failing })).rejects.toThrow('audit log unavailable');
  });
});
