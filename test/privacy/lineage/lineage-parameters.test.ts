import { describe, expect, it } from 'vitest';
import { validateEvent } from '../../../src/audit/entry.js';
import type { AuditEventInput, JsonValue } from '../../../src/core/audit-sink.js';
import { MAX_PARAMETERS, MAX_PARAMETERS_DEPTH, checkParameters } from '../../../src/privacy/lineage/parameters.js';

/** An object `levels` deep, the outermost counting as one: { k: { k: … { k: 1 } } }. */
const nested = (levels: number): Record<string, unknown> => {
  let value: Record<string, unknown> = { k: 1 };
  for (let i = 1; i < levels; i += 1) value = { k: value };
  return value;
};

const refusal = (parameters: unknown) => checkParameters(parameters).then(() => { throw new Error('accepted'); }, (err: unknown) => err as Error & { code: string; details: Record<string, unknown> });

/** The audit event recordTransformation writes for an edge with these parameters, as the audit log validates it. */
const auditEventOf = (parameters: Record<string, unknown>): AuditEventInput => ({
  eventType: 'lineage.recorded',
  userId: 'u'.repeat(256),
  timestamp: '2025-06-30T12:00:00.000Z',
  result: 'success',
  level: 'detailed',
  additionalData: { seq: Number.MAX_SAFE_INTEGER, inputDigest: `sha256:${'a'.repeat(64)}`, outputDigest: `sha256:${'b'.repeat(64)}`, operation: 'o'.repeat(64), parameters: parameters as JsonValue, actor: 'u'.repeat(256), at: '2025-06-30T12:00:00.000Z' },
});

describe('checkParameters keeps to what the audit log accepts', () => {
  it(`accepts ${MAX_PARAMETERS_DEPTH} levels and refuses one more, naming parameters and the limit`, async () => {
    const deepest = nested(MAX_PARAMETERS_DEPTH);
    await expect(checkParameters(deepest)).resolves.toEqual(deepest);
    // The audit log takes the edge's event at that depth, with every other field at its longest.
    expect(() => validateEvent(auditEventOf(deepest), new Date())).not.toThrow();
    const err = await refusal(nested(MAX_PARAMETERS_DEPTH + 1));
    expect(err).toMatchObject({ code: 'ERR_INVALID_INPUT', details: { field: 'parameters' } });
    expect(err.message).toContain(`parameters must be nested at most ${MAX_PARAMETERS_DEPTH} levels deep`);
    // Lists count as levels too.
    await expect(refusal({ a: JSON.parse(`${'['.repeat(MAX_PARAMETERS_DEPTH)}${']'.repeat(MAX_PARAMETERS_DEPTH)}`) as unknown })).resolves.toMatchObject({ details: { field: 'parameters' } });
  });

  it('refuses the depth (70) the audit log refused after the edge was written', async () => {
    expect(() => validateEvent(auditEventOf(nested(70)), new Date())).toThrow(/nested deeper than 64 levels/);
    await expect(refusal(nested(70))).resolves.toMatchObject({ code: 'ERR_INVALID_INPUT', details: { field: 'parameters' } });
  });

  it('answers 5000 levels, and 200000 levels of lists, with a refusal rather than a stack overflow', async () => {
    await expect(refusal(nested(5000))).resolves.toMatchObject({ code: 'ERR_INVALID_INPUT', details: { field: 'parameters' } });
    const lists = JSON.parse(`{"a":${'['.repeat(200_000)}${']'.repeat(200_000)}}`) as unknown;
    await expect(refusal(lists)).resolves.toMatchObject({ code: 'ERR_INVALID_INPUT', details: { field: 'parameters' } });
  });

  it(`refuses more than ${MAX_PARAMETERS} characters of JSON, and at that size the audit event fits even in three-byte characters`, async () => {
    const largest = { s: '€'.repeat(MAX_PARAMETERS - '{"s":""}'.length) };
    expect(JSON.stringify(largest)).toHaveLength(MAX_PARAMETERS);
    await expect(checkParameters(largest)).resolves.toEqual(largest);
    expect(() => validateEvent(auditEventOf(largest), new Date())).not.toThrow();
    const err = await refusal({ s: `${largest.s}€` });
    expect(err).toMatchObject({ code: 'ERR_INVALID_INPUT', details: { field: 'parameters' } });
    expect(err.message).toContain(`at most ${MAX_PARAMETERS} characters`);
  });

  it('refuses NUL, an unpaired surrogate (in a value or a key) and a __proto__ key, which the audit log refuses, naming where', async () => {
    for (const [parameters, field, reason] of [
      [{ note: 'a\u0000b' }, 'parameters.note', /parameters\.note contains a NUL character/],
      [{ list: ['ok', 'x\ud800'] }, 'parameters.list[1]', /parameters\.list\[1\] contains an unpaired UTF-16 surrogate/],
      [{ outer: { ['k\udc00']: 1 } }, 'parameters.outer', /a key in parameters\.outer contains an unpaired UTF-16 surrogate/],
      [JSON.parse('{"outer":{"__proto__":{"x":1}}}') as Record<string, unknown>, 'parameters.outer', /a key in parameters\.outer is __proto__/],
    ] as const) {
      expect(() => validateEvent(auditEventOf(parameters), new Date())).toThrow(/invalid audit event/);
      const err = await refusal(parameters);
      expect(err).toMatchObject({ code: 'ERR_INVALID_INPUT', details: { field } });
      expect(err.message).toMatch(reason);
    }
    // A pair is one character, and fine.
    await expect(checkParameters({ emoji: '\ud83d\ude00' })).resolves.toEqual({ emoji: '\ud83d\ude00' });
  });
});

