import { describe, expect, it } from 'vitest';
import { Authorizer } from '../../src/access/authorizer.js';
import type { AuthorizationRequest, Attributes } from '../../src/access/model.js';
import { manualClock } from '../support/recorded-events.js';

const START = Date.parse('2026-11-25T10:00:00Z');

/** The seed: its three roles, its two conditions, on a controllable clock. */
function seedAuthorizer() {
  const time = manualClock(START);
  const authz = new Authorizer({ clock: time.clock });
  authz.roles.createRole('ml_engineer', { permissions: ['models.train', 'models.evaluate', 'datasets.read', 'experiments.create'] });
  authz.roles.createRole('data_scientist', { permissions: ['models.deploy', 'datasets.create'], inherits: ['ml_engineer'] });
  authz.roles.createRole('admin', { permissions: ['*'] });
  authz.policies.addPolicy({ name: 'sensitive_data_access', effect: 'allow', actions: ['datasets.*'], resources: ['dataset'], condition: 'user.clearance_level >= dataset.classification_level' });
  authz.policies.addPolicy({ name: 'geographic_restriction', effect: 'allow', resources: ['dataset'], condition: 'user.location in dataset.allowed_regions' });
  return { authz, time };
}

const DS1 = { type: 'dataset', id: 'ds-1', attributes: { classification_level: 3, allowed_regions: ['eu-west', 'us-east'] } };
const CLEARED = { clearance_level: 4, location: 'eu-west' };

function request(id: string, action: string, resource = DS1 as AuthorizationRequest['resource'], attributes: Attributes = CLEARED, extra: Partial<AuthorizationRequest['principal']> = {}, context?: Attributes): AuthorizationRequest {
  return { principal: { id, attributes, ...extra }, action, resource, ...(context === undefined ? {} : { context }) };
}

