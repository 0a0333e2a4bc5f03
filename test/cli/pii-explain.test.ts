import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { piiCommand } from '../../src/cli/commands/pii.js';
import { scannerFor } from '../../src/privacy/pii/entity-scanner.js';
import { runInProcess } from '../support/in-process-cli.js';
import { tempDir } from '../support/services.js';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

const explain = (...args: string[]) => runInProcess((run) => [piiCommand(run)], ['pii', 'explain', ...args]);
const TEXT = 'Invoice 4111 1111 1111 1111 for Ada Lovelace, ada@example.org';

describe('langtrain pii explain', () => {
  it('lists every candidate with its value, scores, the words that moved them and the outcome; --json gives what the library gives', async () => {
    const human = await explain(TEXT);
    expect(human.code, human.err).toBe(0);
    expect(human.out).toContain('3 candidates, 3 reported at threshold 0.5');
    expect(human.out).toContain('#1 credit_card "4111 1111 1111 1111" [8, 27) credit_card.luhn: 1.00 -> 0.60 (negative word "invoice"): reported');
    expect(human.out).toMatch(/#3 email "ada@example\.org" \[46, 61\) email\.rfc5322: 1\.00 -> 1\.00: reported/);

    const strict = await explain('--threshold', '0.9', '--types', 'credit_card,email', '--json', TEXT);
    expect(strict.code, strict.err).toBe(0);
    const parsed = JSON.parse(strict.out) as { threshold: number; candidates: Array<{ outcome: string; type: string }> };
    expect(parsed).toEqual({ threshold: 0.9, candidates: scannerFor({ threshold: 0.9, types: ['credit_card', 'email'] }).explain(TEXT) });
    expect(parsed.candidates.map((c) => [c.type, c.outcome])).toEqual([
      ['credit_card', 'below_threshold'],
      ['email', 'reported'],
    ]);
  });

  it('explains the --field of one line of a data set, and says what to do when the line or field is not there', async () => {
    const dir = tempDir('pii-explain');
    cleanups.push(dir.cleanup);
    const input = join(dir.path, 'chats.jsonl');
    writeFileSync(input, ['{"text":"nothing here"}', JSON.stringify({ meta: { note: TEXT } }), 'not json'].join('\n') + '\n');
    const second = await explain('--input', input, '--line', '2', '--field', 'meta.note', '--json');
    expect(second.code, second.err).toBe(0);
    expect(JSON.parse(second.out).candidates).toEqual(scannerFor({ threshold: 0.5 }).explain(TEXT));

    const noField = await explain('--input', input, '--line', '1', '--field', 'meta.note');
    expect([noField.code, noField.err]).toEqual([2, `error: line 1 of ${input} has no string at meta.note; name its field with --field\n`]);
    expect((await explain('--input', input, '--line', '3')).err).toBe(`error: line 3 of ${input} is not JSON\n`);
    expect((await explain('--input', input, '--line', '9')).err).toBe(`error: ${input} has 3 lines, no line 9\n`);
    expect((await explain('--input', join(dir.path, 'missing.jsonl'), '--line', '1')).err).toMatch(/^error: --input: cannot read .*missing\.jsonl: /);
    expect((await explain('--input', input, '--line', '0')).err).toMatch(/--line must be a whole number ≥ 1; got "0"/);
    expect((await explain()).err).toBe('error: give the text to explain, or a line of a data set: --input F.jsonl --line N [--field text]\n');
    expect((await explain('--input', input, '--line', '1', TEXT)).err).toBe('error: give the text, or --input and --line (and --field), not both\n');
    expect((await explain('--field', 'meta.note', TEXT)).err).toBe('error: give the text, or --input and --line (and --field), not both\n');
    expect((await explain('--input', dir.path, '--line', '1')).err).toBe(`error: --input: ${dir.path} is a directory; explain reads one line of one JSON Lines file: name a file in it\n`);
    const latin1 = join(dir.path, 'latin1.jsonl');
    writeFileSync(latin1, Buffer.concat([Buffer.from('{"text":"ok"}\n{"text":"caf'), Buffer.from([0xe9]), Buffer.from('"}\n')]));
    expect((await explain('--input', latin1, '--line', '2')).err).toBe(`error: --input: ${latin1}: line 2: is not valid UTF-8; convert the file to UTF-8 (e.g. iconv -f latin1 -t utf-8) and explain again\n`);
    // a bad byte on a later line of the same batch does not stop line 1 being explained
    const first = await explain('--input', latin1, '--line', '1', '--json');
    expect([first.code, first.err]).toEqual([0, '']);
    expect(JSON.parse(first.out).candidates).toEqual([]);
    // it uses no store: a --db it would ignore is refused
    expect(await explain('--db', 'sqlite:x.db', TEXT)).toEqual({ code: 2, out: '', err: "error: unknown option '--db'\n" });
  });

  it('numbers lines as scan and redact do: a byte order mark is no part of line 1, CR LF ends a line, a lone CR does not', async () => {
    const dir = tempDir('pii-explain');
    cleanups.push(dir.cleanup);
    const windows = join(dir.path, 'windows.jsonl');
    writeFileSync(windows, `\uFEFF${JSON.stringify({ text: TEXT })}\r\n{"text":"nothing here"}\r\n`);
    const first = await explain('--input', windows, '--line', '1', '--json');
    expect(first.code, first.err).toBe(0);
    expect(JSON.parse(first.out).candidates).toEqual(scannerFor({ threshold: 0.5 }).explain(TEXT));
    expect(JSON.parse((await explain('--input', windows, '--line', '2', '--json')).out).candidates).toEqual([]);
    expect((await explain('--input', windows, '--line', '3')).err).toBe(`error: ${windows} has 2 lines, no line 3\n`);

    // redact names line 1 as not JSON; line 2 is the line after the LF, not the text after the CR
    const cr = join(dir.path, 'cr.jsonl');
    writeFileSync(cr, `{"text":"a"}\r${JSON.stringify({ text: TEXT })}\n{"text":"nothing here"}\n`);
    expect((await explain('--input', cr, '--line', '1')).err).toBe(`error: line 1 of ${cr} is not JSON\n`);
    expect(JSON.parse((await explain('--input', cr, '--line', '2', '--json')).out).candidates).toEqual([]);
  });
});
