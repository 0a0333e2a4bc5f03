import { describe, expect, it } from 'vitest';
import { thrownBy } from '../../support/thrown.js';
import { isLangtrainError } from '../../../src/core/errors.js';
import { PIIDetector } from '../../../src/privacy/pii/pii-detector.js';
import { redactText } from '../../../src/privacy/pii/redaction/operators.js';
import { buildRecordRedactor } from '../../../src/privacy/pii/redactor.js';

/** Review L1: `hash` took an empty key, making every token recomputable from a guessed value. */

const finding = [{ start: 0, end: 17, type: 'email' as const, score: 1, recognizer: 'test' }];
const encryptionKey = new Uint8Array(32).fill(2);

describe('hash key length', () => {
  it.each([0, 16, 31])('the operator refuses a %d-byte key, naming it', (length) => {
    const caught = thrownBy(() => redactText('jane.doe@corp.com', finding, { method: 'hash', key: new Uint8Array(length) }));
    expect(isLangtrainError(caught, 'ERR_INVALID_INPUT')).toBe(true);
    expect((caught as Error).message).toMatch(/^key must be a key of at least 32 bytes/);
  });

  it('PIIDetector refuses deps.keys.hashKey shorter than 32 bytes, as piiRedactionKeys derives it', () => {
    const caught = thrownBy(() => new PIIDetector({ redactionMethod: 'hash' }, { keys: { hashKey: new Uint8Array(0), encryptionKey } }));
    expect(isLangtrainError(caught, 'ERR_INVALID_INPUT')).toBe(true);
    expect((caught as Error).message).toContain('deps.keys.hashKey');
  });

  it('a redactor built for a worker refuses it too', () => {
    const caught = thrownBy(() => buildRecordRedactor({ scan: { threshold: 0.5 }, redaction: { method: 'hash', key: new Uint8Array(8) } }, null));
    expect(isLangtrainError(caught, 'ERR_INVALID_INPUT')).toBe(true);
  });

  it('takes a 32-byte key', () => {
    const detector = new PIIDetector({ redactionMethod: 'hash' }, { keys: { hashKey: new Uint8Array(32).fill(1), encryptionKey } });
    expect(detector.redact('mail jane.doe@corp.com').text).toMatch(/^mail <EMAIL:[0-9a-f]{16}>$/);
  });
});