describe('decision semantics', () => {
  it('(1) without a grant nothing is allowed, whatever the policies say', () => {
    const { authz } = seedAuthorizer();
    const d = authz.decide(request('nobody', 'datasets.read'));
    expect(d).toEqual({ allowed: false, reasons: [{ kind: 'no_grant' }] });
    authz.roles.bind('bob', 'ml_engineer');
    expect(authz.decide(request('bob', 'datasets.delete'))).toEqual({ allowed: false, reasons: [{ kind: 'no_grant' }] });
  });

  it('(1) a grant with no applicable policy allows, and the reason names it', () => {
    const { authz } = seedAuthorizer();
    authz.roles.bind('bob', 'ml_engineer');
    expect(authz.decide(request('bob', 'models.train', { type: 'model', id: 'm1' }))).toEqual({
      allowed: true,
      reasons: [{ kind: 'grant', role: 'ml_engineer', binding: { principal: 'bob', role: 'ml_engineer' }, permission: 'models.train' }],
    });
  });

  it('(2) every applicable allow policy must hold', () => {
    const { authz } = seedAuthorizer();
    authz.roles.bind('bob', 'ml_engineer');
    const ok = authz.decide(request('bob', 'datasets.read'));
    expect(ok.allowed).toBe(true);
    expect(ok.reasons.slice(1)).toEqual([
      { kind: 'policy', policy: 'sensitive_data_access', effect: 'allow', outcome: 'true' },
      { kind: 'policy', policy: 'geographic_restriction', effect: 'allow', outcome: 'true' },
    ]);
    const lowClearance = authz.decide(request('bob', 'datasets.read', DS1, { clearance_level: 2, location: 'eu-west' }));
    expect(lowClearance).toEqual({ allowed: false, reasons: [expect.objectContaining({ kind: 'grant' }), { kind: 'policy', policy: 'sensitive_data_access', effect: 'allow', outcome: 'false' }] });
    const wrongRegion = authz.decide(request('bob', 'datasets.read', DS1, { clearance_level: 5, location: 'ap-southeast' }));
    expect(wrongRegion.allowed).toBe(false);
    expect(wrongRegion.reasons.at(-1)).toEqual({ kind: 'policy', policy: 'geographic_restriction', effect: 'allow', outcome: 'false' });
  });

  it('(2) a policy applies only to its actions and resource types', () => {
    const { authz } = seedAuthorizer();
    authz.roles.bind('root', 'admin');
    // sensitive_data_access covers datasets.* only: on another action only geography applies.
    const d = authz.decide(request('root', 'models.train', DS1, { clearance_level: 0, location: 'eu-west' }));
    expect(d.allowed).toBe(true);
    expect(d.reasons.map((r) => (r.kind === 'policy' ? r.policy : r.kind))).toEqual(['grant', 'geographic_restriction']);
    // Neither applies to a model.
    expect(authz.decide(request('root', 'datasets.read', { type: 'model', id: 'm1' }, {})).reasons).toHaveLength(1);
  });

  it('(3) a true deny policy overrides every grant and allow', () => {
    const { authz } = seedAuthorizer();
    authz.roles.bind('root', 'admin');
    authz.policies.addPolicy({ name: 'no_pii_export', effect: 'deny', actions: ['datasets.export'], condition: 'resource.pii == true && !context.mfa' });
    const pii = { ...DS1, attributes: { ...DS1.attributes, pii: true } };
    const denied = authz.decide(request('root', 'datasets.export', pii, CLEARED, {}, { mfa: false }));
    expect(denied).toEqual({ allowed: false, reasons: [expect.objectContaining({ kind: 'grant', permission: '*' }), { kind: 'policy', policy: 'no_pii_export', effect: 'deny', outcome: 'true' }] });
    const withMfa = authz.decide(request('root', 'datasets.export', pii, CLEARED, {}, { mfa: true }));
    expect(withMfa.allowed).toBe(true);
    expect(withMfa.reasons[1]).toEqual({ kind: 'policy', policy: 'no_pii_export', effect: 'deny', outcome: 'false' });
  });

  describe('fail closed', () => {
    const cases: [string, Attributes][] = [
      ['a missing attribute', { location: 'eu-west' }],
      ['an attribute of the wrong type', { clearance_level: 'top-secret', location: 'eu-west' }],
    ];
    it.each(cases)('an allow policy counts as false on %s', (_, attributes) => {
      const { authz } = seedAuthorizer();
      authz.roles.bind('bob', 'ml_engineer');
      const d = authz.decide(request('bob', 'datasets.read', DS1, attributes));
      expect(d.allowed).toBe(false);
      expect(d.reasons[1]).toEqual({ kind: 'policy', policy: 'sensitive_data_access', effect: 'allow', outcome: 'error', error: expect.any(String) });
    });

    it.each(cases)('a deny policy counts as true on %s', (_, attributes) => {
      const authz = new Authorizer();
      authz.roles.createRole('reader', { permissions: ['datasets.read'] });
      authz.roles.bind('bob', 'reader');
      authz.policies.addPolicy({ name: 'low_clearance', effect: 'deny', condition: 'user.clearance_level < 2' });
      const d = authz.decide(request('bob', 'datasets.read', DS1, attributes));
      expect(d.allowed).toBe(false);
      expect(d.reasons[1]).toMatchObject({ policy: 'low_clearance', effect: 'deny', outcome: 'error' });
      expect(authz.decide(request('bob', 'datasets.read', DS1, { clearance_level: 3 })).allowed).toBe(true);
    });

    it('names the error: missing key, wrong types, a type name the request does not have', () => {
      const authz = new Authorizer();
      authz.roles.createRole('reader', { permissions: ['*'] });
      authz.roles.bind('bob', 'reader');
      authz.policies.addPolicy({ name: 'frozen_models', effect: 'deny', condition: 'model.frozen' });
      const d = authz.decide(request('bob', 'datasets.read', DS1));
      expect(d).toEqual({ allowed: false, reasons: [expect.anything(), { kind: 'policy', policy: 'frozen_models', effect: 'deny', outcome: 'error', error: 'Unknown variable: model' }] });
      const m = authz.decide(request('bob', 'models.read', { type: 'model', id: 'm', attributes: { frozen: 'yes' } }));
      expect(m.reasons[1]).toMatchObject({ outcome: 'error' });
      expect(authz.decide(request('bob', 'models.read', { type: 'model', id: 'm', attributes: { frozen: false } })).allowed).toBe(true);
    });
  });

  it('wildcards: resource.* covers that resource only, * covers everything', () => {
    const authz = new Authorizer();
    authz.roles.createRole('modeller', { permissions: ['models.*'] });
    authz.roles.createRole('root', { permissions: ['*'] });
    authz.roles.bind('m', 'modeller');
    authz.roles.bind('r', 'root');
    const model = { type: 'model', id: 'm1' };
    expect(authz.decide(request('m', 'models.delete', model)).allowed).toBe(true);
    expect(authz.decide(request('m', 'modelsx.delete', model)).allowed).toBe(false);
    expect(authz.decide(request('m', 'datasets.read', model)).allowed).toBe(false);
    expect(authz.decide(request('r', 'billing.refund', { type: 'invoice', id: 'i' })).allowed).toBe(true);
  });

  it('inheritance: a role grants what its ancestors grant, naming the carrier', () => {
    const { authz } = seedAuthorizer();
    authz.roles.bind('alice', 'data_scientist');
    const d = authz.decide(request('alice', 'experiments.create', { type: 'experiment', id: 'e' }));
    expect(d).toEqual({ allowed: true, reasons: [{ kind: 'grant', role: 'data_scientist', via: 'ml_engineer', binding: { principal: 'alice', role: 'data_scientist' }, permission: 'experiments.create' }] });
  });

  it('scoped bindings: type, type:id', () => {
    const { authz } = seedAuthorizer();
    authz.roles.bind('alice', 'data_scientist', { resource: 'dataset:ds-1' });
    authz.roles.bind('bob', 'ml_engineer', { resource: 'model' });
    expect(authz.decide(request('alice', 'datasets.create')).allowed).toBe(true);
    expect(authz.decide(request('alice', 'datasets.create', { ...DS1, id: 'ds-2' })).allowed).toBe(false);
    expect(authz.decide(request('bob', 'models.train', { type: 'model', id: 'any' })).allowed).toBe(true);
    expect(authz.decide(request('bob', 'datasets.read')).allowed).toBe(false);
  });

  it('expired bindings never grant: the clock is context.time, else the injected clock', () => {
    const { authz, time } = seedAuthorizer();
    authz.roles.bind('alice', 'data_scientist', { resource: 'dataset:ds-1', expires: '2026-12-01T00:00:00Z' });
    const read = (context?: Attributes) => authz.decide(request('alice', 'datasets.read', DS1, CLEARED, {}, context)).allowed;
    expect(read()).toBe(true);
    time.advance(6 * 86_400_000); // 2026-12-01T10:00Z
    expect(read()).toBe(false);
    expect(read({ time: '2026-11-30T23:59:59Z' })).toBe(true);
    expect(read({ time: '2026-12-01T00:00:00Z' })).toBe(false);
  });

  it('expiry is honoured whatever bindings came and went before (the clock is read when any binding expires)', () => {
    const { authz, time } = seedAuthorizer();
    authz.roles.bind('bob', 'ml_engineer');
    const bobReads = () => authz.decide(request('bob', 'models.train', { type: 'model', id: 'm' })).allowed;
    expect(bobReads()).toBe(true);
    authz.roles.bind('bob', 'ml_engineer', { expires: '2026-11-25T12:00:00Z' }); // replaces the unscoped binding
    expect(bobReads()).toBe(true);
    time.advance(3 * 3_600_000);
    expect(bobReads()).toBe(false);
    authz.roles.bind('bob', 'ml_engineer'); // replaces it again, without expiry
    expect(bobReads()).toBe(true);
    authz.roles.bind('carol', 'ml_engineer', { expires: '2026-11-25T12:00:00Z' });
    expect(authz.decide(request('carol', 'models.train', { type: 'model', id: 'm' })).allowed).toBe(false);
    expect(authz.roles.unbind('carol', 'ml_engineer')).toBe(true);
    expect(authz.roles.hasExpiringBindings).toBe(false);
  });

  it('group bindings and request-asserted roles grant', () => {
    const { authz } = seedAuthorizer();
    authz.roles.bind('group:research', 'ml_engineer', { resource: 'model' });
    expect(authz.decide(request('erin', 'models.train', { type: 'model', id: 'm' }, {}, { groups: ['research'] })).reasons[0]).toMatchObject({ role: 'ml_engineer', binding: { principal: 'group:research' } });
    expect(authz.decide(request('erin', 'models.train', { type: 'model', id: 'm' }, {}, { groups: ['sales'] })).allowed).toBe(false);
    expect(authz.decide(request('erin', 'models.train', { type: 'model', id: 'm' }, {}, { roles: ['ml_engineer'] })).reasons[0]).toMatchObject({ binding: 'request' });
  });
});

