import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebhookNotifier } from '../../../src/threat/incidents/webhook-notifier.js';
import { SplunkHecDestination, SyslogDestination } from '../../../src/threat/siem/siem-destinations.js';
import type { SiemRecord } from '../../../src/threat/siem/siem-record.js';

const record = (index: number): SiemRecord => ({ index, timestamp: '2026-11-01T09:00:00.000Z', eventType: 'auth.login', result: 'failure', userId: null, sourceIp: null, data: { pad: 'x'.repeat(200) }, withheld: false, severity: 5 });
const servers: Array<Server | HttpServer> = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
  delete process.env.TEST_HEC_TOKEN;
});
const listening = async <S extends Server | HttpServer>(server: S): Promise<number> => {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
};

describe('delivery that did not happen is never taken for delivered', () => {
  it('syslog: a receiver that resets the connection part-way through a batch fails the send', async () => {
    const port = await listening(createServer((socket) => socket.once('data', () => socket.resetAndDestroy())));
    const destination = new SyslogDestination(new URL(`tcp://127.0.0.1:${port}`), 'cef', '0.1.0');
    await expect(destination.send(Array.from({ length: 2_000 }, (_, i) => record(i)))).rejects.toMatchObject({ code: 'ERR_DELIVERY_FAILED', message: expect.stringMatching(/^syslog tcp:\/\/127\.0\.0\.1:\d+: /) });
  });

  it('Splunk HEC and the webhook: a connection dropped half-way through the answer fails the send, promptly', async () => {
    // answers the headers and part of the body, then drops the connection
    const port = await listening(
      createHttpServer((req, res) => {
        req.resume();
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('{"text":"Succ');
        setTimeout(() => res.socket?.destroy(), 50);
      }),
    );
    process.env.TEST_HEC_TOKEN = 'b6c0f3e2-7c1a-4e5b-9d2f-0a1b2c3d4e5f';
    const hec = new SplunkHecDestination(new URL(`http://127.0.0.1:${port}/services/collector/event`), 'env:TEST_HEC_TOKEN', 'json', '0.1.0');
    const started = performance.now();
    await expect(hec.send([record(1)])).rejects.toMatchObject({ code: 'ERR_DELIVERY_FAILED', message: expect.stringContaining('closed before the whole answer came') });
    const webhook = new WebhookNotifier({ url: `http://127.0.0.1:${port}/services/T0001/B0001/XyZsEcReT` });
    const failure = await webhook.send({ text: 'x' }).then(() => null, (err: Error) => err);
    expect(failure?.message).toMatch(/^webhook http:\/\/127\.0\.0\.1:\d+: the connection closed before the whole answer came$/);
    expect(failure?.message).not.toContain('XyZsEcReT');
    expect(performance.now() - started).toBeGreaterThanOrEqual(0); // settled at all: a hang would time the test out
  });
});
