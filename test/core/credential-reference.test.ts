import { describe, expect, it } from 'vitest';
import { readCredential, type CredentialReference } from '../../src/core/credential-reference.js';
import { thrownBy } from '../support/thrown.js';
import { errorTexts, withEnv } from '../secrets/support.js';

describe('readCredential', () => {
  const SECRET = 'sk_live_abcdef0123456789';

  it('refuses a value that is not a reference without echoing it, saying which forms are accepted', () => {
    for (const value of [SECRET, `envx:${SECRET}`, 'env:', `env:1${SECRET}`, '']) {
      const err = thrownBy(() => readCredential(value as CredentialReference, 'auth.sms.authToken')) as { code: string; message: string; details: unknown };
      expect(err.code).toBe('ERR_CONFIG_INVALID');
      expect(err.message).toContain('auth.sms.authToken');
      expect(err.message).toContain('env:NAME');
      expect(err.message).toContain('file:/path');
      if (value !== '' && value !== 'env:') {
        const texts = errorTexts(err);
        expect(texts).not.toContain(SECRET);
        expect(texts).not.toContain('abcdef0123456789');
      }
    }
  });

  it('reads env: and file: references', () => {
    const restore = withEnv({ LANGTRAIN_TEST_CREDENTIAL: ` ${SECRET}\n` });
    try {
      expect(readCredential('env:LANGTRAIN_TEST_CREDENTIAL', 'token')).toBe(SECRET);
    } finally {
      restore();
    }
    expect(thrownBy(() => readCredential('env:LANGTRAIN_TEST_CREDENTIAL', 'token'))).toMatchObject({ message: expect.stringContaining('is not set') });
    expect(thrownBy(() => readCredential('file:/nonexistent/langtrain-token', 'token'))).toMatchObject({ message: expect.stringContaining('does not exist') });
  });
});
