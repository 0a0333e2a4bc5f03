import { describe, expect, it } from 'vitest';
import { scannerFor } from '../../../src/privacy/pii/entity-scanner.js';
import { contextWindowStart, CONTEXT_WINDOW } from '../../../src/privacy/pii/recognizer.js';

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
