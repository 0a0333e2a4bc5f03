import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { Fixtures, json } from './support.js';

const f = new Fixtures();
afterEach(() => f.close());

const digest = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

// Lineage parameters are stored and audited in clear: a secret inside a value is refused, not only a key that names one.
describe('POST /v1/lineage/edges refuses a secret in a parameter value', () => {
  it('answers 400 naming the parameter and the entity type, never the value; stores and audits nothing', async () => {
    const { app, auth, security } = await f.serve({ audit: { level: 'detailed' } });
    const [input, output] = [digest('raw'), digest('copy')];
    const refused = await app.inject({
      method: 'POST',
      url: '/v1/lineage/edges',
      headers: auth,
      payload: { inputDigest: input, outputDigest: output, operation: 'import', parameters: { connection: 'postgres://u:s3cr3t@h/db', nested: { ok: 1 } } },
    });
    expect(refused.statusCode, refused.body).toBe(400);
    const { error } = json(refused);
    expect(error.code).toBe('ERR_INVALID_INPUT');
    expect(error.message).toContain('parameters.connection');
    expect(error.message).toContain('api_key');
    expect(error.message).toContain('connection_secret_name');
    expect(refused.body).not.toContain('s3cr3t');

    const nested = await app.inject({
      method: 'POST',
      url: '/v1/lineage/edges',
      headers: auth,
      payload: { inputDigest: input, outputDigest: output, operation: 'import', parameters: { stages: [{ from: `ghp_${'x1Y2z3'.repeat(6)}` }] } },
    });
    expect(nested.statusCode).toBe(400);
    expect(json(nested).error.message).toContain('parameters.stages[0].from');
    expect(nested.body).not.toContain('x1Y2z3');

    expect(json(await app.inject({ method: 'GET', url: `/v1/lineage/${output}`, headers: auth })).edges).toEqual([]);
    const recorded = await security.audit.query({ eventType: 'lineage.recorded' });
    expect(recorded).toEqual([]);
    expect(JSON.stringify(await security.audit.query())).not.toContain('s3cr3t');

    const reference = await app.inject({
      method: 'POST',
      url: '/v1/lineage/edges',
      headers: auth,
      payload: { inputDigest: input, outputDigest: output, operation: 'import', parameters: { connection_secret_name: 'prod-db', connection: 'postgres://u@h/db' } },
    });
    expect(reference.statusCode, reference.body).toBe(201);
  });
});
