import { afterEach, describe, expect, it, vi } from 'vitest';
import * as accessSchemas from '../../src/access/schemas.js';
import * as routeSchemas from '../../src/server/schemas/access.js';
import { Fixtures, json, signInAdmin } from './support.js';

const f = new Fixtures();
afterEach(() => f.close());

/** The policy file, as the JSON body of PUT /v1/access. */
const DOCUMENT = {
  roles: [
    { name: 'ml_engineer', permissions: ['models.train', 'models.evaluate', 'datasets.read', 'experiments.create'] },
    { name: 'data_scientist', permissions: ['models.deploy', 'datasets.create'], inherits: ['ml_engineer'] },
    { name: 'admin', permissions: ['*'] },
  ],
  bindings: [
    { principal: 'user123', role: 'ml_engineer' },
    { principal: 'alice', role: 'data_scientist', resource: 'dataset:ds-1', expires: '2026-12-01T00:00:00Z' },
  ],
  policies: [{ name: 'sensitive_data_access', effect: 'allow', actions: ['datasets.*'], resources: ['dataset'], condition: 'user.clearance_level >= dataset.classification_level' }],
};

const ask = (principal: string, clearance: number, classification = 2) => ({
  principal: { id: principal, attributes: { clearance_level: clearance } },
  action: 'datasets.read',
  resource: { type: 'dataset', id: 'ds-1', attributes: { classification_level: classification } },
  context: { time: '2026-11-25T10:00:00Z' },
});

