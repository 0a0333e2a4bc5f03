import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scanDataset } from '../../../src/privacy/pii/dataset-scan.js';
import { tempDir } from '../../support/services.js';

/** scanDataset on this thread (from TypeScript sources there is no compiled worker; test/cli/pii.test.ts scans several batches on two workers). */
const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
function dir() {
  const d = tempDir('pii-scan');
  cleanups.push(d.cleanup);
  return { path: d.path, file: (name: string, text: string) => (writeFileSync(join(d.path, name), text), join(d.path, name)) };
}

const EMAIL = 'maria.gonzalez@correo-ejemplo.es';

describe('scanDataset', () => {
  it('writes one spans line per input line, across batches, blank and field-less lines included', async () => {
    const d = dir();
    // ~700 KB: two batches. Every 1000th line has an email; line 5 is blank; line 6 has no text.
    const lines = Array.from({ length: 9000 }, (_, i) =>
      i === 4 ? '' : i === 5 ? '{"id":5}' : JSON.stringify({ text: i % 1000 === 999 ? `row ${i} mail ${EMAIL}` : `row ${i}, nothing to see ${'.'.repeat(50)}` }),
    );
    const output = join(d.path, 'spans.jsonl');
    const report = await scanDataset({ input: d.file('in.jsonl', lines.join('\r\n') + '\r\n'), output, field: 'text', scan: { threshold: 0.5 }, workers: 0 });
    // the blank line is no record, as redact counts the same file
    expect(report).toMatchObject({ records: 8999, recordsWithSpans: 9, spans: 9, counts: { email: 9, phone: 0 }, workers: 0 });
    const out = readFileSync(output, 'utf8').split('\n');
    expect(out).toHaveLength(9001);
    expect(out[4]).toBe('{"spans":[]}');
    expect(out[5]).toBe('{"spans":[]}');
    const text = `row 8999 mail ${EMAIL}`;
    expect(JSON.parse(out[8999]!)).toEqual({ spans: [{ start: text.indexOf(EMAIL), end: text.length, type: 'email', score: expect.any(Number) }] });
    expect(out.filter((l) => l.includes('email'))).toHaveLength(9);
  });

  it('scans a nested field path; a path no line has a string at fails with no output; [] is refused', async () => {
    const d = dir();
    const input = d.file('in.jsonl', [JSON.stringify({ user: { bio: `mail ${EMAIL}` } }), JSON.stringify({ user: {} }), ''].join('\n'));
    const output = join(d.path, 'spans.jsonl');
    const report = await scanDataset({ input, output, field: 'user.bio', scan: { threshold: 0.5 }, workers: 0 });
    expect(report).toMatchObject({ records: 2, recordsWithSpans: 1, counts: { email: 1 } });
    const misspelt = scanDataset({ input, output: join(d.path, 'none.jsonl'), field: 'user.email', scan: { threshold: 0.5 }, workers: 0 });
    await expect(misspelt).rejects.toThrow('no record has a string at the field path "user.email" (2 lines read)');
    expect(existsSync(join(d.path, 'none.jsonl'))).toBe(false);
    await expect(scanDataset({ input, output: join(d.path, 'x.jsonl'), field: 'user.tags[]', scan: { threshold: 0.5 }, workers: 0 })).rejects.toThrow('names every element of an array');
  });

  it('a line that is not a JSON object fails the scan, names the line and leaves no output', async () => {
    const d = dir();
    const input = d.file('in.jsonl', ['{"text":"a"}', '{"text":"b"}', '[1,2]', '{"text":"c"}'].join('\n'));
    const output = join(d.path, 'spans.jsonl');
    await expect(scanDataset({ input, output, field: 'text', scan: { threshold: 0.5 }, workers: 0 })).rejects.toThrow(/line 3: a record must be a JSON object; no output was written/);
    expect(existsSync(output)).toBe(false);
    expect(readdirSync(d.path)).toEqual(['in.jsonl']);
    // whitespace JSON does not take (here NBSP) is no blank line
    const nbsp = d.file('nbsp.jsonl', ['{"text":"a"}', ' \t', '\u00a0', '{"text":"c"}'].join('\n'));
    await expect(scanDataset({ input: nbsp, output, field: 'text', scan: { threshold: 0.5 }, workers: 0 })).rejects.toThrow(/^line 3: not valid JSON; no output was written/);
    expect(existsSync(output)).toBe(false);
  });

  it('an input that cannot be read fails before any work, saying why', async () => {
    const d = dir();
    const output = join(d.path, 'spans.jsonl');
    const job = (input: string) => scanDataset({ input, output, field: 'text', scan: { threshold: 0.5 }, workers: 0 });
    await expect(job(join(d.path, 'missing.jsonl'))).rejects.toThrow(/cannot read the input .*missing\.jsonl: there is no such file/);
    await expect(job(d.path)).rejects.toThrow(/cannot read the input .*: it is a directory/);
    const input = d.file('in.jsonl', '{"text":"a"}\n');
    await expect(scanDataset({ input, output: join(d.path, 'no-such-dir', 'spans.jsonl'), field: 'text', scan: { threshold: 0.5 }, workers: 0 })).rejects.toThrow(
      /cannot write .*no-such-dir\/spans\.jsonl: the directory .*no-such-dir does not exist/,
    );
    expect(readdirSync(d.path)).toEqual(['in.jsonl']);
  });
});