describe('CEL variables', () => {
  function withPolicy(condition: string, resources?: string[]) {
    const authz = new Authorizer({ clock: manualClock(START).clock });
    authz.roles.createRole('all', { permissions: ['*'] });
    authz.roles.bind('u1', 'all');
    authz.roles.createRole('viewer', { permissions: ['datasets.read'], inherits: ['all'] });
    authz.roles.bind('u2', 'viewer', { resource: 'dataset' });
    authz.policies.addPolicy({ name: 'p', effect: 'allow', condition, ...(resources === undefined ? {} : { resources }) });
    return (r: AuthorizationRequest) => {
      const d = authz.decide(r);
      const last = d.reasons.at(-1);
      return last?.kind === 'policy' && last.outcome === 'error' ? `error: ${last.error}` : d.allowed;
    };
  }

  it('user carries id and roles (inherited included); attributes cannot pose as them', () => {
    const check = withPolicy('user.id == "u2" && "all" in user.roles && "viewer" in user.roles');
    expect(check(request('u2', 'datasets.read', DS1, { id: 'u1', roles: [] }))).toBe(true);
    expect(check(request('u1', 'datasets.read', DS1, { id: 'u2' }))).toBe(false);
  });

  it.each(['"viewer" in user["roles"]', 'has(user.roles) && "viewer" in user.roles', 'cel.bind(u, user, "viewer" in u.roles)', '["viewer"].all(r, r in user.roles)'])('user.roles is there however the condition reaches it: %s', (condition) => {
    expect(withPolicy(condition)(request('u2', 'datasets.read', DS1))).toBe(true);
    expect(withPolicy(condition)(request('u1', 'datasets.read', DS1))).toBe(false);
  });

  it('resource carries id and type, and is bound under its type name', () => {
    const check = withPolicy('resource.id == "ds-1" && resource.type == "dataset" && dataset.classification_level == 3 && dataset == resource');
    expect(check(request('u1', 'datasets.read', { ...DS1, attributes: { ...DS1.attributes, id: 'x', type: 'y' } }))).toBe(true);
  });

  it('action, and context.time as a timestamp (context or clock)', () => {
    const check = withPolicy('action == "datasets.read" && context.time >= timestamp("2026-11-25T00:00:00Z") && context.time.getHours() == 10 && context.ip == "10.0.0.1"');
    expect(check(request('u1', 'datasets.read', DS1, {}, {}, { ip: '10.0.0.1' }))).toBe(true);
    expect(check(request('u1', 'datasets.read', DS1, {}, {}, { ip: '10.0.0.1', time: '2026-11-25T11:00:00Z' }))).toBe(false);
    expect(check(request('u1', 'datasets.read', DS1, {}, {}, { ip: '10.0.0.1', time: '2026-11-24T10:00:00Z' }))).toBe(false);
  });

  it('JSON integers are CEL ints, fractions doubles, nested lists and maps convert', () => {
    const check = withPolicy('user.level + 1 == 4 && user.score > 0.5 && type(user.score) == double && user.limits.gpus[1] == 8 && user.tags.exists(t, t == "x")');
    expect(check(request('u1', 'datasets.read', DS1, { level: 3, score: 0.75, limits: { gpus: [4, 8] }, tags: ['x', 'y'] }))).toBe(true);
    // 3.5 is a double: double + int has no overload, an error...
    expect(check(request('u1', 'datasets.read', DS1, { level: 3.5, score: 0.75, limits: { gpus: [4, 8] }, tags: ['x'] }))).toMatch(/^error: no such overload/);
    // ...which CEL's commutative && absorbs when another operand is false (as cel-go does).
    expect(check(request('u1', 'datasets.read', DS1, { level: 3.5, score: 0.75, limits: { gpus: [4, 8] }, tags: [] }))).toBe(false);
  });

  it('a __proto__ attribute is data, not a prototype', () => {
    const check = withPolicy('user.__proto__.admin == true');
    const attributes = JSON.parse('{"__proto__": {"admin": true}}') as Attributes;
    expect(check(request('u1', 'datasets.read', DS1, attributes))).toBe(true);
    expect(Object.getPrototypeOf(attributes)).toBe(Object.prototype);
  });

  it('a non-bool result (through dyn) fails closed', () => {
    expect(withPolicy('user.flag')(request('u1', 'datasets.read', DS1, { flag: 'yes' }))).toBe('error: condition gave string, not bool');
  });
});

