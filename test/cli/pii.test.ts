import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { availableParallelism, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonl, killChildren, parseJson, runCli, workspace } from './run-cli.js';

/** `langtrain pii scan | redact`, as users run them (built CLI; redaction on worker threads). */
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  await killChildren();
  for (const c of cleanups.splice(0).reverse()) c();
});

function setup() {
  const w = workspace('pii');
  cleanups.push(w.cleanup);
  const config = w.file('langtrain.test.yaml', `crypto:\n  kek: file:${join(w.dir, 'kek.key')}\n`);
  // scan uses no store, and takes no --db or --config
  const cli = (...args: string[]) => runCli([...args, ...(args[1] === 'scan' ? [] : ['--db', w.db, '--config', config])], { cwd: w.dir, timeoutMs: 60_000 });
  return { w, cli };
}

const EMAIL = 'j.doe@mail-example.co.uk';
const sha256Of = (path: string) => `sha256:${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
const rows = Array.from({ length: 2500 }, (_, i) =>
  i % 5 === 0 ? { id: i, text: `ticket ${i}: reach me at ${EMAIL} or from 198.51.100.${i % 250}` } : { id: i, text: `ticket ${i}: printer on floor ${i % 9} is jammed (build 10.0.19045)` },
);

describe('langtrain pii', () => {
  it('scan writes one spans line per input line, with the issue\'s type names', async () => {
    const { w, cli } = setup();
    const input = w.file('in.jsonl', jsonl(rows.slice(0, 10)));
    const r = await cli('pii', 'scan', '--input', input, '--field', 'text', '--output', join(w.dir, 'spans.jsonl'), '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(parseJson(r)).toMatchObject({ records: 10, spans: 4 });
    const spans = readFileSync(join(w.dir, 'spans.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).spans);
    expect(spans).toHaveLength(10);
    const text = rows[0]!.text;
    expect(spans[0].map((s: { start: number; end: number; type: string }) => [s.type, text.slice(s.start, s.end)])).toEqual([
      ['email', EMAIL],
      ['ip_address', '198.51.100.0'],
    ]);
    expect(Object.keys(spans[0][0]).sort()).toEqual(['end', 'score', 'start', 'type']);
    expect(spans[1]).toEqual([]); // a build number is not an IP address

    // ~1.3 MB: three batches over two worker threads, lines still aligned with the input
    const many = Array.from({ length: 15_000 }, (_, i) => rows[i % rows.length]!);
    const big = await cli('pii', 'scan', '--input', w.file('big.jsonl', jsonl(many)), '--output', join(w.dir, 'big-spans.jsonl'), '--workers', '2', '--json');
    expect(big.code, big.stderr).toBe(0);
    expect(parseJson(big)).toMatchObject({ records: 15_000, recordsWithSpans: 3000, spans: 6000, workers: 2 });
    const bigSpans = readFileSync(join(w.dir, 'big-spans.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).spans as unknown[]);
    expect(bigSpans.map((found) => found.length)).toEqual(many.map((row) => (row.id % 5 === 0 ? 2 : 0)));
  });

  it('redact masks a data set on worker threads, audits every redaction without values, and the log verifies', async () => {
    const { w, cli } = setup();
    const input = w.file('in.jsonl', jsonl(rows));
    const r = await cli('pii', 'redact', '--input', input, '--output', join(w.dir, 'out.jsonl'), '--method', 'masking', '--field', 'text', '--json');
    expect(r.code, r.stderr).toBe(0);
    const report = parseJson(r);
    expect(report).toMatchObject({ records: 2500, redactedRecords: 500, counts: { email: 500, ip_address: 500, phone: 0 } });
    expect(report.workers).toBeGreaterThan(0);
    const out = readFileSync(join(w.dir, 'out.jsonl'), 'utf8');
    expect(out).not.toContain(EMAIL);
    expect(out.trim().split('\n').map((l) => JSON.parse(l).id)).toEqual(rows.map((row) => row.id));

    const events = await cli('audit', 'query', '--type', 'pii.redacted', '--limit', '1000', '--json');
    expect(events.code, events.stderr).toBe(0);
    const redactions = parseJson(events).flatMap((e: { additionalData: { redactions: unknown[] } }) => e.additionalData.redactions);
    expect(redactions).toHaveLength(1000);
    expect(redactions[0]).toMatchObject({ line: 1, field: 'text', type: 'email', start: 22, end: 22 + EMAIL.length });
    expect(events.stdout).not.toContain(EMAIL);
    expect(new Set(parseJson(events).map((e: { userId: string }) => e.userId))).toEqual(new Set([`cli:${userInfo().username}`])); // as lineage names the actor
    const verified = await cli('audit', 'verify', '--json');
    expect(verified.code, verified.stdout).toBe(0);
    expect(report.lineage).toEqual([{ seq: 1, inputDigest: sha256Of(input), outputDigest: sha256Of(join(w.dir, 'out.jsonl')) }]);

    // without audit and lineage, masking needs no store: none is made
    const bare = workspace('pii-bare');
    cleanups.push(bare.cleanup);
    const plain = await runCli(['pii', 'redact', '--input', input, '--output', join(bare.dir, 'out.jsonl'), '--no-audit', '--no-lineage', '--quiet'], { cwd: bare.dir });
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).not.toContain('lineage');
    expect(readdirSync(bare.dir)).toEqual(['out.jsonl']);
    const human = await cli('pii', 'redact', '--input', input, '--output', join(w.dir, 'again.jsonl'), '--quiet');
    expect(human.stdout).toContain(`lineage: ${sha256Of(input)} -> ${sha256Of(join(w.dir, 'again.jsonl'))} (langtrain lineage show `);
  });

  it('redact --method synthetic fakes on worker threads, the same value alike across batches; encrypt refuses types it cannot encrypt', async () => {
    const { w, cli } = setup();
    // ~300 KB a copy: the rows span several batches, so both workers make fakes.
    const input = w.file('in.jsonl', jsonl([...rows, ...rows.map((row) => ({ ...row, id: row.id + rows.length }))]));
    const r = await cli('pii', 'redact', '--input', input, '--output', join(w.dir, 'out.jsonl'), '--method', 'synthetic', '--field', 'text', '--no-audit', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(parseJson(r)).toMatchObject({ records: 5000, redactedRecords: 1000 });
    const texts = readFileSync(join(w.dir, 'out.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).text as string);
    const fakes = new Set(texts.filter((_, i) => i % 5 === 0).map((text) => /reach me at (\S+) or/.exec(text)![1]));
    expect(fakes.size).toBe(1);
    expect([...fakes][0]).toMatch(/@example\.(?:com|org|net)$/);

    // a named data set gets the same fakes in every run (its seed comes from the keyring), another name others
    const fakeOf = async (dataset: string, out: string) => {
      const run = await cli('pii', 'redact', '--input', input, '--output', join(w.dir, out), '--method', 'synthetic', '--field', 'text', '--dataset', dataset, '--no-audit', '--quiet');
      expect(run.code, run.stderr).toBe(0);
      return /reach me at (\S+) or/.exec(JSON.parse(readFileSync(join(w.dir, out), 'utf8').split('\n')[0]!).text)![1];
    };
    const named = await fakeOf('tickets', 'named-1.jsonl');
    expect(await fakeOf('tickets', 'named-2.jsonl')).toBe(named);
    expect(await fakeOf('chats', 'named-3.jsonl')).not.toBe(named);

    const refused = await cli('pii', 'redact', '--input', input, '--output', join(w.dir, 'enc.jsonl'), '--method', 'encrypt', '--types', 'email', '--no-audit');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/format-preserving encryption supports credit_card, phone, ssn, iban; not email/);
    // all types by default would leave names and emails in clear under a lineage edge saying "all"
    const unnamed = await cli('pii', 'redact', '--input', input, '--output', join(w.dir, 'enc.jsonl'), '--method', 'encrypt', '--no-audit');
    expect(unnamed.code).toBe(2);
    expect(unnamed.stderr).toMatch(/covers credit_card, phone, ssn, iban only: name them as the types to look for \(--types credit_card,phone,ssn,iban/);
    expect(existsSync(join(w.dir, 'enc.jsonl'))).toBe(false);
  });

  it('redact takes allow and deny lists from files, on worker threads; lineage records how many entries, never which', async () => {
    const { w, cli } = setup();
    const lines = Array.from({ length: 6000 }, (_, i) => ({ id: i, text: i % 3 === 0 ? `ask Zorblax Quintavius or ${EMAIL}` : `write to support@example.com, ticket ${i}` }));
    const input = w.file('lists.jsonl', jsonl(lines));
    const allow = w.file('allow.txt', 'support@example.com\n\n');
    const staff = w.file('staff.txt', 'Zorblax Quintavius\r\nIlse Vandermeer\r\n');
    const r = await cli('pii', 'redact', '--input', input, '--output', join(w.dir, 'out.jsonl'), '--allow-list', allow, '--deny-list', `person_name=${staff}`, '--workers', '2', '--no-audit', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(parseJson(r)).toMatchObject({ records: 6000, redactedRecords: 2000, counts: { person_name: 2000, email: 2000 } });
    const out = readFileSync(join(w.dir, 'out.jsonl'), 'utf8').split('\n');
    expect(JSON.parse(out[0]!).text).toBe('ask <PERSON_NAME> or <EMAIL>');
    expect(JSON.parse(out[1]!).text).toBe('write to support@example.com, ticket 1');
    const graph = parseJson(await cli('lineage', 'show', parseJson(r).lineage[0].outputDigest, '--json'));
    expect(graph.edges[0].parameters).toMatchObject({ allowListEntries: 1, denyListEntries: { person_name: 2 } });
    expect(JSON.stringify([parseJson(r), graph])).not.toMatch(/zorblax|vandermeer/i);

    for (const [args, message] of [
      [['--deny-list', 'person_name'], /--deny-list takes TYPE=FILE/],
      [['--deny-list', `zip=${staff}`], /--deny-list: unknown type zip/],
      [['--deny-list', `person_name=${join(w.dir, 'missing.txt')}`], /--deny-list: cannot read .*missing\.txt/],
      [['--allow-list-match', 'regex'], /--allow-list-match applies with --allow-list/],
    ] as const) {
      const refused = await cli('pii', 'redact', '--input', input, '--output', join(w.dir, 'refused.jsonl'), ...args, '--no-audit', '--no-lineage');
      expect(refused.code, args.join(' ')).toBe(2);
      expect(refused.stderr).toMatch(message);
    }
  });

  it('refuses, with lineage on, an output that is its input (by path or by a hard link): the edge would lose the raw data', async () => {
    const { w, cli } = setup();
    const input = w.file('raw.jsonl', jsonl(rows.slice(0, 5)));
    const raw = readFileSync(input, 'utf8');
    linkSync(input, join(w.dir, 'linked.jsonl'));
    for (const output of [input, join(w.dir, '.', 'raw.jsonl'), join(w.dir, 'linked.jsonl')]) {
      const r = await cli('pii', 'redact', '--input', input, '--output', output, '--no-audit', '--quiet');
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--output is the input .*write to another file.*or pass --no-lineage/);
      expect(readFileSync(input, 'utf8')).toBe(raw);
    }
    const inPlace = await cli('pii', 'redact', '--input', input, '--output', input, '--no-audit', '--no-lineage', '--quiet');
    expect(inPlace.code, inPlace.stderr).toBe(0);
    expect(readFileSync(input, 'utf8')).not.toContain(EMAIL);
  });

  it('scan refuses an output that is its input (by path or by a hard link): the spans would replace the data set', async () => {
    const { w, cli } = setup();
    const input = w.file('raw.jsonl', jsonl(rows.slice(0, 5)));
    const raw = readFileSync(input, 'utf8');
    linkSync(input, join(w.dir, 'linked.jsonl'));
    for (const output of [input, join(w.dir, '.', 'raw.jsonl'), join(w.dir, 'linked.jsonl')]) {
      const r = await cli('pii', 'scan', '--input', input, '--output', output, '--quiet');
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`error: --output is the input (${output}): the spans would replace the data set; write them to another file\n`);
      expect(readFileSync(input, 'utf8')).toBe(raw);
    }
  });

  it('--threshold and --workers take numbers written out only, and --workers at most 4 threads per core', async () => {
    const { w, cli } = setup();
    const input = w.file('in.jsonl', jsonl(rows.slice(0, 5)));
    const most = 4 * availableParallelism();
    const threshold = (got: string) => `error: --threshold must be a number from 0 to 1, in plain or scientific notation (e.g. 0.25, 1e-5); got ${got}\n`;
    const workers = (got: string) => `error: --workers must be a whole number from 0 (run in this thread) to ${most} (4 per core); got ${got}\n`;
    for (const [command, args, message] of [
      ['scan', ['--threshold', ''], threshold('""')], // Number('') is 0: every finding
      ['scan', ['--threshold', '0x1'], threshold('"0x1"')],
      ['scan', ['--threshold', '-0.5'], threshold('"-0.5"')],
      ['scan', ['--threshold', ' 0.5'], threshold('" 0.5"')],
      ['scan', ['--threshold', '1.5'], threshold('"1.5"')],
      ['scan', ['--workers', ''], workers('""')],
      ['scan', ['--workers', String(most + 1)], workers(`"${most + 1}"`)],
      ['redact', ['--workers', '200000'], workers('"200000"')],
      ['redact', ['--workers', '1.5'], workers('"1.5"')],
      ['redact', ['--workers', '-1'], workers('"-1"')],
    ] as const) {
      const r = await cli('pii', command, '--input', input, '--output', join(w.dir, 'out.jsonl'), ...args, ...(command === 'redact' ? ['--no-audit', '--no-lineage'] : []));
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toBe(message);
    }
    expect(existsSync(join(w.dir, 'out.jsonl'))).toBe(false);
    const help = await cli('pii', 'scan', '--help');
    expect(help.stdout.replace(/\s+/g, ' ')).toContain('--workers <n> worker threads, up to 4 per core (default: one per core; 0: run in this thread, no workers)');

    const accepted = await cli('pii', 'scan', '--input', input, '--output', join(w.dir, 'spans.jsonl'), '--threshold', '.75', '--workers', '0', '--json');
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(parseJson(accepted)).toMatchObject({ records: 5, workers: 0 });
    expect((await cli('pii', 'scan', '--input', input, '--output', join(w.dir, 'spans.jsonl'), '--threshold', '1', '--workers', String(most), '--quiet')).code).toBe(0);
  });

  it('redact refuses a --dataset holding personal data before making a store or key, takes a date in one, and names an unnamed data set by its file\'s name, masked', async () => {
    const { w, cli } = setup();
    mkdirSync(join(w.dir, 'jane.doe@corp.com')); // a home directory named by its user's address
    const input = w.file('jane.doe@corp.com/export.jsonl', jsonl(rows.slice(0, 10)));
    for (const [dataset, found] of [['crm-4155550123', 'a run of seven or more digits that is no date'], ['jane.doe@corp.com', 'email'], ['crm-415-555-0123', 'phone']]) {
      for (const method of ['masking', 'synthetic']) {
        const refused = await cli('pii', 'redact', '--input', input, '--output', join(w.dir, 'out.jsonl'), '--method', method, '--dataset', dataset!, '--quiet');
        expect(refused.code, refused.stderr).toBe(2);
        expect(refused.stderr).toContain(`--dataset looks like it holds personal data (${found}`);
        expect(refused.stderr).toContain('name the data set by a label that names no one, such as crm-export-2026-01');
      }
    }
    expect(readdirSync(w.dir).sort()).toEqual(['jane.doe@corp.com', 'langtrain.test.yaml']); // no store, no key, no output

    const dated = await cli('pii', 'redact', '--input', input, '--output', join(w.dir, 'dated.jsonl'), '--dataset', 'export_20260115', '--quiet');
    expect(dated.code, dated.stderr).toBe(0);
    const unnamed = await cli('pii', 'redact', '--input', input, '--output', join(w.dir, 'unnamed.jsonl'), '--quiet');
    expect(unnamed.code, unnamed.stderr).toBe(0);
    const byEmail = await cli('pii', 'redact', '--input', w.file('jane.doe@corp.com.jsonl', jsonl(rows.slice(0, 10))), '--output', join(w.dir, 'by-email.jsonl'), '--quiet');
    expect(byEmail.code, byEmail.stderr).toBe(0);
    const events = await cli('audit', 'query', '--json');
    const labels = parseJson(events).filter((e: { eventType: string }) => e.eventType.startsWith('pii.')).map((e: { additionalData: { dataset: string } }) => e.additionalData.dataset);
    expect(new Set(labels)).toEqual(new Set(['export_20260115', 'export.jsonl', '<email>'])); // .jsonl reads as the address's top-level domain
    expect(events.stdout).not.toContain('jane');
  });

  it('a bad line stops the job: exit 2, the line named, no output', async () => {
    const { w, cli } = setup();
    const lines = jsonl(rows).split('\n');
    lines[1800] = '{"id": 1800, "text": ';
    const input = w.file('bad.jsonl', lines.join('\n'));
    const r = await cli('pii', 'redact', '--input', input, '--output', join(w.dir, 'out.jsonl'), '--no-audit', '--quiet');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('line 1801: not valid JSON; no output was written');
    expect(existsSync(join(w.dir, 'out.jsonl'))).toBe(false);
    const types = await cli('pii', 'scan', '--input', input, '--output', join(w.dir, 's.jsonl'), '--types', 'email,zip');
    expect(types.code).toBe(2);
    expect(types.stderr).toContain('--types: unknown zip (supported: email, phone, ssn');
  });
  it('redact takes a directory of shards: each file into a new directory on one set of threads, fakes alike across files, nothing written unless every file succeeds', async () => {
    const { w, cli } = setup();
    const shards = join(w.dir, 'shards');
    mkdirSync(shards);
    // ~300 KB each: several batches a file over two threads
    w.file('shards/train-00001.jsonl', jsonl(rows));
    w.file('shards/train-00000.jsonl', jsonl(rows));
    w.file('shards/people.csv', `id,contact\n1,${EMAIL}\n2,no one\n`);
    w.file('shards/README.md', `not a shard: ${EMAIL}`);
    const out = join(w.dir, 'clean');
    const r = await cli('pii', 'redact', '--input', shards, '--output', out, '--method', 'synthetic', '--workers', '2', '--json');
    expect(r.code, r.stderr).toBe(0);
    const report = parseJson(r);
    expect(report).toMatchObject({ records: 5002, redactedRecords: 1001, workers: 2, counts: { email: 1001, ip_address: 1000 } });
    expect(report.files.map((f: { file: string; records: number }) => [f.file, f.records])).toEqual([
      ['people.csv', 2],
      ['train-00000.jsonl', 2500],
      ['train-00001.jsonl', 2500],
    ]);
    expect(readdirSync(out).sort()).toEqual(['people.csv', 'train-00000.jsonl', 'train-00001.jsonl']);
    const fakeEmails = ['train-00000.jsonl', 'train-00001.jsonl'].flatMap((name) =>
      readFileSync(join(out, name), 'utf8').trim().split('\n').map((l) => JSON.parse(l).text as string).filter((_, i) => i % 5 === 0).map((text) => /reach me at (\S+) or/.exec(text)![1]),
    );
    const csvFake = readFileSync(join(out, 'people.csv'), 'utf8').split('\n')[1]!.split(',')[1];
    expect(new Set([...fakeEmails, csvFake])).toEqual(new Set([fakeEmails[0]])); // one data set: one fake for one address
    expect(fakeEmails[0]).not.toBe(EMAIL);
    const events = await cli('audit', 'query', '--type', 'pii.dataset_redacted', '--json');
    // named by the directory's name, not its path (which names the machine's user)
    expect(parseJson(events).map((e: { additionalData: { dataset: string } }) => e.additionalData.dataset).sort()).toEqual(['people.csv', 'train-00000.jsonl', 'train-00001.jsonl'].map((name) => `shards/${name}`));
    // lineage: one edge per file, input digest to output digest, how it was redacted and never the seed
    expect(report.lineage).toHaveLength(3);
    for (const [i, name] of ['people.csv', 'train-00000.jsonl', 'train-00001.jsonl'].entries()) {
      expect(report.lineage[i]).toMatchObject({ inputDigest: sha256Of(join(shards, name)), outputDigest: sha256Of(join(out, name)) });
      const graph = parseJson(await cli('lineage', 'show', sha256Of(join(out, name)), '--json'));
      // the two train shards hold the same lines, so their digests (and edges) coincide
      expect(graph.edges).toContainEqual(expect.objectContaining({ seq: report.lineage[i].seq, operation: 'redact', inputDigest: sha256Of(join(shards, name)), parameters: { method: 'synthetic', fields: 'all', types: 'all', threshold: 0.5, records: [2, 2500, 2500][i], redactedRecords: [1, 500, 500][i] } }));
    }

    const scanned = await cli('pii', 'scan', '--input', shards, '--output', join(w.dir, 'spans'), '--workers', '2', '--json');
    expect(scanned.code, scanned.stderr).toBe(0);
    expect(parseJson(scanned)).toMatchObject({ records: 5000, recordsWithSpans: 1000, spans: 2000, skipped: ['README.md', 'people.csv'], workers: 2 });
    expect(readdirSync(join(w.dir, 'spans'))).toEqual(['train-00000.jsonl', 'train-00001.jsonl']);

    const used = await cli('pii', 'redact', '--input', shards, '--output', out, '--no-audit');
    expect(used.code).toBe(2);
    expect(used.stderr).toContain(`the output directory ${out} is not empty: name a new one`);

    const lines = jsonl(rows).split('\n');
    lines[1800] = '{"id": 1800, "text": ';
    w.file('shards/train-00002.jsonl', lines.join('\n'));
    const bad = await cli('pii', 'redact', '--input', shards, '--output', join(w.dir, 'clean2'), '--no-audit', '--quiet');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('train-00002.jsonl: line 1801: not valid JSON; no output was written');
    expect(readdirSync(w.dir).filter((name) => name.includes('clean2'))).toEqual([]); // no directory, no temporary one

    const format = await cli('pii', 'redact', '--input', shards, '--output', join(w.dir, 'clean3'), '--format', 'csv', '--no-audit');
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('--format applies to one input file');
  });
});
