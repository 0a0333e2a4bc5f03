import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SecretsManager } from '../../src/secrets/secrets-manager.js';
import { storeUrls } from '../support/services.js';
import { AwsSecretsManagerStandIn, awsError } from './stand-ins/aws-secrets-manager.js';
import { AzureKeyVaultStandIn, kvError } from './stand-ins/azure-key-vault.js';
import type { HttpStandIn, RecordedRequest } from './stand-ins/http-stand-in.js';
import { VaultStandIn } from './stand-ins/vault.js';
import { RecordedEvents, errorTexts, openKeyedStore, withEnv } from './support.js';

/**
 * The rule "a secret value never appears in logs, errors, audit entries or exception
 * messages", checked on every provider across a run of every operation, failures included:
 * wrong and unknown versions, deleted secrets, invalid values, and provider errors whose
 * bodies quote the value (4xx echoing the request, 5xx echoing stored data).
 */
interface Harness {
  secrets: SecretsManager;
  /** Audit sinks to check (the keyring's too, for local). */
  sinks: RecordedEvents[];
  wrongVersion: string;
  /** Make the next write fail with a 4xx quoting the request, then (`read`) the next read with a 5xx quoting the value. */
  injectEcho?: (kind: 'write' | 'read', value: string) => void;
  /** Corrupt the stored data so a read fails after fetching it (local: a moved ciphertext). */
  corrupt?: (name: string) => Promise<void>;
  cleanup: () => Promise<void>;
}

type Fail = (status: number, text: string) => ReturnType<typeof kvError>;

const echo =
  (http: HttpStandIn, isWrite: (r: RecordedRequest) => boolean, isRead: (r: RecordedRequest) => boolean, reply: Fail) =>
  (kind: 'write' | 'read', value: string) => {
    if (kind === 'write') http.failWhen(isWrite, (r) => reply(400, `rejected request body: ${r.body}`));
    else http.failWhen(isRead, () => reply(500, `internal error while serving stored value ${value}`));
  };

const harnesses: Array<{ label: string; open: () => Promise<Harness> }> = [
  ...storeUrls('secrets-leak').map(({ dialect, make }) => ({
    label: `local on ${dialect}`,
    open: async (): Promise<Harness> => {
      const made = make();
      const { store, keyring, keyringAudit } = await openKeyedStore(made.url);
      const audit = new RecordedEvents();
      return {
        secrets: new SecretsManager({ rotationSchedule: '30d' }, { store, keyring, audit }),
        sinks: [audit, keyringAudit],
        wrongVersion: '99',
        corrupt: async (name) => {
          const other = await store.db.selectFrom('secret_versions').select('ciphertext').where('name', '=', 'decoy').executeTakeFirstOrThrow();
          await store.db.updateTable('secret_versions').set({ ciphertext: other.ciphertext }).where('name', '=', name).execute();
        },
        cleanup: async () => {
          await store.close();
          await made.cleanup();
        },
      };
    },
  })),
  {
    label: 'vault',
    open: async () => {
      const token = `hvs.${randomBytes(18).toString('base64url')}`;
      const vault = await VaultStandIn.start({ token });
      const restore = withEnv({ LEAK_VAULT_TOKEN: token });
      const audit = new RecordedEvents();
      return {
        secrets: new SecretsManager({ provider: 'vault', rotationSchedule: '30d', vault: { address: vault.url, token: 'env:LEAK_VAULT_TOKEN' } }, { audit }),
        sinks: [audit],
        wrongVersion: '99',
        injectEcho: echo(vault.http, (r) => r.method === 'POST' && r.path.includes('/data/'), (r) => r.method === 'GET' && r.path.includes('/data/'), (status, text) => ({ status, body: { errors: [text] } })),
        cleanup: async () => {
          await vault.close();
          restore();
        },
      };
    },
  },
  {
    label: 'aws_secrets_manager',
    open: async () => {
      const aws = await AwsSecretsManagerStandIn.start({ accessKeyId: 'AKIDLEAKTEST00000001', region: 'us-east-1' });
      const restore = withEnv({ LEAK_AWS_KEY_ID: 'AKIDLEAKTEST00000001', LEAK_AWS_SECRET: randomBytes(30).toString('base64') });
      const audit = new RecordedEvents();
      const target = (op: string) => (r: RecordedRequest) => r.headers['x-amz-target'] === `secretsmanager.${op}`;
      return {
        secrets: new SecretsManager(
          {
            provider: 'aws_secrets_manager',
            rotationSchedule: '30d',
            awsSecretsManager: { region: 'us-east-1', endpoint: aws.url, credentials: { accessKeyId: 'env:LEAK_AWS_KEY_ID', secretAccessKey: 'env:LEAK_AWS_SECRET' }, maxAttempts: 1 },
          },
          { audit },
        ),
        sinks: [audit],
        wrongVersion: '00000000-0000-4000-8000-000000000000',
        injectEcho: echo(aws.http, target('PutSecretValue'), target('GetSecretValue'), (status, text) => awsError(status, status >= 500 ? 'InternalServiceError' : 'InvalidParameterException', text)),
        cleanup: async () => {
          await aws.close();
          restore();
        },
      };
    },
  },
  {
    label: 'azure_kv',
    open: async () => {
      const clientSecret = randomBytes(24).toString('base64url');
      const azure = await AzureKeyVaultStandIn.start({ tenantId: 'leak-tenant', clientId: 'leak-client', clientSecret });
      const restore = withEnv({ LEAK_AZURE_SECRET: clientSecret });
      const audit = new RecordedEvents();
      return {
        secrets: new SecretsManager(
          { provider: 'azure_kv', rotationSchedule: '30d', azureKv: { vaultUrl: azure.url, clientSecret: { tenantId: 'leak-tenant', clientId: 'leak-client', secret: 'env:LEAK_AZURE_SECRET', authorityHost: azure.url } } },
          { audit },
        ),
        sinks: [audit],
        wrongVersion: 'ffffffffffffffffffffffffffffffff',
        injectEcho: echo(azure.http, (r) => r.method === 'PUT', (r) => r.method === 'GET' && /^\/secrets\/[^/]+$/.test(r.path), (status, text) => kvError(status, status >= 500 ? 'InternalServerError' : 'BadParameter', text)),
        cleanup: async () => {
          await azure.close();
          restore();
        },
      };
    },
  },
];

