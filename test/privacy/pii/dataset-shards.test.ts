import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { redactShards, scanShards, type RedactShardsJob } from '../../../src/privacy/pii/dataset-shards.js';
import { RecordedEvents } from '../../support/recorded-events.js';
import { tempDir } from '../../support/services.js';

/** redactShards on this thread (workers 0); test/cli/pii.test.ts runs it on worker threads. */
const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
function workspace() {
  const d = tempDir('pii-shards');
  cleanups.push(d.cleanup);
  const input = join(d.path, 'in');
  mkdirSync(input);
  const put = (name: string, text: string) => writeFileSync(join(input, name), text);
  return { root: d.path, input, put };
}
const EMAIL = 'maria.gonzalez@correo-ejemplo.es';
const job = (inputDir: string, outputDir: string, extra: Partial<RedactShardsJob> = {}): RedactShardsJob => ({
  inputDir,
  outputDir,
  spec: { scan: { types: ['email'], threshold: 0.5 }, redaction: { method: 'masking', preserveFormat: false } },
  workers: 0,
  ...extra,
});

describe('redactShards', () => {
  it('redacts each shard into the new directory, lists the files and directories it left out, and names audit records by shard', async () => {
    const { root, input, put } = workspace();
    put('b.jsonl', `{"text":"mail ${EMAIL}"}\n`);
    put('a.csv', `contact\n${EMAIL}\n`);
    put('notes.txt', EMAIL);
    mkdirSync(join(input, 'nested'));
    const audit = new RecordedEvents();
    const out = join(root, 'out');
    const report = await redactShards(job(`${input}/`, out, { audit: { sink: audit, dataset: `${input}/` } }));
    expect(report).toMatchObject({ records: 2, redactedRecords: 2, skipped: ['nested/', 'notes.txt'] });
    expect(report.files.map((f) => f.file)).toEqual(['a.csv', 'b.jsonl']);
    expect(readdirSync(out)).toEqual(['a.csv', 'b.jsonl']);
    expect(readFileSync(join(out, 'b.jsonl'), 'utf8')).toBe('{"text":"mail <EMAIL>"}\n');
    const datasets = audit.events.filter((e) => e.eventType === 'pii.dataset_redacted').map((e) => e.additionalData!.dataset);
    expect(datasets).toEqual([`${input}/a.csv`, `${input}/b.jsonl`]);
    // the data set name is a name, not a local path
    const remote = new RecordedEvents();
    await redactShards(job(input, join(root, 'out2'), { audit: { sink: remote, dataset: 's3://bucket/exports/' } }));
    expect(remote.events.filter((e) => e.eventType === 'pii.dataset_redacted').map((e) => e.additionalData!.dataset)).toEqual(['s3://bucket/exports/a.csv', 's3://bucket/exports/b.jsonl']);
  });

  it('refuses, before any work, an output that is a file, a link, a non-empty directory or no path, and a shard that is no file', async () => {
    const { root, input, put } = workspace();
    put('a.jsonl', '{"text":"x"}\n');
    writeFileSync(join(root, 'file'), 'x');
    mkdirSync(join(root, 'empty'));
    symlinkSync(join(root, 'empty'), join(root, 'link'));
    mkdirSync(join(root, 'full'));
    writeFileSync(join(root, 'full', 'old.jsonl'), 'x');
    await expect(redactShards(job(input, join(root, 'file')))).rejects.toThrow(/is a file, not a directory/);
    await expect(redactShards(job(input, join(root, 'link')))).rejects.toThrow(/is a symbolic link/);
    await expect(redactShards(job(input, `${join(root, 'link')}/`))).rejects.toThrow(/is a symbolic link/);
    await expect(redactShards(job(input, join(root, 'full')))).rejects.toThrow(/is not empty: name a new one/);
    await expect(redactShards(job(input, ''))).rejects.toThrow(/name the output directory/);
    // an empty directory is taken: replaced by the shards' one
    await redactShards(job(input, join(root, 'empty')));
    expect(readdirSync(join(root, 'empty'))).toEqual(['a.jsonl']);
    mkdirSync(join(input, 'sub.jsonl'));
    await expect(redactShards(job(input, join(root, 'out')))).rejects.toThrow(/the shard .*sub\.jsonl is not a file/);
    symlinkSync(join(root, 'missing.jsonl'), join(input, 'dangling.jsonl'));
    await expect(redactShards(job(input, join(root, 'out')))).rejects.toThrow(/cannot read the shard .*dangling\.jsonl: there is no such file/);
    expect(readdirSync(root).sort()).toEqual(['empty', 'file', 'full', 'in', 'link']); // no output, no temporary directory
  });
  it('checks chosen field paths over all the shards: a field missing from one file is fine, from every file refused', async () => {
    const { root, input, put } = workspace();
    put('a.jsonl', `{"text":"x","notes":"mail ${EMAIL}"}\n`);
    put('b.jsonl', `{"text":"mail ${EMAIL}"}\n`);
    const report = await redactShards(job(input, join(root, 'out'), { fields: ['text', 'notes'] }));
    expect(report).toMatchObject({ records: 2, counts: { email: 2 }, fieldsFound: { text: 2, notes: 1 } });
    const audit = new RecordedEvents();
    await expect(redactShards(job(input, join(root, 'out2'), { fields: ['text', 'note'], audit: { sink: audit, dataset: 'notes' } }))).rejects.toThrow('no record has a value at the field path "note" (2 records read)');
    expect(audit.of('pii.dataset_redacted')).toEqual([]); // no summary of files never written
    const scanned = await scanShards({ inputDir: input, outputDir: join(root, 'spans'), field: 'notes', scan: { threshold: 0.5 }, workers: 0 });
    expect(scanned).toMatchObject({ records: 2, fieldFound: 1, spans: 1 });
    await expect(scanShards({ inputDir: input, outputDir: join(root, 'spans2'), field: 'note', scan: { threshold: 0.5 }, workers: 0 })).rejects.toThrow('no record has a string at the field path "note" (2 lines read)');
    expect(readdirSync(root).sort()).toEqual(['in', 'out', 'spans']); // refused: no directory, no temporary one
  });

  it('scans the JSON Lines shards into a spans file each, leaving CSV out', async () => {
    const { root, input, put } = workspace();
    put('a.jsonl', `{"text":"mail ${EMAIL}"}\n{"text":"none"}\n`);
    put('b.ndjson', `{"text":"${EMAIL} and ${EMAIL}"}\n`);
    put('c.csv', `contact\n${EMAIL}\n`);
    const out = join(root, 'spans');
    const report = await scanShards({ inputDir: input, outputDir: out, field: 'text', scan: { types: ['email'], threshold: 0.5 }, workers: 0 });
    expect(report).toMatchObject({ records: 3, recordsWithSpans: 2, spans: 3, skipped: ['c.csv'] });
    expect(report.files.map((f) => [f.file, f.spans])).toEqual([['a.jsonl', 1], ['b.ndjson', 2]]);
    expect(readdirSync(out)).toEqual(['a.jsonl', 'b.ndjson']);
    expect(readFileSync(join(out, 'a.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).spans.length)).toEqual([1, 0]);
  });
});