describe('checkParameters refuses personal data in keys and numbers, never echoing it', () => {
  it('refuses an email address, a phone number or an IBAN as a key, naming the object it is in', async () => {
    for (const [parameters, field, type, leak] of [
      [{ 'jane.doe@example.com': 'x' }, 'parameters', 'email', 'jane.doe'],
      [{ reviewers: { 'approved by bob.jones@example.org': true } }, 'parameters.reviewers', 'email', 'bob.jones'],
      [{ accounts: [{ DE89370400440532013000: 1 }] }, 'parameters.accounts[0]', 'iban', 'DE89'],
      [{ callers: { '+14155552671': 'x' } }, 'parameters.callers', 'phone', '4155552671'],
    ] as const) {
      const err = await refusal(parameters);
      expect(err).toMatchObject({ code: 'ERR_INVALID_INPUT', details: { field, entityType: type } });
      expect(err.message).toMatch(new RegExp(`^a key in ${field.replace(/[.[\]]/g, '\\$&')} holds personal data \\(${type}\\)`));
      expect(JSON.stringify({ message: err.message, details: err.details })).not.toContain(leak);
    }
  });

  it('refuses a card number given as a number, read as its decimal text', async () => {
    const err = await refusal({ payment: { card: 4111111111111111 } });
    expect(err).toMatchObject({ code: 'ERR_INVALID_INPUT', details: { field: 'parameters.payment.card', entityType: 'credit_card' } });
    expect(JSON.stringify({ message: err.message, details: err.details })).not.toContain('4111');
    await expect(refusal({ cards: [5555555555554444] })).resolves.toMatchObject({ details: { field: 'parameters.cards[0]', entityType: 'credit_card' } });
  });

  it('names no key that is itself refused: a personal key is refused before a secret or a bad value below it', async () => {
    for (const below of [{ password: 'x' }, { when: new Date() }, { key: 'postgres://u:s3cr3t@h/db' }]) {
      const err = await refusal({ 'jane.doe@example.com': below });
      expect(err).toMatchObject({ details: { field: 'parameters', entityType: 'email' } });
      expect(err.message).not.toContain('jane.doe');
    }
    // Too deep is refused before anything is scanned, by a message that names no path.
    const deep = await refusal({ 'jane.doe@example.com': nested(MAX_PARAMETERS_DEPTH) });
    expect(deep).toMatchObject({ details: { field: 'parameters' } });
    expect(deep.message).not.toContain('jane.doe');
  });

  it('keeps ordinary settings: numbers, counts, versions and keys that are names', async () => {
    const settings = { epochs: 3, seed: 123456789, steps: 1_000_000, learning_rate: 0.001, started_ms: 1_719_763_200_000, 'model-v2.1': { layers: 12 }, max_tokens: 512 };
    await expect(checkParameters(settings)).resolves.toEqual(settings);
  });
});
