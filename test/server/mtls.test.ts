import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isLangtrainError } from '../../src/core/errors.js';
import { loadConfig, parseConfig } from '../../src/core/config.js';
import type { SecurityManager } from '../../src/security-manager.js';
import { buildServer } from '../../src/server/app.js';
import { startServer } from '../../src/server/start.js';
import { certificateMaker } from '../support/certificates.js';
import { tempDir } from '../support/services.js';
import { Fixtures, signInAdmin } from './support.js';

const f = new Fixtures();
let dir: string;
const pem: Record<string, Buffer> = {};

interface Served {
  security: SecurityManager;
  url: string;
  token: string;
}
let strict: Served; // requireClientCert: true
let lenient: Served; // requireClientCert: false

async function serve(requireClientCert: boolean): Promise<Served> {
  const { security } = await f.open({
    audit: { level: 'detailed' },
    server: { tlsCert: join(dir, 'server.pem'), tlsKey: join(dir, 'server.key'), clientCa: join(dir, 'ca.pem'), requireClientCert },
  });
  // A service acts through its bindings, like anyone: this one may read the audit log.
  const access = await security.accessControl();
  await access.store.putRole({ name: 'auditor', permissions: ['audit.read'] }, null);
  await access.store.addBinding({ principal: 'service:trainer-service', role: 'auditor' }, null);
  const running = await startServer(security, { port: 0, logStream: { write: () => undefined } });
  f.defer(running.close);
  return { security, url: running.url, token: await signInAdmin(security) };
}

beforeAll(async () => {
  const d = tempDir('mtls');
  f.defer(d.cleanup);
  dir = d.path;
  const certs = certificateMaker(dir);
  certs.ca('ca');
  certs.ca('rogue-ca');
  certs.leaf('server', 'localhost', 'ca', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  certs.leaf('client', 'trainer-service', 'ca', 'extendedKeyUsage=clientAuth\n');
  certs.leaf('rogue', 'trainer-service', 'rogue-ca', 'extendedKeyUsage=clientAuth\n');
  for (const name of ['ca', 'client', 'rogue']) {
    pem[`${name}.pem`] = readFileSync(join(dir, `${name}.pem`));
    pem[`${name}.key`] = readFileSync(join(dir, `${name}.key`));
  }
  strict = await serve(true);
  lenient = await serve(false);
});
afterAll(() => f.close());

function get(url: string, options: { client?: 'client' | 'rogue'; token?: string } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(
      `${url}/v1/audit/events`,
      {
        agent: false,
        ca: pem['ca.pem'],
        ...(options.client ? { cert: pem[`${options.client}.pem`], key: pem[`${options.client}.key`] } : {}),
        ...(options.token ? { headers: { authorization: `Bearer ${options.token}` } } : {}),
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    )
      .on('error', reject)
      .end();
  });
}

