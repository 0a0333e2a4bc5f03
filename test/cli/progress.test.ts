import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { jsonl, killChildren, parseJson, runCli, workspace } from './run-cli.js';

/**
 * Long work shows progress on stderr (plain lines when stderr is not a terminal); stdout keeps only the result.
 * The tests run in order on one log: 30k + 30k + 1 entries by the last one.
 */
const w = workspace('progress');
afterAll(() => w.cleanup());
afterEach(() => killChildren());

const N = 30_000;
const cli = (...args: string[]) => runCli([...args, '--db', w.db], { cwd: w.dir, timeoutMs: 60_000 });

describe('progress of long CLI work', () => {
  const file = w.file(
    'big.jsonl',
    jsonl(Array.from({ length: N }, (_, i) => ({ eventType: 'dataset.record_read', userId: `user-${i % 97}`, result: 'success', additionalData: { row: i } }))),
  );

  it('audit import of 30k lines writes progress lines to stderr; stdout holds only the result', async () => {
    const r = await cli('audit', 'import', file);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`imported ${N} events from entry 0\n`);
    // Not a TTY: plain lines, no bar or cursor codes.
    expect(r.stderr).toContain('importing');
    expect(r.stderr).toMatch(new RegExp(`^checking: ${N}$`, 'm'));
    expect(r.stderr).toMatch(new RegExp(`^importing: ${N}/${N} \\(100%\\)$`, 'm')); // the total known: the percentage too
    expect(r.stderr).not.toMatch(/\u001b\[/);
  }, 60_000);

  it('with --json, stdout is one valid JSON document', async () => {
    const r = await cli('audit', 'import', file, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(parseJson(r)).toEqual({ imported: N, firstIndex: N });
    expect(r.stderr).not.toMatch(/error/);
  }, 60_000);

  it('pii scan knows the size of its input: its last line is MB done of the total, with the percentage', async () => {
    const input = w.file('chats.jsonl', jsonl(Array.from({ length: 4000 }, (_, i) => ({ text: `ticket ${i}: reach me at j.doe@mail-example.co.uk` }))));
    const mb = (statSync(input).size / 1e6).toFixed(1);
    const r = await runCli(['pii', 'scan', '--input', input, '--output', join(w.dir, 'spans.jsonl'), '--workers', '1'], { cwd: w.dir, timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(mb).not.toBe('0.0');
    expect(r.stderr).toMatch(new RegExp(`^scanning \\(MB\\): ${mb}/${mb} \\(100%\\)$`, 'm'));
    expect(r.stderr).not.toMatch(/\u001b\[/);
    expect(r.stdout).toBe(`4000 records scanned, 4000 spans -> ${join(w.dir, 'spans.jsonl')}\n`);
  });

  it('--quiet silences progress', async () => {
    const r = await cli('audit', 'import', w.file('small.jsonl', jsonl([{ eventType: 'x', result: 'success' }])), '--quiet');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('verify and export of the 60k-entry log report progress on stderr too, and verify', async () => {
    const v = await cli('audit', 'verify');
    expect(v.code, v.stdout + v.stderr).toBe(0);
    expect(v.stdout).toMatch(new RegExp(`entries: ${2 * N + 1} `));
    expect(v.stderr).toMatch(new RegExp(`^verifying: ${2 * N + 1}$`, 'm'));
    const json = await cli('audit', 'verify', '--json');
    expect(parseJson(json)).toMatchObject({ ok: true, entries: 2 * N + 1 });

    const bundle = join(w.dir, 'bundle.jsonl');
    const e = await cli('audit', 'export', '--output', bundle);
    expect(e.code, e.stderr).toBe(0);
    expect(e.stderr).toMatch(new RegExp(`^exporting: ${2 * N + 1}$`, 'm'));
    const b = await runCli(['audit', 'verify', '--bundle', bundle, '--quiet'], { cwd: w.dir, timeoutMs: 60_000 });
    expect(b.code, b.stdout + b.stderr).toBe(0);
    expect(b.stderr).toBe('');
  }, 60_000);
});
