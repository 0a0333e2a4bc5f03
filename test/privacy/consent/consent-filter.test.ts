import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { filterByConsent } from '../../../src/privacy/consent/consent-filter.js';
import { ConsentManager } from '../../../src/privacy/consent/consent-manager.js';
import { consentMigrations } from '../../../src/privacy/consent/schema.js';
import { openStore, type Store } from '../../../src/store/database.js';
import { migrate } from '../../../src/store/migrations.js';
import { storeUrls, tempDir } from '../../support/services.js';
import { RecordedEvents } from '../../support/recorded-events.js';

/** Counts the questions the filter asks, to show answers are cached and batched. */
class CountingConsent extends ConsentManager {
  queries = 0;
  override consentedSubjects(...args: Parameters<ConsentManager['consentedSubjects']>) {
    this.queries += 1;
    return super.consentedSubjects(...args);
  }
}

describe.each(storeUrls('consent-filter'))('filterByConsent on $dialect', ({ make }) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let dir: ReturnType<typeof tempDir>;
  let consent: CountingConsent;
  const job = (input: string, output: string) => ({ manager: consent, input: join(dir.path, input), output: join(dir.path, output), subjectField: 'user_id', dataType: 'chat_transcripts', purpose: 'model_training' });

  beforeEach(async () => {
    const made = make();
    cleanup = made.cleanup;
    store = await openStore(made.url);
    await migrate(store, 'consent', consentMigrations);
    consent = new CountingConsent({ store, audit: new RecordedEvents() });
    dir = tempDir('consent-filter');
    await consent.recordConsent({ userId: 'alice', dataTypes: ['chat_transcripts'], purposes: ['model_training'] });
    await consent.recordConsent({ userId: 'bob', dataTypes: ['chat_transcripts'], purposes: ['analytics'] });
    await consent.recordConsent({ userId: 'carol', dataTypes: ['chat_transcripts'], purposes: ['model_training'] });
    await consent.withdrawConsent({ userId: 'carol' });
    await consent.recordConsent({ userId: '42', dataTypes: ['chat_transcripts'], purposes: ['model_training'] });
  });
  afterEach(async () => {
    dir.cleanup();
    await store.close();
    await cleanup();
  });

  it('keeps only records whose subject consents to the purpose, byte for byte and in order', async () => {
    const lines = [
      '{"user_id":"alice","text":"hello"}',
      '{"user_id":"bob","text":"analytics only"}',
      '{"text":"nobody"}',
      '{"user_id":"carol","text":"withdrew"}',
      '{"user_id":42,   "text":"numeric id"}',
      '{"user_id":"","text":"empty id"}',
      '{"user_id":"dave","text":"never asked"}',
      '{"user_id":"alice","text":"second"}',
      JSON.stringify({ user_id: 'x'.repeat(300), text: 'an id too long to have consent' }),
    ];
    writeFileSync(join(dir.path, 'in.jsonl'), lines.slice(0, 4).join('\n') + '\n\n' + lines.slice(4).join('\r\n') + '\n');
    const result = await filterByConsent(job('in.jsonl', 'out.jsonl'));
    expect(result).toEqual({ kept: 3, dropped: 6, missingSubject: 2 });
    expect(readFileSync(join(dir.path, 'out.jsonl'), 'utf8')).toBe([lines[0], lines[4], lines[7]].join('\n') + '\n');
  });

  it('asks the store once per batch of new subjects, not once per record', async () => {
    const records = Array.from({ length: 1500 }, (_, i) => JSON.stringify({ user_id: ['alice', 'bob', 'carol'][i % 3], n: i }));
    writeFileSync(join(dir.path, 'many.jsonl'), records.join('\n'));
    const progress: number[] = [];
    const result = await filterByConsent({ ...job('many.jsonl', 'many-out.jsonl'), onProgress: (n) => progress.push(n) });
    expect(result).toEqual({ kept: 500, dropped: 1000, missingSubject: 0 });
    expect(consent.queries).toBe(1);
    expect(progress).toEqual([500, 1000, 1500]); // once per batch of 500
    const kept = readFileSync(join(dir.path, 'many-out.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { user_id: string });
    expect(kept.every((r) => r.user_id === 'alice')).toBe(true);
  });

  it('keeps a consented subject\'s records after the answer cache restarts', async () => {
    // batches of 500: alice is answered in the first, cached, then the cache (bound 3) restarts
    // while the second batch asks about new subjects; her second record must still be kept
    const records = [{ user_id: 'alice', n: 0 }, ...Array.from({ length: 499 }, (_, i) => ({ user_id: `u${i}`, n: i + 1 })), { user_id: 'alice', n: 500 }, ...Array.from({ length: 600 }, (_, i) => ({ user_id: `v${i}`, n: i + 501 })), { user_id: 'alice', n: 1101 }];
    writeFileSync(join(dir.path, 'many.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const result = await filterByConsent(job('many.jsonl', 'many-out.jsonl'), { cacheLimit: 3 });
    expect(result).toEqual({ kept: 3, dropped: records.length - 3, missingSubject: 0 });
    const kept = readFileSync(join(dir.path, 'many-out.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { user_id: string; n: number });
    expect(kept).toEqual([{ user_id: 'alice', n: 0 }, { user_id: 'alice', n: 500 }, { user_id: 'alice', n: 1101 }]);
    // the same with the default bound, which these records do not reach
    expect(await filterByConsent(job('many.jsonl', 'many-out2.jsonl'))).toEqual(result);
  });

  it('drops records whose id cannot name one subject exactly, counting them as without a usable subject', async () => {
    // JSON.parse rounds 1234567890123456789 to 1234567890123456800: another person's id, who consents
    await consent.recordConsent({ userId: '1234567890123456800', dataTypes: ['chat_transcripts'], purposes: ['model_training'] });
    const lines = [
      '{"user_id":"alice","text":"kept"}',
      '{"user_id":1234567890123456789,"text":"rounded"}',
      '{"user_id":42.5,"text":"a fraction"}',
      '{"user_id":4.2e1,"text":"the integer 42, however written"}',
      JSON.stringify({ user_id: 'a\u0000b', text: 'NUL' }),
      JSON.stringify({ user_id: 'ana\uD800', text: 'unpaired surrogate' }),
      '{"user_id":"1234567890123456789","text":"quoted: exact, and without consent"}',
    ];
    writeFileSync(join(dir.path, 'ids.jsonl'), lines.join('\n') + '\n');
    expect(await filterByConsent(job('ids.jsonl', 'ids-out.jsonl'))).toEqual({ kept: 2, dropped: 5, missingSubject: 4 });
    expect(readFileSync(join(dir.path, 'ids-out.jsonl'), 'utf8')).toBe([lines[0], lines[3]].join('\n') + '\n');
    writeFileSync(join(dir.path, 'ids.csv'), 'user_id,text\nalice,kept\n"a\u0000b",NUL\n');
    expect(await filterByConsent(job('ids.csv', 'ids-out.csv'))).toEqual({ kept: 1, dropped: 1, missingSubject: 1 });
  });

  it('a bad line fails naming it and leaves no output (an existing file untouched)', async () => {
    writeFileSync(join(dir.path, 'bad.jsonl'), '{"user_id":"alice"}\n{"user_id":"alice"}\n{"user_id": alice}\n{"user_id":"alice"}\n');
    await expect(filterByConsent(job('bad.jsonl', 'bad-out.jsonl'))).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT', details: { line: 3 }, message: expect.stringMatching(/^line 3: not valid JSON; no output was written/) });
    expect(existsSync(join(dir.path, 'bad-out.jsonl'))).toBe(false);
    writeFileSync(join(dir.path, 'array.jsonl'), '{"user_id":"alice"}\n[1,2]\n');
    writeFileSync(join(dir.path, 'previous.jsonl'), 'previous run\n');
    await expect(filterByConsent(job('array.jsonl', 'previous.jsonl'))).rejects.toThrow(/^line 2: a record must be a JSON object/);
    expect(readFileSync(join(dir.path, 'previous.jsonl'), 'utf8')).toBe('previous run\n');
    expect(readdirSync(dir.path).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('fails on bytes that are not UTF-8, JSONL and CSV alike, naming the line, where it kept them as U+FFFD', async () => {
    const latin1 = (text: string) => Buffer.from(text, 'latin1'); // "é" as the one byte 0xE9, which UTF-8 never has alone
    writeFileSync(join(dir.path, 'bad.jsonl'), latin1('{"user_id":"alice","text":"ok"}\n{"user_id":"alice","text":"café"}\n'));
    writeFileSync(join(dir.path, 'bad.csv'), latin1('user_id,text\nalice,ok\nalice,"two\nlines"\nalice,café\n'));
    for (const [input, line] of [['bad.jsonl', 2], ['bad.csv', 5]] as const) {
      const output = `out-${input}`;
      await expect(filterByConsent(job(input, output)), input).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT', message: `line ${line}: is not valid UTF-8; no output was written`, details: { line } });
      expect(existsSync(join(dir.path, output)), input).toBe(false);
    }
    // a subject id too: read leniently, "alicé" and "alic\xe8" would both have been the id "alic\uFFFD"
    writeFileSync(join(dir.path, 'id.csv'), Buffer.concat([Buffer.from('user_id,text\nalic'), Buffer.from([0xe9]), Buffer.from(',x\n')]));
    await expect(filterByConsent(job('id.csv', 'id-out.csv'))).rejects.toThrow(/^line 2: is not valid UTF-8/);
    // UTF-8 itself is kept byte for byte
    const text = '{"user_id":"alice","text":"café 日本語 😀"}\n';
    writeFileSync(join(dir.path, 'utf8.jsonl'), text);
    expect(await filterByConsent(job('utf8.jsonl', 'utf8-out.jsonl'))).toEqual({ kept: 1, dropped: 0, missingSubject: 0 });
    expect(readFileSync(join(dir.path, 'utf8-out.jsonl'), 'utf8')).toBe(text);
  });

  it('refuses a job key it does not know, or a bad value, naming it, before reading a record or writing anything', async () => {
    writeFileSync(join(dir.path, 'in.jsonl'), '{"user_id":"alice"}\n');
    writeFileSync(join(dir.path, 'previous.jsonl'), 'previous run\n');
    const base = job('in.jsonl', 'previous.jsonl');
    const refused = async (changed: Record<string, unknown>, expected: object) => {
      await expect(filterByConsent({ ...base, ...changed } as never)).rejects.toMatchObject(expected);
      expect(readFileSync(join(dir.path, 'previous.jsonl'), 'utf8')).toBe('previous run\n');
    };
    const queries = consent.queries;
    // A misspelt key: an ignored `subjectfield` or `onProgres` must not run as if it were not given.
    await refused({ subjectfield: 'customer' }, { code: 'ERR_CONFIG_UNSUPPORTED_OPTION', message: expect.stringMatching(/^filterByConsent: unknown option subjectfield \(supported: manager, input, output, subjectField, dataType, purpose, format, onProgress\)$/) });
    await refused({ onProgres: () => {} }, { code: 'ERR_CONFIG_UNSUPPORTED_OPTION', message: expect.stringMatching(/unknown option onProgres/) });
    await refused({ manager: {} }, { code: 'ERR_CONFIG_UNSUPPORTED_OPTION', message: expect.stringMatching(/manager: must be a ConsentManager/) });
    await refused({ input: 3 }, { code: 'ERR_CONFIG_UNSUPPORTED_OPTION', message: expect.stringMatching(/^filterByConsent: input: /) });
    await refused({ onProgress: 'yes' }, { code: 'ERR_CONFIG_UNSUPPORTED_OPTION', message: expect.stringMatching(/onProgress: must be a function/) });
    await refused({ dataType: 'Chat Transcripts' }, { code: 'ERR_INVALID_INPUT', details: { field: 'dataType' } });
    await refused({ purpose: undefined }, { code: 'ERR_INVALID_INPUT', details: { field: 'purpose' } });
    await expect(filterByConsent(null as never)).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT', message: expect.stringMatching(/^filterByConsent takes \{ manager, input, output/) });
    expect(consent.queries).toBe(queries);
    // An empty data set is refused for a bad purpose too, not written as if it were fine.
    writeFileSync(join(dir.path, 'empty.jsonl'), '');
    await expect(filterByConsent({ ...job('empty.jsonl', 'empty-out.jsonl'), purpose: 'Model Training' })).rejects.toMatchObject({ details: { field: 'purpose' } });
    expect(existsSync(join(dir.path, 'empty-out.jsonl'))).toBe(false);
    // Every supported key is taken.
    const seen: number[] = [];
    expect(await filterByConsent({ ...job('in.jsonl', 'out.jsonl'), format: 'jsonl', onProgress: (n) => seen.push(n) })).toEqual({ kept: 1, dropped: 0, missingSubject: 0 });
    expect(seen).toEqual([1]);
  });

  it('filters CSV too, keeping the header and quoted cells', async () => {
    writeFileSync(join(dir.path, 'in.csv'), 'user_id,text\nalice,"hi, there"\nbob,no\n,nobody\n42,"multi\nline"\n');
    const result = await filterByConsent(job('in.csv', 'out.csv'));
    expect(result).toEqual({ kept: 2, dropped: 2, missingSubject: 1 });
    expect(parseCsv(readFileSync(join(dir.path, 'out.csv')), { columns: true })).toEqual([{ user_id: 'alice', text: 'hi, there' }, { user_id: '42', text: 'multi\nline' }]);
    // a file of mixed line endings: each ends a record (a later LF merged rows; a CR stayed in a cell)
    writeFileSync(join(dir.path, 'mixed.csv'), 'user_id,text\r\nalice,one\nbob,two\r\nalice,three\r');
    expect(await filterByConsent(job('mixed.csv', 'mixed-out.csv'))).toEqual({ kept: 2, dropped: 1, missingSubject: 0 });
    expect(parseCsv(readFileSync(join(dir.path, 'mixed-out.csv')), { columns: true })).toEqual([{ user_id: 'alice', text: 'one' }, { user_id: 'alice', text: 'three' }]);
    writeFileSync(join(dir.path, 'none.csv'), 'user_id,text\nbob,no\n');
    expect(await filterByConsent(job('none.csv', 'none-out.csv'))).toEqual({ kept: 0, dropped: 1, missingSubject: 0 });
    expect(readFileSync(join(dir.path, 'none-out.csv'), 'utf8')).toBe('user_id,text\n');
    writeFileSync(join(dir.path, 'empty.csv'), 'user_id,text\n');
    expect(await filterByConsent(job('empty.csv', 'empty-out.csv'))).toEqual({ kept: 0, dropped: 0, missingSubject: 0 });
    expect(readFileSync(join(dir.path, 'empty-out.csv'), 'utf8')).toBe('user_id,text\n'); // a whole line, as with records
    writeFileSync(join(dir.path, 'ragged.csv'), 'user_id,text\nalice,a\nalice,b,extra\n');
    await expect(filterByConsent(job('ragged.csv', 'ragged-out.csv'))).rejects.toThrow(/^line 3: not valid CSV/);
    expect(existsSync(join(dir.path, 'ragged-out.csv'))).toBe(false);
  });

  it('refuses a CSV whose header lacks the subject column, naming it and the columns, and writes nothing', async () => {
    writeFileSync(join(dir.path, 'other.csv'), 'customer,text\nalice,hi\nbob,no\n');
    await expect(filterByConsent(job('other.csv', 'other-out.csv'))).rejects.toMatchObject({
      code: 'ERR_INVALID_INPUT',
      message: 'the CSV has no column "user_id" (columns: customer, text); no output was written',
      details: { field: 'subjectField', subjectField: 'user_id', columns: ['customer', 'text'] },
    });
    expect(existsSync(join(dir.path, 'other-out.csv'))).toBe(false);
    expect(consent.queries).toBe(0);
    // a header alone is enough to know the column is wrong; an existing output stays as it was
    writeFileSync(join(dir.path, 'header-only.csv'), 'customer,text\n');
    writeFileSync(join(dir.path, 'previous.csv'), 'previous run\n');
    await expect(filterByConsent(job('header-only.csv', 'previous.csv'))).rejects.toThrow(/^the CSV has no column "user_id" \(columns: customer, text\)/);
    expect(readFileSync(join(dir.path, 'previous.csv'), 'utf8')).toBe('previous run\n');
    expect(readdirSync(dir.path).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('names no header cell when the first row looks like data (a CSV without a header row), only counting them', async () => {
    const personal = ['alice@example.com', 'Alice Smith', '415-555-0134'];
    writeFileSync(join(dir.path, 'headerless.csv'), `${personal.join(',')}\nbob@example.com,Bob Jones,415-555-0199\n`);
    const failure = await filterByConsent(job('headerless.csv', 'headerless-out.csv')).then(
      () => expect.unreachable('refused'),
      (err: unknown) => err as { code: string; message: string; details: Record<string, unknown> },
    );
    expect(failure).toMatchObject({
      code: 'ERR_INVALID_INPUT',
      message: 'the CSV has no column "user_id" (its first row has 3 cells, which look like data rather than column names, so are not shown: the file may have no header row); no output was written',
      details: { field: 'subjectField', subjectField: 'user_id', columnCount: 3 },
    });
    expect(failure.details).not.toHaveProperty('columns');
    for (const value of [...personal, 'Alice', '555']) expect(failure.message + JSON.stringify(failure.details)).not.toContain(value);
    expect(existsSync(join(dir.path, 'headerless-out.csv'))).toBe(false);
    expect(consent.queries).toBe(0);
    // values the scanner needs context for (a date, an id) are withheld too
    writeFileSync(join(dir.path, 'dated.csv'), 'bob,1985-03-02\n');
    await expect(filterByConsent(job('dated.csv', 'dated-out.csv'))).rejects.toThrow(/^the CSV has no column "user_id" \(its first row has 2 cells, which look like data/);
    // and a name only the PII scanner recognises
    writeFileSync(join(dir.path, 'named.csv'), 'Alice Smith,hello\n');
    await expect(filterByConsent(job('named.csv', 'named-out.csv'))).rejects.toThrow(/^the CSV has no column "user_id" \(its first row has 2 cells, which look like data/);
  });

  it('names no field of a JSONL record keyed by what look like personal data', async () => {
    writeFileSync(join(dir.path, 'keyed.jsonl'), '{"alice@example.com":{"text":"hi"},"Alice Smith":1}\n');
    const failure = await filterByConsent(job('keyed.jsonl', 'keyed-out.jsonl')).then(
      () => expect.unreachable('refused'),
      (err: unknown) => err as { code: string; message: string; details: Record<string, unknown> },
    );
    expect(failure).toMatchObject({
      code: 'ERR_INVALID_INPUT',
      message: 'no record has the field "user_id" (1 record read; the first has 2 fields, whose names look like data, so are not shown); check the subject field; no output was written',
      details: { field: 'subjectField', subjectField: 'user_id', records: 1, fieldCount: 2 },
    });
    expect(failure.details).not.toHaveProperty('fields');
    expect(failure.message + JSON.stringify(failure.details)).not.toMatch(/alice|smith/i);
    // a record with no fields at all
    writeFileSync(join(dir.path, 'bare.jsonl'), '{}\n');
    await expect(filterByConsent(job('bare.jsonl', 'bare-out.jsonl'))).rejects.toThrow(/^no record has the field "user_id" \(1 record read; the first has no fields\)/);
  });

  it('refuses a JSONL file in which no record has the subject field, and writes nothing', async () => {
    writeFileSync(join(dir.path, 'other.jsonl'), '{"customer":"alice","text":"hi"}\n\n{"customer":"bob"}\n');
    await expect(filterByConsent(job('other.jsonl', 'other-out.jsonl'))).rejects.toMatchObject({
      code: 'ERR_INVALID_INPUT',
      message: expect.stringMatching(/^no record has the field "user_id" \(2 records read; the first has: customer, text\).*no output was written$/),
      details: { field: 'subjectField', subjectField: 'user_id', records: 2, fields: ['customer', 'text'] },
    });
    expect(existsSync(join(dir.path, 'other-out.jsonl')) || readdirSync(dir.path).some((f) => f.endsWith('.tmp'))).toBe(false);
    // the field present but never usable is the right field with no subjects: all dropped, not refused
    writeFileSync(join(dir.path, 'empty-ids.jsonl'), '{"user_id":"","text":"a"}\n{"user_id":null}\n');
    expect(await filterByConsent(job('empty-ids.jsonl', 'empty-ids-out.jsonl'))).toEqual({ kept: 0, dropped: 2, missingSubject: 2 });
    expect(readFileSync(join(dir.path, 'empty-ids-out.jsonl'), 'utf8')).toBe('');
    // no records at all: nothing to judge the field by, an empty output
    writeFileSync(join(dir.path, 'empty.jsonl'), '\n');
    expect(await filterByConsent(job('empty.jsonl', 'empty-out.jsonl'))).toEqual({ kept: 0, dropped: 0, missingSubject: 0 });
  });
});