describe('mTLS service authentication', () => {
  it('authenticates a client certificate signed by clientCa without a bearer token; the service may do what its bindings grant', async () => {
    expect(await get(strict.url, { client: 'client' })).toMatchObject({ status: 200 });
    expect(await get(lenient.url, { client: 'client' })).toMatchObject({ status: 200 });
    const access = await lenient.security.accessControl();
    const binding = (await access.store.snapshot()).bindings.find((b) => b.principal === 'service:trainer-service')!;
    await access.store.deleteBinding(binding.id, null);
    expect(await get(lenient.url, { client: 'client' })).toMatchObject({ status: 403 });
    await access.store.addBinding({ principal: 'service:trainer-service', role: 'auditor' }, null);
  });

  it('records the service principal as the actor at audit.level detailed', async () => {
    await get(lenient.url, { client: 'client' });
    const requests = await vi.waitFor(async () => {
      const found = await lenient.security.audit.query({ eventType: 'api.request' });
      expect(found.length).toBeGreaterThan(0);
      return found;
    });
    expect(requests.map((e) => [e.result, e.userId, e.additionalData])).toContainEqual([
      'success',
      'service:trainer-service',
      { method: 'GET', route: '/v1/audit/events', status: 200 },
    ]);
  });

  it('with requireClientCert, refuses the handshake of a certificate from another CA, and of no certificate', async () => {
    await expect(get(strict.url, { client: 'rogue' })).rejects.toThrow(/alert|certificate|ECONNRESET|socket hang up/i);
    await expect(get(strict.url, { token: strict.token })).rejects.toThrow(/alert|certificate|ECONNRESET|socket hang up/i);
  });

  it('without requireClientCert, a client without a certificate uses the bearer token', async () => {
    const before = (await lenient.security.audit.query({ eventType: 'api.authentication', result: 'failure' })).length;
    expect(await get(lenient.url)).toMatchObject({ status: 401 });
    expect(await get(lenient.url, { token: lenient.token })).toMatchObject({ status: 200 });
    const failures = await lenient.security.audit.query({ eventType: 'api.authentication', result: 'failure' });
    expect(failures.slice(before).map((e) => e.additionalData?.['reason'])).toEqual(['missing']);
  });

  it('without requireClientCert, a certificate from another CA is recorded as rejected and does not authenticate', async () => {
    const before = (await lenient.security.audit.query({ eventType: 'api.authentication', result: 'failure' })).length;
    expect(await get(lenient.url, { client: 'rogue' })).toMatchObject({ status: 401 });
    expect(await get(lenient.url, { client: 'rogue', token: lenient.token })).toMatchObject({ status: 200 });
    const failures = await lenient.security.audit.query({ eventType: 'api.authentication', result: 'failure' });
    expect(failures.slice(before).map((e) => e.additionalData)).toEqual([
      { ip: '127.0.0.1', route: '/v1/audit/events', reason: 'client_certificate_rejected' },
      { ip: '127.0.0.1', userAgent: null, route: '/v1/audit/events', reason: 'missing' },
      { ip: '127.0.0.1', route: '/v1/audit/events', reason: 'client_certificate_rejected' },
    ]);
    const actors = (await lenient.security.audit.query({ eventType: 'api.request' })).map((e) => e.userId);
    expect(actors).not.toContain('service:rogue');
  });
});

describe('mTLS configuration', () => {
  it('refuses requireClientCert without clientCa, naming the options', () => {
    const failure = (() => {
      try {
        return parseConfig({ server: { tlsCert: '/c.pem', tlsKey: '/k.pem', requireClientCert: true } });
      } catch (err) {
        return err;
      }
    })();
    expect(isLangtrainError(failure, 'ERR_CONFIG_INVALID')).toBe(true);
    expect((failure as Error).message).toContain('server.requireClientCert: true needs server.clientCa and TLS (server.tlsCert and server.tlsKey)');
  });

  it('refuses clientCa or requireClientCert without TLS', () => {
    expect(() => parseConfig({ server: { clientCa: '/ca.pem' } })).toThrow('server.clientCa: needs TLS: set server.tlsCert and server.tlsKey too');
    expect(() => parseConfig({ server: { clientCa: '/ca.pem', requireClientCert: true } })).toThrow(/server\.requireClientCert: true needs server\.clientCa and TLS/);
  });

  it('names a missing clientCa file', async () => {
    const { security } = await f.open({
      server: { tlsCert: join(dir, 'server.pem'), tlsKey: join(dir, 'server.key'), clientCa: '/nonexistent/ca.pem' },
    });
    const failure = await buildServer(security).catch((err: unknown) => err);
    expect(isLangtrainError(failure, 'ERR_CONFIG_INVALID')).toBe(true);
    expect((failure as Error).message).toBe('server.clientCa: cannot read /nonexistent/ca.pem: the file does not exist');
  });
});

describe('mTLS configuration from the environment', () => {
  it('reads LANGTRAIN_SERVER_CLIENT_CA and LANGTRAIN_SERVER_REQUIRE_CLIENT_CERT', () => {
    const env = { LANGTRAIN_SERVER_TLS_CERT: '/c.pem', LANGTRAIN_SERVER_TLS_KEY: '/k.pem', LANGTRAIN_SERVER_CLIENT_CA: '/ca.pem' };
    expect(loadConfig({ env: { ...env, LANGTRAIN_SERVER_REQUIRE_CLIENT_CERT: 'true' } }).server).toMatchObject({ clientCa: '/ca.pem', requireClientCert: true });
    expect(loadConfig({ env: { ...env, LANGTRAIN_SERVER_REQUIRE_CLIENT_CERT: 'false' } }).server.requireClientCert).toBe(false);
    expect(loadConfig({ env }).server.requireClientCert).toBe(false);
  });
});
