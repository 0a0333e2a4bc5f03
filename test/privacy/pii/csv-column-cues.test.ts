import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { cellFindings, csvHeaderLine, csvRowText } from '../../../src/privacy/pii/csv-row-text.js';
import type { Finding } from '../../../src/privacy/pii/entity-types.js';
import { PIIDetector } from '../../../src/privacy/pii/pii-detector.js';
import { tempFiles } from '../../support/services.js';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

/** Values that only their column's name makes personal: a date, nine digits, a short card number. */
const CSV =
  'id,name,dob,ssn,passport_no,phone,card_number,note\n' +
  '1,Kwame Mensah,1985-03-12,078051121,X1234567,085 012 5448,378282246310005,"renewal, ""urgent"""\n' +
  '2,Ana Souza,12/03/1979,219099998,C01X00T47,020 7946 0958,30569309025904,nothing to see\n';

describe('CSV data sets: a column name cues its values, as in the file read whole', () => {
  it.each([0.5, 0.95])('redacts at threshold %s every value detect() finds in the file text, and no other cell', async (threshold) => {
    const file = tempFiles('pii-csv-cues', cleanups);
    const detector = new PIIDetector({ confidenceThreshold: threshold, redactionMethod: 'masking' });
    const inFile = detector.detect(CSV).map((f) => f.type).sort();
    const report = await detector.processDataset({ input: file('in.csv', CSV), output: file('out.csv') }, { preserveFormat: false, auditRedactions: false });
    const counted = Object.entries(report.counts).flatMap(([type, n]) => Array<string>(n).fill(type)).sort();
    expect(counted).toEqual(inFile);
    expect(readFileSync(file('out.csv'), 'utf8').split('\n').slice(1, 3)).toEqual([
      '1,<PERSON_NAME>,<DATE_OF_BIRTH>,<SSN>,<PASSPORT>,<PHONE>,<CREDIT_CARD>,"renewal, ""urgent"""',
      '2,<PERSON_NAME>,<DATE_OF_BIRTH>,<SSN>,<PASSPORT>,<PHONE>,<CREDIT_CARD>,nothing to see',
    ]);
  });

  it('keeps each column\'s cue when a header name holds a comma or a quote', async () => {
    const file = tempFiles('pii-csv-quoted-header', cleanups);
    const csv = 'id,"Last, First","say ""hi""",dob,ssn\n1,"Mensah, Kwame",hello,1985-03-12,078051121\n';
    await new PIIDetector({ redactionMethod: 'masking' }).processDataset({ input: file('in.csv', csv), output: file('out.csv') }, { preserveFormat: false, auditRedactions: false });
    expect(readFileSync(file('out.csv'), 'utf8').split('\n')[1]).toMatch(/,hello,<DATE_OF_BIRTH>,<SSN>$/);
  });

  it('leaves a column its name does not cue to the values\' own shape', async () => {
    const file = tempFiles('pii-csv-uncued', cleanups);
    const csv = 'id,build,checksum\n1,1985-03-12,078051121\n';
    await new PIIDetector({ redactionMethod: 'masking' }).processDataset({ input: file('in.csv', csv), output: file('out.csv') }, { preserveFormat: false, auditRedactions: false });
    expect(readFileSync(file('out.csv'), 'utf8')).toBe(csv);
  });
});

describe('csvRowText and cellFindings', () => {
  const finding = (start: number, end: number): Finding => ({ start, end, type: 'phone', score: 0.9, recognizer: 'test' });

  it('maps a finding inside a quoted value with doubled quotes back to the value\'s offsets', () => {
    const value = 'He said "call 415-555-0132", ok';
    const row = csvRowText(csvHeaderLine(['id', 'note, free text']), ['7', value]);
    expect(row.text).toBe('id,note  free text\n7,"He said ""call 415-555-0132"", ok"');
    const at = row.text.indexOf('415-555-0132');
    const [mapped] = cellFindings(row, [finding(at, at + 12)])[1]!;
    expect(value.slice(mapped!.start, mapped!.end)).toBe('415-555-0132');
    // a span taking in a doubled quote covers the one quote of the value
    const quoteAt = row.text.indexOf('""call');
    const [withQuote] = cellFindings(row, [finding(quoteAt, quoteAt + 6)])[1]!;
    expect(value.slice(withQuote!.start, withQuote!.end)).toBe('"call');
  });

  it('gives each cell its part of a finding that runs across a comma, and the header\'s to none', () => {
    const row = csvRowText(csvHeaderLine(['street', 'city']), ['12 Main St', 'Springfield']);
    const spanning = finding(row.text.indexOf('12 Main'), row.text.length);
    expect(cellFindings(row, [spanning]).map((cell) => cell.map((f) => [f.start, f.end]))).toEqual([[[0, 10]], [[0, 11]]]);
    expect(cellFindings(row, [finding(0, 6)])).toEqual([[], []]);
    // several findings over many cells land each in its own
    const wide = csvRowText(csvHeaderLine(['a', 'b', 'c', 'd']), ['x', 'call 415-555-0132', 'y', 'mail a@b.io']);
    const found = [finding(wide.text.indexOf('415'), wide.text.indexOf('415') + 12), finding(wide.text.indexOf('a@b'), wide.text.indexOf('a@b') + 6)];
    expect(cellFindings(wide, found).map((cell) => cell.map((f) => [f.start, f.end]))).toEqual([[], [[5, 17]], [], [[5, 11]]]);
  });
});
