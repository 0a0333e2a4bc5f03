import { describe, expect, it } from 'vitest';
import type { EntityType } from '../../../../src/privacy/pii/entity-types.js';
import { redactText } from '../../../../src/privacy/pii/redaction/operators.js';
import { syntheticValue } from '../../../../src/privacy/pii/redaction/synthetic-values.js';

/** Secrets keep nothing: review H1 (a password of symbols only came out unchanged from masking and synthetic). */

const seeds = Array.from({ length: 20 }, (_, i) => new Uint8Array(32).fill(i + 1));
const whole = (type: EntityType, value: string) => [{ start: 0, end: value.length, type, score: 1, recognizer: 'test' }];
const maskedWithFormat = (type: EntityType, value: string) => redactText(value, whole(type, value), { method: 'masking', preserveFormat: true }).text;

describe('api_key with masking and preserveFormat', () => {
  it.each(['!#$%^&*()_+-={}[]', 'Tr0ub4dor&3!!', 'hunter2-_.~!*', 'Zx!9@q'])('%s: every character masked, the length kept', (secret) => {
    const masked = maskedWithFormat('api_key', secret);
    expect(masked).toBe('*'.repeat(secret.length));
  });

  it('keeps the line breaks of a PEM key and masks every other character', () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkq+/+/ab==\n-----END PRIVATE KEY-----';
    const masked = maskedWithFormat('api_key', pem);
    expect(masked).toBe(pem.replace(/\S/g, '*'));
    expect(masked).not.toMatch(/[+/=]/);
  });

  it('leaves the rest of a connection string as it was: the finding is the password', () => {
    const text = 'Server=db;User Id=sa;Password=!#$%^&*()_+-={}[];';
    const start = text.indexOf('!');
    const end = text.lastIndexOf(';');
    const out = redactText(text, [{ start, end, type: 'api_key', score: 1, recognizer: 'test' }], { method: 'masking', preserveFormat: true });
    expect(out.text).toBe(`Server=db;User Id=sa;Password=${'*'.repeat(end - start)};`);
  });

  it('other types still keep their separators', () => {
    expect(maskedWithFormat('email', 'jane.doe@corp.com')).toBe('****.***@****.***');
  });
});

describe('api_key with synthetic', () => {
  it('never returns a password made only of symbols unchanged', () => {
    const secret = '!#$%^&*()_+-={}[]';
    for (const seed of seeds) {
      const fake = syntheticValue(seed, 'api_key', secret);
      expect(fake).not.toBe(secret);
      expect(fake).toHaveLength(secret.length);
      // symbols come from the safe set, never the password's own `#$%^&()+={}[]`
      expect(fake).toMatch(/^[!*\-._~]+$/);
    }
  });

  it('draws a password\'s symbols afresh too, from symbols that cannot end the value in its text', () => {
    for (const secret of ['Tr0ub4dor&3!!', 'p@ss#w0rd;x']) {
      for (const seed of seeds) {
        const fake = syntheticValue(seed, 'api_key', secret);
        expect(fake).toHaveLength(secret.length);
        expect(fake).toMatch(/^[A-Za-z0-9!*\-._~]+$/);
        expect(fake).not.toBe(secret);
      }
    }
  });

  it('keeps base64 within base64 and its padding, hex within hex', () => {
    const body = 'MIIEvQIBADANBgkq+/+/ab==';
    const fake = syntheticValue(seeds[0]!, 'api_key', body);
    expect(fake).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(syntheticValue(seeds[0]!, 'api_key', 'a3f1c9e07b2d4856')).toMatch(/^[0-9a-f]{16}$/);
  });

  it('falls back to the type tag, never the input, when no draw differs from it', () => {
    // A PEM header without a body, a passport of filler only: nothing a fake could change.
    expect(syntheticValue(seeds[0]!, 'api_key', '-----BEGIN PRIVATE KEY-----')).toBe('<API_KEY>');
    expect(syntheticValue(seeds[0]!, 'passport', '<<<<<<<<<')).toBe('<PASSPORT>');
  });

  it('masking without anything to mask writes the tag, not the value', () => {
    expect(maskedWithFormat('passport', '<<<<<<<<<')).toBe('<PASSPORT>');
  });
});
