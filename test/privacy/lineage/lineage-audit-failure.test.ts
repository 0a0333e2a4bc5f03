import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateEvent } from '../../../src/audit/entry.js';
import type { AuditEventInput } from '../../../src/core/audit-sink.js';
import { LangtrainError } from '../../../src/core/errors.js';
import { LineageStore } from '../../../src/privacy/lineage/lineage-store.js';
import { EDGES, lineageMigrations } from '../../../src/privacy/lineage/schema.js';
import { openStore, type Store } from '../../../src/store/database.js';
import { migrate } from '../../../src/store/migrations.js';
import { RecordedEvents } from '../../support/recorded-events.js';
import { storeUrls } from '../../support/services.js';

const digestOf = (label: string) => `sha256:${createHash('sha256').update(label).digest('hex')}`;
const [RAW, CLEAN] = [digestOf('raw'), digestOf('clean')];

/**
 * Validates each event as the audit log does (and refuses what it refuses), and fails the next
 * `failures` events (after running `before`), as a log that is down or closed does.
 */
class StrictAudit extends RecordedEvents {
  failures = 0;
  before: (() => Promise<void>) | undefined;
  readonly error = new LangtrainError('ERR_AUDIT_CLOSED', 'the audit log is closed');
  override async record(event: AuditEventInput) {
    validateEvent(event, new Date());
    if (this.failures > 0) {
      this.failures -= 1;
      await this.before?.();
      throw this.error;
    }
    return super.record(event);
  }
}

/** An object `levels` deep: { k: { k: … { k: 1 } } }. */
const nested = (levels: number): Record<string, unknown> => {
  let value: Record<string, unknown> = { k: 1 };
  for (let i = 1; i < levels; i += 1) value = { k: value };
  return value;
};

describe.each(storeUrls('lineage-audit'))('LineageStore and its audit log on $dialect', ({ make }) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let audit: StrictAudit;
  let lineage: LineageStore;
  const record = (parameters: Record<string, unknown> = { epochs: 3 }) =>
    lineage.recordTransformation({ inputDigest: RAW, outputDigest: CLEAN, operation: 'train', parameters: parameters as never, actor: 'jane.doe@example.com' });
  const storedEdges = async () => Number((await store.db.selectFrom(EDGES).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  beforeEach(async () => {
    const made = make();
    cleanup = made.cleanup;
    store = await openStore(made.url);
    await migrate(store, 'lineage', lineageMigrations);
    audit = new StrictAudit();
    lineage = new LineageStore({ store, audit });
  });
  afterEach(async () => {
    await store.close();
    await cleanup();
  });

  it('refuses before writing parameters the audit log would refuse: too deep (70 and 5000 levels), NUL, a __proto__ key', async () => {
    for (const parameters of [nested(70), nested(5000), { note: 'a\u0000b' }, JSON.parse('{"x":{"__proto__":1}}') as Record<string, unknown>]) {
      await expect(record(parameters)).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT', message: expect.stringMatching(/^(a key in )?parameters/) });
      expect(await storedEdges()).toBe(0);
    }
    expect(audit.events).toEqual([]);
    // The same step with settings the log takes is recorded once.
    await record();
    expect(await storedEdges()).toBe(1);
    expect(audit.of('lineage.recorded')).toHaveLength(1);
  });

  it('an edge whose audit record fails is taken back, and a retry records exactly one edge', async () => {
    audit.failures = 1;
    await expect(record()).rejects.toBe(audit.error);
    expect(await storedEdges()).toBe(0);
    expect((await lineage.lineageOf(CLEAN, { direction: 'upstream' })).edges).toEqual([]);
    expect(audit.of('lineage.recorded')).toEqual([]);

    const retried = await record();
    expect(await storedEdges()).toBe(1);
    expect((await lineage.lineageOf(CLEAN, { direction: 'upstream' })).edges).toEqual([retried]);
    expect(audit.of('lineage.recorded').map((e) => e.additionalData)).toEqual([{ ...retried }]);
  });

  it('takes back only its own edge: the edges before it stay', async () => {
    const first = await lineage.recordTransformation({ inputDigest: CLEAN, outputDigest: RAW, operation: 'decrypt', actor: 'ops' });
    audit.failures = 1;
    await expect(record()).rejects.toBe(audit.error);
    expect((await lineage.edgesActedBy('ops')).map((e) => e.seq)).toEqual([first.seq]);
    expect(await storedEdges()).toBe(1);
    // the number the taken-back edge had is not given again: the log may hold a record under it
    expect((await record()).seq).toBe(first.seq + 2);
  });

  it('when the edge cannot be taken back either, says it stands unaudited, by codes, number and operation only', async () => {
    audit.failures = 1;
    audit.before = async () => {
      await sql`ALTER TABLE ${sql.table(EDGES)} RENAME TO lineage_edges_away`.execute(store.db);
    };
    const failure = await record({ requested_in: 'ticket-4711' }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(LangtrainError);
    expect(failure).toMatchObject({ code: 'ERR_AUDIT_CLOSED', details: { unaudited: true, seq: 1, operation: 'train', auditFailure: 'ERR_AUDIT_CLOSED' }, cause: audit.error });
    const { message, details } = failure as LangtrainError;
    expect(message).toMatch(/^lineage edge 1 \(train\) was stored but could not be recorded in the audit log \(ERR_AUDIT_CLOSED\), nor taken back \(.+\): it stands unaudited/);
    for (const value of ['jane.doe', 'example.com', 'ticket-4711', RAW, CLEAN]) expect(message + JSON.stringify(details)).not.toContain(value);

    await sql`ALTER TABLE lineage_edges_away RENAME TO ${sql.table(EDGES)}`.execute(store.db);
    expect(await storedEdges()).toBe(1);
  });
  it('takes back a name whose audit record failed, so that naming it again records and audits it', async () => {
    audit.failures = 1;
    await expect(lineage.nameArtifact(CLEAN, 'dataset:clean-v1')).rejects.toBe(audit.error);
    await expect(lineage.resolve('dataset:clean-v1')).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    await lineage.nameArtifact(CLEAN, 'dataset:clean-v1');
    expect(audit.events.filter((e) => e.eventType === 'lineage.named')).toHaveLength(1);
  });
});
