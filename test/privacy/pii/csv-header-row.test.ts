import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { PIIDetector } from '../../../src/privacy/pii/pii-detector.js';
import { RecordedEvents } from '../../support/recorded-events.js';
import { tempFiles } from '../../support/services.js';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
const dir = () => tempFiles('pii-csv-header', cleanups);

/** The review's file: two records and no header row, so the first record stood where the header goes. */
const HEADERLESS = 'Jane Doe,jane.doe@example.com,+1 415 555 0134\nBob Smith,bob@example.com,+1 415 555 0199\n';

describe('the header row of a CSV data set', () => {
  it('fails a file without one, naming line 1, the columns and the types found, never the values, and writes nothing', async () => {
    const file = dir();
    const audit = new RecordedEvents();
    const output = file('out.csv');
    const failure = await new PIIDetector({}, { audit }).processDataset({ input: file('nohdr.csv', HEADERLESS), output }, { dataset: 'people' }).then(
      () => expect.unreachable('refused'),
      (err: unknown) => err as { code: string; message: string; details: Record<string, unknown> },
    );
    expect(failure).toMatchObject({
      code: 'ERR_INVALID_INPUT',
      message:
        "line 1: the header row's columns 1 (person_name), 2 (email) and 3 (phone) hold personal data, so the file seems to have no header row (its first record would be written out unredacted): add one naming the columns as line 1, or rename those columns if line 1 is the header; no output was written",
      details: { line: 1, problem: 'no_header' },
    });
    for (const value of ['Jane', 'Doe', 'jane.doe', '415', '0134']) expect(failure.message + JSON.stringify(failure.details)).not.toContain(value);
    expect(existsSync(output)).toBe(false);
    // refused before any record was redacted: nothing to audit, not even a failure
    expect(audit.events).toEqual([]);
    // one column: named alone
    await expect(new PIIDetector().processDataset({ input: file('one.csv', 'id,jane.doe@example.com\n1,x\n'), output }, { auditRedactions: false })).rejects.toThrow(
      /^line 1: the header row's column 2 \(email\) holds personal data, .* or rename that column if line 1 is the header; no output was written$/,
    );
    expect(existsSync(output)).toBe(false);
  });

  it('is scanned as the job scans records: for the types it looks for, in the columns it redacts', async () => {
    const file = dir();
    const input = file('nohdr.csv', HEADERLESS);
    // a job looking for emails only: it names the email, as the name and phone would stay in clear on any line
    await expect(new PIIDetector({ detectionTypes: ['email'] }).processDataset({ input, output: file('a.csv') }, { auditRedactions: false })).rejects.toThrow(/^line 1: the header row's column 2 \(email\) holds personal data/);
    const names = file('names.csv', 'name,note\nJane Doe,hi\n');
    expect(await new PIIDetector({ detectionTypes: ['email'] }).processDataset({ input: names, output: file('b.csv') }, { auditRedactions: false })).toMatchObject({ records: 1, redactedRecords: 0 });
    // a chosen column's header is the name the caller gave; the others are not redacted, so not judged
    const keyed = file('keyed.csv', 'Jane Doe,email\nx,bob@example.com\n');
    expect(await new PIIDetector().processDataset({ input: keyed, output: file('c.csv') }, { fields: ['email'], preserveFormat: false, auditRedactions: false })).toMatchObject({ records: 1, counts: { email: 1 } });
    expect(readFileSync(file('c.csv'), 'utf8')).toBe('Jane Doe,email\nx,<EMAIL>\n');
  });

  it('passes the column names data sets use, even at threshold 0, and is written back as it was', async () => {
    const file = dir();
    const names = [
      'id', 'user_id', 'name', 'first_name', 'Last Name', 'full_name', 'email', 'Email Address', 'phone', 'phone_number', 'mobile', 'address', 'street', 'city',
      'state', 'zip', 'postal_code', 'country', 'ssn', 'credit_card', 'card_number', 'iban', 'ip_address', 'dob', 'Date of Birth', 'passport_number', 'api_key',
      'created_at', 'text', 'comment', 'message', 'prompt', 'completion', 'role', 'company', 'job_title', 'gender', 'age', 'salary', 'account_number', 'username',
    ];
    const header = names.join(',');
    const input = file('wide.csv', `${header}\n${names.map(() => 'x').join(',')}\n`);
    const report = await new PIIDetector({ confidenceThreshold: 0 }).processDataset({ input, output: file('out.csv') }, { auditRedactions: false });
    expect(report.records).toBe(1);
    expect(readFileSync(file('out.csv'), 'utf8').split('\n')[0]).toBe(header);
  });
});
