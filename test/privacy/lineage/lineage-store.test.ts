import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LineageStore, digestFile } from '../../../src/privacy/lineage/lineage-store.js';
import { ERASED_ACTOR } from '../../../src/privacy/subject-id.js';
import { lineageMigrations } from '../../../src/privacy/lineage/schema.js';
import { openStore, type Store } from '../../../src/store/database.js';
import { migrate } from '../../../src/store/migrations.js';
import { storeUrls, tempDir } from '../../support/services.js';
import { RecordedEvents } from '../../support/recorded-events.js';

const digestOf = (label: string) => `sha256:${createHash('sha256').update(label).digest('hex')}`;
const [RAW, CLEAN, REDACTED, MODEL, OTHER, UNRELATED] = ['raw', 'clean', 'redacted', 'model', 'other', 'unrelated'].map(digestOf) as [string, string, string, string, string, string];

describe('digestFile', () => {
  it('is sha256:<hex> of the bytes (FIPS 180-2 vector "abc"), streamed', async () => {
    const dir = tempDir('digest');
    try {
      writeFileSync(join(dir.path, 'abc'), 'abc');
      expect(await digestFile(join(dir.path, 'abc'))).toBe('sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
      const big = Buffer.alloc(3_000_000, 7);
      writeFileSync(join(dir.path, 'big'), big);
      expect(await digestFile(join(dir.path, 'big'))).toBe(`sha256:${createHash('sha256').update(big).digest('hex')}`);
    } finally {
      dir.cleanup();
    }
  });
});

describe.each(storeUrls('lineage'))('LineageStore on $dialect', ({ make }) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let audit: RecordedEvents;
  let lineage: LineageStore;
  const edge = (inputDigest: string, outputDigest: string, operation: string, parameters = {}) =>
    lineage.recordTransformation({ inputDigest, outputDigest, operation, parameters, actor: 'pipeline@example.com' });

  beforeEach(async () => {
    const made = make();
    cleanup = made.cleanup;
    store = await openStore(made.url);
    await migrate(store, 'lineage', lineageMigrations);
    audit = new RecordedEvents();
    lineage = new LineageStore({ store, audit });
    // raw --filter--> clean --redact--> redacted --train--> model <--train-- other
    await edge(RAW, CLEAN, 'filter', { purpose: 'model_training' });
    await edge(CLEAN, REDACTED, 'redact', { method: 'masking', types: ['email', 'phone'] });
    await edge(REDACTED, MODEL, 'train', { epochs: 3, max_tokens: 512 });
    await edge(OTHER, MODEL, 'train', { epochs: 3 });
    await lineage.nameArtifact(RAW, 'dataset:customers-v2');
    await lineage.nameArtifact(MODEL, 'model:classifier-3');
  });
  afterEach(async () => {
    await store.close();
    await cleanup();
  });

  it('walks downstream and upstream, by digest or name', async () => {
    const down = await lineage.lineageOf('dataset:customers-v2', { direction: 'downstream' });
    expect(down.root).toBe(RAW);
    expect(down.nodes.map((n) => [n.digest, n.depth])).toEqual([[RAW, 0], [CLEAN, 1], [REDACTED, 2], [MODEL, 3]]);
    expect(down.edges.map((e) => e.operation)).toEqual(['filter', 'redact', 'train']);
    expect(down.nodes.find((n) => n.digest === MODEL)?.names).toEqual(['model:classifier-3']);

    const up = await lineage.lineageOf(MODEL, { direction: 'upstream' });
    expect(new Set(up.nodes.map((n) => n.digest))).toEqual(new Set([MODEL, REDACTED, OTHER, CLEAN, RAW]));
    expect(up.edges).toHaveLength(4);
    expect(up.edges[1]).toMatchObject({ inputDigest: CLEAN, outputDigest: REDACTED, operation: 'redact', parameters: { method: 'masking', types: ['email', 'phone'] }, actor: 'pipeline@example.com' });
  });

  it('stops at the depth limit', async () => {
    const up = await lineage.lineageOf('model:classifier-3', { direction: 'upstream', depth: 1 });
    expect(new Set(up.nodes.map((n) => n.digest))).toEqual(new Set([MODEL, REDACTED, OTHER]));
    expect(up.edges.map((e) => e.outputDigest)).toEqual([MODEL, MODEL]);
    await expect(lineage.lineageOf(MODEL, { direction: 'upstream', depth: 0 })).rejects.toMatchObject({ details: { field: 'depth' } });
    await expect(lineage.lineageOf(MODEL, { direction: 'sideways' as never })).rejects.toMatchObject({ details: { field: 'direction' } });
  });

  it('ends on a cycle and returns the edge that closes it', async () => {
    // Decrypting an encrypted copy gives the very bytes it came from.
    await edge(MODEL, REDACTED, 'decrypt', { key_name: 'datasets' });
    const down = await lineage.lineageOf(CLEAN, { direction: 'downstream' });
    expect(down.nodes.map((n) => n.digest)).toEqual([CLEAN, REDACTED, MODEL]);
    expect(down.edges.map((e) => e.operation)).toEqual(['redact', 'train', 'decrypt']);
    const up = await lineage.lineageOf(REDACTED, { direction: 'upstream' });
    expect(new Set(up.nodes.map((n) => n.digest))).toEqual(new Set([REDACTED, CLEAN, RAW, MODEL, OTHER]));
  });

  it('finds every artifact holding a subject, through two and more hops', async () => {
    await lineage.recordSubjects(RAW, ['alice', 'bob']);
    await lineage.recordSubjects(OTHER, ['carol']);
    const alice = await lineage.artifactsContaining('alice');
    expect(alice.map((a) => [a.digest, a.via])).toEqual([[RAW, 'direct'], [CLEAN, 'downstream'], [REDACTED, 'downstream'], [MODEL, 'downstream']]);
    expect(alice[0]!.names).toEqual(['dataset:customers-v2']);
    const carol = await lineage.artifactsContaining('carol');
    expect(carol.map((a) => [a.digest, a.via])).toEqual([[OTHER, 'direct'], [MODEL, 'downstream']]);
    expect(await lineage.artifactsContaining('dave')).toEqual([]);
    expect((await lineage.artifactsContaining('bob')).map((a) => a.digest)).not.toContain(UNRELATED);
  });

  it('stops at an artifact whose complete subject list leaves the subject out, and at nothing else', async () => {
    // raw holds alice and bob; the filter dropped bob, and clean's list of subjects is complete
    await lineage.recordSubjects(RAW, ['alice', 'bob'], { complete: true });
    await lineage.recordSubjects(CLEAN, ['alice'], { complete: true });
    expect((await lineage.artifactsContaining('bob')).map((a) => [a.digest, a.via])).toEqual([[RAW, 'direct']]);
    const via = async (subject: string) => Object.fromEntries((await lineage.artifactsContaining(subject)).map((a) => [a.digest, a.via]));
    expect(await via('alice')).toEqual({ [RAW]: 'direct', [CLEAN]: 'direct', [REDACTED]: 'downstream', [MODEL]: 'downstream' });
    expect(audit.of('lineage.subjects_recorded').map((e) => e.additionalData)).toEqual([
      { digest: RAW, subjects: 2, added: 2, complete: true },
      { digest: CLEAN, subjects: 1, added: 1, complete: true },
    ]);
    // a partial list says nothing of who else is there: the walk goes on through it
    await lineage.recordSubjects(OTHER, ['carol']);
    await lineage.recordSubjects(UNRELATED, ['bob']);
    await edge(UNRELATED, OTHER, 'filter');
    expect(await via('bob')).toEqual({ [RAW]: 'direct', [UNRELATED]: 'direct', [OTHER]: 'downstream', [MODEL]: 'downstream' });
    await expect(lineage.recordSubjects(RAW, ['x'], { complete: 'yes' as never })).rejects.toMatchObject({ details: { field: 'complete' } });
    await expect(lineage.recordSubjects(RAW, ['x'], { full: true } as never)).rejects.toThrow('LineageStore.recordSubjects: unknown option full (supported: complete)');
  });

  it('records subjects in batches, once each, and forgets one subject', async () => {
    const ids = Array.from({ length: 1234 }, (_, i) => `subject-${i}`);
    expect(await lineage.recordSubjects(UNRELATED, [...ids, 'subject-1', 'subject-2'])).toBe(1234);
    expect(await lineage.recordSubjects(UNRELATED, ids.slice(0, 10).concat('subject-new'))).toBe(1);
    expect(await lineage.recordSubjects(RAW, ['subject-7'])).toBe(1);
    expect(await lineage.forgetSubject('subject-7')).toBe(2);
    expect(await lineage.artifactsContaining('subject-7')).toEqual([]);
    expect((await lineage.artifactsContaining('subject-8')).map((a) => a.digest)).toEqual([UNRELATED]);
    expect(JSON.stringify(audit.of('lineage.subjects_recorded'))).not.toContain('subject-');
  });

  it('takes an erased subject out of the actors (eraseActor): their edges name `erased`, the graph stays', async () => {
    await lineage.recordTransformation({ inputDigest: OTHER, outputDigest: UNRELATED, operation: 'import', actor: 'ops' });
    const before = audit.events.length;
    expect((await lineage.edgesActedBy('pipeline@example.com')).map((e) => e.operation)).toEqual(['filter', 'redact', 'train', 'train']);
    expect(await lineage.eraseActor('pipeline@example.com')).toBe(4);
    expect(await lineage.edgesActedBy('pipeline@example.com')).toEqual([]);
    expect(await lineage.edgesActedBy(ERASED_ACTOR)).toEqual([]);
    expect((await lineage.edgesActedBy('ops')).map((e) => [e.operation, e.actor])).toEqual([['import', 'ops']]);
    const up = await lineage.lineageOf(MODEL, { direction: 'upstream' });
    expect(up.edges).toHaveLength(4);
    expect(up.edges.map((e) => e.actor)).toEqual([ERASED_ACTOR, ERASED_ACTOR, ERASED_ACTOR, ERASED_ACTOR]);
    expect(up.edges[1]).toMatchObject({ inputDigest: CLEAN, outputDigest: REDACTED, operation: 'redact', parameters: { method: 'masking', types: ['email', 'phone'] } });
    expect(JSON.stringify(await lineage.lineageOf(RAW, { direction: 'downstream' }))).not.toContain('example.com');
    // Someone else's edges, and a second run, change nothing; the erasure records it, not this step.
    expect((await lineage.lineageOf(UNRELATED, { direction: 'upstream' })).edges.map((e) => e.actor)).toEqual(['ops']);
    expect(await lineage.eraseActor('pipeline@example.com')).toBe(0);
    expect(await lineage.eraseActor(ERASED_ACTOR)).toBe(0);
    expect(audit.events).toHaveLength(before);
    await expect(lineage.eraseActor('')).rejects.toMatchObject({ details: { field: 'subjectId' } });
  });

  it('refuses parameters that carry secrets, and records nothing', async () => {
    for (const parameters of [{ password: 'hunter2' }, { db: { password: 'x' } }, { apiKey: 'k' }, { stages: [{ access_token: 't' }] }, { key: 'raw' }, { client_secret: 's' }]) {
      await expect(edge(RAW, UNRELATED, 'import', parameters)).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT', message: expect.stringMatching(/looks like a secret/) });
    }
    const err = await edge(RAW, UNRELATED, 'import', { source: { password: 'x' } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ details: { field: 'parameters.source.password' } });
    expect((err as Error).message).not.toContain('"x"');
    expect((await lineage.lineageOf(UNRELATED, { direction: 'upstream' })).edges).toEqual([]);
    // References to secrets and token counts are fine.
    await expect(edge(RAW, UNRELATED, 'encrypt', { key_name: 'datasets', keyVersion: 2, max_tokens: 100, tokenizer: 'bpe' })).resolves.toMatchObject({ operation: 'encrypt' });
  });

  it('validates digests, names and operations, and audits each edge', async () => {
    await expect(edge('md5:abc', CLEAN, 'filter')).rejects.toMatchObject({ details: { field: 'inputDigest' } });
    await expect(edge(RAW, RAW.toUpperCase(), 'filter')).rejects.toMatchObject({ details: { field: 'outputDigest' } });
    await expect(edge(RAW, CLEAN, 'Filter Step')).rejects.toMatchObject({ details: { field: 'operation' } });
    // Bounded as over HTTP, so that every edge fits its audit event.
    await expect(edge(RAW, CLEAN, 'a'.repeat(65))).rejects.toMatchObject({ details: { field: 'operation' }, message: expect.stringMatching(/at most 64 characters/) });
    await expect(edge(RAW, CLEAN, 'filter', { when: new Date() })).rejects.toMatchObject({ details: { field: 'parameters.when' } });
    await expect(lineage.nameArtifact(CLEAN, 'dataset:customers-v2')).rejects.toThrow(/already names/);
    await lineage.nameArtifact(RAW, 'dataset:customers-v2'); // the same again: a no-op
    await expect(lineage.lineageOf('dataset:missing', { direction: 'upstream' })).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    const recorded = audit.of('lineage.recorded');
    expect(recorded).toHaveLength(4);
    expect(recorded[0]).toMatchObject({ userId: 'pipeline@example.com', additionalData: { inputDigest: RAW, outputDigest: CLEAN, operation: 'filter' } });
  });

  it('refuses an artifact name holding personal data, without quoting it: a name outlives erasure and goes into erasure records', async () => {
    const named = audit.of('lineage.named').length;
    const refused = lineage.nameArtifact(OTHER, 'dataset:Jane.Doe-415-555-0134');
    await expect(refused).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT', details: { option: 'name', personalData: expect.arrayContaining(['person_name', 'phone']) } });
    await expect(refused).rejects.toSatisfy((err: Error) => !err.message.includes('Jane') && !err.message.includes('555'));
    await expect(lineage.lineageOf('dataset:Jane.Doe-415-555-0134', { direction: 'upstream' })).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    expect(audit.of('lineage.named')).toHaveLength(named);
    await lineage.nameArtifact(OTHER, 'dataset:crm-export-20260115'); // an export's day is no personal number
  });

  it('refuses a misspelt field of recordTransformation, lineageOf and recordSubjects, naming the supported ones, and records nothing', async () => {
    const misspelt = lineage.recordTransformation({ inputDigest: RAW, outputDigest: UNRELATED, operation: 'train', params: { epochs: 3 }, actor: 'ops' } as never);
    await expect(misspelt).rejects.toMatchObject({ code: 'ERR_CONFIG_UNSUPPORTED_OPTION', message: expect.stringMatching(/unknown option params \(supported: inputDigest, outputDigest, operation, parameters, actor, at\)/) });
    expect((await lineage.lineageOf(UNRELATED, { direction: 'upstream' })).edges).toEqual([]);
    await expect(lineage.lineageOf(RAW, { direction: 'downstream', dept: 1 } as never)).rejects.toThrow(/unknown option dept \(supported: direction, depth\)/);
    await expect(lineage.lineageOf(RAW, undefined as never)).rejects.toMatchObject({ details: { field: 'direction' } });
  });

  it('refuses an edge from an artifact to itself', async () => {
    await expect(edge(RAW, RAW, 'copy')).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT', details: { field: 'outputDigest' }, message: expect.stringMatching(/same artifact/) });
    expect((await lineage.lineageOf(RAW, { direction: 'downstream', depth: 1 })).edges.map((e) => e.outputDigest)).toEqual([CLEAN]);
  });

  it('refuses an at that does not exist or is in the future, and keeps a real one', async () => {
    const at = (value: string | Date) => lineage.recordTransformation({ inputDigest: RAW, outputDigest: UNRELATED, operation: 'import', actor: 'ops', at: value });
    for (const impossible of ['2025-02-30T00:00:00Z', '2025-13-01T00:00:00Z', '2025-06-30T24:00:00Z', '2025-06-30T12:60:00Z', '2025-06-30T12:00:00+24:00', '2025-06-30']) {
      await expect(at(impossible)).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT', details: { field: 'at' } });
    }
    await expect(at(new Date(Date.now() + 3_600_000))).rejects.toMatchObject({ details: { field: 'at' }, message: expect.stringMatching(/in the future/) });
    await expect(at('9999-01-01T00:00:00Z')).rejects.toThrow(/in the future/);
    expect((await lineage.lineageOf(UNRELATED, { direction: 'upstream' })).edges).toEqual([]);
    // a little clock skew is fine; a leap day and an offset are read as the instants they are
    await expect(at(new Date(Date.now() + 60_000))).resolves.toMatchObject({ operation: 'import' });
    await expect(at('2024-02-29T23:30:00-01:00')).resolves.toMatchObject({ at: '2024-03-01T00:30:00.000Z' });
  });

  it('refuses parameters that hold personal data, in a value, a key or a number, naming the path and the type, never the value', async () => {
    for (const [parameters, field, type] of [
      [{ requestedBy: 'alice@example.com' }, 'parameters.requestedBy', 'email'],
      [{ subjects: ['ok', 'write to bob.jones@example.org'] }, 'parameters.subjects[1]', 'email'],
      [{ card: '4111 1111 1111 1111' }, 'parameters.card', 'credit_card'],
      [{ account: { iban: 'DE89370400440532013000' } }, 'parameters.account.iban', 'iban'],
      [{ 'jane.doe@example.com': 'x' }, 'parameters', 'email'],
      [{ approvals: { 'bob.jones@example.org': true } }, 'parameters.approvals', 'email'],
      [{ card: 4111111111111111 }, 'parameters.card', 'credit_card'],
    ] as const) {
      const err = await edge(RAW, UNRELATED, 'export', parameters).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'ERR_INVALID_INPUT', details: { field, entityType: type }, message: expect.stringMatching(/holds personal data/) });
      expect((err as Error).message).not.toMatch(/example\.(com|org)|4111|DE89/);
    }
    expect((await lineage.lineageOf(UNRELATED, { direction: 'upstream' })).edges).toEqual([]);
    // settings that are not personal data stay fine
    await expect(edge(RAW, UNRELATED, 'export', { requestedBy: 'ticket-4711', purpose: 'model_training', threshold: 0.95, version: '2.3.1' })).resolves.toMatchObject({ operation: 'export' });
  });

  it('says a sha256: reference that is no digest was read as a name', async () => {
    await expect(lineage.lineageOf('sha256:ABC', { direction: 'upstream' })).rejects.toMatchObject({ code: 'ERR_NOT_FOUND', message: expect.stringMatching(/read as a name: it is not a valid digest.*64 lower-case hex/) });
  });
});
