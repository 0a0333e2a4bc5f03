import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateEvent } from '../../src/audit/entry.js';
import { MAX_AUDIT_PAYLOAD_BYTES } from '../../src/core/audit-pages.js';
import type { AuditEventInput } from '../../src/core/audit-sink.js';
import { LangtrainError } from '../../src/core/errors.js';
import type { ConsentManager } from '../../src/privacy/consent/consent-manager.js';
import { CONSENT_TABLE } from '../../src/privacy/consent/schema.js';
import { eraseSubject, type AffectedArtifact } from '../../src/privacy/erasure.js';
import { affectedArtifactsDigest, artifactEntries, ERASURE_ARTIFACTS_EVENT } from '../../src/privacy/erasure-record.js';
import type { LineageStore } from '../../src/privacy/lineage/lineage-store.js';
import { NAMES, SUBJECTS } from '../../src/privacy/lineage/schema.js';
import type { Store } from '../../src/store/database.js';
import { RecordedEvents } from '../support/recorded-events.js';
import { storeUrls } from '../support/services.js';
import { ACTOR, subjectWorld } from './support/subject-world.js';

const digestOf = (label: string) => `sha256:${createHash('sha256').update(label).digest('hex')}`;

/** Recorded events as the audit log checks them: one it would refuse (a payload over 64 KiB) fails here too. */
class CheckedEvents extends RecordedEvents {
  override async record(event: AuditEventInput) {
    validateEvent(event, new Date());
    return super.record(event);
  }
}

/** The list the record's pages give, entries of one digest merged. */
function listedIn(events: readonly AuditEventInput[]): AffectedArtifact[] {
  const byDigest = new Map<string, AffectedArtifact>();
  for (const event of events) {
    for (const entry of event.additionalData!.affectedArtifacts as unknown as AffectedArtifact[]) {
      const seen = byDigest.get(entry.digest);
      if (seen) seen.names.push(...entry.names);
      else byDigest.set(entry.digest, { ...entry, names: [...entry.names] });
    }
  }
  return [...byDigest.values()];
}

describe('the erasure record of the affected artifacts', () => {
  const artifacts: AffectedArtifact[] = [
    { digest: digestOf('b'), names: ['model:m-2', 'dataset:a-1'], via: 'downstream' },
    { digest: digestOf('a'), names: [], via: 'direct' },
  ];

  it('commits to the list by SHA-256 of its RFC 8785 JSON, sorted by digest and names, whatever the order given', () => {
    const sorted = [...artifacts].sort((x, y) => (x.digest < y.digest ? -1 : 1)).map((a) => ({ digest: a.digest, names: [...a.names].sort(), via: a.via }));
    const expected = `sha256:${createHash('sha256').update(JSON.stringify(sorted)).digest('hex')}`;
    expect(affectedArtifactsDigest(artifacts)).toBe(expected);
    expect(affectedArtifactsDigest([...artifacts].reverse())).toBe(expected);
    expect(affectedArtifactsDigest([{ ...artifacts[0]!, via: 'direct' }, artifacts[1]!])).not.toBe(expected);
    expect(affectedArtifactsDigest([])).toBe(`sha256:${createHash('sha256').update('[]').digest('hex')}`);
  });

  it('lists an artifact with very many names as several entries of its digest, each at most 16 KiB, that merge back to it', () => {
    const names = Array.from({ length: 400 }, (_, i) => `dataset:${String(i).padStart(3, '0')}-${'x'.repeat(190)}`);
    const crowded = { digest: digestOf('c'), names, via: 'direct' as const };
    const entries = artifactEntries([artifacts[1]!, crowded]);
    expect(entries[0]).toEqual(artifacts[1]);
    expect(entries.length).toBeGreaterThan(5);
    for (const entry of entries) expect(Buffer.byteLength(JSON.stringify(entry))).toBeLessThanOrEqual(16 * 1024);
    expect(entries.slice(1).every((e) => e.digest === crowded.digest && e.via === 'direct')).toBe(true);
    expect(entries.slice(1).flatMap((e) => e.names)).toEqual(names);
  });
});

