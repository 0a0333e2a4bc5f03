import { describe, expect, it } from 'vitest';
import { checkSecretName } from '../../src/secrets/check-secret-name.js';
import { checkTags, hasTags } from '../../src/secrets/check-tags.js';
import { codeForStatus, providerError, withholdIfQuoting } from '../../src/secrets/providers/provider-error.js';
import { azureName } from '../../src/secrets/providers/azure-key-vault.js';

describe('providerError', () => {
  it('maps statuses to codes', () => {
    expect([401, 403, 404, 409, 400, 412, 429, 500, 503, 307, undefined].map(codeForStatus)).toEqual([
      'ERR_PROVIDER_DENIED',
      'ERR_PROVIDER_DENIED',
      'ERR_NOT_FOUND',
      'ERR_INVALID_INPUT',
      'ERR_INVALID_INPUT',
      'ERR_INVALID_INPUT',
      'ERR_RATE_LIMITED',
      'ERR_STORE_UNAVAILABLE',
      'ERR_STORE_UNAVAILABLE',
      'ERR_STORE_UNAVAILABLE',
      'ERR_STORE_UNAVAILABLE',
    ]);
  });

  it('names the provider, operation, status and provider code, with a hint', () => {
    const err = providerError({ provider: 'vault', operation: 'reading secret db', status: 403, providerMessage: 'permission denied', sensitive: ['hvs.token'] });
    expect(err.message).toBe('HashiCorp Vault: reading secret db failed (HTTP 403): permission denied; check the credentials and the permissions they grant on this secret');
    expect(err.details).toEqual({ provider: 'vault', status: 403 });
    expect(err.cause).toBeUndefined();
    const aws = providerError({ provider: 'aws_secrets_manager', operation: 'x', status: 400, providerCode: 'Bad Code <script>', sensitive: [], code: 'ERR_NOT_FOUND' });
    expect(aws.code).toBe('ERR_NOT_FOUND');
    expect(aws.details['providerCode']).toBe('unrecognised-code');
  });

  it('withholds a message quoting any 8-character run of a sensitive string, in any common encoding', () => {
    const value = 'correct horse battery staple';
    const withheld = '(message withheld: it quoted a sensitive value)';
    expect(withholdIfQuoting(`bad value: ${value}`, [value])).toBe(withheld);
    expect(withholdIfQuoting('bad value: "correct horse…"', [value])).toBe(withheld);
    expect(withholdIfQuoting(`got ${Buffer.from(value).toString('base64')}`, [value])).toBe(withheld);
    expect(withholdIfQuoting(`got ${encodeURIComponent(value)}`, [value])).toBe(withheld);
    expect(withholdIfQuoting('line1\nline2', ['x'.repeat(40)])).toBe('line1 line2');
    expect(withholdIfQuoting('short secret ab here', ['ab'])).toBe(withheld);
    expect(withholdIfQuoting('y'.repeat(500), [])).toHaveLength(300);
    expect(withholdIfQuoting('   ', [])).toBeUndefined();
    // A 64 KiB value is checked in linear time.
    const big = 'v'.repeat(65_536);
    const started = performance.now();
    expect(withholdIfQuoting('nothing to see', [big])).toBe('nothing to see');
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('never quotes a server fault body', () => {
    const err = providerError({ provider: 'azure_kv', operation: 'reading secret db', status: 500, providerCode: 'InternalError', providerMessage: 'stack trace with stored data', sensitive: [] });
    expect(err.message).toBe('Azure Key Vault: reading secret db failed (HTTP 500 InternalError); check the address and that the service is up');
  });
});

describe('names and tags every provider can hold', () => {
  it('accepts the seed names and refuses the rest without echoing them', () => {
    for (const name of ['database_password', 'db-password', 'api.key', 'A1', 'x'.repeat(127)]) expect(checkSecretName(name)).toBe(name);
    for (const name of ['', '_leading', 'a/b', 'with space', 'x'.repeat(128), 42]) {
      expect(() => checkSecretName(name)).toThrow('secret name must be 1-127 letters, digits and _ . - starting with a letter or digit');
    }
  });

  it('checks tag count, alphabet, lengths and reserved prefixes', () => {
    expect(checkTags({ environment: 'production', 'cost center': 'ml/training', empty: '' })).toEqual({ environment: 'production', 'cost center': 'ml/training', empty: '' });
    expect(() => checkTags(Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`k${i}`, 'v'])))).toThrow('at most 14 tags per secret (got 15)');
    expect(() => checkTags({ 'aws:cloudformation': 'x' })).toThrow(/reserved prefix/);
    expect(() => checkTags({ 'langtrain-name': 'x' })).toThrow(/reserved prefix/);
    expect(() => checkTags({ 'bad*key': 'x' })).toThrow(/tag key "bad\*key"/);
    expect(() => checkTags({ k: 'v'.repeat(257) })).toThrow(/at most 256/);
    expect(() => checkTags(['a'])).toThrow(/tags must be an object/);
    expect(hasTags({ a: '1', b: '2' }, { a: '1' })).toBe(true);
    expect(hasTags({ a: '1' }, { a: '2' })).toBe(false);
    expect(hasTags({}, { toString: 'x' } as never)).toBe(false);
  });

  it('maps names to Azure names (letters, digits, -)', () => {
    expect(azureName('database_password')).toBe('database-password');
    expect(azureName('api.key-v2')).toBe('api-key-v2');
  });
});
