import { existsSync, linkSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataProtectionManager } from '../../src/privacy/data-protection-manager.js';
import { digestFile, type LineageStore } from '../../src/privacy/lineage/lineage-store.js';
import { SecurityManager } from '../../src/security-manager.js';
import { storeUrls, tempDir } from '../support/services.js';

/**
 * Erasure must name every artifact prepareDataset made or read that holds a subject in clear:
 * the raw input too (for every subject in it, including those the consent filter dropped),
 * not only the filtered and redacted outputs.
 */
describe.each(storeUrls('prepare-erasure'))('prepareDataset lineage and erasure on $dialect', ({ make }) => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const open = async () => {
    const dir = tempDir('prepare-erasure');
    const store = make();
    const security = await SecurityManager.open({ env: {}, config: { store: { url: store.url }, crypto: { kek: `file:${join(dir.path, 'kek')}` } } });
    cleanups.push(() => dir.cleanup(), () => store.cleanup(), () => security.close());
    return { security, dir: dir.path };
  };

  it('records the raw input against every subject in it, so erasure lists it (direct) and what was built from it (downstream)', async () => {
    const { security, dir } = await open();
    const consent = await security.consentManager();
    await consent.recordConsent({ userId: 'a', dataTypes: ['training_data'], purposes: ['model_improvement'], consentDate: '2024-01-01' });
    const input = join(dir, 'raw.jsonl');
    writeFileSync(
      input,
      [
        { user_id: 'a', text: 'reach me at ana.silva@example.org' },
        { user_id: 'b', text: 'b never consented: bruno@example.org' },
        { user_id: 42, text: 'a numeric subject, no consent either' },
        { user_id: '', text: 'an empty subject is nobody' },
        { text: 'no subject at all' },
      ].map((r) => JSON.stringify(r)).join('\n') + '\n',
    );
    const output = join(dir, 'clean.jsonl');
    const manager = security.dataProtectionManager({ automaticPiiRedaction: true, dataLineageTracking: true });
    const report = await manager.prepareDataset({ input, output }, { subjectField: 'user_id', dataType: 'training_data', purpose: 'model_improvement', outputName: 'dataset:clean-v1' });
    expect(report.consent).toEqual({ kept: 1, dropped: 4, missingSubject: 2 });
    expect(readFileSync(output, 'utf8')).not.toContain('ana.silva');
    const [raw, filtered, clean] = report.digests;
    expect(raw).toBe(await digestFile(input));
    expect(clean).toBe(await digestFile(output));
    expect(report.subjects).toBe(1); // the output holds one subject

    const lineage = await security.lineage();
    const artifactsOf = async (subject: string) => Object.fromEntries((await lineage.artifactsContaining(subject)).map((a) => [a.digest, a.via]));
    // a: the raw input (it holds a's data in clear), the filtered file and the named output.
    expect(await artifactsOf('a')).toEqual({ [raw!]: 'direct', [filtered!]: 'direct', [clean!]: 'direct' });
    // b and 42 were dropped by the consent filter: the raw input still holds them, and nothing
    // after the filter does (every subject list here is complete, so the walk stops there)
    expect(await artifactsOf('b')).toEqual({ [raw!]: 'direct' });
    expect(await artifactsOf('42')).toEqual({ [raw!]: 'direct' });

    const erasedB = await security.eraseSubject('b', { actor: 'dpo' });
    expect(erasedB.affectedArtifacts.find((x) => x.digest === raw)).toMatchObject({ via: 'direct' });
    const erasedA = await security.eraseSubject('a', { actor: 'dpo' });
    expect(erasedA.affectedArtifacts.map((x) => x.digest)).toEqual(expect.arrayContaining([raw, filtered, clean]));
    expect(erasedA.affectedArtifacts.find((x) => x.digest === clean)?.names).toEqual(['dataset:clean-v1']);
    expect(await lineage.artifactsContaining('a')).toEqual([]); // forgotten
  });

  it('without a consent step, records the input\'s subjects against the input as well as the redacted output', async () => {
    const { security, dir } = await open();
    const input = join(dir, 'raw.jsonl');
    writeFileSync(input, [{ user_id: 'c', text: 'write to carla@example.org' }, { user_id: 'd', text: 'hi' }].map((r) => JSON.stringify(r)).join('\n') + '\n');
    const output = join(dir, 'clean.jsonl');
    const report = await security.dataProtectionManager({ automaticPiiRedaction: true, dataLineageTracking: true }).prepareDataset({ input, output }, { subjectField: 'user_id' });
    const [raw, clean] = report.digests;
    expect(report.subjects).toBe(2);
    expect(clean).not.toBe(raw); // redaction changed the file: two artifacts
    const lineage = await security.lineage();
    for (const subject of ['c', 'd']) {
      const found = Object.fromEntries((await lineage.artifactsContaining(subject)).map((a) => [a.digest, a.via]));
      expect(found).toEqual({ [raw!]: 'direct', [clean!]: 'direct' });
    }
  });

  it('refuses a subjectField no record has (no consent step), before writing, and records no empty complete list', async () => {
    const { security, dir } = await open();
    const input = join(dir, 'raw.jsonl');
    writeFileSync(input, [{ user_id: 'alice', text: 'hi from alice' }, { user_id: 'bob', text: 'hi' }].map((r) => JSON.stringify(r)).join('\n') + '\n');
    const output = join(dir, 'clean.jsonl');
    const manager = security.dataProtectionManager({ automaticPiiRedaction: true, dataLineageTracking: true });
    await expect(manager.prepareDataset({ input, output }, { subjectField: 'userid', outputName: 'dataset:clean-v1' })).rejects.toMatchObject({
      code: 'ERR_INVALID_INPUT',
      details: { field: 'subjectField' },
      message: expect.stringMatching(/^no record has the field "userid" \(2 records read; the first has the fields "user_id", "text"\)/),
    });
    expect(readdirSync(dir)).not.toContain('clean.jsonl');
    const lineage = await security.lineage();
    expect(await lineage.artifactsContaining('bob')).toEqual([]);
    await expect(lineage.resolve('dataset:clean-v1')).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
  });

  it('refuses a subject id lineage cannot record before any step writes, naming its line', async () => {
    const { security, dir } = await open();
    const consent = await security.consentManager();
    await consent.recordConsent({ userId: 'alice', dataTypes: ['training_data'], purposes: ['model_improvement'], consentDate: '2024-01-01' });
    const manager = security.dataProtectionManager({ automaticPiiRedaction: true, dataLineageTracking: true });
    const input = join(dir, 'raw.jsonl');
    const output = join(dir, 'clean.jsonl');
    const cases: Array<{ second: string; withConsent: boolean; message: RegExp }> = [
      // a number JSON reads rounded: lineage would name another person (…800)
      { second: '{"user_id":1234567890123456789,"text":"x"}', withConsent: true, message: /^line 2: user_id holds a number past the safe integers .*quote subject ids as strings; nothing was written$/ },
      { second: '{"user_id":"b\\u0000b","text":"x"}', withConsent: false, message: /^line 2: user_id holds a subject id with a NUL character/ },
      // too long to be erased: without a consent step to drop it, it would reach the output unrecorded
      { second: JSON.stringify({ user_id: 'x'.repeat(300), text: 'x' }), withConsent: false, message: /^line 2: user_id holds a subject id of 300 characters, longer than a subject id can be \(256\)/ },
    ];
    // bytes that are not UTF-8: decoded to U+FFFD, the id would be another person's
    const latin1 = Buffer.concat([Buffer.from('{"user_id":"jos'), Buffer.from([0xe9]), Buffer.from('","text":"x"}')]).toString('latin1');
    cases.push({ second: latin1, withConsent: false, message: /^line 2: is not valid UTF-8/ });
    for (const { second, withConsent, message } of cases) {
      writeFileSync(input, Buffer.from(`{"user_id":"alice","text":"hi"}\n${second}\n`, second === latin1 ? 'latin1' : 'utf8'));
      const steps = withConsent ? { dataType: 'training_data', purpose: 'model_improvement' } : {};
      const err = await manager.prepareDataset({ input, output }, { subjectField: 'user_id', ...steps, outputName: 'dataset:clean-v1' }).then(() => undefined, (e: unknown) => e);
      expect(err).toMatchObject({ code: 'ERR_INVALID_INPUT', details: { line: 2 }, message: expect.stringMatching(message) });
      expect((err as Error).message).not.toMatch(/12345678901234568/); // an id (often an account number) is never quoted
      expect(readdirSync(dir).filter((f) => f !== 'raw.jsonl' && f !== 'kek')).toEqual([]); // no output, no intermediate file
      const lineage = await security.lineage();
      expect(await lineage.lineageOf(await digestFile(input), { direction: 'downstream' })).toMatchObject({ edges: [] });
      expect(await lineage.artifactsContaining('alice')).toEqual([]);
    }
  });

  it('refuses an output that is the input (the same path, or a hard link to it) before reading it', async () => {
    const { security, dir } = await open();
    const consent = await security.consentManager();
    await consent.recordConsent({ userId: 'alice', dataTypes: ['training_data'], purposes: ['research'] });
    const input = join(dir, 'raw.jsonl');
    const text = [{ user_id: 'alice', text: 'a' }, { user_id: 'bob', text: 'b' }].map((r) => JSON.stringify(r)).join('\n') + '\n';
    writeFileSync(input, text);
    linkSync(input, join(dir, 'link.jsonl'));
    const manager = security.dataProtectionManager({ dataLineageTracking: true });
    for (const output of [input, join(dir, '.', 'raw.jsonl'), join(dir, 'link.jsonl')]) {
      await expect(manager.prepareDataset({ input, output }, { subjectField: 'user_id', dataType: 'training_data', purpose: 'research' })).rejects.toMatchObject({
        code: 'ERR_INVALID_INPUT',
        message: expect.stringMatching(/^the output is the input .*write to another file/),
      });
    }
    expect(readFileSync(input, 'utf8')).toBe(text);
    expect(await (await security.lineage()).artifactsContaining('bob')).toEqual([]);
  });

  it('answers a missing input or no files with an invalid-input error naming the path and what to give', async () => {
    const { security, dir } = await open();
    const manager = security.dataProtectionManager({ automaticPiiRedaction: true });
    const missing = join(dir, 'missing.jsonl');
    await expect(manager.prepareDataset({ input: missing, output: join(dir, 'out.jsonl') })).rejects.toMatchObject({
      code: 'ERR_INVALID_INPUT',
      details: { path: missing },
      message: `the input ${missing} does not exist: give the path of an existing JSON Lines data set`,
    });
    await expect(manager.prepareDataset(null as never, {})).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT', message: expect.stringMatching(/takes the files \{ input, output \}/) });
    await expect(manager.prepareDataset({ input: missing } as never)).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
  });

  it('records no edge for a step that changed no byte, and removes (with secureDeletion, scrubs) its intermediate file', async () => {
    const { security, dir } = await open();
    const consent = await security.consentManager();
    for (const userId of ['alice', 'bob']) await consent.recordConsent({ userId, dataTypes: ['training_data'], purposes: ['research'] });
    const input = join(dir, 'raw.jsonl');
    writeFileSync(input, [{ user_id: 'alice', text: 'a' }, { user_id: 'bob', text: 'b' }].map((r) => JSON.stringify(r)).join('\n') + '\n');
    // The consent filter keeps both records unchanged: its output is the input's bytes.
    const kept = await security.dataProtectionManager({ dataLineageTracking: true }).prepareDataset({ input, output: join(dir, 'kept.jsonl') }, { subjectField: 'user_id', dataType: 'training_data', purpose: 'research' });
    expect(kept.digests).toEqual([await digestFile(input), await digestFile(input)]);
    expect((await (await security.lineage()).lineageOf(kept.digests[0]!, { direction: 'downstream' })).edges).toEqual([]);
    const both = await security
      .dataProtectionManager({ automaticPiiRedaction: true, dataLineageTracking: true, secureDeletion: true })
      .prepareDataset({ input, output: join(dir, 'clean.jsonl') }, { subjectField: 'user_id', dataType: 'training_data', purpose: 'research' });
    expect(both.subjects).toBe(2);
    expect(readdirSync(dir).filter((f) => f.startsWith('.clean.jsonl'))).toEqual([]);
  });

  const jsonl = (rows: object[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
  /** Files other than the store's and the inputs: the output and any temporary left beside it. */
  const written = (dir: string) => readdirSync(dir).filter((f) => f !== 'kek' && !f.startsWith('raw'));

  it('refuses an outputName that names other data before the output or any lineage is written, and takes it again for the same output', async () => {
    const { security, dir } = await open();
    const manager = security.dataProtectionManager({ automaticPiiRedaction: true, dataLineageTracking: true });
    const input = join(dir, 'raw.jsonl');
    const output = join(dir, 'clean.jsonl');
    writeFileSync(input, jsonl([{ user_id: 'c', text: 'write carla@example.org' }]));
    const first = await manager.prepareDataset({ input, output }, { subjectField: 'user_id', outputName: 'dataset:clean-v1' });
    const firstBytes = readFileSync(output, 'utf8');
    // the same data again: the name already names this very output, so the run goes through
    const again = await manager.prepareDataset({ input, output }, { subjectField: 'user_id', outputName: 'dataset:clean-v1' });
    expect(again.digests).toEqual(first.digests);

    writeFileSync(input, jsonl([{ user_id: 'c', text: 'write carla@example.org' }, { user_id: 'e', text: 'eva@example.org here' }])); // new data
    const newRaw = await digestFile(input);
    await expect(manager.prepareDataset({ input, output }, { subjectField: 'user_id', outputName: 'dataset:clean-v1' })).rejects.toMatchObject({
      code: 'ERR_INVALID_INPUT',
      details: { field: 'outputName' },
      message: expect.stringMatching(/^dataset:clean-v1 already names sha256:[0-9a-f]{64}, and this run's output is sha256:[0-9a-f]{64}: give the new output a new name .*was left as it was and no lineage was recorded$/),
    });
    expect(readFileSync(output, 'utf8')).toBe(firstBytes); // not overwritten
    expect(written(dir)).toEqual(['clean.jsonl']); // no temporary left
    const lineage = await security.lineage();
    expect((await lineage.lineageOf(newRaw, { direction: 'downstream' })).edges).toEqual([]);
    expect(await lineage.artifactsContaining('e')).toEqual([]);
    // a new name: written, and erasure finds e in the new raw input and the new output
    const renamed = await manager.prepareDataset({ input, output }, { subjectField: 'user_id', outputName: 'dataset:clean-v2' });
    expect((await lineage.artifactsContaining('e')).map((a) => a.digest).sort()).toEqual([newRaw, renamed.digests.at(-1)].sort());
  });

  it('writes the output only once its edges, subject lists and name are recorded: a lineage failure leaves no output and no temporary', async () => {
    const { security, dir } = await open();
    const consent = await security.consentManager();
    await consent.recordConsent({ userId: 'a', dataTypes: ['training_data'], purposes: ['model_improvement'], consentDate: '2024-01-01' });
    const input = join(dir, 'raw.jsonl');
    writeFileSync(input, jsonl([{ user_id: 'a', text: 'mail ana.silva@example.org' }, { user_id: 'b', text: 'bruno@example.org' }]));
    const real = await security.lineage();
    for (const [failing, secureDeletion] of [['recordTransformation', false], ['recordSubjects', true], ['nameArtifact', false]] as const) {
      let calls = 0;
      const store = new Proxy(real, {
        get(target, property) {
          // the second edge (redact) or subject list fails, after the first was recorded
          if (property === failing) return async (...args: unknown[]) => (failing === 'nameArtifact' || ++calls === 2 ? Promise.reject(new Error(`${failing}: store down`)) : (target[failing] as (...a: unknown[]) => unknown)(...args));
          const value = Reflect.get(target, property) as unknown;
          return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
        },
      }) as LineageStore;
      const manager = new DataProtectionManager({ automaticPiiRedaction: true, dataLineageTracking: true, secureDeletion }, { keyring: security.keyring, audit: security.audit, keyManagement: 'local', consent: () => security.consentManager(), lineage: async () => store });
      const output = join(dir, `clean-${failing.toLowerCase()}.jsonl`);
      await expect(manager.prepareDataset({ input, output }, { subjectField: 'user_id', dataType: 'training_data', purpose: 'model_improvement', outputName: `dataset:${failing.toLowerCase()}` })).rejects.toThrow(`${failing}: store down`);
      expect(existsSync(output), failing).toBe(false);
      expect(written(dir), failing).toEqual([]);
    }
    // an existing output is left as it was
    const output = join(dir, 'clean.jsonl');
    writeFileSync(output, 'the previous run\n');
    const store = new Proxy(real, {
      get(target, property) {
        if (property === 'recordSubjects') return () => Promise.reject(new Error('store down'));
        const value = Reflect.get(target, property) as unknown;
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      },
    }) as LineageStore;
    const manager = new DataProtectionManager({ automaticPiiRedaction: true, dataLineageTracking: true }, { keyring: security.keyring, audit: security.audit, keyManagement: 'local', lineage: async () => store });
    await expect(manager.prepareDataset({ input, output }, { subjectField: 'user_id' })).rejects.toThrow('store down');
    expect(readFileSync(output, 'utf8')).toBe('the previous run\n');
    expect(written(dir)).toEqual(['clean.jsonl']);
  });

  it('records a partial subject list, and counts missingSubject, when a record has no usable subject: erasure still walks through the input', async () => {
    const { security, dir } = await open();
    const lineage = await security.lineage();
    // Upstream: an export that holds c and d, from which raw.jsonl was made
    const upstream = join(dir, 'export.jsonl');
    writeFileSync(upstream, jsonl([{ uid: 'c' }, { uid: 'd' }]));
    const exported = await digestFile(upstream);
    await lineage.recordSubjects(exported, ['c', 'd']);
    const input = join(dir, 'raw.jsonl');
    writeFileSync(input, jsonl([{ user_id: 'c', text: 'hello' }, { user_id: null, text: 'I am Dana, dana.w@example.org' }, { user_id: '', text: 'x' }, { text: 'y' }]));
    const raw = await digestFile(input);
    await lineage.recordTransformation({ inputDigest: exported, outputDigest: raw, operation: 'export', parameters: {}, actor: 'etl' });
    const report = await security.dataProtectionManager({ automaticPiiRedaction: true, dataLineageTracking: true }).prepareDataset({ input, output: join(dir, 'clean.jsonl') }, { subjectField: 'user_id' });
    expect(report).toMatchObject({ subjects: 1, missingSubject: 3 });
    const clean = report.digests.at(-1)!;
    // d's record reached raw and clean without a subject: neither list may say it holds only c
    const found = Object.fromEntries((await lineage.artifactsContaining('d')).map((a) => [a.digest, a.via]));
    expect(found).toEqual({ [exported]: 'direct', [raw]: 'downstream', [clean]: 'downstream' });

    // With a consent step the filter drops those records: the filtered file and the output are
    // complete (d is not in them), the input is not.
    await (await security.consentManager()).recordConsent({ userId: 'c', dataTypes: ['training_data'], purposes: ['research'], consentDate: '2024-01-01' });
    const consented = await security.dataProtectionManager({ automaticPiiRedaction: true, dataLineageTracking: true }).prepareDataset({ input, output: join(dir, 'consented.jsonl') }, { subjectField: 'user_id', dataType: 'training_data', purpose: 'research' });
    expect(consented.missingSubject).toBe(3);
    expect(consented.consent?.missingSubject).toBe(3);
    const after = (await lineage.artifactsContaining('d')).map((a) => a.digest);
    expect(after).toContain(raw);
    expect(after).not.toContain(consented.digests[1]);
    expect(after).not.toContain(consented.digests[2]);
  });

  it('records the fields the redact step redacted in its edge, or all', async () => {
    const { security, dir } = await open();
    const input = join(dir, 'raw.jsonl');
    writeFileSync(input, jsonl([{ user_id: 'c', text: 'write carla@example.org', note: 'also carla@example.org' }]));
    const manager = security.dataProtectionManager({ automaticPiiRedaction: true, dataLineageTracking: true });
    const lineage = await security.lineage();
    const parametersOf = async (digest: string) => (await lineage.lineageOf(digest, { direction: 'upstream' })).edges.map((e) => [e.operation, e.parameters]);
    const some = await manager.prepareDataset({ input, output: join(dir, 'text.jsonl') }, { subjectField: 'user_id', fields: ['text'] });
    expect(await parametersOf(some.digests.at(-1)!)).toEqual([['redact', expect.objectContaining({ method: 'masking', fields: ['text'] })]]);
    const all = await manager.prepareDataset({ input, output: join(dir, 'all.jsonl') }, { subjectField: 'user_id' });
    expect(await parametersOf(all.digests.at(-1)!)).toEqual([['redact', expect.objectContaining({ fields: 'all' })]]);
  });
});
