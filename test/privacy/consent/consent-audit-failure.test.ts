import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEventInput } from '../../../src/core/audit-sink.js';
import { LangtrainError } from '../../../src/core/errors.js';
import { ConsentManager } from '../../../src/privacy/consent/consent-manager.js';
import { CONSENT_TABLE, consentMigrations } from '../../../src/privacy/consent/schema.js';
import { openStore, type Store } from '../../../src/store/database.js';
import { migrate } from '../../../src/store/migrations.js';
import { storeUrls } from '../../support/services.js';
import { RecordedEvents } from '../../support/recorded-events.js';

/** An audit sink that fails the next `failures` events (after running `before`), as a log that is down or closed does. */
class FailingAudit extends RecordedEvents {
  failures = 0;
  before: (() => Promise<void>) | undefined;
  readonly error = new LangtrainError('ERR_AUDIT_CLOSED', 'the audit log is closed');
  override async record(event: AuditEventInput) {
    if (this.failures > 0) {
      this.failures -= 1;
      await this.before?.();
      throw this.error;
    }
    return super.record(event);
  }
}

describe.each(storeUrls('consent-audit'))('ConsentManager with a failing audit log on $dialect', ({ make }) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let audit: FailingAudit;
  let consent: ConsentManager;
  const grant = { userId: 'alice@mail.example', dataTypes: ['chat_transcripts'], purposes: ['model_training'] };

  beforeEach(async () => {
    const made = make();
    cleanup = made.cleanup;
    store = await openStore(made.url);
    await migrate(store, 'consent', consentMigrations);
    audit = new FailingAudit();
    consent = new ConsentManager({ store, audit });
  });
  afterEach(async () => {
    await store.close();
    await cleanup();
  });

  it('a grant whose audit record fails is taken back, and a retry records exactly one grant', async () => {
    audit.failures = 1;
    await expect(consent.recordConsent(grant)).rejects.toBe(audit.error);
    expect(await consent.history(grant.userId)).toEqual([]);
    expect(await consent.hasValidConsent(grant.userId, 'chat_transcripts', 'model_training')).toBe(false);
    expect(audit.of('consent.recorded')).toEqual([]);

    const retried = await consent.recordConsent(grant);
    const history = await consent.history(grant.userId);
    expect(history).toEqual([retried]);
    expect(history.filter((e) => e.kind === 'granted')).toHaveLength(1);
    expect(await consent.hasValidConsent(grant.userId, 'chat_transcripts', 'model_training')).toBe(true);
    expect(audit.of('consent.recorded')).toHaveLength(1);
    expect(audit.of('consent.recorded')[0]!.additionalData).toMatchObject({ seq: retried.seq });
    // The taken-back event's number is not given again: a record of it, had one been written, names no other event.
    expect(retried.seq).toBe(2);
  });

  it('a withdrawal whose audit record fails is taken back: the consent stands, and a retry withdraws it once', async () => {
    const given = await consent.recordConsent(grant);
    audit.failures = 1;
    await expect(consent.withdrawConsent({ userId: grant.userId })).rejects.toBe(audit.error);
    expect(await consent.history(grant.userId)).toEqual([given]);
    expect(await consent.hasValidConsent(grant.userId, 'chat_transcripts')).toBe(true);

    await consent.withdrawConsent({ userId: grant.userId });
    expect((await consent.history(grant.userId)).map((e) => e.kind)).toEqual(['granted', 'withdrawn']);
    expect(await consent.hasValidConsent(grant.userId, 'chat_transcripts')).toBe(false);
    expect(audit.of('consent.withdrawn')).toHaveLength(1);
  });

  it('when the event cannot be taken back either, says so by codes and number only, and the row is still there', async () => {
    audit.failures = 1;
    audit.before = async () => {
      await sql`ALTER TABLE ${sql.table(CONSENT_TABLE)} RENAME TO consent_away`.execute(store.db);
    };
    const failure = await consent.recordConsent(grant).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(LangtrainError);
    expect(failure).toMatchObject({ code: 'ERR_AUDIT_CLOSED', details: { unaudited: true, seq: 1, kind: 'granted', auditFailure: 'ERR_AUDIT_CLOSED' }, cause: audit.error });
    const { message, details } = failure as LangtrainError;
    expect(message).toMatch(/^consent event 1 \(granted\) was stored but could not be recorded in the audit log \(ERR_AUDIT_CLOSED\), nor taken back \(.+\)/);
    for (const personal of ['alice', 'mail.example']) expect(message + JSON.stringify(details)).not.toContain(personal);

    await sql`ALTER TABLE consent_away RENAME TO ${sql.table(CONSENT_TABLE)}`.execute(store.db);
    expect((await consent.history(grant.userId)).map((e) => e.seq)).toEqual([1]);
  });
});