describe('malformed requests are refused, not decided', () => {
  const { authz } = seedAuthorizer();
  it.each([
    ['a wildcard action', request('bob', 'datasets.*')],
    ['an action without resource', request('bob', 'read')],
    ['an empty principal', request('', 'datasets.read')],
    ['a bad resource type', request('bob', 'datasets.read', { type: 'Data Set', id: 'x' })],
    ['a reserved resource type', request('bob', 'datasets.read', { type: 'user', id: 'x' })],
    ['an empty resource id', request('bob', 'datasets.read', { type: 'dataset', id: '' })],
    ['a bad context.time', request('bob', 'datasets.read', DS1, CLEARED, {}, { time: 'yesterday' })],
    ['roles as a string (not read letter by letter)', request('bob', 'datasets.read', DS1, CLEARED, { roles: 'admin' as never })],
    ['groups as a string', request('bob', 'datasets.read', DS1, CLEARED, { groups: 'research' as never })],
    ['attributes as a list', request('bob', 'datasets.read', DS1, [] as never)],
    ['resource attributes as a string', request('bob', 'datasets.read', { type: 'dataset', id: 'x', attributes: 'x' as never })],
    ['context as a list', request('bob', 'datasets.read', DS1, CLEARED, {}, [] as never)],
  ])('%s', (_, r) => {
    expect(() => authz.decide(r)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }));
  });
});