describe.each(storeUrls('erasure-record'))('erasing a subject in 800 artifacts on $dialect', ({ make }) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let consent: ConsentManager;
  let lineage: LineageStore;
  const many = Array.from({ length: 800 }, (_, i) => digestOf(`shard-${i}`));

  beforeEach(async () => {
    const made = make();
    cleanup = made.cleanup;
    ({ store, consent, lineage } = await subjectWorld(made.url));
    // the subject in 800 shards, each named: written straight to the tables, as 800 recordSubjects would
    for (let i = 0; i < many.length; i += 200) {
      const digests = many.slice(i, i + 200);
      await store.db.insertInto(SUBJECTS).values(digests.map((digest) => ({ digest, subject_id: 'alice' }))).execute();
      await store.db.insertInto(NAMES).values(digests.map((digest, j) => ({ digest, name: `dataset:customers-shard-${i + j}`, named_at: new Date().toISOString() }))).execute();
    }
  });
  afterEach(async () => {
    await store.close();
    await cleanup();
  });

  it('records the whole list, paged over events the log takes, with its count and digest; the report keeps it too', async () => {
    const audit = new CheckedEvents();
    const report = await eraseSubject('alice', { consent, lineage, audit, actor: ACTOR });
    expect(report.affectedArtifacts).toHaveLength(803); // the 800, and the world's RAW, CLEAN and MODEL
    expect(await lineage.artifactsContaining('alice')).toEqual([]);

    const [erased, ...more] = audit.events.filter((e) => e.eventType === 'privacy.subject_erased' || e.eventType === ERASURE_ARTIFACTS_EVENT);
    expect(erased).toMatchObject({ eventType: 'privacy.subject_erased', userId: 'alice', sensitive: ['userId'], result: 'success' });
    const head = erased!.additionalData!;
    expect(head).toMatchObject({ actor: ACTOR, lineageLinks: 801, affectedArtifactCount: 803, affectedArtifactsSha256: affectedArtifactsDigest(report.affectedArtifacts), affectedArtifactPages: more.length + 1 });
    expect(head.erasureId).toMatch(/^[0-9a-f-]{36}$/);
    expect(more.length).toBeGreaterThan(0);
    more.forEach((event, i) => {
      expect(event).toMatchObject({ eventType: ERASURE_ARTIFACTS_EVENT, result: 'success', level: 'basic', additionalData: { erasureId: head.erasureId, page: i + 2, pages: more.length + 1 } });
      expect(event).not.toHaveProperty('userId'); // digests and artifact names: they name no one
    });
    for (const event of [erased!, ...more]) expect(Buffer.byteLength(JSON.stringify(event.additionalData))).toBeLessThanOrEqual(MAX_AUDIT_PAYLOAD_BYTES);
    // the pages put together are the report's list, in its order, and hash to the recorded digest
    const listed = listedIn([erased!, ...more]);
    expect(listed).toEqual(report.affectedArtifacts);
    expect(affectedArtifactsDigest(listed)).toBe(head.affectedArtifactsSha256);
  });

  it('a page the log refuses fails the erasure as done but not fully audited, naming the pages missing, with the whole report', async () => {
    const audit = new (class extends CheckedEvents {
      override async record(event: AuditEventInput) {
        if (event.eventType === ERASURE_ARTIFACTS_EVENT) throw new LangtrainError('ERR_STORE_UNAVAILABLE', 'audit store unreachable');
        return super.record(event);
      }
    })();
    const failure = await eraseSubject('alice', { consent, lineage, audit, actor: ACTOR }).then(
      () => expect.unreachable('failed'),
      (err: unknown) => err as LangtrainError,
    );
    expect(failure.code).toBe('ERR_ERASURE_NOT_AUDITED');
    expect(failure.message).toMatch(/^the subject was erased \(.*\), but its audit record holds pages 1 to 1 of \d+ of the list of affected data sets and models \(and the count and SHA-256 of the whole list\): the others could not be written \(ERR_STORE_UNAVAILABLE\); keep this message as its record/);
    expect(failure.details).toMatchObject({ auditFailure: 'ERR_STORE_UNAVAILABLE' });
    expect((failure.details as { done: { affectedArtifacts: unknown[] } }).done.affectedArtifacts).toHaveLength(803);
    expect(audit.of('privacy.subject_erased')).toHaveLength(1);
  });

  it('a run that fails part-way is recorded as a failure, its list paged the same way', async () => {
    const audit = new CheckedEvents();
    await sql`ALTER TABLE ${sql.table(CONSENT_TABLE)} RENAME TO consent_away`.execute(store.db);
    await expect(eraseSubject('alice', { consent, lineage, audit, actor: ACTOR })).rejects.toThrow(/the erasure stopped part-way .*it is safe to run it again to finish/);
    await sql`ALTER TABLE consent_away RENAME TO ${sql.table(CONSENT_TABLE)}`.execute(store.db);
    const [erased, ...more] = audit.events.filter((e) => e.eventType === 'privacy.subject_erased' || e.eventType === ERASURE_ARTIFACTS_EVENT);
    expect(erased).toMatchObject({ result: 'failure', additionalData: { affectedArtifactCount: 803, affectedArtifactPages: more.length + 1 } });
    expect(more.length).toBeGreaterThan(0);
    expect(more.every((e) => e.result === 'failure')).toBe(true);
    expect(listedIn([erased!, ...more])).toHaveLength(803);
  });
});
