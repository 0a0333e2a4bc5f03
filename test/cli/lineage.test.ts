import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killChildren, parseJson, runCli, workspace } from './run-cli.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  await killChildren();
  for (const c of cleanups.splice(0).reverse()) c();
});

const sha256 = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

describe('langtrain lineage', { timeout: 240_000 }, () => {
  it('records a chain, names artifacts, and walks it both ways with a depth limit', async () => {
    const w = workspace('lineage');
    cleanups.push(w.cleanup);
    const config = w.file('langtrain.test.yaml', `crypto:\n  kek: file:${join(w.dir, 'kek.key')}\n`);
    const cli = (...args: string[]) => runCli([...args, '--db', w.db, '--config', config], { cwd: w.dir, timeoutMs: 60_000 });
    const raw = w.file('raw.jsonl', '{"user_id":"alice","text":"hi"}\n{"user_id":"bob","text":"yo"}\n');
    const clean = w.file('clean.jsonl', '{"user_id":"alice","text":"hi"}\n');
    const model = w.file('model.bin', 'weights');

    const first = await cli('lineage', 'record', '--input', raw, '--output', clean, '--operation', 'redact', '--param', 'method=masking', '--param', 'threshold=0.95', '--name-output', 'dataset:clean-v1', '--json');
    expect(first.code, first.stderr).toBe(0);
    // Digests are the files' SHA-256; --param values are typed.
    expect(parseJson(first)).toMatchObject({ inputDigest: sha256('{"user_id":"alice","text":"hi"}\n{"user_id":"bob","text":"yo"}\n'), outputDigest: sha256('{"user_id":"alice","text":"hi"}\n'), parameters: { method: 'masking', threshold: 0.95 } });
    expect((await cli('lineage', 'record', '--input', clean, '--output', model, '--operation', 'train', '--param', 'epochs=3', '--name-output', 'model:chat-1')).code).toBe(0);

    // a name holding personal data is refused before the edge is recorded, and not quoted
    const personal = await cli('lineage', 'record', '--input', clean, '--output', model, '--operation', 'retrain', '--name-output', 'model:Jane.Doe-415-555-0134');
    expect(personal.code).toBe(2);
    expect(personal.stderr).toMatch(/--name-output looks like it holds personal data \(person_name, phone/);
    expect(personal.stderr).not.toContain('Jane');

    const upstream = parseJson(await cli('lineage', 'show', 'model:chat-1', '--json'));
    expect(upstream.edges.map((e: { operation: string }) => e.operation)).toEqual(['redact', 'train']);
    expect(upstream.nodes).toContainEqual({ digest: sha256('weights'), names: ['model:chat-1'], depth: 0 });
    expect(upstream.nodes).toContainEqual(expect.objectContaining({ names: ['dataset:clean-v1'], depth: 1 }));

    const oneStep = parseJson(await cli('lineage', 'show', sha256('weights'), '--depth', '1', '--json'));
    expect(oneStep.edges.map((e: { operation: string }) => e.operation)).toEqual(['train']);

    const downstream = await cli('lineage', 'show', 'dataset:clean-v1', '--downstream');
    expect(downstream.code).toBe(0);
    expect(downstream.stdout).toContain('model:chat-1');
    expect(downstream.stdout).not.toContain('redact');

    // Subjects of the raw data set reach the model downstream.
    const subjects = await cli('lineage', 'subjects', '--artifact', sha256('{"user_id":"alice","text":"hi"}\n{"user_id":"bob","text":"yo"}\n'), '--subjects-file', w.file('ids.txt', 'alice\nbob\n\nalice\n'), '--json');
    expect(subjects.code, subjects.stderr).toBe(0);
    expect(parseJson(subjects)).toMatchObject({ subjects: 2, added: 2 });
    const containing = parseJson<Array<{ digest: string; via: string; names: string[] }>>(await cli('lineage', 'containing', '--user', 'alice', '--json'));
    expect(containing.map((a) => [a.via, a.names])).toEqual([
      ['direct', []],
      ['downstream', ['dataset:clean-v1']],
      ['downstream', ['model:chat-1']],
    ]);
    expect(parseJson(await cli('lineage', 'containing', '--user', 'carol', '--json'))).toEqual([]);

    // --complete: dataset:clean-v1 holds alice and no one else, so bob's erasure stops before it
    expect((await cli('lineage', 'subjects', '--artifact', 'dataset:clean-v1', '--subjects-file', w.file('clean-ids.txt', 'alice\n'), '--complete')).code).toBe(0);
    const bob = parseJson<Array<{ via: string; names: string[] }>>(await cli('lineage', 'containing', '--user', 'bob', '--json'));
    expect(bob.map((a) => [a.via, a.names])).toEqual([['direct', []]]);
  });

  it('every subcommand taking an artifact takes a file, a digest or a name, and says so for anything else', async () => {
    const w = workspace('lineage-refs');
    cleanups.push(w.cleanup);
    const config = w.file('langtrain.test.yaml', `crypto:\n  kek: file:${join(w.dir, 'kek.key')}\n`);
    const cli = (...args: string[]) => runCli([...args, '--db', w.db, '--config', config], { cwd: w.dir, timeoutMs: 60_000 });
    const raw = w.file('f.jsonl', '{"user_id":"alice"}\n');
    const model = w.file('model.bin', 'weights');
    expect((await cli('lineage', 'record', '--input', raw, '--output', model, '--operation', 'train')).code).toBe(0);

    // show: a file (relative, as typed), its digest and its name give one graph
    const byFile = await cli('lineage', 'show', 'f.jsonl', '--downstream', '--json');
    expect(byFile.code, byFile.stderr).toBe(0);
    expect(parseJson(byFile)).toMatchObject({ root: sha256('{"user_id":"alice"}\n'), edges: [{ operation: 'train', outputDigest: sha256('weights') }] });
    expect((await cli('lineage', 'name', 'model.bin', 'model:m1')).code).toBe(0);
    const byName = parseJson(await cli('lineage', 'show', 'model:m1', '--json'));
    const byModelFile = parseJson(await cli('lineage', 'show', model, '--json'));
    const byDigest = parseJson(await cli('lineage', 'show', sha256('weights'), '--json'));
    expect(byModelFile).toEqual(byName);
    expect(byDigest).toEqual(byName);
    expect(byName.edges).toHaveLength(1);

    // name: a name works as the artifact too (an alias); subjects: a file works
    expect((await cli('lineage', 'name', 'model:m1', 'model:latest')).code).toBe(0);
    expect(parseJson(await cli('lineage', 'show', 'model:latest', '--json')).root).toBe(sha256('weights'));
    const subjects = await cli('lineage', 'subjects', '--artifact', 'f.jsonl', '--subjects-file', w.file('ids.txt', 'alice\n'), '--json');
    expect(subjects.code, subjects.stderr).toBe(0);
    expect(parseJson(subjects)).toMatchObject({ digest: sha256('{"user_id":"alice"}\n'), added: 1 });

    // anything else: one message listing the three forms, from every subcommand
    const forms = 'give a path to an existing file, a digest (sha256:<64 hex>) or a name (kind:name, e.g. dataset:customers-v2)';
    for (const args of [
      ['lineage', 'show', 'missing.jsonl'],
      ['lineage', 'name', 'missing.jsonl', 'model:x'],
      ['lineage', 'subjects', '--artifact', 'missing.jsonl', '--subjects-file', 'ids.txt'],
      ['lineage', 'show', 'sha256:ABC'],
      ['lineage', 'show', w.dir],
    ]) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toContain(forms);
    }
    expect((await cli('lineage', 'show', 'missing.jsonl')).stderr).toContain('missing.jsonl is no file, digest or artifact name');
    expect((await cli('lineage', 'show', 'sha256:ABC')).stderr).toContain('sha256:ABC is not a digest');
    expect((await cli('lineage', 'show', w.dir)).stderr).toContain('is a directory');
  });

  it('a --param value is a number only when the number prints back as written: 007 stays text', async () => {
    const w = workspace('lineage-params');
    cleanups.push(w.cleanup);
    const config = w.file('langtrain.test.yaml', `crypto:\n  kek: file:${join(w.dir, 'kek.key')}\n`);
    const cli = (...args: string[]) => runCli([...args, '--db', w.db, '--config', config], { cwd: w.dir, timeoutMs: 60_000 });
    const pairs = ['shard=007', 'zip=02134', 'epochs=3', 'lr=0.05', 'offset=-2.5', 'ratio=1.50', 'big=1e3', 'hex=0x1f', 'nan=NaN', 'inf=Infinity', 'empty=', 'flag=true', 'none=null'];
    const r = await cli('lineage', 'record', '--input', w.file('a.txt', 'a'), '--output', w.file('b.txt', 'b'), '--operation', 'shard', ...pairs.flatMap((p) => ['--param', p]), '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(parseJson(r).parameters).toEqual({
      shard: '007',
      zip: '02134',
      epochs: 3,
      lr: 0.05,
      offset: -2.5,
      ratio: '1.50',
      big: '1e3',
      hex: '0x1f',
      nan: 'NaN',
      inf: 'Infinity',
      empty: '',
      flag: true,
      none: null,
    });
  });

  it('refuses what it cannot record, saying what to do', async () => {
    const w = workspace('lineage-bad');
    cleanups.push(w.cleanup);
    const config = w.file('langtrain.test.yaml', `crypto:\n  kek: file:${join(w.dir, 'kek.key')}\n`);
    const cli = (...args: string[]) => runCli([...args, '--db', w.db, '--config', config], { cwd: w.dir, timeoutMs: 60_000 });
    const a = w.file('a.txt', 'a');
    const b = w.file('b.txt', 'b');
    const secret = await cli('lineage', 'record', '--input', a, '--output', b, '--operation', 'encrypt', '--param', 'api_key=abc');
    expect(secret.code).toBe(2);
    expect(secret.stderr).toContain('api_key_name');
    const badOperation = await cli('lineage', 'record', '--input', a, '--output', b, '--operation', 'Train Model');
    expect(badOperation.code).toBe(2);
    expect(badOperation.stderr).toContain('lower_snake_case');
    const unknown = await cli('lineage', 'show', 'model:nope');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no artifact is named model:nope');
    const badDepth = await cli('lineage', 'show', 'model:nope', '--depth', '0');
    expect(badDepth.code).toBe(2);
    expect(badDepth.stderr).toContain('--depth');
  });
});
