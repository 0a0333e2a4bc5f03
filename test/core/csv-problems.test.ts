import { parse, type Options } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { invalidCsv } from '../../src/core/csv-problems.js';

const problemOf = (csv: string, options: Options = {}) => {
  try {
    parse(csv, options);
  } catch (err) {
    return invalidCsv(err);
  }
  throw new Error('parsed');
};

describe('invalidCsv', () => {
  it('names the line and the problem in words, and never the field value csv-parse quotes', () => {
    const opening = problemOf('id,note\n1,my ssn "078-05-1120" here\n');
    expect(opening).toMatchObject({ code: 'ERR_INVALID_INPUT', details: { line: 2 } });
    expect(opening!.message).toMatch(/^line 2: not valid CSV: a quote inside a field that does not start with one .*; no output was written$/);
    expect(opening!.message).not.toContain('078-05-1120');

    expect(problemOf('id,note\n1,"closed" early\n')!.message).toMatch(/^line 2: not valid CSV: a quoted field goes on after its closing quote/);
    expect(problemOf('id,note\n1,"never closed\n')!.message).toMatch(/not valid CSV: a quoted field is never closed/);
    expect(problemOf('id,note\n1,a\n2,b,c\n', { columns: true })!.message).toMatch(/^line 3: not valid CSV: the row has another number of cells than the header/);
  });

  it('leaves any other error alone', () => {
    expect(invalidCsv(new Error('disk full'))).toBeUndefined();
    expect(invalidCsv('nope')).toBeUndefined();
  });
});
