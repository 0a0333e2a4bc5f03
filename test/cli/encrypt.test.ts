import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonl, killChildren, parseJson, runCli, workspace } from './run-cli.js';

/** `langtrain encrypt|decrypt` on JSONL and CSV data sets and files, and `langtrain keys`. */
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  await killChildren();
  for (const c of cleanups.splice(0).reverse()) c();
});

function setup() {
  const w = workspace('encrypt');
  cleanups.push(w.cleanup);
  const config = w.file('langtrain.test.yaml', `crypto:\n  kek: file:${join(w.dir, 'kek.key')}\n`);
  const cli = (...args: string[]) => runCli([...args, '--db', w.db, '--config', config], { cwd: w.dir });
  return { w, cli };
}

const sha256Of = (path: string) => `sha256:${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
const records = Array.from({ length: 300 }, (_, i) => ({ id: `r${i}`, user_id: `u${i % 7}`, email: `person${i}@example.com`, card: `4111-1111-1111-${String(1000 + i)}`, note: 'kept' }));
const fieldArgs = ['--dataset', 'customers', '--fields', 'email', '--fpe', 'card:digits', '--record-id-field', 'id', '--subject-field', 'user_id', '--quiet'];

describe('langtrain encrypt / decrypt / keys', () => {
  it('round-trips a JSONL data set; values stay bound to their records; erasing a subject leaves the others readable', async () => {
    const { w, cli } = setup();
    const input = w.file('customers.jsonl', jsonl(records));
    const enc = await cli('encrypt', '--input', input, '--output', join(w.dir, 'enc.jsonl'), ...fieldArgs);
    expect(enc.code, enc.stderr).toBe(0);
    const encrypted = readFileSync(join(w.dir, 'enc.jsonl'), 'utf8');
    expect(encrypted).not.toContain('person1@example.com');
    expect(encrypted).toContain('"note":"kept"');
    const first = JSON.parse(encrypted.split('\n')[0]!);
    expect(first.card).toMatch(/^\d{4}-\d{4}-\d{4}-\d{4}$/);
    const dec = await cli('decrypt', '--input', join(w.dir, 'enc.jsonl'), '--output', join(w.dir, 'dec.jsonl'), ...fieldArgs);
    expect(dec.code, dec.stderr).toBe(0);
    expect(readFileSync(join(w.dir, 'dec.jsonl'), 'utf8')).toBe(readFileSync(input, 'utf8'));
    // both steps in lineage, with the key's name and fields, no key material (the decrypted file is the input again: one digest)
    const graph = parseJson(await cli('lineage', 'show', sha256Of(join(w.dir, 'enc.jsonl')), '--json'));
    expect(graph.edges.map((e: { operation: string; inputDigest: string; outputDigest: string }) => [e.operation, e.inputDigest, e.outputDigest])).toEqual([
      ['encrypt', sha256Of(input), sha256Of(join(w.dir, 'enc.jsonl'))],
      ['decrypt', sha256Of(join(w.dir, 'enc.jsonl')), sha256Of(join(w.dir, 'dec.jsonl'))],
    ]);
    expect(graph.edges[0].parameters).toEqual({ scope: 'field', keyName: 'datasets', fields: ['email', 'card:digits'], subjectField: 'user_id', recordIdField: 'id', dataset: 'customers' });

    // Two records' email values swapped: refused, naming the line, and no output written.
    const lines = encrypted.trim().split('\n').map((l) => JSON.parse(l));
    [lines[3].email, lines[4].email] = [lines[4].email, lines[3].email];
    const swapped = w.file('swapped.jsonl', jsonl(lines));
    const bad = await cli('decrypt', '--input', swapped, '--output', join(w.dir, 'swapped.out'), ...fieldArgs);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/line 4: decryption failed/);
    expect(existsSync(join(w.dir, 'swapped.out'))).toBe(false);
    expect(readdirSync(w.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const erase = await cli('keys', 'erase-subject', 'u3');
    expect(erase.code, erase.stderr).toBe(0);
    const fresh = encrypted.trim().split('\n').map((l) => JSON.parse(l));
    const u3 = fresh.filter((l) => l.user_id === 'u3');
    const others = fresh.filter((l) => l.user_id !== 'u3');
    const afterErase = await cli('decrypt', '--input', w.file('others.jsonl', jsonl(others)), '--output', join(w.dir, 'others.out'), ...fieldArgs);
    expect(afterErase.code, afterErase.stderr).toBe(0);
    const gone = await cli('decrypt', '--input', w.file('u3.jsonl', jsonl(u3)), '--output', join(w.dir, 'u3.out'), ...fieldArgs);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain('destroyed');
  });

  it('keeps a number JavaScript cannot hold exactly outside the fields as written, and refuses one inside them', async () => {
    const { w, cli } = setup();
    const line = '{"id": "r1", "user_id": "u1", "email": "a@example.com", "card": "4111-1111-1111-1111", "tweet": 1234567890123456789, "score": 1.10}';
    const enc = await cli('encrypt', '--input', w.file('ids.jsonl', line + '\n'), '--output', join(w.dir, 'enc.jsonl'), ...fieldArgs);
    expect(enc.code, enc.stderr).toBe(0);
    expect(readFileSync(join(w.dir, 'enc.jsonl'), 'utf8')).toContain('"tweet": 1234567890123456789, "score": 1.10}');
    const dec = await cli('decrypt', '--input', join(w.dir, 'enc.jsonl'), '--output', join(w.dir, 'dec.jsonl'), ...fieldArgs);
    expect(dec.code, dec.stderr).toBe(0);
    expect(readFileSync(join(w.dir, 'dec.jsonl'), 'utf8')).toBe(line + '\n');

    const inField = await cli('encrypt', '--input', w.file('in-field.jsonl', '{"id": "r1", "user_id": "u1", "email": 1234567890123456789, "card": "4111-1111-1111-1111"}\n'), '--output', join(w.dir, 'in-field.out'), ...fieldArgs);
    expect(inField.code).toBe(2);
    expect(inField.stderr).toContain('line 1: the field email holds a number of 19 significant digits that JavaScript cannot hold exactly');
    expect(inField.stderr).not.toContain('1234567890123456789'); // it may be personal data
    expect(existsSync(join(w.dir, 'in-field.out'))).toBe(false);
  });

  it('refuses a CSV row its parser cannot read: the line and the problem, no trace, no value', async () => {
    const { w, cli } = setup();
    const input = w.file('bad.csv', 'id,email\n1,a@example.com\n2,my "078-05-1120" here\n');
    const r = await cli('encrypt', '--input', input, '--output', join(w.dir, 'enc.csv'), '--dataset', 'people', '--fields', 'email', '--quiet');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: line 3: not valid CSV: a quote inside a field that does not start with one/m); // after the note of the new store
    expect(r.stderr).not.toContain('unexpected');
    expect(r.stderr).not.toContain('078-05-1120');
    expect(existsSync(join(w.dir, 'enc.csv'))).toBe(false);

    // lines counted past quoted cells holding CRLF line breaks; a quote never closed named by its record
    const unclosed = w.file('unclosed.csv', 'id,email\r\n1,"a@example.com\r\nsecond line"\r\n2,"b@example.com\r\n3,c@example.com\r\n4,d@example.com\r\n');
    const late = await cli('encrypt', '--input', unclosed, '--output', join(w.dir, 'enc.csv'), '--dataset', 'people', '--fields', 'email', '--quiet');
    expect(late.code).toBe(2);
    expect(late.stderr).toMatch(/^error: line 4: not valid CSV: a quoted field of the record starting on this line is never closed/);
  });

  it('refuses, before writing anything, a step lineage would refuse: a data set name holding a password', async () => {
    const { w, cli } = setup();
    const input = w.file('people.jsonl', jsonl(records.slice(0, 3)));
    const r = await cli('encrypt', '--input', input, '--output', join(w.dir, 'enc.jsonl'), '--dataset', 'https://svc:hunter2pass@example.com/exports', '--fields', 'email', '--quiet');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('parameters.dataset holds a secret');
    expect(r.stderr).not.toContain('hunter2pass');
    expect(existsSync(join(w.dir, 'enc.jsonl'))).toBe(false);
  });

  it('rewraps a CSV data set under a rotated key and lists versions', async () => {
    const { w, cli } = setup();
    const csv = w.file('people.csv', 'id,email,ssn\n' + records.map((r, i) => `${r.id},${r.email},123-45-${String(1000 + i)}`).join('\n') + '\n');
    const common = ['--dataset', 'people', '--fields', 'email,ssn', '--quiet'];
    expect((await cli('encrypt', '--input', csv, '--output', join(w.dir, 'v1.csv'), ...common)).code).toBe(0);
    expect((await cli('keys', 'rotate', 'datasets')).code).toBe(0);
    const rewrap = await cli('keys', 'rewrap', join(w.dir, 'v1.csv'), '--output', join(w.dir, 'v2.csv'), '--dataset', 'people', '--fields', 'email,ssn');
    expect(rewrap.code, rewrap.stderr).toBe(0);
    // In place, over several files: a second run skips what is already on the primary.
    const copies = ['a.csv', 'b.csv'].map((name) => w.file(name, readFileSync(join(w.dir, 'v1.csv'), 'utf8')));
    const inPlace = parseJson<Array<{ skipped: boolean; records: number }>>(await cli('keys', 'rewrap', ...copies, '--dataset', 'people', '--fields', 'email,ssn', '--json'));
    expect(inPlace).toMatchObject([{ skipped: false, records: 300 }, { skipped: false, records: 300 }]);
    const again = parseJson<Array<{ skipped: boolean }>>(await cli('keys', 'rewrap', ...copies, '--dataset', 'people', '--fields', 'email,ssn', '--json'));
    expect(again.map((r) => r.skipped)).toEqual([true, true]);
    // Everything in v2 is under version 2: destroying version 1 does not affect it.
    expect((await cli('keys', 'destroy-version', 'datasets', '1')).code).toBe(0);
    const dec = await cli('decrypt', '--input', join(w.dir, 'v2.csv'), '--output', join(w.dir, 'plain.csv'), ...common);
    expect(dec.code, dec.stderr).toBe(0);
    expect(readFileSync(join(w.dir, 'plain.csv'), 'utf8')).toBe(readFileSync(csv, 'utf8'));
    const old = await cli('decrypt', '--input', join(w.dir, 'v1.csv'), '--output', join(w.dir, 'old.csv'), ...common);
    expect(old.code).toBe(2);
    const list = parseJson<Array<{ name: string; primaryVersion: number; versions: Array<{ destroyedAt: string | null }> }>>(await cli('keys', 'list', '--json'));
    const datasets = list.find((k) => k.name === 'datasets')!;
    expect(datasets.primaryVersion).toBe(2);
    expect(datasets.versions[0]!.destroyedAt).not.toBeNull();
  });

  it('rewraps a data set whose name holds personal data, masking the name in the audit log', async () => {
    const { w, cli } = setup();
    const common = ['--dataset', 'crm-jane.doe@corp.com', '--fields', 'email', '--quiet'];
    const input = w.file('people.jsonl', records.map((r) => JSON.stringify({ id: r.id, email: r.email })).join('\n') + '\n');
    // lineage refuses such a name in its parameters; a data set encrypted without lineage (or by the library) may carry one
    expect((await cli('encrypt', '--input', input, '--output', join(w.dir, 'v1.jsonl'), ...common, '--no-lineage')).code).toBe(0);
    expect((await cli('keys', 'rotate', 'datasets')).code).toBe(0);
    const rewrap = await cli('keys', 'rewrap', join(w.dir, 'v1.jsonl'), '--output', join(w.dir, 'v2.jsonl'), ...common);
    expect(rewrap.code, rewrap.stderr).toBe(0);
    const events = parseJson<Array<{ eventType: string; additionalData: { dataset?: string } }>>(await cli('audit', 'query', '--type', 'keys.rewrapped', '--json'));
    expect(events.map((e) => e.additionalData.dataset)).toEqual(['<email>']);
    const dec = await cli('decrypt', '--input', join(w.dir, 'v2.jsonl'), '--output', join(w.dir, 'plain.jsonl'), ...common, '--no-lineage');
    expect(dec.code, dec.stderr).toBe(0);
    expect(readFileSync(join(w.dir, 'plain.jsonl'), 'utf8')).toBe(readFileSync(input, 'utf8'));
  });

  it('encrypts files by scope, refuses unsupported scopes and missing data set names', async () => {
    const { w, cli } = setup();
    const file = w.file('weights.bin', 'x'.repeat(200_000));
    expect((await cli('encrypt', '--scope', 'file', '--input', file, '--output', join(w.dir, 'w.enc'), '--name', 'weights')).code).toBe(0);
    expect((await cli('decrypt', '--scope', 'file', '--input', join(w.dir, 'w.enc'), '--output', join(w.dir, 'w.out'), '--name', 'weights')).code).toBe(0);
    expect(readFileSync(join(w.dir, 'w.out'), 'utf8')).toBe('x'.repeat(200_000));
    const disk = await cli('encrypt', '--scope', 'full_disk', '--input', file, '--output', join(w.dir, 'd'));
    expect(disk.code).toBe(2);
    expect(disk.stderr).toContain("operating system's job");
    const unnamed = await cli('encrypt', '--input', w.file('d.jsonl', jsonl(records)), '--output', join(w.dir, 'e.jsonl'), '--fields', 'email');
    expect(unnamed.code).toBe(2);
    expect(unnamed.stderr).toContain('--dataset');
  });
});
