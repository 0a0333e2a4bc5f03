import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PIIDetector } from '../../../src/privacy/pii/pii-detector.js';
import { RecordedEvents } from '../../support/recorded-events.js';
import { tempFiles } from '../../support/services.js';

/** PIIDetector.processDataset on this thread (from TypeScript sources there is no compiled worker; the CLI tests run the worker path). */
const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
const dir = () => tempFiles('pii-dataset', cleanups);

const EMAIL = 'maria.gonzalez@correo-ejemplo.es';
const CARD = '4111 1111 1111 1111';
const records = [
  { id: 1, text: `Contact ${EMAIL} about the refund`, note: `card ${CARD}` },
  { id: 2, text: 'Nothing personal here, version 2.14.3 shipped', note: 'ok' },
  { id: 3, text: `Server 203.0.113.42 rejected the login`, nested: { list: [`mail ${EMAIL}`] } },
];
const jsonl = (rows: object[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

describe('PIIDetector.processDataset', () => {
  it('redacts the chosen fields of a JSONL data set, keeps the rest and the order, counts per type and audits without values', async () => {
    const file = dir();
    const audit = new RecordedEvents();
    const detector = new PIIDetector({ redactionMethod: 'masking' }, { audit });
    const report = await detector.processDataset({ input: file('in.jsonl', jsonl(records)), output: file('out.jsonl') }, { fields: ['text'], preserveFormat: false, dataset: 'tickets' });
    const out = readFileSync(file('out.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(out.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(out[0].text).toBe('Contact <EMAIL> about the refund');
    expect(out[0].note).toBe(`card ${CARD}`); // not a chosen field
    expect(out[1].text).toBe(records[1]!.text);
    expect(out[2].text).toBe('Server <IP_ADDRESS> rejected the login');
    expect(report).toMatchObject({ records: 3, redactedRecords: 2, workers: 0 });
    expect(report.counts).toMatchObject({ email: 1, ip_address: 1, credit_card: 0 });

    const redacted = audit.events.filter((e) => e.eventType === 'pii.redacted');
    const lines = redacted.flatMap((e) => (e.additionalData!.redactions as Array<Record<string, unknown>>));
    expect(lines).toEqual([
      expect.objectContaining({ line: 1, field: 'text', type: 'email', start: 8, end: 8 + EMAIL.length, recognizer: expect.any(String), score: expect.any(Number) }),
      expect.objectContaining({ line: 3, field: 'text', type: 'ip_address', start: 7, end: 19 }),
    ]);
    const summary = audit.events.find((e) => e.eventType === 'pii.dataset_redacted')!;
    expect(summary.additionalData).toMatchObject({ dataset: 'tickets', records: 3, redactedRecords: 2 });
    const logged = JSON.stringify(audit.events);
    for (const secret of [EMAIL, '203.0.113.42']) expect(logged).not.toContain(secret);
  });

  it('without fields redacts every string, nested ones included; preserveFormat keeps the shape', async () => {
    const file = dir();
    const detector = new PIIDetector({ redactionMethod: 'masking', detectionTypes: ['email', 'credit_card'] });
    await detector.processDataset({ input: file('in.jsonl', jsonl(records)), output: file('out.jsonl') }, { auditRedactions: false });
    const out = readFileSync(file('out.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(out[0].note).toMatch(/^card \*{4} \*{4} \*{4} 1111$/);
    expect(out[2].nested.list[0]).toMatch(/^mail [^@\s]+@[^@\s]+$/);
    expect(out[2].nested.list[0]).not.toContain('gonzalez');
    expect(out[2].nested.list[0].length).toBe(`mail ${EMAIL}`.length);
    expect(out[2].text).toBe(records[2]!.text); // ip_address was not asked for
  });

  it('audits a field path whose keys hold personal data with what was found in it replaced by its type', async () => {
    const file = dir();
    const audit = new RecordedEvents();
    const detector = new PIIDetector({ redactionMethod: 'masking' }, { audit });
    const line = JSON.stringify({ contacts: { 'carol.secret@example.com': 'phone +1 415 555 2671' } });
    await detector.processDataset({ input: file('in.jsonl', line + '\n'), output: file('out.jsonl') }, { preserveFormat: false, dataset: 'contacts' });
    const redactions = audit.of('pii.redacted').flatMap((e) => (e.additionalData as { redactions: Array<{ field: string; type: string }> }).redactions);
    // the key is redacted too, and masked in every path by what the job found in it
    expect(redactions).toEqual([expect.objectContaining({ field: 'contacts.<email>', type: 'email', inKey: true }), expect.objectContaining({ field: 'contacts.<email>', type: 'phone' })]);
    expect(redactions[1]).not.toHaveProperty('inKey');
    expect(JSON.stringify(audit.events)).not.toContain('carol');
    // each key is scanned on its own too, for every type whatever the job looks for
    const keyed = JSON.stringify({ cards: { '4111 1111 1111 1111': 'call +1 415 555 2671' }, byMail: { 'dana@example.org': 'call +1 415 555 2672' } });
    const phonesOnly = new PIIDetector({ redactionMethod: 'masking', detectionTypes: ['phone'] }, { audit });
    await phonesOnly.processDataset({ input: file('keyed.jsonl', keyed + '\n'), output: file('keyed-out.jsonl') }, { preserveFormat: false, dataset: 'keyed' });
    const keyedFields = audit.of('pii.redacted').flatMap((e) => (e.additionalData as { dataset: string; redactions: Array<{ field: string }> }).dataset === 'keyed' ? (e.additionalData as { redactions: Array<{ field: string }> }).redactions.map((r) => r.field) : []);
    expect(keyedFields).toEqual(['cards.<credit_card>', '<email>']); // "byMail.dana@…" reads as one address
    expect(JSON.stringify(audit.events)).not.toMatch(/4111|dana/);
    // an address written as keys, and a number as a key, are masked too
    const asKeys = JSON.stringify({ ips: { '203': { '0': { '113': { '5': 'call +1 415 555 2671' } } } }, byPhone: { '4155550134': 'call +1 415 555 2672' } });
    await phonesOnly.processDataset({ input: file('as-keys.jsonl', asKeys + '\n'), output: file('as-keys-out.jsonl') }, { preserveFormat: false, dataset: 'as-keys' });
    const asKeysFields = audit.of('pii.redacted').flatMap((e) => (e.additionalData as { dataset: string; redactions: Array<{ field: string }> }).dataset === 'as-keys' ? (e.additionalData as { redactions: Array<{ field: string }> }).redactions.map((r) => r.field) : []);
    expect(asKeysFields).toEqual(['ips.<ip_address>', 'byPhone.<digits>']);
    // a CSV header cell is a field name too (one the job finds data in fails it: csv-header-row.test.ts)
    const csv = await phonesOnly.processDataset({ input: file('in.csv', 'id,dana.lee@example.org\n1,call +1 415 555 2671\n'), output: file('out.csv') }, { preserveFormat: false, dataset: 'csv' });
    expect(csv.counts.phone).toBe(1);
    expect(JSON.stringify(audit.events)).not.toContain('dana.lee');
  });

  it('redacts what a chosen path holds: a number as its digits, an array or object whole; a path no record has is refused', async () => {
    const file = dir();
    const rows = [
      { id: 1, card: 4111111111111111, user: { cards: [`${CARD}`, 'none'], bio: { mail: EMAIL } }, amount: 1.10 },
      { id: 2, card: 1234, user: { cards: [] } },
    ];
    const input = file('in.jsonl', rows.map((r) => JSON.stringify(r).replace('"amount":1.1', '"amount":1.10')).join('\n') + '\n');
    const detector = new PIIDetector({ redactionMethod: 'masking' });
    const report = await detector.processDataset({ input, output: file('out.jsonl') }, { fields: ['card', 'user.cards', 'user.bio'], preserveFormat: false, auditRedactions: false });
    expect(report.counts).toMatchObject({ credit_card: 2, email: 1 });
    expect(readFileSync(file('out.jsonl'), 'utf8')).toBe(
      '{"id":1,"card":"<CREDIT_CARD>","user":{"cards":["<CREDIT_CARD>","none"],"bio":{"mail":"<EMAIL>"}},"amount":1.10}\n{"id":2,"card":1234,"user":{"cards":[]}}\n',
    );
    // every field: a long whole number anywhere is scanned, short ones (ids, token ids) are not
    const everywhere = await detector.processDataset({ input: file('ids.jsonl', '{"ids":[101,2023,4111111111111111],"n":4111111111111111}\n'), output: file('ids-out.jsonl') }, { preserveFormat: false, auditRedactions: false });
    expect(everywhere.counts.credit_card).toBe(2);
    expect(readFileSync(file('ids-out.jsonl'), 'utf8')).toBe('{"ids":[101,2023,"<CREDIT_CARD>"],"n":"<CREDIT_CARD>"}\n');

    const misspelt = detector.processDataset({ input, output: file('none.jsonl') }, { fields: ['card', 'txt', 'user.mail'], auditRedactions: false });
    await expect(misspelt).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT', details: { fields: ['txt', 'user.mail'] } });
    await expect(misspelt).rejects.toThrow('no record has a value at the field path "txt", "user.mail" (2 records read)');
    expect(existsSync(file('none.jsonl'))).toBe(false);
    await expect(detector.processDataset(rows, { fields: ['txt'], auditRedactions: false })).rejects.toThrow('no record has a value at the field path "txt" (2 records read)');
    // a whole number JavaScript reads rounded is scanned as its line writes it, at a chosen path and in every field
    const big = file('big.jsonl', '{"id":1,"card":4111111111111111}\n{"id":2,"card":6221260000000000019, "msg": 1234567890123456789}\n');
    const chosen = await detector.processDataset({ input: big, output: file('big-out.jsonl') }, { fields: ['card'], preserveFormat: false, auditRedactions: false });
    expect(chosen.counts.credit_card).toBe(2);
    expect(readFileSync(file('big-out.jsonl'), 'utf8')).toBe('{"id":1,"card":"<CREDIT_CARD>"}\n{"id":2,"card":"<CREDIT_CARD>", "msg": 1234567890123456789}\n');
    const everywhere19 = await detector.processDataset({ input: big, output: file('big-all.jsonl') }, { preserveFormat: false, auditRedactions: false });
    expect(everywhere19.counts.credit_card).toBe(2);
    expect(readFileSync(file('big-all.jsonl'), 'utf8')).toContain('"msg": 1234567890123456789}'); // an id, no card: kept as written
    // however the line writes the whole number; a fraction JavaScript rounds to a whole number is no card
    const spelt = file('spelt.jsonl', '{"card":6221260000000000019.0,"f":12345678901234567.5}\n{"card":6.221260000000000019e18,"f":1}\n');
    for (const fields of [['card', 'f'], undefined]) {
      const report = await detector.processDataset({ input: spelt, output: file('spelt-out.jsonl') }, { ...(fields ? { fields } : {}), preserveFormat: false, auditRedactions: false });
      expect(report.counts.credit_card).toBe(2);
      expect(readFileSync(file('spelt-out.jsonl'), 'utf8')).toBe('{"card":"<CREDIT_CARD>","f":12345678901234567.5}\n{"card":"<CREDIT_CARD>","f":1}\n');
    }
    // a line whose keys paths cannot name apart gives no digits: refused at a chosen path, never kept as written
    const dotted = file('dotted.jsonl', '{"v1.2": 1, "card": 6221260000000000019}\n');
    await expect(detector.processDataset({ input: dotted, output: file('dotted-out.jsonl') }, { fields: ['card'], auditRedactions: false })).rejects.toThrow(
      'line 1: the field card holds a whole number past 2^53, which JavaScript reads rounded, so it cannot be scanned (it may be a card number); a key of the line holds ".", "[" or "]", so its digits cannot be found in the line: quote the number as a string or rename the key; no output was written',
    );
    expect(existsSync(file('dotted-out.jsonl'))).toBe(false);
    // an in-memory record has no text to read the digits from
    await expect(detector.processDataset([{ card: 6221260000000000019 }], { fields: ['card'], auditRedactions: false })).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT', message: expect.stringMatching(/^record 1: the field card holds a whole number past 2\^53/) });
    await expect(detector.processDataset([{ m: { n: 9007199254740993 } }], { fields: ['m'], auditRedactions: false })).rejects.toThrow(/^record 1: the field m\.n holds a whole number past 2\^53/);
    // a path whose keys are data is named as the audit log names it
    await expect(detector.processDataset([{ byMail: { 'ana.lima@example.org': 9007199254740993 } }], { fields: ['byMail'], auditRedactions: false })).rejects.toThrow(/^record 1: the field <email> holds a whole number past 2\^53/);
    await expect(detector.processDataset([{ m: 6.02e23 }], { fields: ['m'], auditRedactions: false })).resolves.toMatchObject({ report: { records: 1 } }); // no card has 24 digits
  });

  it('redacts chosen CSV columns, quoted line breaks included, and names the line of a bad row', async () => {
    const file = dir();
    const csv = `id,comment,email\n1,"two\nlines",${EMAIL}\n2,plain,nobody\n`;
    const detector = new PIIDetector({ redactionMethod: 'removal' });
    const report = await detector.processDataset({ input: file('in.csv', csv), output: file('out.csv') }, { fields: ['email'], auditRedactions: false });
    expect(readFileSync(file('out.csv'), 'utf8')).toBe('id,comment,email\n1,"two\nlines",\n2,plain,nobody\n');
    expect(report.counts.email).toBe(1);

    const bad = `id,email\n1,${EMAIL}\n2,"x\ny"\n3,a,b\n`;
    await expect(detector.processDataset({ input: file('bad.csv', bad), output: file('bad-out.csv') }, { auditRedactions: false })).rejects.toThrow(/line 5: has 3 cells but the header names 2 columns; no output was written/);
    expect(existsSync(file('bad-out.csv'))).toBe(false);
    await expect(detector.processDataset({ input: file('in.csv'), output: file('x.csv') }, { fields: ['phone'], auditRedactions: false })).rejects.toThrow(/no column "phone" \(columns: id, comment, email\)/);
    // a CSV without a header row: its first record is not echoed back as column names
    const headless = file('headless.csv', `${EMAIL},Maria Gonzalez,415-555-0134\n`);
    const refused = detector.processDataset({ input: headless, output: file('y.csv') }, { fields: ['phone'], auditRedactions: false });
    await expect(refused).rejects.toThrow('the CSV has no column "phone" (its first row has 3 cells, which look like data rather than column names, so are not shown: the file may have no header row)');
    await expect(refused).rejects.toSatisfy((err: Error & { details: object }) => !JSON.stringify({ message: err.message, details: err.details }).match(/maria|415/i));
    // a row the CSV parser refuses: its line and the problem, never its value
    const unparsable = `id,email\n1,${EMAIL}\n2,"${EMAIL}" is mine\n`;
    const refusal = detector.processDataset({ input: file('unparsable.csv', unparsable), output: file('unparsable-out.csv') }, { auditRedactions: false });
    await expect(refusal).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT', details: { line: 3 } });
    await expect(refusal).rejects.toThrow(/^line 3: not valid CSV: a quoted field goes on after its closing quote/);
    expect(existsSync(file('unparsable-out.csv'))).toBe(false);
  });

  it('names CSV lines right after CRLF line breaks inside quoted cells, and a never-closed quote by the record it opened in', async () => {
    const file = dir();
    const detector = new PIIDetector({ redactionMethod: 'removal' });
    const windows = `id,note\r\n1,"two\r\nlines"\r\n2,"three\r\nmore\r\nlines"\r\n3,ok\r\noops\r\n`;
    await expect(detector.processDataset({ input: file('crlf.csv', windows), output: file('crlf-out.csv') }, { auditRedactions: false })).rejects.toThrow(/^line 8: has 1 cells but the header names 2 columns/);
    const audit = new RecordedEvents();
    const audited = new PIIDetector({ redactionMethod: 'removal' }, { audit });
    await audited.processDataset({ input: file('crlf-ok.csv', `id,note\r\n1,"two\r\nlines"\r\n2,mail ${EMAIL}\r\n`), output: file('crlf-ok-out.csv') }, { dataset: 'crlf' });
    expect(audit.of('pii.redacted').flatMap((e) => e.additionalData!.redactions as Array<{ line: number }>).map((r) => r.line)).toEqual([4]);

    const unclosed = ['id,note', '1,fine', '2,"opened here', ...Array.from({ length: 50 }, (_, i) => `${i + 3},later`)].join('\n') + '\n';
    await expect(detector.processDataset({ input: file('unclosed.csv', unclosed), output: file('unclosed-out.csv') }, { auditRedactions: false })).rejects.toThrow(
      /^line 3: not valid CSV: a quoted field of the record starting on this line is never closed/,
    );
  });

  it('ends a CSV record at any line ending, in a file of mixed endings too, and names the lines after them right', async () => {
    const file = dir();
    const detector = new PIIDetector();
    const redact = (name: string, csv: string) => detector.processDataset({ input: file(name, csv), output: file(`${name}.out`) }, { auditRedactions: false, preserveFormat: false });
    // a CRLF file with an LF row: the LF ended no record, so rows merged into multi-line cells
    expect(await redact('crlf-lf.csv', 'email\r\na@corp.com\nc@corp.com\r\nnobody\n')).toMatchObject({ records: 3, redactedRecords: 2 });
    expect(readFileSync(file('crlf-lf.csv.out'), 'utf8')).toBe('email\n<EMAIL>\n<EMAIL>\nnobody\n');
    // an LF file with a CRLF row: its last cell kept the CR
    expect(await redact('lf-crlf.csv', 'id,note\n1,nothing here\r\n2,a@corp.com\n')).toMatchObject({ records: 2, redactedRecords: 1 });
    expect(readFileSync(file('lf-crlf.csv.out'), 'utf8')).toBe('id,note\n1,nothing here\n2,<EMAIL>\n');
    // two columns: the merged rows failed as "has 3 cells"
    expect(await redact('crlf-lf-2.csv', 'id,email\r\n1,a@corp.com\n2,c@corp.com\r\n')).toMatchObject({ records: 2, redactedRecords: 2 });
    expect(readFileSync(file('crlf-lf-2.csv.out'), 'utf8')).toBe('id,email\n1,<EMAIL>\n2,<EMAIL>\n');
    expect(await redact('cr.csv', 'id,email\r1,a@corp.com\r2,nobody\r')).toMatchObject({ records: 2, redactedRecords: 1 });
    expect(readFileSync(file('cr.csv.out'), 'utf8')).toBe('id,email\n1,<EMAIL>\n2,nobody\n');

    // line 1 ends in CR LF, 2 in a quoted CR LF, 3 in LF, 4 in a lone CR, 5 in CR LF; then a blank line 6 (LF) and a bad row on 7
    const mixed = `id,note\r\n1,"two\r\nlines"\n2,ok\r3,mail ${EMAIL}\r\n`;
    const audit = new RecordedEvents();
    await new PIIDetector({ redactionMethod: 'removal' }, { audit }).processDataset({ input: file('mixed.csv', mixed), output: file('mixed-out.csv') }, { dataset: 'mixed' });
    expect(audit.of('pii.redacted').flatMap((e) => e.additionalData!.redactions as Array<{ line: number }>).map((r) => r.line)).toEqual([5]);
    await expect(redact('mixed-bad.csv', `${mixed}\n4,a,b\r\n`)).rejects.toThrow(/^line 7: has 3 cells but the header names 2 columns/);
  });

  it('names the line of a CSV parse error after quoted CR LFs, in its chunk and many chunks later', async () => {
    const file = dir();
    const detector = new PIIDetector();
    const refused = (name: string, csv: string) => detector.processDataset({ input: file(name, csv), output: file(`${name}.out`) }, { auditRedactions: false });
    // csv-parse's own count takes each CR LF in a quoted cell for two lines: this was "line 8"
    const windows = ['id,text', '1,"multi\r\nline\r\ncell"', '2,ok', '3,bad"quote', '4,ok'].join('\r\n') + '\r\n';
    await expect(refused('quote.csv', windows)).rejects.toMatchObject({ message: expect.stringMatching(/^line 6: not valid CSV: a quote inside a field that does not start with one/), details: { line: 6 } });
    expect(existsSync(file('quote.csv.out'))).toBe(false);
    // the error on the second line of its record (lines 4-5)
    await expect(refused('closing.csv', 'id,text\r\n1,"a\r\nb"\r\n2,"c\r\nd" x\r\n')).rejects.toThrow(/^line 5: not valid CSV: a quoted field goes on after its closing quote/);
    // ~100 KB of two-line records before it: read in several chunks
    const many = ['id,text', ...Array.from({ length: 3000 }, (_, i) => `${i},"row ${i}\r\nsecond line"`), '3000,bad"quote'].join('\r\n') + '\r\n';
    await expect(refused('many.csv', many)).rejects.toMatchObject({ details: { line: 6002 } });
  });

  it('takes only JSON whitespace for a blank line: one of NBSP, U+2028, a byte order mark, form feed or vertical tab fails the job at its line', async () => {
    const file = dir();
    const detector = new PIIDetector();
    const blank = await detector.processDataset({ input: file('blank.jsonl', `{"text":"a"}\n \t\r\r\n\n{"text":"b"}\n`), output: file('blank-out.jsonl') }, { auditRedactions: false });
    expect(blank).toMatchObject({ records: 2 });
    for (const [i, line] of ['\u00a0', '\u2028', '\uFEFF', '\f', '\v', ' \f\v '].entries()) {
      const output = file(`out-${i}.jsonl`);
      const job = detector.processDataset({ input: file(`in-${i}.jsonl`, `{"text":"mail ${EMAIL}"}\n \n${line}\n{"text":"b"}\n`), output }, { auditRedactions: false });
      await expect(job).rejects.toMatchObject({ message: 'line 3: not valid JSON; no output was written', details: { line: 3 } });
      expect(existsSync(output)).toBe(false);
    }
  });

  it('keeps the blank lines of JSON Lines, as lines, not records', async () => {
    const file = dir();
    const detector = new PIIDetector({ redactionMethod: 'removal' });
    const report = await detector.processDataset({ input: file('blank.jsonl', `\n  \n{"text":"mail ${EMAIL}"}\n\n`), output: file('blank-out.jsonl') }, { auditRedactions: false });
    expect(report).toMatchObject({ records: 1, redactedRecords: 1 });
    expect(readFileSync(file('blank-out.jsonl'), 'utf8')).toBe('\n  \n{"text":"mail "}\n\n');
  });

  it('redacts every CSV column of a chosen name, and takes blank lines (an editor\'s last newline) for no records', async () => {
    const file = dir();
    const detector = new PIIDetector({ redactionMethod: 'removal' });
    const report = await detector.processDataset({ input: file('dup.csv', `email,name,email\n${EMAIL},x,bob@corp.example.com\n\n`), output: file('dup-out.csv') }, { fields: ['email'], auditRedactions: false });
    expect(readFileSync(file('dup-out.csv'), 'utf8')).toBe('email,name,email\n,x,\n');
    expect(report).toMatchObject({ records: 1, counts: { email: 2 } });
    // `""` is a record of one empty cell, not a blank line: refused, not dropped
    await expect(detector.processDataset({ input: file('quoted-empty.csv', `email,name\n""\n`), output: file('quoted-empty-out.csv') }, { auditRedactions: false })).rejects.toThrow(/^line 2: has 1 cells but the header names 2 columns/);
  });

  it('a bad line in the middle fails the whole job, names the line and leaves no output, not even a temporary file', async () => {
    const file = dir();
    const lines = Array.from({ length: 1200 }, (_, i) => JSON.stringify({ text: `row ${i} mail user${i}@example.org` }));
    lines[700] = '{"text": "broken';
    const output = file('out.jsonl', 'an older output that must survive\n');
    const detector = new PIIDetector();
    await expect(detector.processDataset({ input: file('in.jsonl', lines.join('\n') + '\n'), output }, { auditRedactions: false })).rejects.toThrow(/line 701: not valid JSON; no output was written/);
    expect(readFileSync(output, 'utf8')).toBe('an older output that must survive\n');
    expect(readdirSync(join(output, '..')).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('keeps line numbers across batches and CRLF endings, writes untouched records back byte for byte, and names a line that is not UTF-8', async () => {
    const file = dir();
    // ~900 KB: more than one 512 KB batch, so line numbers must carry over from batch to batch.
    const lines = Array.from({ length: 9000 }, (_, i) => (i % 1000 === 999 ? JSON.stringify({ text: `row ${i} mail user${i}@example.org` }) : `{ "text" :  "row ${i}, nothing to see ${'.'.repeat(60)}" }`));
    const audit = new RecordedEvents();
    const output = file('out.jsonl');
    const report = await new PIIDetector({}, { audit }).processDataset({ input: file('in.jsonl', lines.join('\r\n')), output }, { preserveFormat: false });
    expect(report).toMatchObject({ records: 9000, redactedRecords: 9 });
    const out = readFileSync(output, 'utf8').split('\n');
    expect(out).toHaveLength(9001); // LF endings, the last line given one
    expect(out[0]).toBe(lines[0]); // odd spacing and all: nothing was redacted in it
    expect(JSON.parse(out[8999]!).text).toBe('row 8999 mail <EMAIL>');
    const audited = audit.events.filter((e) => e.eventType === 'pii.redacted').flatMap((e) => (e.additionalData as { redactions: Array<{ line: number }> }).redactions);
    expect(audited.map((r) => r.line)).toEqual([1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000]);

    const bytes = Buffer.from(lines.join('\n') + '\n');
    const bad = bytes.indexOf('row 7001,');
    bytes[bad] = 0xff; // a byte that never occurs in UTF-8
    await expect(new PIIDetector().processDataset({ input: file('bad.jsonl', bytes as never), output }, { auditRedactions: false })).rejects.toThrow(/line 7002: is not valid UTF-8; no output was written/);
  });

  it('fails a CSV whose bytes are not UTF-8, naming the line, where it wrote U+FFFD in their place', async () => {
    const file = dir();
    const output = file('out.csv');
    const latin1 = Buffer.concat([Buffer.from('user_id,text\nu1,caf'), Buffer.from([0xe9]), Buffer.from('\n')]);
    await expect(new PIIDetector().processDataset({ input: file('latin1.csv', latin1 as never), output }, { auditRedactions: false })).rejects.toMatchObject({
      code: 'ERR_INVALID_INPUT',
      message: 'line 2: is not valid UTF-8; no output was written',
      details: { line: 2 },
    });
    expect(existsSync(output)).toBe(false);
    // ~300 KB: read in many chunks, some cutting an "é" in two, and sent in many batches; a quoted cell spans two lines
    const rows = ['id,text', '0,"two', 'lines"', ...Array.from({ length: 3000 }, (_, i) => `${i + 1},café ${'é'.repeat(40)}`)];
    const text = rows.join('\n') + '\n';
    expect(await new PIIDetector().processDataset({ input: file('accents.csv', text), output }, { auditRedactions: false })).toMatchObject({ records: 3001, redactedRecords: 0 });
    expect(readFileSync(output, 'utf8')).toBe(text);
    const bytes = Buffer.from(text);
    bytes[bytes.indexOf('\n2500,café') + 'x2500,caf'.length] = 0xff; // the first byte of that line's "é"
    await expect(new PIIDetector().processDataset({ input: file('late.csv', bytes as never), output: file('late-out.csv') }, { auditRedactions: false })).rejects.toThrow(/^line 2503: is not valid UTF-8; no output was written$/);
    expect(existsSync(file('late-out.csv'))).toBe(false);
  });

  it('reads past a UTF-8 byte order mark before the first line, and writes none', async () => {
    const file = dir();
    const output = file('out.jsonl');
    const input = file('bom.jsonl', '\uFEFF' + jsonl([{ text: `mail ${EMAIL}` }, { text: 'nothing' }]));
    expect(await new PIIDetector().processDataset({ input, output }, { auditRedactions: false, preserveFormat: false })).toMatchObject({ records: 2, redactedRecords: 1 });
    expect(readFileSync(output, 'utf8')).toBe(jsonl([{ text: 'mail <EMAIL>' }, { text: 'nothing' }]));
  });

  it('redacts a line longer than a batch whole, with multi-byte characters across the cuts, and counts the lines after it', async () => {
    const file = dir();
    // ~1.6 MB of "é" (two bytes each) around one email: the reader must carry this line over three reads.
    const long = JSON.stringify({ text: `${'é'.repeat(400_000)} ${EMAIL} ${'é'.repeat(400_000)}` });
    const input = file('in.jsonl', [JSON.stringify({ text: 'first' }), long, JSON.stringify({ text: `last ${EMAIL}` })].join('\n'));
    const output = file('out.jsonl');
    const audit = new RecordedEvents();
    expect(await new PIIDetector({}, { audit }).processDataset({ input, output }, { preserveFormat: false })).toMatchObject({ records: 3, redactedRecords: 2 });
    const out = readFileSync(output, 'utf8').split('\n');
    expect(out).toHaveLength(4);
    expect(JSON.parse(out[1]!).text).toBe(`${'é'.repeat(400_000)} <EMAIL> ${'é'.repeat(400_000)}`);
    expect(JSON.parse(out[2]!).text).toBe('last <EMAIL>');
    const audited = audit.events.filter((e) => e.eventType === 'pii.redacted').flatMap((e) => (e.additionalData as { redactions: Array<{ line: number }> }).redactions);
    expect(audited.map((r) => r.line)).toEqual([2, 3]);
  });

  it('synthetic fakes are consistent within a data set; hash needs keys; audit needs a sink', async () => {
    const file = dir();
    const rows = [{ text: `a ${EMAIL}` }, { text: `b ${EMAIL}` }, { text: 'c other.person@example.net' }];
    await new PIIDetector({ redactionMethod: 'synthetic', detectionTypes: ['email'] }).processDataset({ input: file('in.jsonl', jsonl(rows)), output: file('out.jsonl') }, { auditRedactions: false });
    const out = readFileSync(file('out.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).text as string);
    const fake = (s: string) => s.slice(2);
    expect(fake(out[0]!)).toBe(fake(out[1]!));
    expect(fake(out[0]!)).not.toBe(EMAIL);
    expect(fake(out[2]!)).not.toBe(fake(out[0]!));
    expect(fake(out[0]!)).toMatch(/@example\.(com|org|net)$/);

    await expect(new PIIDetector({ redactionMethod: 'hash' }).processDataset({ input: file('in.jsonl'), output: file('h.jsonl') }, { auditRedactions: false })).rejects.toThrow(/redactionMethod hash needs keys/);
    await expect(new PIIDetector().processDataset({ input: file('in.jsonl'), output: file('a.jsonl') })).rejects.toThrow(/auditRedactions needs an audit sink/);
  });

  it('redacts a directory of shards as one data set: one fake for one value in every file, audited per file', async () => {
    const file = dir();
    const shards = file('shards');
    mkdirSync(shards);
    writeFileSync(join(shards, 'part-0.jsonl'), jsonl([{ text: `mail ${EMAIL}` }]));
    writeFileSync(join(shards, 'part-1.jsonl'), jsonl([{ text: `again ${EMAIL}` }, { text: 'none' }]));
    const audit = new RecordedEvents();
    const detector = new PIIDetector({ redactionMethod: 'synthetic', detectionTypes: ['email'] }, { audit });
    const progress: number[] = [];
    const report = await detector.processDataset({ inputDir: shards, outputDir: file('clean') }, { dataset: 'chats', onProgress: ({ records }) => progress.push(records) });
    expect(report).toMatchObject({ records: 3, redactedRecords: 2, skipped: [] });
    expect(report.files.map((f) => [f.file, f.records])).toEqual([['part-0.jsonl', 1], ['part-1.jsonl', 2]]);
    expect(progress.at(-1)).toBe(3);
    const fake0 = /mail (\S+)/.exec(JSON.parse(readFileSync(join(file('clean'), 'part-0.jsonl'), 'utf8')).text)![1];
    const fake1 = /again (\S+)/.exec(JSON.parse(readFileSync(join(file('clean'), 'part-1.jsonl'), 'utf8').split('\n')[0]!).text)![1];
    expect(fake0).not.toBe(EMAIL);
    expect(fake1).toBe(fake0);
    expect(audit.events.filter((e) => e.eventType === 'pii.dataset_redacted').map((e) => e.additionalData!.dataset)).toEqual(['chats/part-0.jsonl', 'chats/part-1.jsonl']);
  });

  it('redacts an in-memory list of records into a copy, as the seed passes raw_dataset', async () => {
    const audit = new RecordedEvents();
    const input = [{ text: `mail ${EMAIL}` }, { text: 'nothing' }];
    const { records: out, report } = await new PIIDetector({ redactionMethod: 'masking' }, { audit }).processDataset(input, { preserveFormat: false });
    expect(out).toEqual([{ text: 'mail <EMAIL>' }, { text: 'nothing' }]);
    expect(input[0]!.text).toBe(`mail ${EMAIL}`);
    expect(report).toMatchObject({ records: 2, redactedRecords: 1, counts: { email: 1 } });
    expect(audit.events.map((e) => e.eventType)).toEqual(['pii.redacted', 'pii.dataset_redacted']);
    expect(JSON.stringify(audit.events)).not.toContain(EMAIL);
  });

  it('redacts keys that hold personal data like values, keeping the rest of the line as written, and refuses keys that would merge', async () => {
    const file = dir();
    const audit = new RecordedEvents();
    const detector = new PIIDetector({ redactionMethod: 'masking' }, { audit });
    const lines = [
      // a phone number as a key: renamed where it stands, `1.10` and spacing kept
      '{"calls": {"+44 20 7946 0958": {"minutes": 1.10}, "total": 2}, "role": "agent"}',
      // an address (with dots) as a key: paths cannot name it apart, so the record is written whole
      `{"contacts": {"${EMAIL}": {"name": "x"}}}`,
      '{"role": "user", "text": "no personal data"}',
    ];
    const report = await detector.processDataset({ input: file('in.jsonl', lines.join('\n') + '\n'), output: file('out.jsonl') }, { preserveFormat: false, dataset: 'keys' });
    expect(readFileSync(file('out.jsonl'), 'utf8')).toBe('{"calls": {"<PHONE>": {"minutes": 1.10}, "total": 2}, "role": "agent"}\n{"contacts":{"<EMAIL>":{"name":"x"}}}\n' + lines[2] + '\n');
    expect(report).toMatchObject({ redactedRecords: 2, counts: { phone: 1, email: 1 } });
    const redactions = audit.of('pii.redacted').flatMap((e) => (e.additionalData as { redactions: Array<Record<string, unknown>> }).redactions);
    expect(redactions).toEqual([
      expect.objectContaining({ line: 1, field: 'calls.<phone>', type: 'phone', start: 0, end: 16, inKey: true }),
      expect.objectContaining({ line: 2, field: 'contacts.<email>', type: 'email', start: 0, end: EMAIL.length, inKey: true }),
    ]);
    expect(JSON.stringify(audit.events)).not.toMatch(/7946 0958|gonzalez/); // (digits alone can stand in ids and hashes)

    // two keys masked to one tag would make a line with a key given twice: refused, naming the line but not the keys
    const merging = detector.processDataset({ input: file('merge.jsonl', `{"ok": 1}\n{"byCard": {"${CARD}": 1, "4012 8888 8888 1881": 2}}\n`), output: file('merge-out.jsonl') }, { preserveFormat: false, auditRedactions: false });
    await expect(merging).rejects.toThrow(/^line 2: has two keys in one object that would be written as the same key once redacted .*method hash or synthetic/);
    await expect(merging).rejects.not.toThrow(/4111|4012/);
    expect(existsSync(file('merge-out.jsonl'))).toBe(false);
    // a keyed hash keeps them apart
    const hashed = await new PIIDetector({ redactionMethod: 'hash' }, { keys: { hashKey: new Uint8Array(32).fill(1), encryptionKey: new Uint8Array(32).fill(2) } }).processDataset([{ byCard: { [CARD]: 1, '4012 8888 8888 1881': 2 } }], { auditRedactions: false });
    const hashedKeys = Object.keys(hashed.records[0]!.byCard as object);
    expect(hashedKeys).toHaveLength(2);
    expect(hashedKeys.join()).not.toMatch(/4111 1111|4012 8888/);
  });

  it('masks a redacted key in the audit log by what the job found, below the audit log\'s own threshold too', async () => {
    const audit = new RecordedEvents();
    const low = new PIIDetector({ redactionMethod: 'masking', confidenceThreshold: 0.3 }, { audit });
    const { records } = await low.processDataset([{ contacts: { 'jane AT example DOT com': 'call +1 415 555 2671' } }], { preserveFormat: false, dataset: 'low' });
    expect(Object.keys(records[0]!.contacts as object)).toEqual(['<EMAIL>']);
    const fields = audit.of('pii.redacted').flatMap((e) => (e.additionalData as { redactions: Array<{ field: string }> }).redactions.map((r) => r.field));
    expect(fields).toEqual(['contacts.<email>', 'contacts.<email>']);
    expect(JSON.stringify(audit.events)).not.toMatch(/jane|555 2671/);
  });

  it('redacts every chosen path when one lies under another whose keys it renames, counting each finding once', async () => {
    const file = dir();
    const line = JSON.stringify({ contacts: { '4111111111111111': 'call +1 415 555 2671' }, note: `mail ${EMAIL}` });
    const report = await new PIIDetector({ redactionMethod: 'masking' }).processDataset({ input: file('in.jsonl', line + '\n'), output: file('out.jsonl') }, { fields: ['contacts', 'contacts.4111111111111111', 'note'], preserveFormat: false, auditRedactions: false });
    expect(readFileSync(file('out.jsonl'), 'utf8')).toBe('{"contacts":{"<CREDIT_CARD>":"call <PHONE>"},"note":"mail <EMAIL>"}\n');
    expect(report.counts).toMatchObject({ credit_card: 1, phone: 1, email: 1 });
    const nested = await new PIIDetector({ redactionMethod: 'masking' }).processDataset([{ a: { b: { '+44 20 7946 0958': `mail ${EMAIL}` } } }], { fields: ['a', 'a.b'], preserveFormat: false, auditRedactions: false });
    expect(nested.records).toEqual([{ a: { b: { '<PHONE>': 'mail <EMAIL>' } } }]);
    expect(nested.report.counts).toMatchObject({ phone: 1, email: 1 });
  });

  it('reads a line of thousands of 19-digit ids once, leaving them as written', async () => {
    const file = dir();
    const ids = Array.from({ length: 8000 }, (_, i) => String(1234567890123456789n + BigInt(i)));
    const line = `{"ids":[${ids.join(',')}],"text":"mail ${EMAIL}"}`;
    await new PIIDetector({ redactionMethod: 'masking' }).processDataset({ input: file('ids.jsonl', line + '\n'), output: file('ids-out.jsonl') }, { preserveFormat: false, auditRedactions: false });
    expect(readFileSync(file('ids-out.jsonl'), 'utf8')).toBe(line.replace(EMAIL, '<EMAIL>') + '\n');
  });

  it('renames keys of in-memory records in place, in order, an own __proto__ key kept as a key', async () => {
    const record = JSON.parse(`{"__proto__": {"polluted": true}, "Maria Gonzalez": "x", "z": 1}`) as Record<string, unknown>;
    const { records } = await new PIIDetector({ redactionMethod: 'masking' }).processDataset([record], { preserveFormat: false, auditRedactions: false });
    const out = records[0]!;
    expect(Object.keys(out)).toEqual(['__proto__', '<PERSON_NAME>', 'z']);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"polluted":true},"<PERSON_NAME>":"x","z":1}');
    expect(Object.keys(record)).toContain('Maria Gonzalez'); // the caller's list is not changed
  });

  it('redacts a string met twice once: a field named twice, an object shared by two fields', async () => {
    const detector = new PIIDetector({ redactionMethod: 'masking' });
    const note = `Call me at +44 20 7946 0958 or mail ${EMAIL} please`;
    const masked = 'Call me at <PHONE> or mail <EMAIL> please';
    const twice = await detector.processDataset([{ note }], { fields: ['note', 'note'], preserveFormat: false, auditRedactions: false });
    expect(twice.records).toEqual([{ note: masked }]);
    expect(twice.report.counts).toMatchObject({ phone: 1, email: 1 });
    const contact = { note };
    const shared = await detector.processDataset([{ a: contact, b: contact }], { preserveFormat: false, auditRedactions: false });
    expect(shared.records).toEqual([{ a: { note: masked }, b: { note: masked } }]);
  });

  it('refuses unknown options and types, naming what is supported', () => {
    expect(() => new PIIDetector({ detectionTypes: ['email', 'zip_code' as never] })).toThrow(/supported: email, phone, ssn, credit_card, ip_address, person_name, address, iban, date_of_birth, passport, api_key/);
    expect(() => new PIIDetector({ redactionMethod: 'blur' as never })).toThrow(/supported: masking, synthetic, removal, hash, encrypt/);
    expect(() => new PIIDetector({ confidence_threshold: 0.9 } as never)).toThrow(/unknown option confidence_threshold.*confidenceThreshold/);
    expect(() => new PIIDetector({ confidenceThreshold: 1.5 })).toThrow(/confidenceThreshold/);
  });

  it('refuses unknown or mistyped options of processDataset and redact, and a data set it cannot read, before any work', async () => {
    const detector = new PIIDetector({ redactionMethod: 'masking' });
    const records = [{ text: `mail ${EMAIL}` }];
    const refused = async (options: unknown, pattern: RegExp) => {
      await expect(detector.processDataset(records, options as never)).rejects.toThrow(pattern);
    };
    await refused({ preserveFormt: false, auditRedactions: false }, /PIIDetector.processDataset: unknown option preserveFormt \(supported: fields, preserveFormat, auditRedactions/);
    await refused({ preserve_format: false, auditRedactions: false }, /unknown option preserve_format/);
    await refused({ preserveFormat: 'false', auditRedactions: false }, /preserveFormat: .*boolean/);
    await refused({ auditRedactions: 'no' }, /auditRedactions: .*boolean/);
    await refused({ fields: [], auditRedactions: false }, /fields: name at least one field/);
    await refused({ workers: -1, auditRedactions: false }, /workers/);
    await refused({ onProgress: 'yes', auditRedactions: false }, /onProgress: must be a function/);
    await expect(detector.processDataset({ input: 'a.jsonl', ouput: 'b.jsonl' } as never, { auditRedactions: false })).rejects.toThrow(/the data set: .*unknown option ouput/);
    await expect(detector.processDataset('a.jsonl' as never, { auditRedactions: false })).rejects.toThrow(/takes files \(\{input, output, format\?\}\)/);
    expect(() => detector.redact(`mail ${EMAIL}`, { preserve_format: true } as never)).toThrow(/PIIDetector.redact: unknown option preserve_format \(supported: preserveFormat\)/);
    // the refusals wrote nothing and the detector still works
    expect((await detector.processDataset(records, { auditRedactions: false, preserveFormat: false })).records).toEqual([{ text: 'mail <EMAIL>' }]);
  });

  it('refuses a preserveFormat its method would ignore: synthetic and encrypt always keep the format, removal and hash cannot', async () => {
    const records = [{ text: `mail ${EMAIL}` }];
    const keys = { hashKey: new Uint8Array(32).fill(1), encryptionKey: new Uint8Array(32).fill(2) };
    const run = (redactionMethod: 'removal' | 'hash' | 'synthetic', preserveFormat: boolean) => new PIIDetector({ redactionMethod }, { keys }).processDataset(records, { preserveFormat, auditRedactions: false });
    await expect(run('removal', true)).rejects.toThrow(/PIIDetector.processDataset: preserveFormat true has no effect with the method removal, which cannot keep the format/);
    await expect(run('hash', true)).rejects.toThrow(/the method hash, which cannot keep the format/);
    await expect(run('synthetic', false)).rejects.toThrow(/preserveFormat false has no effect with the method synthetic, which always keeps the format/);
    expect(() => new PIIDetector({ redactionMethod: 'removal' }).redact(`mail ${EMAIL}`, { preserveFormat: true })).toThrow(/PIIDetector.redact: preserveFormat true/);
    // what each method does by itself stays accepted: the seed's default (true) for synthetic, false for removal
    expect((await run('synthetic', true)).records[0]!.text).toMatch(/^mail [a-z._0-9]+@example\.(com|org|net)$/);
    expect((await run('removal', false)).records).toEqual([{ text: 'mail ' }]);
    expect((await new PIIDetector({ redactionMethod: 'removal' }).processDataset(records, { auditRedactions: false })).records).toEqual([{ text: 'mail ' }]);
  });

  it('refuses encrypt unless its types are named, all digit types: the others would stay in clear', () => {
    for (const detectionTypes of [undefined, ['credit_card', 'email'] as const]) {
      expect(() => new PIIDetector({ redactionMethod: 'encrypt', ...(detectionTypes ? { detectionTypes: [...detectionTypes] } : {}) })).toThrow(
        /detectionTypes: format-preserving encryption (covers credit_card, phone, ssn, iban only|supports credit_card, phone, ssn, iban; not email)/,
      );
    }
    expect(new PIIDetector({ redactionMethod: 'encrypt', detectionTypes: ['credit_card', 'iban'] }).types).toEqual(['credit_card', 'iban']);
  });
});
