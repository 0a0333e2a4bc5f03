import { describe, expect, it } from 'vitest';
import { SecretsManager } from '../../src/secrets/secrets-manager.js';
import { parseSecretsManagerOptions } from '../../src/secrets/options.js';
import { RecordedEvents } from './support.js';

const audit = new RecordedEvents();
const vault = { address: 'https://vault.example.com:8200', token: 'env:VAULT_TOKEN' };

function refusal(options: unknown): { code: string; message: string } {
  try {
    parseSecretsManagerOptions(options);
  } catch (err) {
    return err as { code: string; message: string };
  }
  throw new Error('options were accepted');
}

describe('SecretsManager options', () => {
  it('takes the seed call in camelCase and fills defaults', () => {
    const settings = parseSecretsManagerOptions({ provider: 'aws_secrets_manager', encryption: 'AES-256', rotationSchedule: '30d', accessLogging: true, awsSecretsManager: { region: 'eu-west-1' } });
    expect(settings).toMatchObject({ provider: 'aws_secrets_manager', encryption: 'AES-256', rotationSchedule: 30 * 86_400_000, accessLogging: true });
    expect(settings.awsSecretsManager).toMatchObject({ region: 'eu-west-1', recoveryWindowDays: 30, forceDeleteWithoutRecovery: false, maxAttempts: 3 });
    expect(parseSecretsManagerOptions({})).toMatchObject({ provider: 'local', encryption: 'AES-256-GCM', rotationSchedule: null, accessLogging: true });
    expect(parseSecretsManagerOptions({ provider: 'vault', vault }).vault).toMatchObject({ mount: 'secret', cas: false, timeoutMs: 10_000 });
  });

  it('refuses an encryption other than AES-256 / AES-256-GCM, naming what is supported', () => {
    for (const encryption of ['AES-128', 'ChaCha20-Poly1305', 'aes-256', 'none']) {
      const err = refusal({ encryption });
      expect(err.code).toBe('ERR_CONFIG_UNSUPPORTED_OPTION');
      expect(err.message).toContain('encryption: not supported; supported: AES-256, AES-256-GCM');
    }
  });

  it('refuses unknown options and providers by name', () => {
    const unknown = refusal({ provider: 'local', rotation_schedule: '30d' });
    expect(unknown.code).toBe('ERR_CONFIG_UNSUPPORTED_OPTION');
    expect(unknown.message).toContain('unknown option rotation_schedule (supported: provider, encryption, rotationSchedule, accessLogging, vault, awsSecretsManager, azureKv)');
    const provider = refusal({ provider: 'gcp_secret_manager' });
    expect(provider.code).toBe('ERR_CONFIG_UNSUPPORTED_OPTION');
    expect(provider.message).toContain('provider: not supported; supported: local, vault, aws_secrets_manager, azure_kv');
    const nested = refusal({ provider: 'vault', vault: { ...vault, kvVersion: 1 } });
    expect(nested.message).toContain('unknown option vault.kvVersion (supported: address, token, mount, namespace, cas, timeoutMs)');
  });

  it('refuses a section for another provider and a remote provider without its section', () => {
    const other = refusal({ provider: 'local', vault });
    expect(other.code).toBe('ERR_CONFIG_UNSUPPORTED_OPTION');
    expect(other.message).toContain('vault configures provider vault, but provider is local');
    const missing = refusal({ provider: 'azure_kv' });
    expect(missing.code).toBe('ERR_CONFIG_INVALID');
    expect(missing.message).toContain('provider azure_kv needs its section azureKv');
  });

  it('checks rotationSchedule and accessLogging', () => {
    expect(parseSecretsManagerOptions({ rotationSchedule: '8h' }).rotationSchedule).toBe(8 * 3_600_000);
    expect(parseSecretsManagerOptions({ rotationSchedule: null }).rotationSchedule).toBeNull();
    expect(refusal({ rotationSchedule: 'monthly' }).message).toContain('rotationSchedule: "monthly" is not a duration');
    expect(refusal({ rotationSchedule: '0d' }).message).toContain('must be greater than zero');
    const logging = refusal({ accessLogging: 'yes' });
    expect(logging.code).toBe('ERR_CONFIG_INVALID');
    expect(logging.message).toContain('accessLogging: expected boolean');
  });

  it('takes credentials only by reference and never echoes what was given', () => {
    const inline = refusal({ provider: 'vault', vault: { ...vault, token: 'hvs.CAESIJlongInlineTokenValue' } });
    expect(inline.message).toContain('vault.token: must be a reference, env:NAME or file:PATH');
    expect(inline.message).not.toContain('hvs.CAESIJ');
    const aws = refusal({ provider: 'aws_secrets_manager', awsSecretsManager: { region: 'eu-west-1', credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' } } });
    expect(aws.message).not.toContain('wJalrXUtnFEMI');
    expect(aws.message).not.toContain('AKIAIOSFODNN7EXAMPLE');
  });

  it('wants exactly one Azure credential', () => {
    expect(refusal({ provider: 'azure_kv', azureKv: { vaultUrl: 'https://v.vault.azure.net' } }).message).toContain('give exactly one of accessToken, clientSecret, credential');
    expect(
      refusal({ provider: 'azure_kv', azureKv: { vaultUrl: 'https://v.vault.azure.net', accessToken: 'env:T', credential: { getToken: async () => null } } }).message,
    ).toContain('give exactly one of accessToken, clientSecret, credential');
    expect(parseSecretsManagerOptions({ provider: 'azure_kv', azureKv: { vaultUrl: 'https://v.vault.azure.net', credential: { getToken: async () => null } } }).azureKv?.scope).toBe('https://vault.azure.net/.default');
  });

  it('refuses plain http to anything but loopback, and a local provider without store and keyring', () => {
    expect(() => new SecretsManager({ provider: 'vault', vault: { ...vault, address: 'http://vault.internal:8200' } }, { audit })).toThrow(
      /vault.address: http:\/\/vault.internal:8200 must use https \(plain http is allowed only to 127.0.0.1, ::1 or localhost\)/,
    );
    expect(() => new SecretsManager({ provider: 'vault', vault: { ...vault, address: 'http://127.0.0.1:8200' } }, { audit })).not.toThrow();
    expect(() => new SecretsManager({ provider: 'aws_secrets_manager', awsSecretsManager: { region: 'eu-west-1', endpoint: 'http://10.0.0.5' } }, { audit })).toThrow(/must use https/);
    expect(() => new SecretsManager({}, { audit })).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_INVALID', message: expect.stringContaining('pass deps.store and deps.keyring') }));
    expect(() => new SecretsManager({ provider: 'vault', vault }, {} as never)).toThrow(/needs an audit sink/);
  });
});