/** The value and the encodings in which it could slip out. */
function forms(value: string): string[] {
  const bytes = Buffer.from(value);
  return [value, bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex'), encodeURIComponent(value), JSON.stringify(value)];
}

describe.each(harnesses)('no secret value leaks: $label', ({ open }) => {
  let harness: Harness | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await harness?.secrets.close();
    await harness?.cleanup();
  });

  it('keeps every value out of audit events, errors and log output across all operations', async () => {
    harness = await open();
    const { secrets } = harness;
    const logged: string[] = [];
    for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(' ')));
    }
    const errors: unknown[] = [];
    const attempt = async (work: () => Promise<unknown>) => {
      try {
        await work();
      } catch (err) {
        errors.push(err);
      }
    };
    const values = [1, 2, 3, 4, 5].map((i) => `s3cr3t${i}-${randomBytes(12).toString('hex')}`);
    const [first, second, fromRotator, failedWrite, tooLong] = values as [string, string, string, string, string];
    const name = 'database_password';
    const tags = { environment: 'production', service: 'database' };

    const v1 = (await secrets.storeSecret({ name, value: first, tags })).version;
    await secrets.storeSecret({ name, value: second });
    await secrets.storeSecret({ name: 'decoy', value: 'decoy-value' });
    expect((await secrets.getSecret(name)).value).toBe(second);
    expect((await secrets.getSecret(name, { version: v1 })).value).toBe(first);
    await attempt(() => secrets.getSecret(name, { version: harness!.wrongVersion }));
    await attempt(() => secrets.getSecret('missing_secret'));
    await secrets.listSecrets();
    await secrets.listSecrets({ tag: { environment: 'production' } });
    await secrets.versions(name);
    await secrets.rotateSecret(name, () => fromRotator);
    await secrets.rotateSecret(name);
    const generated = (await secrets.getSecret(name)).value;
    values.push(generated);
    await secrets.rotateDue(new Date(Date.now() + 31 * DAY_MS));
    values.push((await secrets.getSecret(name)).value);
    await attempt(() => secrets.rotateSecret(name, () => ''));
    await attempt(() => secrets.storeSecret({ name, value: `${tooLong}${'x'.repeat(70_000)}` }));
    await attempt(() => secrets.storeSecret({ name, value: 42 as unknown as string }));
    if (harness.injectEcho) {
      const before = errors.length;
      harness.injectEcho('write', failedWrite);
      await attempt(() => secrets.storeSecret({ name, value: failedWrite }));
      harness.injectEcho('read', generated);
      await attempt(() => secrets.getSecret(name));
      // Both failed as injected: a 4xx on the write, a 5xx on the read.
      expect(errors.slice(before).map((e) => (e as { details?: { status?: number } }).details?.status)).toEqual([400, 500]);
    }
    if (harness.corrupt) {
      await harness.corrupt(name);
      await attempt(() => secrets.getSecret(name));
    }
    await secrets.deleteSecret(name);
    await attempt(() => secrets.getSecret(name));
    await attempt(() => secrets.getSecret(name, { version: v1 }));
    await attempt(() => secrets.deleteSecret(name));
    await attempt(() => secrets.rotateSecret(name));
    await attempt(() => secrets.versions(name));

    // Enough failures happened for the check to mean something.
    expect(errors.length).toBeGreaterThanOrEqual(harness.injectEcho ? 11 : 10);
    const events = harness.sinks.flatMap((s) => s.events);
    expect(events.some((e) => e.eventType === 'secrets.read' && e.result === 'failure')).toBe(true);
    const exposed = [JSON.stringify(events), ...errors.map(errorTexts), ...logged].join('\n');
    for (const value of values) {
      for (const form of forms(value)) expect(exposed).not.toContain(form);
    }
    // The failures named what went wrong without the value: a reader can still act on them.
    expect(errors.map((e) => (e as { code?: string }).code)).toContain('ERR_NOT_FOUND');
  });
});

const DAY_MS = 86_400_000;
