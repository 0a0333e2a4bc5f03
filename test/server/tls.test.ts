import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLangtrainError } from '../../src/core/errors.js';
import { buildServer } from '../../src/server/app.js';
import { startServer } from '../../src/server/start.js';
import { tempDir } from '../support/services.js';
import { Fixtures } from './support.js';

const f = new Fixtures();
let cert: Buffer;
let port: number;
let url: string;

beforeAll(async () => {
  const dir = tempDir('tls');
  f.defer(dir.cleanup);
  const [certFile, keyFile] = [join(dir.path, 'cert.pem'), join(dir.path, 'key.pem')];
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', keyFile, '-out', certFile,
  ], { stdio: 'ignore' });
  cert = readFileSync(certFile);
  const { security } = await f.open({ server: { tlsCert: certFile, tlsKey: keyFile } });
  const running = await startServer(security, { port: 0, logStream: { write: () => undefined } });
  f.defer(running.close);
  url = running.url;
  port = Number(new URL(url).port);
});
afterAll(() => f.close());

function handshake(options: { maxVersion?: 'TLSv1.2' }): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca: cert, servername: 'localhost', ...options }, () => resolve(socket));
    socket.once('error', reject);
  });
}

describe('TLS', () => {
  it('listens on https and speaks TLS 1.3', async () => {
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const socket = await handshake({});
    try {
      expect(socket.getProtocol()).toBe('TLSv1.3');
      expect(socket.authorized).toBe(true);
    } finally {
      socket.destroy();
    }
  });

  it('refuses a client that offers at most TLS 1.2', async () => {
    await expect(handshake({ maxVersion: 'TLSv1.2' })).rejects.toThrow(/protocol version|alert/i);
  });

  it('serves the API over it', async () => {
    const { status, hsts, body } = await new Promise<{ status: number; hsts: unknown; body: string }>((resolve, reject) => {
      request(`${url}/healthz`, { ca: cert }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, hsts: res.headers['strict-transport-security'], body: text }));
      })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(200);
    expect(hsts).toBe('max-age=31536000; includeSubDomains');
    expect(JSON.parse(body)).toEqual({ ok: true, store: 'sqlite' });
  });

  it('names a missing certificate file', async () => {
    const { security } = await f.open({ server: { tlsCert: '/nonexistent/cert.pem', tlsKey: '/nonexistent/key.pem' } });
    const failure = await buildServer(security).catch((err: unknown) => err);
    expect(isLangtrainError(failure, 'ERR_CONFIG_INVALID')).toBe(true);
    expect((failure as Error).message).toBe('server.tlsCert: cannot read /nonexistent/cert.pem: the file does not exist');
  });
});
