import { describe, expect, it } from 'vitest';
import { ContextWords, CUED_CEILING } from '../../../src/privacy/pii/context-scoring.js';
import type { Finding } from '../../../src/privacy/pii/entity-types.js';
import { EntityScanner, resolveOverlaps, scannerFor } from '../../../src/privacy/pii/entity-scanner.js';
import { contextWindowStart, CONTEXT_WINDOW, type Recognizer } from '../../../src/privacy/pii/recognizer.js';

describe('scannerFor', () => {
  it('gives the same scanner for the same settings (types in any order, repeated), a different one otherwise, and scans alike', () => {
    const a = scannerFor({ types: ['email', 'phone'], threshold: 0.5 });
    expect(scannerFor({ types: ['phone', 'email', 'phone'], threshold: 0.5 })).toBe(a);
    expect(scannerFor({ types: ['email', 'phone'], threshold: 0.6 })).not.toBe(a);
    expect(scannerFor({ threshold: 0.5 })).toBe(scannerFor({ threshold: 0.5 }));
    expect(scannerFor({ threshold: 0.5 })).not.toBe(a);
    const text = 'mail ada@example.org from 198.51.100.7';
    expect(a.scan(text).map((f) => f.type)).toEqual(['email']);
    expect(a.scan(text)).toEqual(a.scan(text)); // no state carried from one scan to the next
  });
});

describe('EntityScanner.scanAll', () => {
  it('finds in each text of a batch what scan finds in it alone, whatever its neighbours', () => {
    const scanner = scannerFor({ threshold: 0.5 });
    const texts = [
      'Call Maria Garcia on +44 20 7946 0958 or mail maria@example.org.',
      '',
      'Order 4111 1111 1111 1112 shipped to 221B Baker Street, London NW1 6XE.',
      'SSN 078-05-1120, card 4111 1111 1111 1111, IBAN DE89 3704 0044 0532 0130 00, host 198.51.100.7',
      'nothing personal here, version 1.2.3.4',
    ];
    const alone = texts.map((text) => scanner.scan(text));
    expect(alone.flat().length).toBeGreaterThan(6);
    expect(scanner.scanAll(texts)).toEqual(alone);
    expect(scanner.scanAll([...texts].reverse())).toEqual([...alone].reverse());
    expect(scanner.scanAll([])).toEqual([]);
  });
});

describe('EntityScanner.scanAll over texts with invisible characters', () => {
  it('scans them removed and maps findings back to the original offsets, whatever the batch', () => {
    const digits: Recognizer = {
      name: 'digits.test',
      type: 'ssn',
      find: (text) => [...text.matchAll(/\d{6,}/g)].map((m) => ({ start: m.index, end: m.index + m[0].length, type: 'ssn', score: 0.9, recognizer: 'digits.test' })),
    };
    const scanner = new EntityScanner({ threshold: 0.5 }, [digits]);
    const texts = ['a 123\u200b\u200b456 b 789\u00ad012\u2060', 'plain 123456', '\u200b123\ufeff456'];
    const found = scanner.scanAll(texts).map((findings, i) => findings.map((f) => texts[i]!.slice(f.start, f.end)));
    expect(found).toEqual([['123\u200b\u200b456', '789\u00ad012'], ['123456'], ['123\ufeff456']]);
    expect(scanner.scanAll(texts)).toEqual(texts.map((text) => scanner.scan(text)));
  });
});

describe('contextWindowStart', () => {
  it('reaches CONTEXT_WINDOW characters back, or to the start of the line when that is nearer', () => {
    const line = 'x'.repeat(100);
    expect(contextWindowStart(line, 100)).toBe(100 - CONTEXT_WINDOW);
    expect(contextWindowStart(line, 10)).toBe(0);
    const lines = `${line}\nSSN 536 22 1234`;
    expect(contextWindowStart(lines, lines.indexOf('536'))).toBe(101);
    expect(contextWindowStart(lines, 101)).toBe(101); // a candidate at the start of its line has no context
    expect(contextWindowStart('\n', 1)).toBe(1);
  });
});

