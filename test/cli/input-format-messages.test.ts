import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killChildren, runCli, workspace } from './run-cli.js';

/**
 * A data set in a format the command does not read, as users meet it: a bad --format is
 * named (not blamed on the file's extension), and pii scan says it reads JSON Lines.
 */
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  await killChildren();
  for (const c of cleanups.splice(0).reverse()) c();
});

function setup() {
  const w = workspace('input-format');
  cleanups.push(w.cleanup);
  const config = w.file('langtrain.test.yaml', `crypto:\n  kek: file:${join(w.dir, 'kek.key')}\n`);
  // scan uses no store, and takes no --db or --config
  const cli = (...args: string[]) => runCli([...args, ...(args[1] === 'scan' ? [] : ['--db', w.db, '--config', config])], { cwd: w.dir, timeoutMs: 60_000 });
  return { w, cli };
}

describe('data set format messages', { timeout: 120_000 }, () => {
  it('--format with an unsupported value names the value and the supported ones (encrypt, pii redact, consent filter)', async () => {
    const { w, cli } = setup();
    const csv = w.file('cf.csv', 'id,user_id,email\n1,u1,a@example.com\n');
    const runs = {
      encrypt: await cli('encrypt', '--input', csv, '--output', join(w.dir, 'enc.csv'), '--format', 'xml', '--dataset', 'd', '--fields', 'email', '--quiet'),
      redact: await cli('pii', 'redact', '--input', csv, '--output', join(w.dir, 'red.csv'), '--format', 'xml', '--field', 'email', '--quiet'),
      filter: await cli('consent', 'filter', '--input', csv, '--output', join(w.dir, 'kept.csv'), '--format', 'xml', '--subject-field', 'user_id', '--data-type', 'chat_transcripts', '--purpose', 'model_training', '--quiet'),
    };
    for (const [command, r] of Object.entries(runs)) {
      expect(r.code, `${command}: ${r.stderr}`).toBe(2);
      expect(r.stderr, command).toContain('--format xml is not supported (supported: jsonl, csv)');
      expect(r.stderr, command).not.toContain('cannot tell the format');
    }
    for (const out of ['enc.csv', 'red.csv', 'kept.csv']) expect(existsSync(join(w.dir, out)), out).toBe(false);
    // without --format, an extension it cannot read still asks for --format
    const xml = await cli('pii', 'redact', '--input', w.file('cf.xml', '<x/>'), '--output', join(w.dir, 'red.xml'), '--field', 'email', '--quiet');
    expect(xml.code).toBe(2);
    expect(xml.stderr).toContain('give --format jsonl or --format csv');
  });

  it('pii scan of a CSV says scan reads JSON Lines and what to use instead', async () => {
    const { w, cli } = setup();
    const r = await cli('pii', 'scan', '--input', w.file('people.csv', 'id,text\n1,mail a@example.com\n'), '--output', join(w.dir, 'spans.jsonl'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('pii scan reads JSON Lines');
    expect(r.stderr).toContain('use pii redact, which reads CSV, or convert the file to JSON Lines');
    expect(r.stderr).not.toContain('not valid JSON');
    expect(existsSync(join(w.dir, 'spans.jsonl'))).toBe(false);
  });
});
