import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { datasetFormatOf } from '../../../src/crypto/dataset-encryption.js';
import { scanDataset } from '../../../src/privacy/pii/dataset-scan.js';
import { tempDir } from '../../support/services.js';

/**
 * Messages for a data set in a format a command does not read: a bad --format is named as
 * such (not blamed on the file), and pii scan says it reads JSON Lines when given a CSV.
 */
const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
function dir() {
  const d = tempDir('pii-input-format');
  cleanups.push(d.cleanup);
  return { path: d.path, file: (name: string, text: string) => (writeFileSync(join(d.path, name), text), join(d.path, name)) };
}

describe('datasetFormatOf', () => {
  it('names an unsupported --format value instead of blaming the file', () => {
    expect(() => datasetFormatOf('cf.csv', 'xml')).toThrow('--format xml is not supported (supported: jsonl, csv)');
    expect(() => datasetFormatOf('cf.csv', 'xml')).not.toThrow(/cannot tell the format/);
    expect(() => datasetFormatOf('data.jsonl', '')).toThrow(/--format {2}is not supported \(supported: jsonl, csv\)/);
  });

  it('an unknown extension without --format still asks for --format', () => {
    expect(() => datasetFormatOf('data.xml')).toThrow(/cannot tell the format of data\.xml.*give --format jsonl or --format csv/);
    expect(() => datasetFormatOf('data')).toThrow(/give --format jsonl or --format csv/);
  });

  it('a supported --format wins over the extension; extensions are read as before', () => {
    expect(datasetFormatOf('data.txt', 'csv')).toBe('csv');
    expect(datasetFormatOf('data.csv', 'jsonl')).toBe('jsonl');
    expect(datasetFormatOf('data.csv', 'ndjson')).toBe('jsonl');
    expect(datasetFormatOf('data.CSV')).toBe('csv');
    expect(datasetFormatOf('data.NDJSON')).toBe('jsonl');
  });
});

describe('scanDataset on a file that is not JSON Lines', () => {
  const job = (input: string, output: string) => scanDataset({ input, output, field: 'text', scan: { threshold: 0.5 }, workers: 0 });

  it('refuses a .csv (any case) before any work, saying scan reads JSON Lines and what to use instead', async () => {
    const d = dir();
    const output = join(d.path, 'spans.jsonl');
    const csv = d.file('people.CSV', 'id,text\n1,maria.gonzalez@correo-ejemplo.es\n');
    const refused = job(csv, output);
    await expect(refused).rejects.toThrow(/pii scan reads JSON Lines/);
    await expect(job(csv, output)).rejects.toThrow(/use pii redact, which reads CSV, or convert the file to JSON Lines/);
    await expect(job(csv, output)).rejects.not.toThrow(/not valid JSON/);
    // refused by name: even a missing .csv gets this answer, not "no such file"
    await expect(job(join(d.path, 'missing.csv'), output)).rejects.toThrow(/pii scan reads JSON Lines/);
    expect(existsSync(output)).toBe(false);
    expect(readdirSync(d.path)).toEqual(['people.CSV']);
  });

  it('refuses a .tsv, suggesting conversion (pii redact does not read TSV)', async () => {
    const d = dir();
    const tsv = d.file('people.tsv', 'id\ttext\n1\thello\n');
    await expect(job(tsv, join(d.path, 'spans.jsonl'))).rejects.toThrow(/pii scan reads JSON Lines .*not TSV; convert the file to JSON Lines$/);
  });

  it('reads JSON Lines under any other name (.txt, .json, none)', async () => {
    const d = dir();
    for (const name of ['in.txt', 'in.json', 'in']) {
      const output = join(d.path, `${name}.spans`);
      const report = await job(d.file(name, '{"text":"mail maria.gonzalez@correo-ejemplo.es"}\n{"text":"none"}\n'), output);
      expect(report).toMatchObject({ records: 2, recordsWithSpans: 1 });
      expect(readFileSync(output, 'utf8').split('\n')).toHaveLength(3);
    }
  });

  it('a first line that is not JSON (a CSV under another name) says scan reads JSON Lines; a later bad line does not', async () => {
    const d = dir();
    await expect(job(d.file('people.txt', 'id,text\n1,hello\n'), join(d.path, 'a.jsonl'))).rejects.toThrow(
      /^line 1: not valid JSON; no output was written \(pii scan reads JSON Lines: one JSON object per line\)$/,
    );
    const later = job(d.file('broken.jsonl', '{"text":"a"}\nnot json\n'), join(d.path, 'b.jsonl'));
    await expect(later).rejects.toThrow(/^line 2: not valid JSON; no output was written$/);
  });
});