describe('an unknown key of the request is refused, never ignored', () => {
  const invalid = (message: string, field: string) => expect.objectContaining({ code: 'ERR_INVALID_INPUT', message, details: { field } });
  const PRINCIPAL = '(supported: id, roles, groups, attributes)';

  it.each([
    ['principal.attributs', { principal: { id: 'bob', attributs: CLEARED }, action: 'datasets.read', resource: DS1 }, `request.principal: unknown key "attributs" ${PRINCIPAL}`, 'request.principal.attributs'],
    ['principal.role', { principal: { id: 'bob', role: ['admin'] }, action: 'datasets.read', resource: DS1 }, `request.principal: unknown key "role" ${PRINCIPAL}`, 'request.principal.role'],
    ['contxt', { principal: { id: 'bob', attributes: CLEARED }, action: 'datasets.read', resource: DS1, contxt: { time: '2027-01-01T00:00:00Z' } }, 'request: unknown key "contxt" (supported: principal, action, resource, context)', 'request.contxt'],
    ['resource.attrs', { principal: { id: 'bob', attributes: CLEARED }, action: 'datasets.read', resource: { type: 'dataset', id: 'ds-1', attrs: DS1.attributes } }, 'request.resource: unknown key "attrs" (supported: type, id, attributes)', 'request.resource.attrs'],
    ['an own __proto__ key (as JSON.parse makes it)', JSON.parse('{"principal": {"id": "bob"}, "action": "datasets.read", "resource": {"type": "dataset", "id": "ds-1"}, "__proto__": {}}'), 'request: unknown key "__proto__" (supported: principal, action, resource, context)', 'request.__proto__'],
  ])('%s: decide and explain throw ERR_INVALID_INPUT naming it', (_, r, message, field) => {
    const { authz } = seedAuthorizer();
    authz.roles.bind('bob', 'ml_engineer');
    expect(() => authz.decide(r as never)).toThrow(invalid(message, field));
    expect(() => authz.explain(r as never)).toThrow(invalid(message, field));
  });

  it('a misspelt attributes no longer satisfies a !has() condition', () => {
    const authz = new Authorizer();
    authz.roles.createRole('reader', { permissions: ['documents.read'] });
    authz.roles.bind('bob', 'reader');
    authz.policies.addPolicy({ name: 'uncleared_only', effect: 'allow', resources: ['document'], condition: '!has(user.clearance)' });
    const resource = { type: 'document', id: 'd1' };
    expect(authz.decide({ principal: { id: 'bob', attributes: { clearance: 'secret' } }, action: 'documents.read', resource }).allowed).toBe(false);
    expect(() => authz.decide({ principal: { id: 'bob', attributs: { clearance: 'secret' } } as never, action: 'documents.read', resource })).toThrow(
      invalid(`request.principal: unknown key "attributs" ${PRINCIPAL}`, 'request.principal.attributs'),
    );
  });

  it('every supported key is accepted and decides as before; attributes and context stay free-form', () => {
    const { authz } = seedAuthorizer();
    authz.roles.bind('group:research', 'ml_engineer');
    const full: AuthorizationRequest = {
      principal: { id: 'bob', roles: [], groups: ['research'], attributes: { ...CLEARED, attributs: 1, anything: { contxt: true } } },
      action: 'datasets.read',
      resource: { type: 'dataset', id: 'ds-1', attributes: { ...DS1.attributes, typ: 'x' } },
      context: { time: '2026-11-25T10:00:00Z', ip: '10.0.0.1', contxt: 'free-form' },
    };
    expect(authz.decide(full)).toEqual({
      allowed: true,
      reasons: [
        { kind: 'grant', role: 'ml_engineer', binding: { principal: 'group:research', role: 'ml_engineer' }, permission: 'datasets.read' },
        { kind: 'policy', policy: 'sensitive_data_access', effect: 'allow', outcome: 'true' },
        { kind: 'policy', policy: 'geographic_restriction', effect: 'allow', outcome: 'true' },
      ],
    });
    expect(authz.explain(full).allowed).toBe(true);
    // Optional keys present but undefined are still known keys.
    expect(authz.decide({ principal: { id: 'bob', roles: undefined, groups: ['research'], attributes: CLEARED }, action: 'datasets.read', resource: { ...DS1 }, context: undefined }).allowed).toBe(true);
  });

  it('whatCan and filter refuse an unknown key of the principal or a resource as decide does', () => {
    const { authz } = seedAuthorizer();
    authz.roles.bind('bob', 'ml_engineer');
    expect(() => authz.whatCan({ id: 'bob', attributs: CLEARED } as never, DS1)).toThrow(invalid(`request.principal: unknown key "attributs" ${PRINCIPAL}`, 'request.principal.attributs'));
    expect(() => authz.filter({ id: 'bob', attributes: CLEARED }, 'datasets.read', [DS1, { type: 'dataset', id: 'ds-2', atributes: {} } as never])).toThrow(
      invalid('request.resource: unknown key "atributes" (supported: type, id, attributes)', 'request.resource.atributes'),
    );
  });
});

