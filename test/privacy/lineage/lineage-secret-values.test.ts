import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LineageStore } from '../../../src/privacy/lineage/lineage-store.js';
import { lineageMigrations } from '../../../src/privacy/lineage/schema.js';
import { openStore, type Store } from '../../../src/store/database.js';
import { migrate } from '../../../src/store/migrations.js';
import { RecordedEvents } from '../../support/recorded-events.js';
import { storeUrls } from '../../support/services.js';

const digestOf = (label: string) => `sha256:${createHash('sha256').update(label).digest('hex')}`;
const [RAW, OUT] = [digestOf('raw'), digestOf('out')];

// Built at run time, so that secret scanners do not flag this file; each is a format the
// api_key recognizer knows. The clear part that must never be echoed is `leak`.
const SECRETS: Array<{ label: string; value: string; leak: string }> = [
  { label: 'a PostgreSQL URL with a password', value: 'postgres://u:s3cr3t@h/db', leak: 's3cr3t' },
  { label: 'a Redis URL with only a password', value: 'redis://:hunter2pw@cache:6379/0', leak: 'hunter2pw' },
  { label: 'a GitHub token', value: `ghp_${'A1b2C3d4E5'.repeat(3)}abcdef`, leak: 'A1b2C3d4E5' },
  { label: 'an AWS access key id, inside prose', value: `copied with AKIA${'QWERTYUIOPASDFGH'} from s3`, leak: 'QWERTYUIOPASDFGH' },
  { label: 'a PEM private key', value: `-----BEGIN ${'PRIVATE'} KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END ${'PRIVATE'} KEY-----`, leak: 'MIIEvQIBADANBgkq' },
];

const { make } = storeUrls('lineage-secrets')[0]!;

describe('LineageStore refuses parameter values that hold a secret', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let audit: RecordedEvents;
  let lineage: LineageStore;
  const edge = (parameters: Record<string, unknown>, outputDigest = OUT) =>
    lineage.recordTransformation({ inputDigest: RAW, outputDigest, operation: 'import', parameters: parameters as never, actor: 'pipeline@example.com' });
  const refusal = (parameters: Record<string, unknown>) => edge(parameters).then(() => { throw new Error('recorded'); }, (err: unknown) => err as Error & { code: string; details: Record<string, unknown> });

  beforeEach(async () => {
    const made = make();
    cleanup = made.cleanup;
    store = await openStore(made.url);
    await migrate(store, 'lineage', lineageMigrations);
    audit = new RecordedEvents();
    lineage = new LineageStore({ store, audit });
  });
  afterEach(async () => {
    await store.close();
    await cleanup();
  });

  it.each(SECRETS)('refuses $label, naming the parameter and the entity type, never the value; records and audits nothing', async ({ value, leak }) => {
    const err = await refusal({ conn: value });
    expect(err).toMatchObject({ code: 'ERR_INVALID_INPUT', details: { field: 'parameters.conn', entityType: 'api_key' } });
    expect(err.message).toContain('parameters.conn');
    expect(err.message).toContain('api_key');
    expect(err.message).toMatch(/reference/);
    expect(err.message).toContain('conn_secret_name');
    expect(JSON.stringify({ message: err.message, details: err.details })).not.toContain(leak);
    expect(audit.events).toEqual([]);
    expect((await lineage.lineageOf(OUT, { direction: 'upstream' })).edges).toEqual([]);
  });

  it('checks nested values and list items, naming their key path', async () => {
    expect(await refusal({ source: { connection: 'postgres://u:s3cr3t@h/db' } })).toMatchObject({ details: { field: 'parameters.source.connection' } });
    const inList = await refusal({ stages: [{ op: 'copy' }, { from: 'mysql://root:toor99@db:3306/x' }] });
    expect(inList).toMatchObject({ details: { field: 'parameters.stages[1].from' } });
    expect(inList.message).toContain('from_secret_name');
    expect((await refusal({ hosts: ['ok', 'amqp://guest:g0est@mq/'] })).details).toMatchObject({ field: 'parameters.hosts[1]' });
    expect(audit.events).toEqual([]);
  });

  it('refuses a secret in a key without repeating the key', async () => {
    const err = await refusal({ targets: { 'postgres://u:s3cr3t@h/db': true } });
    expect(err).toMatchObject({ code: 'ERR_INVALID_INPUT', details: { field: 'parameters.targets', entityType: 'api_key' } });
    expect(err.message).not.toContain('s3cr3t');
    expect(JSON.stringify(err.details)).not.toContain('s3cr3t');
  });

  it('accepts references, URLs without a password, placeholders and ordinary settings', async () => {
    const parameters = {
      conn_secret_name: 'prod-db',
      source: 'postgres://etl@db.internal:5432/warehouse',
      template: 'postgres://etl:${DB_PASSWORD}@db/warehouse',
      masked: 'redis://:****@cache:6379',
      dataset: 'https://huggingface.co/datasets/org/name',
      model: 'sk-like-but-not-a-key',
      digest: RAW,
      epochs: 3,
      types: ['email', 'phone'],
    };
    await expect(edge(parameters)).resolves.toMatchObject({ operation: 'import', parameters });
    expect(audit.of('lineage.recorded')).toHaveLength(1);
  });
});
