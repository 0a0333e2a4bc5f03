import { afterEach, describe, expect, it } from 'vitest';
import { Fixtures, json, userWith } from './support.js';

const f = new Fixtures();
afterEach(() => f.close());

const waitFor = async <T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> => {
  for (let i = 0; i < 200; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
  return read();
};

describe('/v1/monitor', () => {
  it('alerts on five failed sign-ins from one address, and lets an operator acknowledge and resolve it', async () => {
    const { app, auth, security } = await f.serve({ monitoring: { enabled: true, pollInterval: '100ms' } });
    await security.startConfiguredMonitoring(); // what the server does when it starts listening
    for (let i = 0; i < 5; i++) {
      const refused = await app.inject({ method: 'POST', url: '/v1/auth/login', remoteAddress: '203.0.113.7', payload: { username: 'admin', password: `guess ${i} of a passphrase` } });
      expect([401, 429]).toContain(refused.statusCode); // after a few, the address is throttled: refused all the same
    }
    const alerts = await waitFor(
      async () => json(await app.inject({ method: 'GET', url: '/v1/monitor/alerts?status=open', headers: auth })).alerts as Array<Record<string, unknown>>,
      (list) => list.length >= 2,
    );
    // the address and the account each crossed the threshold
    expect(alerts.map((a) => a.key)).toEqual(expect.arrayContaining(['ip:203.0.113.7', expect.stringMatching(/^user:[0-9a-f-]{36}$/)]));
    expect(alerts).toHaveLength(2);
    const ip = alerts.find((a) => a.key === 'ip:203.0.113.7')!;
    expect(ip).toMatchObject({ rule: 'failed_auth_attempts', value: 5, threshold: 5, status: 'open' });

    const acked = await app.inject({ method: 'POST', url: `/v1/monitor/alerts/${ip.id}/acknowledge`, headers: auth });
    expect(acked.statusCode, acked.body).toBe(200);
    expect(json(acked)).toMatchObject({ status: 'acknowledged', statusChangedBy: expect.stringMatching(/^user:/) });
    const again = await app.inject({ method: 'POST', url: `/v1/monitor/alerts/${ip.id}/acknowledge`, headers: auth });
    expect(again.statusCode).toBe(409);
    expect((await app.inject({ method: 'POST', url: `/v1/monitor/alerts/${ip.id}/resolve`, headers: auth })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/v1/monitor/alerts/00000000-0000-4000-8000-000000000000/resolve', headers: auth })).statusCode).toBe(404);

    const status = json(await app.inject({ method: 'GET', url: '/v1/monitor/status', headers: auth }));
    expect(status).toMatchObject({ running: true, lastError: null });
    expect(status.errorRates.api_endpoints.failures).toBeGreaterThanOrEqual(5);
    expect(status.resourceUsage.rssBytes).toBeGreaterThan(0);
    const audited = json(await app.inject({ method: 'GET', url: '/v1/audit/events?eventType=threat.alert_resolved', headers: auth }));
    expect(audited.entries).toHaveLength(1);
  });

  it('needs monitor.read to read and monitor.write to change, and refuses unknown query fields', async () => {
    const { app, auth, security } = await f.serve();
    const reader = await userWith(app, auth, 'soc-analyst', ['monitor.read']);
    expect((await app.inject({ method: 'GET', url: '/v1/monitor/alerts', headers: reader })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/v1/monitor/alerts/00000000-0000-4000-8000-000000000000/resolve', headers: reader })).statusCode).toBe(403);
    const nobody = await userWith(app, auth, 'intern', []);
    expect((await app.inject({ method: 'GET', url: '/v1/monitor/status', headers: nobody })).statusCode).toBe(403);
    const typo = await app.inject({ method: 'GET', url: '/v1/monitor/alerts?state=open', headers: auth });
    expect(typo.statusCode).toBe(400);
    expect(json(typo).error.message).toContain('unknown field state (supported: status, rule, limit)');
    // not enabled: the monitor does not run, and says so
    expect(json(await app.inject({ method: 'GET', url: '/v1/monitor/status', headers: auth }))).toMatchObject({ running: false, cursor: -1 });
    // and where it would stream the log
    (await security.monitor()).configureSiemIntegration({ siemType: 'syslog', endpoint: 'tcp://127.0.0.1:9', format: 'json' });
    expect(json(await app.inject({ method: 'GET', url: '/v1/monitor/status', headers: auth })).siem).toMatchObject({ destination: 'tcp://127.0.0.1:9', format: 'json', events: 'all', sent: 0 });
  });
});