describe('explain, whatCan, filter', () => {
  it('explain evaluates every applicable policy and says why in words', () => {
    const { authz } = seedAuthorizer();
    authz.roles.bind('alice', 'data_scientist', { resource: 'dataset:ds-1', expires: '2026-12-01T00:00:00Z' });
    const r = request('alice', 'datasets.read', DS1, { clearance_level: 1, location: 'mars' });
    const e = authz.explain(r);
    expect(e.allowed).toBe(false);
    expect(authz.decide(r).reasons).toHaveLength(2); // decide stops at the first allow that fails
    expect(e.reasons).toHaveLength(3);
    expect(e.text).toBe(
      [
        'DENIED: alice may not datasets.read on dataset:ds-1',
        '- granted by role data_scientist (permission datasets.read, via ml_engineer), bound to alice on dataset:ds-1 until 2026-12-01T00:00:00Z',
        '- allow policy sensitive_data_access: condition false, so it denies',
        '- allow policy geographic_restriction: condition false, so it denies',
      ].join('\n'),
    );
    const noGrant = authz.explain(request('mallory', 'datasets.read'));
    expect(noGrant.allowed).toBe(false);
    expect(noGrant.text.split('\n')[1]).toBe('- no unexpired binding or asserted role grants this action on this resource, so it denies');
    expect(noGrant.reasons.slice(1).map((x) => (x.kind === 'policy' ? x.outcome : x.kind))).toEqual(['true', 'true']);
  });

  it('explain and decide agree on every request of a table', () => {
    const { authz } = seedAuthorizer();
    authz.roles.bind('bob', 'ml_engineer');
    authz.policies.addPolicy({ name: 'weekday', effect: 'deny', condition: 'context.time.getDayOfWeek() == 0' });
    for (const action of ['datasets.read', 'datasets.create', 'models.train'])
      for (const level of [1, 3, 5])
        for (const location of ['eu-west', 'mars'])
          for (const time of ['2026-11-29T10:00:00Z', '2026-11-30T10:00:00Z']) {
            const r = request('bob', action, DS1, { clearance_level: level, location }, {}, { time });
            expect(authz.explain(r).allowed).toBe(authz.decide(r).allowed);
          }
  });

  it('whatCan lists the allowed actions, wildcards expanded against the catalogue', () => {
    const { authz } = seedAuthorizer();
    authz.roles.bind('alice', 'data_scientist');
    authz.roles.bind('root', 'admin');
    expect(authz.whatCan({ id: 'alice', attributes: CLEARED }, DS1)).toEqual(['datasets.create', 'datasets.read', 'experiments.create', 'models.deploy', 'models.evaluate', 'models.train']);
    // Policies still decide: geography fails every action on this data set.
    expect(authz.whatCan({ id: 'alice', attributes: { clearance_level: 5, location: 'mars' } }, DS1)).toEqual([]);
    expect(authz.whatCan({ id: 'root', attributes: CLEARED }, { type: 'model', id: 'm' }, { actions: ['billing.refund'] })).toEqual([
      'billing.refund', 'datasets.create', 'datasets.read', 'experiments.create', 'models.deploy', 'models.evaluate', 'models.train',
    ]);
    expect(authz.whatCan({ id: 'nobody' }, DS1)).toEqual([]);
  });

  it('whatCan expands resource.* against actions named by roles, policies and the constructor', () => {
    const authz = new Authorizer({ actions: ['models.export'] });
    authz.roles.createRole('modeller', { permissions: ['models.*'] });
    authz.roles.createRole('other', { permissions: ['models.train', 'datasets.read'] });
    authz.roles.bind('m', 'modeller');
    authz.policies.addPolicy({ name: 'no_delete_prod', effect: 'deny', actions: ['models.delete'], condition: 'resource.stage == "prod"' });
    expect(authz.whatCan({ id: 'm' }, { type: 'model', id: 'm1', attributes: { stage: 'prod' } })).toEqual(['models.export', 'models.train']);
    expect(authz.whatCan({ id: 'm' }, { type: 'model', id: 'm1', attributes: { stage: 'dev' } })).toEqual(['models.delete', 'models.export', 'models.train']);
  });

  it('filter keeps the resources the principal may act on, in order', () => {
    const { authz } = seedAuthorizer();
    authz.roles.bind('bob', 'ml_engineer');
    const sets = [
      { type: 'dataset', id: 'a', attributes: { classification_level: 1, allowed_regions: ['eu-west'] } },
      { type: 'dataset', id: 'b', attributes: { classification_level: 5, allowed_regions: ['eu-west'] } },
      { type: 'dataset', id: 'c', attributes: { classification_level: 2, allowed_regions: ['us-east'] } },
      { type: 'dataset', id: 'd', attributes: { classification_level: 4, allowed_regions: ['eu-west'] } },
    ];
    expect(authz.filter({ id: 'bob', attributes: CLEARED }, 'datasets.read', sets).map((s) => s.id)).toEqual(['a', 'd']);
    expect(authz.filter({ id: 'bob', attributes: CLEARED }, 'datasets.create', sets)).toEqual([]);
  });
});

