import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { LangtrainError } from '../../../src/core/errors.js';
import { PIIDetector } from '../../../src/privacy/pii/pii-detector.js';

/** A synthetic detector's consistency across calls, detectors and data sets, and its `syntheticSeed` option. */

const types = ['email', 'credit_card'] as const;
const seed = new Uint8Array(32).map((_, i) => i * 7 + 3);
const text = 'Mail jane@corp.com, card 4111 1111 1111 1111.';

const fakesOf = (out: string) => ({ email: /\S+@example\.(?:com|org|net)/.exec(out)?.[0], card: /\d{4} \d{4} \d{4} \d{4}/.exec(out)?.[0] });

describe('PIIDetector synthetic fakes', () => {
  it('gives a value the same fake in every redact call of one detector', () => {
    const detector = new PIIDetector({ detectionTypes: [...types], redactionMethod: 'synthetic' });
    const first = detector.redact(text).text;
    expect(first).not.toContain('jane@corp.com');
    expect(detector.redact(text).text).toBe(first);
    expect(detector.redact('jane@corp.com').text).toBe(fakesOf(first).email);
    // The same card written without spaces: the same digits.
    expect(detector.redact('card 4111111111111111').text).toBe(`card ${fakesOf(first).card!.replace(/ /g, '')}`);
  });

  it('draws its own seed per detector when none is given', () => {
    const a = new PIIDetector({ detectionTypes: [...types], redactionMethod: 'synthetic' });
    const b = new PIIDetector({ detectionTypes: [...types], redactionMethod: 'synthetic' });
    expect(a.redact(text).text).not.toBe(b.redact(text).text);
  });

  it('with syntheticSeed, gives the same fakes in every detector (another process, another run)', () => {
    const a = new PIIDetector({ detectionTypes: [...types], redactionMethod: 'synthetic', syntheticSeed: seed });
    const b = new PIIDetector({ detectionTypes: [...types], redactionMethod: 'synthetic', syntheticSeed: Buffer.from(seed) });
    expect(b.redact(text).text).toBe(a.redact(text).text);
    const other = new PIIDetector({ detectionTypes: [...types], redactionMethod: 'synthetic', syntheticSeed: seed.map((x) => x ^ 1) });
    expect(other.redact(text).text).not.toBe(a.redact(text).text);
  });

  it('keeps a copy of the seed: the caller may reuse or zero its array', () => {
    const mine = Uint8Array.from(seed);
    const detector = new PIIDetector({ detectionTypes: [...types], redactionMethod: 'synthetic', syntheticSeed: mine });
    const before = detector.redact(text).text;
    mine.fill(0);
    expect(detector.redact(text).text).toBe(before);
  });

  it('never shows the seed: not in settings, not when the detector is inspected or serialised', () => {
    const detector = new PIIDetector({ detectionTypes: [...types], redactionMethod: 'synthetic', syntheticSeed: seed });
    expect(detector.settings).not.toHaveProperty('syntheticSeed');
    const hex = Buffer.from(seed).toString('hex');
    for (const shown of [inspect(detector, { depth: 10, showHidden: true }), JSON.stringify(detector), JSON.stringify(detector.settings)]) {
      expect(shown).not.toContain('syntheticSeed');
      expect(shown.replace(/\W/g, '')).not.toContain(hex);
      expect(shown).not.toContain(`${seed[0]}, ${seed[1]}, ${seed[2]}`);
    }
  });

  it.each([
    ['a short seed', { redactionMethod: 'synthetic', syntheticSeed: new Uint8Array(15).fill(9) }, /syntheticSeed: must be a Uint8Array of at least 16 random bytes/],
    ['a string', { redactionMethod: 'synthetic', syntheticSeed: '0123456789abcdef0123456789abcdef' }, /syntheticSeed: must be a Uint8Array of at least 16 random bytes/],
    ['a number array', { redactionMethod: 'synthetic', syntheticSeed: Array.from({ length: 32 }, () => 9) }, /syntheticSeed: must be a Uint8Array/],
    ['a seed without synthetic', { redactionMethod: 'masking', syntheticSeed: seed }, /syntheticSeed: applies to redactionMethod synthetic only/],
    ['a seed with the default method', { syntheticSeed: seed }, /syntheticSeed: applies to redactionMethod synthetic only/],
  ])('refuses %s, naming the option and never printing the value', (_, options, message) => {
    let error: unknown;
    try {
      new PIIDetector(options as never);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(LangtrainError);
    expect((error as LangtrainError).code).toBe('ERR_CONFIG_UNSUPPORTED_OPTION');
    expect((error as Error).message).toMatch(message);
    const shown = inspect(error, { depth: 10 }) + JSON.stringify(error);
    expect(shown).not.toContain('0123456789abcdef');
    expect(shown).not.toMatch(/\b9, 9, 9\b/);
    expect(shown).not.toContain(`${seed[0]}, ${seed[1]}, ${seed[2]}`);
  });

  describe('processDataset', () => {
    const records = [{ text: 'from jane@corp.com' }, { text: 'cc jane@corp.com and 4111 1111 1111 1111' }];
    const run = async (detector: PIIDetector) => (await detector.processDataset(records, { fields: ['text'], auditRedactions: false })).records.map((r) => r['text'] as string);

    it('is consistent within a data set; without syntheticSeed each data set has its own fakes', async () => {
      const detector = new PIIDetector({ detectionTypes: [...types], redactionMethod: 'synthetic' });
      const first = await run(detector);
      expect(fakesOf(first[0]!).email).toBe(fakesOf(first[1]!).email);
      const second = await run(detector);
      expect(second).not.toEqual(first);
    });

    it('with syntheticSeed, gives the same fakes in every run and detector, and the same as redact', async () => {
      const first = await run(new PIIDetector({ detectionTypes: [...types], redactionMethod: 'synthetic', syntheticSeed: seed }));
      const detector = new PIIDetector({ detectionTypes: [...types], redactionMethod: 'synthetic', syntheticSeed: seed });
      expect(await run(detector)).toEqual(first);
      expect(await run(detector)).toEqual(first);
      expect(first[1]).toBe(detector.redact(records[1]!.text).text);
    });
  });
});
