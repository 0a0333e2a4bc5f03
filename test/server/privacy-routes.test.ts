import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { EncryptionService } from '../../src/crypto/encryption-service.js';
import { Fixtures, json, userWith } from './support.js';

const f = new Fixtures();
afterEach(() => f.close());

const digest = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;


describe('/v1/consent', () => {
  it('records, answers validity, withdraws, lists history and exports; the actor is the caller', async () => {
    const { app, auth } = await f.serve();
    const recorded = await app.inject({ method: 'POST', url: '/v1/consent', headers: auth, payload: { userId: 'u-1', dataTypes: ['chat_transcripts'], purposes: ['model_training', 'analytics'], expiryDate: '2999-01-01' } });
    expect(recorded.statusCode, recorded.body).toBe(201);
    expect(json(recorded)).toMatchObject({ kind: 'granted', userId: 'u-1', expiryDate: '2999-01-01T00:00:00.000Z', actor: expect.stringMatching(/^user:/) });

    const valid = (query: string) => app.inject({ method: 'GET', url: `/v1/consent/u-1/valid?${query}`, headers: auth }).then((r) => json(r).valid);
    expect(await valid('dataType=chat_transcripts&purpose=model_training')).toBe(true);
    expect(await valid('dataType=chat_transcripts')).toBe(true);
    expect(await valid('dataType=email&purpose=model_training')).toBe(false);

    const withdrawn = await app.inject({ method: 'POST', url: '/v1/consent/withdraw', headers: auth, payload: { userId: 'u-1', purposes: ['model_training'] } });
    expect(withdrawn.statusCode, withdrawn.body).toBe(201);
    expect(json(withdrawn)).toMatchObject({ kind: 'withdrawn', dataTypes: 'all', purposes: ['model_training'] });
    expect(await valid('dataType=chat_transcripts&purpose=model_training')).toBe(false);
    expect(await valid('dataType=chat_transcripts&purpose=analytics')).toBe(true);

    const history = json(await app.inject({ method: 'GET', url: '/v1/consent/u-1', headers: auth }));
    expect(history.events.map((e: { kind: string }) => e.kind)).toEqual(['granted', 'withdrawn']);
    const exported = json(await app.inject({ method: 'GET', url: '/v1/consent/u-1/export', headers: auth }));
    expect(exported).toMatchObject({ format: 'langtrain.subject-export', formatVersion: 1, subject: 'u-1', domains: { consent: { domain: 'consent', subjectId: 'u-1' } } });
    expect(exported.domains.consent.validConsents).toEqual([expect.objectContaining({ dataType: 'chat_transcripts', purpose: 'analytics' })]);
  });

  it('GET /:userId/export answers an access request across the privacy domains, the same document as the library, audited, never logged nor cached', async () => {
    const { app, auth, security, logs } = await f.serve({ server: { logLevel: 'info' } });
    const subject = 'alice@example.com';
    await app.inject({ method: 'POST', url: '/v1/consent', headers: auth, payload: { userId: subject, dataTypes: ['email'], purposes: ['analytics'] } });
    await app.inject({ method: 'POST', url: '/v1/consent', headers: auth, payload: { userId: 'bob', dataTypes: ['email'], purposes: ['analytics'] } });
    const [raw, model] = [digest('raw'), digest('model')];
    await app.inject({ method: 'POST', url: '/v1/lineage/edges', headers: auth, payload: { inputDigest: raw, outputDigest: model, operation: 'train' } });
    await app.inject({ method: 'POST', url: `/v1/lineage/artifacts/${model}/name`, headers: auth, payload: { name: 'model:m-1' } });
    await app.inject({ method: 'POST', url: `/v1/lineage/artifacts/${raw}/subjects`, headers: auth, payload: { subjectIds: [subject, 'bob'] } });
    const encryption = new EncryptionService({ key: 'datasets', encryptionScope: 'record', secureDeletion: true, subjectField: 'user_id' }, security.keyring, security.audit);
    await encryption.encryptRecord({ user_id: subject, note: 'x' }, { dataset: 'd', recordId: '1' });
    await encryption.encryptRecord({ user_id: 'bob', note: 'y' }, { dataset: 'd', recordId: '2' });
    const keysBefore = (await security.keyring.list()).map((k) => k.name).sort();

    const res = await app.inject({ method: 'GET', url: `/v1/consent/${encodeURIComponent(subject)}/export`, headers: auth });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const exported = json(res);
    expect(exported).toMatchObject({ format: 'langtrain.subject-export', formatVersion: 1, subject, generatedAt: expect.any(String) });
    expect(exported.domains.consent).toMatchObject({ domain: 'consent', subjectId: subject, events: [expect.objectContaining({ kind: 'granted', userId: subject })] });
    expect(exported.domains.lineage).toEqual({
      domain: 'lineage',
      artifacts: [
        { digest: raw, names: [], via: 'direct' },
        { digest: model, names: ['model:m-1'], via: 'downstream' },
      ],
      edgesActedBy: [],
    });
    expect(exported.domains.encryption).toEqual({ domain: 'encryption', keysWithSubjectKey: ['datasets'] });
    expect(JSON.stringify(exported)).not.toContain('bob');
    // Read only: the export made no key (the subject's and the refs key were made by the encryption above).
    expect((await security.keyring.list()).map((k) => k.name).sort()).toEqual(keysBefore);

    // The CLI's `consent export` calls the same function: the same document, bar the time it was made.
    const direct = await security.exportSubject(subject, { actor: 'test' });
    // Its audit section lists one more entry: the export just answered over HTTP.
    expect(direct.domains.audit?.entries.slice(0, -1)).toEqual(exported.domains.audit.entries);
    expect(direct.domains.audit?.entries.at(-1)).toMatchObject({ eventType: 'privacy.subject_exported', result: 'success' });
    expect({ ...exported, generatedAt: 0, domains: { ...exported.domains, audit: 0, consent: { ...exported.domains.consent, exportedAt: 0 } } }).toEqual({
      ...direct,
      generatedAt: 0,
      domains: { ...direct.domains, audit: 0, consent: { ...direct.domains.consent, exportedAt: 0 } },
    });

    const audited = await security.audit.query({ eventType: 'privacy.subject_exported' });
    expect(audited).toHaveLength(2);
    expect(audited[0]?.additionalData).toMatchObject({ actor: expect.stringMatching(/^user:/), consentEvents: 1, artifacts: 2, keysWithSubjectKey: 1 });
    for (const leaked of [subject, encodeURIComponent(subject), 'model:m-1', raw]) expect(logs.text).not.toContain(leaked);
  });

  it('GET /:userId/export needs lineage.read besides consent.read: it tells which data sets and models hold the subject', async () => {
    const { app, auth } = await f.serve();
    const consentOnly = await userWith(app, auth, 'clerk', ['consent.read']);
    const refused = await app.inject({ method: 'GET', url: '/v1/consent/u-1/export', headers: consentOnly });
    expect(refused.statusCode).toBe(403);
    expect(json(refused).error.message).toContain('lineage.read');
    const lineageOnly = await userWith(app, auth, 'tracer', ['lineage.read']);
    expect((await app.inject({ method: 'GET', url: '/v1/consent/u-1/export', headers: lineageOnly })).statusCode).toBe(403);
    const dpo = await userWith(app, auth, 'dpo', ['consent.read', 'lineage.read', 'privacy_budget.read', 'audit.read']);
    expect((await app.inject({ method: 'GET', url: '/v1/consent/u-1/export', headers: dpo })).statusCode).toBe(200);
  });

  it('GET /:userId/export needs privacy_budget.read besides consent.read and lineage.read: a complete document (budgets included) or none', async () => {
    const { app, auth, security } = await f.serve();
    await (await security.privacyBudgets()).createBudget({ unit: 'dataset:tickets-v2', epsilon: 8, delta: 1e-5 }, 'u-1');
    const noBudgets = await userWith(app, auth, 'auditor', ['consent.read', 'lineage.read']);
    const refused = await app.inject({ method: 'GET', url: '/v1/consent/u-1/export', headers: noBudgets });
    expect(refused.statusCode).toBe(403);
    expect(json(refused).error).toMatchObject({ code: 'ERR_FORBIDDEN', message: expect.stringContaining('privacy_budget.read') });
    // refused before anything was read: no export was made, so none is audited
    expect(await security.audit.query({ eventType: 'privacy.subject_exported' })).toEqual([]);
    const dpo = await userWith(app, auth, 'dpo', ['consent.read', 'lineage.read', 'privacy_budget.read', 'audit.read']);
    const exported = await app.inject({ method: 'GET', url: '/v1/consent/u-1/export', headers: dpo });
    expect(exported.statusCode, exported.body).toBe(200);
    expect(json(exported).domains.budgets.actedBy.created).toEqual([{ unit: 'dataset:tickets-v2', createdAt: expect.any(String) }]);
  });

  it('GET /:userId/export needs audit.read too: the document lists the audit entries about the subject', async () => {
    const { app, auth, security } = await f.serve();
    const noAudit = await userWith(app, auth, 'clerk', ['consent.read', 'lineage.read', 'privacy_budget.read']);
    const refused = await app.inject({ method: 'GET', url: '/v1/consent/u-1/export', headers: noAudit });
    expect(refused.statusCode).toBe(403);
    expect(json(refused).error).toMatchObject({ code: 'ERR_FORBIDDEN', message: expect.stringContaining('audit.read') });
    expect(await security.audit.query({ eventType: 'privacy.subject_exported' })).toEqual([]);
  });

  it('documents the export document in OpenAPI', async () => {
    const { app } = await f.serve();
    const doc = json(await app.inject({ method: 'GET', url: '/openapi.json' }));
    const schema = JSON.stringify(doc.paths['/v1/consent/{userId}/export'].get.responses['200']);
    for (const field of ['formatVersion', 'generatedAt', 'domains', 'keysWithSubjectKey', 'artifacts', 'validConsents']) expect(schema).toContain(field);
  });

  it('answers 400 naming the field for bad input', async () => {
    const { app, auth } = await f.serve();
    const missing = await app.inject({ method: 'POST', url: '/v1/consent', headers: auth, payload: { userId: 'u-1', purposes: ['analytics'] } });
    expect(missing.statusCode).toBe(400);
    expect(json(missing).error.message).toContain('dataTypes');
    // Shape fine, rule broken: the library's error names the field.
    const badName = await app.inject({ method: 'POST', url: '/v1/consent', headers: auth, payload: { userId: 'u-1', dataTypes: ['Chat Transcripts'], purposes: ['analytics'] } });
    expect(badName.statusCode).toBe(400);
    expect(json(badName).error.message).toContain('dataTypes[0]');
    const backwards = await app.inject({ method: 'POST', url: '/v1/consent', headers: auth, payload: { userId: 'u-1', dataTypes: ['email'], purposes: ['analytics'], consentDate: '2024-06-01', expiryDate: '2024-01-01' } });
    expect(backwards.statusCode).toBe(400);
    expect(json(backwards).error.message).toContain('expiryDate');
    const noType = await app.inject({ method: 'GET', url: '/v1/consent/u-1/valid', headers: auth });
    expect(noType.statusCode).toBe(400);
    expect(json(noType).error.message).toContain('dataType');
  });

  it('DELETE erases the subject (privacy.erase), reports affected artifacts and audits it', async () => {
    const { app, auth, security } = await f.serve();
    await app.inject({ method: 'POST', url: '/v1/consent', headers: auth, payload: { userId: 'alice', dataTypes: ['email'], purposes: ['analytics'] } });
    await app.inject({ method: 'POST', url: '/v1/consent', headers: auth, payload: { userId: 'bob', dataTypes: ['email'], purposes: ['analytics'] } });
    const [raw, model] = [digest('raw'), digest('model')];
    await app.inject({ method: 'POST', url: '/v1/lineage/edges', headers: auth, payload: { inputDigest: raw, outputDigest: model, operation: 'train' } });
    await app.inject({ method: 'POST', url: `/v1/lineage/artifacts/${model}/name`, headers: auth, payload: { name: 'model:m-1' } });
    await app.inject({ method: 'POST', url: `/v1/lineage/artifacts/${raw}/subjects`, headers: auth, payload: { subjectIds: ['alice', 'bob'] } });
    // alice also ran a step herself: the edge names her as its actor
    await (await security.lineage()).recordTransformation({ inputDigest: digest('benchmark'), outputDigest: digest('evaluation'), operation: 'evaluate', actor: 'alice' });

    const consentOnly = await userWith(app, auth, 'clerk', ['consent.read', 'consent.write']);
    const refused = await app.inject({ method: 'DELETE', url: '/v1/consent/alice', headers: consentOnly });
    expect(refused.statusCode).toBe(403);
    expect(json(refused).error.message).toContain('privacy.erase');

    const dpo = await userWith(app, auth, 'dpo', ['privacy.erase']);
    const erased = await app.inject({ method: 'DELETE', url: '/v1/consent/alice', headers: dpo });
    expect(erased.statusCode, erased.body).toBe(200);
    expect(json(erased)).toMatchObject({ subject: 'alice', consentRecords: 1, lineageActorsErased: 1, lineageLinks: 1, keysShredded: [], keysShreddedBefore: [] });
    expect((await (await security.lineage()).lineageOf(digest('evaluation'), { direction: 'upstream' })).edges.map((e) => e.actor)).toEqual(['erased']);
    // this log stores payloads in clear: alice's consent grant, the edge she recorded and this erasure still name her there
    expect(json(erased).auditEntriesInClear, erased.body).toBe(3);
    expect(json(erased).affectedArtifacts).toEqual([
      { digest: raw, names: [], via: 'direct' },
      { digest: model, names: ['model:m-1'], via: 'downstream' },
    ]);
    expect(json(await app.inject({ method: 'GET', url: '/v1/consent/alice', headers: auth })).events).toEqual([]);
    expect(json(await app.inject({ method: 'GET', url: '/v1/consent/bob', headers: auth })).events).toHaveLength(1);
    const [event] = await security.audit.query({ eventType: 'privacy.subject_erased' });
    expect(event?.additionalData).toMatchObject({ actor: expect.stringMatching(/^user:/), consentRecords: 1, lineageActorsErased: 1, lineageLinks: 1 });

    // this log stores payloads in clear: its trail of bob cannot be shredded, and nothing is erased
    const clear = await app.inject({ method: 'DELETE', url: '/v1/consent/bob?shredAuditTrail=true', headers: dpo });
    expect(clear.statusCode).toBe(400);
    expect(json(clear).error.message).toContain('shredAuditTrail needs an audit log with encryption: true');
    expect(json(await app.inject({ method: 'GET', url: '/v1/consent/bob', headers: auth })).events).toHaveLength(1);
    expect((await app.inject({ method: 'DELETE', url: '/v1/consent/bob?shred=1', headers: dpo })).statusCode).toBe(400);
  });

  it('needs consent.read for reads and consent.write for changes', async () => {
    const { app, auth } = await f.serve();
    const reader = await userWith(app, auth, 'reader', ['consent.read']);
    expect((await app.inject({ method: 'GET', url: '/v1/consent/u-1', headers: reader })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/v1/consent/u-1/valid?dataType=email', headers: reader })).statusCode).toBe(200);
    const write = await app.inject({ method: 'POST', url: '/v1/consent', headers: reader, payload: { userId: 'u-1', dataTypes: ['email'], purposes: ['analytics'] } });
    expect(write.statusCode).toBe(403);
    expect(json(write).error.message).toContain('consent.write');
    expect((await app.inject({ method: 'GET', url: '/v1/consent/u-1' })).statusCode).toBe(401);
  });
});

describe('/v1/lineage', () => {
  it('records edges, names artifacts, walks up and down with depth, and finds subjects', async () => {
    const { app, auth } = await f.serve();
    const [raw, clean, model] = [digest('raw'), digest('clean'), digest('model')];
    const edge = await app.inject({ method: 'POST', url: '/v1/lineage/edges', headers: auth, payload: { inputDigest: raw, outputDigest: clean, operation: 'redact', parameters: { method: 'masking' } } });
    expect(edge.statusCode, edge.body).toBe(201);
    expect(json(edge)).toMatchObject({ seq: 1, operation: 'redact', parameters: { method: 'masking' }, actor: expect.stringMatching(/^user:/) });
    await app.inject({ method: 'POST', url: '/v1/lineage/edges', headers: auth, payload: { inputDigest: clean, outputDigest: model, operation: 'train', parameters: { epochs: 3 } } });
    const named = await app.inject({ method: 'POST', url: `/v1/lineage/artifacts/${model}/name`, headers: auth, payload: { name: 'model:chat-1' } });
    expect(named.statusCode, named.body).toBe(200);

    const upstream = json(await app.inject({ method: 'GET', url: '/v1/lineage/model:chat-1', headers: auth }));
    expect(upstream).toMatchObject({ root: model, direction: 'upstream' });
    expect(upstream.edges.map((e: { operation: string }) => e.operation)).toEqual(['redact', 'train']);
    const oneStep = json(await app.inject({ method: 'GET', url: `/v1/lineage/${model}?depth=1`, headers: auth }));
    expect(oneStep.edges.map((e: { operation: string }) => e.operation)).toEqual(['train']);
    const downstream = json(await app.inject({ method: 'GET', url: `/v1/lineage/${clean}?direction=downstream`, headers: auth }));
    expect(downstream.nodes).toContainEqual({ digest: model, names: ['model:chat-1'], depth: 1 });
    expect(downstream.edges.map((e: { operation: string }) => e.operation)).toEqual(['train']);

    await app.inject({ method: 'POST', url: `/v1/lineage/artifacts/${raw}/subjects`, headers: auth, payload: { subjectIds: ['alice'] } });
    const containing = json(await app.inject({ method: 'GET', url: '/v1/lineage/subjects/alice/artifacts', headers: auth }));
    expect(containing.artifacts.map((a: { digest: string; via: string }) => [a.digest, a.via])).toEqual([
      [raw, 'direct'],
      [clean, 'downstream'],
      [model, 'downstream'],
    ]);
    expect(json(await app.inject({ method: 'GET', url: '/v1/lineage/subjects/carol/artifacts', headers: auth })).artifacts).toEqual([]);

    // clean holds alice and no one else: bob, in raw too, is not followed past it
    await app.inject({ method: 'POST', url: `/v1/lineage/artifacts/${raw}/subjects`, headers: auth, payload: { subjectIds: ['bob'] } });
    const complete = await app.inject({ method: 'POST', url: `/v1/lineage/artifacts/${clean}/subjects`, headers: auth, payload: { subjectIds: ['alice'], complete: true } });
    expect(complete.statusCode, complete.body).toBe(200);
    const bob = json(await app.inject({ method: 'GET', url: '/v1/lineage/subjects/bob/artifacts', headers: auth }));
    expect(bob.artifacts.map((a: { digest: string; via: string }) => [a.digest, a.via])).toEqual([[raw, 'direct']]);
    const notBoolean = await app.inject({ method: 'POST', url: `/v1/lineage/artifacts/${clean}/subjects`, headers: auth, payload: { subjectIds: ['alice'], complete: 'yes' } });
    expect(notBoolean.statusCode).toBe(400);
    expect(json(notBoolean).error.message).toContain('complete');
  });

  it('answers 400 naming the field, 404 for an unknown name', async () => {
    const { app, auth } = await f.serve();
    const badDigest = await app.inject({ method: 'POST', url: '/v1/lineage/edges', headers: auth, payload: { inputDigest: 'md5:abc', outputDigest: digest('x'), operation: 'train' } });
    expect(badDigest.statusCode).toBe(400);
    expect(json(badDigest).error.message).toContain('inputDigest');
    const secret = await app.inject({ method: 'POST', url: '/v1/lineage/edges', headers: auth, payload: { inputDigest: digest('a'), outputDigest: digest('b'), operation: 'encrypt', parameters: { password: 'x' } } });
    expect(secret.statusCode).toBe(400);
    expect(json(secret).error.message).toContain('parameters.password');
    const badDirection = await app.inject({ method: 'GET', url: `/v1/lineage/${digest('a')}?direction=sideways`, headers: auth });
    expect(badDirection.statusCode).toBe(400);
    expect(json(badDirection).error.message).toContain('direction');
    expect((await app.inject({ method: 'GET', url: '/v1/lineage/model:unknown', headers: auth })).statusCode).toBe(404);
    await app.inject({ method: 'POST', url: `/v1/lineage/artifacts/${digest('a')}/name`, headers: auth, payload: { name: 'dataset:d' } });
    const renamed = await app.inject({ method: 'POST', url: `/v1/lineage/artifacts/${digest('b')}/name`, headers: auth, payload: { name: 'dataset:d' } });
    expect(renamed.statusCode).toBe(400);
  });

  it('needs lineage.read for reads and lineage.write for changes', async () => {
    const { app, auth } = await f.serve();
    const reader = await userWith(app, auth, 'viewer', ['lineage.read']);
    expect((await app.inject({ method: 'GET', url: '/v1/lineage/subjects/alice/artifacts', headers: reader })).statusCode).toBe(200);
    const write = await app.inject({ method: 'POST', url: '/v1/lineage/edges', headers: reader, payload: { inputDigest: digest('a'), outputDigest: digest('b'), operation: 'train' } });
    expect(write.statusCode).toBe(403);
    expect(json(write).error.message).toContain('lineage.write');
    const consentOnly = await userWith(app, auth, 'clerk', ['consent.read']);
    expect((await app.inject({ method: 'GET', url: '/v1/lineage/subjects/alice/artifacts', headers: consentOnly })).statusCode).toBe(403);
  });

  it('refuses an at that does not exist or is in the future, and an edge from an artifact to itself', async () => {
    const { app, auth } = await f.serve();
    const [raw, clean] = [digest('raw'), digest('clean')];
    for (const at of ['2025-02-30T00:00:00Z', '2025-06-31T00:00:00Z', new Date(Date.now() + 86_400_000).toISOString()]) {
      const refused = await app.inject({ method: 'POST', url: '/v1/lineage/edges', headers: auth, payload: { inputDigest: raw, outputDigest: clean, operation: 'filter', at } });
      expect(refused.statusCode, refused.body).toBe(400);
      expect(json(refused).error.message).toMatch(/^at /);
    }
    const loop = await app.inject({ method: 'POST', url: '/v1/lineage/edges', headers: auth, payload: { inputDigest: raw, outputDigest: raw, operation: 'copy' } });
    expect(loop.statusCode).toBe(400);
    expect(json(loop).error.message).toMatch(/same artifact/);
    const misspelt = await app.inject({ method: 'POST', url: '/v1/lineage/edges', headers: auth, payload: { inputDigest: raw, outputDigest: clean, operation: 'filter', params: { epochs: 3 } } });
    expect(misspelt.statusCode).toBe(400);
    const personal = await app.inject({ method: 'POST', url: '/v1/lineage/edges', headers: auth, payload: { inputDigest: raw, outputDigest: clean, operation: 'export', parameters: { requestedBy: 'alice@example.com' } } });
    expect(personal.statusCode).toBe(400);
    expect(json(personal).error.message).toContain('parameters.requestedBy holds personal data (email)');
    expect(personal.body).not.toContain('alice@example.com');
    expect(json(await app.inject({ method: 'GET', url: `/v1/lineage/${clean}`, headers: auth })).edges).toEqual([]);
  });

  it('answers a name holding / as the path\'s rest or encoded, and says a sha256: that is no digest was read as a name', async () => {
    const { app, auth } = await f.serve();
    const [raw, clean] = [digest('raw'), digest('clean')];
    await app.inject({ method: 'POST', url: '/v1/lineage/edges', headers: auth, payload: { inputDigest: raw, outputDigest: clean, operation: 'filter' } });
    await app.inject({ method: 'POST', url: `/v1/lineage/artifacts/${clean}/name`, headers: auth, payload: { name: 'dataset:org/clean-v1' } });
    for (const url of ['/v1/lineage/dataset:org/clean-v1', '/v1/lineage/dataset:org%2Fclean-v1']) {
      const res = await app.inject({ method: 'GET', url, headers: auth });
      expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
      expect(json(res)).toMatchObject({ root: clean, edges: [{ inputDigest: raw, outputDigest: clean }] });
    }
    // a path that names no artifact (its first segment is no kind:) is a route not found, not a bad name
    for (const url of ['/v1/lineage/subjects/a/b/artifacts', `/v1/lineage/artifacts/${clean}/name`]) {
      const miss = await app.inject({ method: 'GET', url, headers: auth });
      expect(miss.statusCode, url).toBe(404);
      expect(json(miss).error.message).toContain('no lineage route has this path');
    }
    const notDigest = await app.inject({ method: 'GET', url: '/v1/lineage/sha256:ABC', headers: auth });
    expect(notDigest.statusCode).toBe(404);
    expect(json(notDigest).error.message).toMatch(/no artifact is named sha256:ABC \(read as a name: it is not a valid digest/);
    // the other routes are still theirs
    expect((await app.inject({ method: 'GET', url: '/v1/lineage/subjects/alice/artifacts', headers: auth })).statusCode).toBe(200);
  });
});
