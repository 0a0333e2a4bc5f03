import { afterEach, describe, expect, it } from 'vitest';
import { Fixtures, json, userWith } from './support.js';

const f = new Fixtures();
afterEach(() => f.close());

describe('/v1/incidents', () => {
  it('saves a playbook; five failed sign-ins open an incident that blocks the address for every request, until an administrator lifts it', async () => {
    const { app, auth, security } = await f.serve();
    const saved = await app.inject({ method: 'PUT', url: '/v1/incidents/playbooks/brute_force_detected', headers: auth, payload: { triggers: ['failed_auth_attempts'], actions: ['block_source_ip'], blockFor: '2h' } });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(json(saved)).toEqual({ name: 'brute_force_detected', triggers: ['failed_auth_attempts'], actions: ['block_source_ip'], escalationMs: null, blockForMs: 7_200_000, savedAt: expect.any(String) });
    const refused = await app.inject({ method: 'PUT', url: '/v1/incidents/playbooks/poisoning', headers: auth, payload: { triggers: ['high_confidence_poisoning_alert'], actions: ['block_source_ip'] } });
    expect(refused.statusCode).toBe(400);
    expect(json(refused).error.message).toContain('trigger high_confidence_poisoning_alert is not supported yet');

    const attacker = '203.0.113.66';
    for (let i = 0; i < 5; i++) await app.inject({ method: 'POST', url: '/v1/auth/login', remoteAddress: attacker, payload: { username: 'nobody', password: `guess ${i} of many words` } });
    const monitor = await security.monitor();
    await monitor.startMonitoring({ alertThresholds: { failedAuthAttempts: 5 } }, { background: false });
    await monitor.poll();

    const incidents = json(await app.inject({ method: 'GET', url: '/v1/incidents?status=open', headers: auth })).incidents;
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ playbook: 'brute_force_detected', key: `ip:${attacker}`, actions: [{ action: 'block_source_ip', status: 'done' }] });

    const blockedRequest = await app.inject({ method: 'POST', url: '/v1/auth/login', remoteAddress: attacker, payload: { username: 'admin', password: 'anything at all here' } });
    expect(blockedRequest.statusCode).toBe(403);
    expect(json(blockedRequest).error.message).toMatch(/^requests from this address are blocked until \S+ by an incident playbook/);
    expect((await app.inject({ method: 'GET', url: '/healthz', remoteAddress: attacker })).statusCode).toBe(200);
    expect(json(await app.inject({ method: 'GET', url: '/v1/incidents/blocked', headers: auth })).blocked).toEqual([expect.objectContaining({ address: attacker, incidentId: incidents[0].id })]);

    expect((await app.inject({ method: 'POST', url: `/v1/incidents/${incidents[0].id}/acknowledge`, headers: auth })).statusCode).toBe(200);
    expect((await app.inject({ method: 'DELETE', url: `/v1/incidents/blocked/${attacker}`, headers: auth })).statusCode).toBe(204);
    expect((await app.inject({ method: 'DELETE', url: `/v1/incidents/blocked/${attacker}`, headers: auth })).statusCode).toBe(404);
    await new Promise((r) => setTimeout(r, 2_100)); // the server's copy of the list is at most 2 s old
    expect((await app.inject({ method: 'GET', url: '/v1/incidents', remoteAddress: attacker })).statusCode).toBe(401); // no longer blocked: asked to sign in
    const audited = json(await app.inject({ method: 'GET', url: '/v1/audit/events?eventType=threat.address_unblocked', headers: auth }));
    expect(audited.entries).toHaveLength(1);
  });

  it('needs incidents.read and incidents.write', async () => {
    const { app, auth } = await f.serve();
    const reader = await userWith(app, auth, 'soc-reader', ['incidents.read']);
    expect((await app.inject({ method: 'GET', url: '/v1/incidents/playbooks', headers: reader })).statusCode).toBe(200);
    expect((await app.inject({ method: 'PUT', url: '/v1/incidents/playbooks/x', headers: reader, payload: { triggers: ['failed_auth_attempts'], actions: ['block_source_ip'] } })).statusCode).toBe(403);
    expect((await app.inject({ method: 'DELETE', url: '/v1/incidents/playbooks/nothing', headers: auth })).statusCode).toBe(404);
  });
});
