import { describe, expect, it } from 'vitest';
import { scannerFor } from '../../../../src/privacy/pii/entity-scanner.js';
import { columnCuedFields } from '../../../../src/privacy/pii/recognizers/column-cues.js';

const valuesOf = (text: string, spans: ReadonlyArray<{ start: number; end: number }>) => spans.map(({ start, end }) => text.slice(start, end));

describe('columnCuedFields', () => {
  it('gives the cells under a Markdown header that names the type, in text order, as it does a CSV column', () => {
    const markdown = 'Contacts:\n\n| Name | **Phone** | Date of birth |\n|------|-------|:---:|\n| Ana Lima | 085 012 5448 | 1990-04-12 |\n| Bo Chen | | 12/03/1985 |\n| Cy Ode | 0412 555 019 |\n\nThanks';
    expect(valuesOf(markdown, columnCuedFields(markdown, 'phone'))).toEqual(['085 012 5448', '0412 555 019']);
    expect(valuesOf(markdown, columnCuedFields(markdown, 'date_of_birth'))).toEqual(['1990-04-12', '12/03/1985']);
    expect(columnCuedFields(markdown, 'ssn')).toEqual([]);
    const csv = 'name,phone\nAna,085 012 5448\nBo,0412 555 019';
    expect(valuesOf(csv, columnCuedFields(csv, 'phone'))).toEqual(['085 012 5448', '0412 555 019']);
  });

  it('merges a CSV header and a table below it in text order, the CSV ending at the blank line before the table', () => {
    const text = 'name,phone\nAna,085 012 5448\n\n| Name | Phone |\n|---|---|\n| Smith, Bo | 0412 555 019 |';
    expect(valuesOf(text, columnCuedFields(text, 'phone'))).toEqual(['085 012 5448', '0412 555 019']);
  });

  it('takes "Mobile", "Handy" or "cell" for a phone column only alone or before a number word, and not beside another device class', () => {
    const phones = (text: string) => valuesOf(text, columnCuedFields(text, 'phone'));
    expect(phones('| Name | Mobile |\n|---|---|\n| Ana | 0850125448 |')).toEqual(['0850125448']);
    expect(phones('name,mobile_no,Handy\nAna,0850125448,0171 2345678')).toEqual(['0850125448', '0171 2345678']);
    expect(phones('| Metric | Mobile | Desktop |\n|---|---|---|\n| Sessions | 20240315 | 1234 |')).toEqual([]);
    expect(phones('| Release | Portable build | Size |\n|---|---|---|\n| 1.2 | 202403151 | 12 |')).toEqual([]);
    expect(phones('name,cell_type\nAna,0850125448')).toEqual([]);
    expect(phones('| Metric | Phone | Desktop |\n|---|---|---|\n| Ana | 0850125448 | 1 |')).toEqual(['0850125448']);
  });

  it('follows a quoted CSV field across line breaks, a blank line among them, keeping the columns of the rows after it', () => {
    const phones = (text: string) => valuesOf(text, columnCuedFields(text, 'phone'));
    const csv = 'name,notes,phone\nAna,"call after 6pm,\n\nside door",085 012 5448\nBo,"said ""hi"", then left",0412 555 019\nCy,ok,0412 555 020';
    expect(phones(csv)).toEqual(['085 012 5448', '0412 555 019', '0412 555 020']);
    expect(valuesOf(csv, columnCuedFields(`${csv}\n\nname,phone\nnot,a row`, 'phone'))).toEqual(['085 012 5448', '0412 555 019', '0412 555 020']); // a blank line between records still ends it
    // a quote never closed is cut at its line's end: that field is lost, the rows after keep their columns
    expect(phones('name,notes,phone\nAna,"stray, 085 012 5448\nBo,ok,0412 555 019')).toEqual(['0412 555 019']);
    // tab-separated rows: a tab is a blank, but never skipped as one where it is the delimiter
    const tsv = 'id\tnotes\tphone\n1\t"met at the fair\nsecond line"\t085 012 5448\n2\t\t"0412 555 019"\n3\tok\t0412 555 020';
    expect(phones(tsv)).toEqual(['085 012 5448', '0412 555 019', '0412 555 020']);
    // nor is a stray quote closed by prose quoting a word after the blank line that ends the CSV
    const stray = 'id,dob\n1,"1990-01-02\n\n"Quoted prose", then 2001-02-03\nmore, 2003-04-05\n';
    expect(valuesOf(stray, columnCuedFields(stray, 'date_of_birth'))).toEqual(['1990-01-02']);
  });

  it('refuses a column about the thing rather than the value (place of birth, passport expiry)', () => {
    const text = '| Place of birth | Passport expiry |\n|---|---|\n| Lagos | 2031-05-01 |';
    expect(columnCuedFields(text, 'date_of_birth')).toEqual([]);
    expect(columnCuedFields(text, 'passport')).toEqual([]);
  });
});

describe("a Markdown table's header as the cue of its column's values", () => {
  const scanner = scannerFor({ threshold: 0.95 });
  const typed = (text: string) => scanner.scan(text).map((f) => [f.type, text.slice(f.start, f.end)]);

  it("reports phones, birth dates, passports and SSNs at the seed's 0.95 that only their column names", () => {
    const text = [
      '| Employee | Mobile | DOB | Passport No | SSN |',
      '|---|---|---|---|---|',
      '| Ana Lima | 085 012 5448 | 1990-04-12 | 533380006 | 536 22 1234 |',
    ].join('\n');
    expect(typed(text)).toEqual([
      ['person_name', 'Ana Lima'],
      ['phone', '085 012 5448'],
      ['date_of_birth', '1990-04-12'],
      ['passport', '533380006'],
      ['ssn', '536 22 1234'],
    ]);
  });

  it('leaves the same values alone under other headers', () => {
    const text = '| Item | Code | Date | Batch | Lot |\n|---|---|---|---|---|\n| Widget | 085 012 5448 | 1990-04-12 | 533380006 | 536 22 1234 |';
    expect(typed(text)).toEqual([]);
  });
});
