import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonl, killChildren, parseJson, runCli, workspace } from './run-cli.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  await killChildren();
  for (const c of cleanups.splice(0).reverse()) c();
});

describe('langtrain erase', { timeout: 240_000 }, () => {
  it('refuses without --yes; with it deletes consent and lineage links, shreds the key, lists artifacts and audits', async () => {
    const w = workspace('erase');
    cleanups.push(w.cleanup);
    const config = w.file('langtrain.test.yaml', `crypto:\n  kek: file:${join(w.dir, 'kek.key')}\n`);
    const cli = (...args: string[]) => runCli([...args, '--db', w.db, '--config', config], { cwd: w.dir, timeoutMs: 60_000 });

    await cli('consent', 'record', '--user', 'alice', '--data-types', 'email', '--purposes', 'model_training');
    await cli('consent', 'withdraw', '--user', 'alice', '--purposes', 'model_training');
    await cli('consent', 'record', '--user', 'bob', '--data-types', 'email', '--purposes', 'model_training');
    const data = w.file('people.jsonl', jsonl([{ user_id: 'alice', email: 'alice@example.com' }, { user_id: 'bob', email: 'bob@example.com' }]));
    const sealed = join(w.dir, 'people.enc.jsonl');
    const encrypted = await cli('encrypt', '--input', data, '--output', sealed, '--fields', 'email', '--dataset', 'people', '--format', 'jsonl', '--subject-field', 'user_id', '--quiet');
    expect(encrypted.code, encrypted.stderr).toBe(0);
    expect((await cli('lineage', 'record', '--input', data, '--output', sealed, '--operation', 'encrypt', '--name-output', 'dataset:people-sealed')).code).toBe(0);
    const dataDigest = parseJson(await cli('lineage', 'show', 'dataset:people-sealed', '--json')).edges[0].inputDigest as string;
    expect((await cli('lineage', 'subjects', '--artifact', dataDigest, '--subjects-file', w.file('ids.txt', 'alice\nbob\n'))).code).toBe(0);

    const refused = await cli('erase', 'alice');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('cannot be undone');
    expect(refused.stderr).toContain('--yes');
    // Nothing happened.
    expect(parseJson(await cli('consent', 'history', '--user', 'alice', '--json'))).toHaveLength(2);

    const erased = await cli('erase', 'alice', '--yes', '--json');
    expect(erased.code, erased.stderr).toBe(0);
    const report = parseJson(erased);
    expect(report).toMatchObject({ subject: 'alice', consentRecords: 2, lineageLinks: 1, keysShredded: ['datasets'] });
    expect(report.affectedArtifacts.map((a: { via: string; names: string[] }) => [a.via, a.names])).toEqual([
      ['direct', []],
      ['downstream', ['dataset:people-sealed']],
    ]);

    expect(parseJson(await cli('consent', 'history', '--user', 'alice', '--json'))).toEqual([]);
    expect((await cli('consent', 'check', '--user', 'bob', '--data-type', 'email', '--purpose', 'model_training')).code).toBe(0);
    expect(parseJson(await cli('lineage', 'containing', '--user', 'alice', '--json'))).toEqual([]);
    expect(parseJson(await cli('lineage', 'containing', '--user', 'bob', '--json'))).toHaveLength(2);

    const audit = parseJson<Array<{ eventType: string; additionalData: Record<string, unknown> }>>(await cli('audit', 'query', '--json', '--limit', '1000'));
    const record = audit.find((e) => e.eventType === 'privacy.subject_erased');
    expect(record?.additionalData).toMatchObject({ consentRecords: 2, lineageLinks: 1, keysShredded: ['datasets'] });

    // Crypto-shredding: alice's encrypted field can no longer be opened (line 1 is hers).
    const opened = await cli('decrypt', '--input', sealed, '--output', join(w.dir, 'people.back.jsonl'), '--format', 'jsonl', '--fields', 'email', '--dataset', 'people', '--subject-field', 'user_id', '--quiet');
    expect(opened.code).toBe(2);
    expect(opened.stderr).toMatch(/line 1: .*destroyed/);

    // Erasing again finds nothing, and says so.
    const again = await cli('erase', 'alice', '--yes');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('0 consent record(s)');
    expect(again.stdout).toContain('their key already destroyed (an earlier erasure) under: datasets');
    expect(again.stdout).toContain('no recorded data set or model held their data');

    // Bob's data also went out under another key: erasure finds both; a misspelt key is refused before anything is deleted.
    const tickets = join(w.dir, 'tickets.enc.jsonl');
    const under = await cli('encrypt', '--input', data, '--output', tickets, '--fields', 'email', '--dataset', 'tickets', '--format', 'jsonl', '--subject-field', 'user_id', '--key', 'support', '--quiet');
    expect(under.code, under.stderr).toBe(0);
    const keysBefore = parseJson(await cli('keys', 'list', '--json'));
    const misspelt = await cli('erase', 'bob', '--yes', '--encryption-key', 'suport');
    expect(misspelt.code).toBe(2);
    expect(misspelt.stderr).toContain('no data was encrypted with per-subject keys under the key suport; keys that have them: datasets, support');
    expect(parseJson(await cli('keys', 'list', '--json'))).toEqual(keysBefore);
    expect(parseJson(await cli('consent', 'history', '--user', 'bob', '--json'))).toHaveLength(1);
    const bob = await cli('erase', 'bob', '--yes');
    expect(bob.code, bob.stderr).toBe(0);
    expect(bob.stdout).toContain('their key destroyed under: datasets, support');
    const ticketsOpened = await cli('decrypt', '--input', tickets, '--output', join(w.dir, 'tickets.back.jsonl'), '--format', 'jsonl', '--fields', 'email', '--dataset', 'tickets', '--subject-field', 'user_id', '--key', 'support', '--quiet');
    expect(ticketsOpened.stderr).toMatch(/line 2: .*destroyed/);
  });

  it('--shred-audit-trail makes the sealed payloads of the subject\'s events unreadable, and says so', async () => {
    const w = workspace('erase-audit');
    cleanups.push(w.cleanup);
    const config = w.file('langtrain.test.yaml', `crypto:\n  kek: file:${join(w.dir, 'kek.key')}\naudit:\n  encryption: true\n  encryptionKey: file:${join(w.dir, 'audit.key')}\n`);
    const cli = (...args: string[]) => runCli([...args, '--db', w.db, '--config', config], { cwd: w.dir, timeoutMs: 60_000 });
    await cli('consent', 'record', '--user', 'carol', '--data-types', 'email', '--purposes', 'support');
    const erased = await cli('erase', 'carol', '--yes', '--shred-audit-trail');
    expect(erased.code, erased.stderr).toBe(0);
    expect(erased.stdout).toMatch(/audit log: [1-9]\d* data key\(s\) of theirs destroyed/);
    const recorded = parseJson<Array<{ payload: string }>>(await cli('audit', 'query', '--type', 'consent.recorded', '--json'));
    expect(recorded.map((e) => e.payload)).toEqual(['shredded']);
  });
});
