import { describe, expect, it } from 'vitest';
import { ssnRecognizer } from '../../../../src/privacy/pii/recognizers/ssn.js';

const values = (text: string): string[] => ssnRecognizer.find(text).map((f) => text.slice(f.start, f.end));

describe('ssnRecognizer', () => {
  it('finds a dashed SSN with exact offsets and a strong score', () => {
    const text = 'Employee SSN: 536-22-1234.';
    const [finding] = ssnRecognizer.find(text);
    expect(finding).toMatchObject({ start: 14, end: 25, type: 'ssn', recognizer: 'ssn.us' });
    expect(text.slice(finding?.start, finding?.end)).toBe('536-22-1234');
    expect(finding?.score).toBeGreaterThanOrEqual(0.95);
  });

  it('finds space-separated SSNs with a score that needs context', () => {
    const [finding] = ssnRecognizer.find('number 536 22 1234');
    expect(finding?.score).toBeLessThan(0.95);
    expect(finding?.score).toBeGreaterThanOrEqual(0.6);
  });

  it('finds nine bare digits only after an SSN cue', () => {
    expect(values('social security number 536221234')).toEqual(['536221234']);
    expect(values('SSN#536221234')).toEqual(['536221234']);
    expect(values('customer 536221234')).toEqual([]);
    expect(values('ssn is on file\n536221234')).toEqual([]); // cue on another line
  });

  it('finds bare and spaced SSNs in the column of a CSV header named ssn, and only there', () => {
    const csv = 'name,ssn,employee_id\nAna Lima,536221234,536221235\nBo Chen,536 22 1236,536 22 1237\n';
    const found = ssnRecognizer.find(csv);
    expect(found.map((f) => csv.slice(f.start, f.end))).toEqual(['536221234', '536 22 1236', '536 22 1237']);
    expect(found.map((f) => f.score)).toEqual([0.95, 0.95, expect.any(Number)]);
    expect(found[2]!.score).toBeLessThan(0.95); // spaced, in the employee_id column: needs a context word
    expect(ssnRecognizer.find('name,social_security_number\nAna Lima,666221234\n')).toEqual([]); // the SSA rules still apply
  });

  it('refuses areas 000, 666 and 900-999', () => {
    expect(values('000-12-3456 666-12-3456 900-12-3456 999-12-3456')).toEqual([]);
  });

  it('refuses group 00 and serial 0000', () => {
    expect(values('536-00-1234 536-22-0000')).toEqual([]);
  });

  it('refuses the published example numbers', () => {
    expect(values('078-05-1120, 219-09-9999 and 123-45-6789')).toEqual([]);
  });

  it('refuses mixed separators and longer numbers', () => {
    expect(values('536-22 1234')).toEqual([]);
    expect(values('1536-22-1234 536-22-12345 536-22-1234-9')).toEqual([]);
    expect(values('phone 555-123-4567')).toEqual([]);
  });
});