describe("a recognizer's own cue (Candidate.cued)", () => {
  const phoneWords = new ContextWords({ contextWords: ['phone'], negativeContextWords: ['invoice'] });
  const noWords = new ContextWords({});

  it('counts as a context word up to CUED_CEILING, and a context word still lifts to 1', () => {
    expect(phoneWords.adjust('reach me on 0712 198189', 12, 0.6, true)).toBeCloseTo(0.95);
    expect(phoneWords.adjust('reach me on 0712 198189', 12, 0.75, true)).toBe(CUED_CEILING);
    expect(phoneWords.adjust('reach me on 0712 198189', 12, 0.6, false)).toBe(0.6);
    expect(phoneWords.adjust('phone 0712 198189', 6, 0.75, true)).toBe(1);
    expect(noWords.adjust('soy Ainhoa Herrera', 4, 0.9, true)).toBe(CUED_CEILING);
    expect(noWords.adjust('soy Ainhoa Herrera', 4, 0.9, false)).toBe(0.9);
    // never lowers what was already above the ceiling
    expect(noWords.adjust('x', 1, 1, true)).toBe(1);
  });

  it('is cancelled by a negative context word, which then takes its penalty from the base score as before', () => {
    expect(phoneWords.adjust('invoice paid, reach me on 0712 198189', 26, 0.6, true)).toBeCloseTo(0.2);
    expect(phoneWords.adjust('invoice paid, phone 0712 198189', 20, 0.6, true)).toBeCloseTo(0.55);
  });

  it('raises the ceiling the scanner skips candidates below', () => {
    expect(noWords.ceiling(0.6, false)).toBe(0.6);
    expect(noWords.ceiling(0.6, true)).toBeCloseTo(0.95);
    expect(phoneWords.ceiling(0.75, false)).toBe(1);
  });

  it("reports at the seed's 0.95 numbers and names only their recognizer's cues vouch for, as plain findings", () => {
    const scanner = scannerFor({ threshold: 0.95 });
    const csv = 'id,name,email,phone,country\n644150,Aroha Ngata,aroha@example.org,(608) 922-9352,US';
    const phone = scanner.scan(csv).find((f) => f.type === 'phone');
    expect(phone && csv.slice(phone.start, phone.end)).toBe('(608) 922-9352');
    expect(phone).toEqual({ start: phone!.start, end: phone!.end, type: 'phone', score: CUED_CEILING, recognizer: 'phone.libphonenumber' });
    const greeting = 'Hola, soy Ainhoa Herrera. Mi correo es ainhoa@example.org';
    const name = scanner.scan(greeting).find((f) => f.type === 'person_name');
    expect(name && greeting.slice(name.start, name.end)).toBe('Ainhoa Herrera');
    expect(Object.keys(name!)).not.toContain('cued');
    // without the cue the same number stays below 0.95
    expect(scanner.scan('608 922 9352 and 611 401 2233 and (608) 922-9352').filter((f) => f.type === 'phone')).toEqual([]);
  });

  it('lets a validated finding outrank an overlapping one only a cue vouches for: lifted to the ceiling, it ties and the longer wins', () => {
    const text = 'Keizersgracht 245A, 7745 LT Leiden';
    const address: Recognizer = { name: 'address.test', type: 'address', find: () => [{ start: 0, end: text.length, type: 'address', score: 0.95, recognizer: 'address.test' }] };
    const name = (cued: boolean): Recognizer => ({
      name: 'person_name.test',
      type: 'person_name',
      find: () => [{ start: 28, end: 34, type: 'person_name', score: 0.9, recognizer: 'person_name.test', cued }],
    });
    const kept = (cued: boolean) => new EntityScanner({ threshold: 0.5 }, [address, name(cued)]).scan(text).map((f) => [f.type, f.score]);
    expect(kept(true)).toEqual([['address', 0.95]]);
    expect(kept(false)).toEqual([['address', 0.95]]);
    // a context word, unlike the recognizer's own cue, lifts to 1 and wins
    const named: Recognizer = { ...name(false), contextWords: ['lt'] };
    expect(new EntityScanner({ threshold: 0.5 }, [address, named]).scan(text).map((f) => [f.type, f.score])).toEqual([['person_name', 1]]);
  });
});

describe('resolveOverlaps', () => {
  /** The rule stated plainly: by preference, keep each candidate that overlaps nothing kept. */
  function reference(candidates: Finding[]): Finding[] {
    const byPreference = [...candidates].sort((a, b) => b.score - a.score || b.end - b.start - (a.end - a.start) || a.start - b.start);
    const kept: Finding[] = [];
    for (const c of byPreference) if (!kept.some((k) => k.start < c.end && c.start < k.end)) kept.push(c);
    return kept.sort((a, b) => a.start - b.start);
  }

  it('keeps what the plain rule keeps, for few candidates and for many (marked by offset past 64)', () => {
    let seed = 42;
    const next = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    for (const count of [2, 10, 64, 65, 500, 3000]) {
      const candidates: Finding[] = Array.from({ length: count }, () => {
        const start = 1000 + next(count * 8);
        return { start, end: start + 1 + next(40), type: 'phone', score: [0.6, 0.85, 0.95, 1][next(4)]!, recognizer: 'test' };
      });
      expect(resolveOverlaps(candidates)).toEqual(reference(candidates));
    }
  });
});
