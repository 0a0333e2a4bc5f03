import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonl, killChildren, parseJson, runCli, workspace } from './run-cli.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  await killChildren();
  for (const c of cleanups.splice(0).reverse()) c();
});

function consentWorkspace(label: string) {
  const w = workspace(label);
  cleanups.push(w.cleanup);
  const config = w.file('langtrain.test.yaml', `crypto:\n  kek: file:${join(w.dir, 'kek.key')}\n`);
  const cli = (...args: string[]) => runCli([...args, '--db', w.db, '--config', config], { cwd: w.dir, timeoutMs: 60_000 });
  return { ...w, cli };
}

describe('langtrain consent', { timeout: 240_000 }, () => {
  it('records, checks (exit 0), withdraws one purpose, checks again (exit 1), and keeps the history', async () => {
    const { cli } = consentWorkspace('consent-lifecycle');
    const recorded = await cli('consent', 'record', '--user', 'u-17', '--data-types', 'email,chat_transcripts', '--purposes', 'model_training,analytics', '--json');
    expect(recorded.code, recorded.stderr).toBe(0);
    expect(parseJson(recorded)).toMatchObject({ kind: 'granted', userId: 'u-17', dataTypes: ['email', 'chat_transcripts'], purposes: ['model_training', 'analytics'], expiryDate: null });

    expect((await cli('consent', 'check', '--user', 'u-17', '--data-type', 'chat_transcripts', '--purpose', 'model_training')).code).toBe(0);
    expect((await cli('consent', 'check', '--user', 'u-17', '--data-type', 'chat_transcripts')).code).toBe(0);
    // Never granted: a data type and a subject nobody recorded.
    expect((await cli('consent', 'check', '--user', 'u-17', '--data-type', 'phone', '--purpose', 'model_training')).code).toBe(1);
    expect((await cli('consent', 'check', '--user', 'u-99', '--data-type', 'email', '--purpose', 'model_training')).code).toBe(1);

    const withdrawn = await cli('consent', 'withdraw', '--user', 'u-17', '--purposes', 'model_training', '--json');
    expect(withdrawn.code, withdrawn.stderr).toBe(0);
    expect(parseJson(withdrawn)).toMatchObject({
      kind: 'withdrawn',
      dataTypes: 'all',
      purposes: ['model_training'],
      ended: [
        { dataType: 'email', purpose: 'model_training' },
        { dataType: 'chat_transcripts', purpose: 'model_training' },
      ],
    });
    const refused = await cli('consent', 'check', '--user', 'u-17', '--data-type', 'chat_transcripts', '--purpose', 'model_training', '--json');
    expect(refused.code).toBe(1);
    expect(parseJson(refused)).toMatchObject({ valid: false });
    // The other purpose is untouched by a withdrawal that named one.
    expect((await cli('consent', 'check', '--user', 'u-17', '--data-type', 'email', '--purpose', 'analytics')).code).toBe(0);

    const history = parseJson<Array<{ kind: string }>>(await cli('consent', 'history', '--user', 'u-17', '--json'));
    expect(history.map((e) => e.kind)).toEqual(['granted', 'withdrawn']);
    const human = await cli('consent', 'history', '--user', 'u-17');
    expect(human.stdout).toMatch(/granted .*email, chat_transcripts for model_training, analytics/);
    expect(human.stdout).toMatch(/withdrawn .*all for model_training/);
  });

  it('a withdrawal that ends no consent (a mistyped purpose) is still recorded, and says that nothing they had consented to changed', async () => {
    const { cli } = consentWorkspace('consent-withdraw-nothing');
    expect((await cli('consent', 'record', '--user', 'u1', '--data-types', 'email', '--purposes', 'research')).code).toBe(0);
    const typo = await cli('consent', 'withdraw', '--user', 'u1', '--purposes', 'resarch');
    expect(typo.code, typo.stderr).toBe(0);
    expect(typo.stdout).toBe(
      'withdrew consent of u1: all for resarch\n' +
        'note: u1 had no valid consent for resarch; nothing they had consented to changed (consented data types: email; purposes: research). The withdrawal is recorded all the same, as their stated wish\n',
    );
    const json = await cli('consent', 'withdraw', '--user', 'u1', '--data-types', 'phone', '--json');
    expect(parseJson(json)).toMatchObject({ kind: 'withdrawn', dataTypes: ['phone'], purposes: 'all', ended: [] });
    expect((await cli('consent', 'check', '--user', 'u1', '--data-type', 'email', '--purpose', 'research')).code).toBe(0);

    const real = await cli('consent', 'withdraw', '--user', 'u1', '--purposes', 'research');
    expect(real.stdout).toBe('withdrew consent of u1: all for research\nended: email for research\n');
    const never = await cli('consent', 'withdraw', '--user', 'u2');
    expect(never.stdout).toContain('note: u2 had no valid consent; nothing they had consented to changed (they hold no valid consent at all)');
    // Every withdrawal is in the history, the ones that ended nothing too.
    const history = parseJson<Array<{ kind: string }>>(await cli('consent', 'history', '--user', 'u1', '--json'));
    expect(history.map((e) => e.kind)).toEqual(['granted', 'withdrawn', 'withdrawn', 'withdrawn']);
  });

  it('honours expiry: an expired grant is not valid, a future one is', async () => {
    const { cli } = consentWorkspace('consent-expiry');
    expect((await cli('consent', 'record', '--user', 'old', '--data-types', 'email', '--purposes', 'analytics', '--consent-date', '2020-01-01', '--expiry-date', '2021-01-01')).code).toBe(0);
    expect((await cli('consent', 'check', '--user', 'old', '--data-type', 'email', '--purpose', 'analytics')).code).toBe(1);
    expect((await cli('consent', 'record', '--user', 'new', '--data-types', 'email', '--purposes', 'analytics', '--expiry-date', '2999-01-01')).code).toBe(0);
    expect((await cli('consent', 'check', '--user', 'new', '--data-type', 'email', '--purpose', 'analytics')).code).toBe(0);
    // An expiry before the consent date is refused (exit 2) and names the field.
    const backwards = await cli('consent', 'record', '--user', 'x', '--data-types', 'email', '--purposes', 'analytics', '--consent-date', '2024-06-01', '--expiry-date', '2024-01-01');
    expect(backwards.code).toBe(2);
    expect(backwards.stderr).toContain('--expiry-date (2024-01-01T00:00:00.000Z) must be after --consent-date (2024-06-01T00:00:00.000Z)');
    expect(backwards.stderr).not.toContain('expiryDate');
  });

  it('refuses names that are not lower_snake_case, saying which', async () => {
    const { cli } = consentWorkspace('consent-names');
    const bad = await cli('consent', 'record', '--user', 'u', '--data-types', 'Email', '--purposes', 'analytics');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--data-types \(name 1\) must be a lower_snake_case name.*"Email"/);
    expect(bad.stderr).not.toContain('dataTypes');
    const empty = await cli('consent', 'record', '--user', 'u', '--data-types', ',', '--purposes', 'analytics');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('--data-types');
  });

  it('exports what the subject is entitled to see (GDPR Art. 15) as JSON, without other subjects', async () => {
    const { cli } = consentWorkspace('consent-export');
    await cli('consent', 'record', '--user', 'ana', '--data-types', 'email,voice', '--purposes', 'support', '--expiry-date', '2999-01-01');
    await cli('consent', 'withdraw', '--user', 'ana', '--data-types', 'voice');
    await cli('consent', 'record', '--user', 'ben', '--data-types', 'email', '--purposes', 'marketing');
    const exported = await cli('consent', 'export', '--user', 'ana');
    expect(exported.code, exported.stderr).toBe(0);
    const document = parseJson(exported);
    expect(document).toMatchObject({ format: 'langtrain.subject-export', formatVersion: 1, subject: 'ana', generatedAt: expect.any(String) });
    const records = document.domains.consent;
    expect(records).toMatchObject({ domain: 'consent', subjectId: 'ana' });
    expect(records.events.map((e: { kind: string }) => e.kind)).toEqual(['granted', 'withdrawn']);
    expect(records.validConsents).toEqual([expect.objectContaining({ dataType: 'email', purpose: 'support', expiryDate: '2999-01-01T00:00:00.000Z' })]);
    expect(document.domains.lineage).toEqual({ domain: 'lineage', artifacts: [], edgesActedBy: [] });
    expect(document.domains.encryption).toEqual({ domain: 'encryption', keysWithSubjectKey: [] });
    expect(exported.stdout).not.toContain('ben');
  });

  it('the export also lists the data sets and models lineage says hold the subject, and is audited as an access request', async () => {
    const { cli, file } = consentWorkspace('consent-export-lineage');
    await cli('consent', 'record', '--user', 'ana', '--data-types', 'email', '--purposes', 'support');
    const raw = file('raw.jsonl', jsonl([{ user_id: 'ana', text: 'hi' }, { user_id: 'ben', text: 'yo' }]));
    const model = file('model.bin', 'weights');
    expect((await cli('lineage', 'record', '--input', raw, '--output', model, '--operation', 'train', '--name-output', 'model:m-1')).code).toBe(0);
    const ids = file('ids.txt', 'ana\nben\n');
    const rawDigest = `sha256:${createHash('sha256').update(readFileSync(raw)).digest('hex')}`;
    expect((await cli('lineage', 'subjects', '--artifact', rawDigest, '--subjects-file', ids)).code).toBe(0);

    const exported = await cli('consent', 'export', '--user', 'ana');
    expect(exported.code, exported.stderr).toBe(0);
    const { artifacts } = parseJson(exported).domains.lineage;
    expect(artifacts).toEqual([
      { digest: rawDigest, names: [], via: 'direct' },
      { digest: expect.stringMatching(/^sha256:/), names: ['model:m-1'], via: 'downstream' },
    ]);

    const audited = parseJson<Array<{ userId: string; additionalData: Record<string, unknown> }>>(await cli('audit', 'query', '--type', 'privacy.subject_exported', '--json'));
    expect(audited).toHaveLength(1);
    expect(audited[0]!.additionalData).toMatchObject({ consentEvents: 1, artifacts: 2, keysWithSubjectKey: 0 });
    expect(JSON.stringify(audited[0]!.additionalData)).not.toContain('ana');
  });

  it('filters a data set by consent and records the step in lineage', async () => {
    const { cli, file, dir } = consentWorkspace('consent-filter');
    await cli('consent', 'record', '--user', 'u1', '--data-types', 'chat_transcripts', '--purposes', 'model_training');
    await cli('consent', 'record', '--user', '3', '--data-types', 'chat_transcripts', '--purposes', 'model_training');
    await cli('consent', 'record', '--user', 'u2', '--data-types', 'chat_transcripts', '--purposes', 'analytics'); // another purpose
    await cli('consent', 'record', '--user', 'u4', '--data-types', 'chat_transcripts', '--purposes', 'model_training');
    await cli('consent', 'withdraw', '--user', 'u4');
    const records = [
      { user_id: 'u1', text: 'kept: consented' },
      { user_id: 'u2', text: 'dropped: other purpose' },
      { user_id: 3, text: 'kept: numeric id' },
      { user_id: 'u4', text: 'dropped: withdrawn' },
      { text: 'dropped: no subject' },
      { user_id: 'u5', text: 'dropped: never asked' },
    ];
    const input = file('chats.jsonl', jsonl(records));
    const output = join(dir, 'chats.consented.jsonl');
    const filtered = await cli('consent', 'filter', '--input', input, '--output', output, '--subject-field', 'user_id', '--data-type', 'chat_transcripts', '--purpose', 'model_training', '--json');
    expect(filtered.code, filtered.stderr).toBe(0);
    const result = parseJson(filtered);
    expect(result).toMatchObject({ kept: 2, dropped: 4, missingSubject: 1 });
    expect(readFileSync(output, 'utf8')).toBe(jsonl([records[0], records[2]]));

    const upstream = parseJson(await cli('lineage', 'show', result.lineage.outputDigest, '--json'));
    expect(upstream.edges).toEqual([
      expect.objectContaining({
        inputDigest: result.lineage.inputDigest,
        outputDigest: result.lineage.outputDigest,
        operation: 'consent_filter',
        parameters: expect.objectContaining({ subjectField: 'user_id', dataType: 'chat_transcripts', purpose: 'model_training' }),
      }),
    ]);
    expect(result.lineage.inputDigest).not.toBe(result.lineage.outputDigest);
  });

  it('leaves no output and names the line when the data set is broken', async () => {
    const { cli, file, dir } = consentWorkspace('consent-filter-bad');
    await cli('consent', 'record', '--user', 'u1', '--data-types', 'email', '--purposes', 'analytics'); // the store the filter reads
    const input = file('bad.jsonl', '{"user_id":"u1"}\nnot json\n');
    const output = join(dir, 'out.jsonl');
    const failed = await cli('consent', 'filter', '--input', input, '--output', output, '--subject-field', 'user_id', '--data-type', 'email', '--purpose', 'analytics');
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain('line 2');
    expect(() => readFileSync(output)).toThrow();
  });
});
