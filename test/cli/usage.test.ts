import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { killChildren, parseJson, runCli, workspace } from './run-cli.js';

/** Usage errors exit 2 with a message; help and version exit 0 (ARCHITECTURE.md: 0 ok / 1 check failed / 2 usage). */
const w = workspace('usage');
afterAll(() => w.cleanup());
afterEach(() => killChildren());

const cli = (...args: string[]) => runCli(args, { cwd: w.dir });

describe('langtrain usage', () => {
  it('--help, help <command> and --version exit 0 with the usage on stdout', async () => {
    const help = await cli('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: langtrain \[options\] \[command\]/);
    expect(help.stdout).toMatch(/\n  serve \[options\] +start the LangTrain Security server/);
    expect(help.stdout).toMatch(/\n  audit +the tamper-evident audit log/);
    // every group is listed, each loaded only for help or when named (main.ts COMMAND_GROUPS)
    const listed = [...help.stdout.matchAll(/^  ([a-z-]+)(?: \[options\]| <subject>| +)/gm)].map((m) => m[1]);
    expect(listed).toEqual(expect.arrayContaining(['serve', 'audit', 'keys', 'secrets', 'users', 'api-keys', 'sessions', 'iam', 'pii', 'consent', 'lineage', 'erase', 'dp', 'train', 'encrypt', 'decrypt']));
    expect((await cli('lineag')).stderr).toContain('(Did you mean lineage?)');

    const audit = await cli('audit', '--help');
    expect(audit.code).toBe(0);
    for (const sub of ['log', 'import', 'query', 'prove', 'export', 'verify', 'checkpoint', 'prune', 'shred']) expect(audit.stdout).toMatch(new RegExp(`\\n  ${sub}\\b`));

    const verify = await cli('audit', 'verify', '--help');
    expect(verify.code).toBe(0);
    for (const option of ['--db <url>', '--config <file>', '--json', '--bundle <file>', '--verifier-key <key...>']) expect(verify.stdout).toContain(option);

    expect((await cli('help', 'audit')).code).toBe(0);
    const version = await cli('--version');
    expect(version).toMatchObject({ code: 0, stdout: '0.1.0\n' });
  });

  it.each([
    [['bogus'], /unknown command 'bogus'/],
    [['audit', 'bogus'], /unknown command 'bogus'/],
    [['audit', 'log', '--type', 'x', '--result', 'success', '--bogus'], /unknown option '--bogus'/],
    [['audit', 'log', '--result', 'success'], /required option '--type <eventType>' not specified/],
    [['audit', 'query', 'extra-argument'], /too many arguments/],
    [['audit', 'query', '--limit'], /option '--limit <n>' argument missing/],
    [['serve', '--port', 'eighty'], /--port must be a whole number from 0 to 65535; got "eighty"/],
  ])('%j is a usage error: exit 2 and a message on stderr', async (args, message) => {
    const r = await cli(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('no command, or a group without its subcommand, prints the usage on stderr and exits 2', async () => {
    const none = await cli();
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^Usage: langtrain/);
    const group = await cli('audit');
    expect(group.code).toBe(2);
    expect(group.stderr).toMatch(/^Usage: langtrain audit/);
  });

  it("a bad number option is reported as every other error: JSON on stdout with --json, a line on stderr without", async () => {
    const asJson = await cli('pii', 'explain', '--input', 'x.jsonl', '--line', '0', '--json');
    expect([asJson.code, asJson.stderr]).toEqual([2, '']);
    expect(parseJson(asJson)).toEqual({ error: { code: 'ERR_INVALID_INPUT', message: '--line must be a whole number ≥ 1; got "0"' } });
    const asText = await cli('serve', '--port', '0x50');
    expect([asText.code, asText.stdout, asText.stderr]).toEqual([2, '', 'error: --port must be a whole number from 0 to 65535; got "0x50"\n']);
    // commander's own usage errors too: a missing option, a choice not offered, an unknown option
    const missing = await cli('dp', 'epsilon', '--json');
    expect([missing.code, parseJson(missing)]).toEqual([2, { error: { code: 'ERR_INVALID_INPUT', message: "required option '--sampling-rate <q>' not specified" } }]);
    const choice = await cli('dp', 'epsilon', '--sampling-rate', '0.1', '--noise-multiplier', '1', '--steps', '10', '--delta', '1e-5', '--accountant', 'foo', '--json');
    expect(parseJson(choice).error.message).toBe("option '--accountant <name>' argument 'foo' is invalid. Allowed choices are rdp, prv.");
    const unknown = await cli('pii', 'explain', '--db', 'x.db', 'hello');
    expect([unknown.code, unknown.stdout, unknown.stderr]).toEqual([2, '', "error: unknown option '--db'\n"]);
  });

  it('nothing is written to the working directory by a usage error', async () => {
    await cli('audit', 'log', '--bogus');
    expect(existsSync(join(w.dir, '.langtrain'))).toBe(false);
  });
});

describe('langtrain --config', () => {
  it('a config file with an unknown key is exit 2 naming the key and what is supported', async () => {
    const config = w.file('unknown-key.yaml', 'audit:\n  retention: 30d\n');
    for (const command of [['audit', 'query'], ['audit', 'verify'], ['audit', 'log', '--type', 'x', '--result', 'success']]) {
      const r = await cli(...command, '--config', config, '--db', `sqlite:${join(w.dir, 'c.db')}`);
      expect(r.code, command.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/unknown option audit\.retention \(supported: .*retentionPeriod/);
    }
    const json = await cli('audit', 'query', '--config', config, '--json');
    expect(json.code).toBe(2);
    expect(parseJson(json).error).toMatchObject({ code: 'ERR_CONFIG_UNSUPPORTED_OPTION', message: expect.stringContaining('audit.retention') });
  });

  it('an unknown section, a bad value, bad YAML or a missing file is exit 2 naming the problem', async () => {
    const cases: Array<[string, string | null, RegExp]> = [
      ['section.yaml', 'storage:\n  url: x\n', /unknown option storage \(supported: store, audit, crypto, server, auth, access, monitoring\)/],
      ['value.yaml', 'audit:\n  retentionPeriod: forever\n', /audit\.retentionPeriod: "forever" is not a duration/],
      ['yaml.yaml', 'audit: [unclosed\n', /not valid YAML/],
      ['missing.yaml', null, /configuration file missing\.yaml does not exist/],
    ];
    for (const [name, text, message] of cases) {
      if (text !== null) w.file(name, text);
      const r = await cli('audit', 'query', '--config', name);
      expect(r.code, name).toBe(2);
      expect(r.stderr, name).toMatch(message);
      expect(r.stderr, name).not.toMatch(/unexpected; please report/);
    }
  });

  it('an input file that cannot be opened is exit 2 saying why, without a trace, whichever command reads it', async () => {
    const missing = join(w.dir, 'missing.jsonl');
    const runs = [
      await cli('consent', 'filter', '--input', missing, '--output', join(w.dir, 'kept.jsonl'), '--subject-field', 'user', '--data-type', 'chat', '--purpose', 'training', '--db', 'sqlite::memory:'),
      await cli('pii', 'scan', '--input', missing, '--output', join(w.dir, 'spans.jsonl')),
      // a directory is a data set in shards: one without any is refused
      await cli('pii', 'scan', '--input', w.dir, '--output', join(w.dir, 'spans')),
    ];
    expect(runs.map((r) => r.code)).toEqual([2, 2, 2]);
    expect(runs[0]!.stderr).toMatch(/^error: cannot open .*missing\.jsonl: there is no such file\n$/);
    expect(runs[1]!.stderr).toMatch(/^error: cannot read the input .*missing\.jsonl: there is no such file\n$/);
    expect(runs[2]!.stderr).toMatch(/^error: the input directory .* holds no \.jsonl or \.ndjson file\n$/);
    expect(existsSync(join(w.dir, 'kept.jsonl')) || existsSync(join(w.dir, 'spans.jsonl')) || existsSync(join(w.dir, 'spans'))).toBe(false);
  });
});
