import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SyslogDestination } from '../../../src/threat/siem/siem-destinations.js';
import type { SiemRecord } from '../../../src/threat/siem/siem-record.js';
import { certificateMaker } from '../../support/certificates.js';
import { tempDir } from '../../support/services.js';

const record = (index: number, note: string): SiemRecord => ({ index, timestamp: '2026-11-01T09:00:00.000Z', eventType: 'training.started', result: 'success', userId: null, sourceIp: null, data: { note }, withheld: false, severity: 2 });

/** Octet-counted frames (RFC 6587 §3.4.1) read back from a byte stream: `LEN SP MSG`, nothing else. */
function frames(bytes: Buffer): string[] {
  const out: string[] = [];
  let at = 0;
  while (at < bytes.length) {
    const space = bytes.indexOf(0x20, at);
    const length = Number(bytes.subarray(at, space).toString('ascii'));
    if (!Number.isInteger(length) || length <= 0) throw new Error(`no frame length at byte ${at}`);
    out.push(bytes.subarray(space + 1, space + 1 + length).toString('utf8'));
    at = space + 1 + length;
  }
  return out;
}

describe('syslog over TLS (RFC 5425)', () => {
  let dir: ReturnType<typeof tempDir>;
  let server: Server;
  let received: Buffer[];
  let port: number;

  beforeEach(async () => {
    dir = tempDir('syslog-tls');
    const certs = certificateMaker(dir.path);
    certs.ca('siem-ca');
    certs.leaf('siem', 'localhost', 'siem-ca', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
    received = [];
    server = createServer({ key: readFileSync(join(dir.path, 'siem.key')), cert: readFileSync(join(dir.path, 'siem.pem')), minVersion: 'TLSv1.2' }, (socket) => {
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('end', () => received.push(Buffer.concat(chunks)));
      socket.on('error', () => undefined);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as { port: number }).port;
  });
  afterEach(async () => {
    server.close();
    dir.cleanup();
  });

  it('sends octet-counted RFC 5424 messages to a receiver whose certificate the given CA signed, a multi-line value kept in one message', async () => {
    const destination = new SyslogDestination(new URL(`tls://localhost:${port}`), 'json', '0.1.0', readFileSync(join(dir.path, 'siem-ca.pem'), 'utf8'));
    await destination.send([record(1, 'one'), record(2, 'two\nlines and ünïcödé')]);
    for (let i = 0; i < 50 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    const messages = frames(received[0]!);
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatch(new RegExp(`^<110>1 2026-11-01T09:00:00\\.000Z \\S+ langtrain ${process.pid} training\\.started - \\{`));
    expect(JSON.parse(messages[1]!.slice(messages[1]!.indexOf(' - ') + 3)).data.note).toBe('two\nlines and ünïcödé');
  });

  it('refuses a receiver whose certificate no trusted CA signed, saying so', async () => {
    const destination = new SyslogDestination(new URL(`tls://localhost:${port}`), 'cef', '0.1.0');
    await expect(destination.send([record(1, 'x')])).rejects.toMatchObject({ code: 'ERR_DELIVERY_FAILED', message: expect.stringMatching(/^syslog tls:\/\/localhost:\d+: .*(certificate|issuer)/) });
    expect(received.every((b) => b.length === 0)).toBe(true);
  });
});