describe('/v1/authorize and /v1/access', () => {
  it('decides one request or a batch with reasons, after an admin replaced the document; refusals reach the audit log', async () => {
    const { app, auth, security } = await f.serve();
    const put = await app.inject({ method: 'PUT', url: '/v1/access', headers: auth, payload: DOCUMENT });
    expect(put.statusCode).toBe(200);
    expect(json(put)).toMatchObject({ revision: 1, roles: expect.any(Array) });

    const one = await app.inject({ method: 'POST', url: '/v1/authorize', headers: auth, payload: ask('user123', 3) });
    expect(one.statusCode).toBe(200);
    expect(json(one)).toMatchObject({ allowed: true, reasons: [{ kind: 'grant', role: 'ml_engineer' }, { kind: 'policy', policy: 'sensitive_data_access', outcome: 'true' }] });
    const batch = json(await app.inject({ method: 'POST', url: '/v1/authorize', headers: auth, payload: { requests: [ask('user123', 1), ask('nobody', 5), ask('alice', 5)] } }));
    expect(batch.decisions.map((d: { allowed: boolean }) => d.allowed)).toEqual([false, false, true]);

    await app.close(); // audit writes after the answers are awaited on close
    const logged = await security.audit.query({ eventType: 'access.decision' });
    expect(logged.map((e) => [e.result, e.userId])).toEqual([
      ['denied', 'user123'],
      ['denied', 'nobody'],
    ]);
    expect(JSON.stringify(logged)).not.toContain('clearance_level'); // attributes are not copied
    expect((await security.audit.query({ eventType: 'access.replaced' }))[0]?.userId).toMatch(/^user:/);
  });

  it('refuses a policy that does not compile with its name, position and reason, changing nothing; CRUD works', async () => {
    const { app, auth } = await f.serve();
    await app.inject({ method: 'PUT', url: '/v1/access', headers: auth, payload: DOCUMENT });
    const bad = await app.inject({ method: 'PUT', url: '/v1/access/policies/geo', headers: auth, payload: { effect: 'allow', condition: 'user.location in (dataset.allowed_regions' } });
    expect(bad.statusCode).toBe(400);
    expect(json(bad).error.message).toContain('geo');
    expect(json(bad).error.message).toMatch(/\d/);
    expect(json(await app.inject({ method: 'GET', url: '/v1/access', headers: auth })).revision).toBe(1);

    const geo = await app.inject({ method: 'PUT', url: '/v1/access/policies/geo', headers: auth, payload: { effect: 'allow', resources: ['dataset'], condition: 'user.location in dataset.allowed_regions' } });
    expect(geo.statusCode).toBe(200);
    const bound = json(await app.inject({ method: 'POST', url: '/v1/access/bindings', headers: auth, payload: { principal: 'carol', role: 'ml_engineer' } }));
    expect(bound.revision).toBe(3);
    const carol = (region: string) => ({ ...ask('carol', 5), principal: { id: 'carol', attributes: { clearance_level: 5, location: region } }, resource: { type: 'dataset', id: 'ds-1', attributes: { classification_level: 1, allowed_regions: ['eu'] } } });
    expect(json(await app.inject({ method: 'POST', url: '/v1/authorize', headers: auth, payload: carol('eu') })).allowed).toBe(true);
    expect(json(await app.inject({ method: 'POST', url: '/v1/authorize', headers: auth, payload: carol('us') })).allowed).toBe(false);
    expect((await app.inject({ method: 'DELETE', url: `/v1/access/bindings/${bound.id}`, headers: auth })).statusCode).toBe(200);
    expect(json(await app.inject({ method: 'POST', url: '/v1/authorize', headers: auth, payload: carol('eu') })).allowed).toBe(false);
    expect((await app.inject({ method: 'DELETE', url: '/v1/access/roles/ml_engineer', headers: auth })).statusCode).toBe(400); // still bound to user123
  });

  it('refuses a bad policy or role with details that point into the caller\'s own input, not into the stored document', async () => {
    const { app, auth } = await f.serve();
    await app.inject({ method: 'PUT', url: '/v1/access', headers: auth, payload: DOCUMENT });
    const policy = await app.inject({ method: 'PUT', url: '/v1/access/policies/bad', headers: auth, payload: { effect: 'allow', condition: 'user.x > 1 &&\n  usr.y' } });
    expect(policy.statusCode).toBe(400);
    expect(json(policy).error).toEqual({
      code: 'ERR_POLICY_INVALID',
      message: 'policy "bad": condition at line 2, column 3: Unknown variable: usr',
      details: { policy: 'bad', field: 'condition', reason: 'Unknown variable: usr', position: { offset: 16, line: 2, column: 3 }, problems: [expect.objectContaining({ path: 'policies.1.condition' })] },
    });

    const role = await app.inject({ method: 'PUT', url: '/v1/access/roles/heir', headers: auth, payload: { permissions: ['models.train'], inherits: ['ghost'] } });
    expect(role.statusCode).toBe(400);
    expect(json(role).error).toMatchObject({ code: 'ERR_INVALID_INPUT', message: 'role "heir": inherits: role "heir" inherits unknown role "ghost"', details: { role: 'heir', field: 'inherits' } });

    // A whole document: every problem, by item and field (indices are the caller's, built-in admin restated or not).
    const whole = await app.inject({ method: 'PUT', url: '/v1/access', headers: auth, payload: { ...DOCUMENT, policies: [{ name: 'p', effect: 'deny', condition: 'usr' }, { name: 'q', effect: 'deny', condition: '1' }] } });
    expect(whole.statusCode).toBe(400);
    expect(json(whole).error.details.problems.map((p: { path: string }) => p.path)).toEqual(['policies.0.condition', 'policies.1.condition']);
    expect(json(whole).error.message).not.toMatch(/:\d+:\d+:/);
    expect(json(await app.inject({ method: 'GET', url: '/v1/access', headers: auth })).revision).toBe(1);
  });

  it('refuses a misspelt field of a binding, role or policy (one schema with the library and policy files), changing nothing', async () => {
    // The routes validate with the access library's own schemas, not copies that could drift.
    expect(routeSchemas.binding).toBe(accessSchemas.bindingSchema);
    expect(routeSchemas.roleBody).toBe(accessSchemas.roleSpecSchema);
    expect(routeSchemas.policyBody).toBe(accessSchemas.policySpecSchema);
    expect(routeSchemas.accessDocument).toBe(accessSchemas.accessDocumentSchema);
    const { app, auth } = await f.serve();
    await app.inject({ method: 'PUT', url: '/v1/access', headers: auth, payload: DOCUMENT });
    const refused = [
      await app.inject({ method: 'POST', url: '/v1/access/bindings', headers: auth, payload: { principal: 'bob', role: 'data_scientist', resource: 'dataset:ds-1', expiry: '2020-12-01T00:00:00Z' } }),
      await app.inject({ method: 'PUT', url: '/v1/access/roles/lead', headers: auth, payload: { permissions: ['experiments.manage'], inherit: ['data_scientist'] } }),
      await app.inject({ method: 'PUT', url: '/v1/access/policies/deny_delete', headers: auth, payload: { effect: 'deny', condition: 'true', action: ['datasets.delete'] } }),
    ];
    expect(refused.map((r) => [r.statusCode, json(r).error.message])).toEqual([
      [400, expect.stringContaining('unknown field expiry')],
      [400, expect.stringContaining('unknown field inherit')],
      [400, expect.stringContaining('unknown field action')],
    ]);
    expect(json(await app.inject({ method: 'GET', url: '/v1/access', headers: auth })).revision).toBe(1);
  });

  it('refuses to delete a role that is inherited or bound, saying who depends on it and what to do first', async () => {
    const { app, auth } = await f.serve();
    await app.inject({ method: 'PUT', url: '/v1/access', headers: auth, payload: DOCUMENT });
    const inherited = await app.inject({ method: 'DELETE', url: '/v1/access/roles/ml_engineer', headers: auth });
    expect(inherited.statusCode).toBe(400);
    expect(json(inherited).error).toEqual({
      code: 'ERR_INVALID_INPUT',
      message: `role "ml_engineer" is inherited by data_scientist; remove it from that role's inherits first`,
      details: { role: 'ml_engineer', inheritedBy: ['data_scientist'] },
    });
    await app.inject({ method: 'PUT', url: '/v1/access/roles/data_scientist', headers: auth, payload: { permissions: ['models.deploy'] } });
    const bound = await app.inject({ method: 'DELETE', url: '/v1/access/roles/ml_engineer', headers: auth });
    expect(json(bound).error).toMatchObject({ message: 'role "ml_engineer" is named by 1 binding (user123); delete that binding first', details: { role: 'ml_engineer', boundTo: ['user123'] } });
    expect(json(await app.inject({ method: 'GET', url: '/v1/access', headers: auth })).revision).toBe(2);
    // Errors that are not refusals of the caller's input keep the app's body, without details.
    expect(json(await app.inject({ method: 'DELETE', url: '/v1/access/roles/nobody', headers: auth })).error).toEqual({ code: 'ERR_NOT_FOUND', message: 'no role nobody' });
  });

  it('needs authz.check to ask and access.write to change; a change on one instance is seen by another', async () => {
    const pair = await f.twoInstances({ auth: { concurrentSessions: null } });
    const first = { ...pair.first, app: pair.a, auth: { authorization: `Bearer ${await signInAdmin(pair.first.security)}` } };
    const { second, b: other } = pair;
    const otherAuth = { authorization: `Bearer ${await signInAdmin(second.security)}` };
    expect(json(await other.inject({ method: 'POST', url: '/v1/authorize', headers: otherAuth, payload: ask('user123', 3) })).allowed).toBe(false);
    const put = await first.app.inject({ method: 'PUT', url: '/v1/access', headers: first.auth, payload: DOCUMENT });
    expect(put.statusCode, put.body).toBe(200);
    await vi.waitFor(async () => expect(json(await other.inject({ method: 'POST', url: '/v1/authorize', headers: otherAuth, payload: ask('user123', 3) })).allowed).toBe(true), { timeout: 3000, interval: 200 });

    const manager = await first.security.authenticationManager();
    await manager.users.createUser({ username: 'pat', password: 'a long enough passphrase for tests' });
    const login = await manager.login({ username: 'pat', password: 'a long enough passphrase for tests' });
    if (login.status !== 'authenticated') throw new Error('expected a session');
    const pat = { authorization: `Bearer ${login.token}` };
    expect(json(await first.app.inject({ method: 'POST', url: '/v1/authorize', headers: pat, payload: ask('user123', 3) })).error.code).toBe('ERR_FORBIDDEN');
    expect((await first.app.inject({ method: 'PUT', url: '/v1/access/roles/x', headers: pat, payload: { permissions: ['*'] } })).statusCode).toBe(403);
  });
  it("decides the server's own routes: account roles and bindings from /v1/access grant them; the built-in admin cannot be changed", async () => {
    const { app, auth, security } = await f.serve({ auth: { concurrentSessions: null } });
    expect((await app.inject({ method: 'PUT', url: '/v1/access/roles/auditor', headers: auth, payload: { permissions: ['audit.read'] } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'PUT', url: '/v1/access/roles/admin', headers: auth, payload: { permissions: ['audit.read'] } })).statusCode).toBe(400);
    const manager = await security.authenticationManager();
    const signIn = async (username: string, roles: string[] = []) => {
      await manager.users.createUser({ username, password: 'a long enough passphrase for tests', roles });
      const r = await manager.login({ username, password: 'a long enough passphrase for tests' });
      if (r.status !== 'authenticated') throw new Error('expected a session');
      return { authorization: `Bearer ${r.token}` };
    };
    const viaRole = await signIn('ursula', ['auditor']);
    expect((await app.inject({ method: 'GET', url: '/v1/audit/events', headers: viaRole })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/v1/audit/checkpoints', headers: viaRole })).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/v1/keys', headers: viaRole })).statusCode).toBe(403);

    const viaBinding = await signIn('victor');
    expect((await app.inject({ method: 'GET', url: '/v1/audit/events', headers: viaBinding })).statusCode).toBe(403);
    await app.inject({ method: 'POST', url: '/v1/access/bindings', headers: auth, payload: { principal: 'victor', role: 'auditor', resource: 'audit' } });
    expect((await app.inject({ method: 'GET', url: '/v1/audit/events', headers: viaBinding })).statusCode).toBe(200);
    // An expired binding never grants.
    await app.inject({ method: 'POST', url: '/v1/access/bindings', headers: auth, payload: { principal: 'wanda', role: 'auditor', expires: '2020-01-01T00:00:00Z' } });
    expect((await app.inject({ method: 'GET', url: '/v1/audit/events', headers: await signIn('wanda') })).statusCode).toBe(403);
  });
  it('logs every decision with decisionLog all (allowed at level detailed), none with a sample rate of 0', async () => {
    const all = await f.serve({ access: { decisionLog: 'all' } });
    await all.app.inject({ method: 'PUT', url: '/v1/access', headers: all.auth, payload: DOCUMENT });
    await all.app.inject({ method: 'POST', url: '/v1/authorize', headers: all.auth, payload: { requests: [ask('user123', 3), ask('user123', 1)] } });
    await all.app.close();
    expect((await all.security.audit.query({ eventType: 'access.decision' })).map((e) => [e.result, e.level])).toEqual([
      ['allowed', 'detailed'],
      ['denied', 'basic'],
    ]);
    const none = await f.serve({ access: { decisionLog: 'all', decisionSampleRate: 0 } });
    await none.app.inject({ method: 'POST', url: '/v1/authorize', headers: none.auth, payload: ask('user123', 3) });
    await none.app.close();
    expect(await none.security.audit.query({ eventType: 'access.decision' })).toEqual([]);
  });
});