describe('options: an unknown one is refused, never ignored', () => {
  const unsupported = (message: string) => expect.objectContaining({ code: 'ERR_CONFIG_UNSUPPORTED_OPTION', message });

  it('the constructor refuses unknown options and options of the wrong kind', () => {
    expect(() => new Authorizer({ policy: {} } as never)).toThrow(unsupported('Authorizer: unknown option policy (supported: roles, policies, clock, actions)'));
    expect(() => new Authorizer({ clock: '2026-11-25T10:00:00Z' } as never)).toThrow(unsupported('Authorizer: clock: clock must be a function returning a Date'));
    expect(() => new Authorizer({ roles: { createRole() {} } } as never)).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_UNSUPPORTED_OPTION', message: expect.stringContaining('Authorizer: roles: ') }));
  });

  it('whatCan and filter refuse unknown options (a misspelt context would decide without it)', () => {
    const { authz } = seedAuthorizer();
    authz.roles.bind('bob', 'ml_engineer', { expires: '2026-12-01T00:00:00Z' });
    const late = { time: '2027-01-01T00:00:00Z' };
    expect(() => authz.whatCan({ id: 'bob', attributes: CLEARED }, DS1, { contxt: late } as never)).toThrow(unsupported('Authorizer.whatCan: unknown option contxt (supported: context, actions)'));
    expect(() => authz.filter({ id: 'bob', attributes: CLEARED }, 'datasets.read', [DS1], { contxt: late } as never)).toThrow(unsupported('Authorizer.filter: unknown option contxt (supported: context)'));
    // Spelt right, the context decides: the binding has expired by then.
    expect(authz.filter({ id: 'bob', attributes: CLEARED }, 'datasets.read', [DS1], { context: late })).toEqual([]);
    expect(authz.whatCan({ id: 'bob', attributes: CLEARED }, DS1, { context: late })).toEqual([]);
  });
});
