import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import cookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecurityManager } from '../../src/security-manager.js';
import { errorHandler } from '../../src/server/error-reply.js';
import { UNMATCHED_ROUTE } from '../../src/server/logger.js';
import { authentication, requireAuthenticated } from '../../src/server/plugins/authentication.js';
import { serviceAuth } from '../../src/server/plugins/service-auth.js';
import { certificateMaker } from '../support/certificates.js';
import { tempDir } from '../support/services.js';
import { Fixtures } from './support.js';

// A mistyped path may hold a subject id (and its query a token). The audit records of a failed
// authentication name the route's pattern, or UNMATCHED_ROUTE for a request that matched none,
// as the request log does (logger.ts). In buildServer these hooks live in the /v1 scope, which
// a 404 does not enter; here the plugins are registered where a 404 runs them (the root), as
// any scope with its own not-found handler would.

const f = new Fixtures();
let dir: string;
const pem: Record<string, Buffer> = {};
let security: SecurityManager;
let app: FastifyInstance;
let url: string;

function send(path: string, options: { rogue?: boolean; headers?: Record<string, string> } = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    request(
      `${url}${path}`,
      { agent: false, ca: pem['ca.pem'], ...(options.rogue ? { cert: pem['rogue.pem'], key: pem['rogue.key'] } : {}), headers: options.headers ?? {} },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    )
      .on('error', reject)
      .end();
  });
}

const failures = async () => security.audit.query({ eventType: 'api.authentication' });
const LEAKS = ['alice@example.com', 'alice%40example.com', 'exprot', 't0ps3cret'];

beforeAll(async () => {
  const d = tempDir('audit-route');
  f.defer(d.cleanup);
  dir = d.path;
  const certs = certificateMaker(dir);
  certs.ca('ca');
  certs.ca('rogue-ca');
  certs.leaf('server', 'localhost', 'ca', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  certs.leaf('rogue', 'trainer-service', 'rogue-ca', 'extendedKeyUsage=clientAuth\n');
  for (const name of ['ca', 'server', 'rogue']) {
    pem[`${name}.pem`] = readFileSync(join(dir, `${name}.pem`));
    pem[`${name}.key`] = readFileSync(join(dir, `${name}.key`));
  }
  ({ security } = await f.open({
    audit: { level: 'detailed' },
    server: { tlsCert: join(dir, 'server.pem'), tlsKey: join(dir, 'server.key'), clientCa: join(dir, 'ca.pem'), requireClientCert: false },
  }));
  app = Fastify({ logger: false, https: { cert: pem['server.pem'], key: pem['server.key'], ca: pem['ca.pem'], requestCert: true, rejectUnauthorized: false } }) as unknown as FastifyInstance;
  app.setErrorHandler(errorHandler(1_048_576));
  await app.register(cookie);
  await app.register(serviceAuth, { security });
  await app.register(authentication, { security, auth: await security.authenticationManager() });
  app.get('/v1/consent/:userId/export', { onRequest: requireAuthenticated(security) }, async () => ({ ok: true }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  f.defer(() => app.close());
  url = `https://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(() => f.close());

describe('audit records of failed authentications name the route, never the raw path', () => {
  it('authentication: a refused bearer credential on a request that matched no route is audited as UNMATCHED_ROUTE', async () => {
    const before = (await failures()).length;
    expect(await send('/v1/consent/alice@example.com/exprot?token=t0ps3cret', { headers: { authorization: 'Bearer lts_not-a-live-session' } })).toBe(401);
    expect(await send('/v1/consent/alice%40example.com/exprot', { headers: { authorization: 'Bearer lt_live_notakey' } })).toBe(401);
    const added = (await failures()).slice(before);
    expect(added.map((e) => e.additionalData)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ route: UNMATCHED_ROUTE, reason: 'invalid_bearer_token' }),
        expect.objectContaining({ route: UNMATCHED_ROUTE, reason: 'api_key_malformed' }),
      ]),
    );
    for (const leaked of LEAKS) expect(JSON.stringify(added)).not.toContain(leaked);
  });

  it('service-auth: a rejected client certificate on a request that matched no route is audited as UNMATCHED_ROUTE', async () => {
    const before = (await failures()).length;
    expect(await send('/v1/consent/alice@example.com/exprot?token=t0ps3cret', { rogue: true })).toBe(404);
    const added = (await failures()).slice(before);
    expect(added.map((e) => e.additionalData)).toEqual([{ ip: '127.0.0.1', route: UNMATCHED_ROUTE, reason: 'client_certificate_rejected' }]);
    for (const leaked of LEAKS) expect(JSON.stringify(added)).not.toContain(leaked);
  });

  it('a matched route is still audited by its pattern, by both plugins', async () => {
    const before = (await failures()).length;
    expect(await send('/v1/consent/alice@example.com/export?token=t0ps3cret', { rogue: true })).toBe(401);
    const added = (await failures()).slice(before);
    expect(added.map((e) => (e.additionalData as { reason: string; route: string }))).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ route: '/v1/consent/:userId/export', reason: 'client_certificate_rejected' }),
        expect.objectContaining({ route: '/v1/consent/:userId/export', reason: 'missing' }),
      ]),
    );
    for (const leaked of ['alice@example.com', 't0ps3cret']) expect(JSON.stringify(added)).not.toContain(leaked);
  });
});

describe('the built server', () => {
  it('audits the route pattern of a refused request to a matched route', async () => {
    const built = await f.serve({ audit: { level: 'detailed' } });
    const refused = await built.app.inject({ method: 'GET', url: '/v1/consent/alice@example.com/export?x=t0ps3cret', headers: { authorization: 'Bearer lts_not-a-live-session' } });
    expect(refused.statusCode).toBe(401);
    const logged = await built.security.audit.query({ eventType: 'api.authentication' });
    expect(logged.map((e) => e.additionalData)).toEqual([expect.objectContaining({ route: '/v1/consent/:userId/export', reason: 'invalid_bearer_token' })]);
    for (const leaked of ['alice@example.com', 't0ps3cret']) expect(JSON.stringify(logged)).not.toContain(leaked);
  });
});
