import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_PARAMETERS_DEPTH } from '../../src/privacy/lineage/parameters.js';
import { EDGES } from '../../src/privacy/lineage/schema.js';
import type { SecurityManager } from '../../src/security-manager.js';
import { storeUrls } from '../support/services.js';
import { Fixtures, json } from './support.js';

const digest = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;
const [INPUT, OUTPUT] = [digest('raw'), digest('model')];

/** `{"k":{"k":…1…}}`, `levels` objects deep, as JSON text (built without recursion). */
const nestedJson = (levels: number) => `${'{"k":'.repeat(levels)}1${'}'.repeat(levels)}`;

// An edge is audited after it is written: parameters the audit log would refuse must be refused
// before the write, or the edge stays unaudited and a retry stores it twice.
describe.each(storeUrls('server-lineage-limits'))('POST /v1/lineage/edges keeps to what the audit log takes, on $dialect', ({ make }) => {
  const f = new Fixtures();
  let app: FastifyInstance;
  let security: SecurityManager;
  let auth: { authorization: string };

  beforeEach(async () => {
    const store = make();
    f.defer(store.cleanup); // runs last, after the manager has closed
    ({ app, security, auth } = await f.serve({ audit: { level: 'detailed' } }, store.url));
  });
  afterEach(() => f.close());

  const postEdge = (parametersJson: string) =>
    app.inject({
      method: 'POST',
      url: '/v1/lineage/edges',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: `{"inputDigest":"${INPUT}","outputDigest":"${OUTPUT}","operation":"train","parameters":${parametersJson}}`,
    });
  const storedEdges = async () => Number((await security.store.db.selectFrom(EDGES).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const recorded = () => security.audit.query({ eventType: 'lineage.recorded' });

  it('refuses parameters nested 70 deep with 400 naming parameters and the limit, stores and audits nothing; a retry within it stores one edge', async () => {
    const refused = await postEdge(nestedJson(70));
    expect(refused.statusCode, refused.body).toBe(400);
    expect(json(refused).error).toMatchObject({ code: 'ERR_INVALID_INPUT', message: expect.stringContaining(`parameters must be nested at most ${MAX_PARAMETERS_DEPTH} levels deep`) });
    expect(await storedEdges()).toBe(0);
    expect(await recorded()).toEqual([]);

    const retried = await postEdge(nestedJson(MAX_PARAMETERS_DEPTH));
    expect(retried.statusCode, retried.body).toBe(201);
    expect(await storedEdges()).toBe(1);
    expect(await recorded()).toHaveLength(1);
  });

  it('answers parameters nested 5000 deep with 400, not a stack overflow', async () => {
    const refused = await postEdge(nestedJson(5000));
    expect(refused.statusCode, refused.body).toBe(400);
    expect(json(refused).error).toMatchObject({ code: 'ERR_INVALID_INPUT', message: expect.stringContaining('parameters must be nested at most') });
    expect(await storedEdges()).toBe(0);
  });

  it('refuses a NUL character and an unpaired surrogate, which neither the audit log nor PostgreSQL stores', async () => {
    for (const parameters of ['{"note":"a\\u0000b"}', '{"note":"a\\ud800b"}']) {
      const refused = await postEdge(parameters);
      expect(refused.statusCode, refused.body).toBe(400);
      expect(json(refused).error).toMatchObject({ code: 'ERR_INVALID_INPUT', message: expect.stringMatching(/^parameters\.note contains/) });
    }
    expect(await storedEdges()).toBe(0);
    expect(await recorded()).toEqual([]);
  });

  it('refuses personal data in a key or a number, never echoing it, and stores and audits nothing', async () => {
    for (const [parameters, leak] of [
      ['{"jane.doe@example.com":"x"}', 'jane.doe'],
      ['{"card":4111111111111111}', '4111'],
    ] as const) {
      const refused = await postEdge(parameters);
      expect(refused.statusCode, refused.body).toBe(400);
      expect(json(refused).error).toMatchObject({ code: 'ERR_INVALID_INPUT', message: expect.stringContaining('holds personal data') });
      expect(refused.body).not.toContain(leak);
    }
    expect(await storedEdges()).toBe(0);
    expect(await recorded()).toEqual([]);
    expect(JSON.stringify(await security.audit.query())).not.toMatch(/jane\.doe|4111111111111111/);
  });
});
