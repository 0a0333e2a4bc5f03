import { describe, expect, it } from 'vitest';
import { RoleManager } from '../../src/access/role-manager.js';

const invalid = (message: RegExp | string, field?: string) =>
  expect.objectContaining({ code: 'ERR_INVALID_INPUT', message: typeof message === 'string' ? expect.stringContaining(message) : expect.stringMatching(message), ...(field === undefined ? {} : { details: expect.objectContaining({ field }) }) });

const NOW = Date.parse('2026-11-25T10:00:00Z');
const principal = (id: string, extra: { roles?: string[]; groups?: string[] } = {}) => ({ id, ...extra });

function seedRoles(): RoleManager {
  const roles = new RoleManager();
  roles.createRole('ml_engineer', { permissions: ['models.train', 'models.evaluate', 'datasets.read', 'experiments.create'] });
  roles.createRole('data_scientist', { permissions: ['models.deploy', 'datasets.create'], inherits: ['ml_engineer'] });
  roles.createRole('admin', { permissions: ['*'] });
  return roles;
}

describe('RoleManager roles', () => {
  it('keeps roles as defined, frozen, and lists them', () => {
    const roles = seedRoles();
    const ds = roles.getRole('data_scientist');
    expect(ds).toEqual({ name: 'data_scientist', permissions: ['models.deploy', 'datasets.create'], inherits: ['ml_engineer'] });
    expect(Object.isFrozen(ds)).toBe(true);
    expect(roles.listRoles().map((r) => r.name)).toEqual(['ml_engineer', 'data_scientist', 'admin']);
  });

  it('refuses bad role names, permissions and descriptions', () => {
    const roles = new RoleManager();
    for (const name of ['Admin', '1role', '', 'a'.repeat(65), 'has space']) {
      expect(() => roles.createRole(name, { permissions: ['models.train'] })).toThrow(invalid('role name', 'name'));
    }
    expect(() => roles.createRole('r', { permissions: [] })).toThrow(invalid('permissions must be a list'));
    for (const bad of ['models', 'models.*.x', 'Models.train', '*.train', 'models.train.admin', '**']) {
      expect(() => roles.createRole('r', { permissions: [bad] })).toThrow(invalid(`permission ${JSON.stringify(bad)}`));
    }
    expect(() => roles.createRole('r', { permissions: ['models.train'], description: 'x'.repeat(1001) })).toThrow(invalid('description', 'description'));
    expect(roles.listRoles()).toEqual([]);
  });

  it('refuses a second role of the same name; updateRole replaces one', () => {
    const roles = seedRoles();
    expect(() => roles.createRole('admin', { permissions: ['models.train'] })).toThrow(invalid('already exists'));
    roles.updateRole('admin', { permissions: ['models.*'], description: 'models only' });
    expect(roles.getRole('admin')).toEqual({ name: 'admin', permissions: ['models.*'], description: 'models only' });
    expect(() => roles.updateRole('nobody', { permissions: ['models.train'] })).toThrow(invalid('does not exist'));
  });

  it('refuses an unknown parent and any inheritance cycle, self included', () => {
    const roles = seedRoles();
    expect(() => roles.createRole('x', { permissions: ['models.train'], inherits: ['ghost'] })).toThrow(invalid('inherits unknown role "ghost"', 'inherits'));
    expect(() => roles.createRole('x', { permissions: ['models.train'], inherits: ['x'] })).toThrow(invalid('would inherit itself: x → x', 'inherits'));
    roles.createRole('lead', { permissions: ['experiments.manage'], inherits: ['data_scientist'] });
    // ml_engineer ← data_scientist ← lead: making ml_engineer inherit lead closes the loop.
    expect(() => roles.updateRole('ml_engineer', { permissions: ['models.train'], inherits: ['lead'] })).toThrow(invalid('"ml_engineer" would inherit itself: ml_engineer → lead → data_scientist → ml_engineer'));
    expect(roles.getRole('ml_engineer')?.inherits).toBeUndefined();
  });

  it('refuses to delete a role still inherited or bound, and deletes it after', () => {
    const roles = seedRoles();
    // the store's words (role-in-use.ts), so the library and the server say it alike
    expect(() => roles.deleteRole('ml_engineer')).toThrow(invalid(`role "ml_engineer" is inherited by data_scientist; remove it from that role's inherits first`));
    roles.bind('alice', 'data_scientist');
    expect(() => roles.deleteRole('data_scientist')).toThrow(invalid('role "data_scientist" is named by 1 binding (alice); delete that binding first'));
    expect(roles.unbind('alice', 'data_scientist')).toBe(true);
    expect(roles.deleteRole('data_scientist')).toBe(true);
    expect(roles.deleteRole('data_scientist')).toBe(false);
    expect(roles.deleteRole('ml_engineer')).toBe(true);
  });
});

describe('RoleManager bindings', () => {
  it('validates principal, role, scope and expiry', () => {
    const roles = seedRoles();
    expect(() => roles.bind('has space', 'admin')).toThrow(invalid('principal', 'principal'));
    expect(() => roles.bind('alice', 'ghost')).toThrow(invalid('role "ghost" does not exist', 'role'));
    for (const resource of ['', 'Dataset', 'dataset:', 'data-set', 'user', 'dataset:has space', ':ds-1']) {
      expect(() => roles.bind('alice', 'admin', { resource })).toThrow(invalid('resource', 'resource'));
    }
    for (const expires of ['tomorrow', '2026-12-01', '2026-12-01T00:00:00', '2026-13-01T00:00:00Z']) {
      expect(() => roles.bind('alice', 'admin', { expires })).toThrow(invalid('expires', 'expires'));
    }
    expect(roles.listBindings()).toEqual([]);
  });

  it('re-binding the same principal, role and scope replaces it; unbind removes exactly that scope', () => {
    const roles = seedRoles();
    roles.bind('alice', 'ml_engineer', { resource: 'dataset:ds-1', expires: '2026-12-01T00:00:00Z' });
    roles.bind('alice', 'ml_engineer', { resource: 'dataset:ds-1', expires: '2027-01-01T00:00:00Z' });
    roles.bind('alice', 'ml_engineer');
    roles.bind('group:research', 'data_scientist', { resource: 'model' });
    expect(roles.listBindings({ principal: 'alice' })).toEqual([
      { principal: 'alice', role: 'ml_engineer', resource: 'dataset:ds-1', expires: '2027-01-01T00:00:00Z' },
      { principal: 'alice', role: 'ml_engineer' },
    ]);
    expect(roles.listBindings({ role: 'data_scientist' })).toEqual([{ principal: 'group:research', role: 'data_scientist', resource: 'model' }]);
    expect(roles.unbind('alice', 'ml_engineer', { resource: 'dataset:ds-2' })).toBe(false);
    expect(roles.unbind('alice', 'ml_engineer')).toBe(true);
    expect(roles.listBindings({ principal: 'alice' })).toEqual([{ principal: 'alice', role: 'ml_engineer', resource: 'dataset:ds-1', expires: '2027-01-01T00:00:00Z' }]);
  });

  it('grants through exact, resource.* and * permissions, naming the most specific one', () => {
    const roles = seedRoles();
    roles.createRole('modeller', { permissions: ['models.*', 'models.train'] });
    roles.bind('m', 'modeller');
    roles.bind('root', 'admin');
    expect(roles.grantFor(principal('m'), 'models.train', 'models.*', 'model', 'm1', NOW)).toMatchObject({ role: 'modeller', permission: 'models.train' });
    expect(roles.grantFor(principal('m'), 'models.delete', 'models.*', 'model', 'm1', NOW)).toMatchObject({ role: 'modeller', permission: 'models.*' });
    expect(roles.grantFor(principal('m'), 'datasets.read', 'datasets.*', 'dataset', 'd1', NOW)).toBeUndefined();
    expect(roles.grantFor(principal('root'), 'anything.goes', 'anything.*', 'thing', 't', NOW)).toMatchObject({ role: 'admin', permission: '*' });
  });

  it('grants inherited permissions, naming the role that carries them', () => {
    const roles = seedRoles();
    roles.bind('alice', 'data_scientist');
    expect(roles.grantFor(principal('alice'), 'models.deploy', 'models.*', 'model', 'm', NOW)).toEqual({ kind: 'grant', role: 'data_scientist', binding: { principal: 'alice', role: 'data_scientist' }, permission: 'models.deploy' });
    expect(roles.grantFor(principal('alice'), 'datasets.read', 'datasets.*', 'dataset', 'd', NOW)).toEqual({ kind: 'grant', role: 'data_scientist', via: 'ml_engineer', binding: { principal: 'alice', role: 'data_scientist' }, permission: 'datasets.read' });
  });

  it('applies a scope: none, a type, or one type:id', () => {
    const roles = seedRoles();
    roles.bind('bob', 'ml_engineer', { resource: 'model' });
    roles.bind('carol', 'ml_engineer', { resource: 'dataset:ds-1' });
    const bob = (type: string, id: string) => roles.grantFor(principal('bob'), 'models.train', 'models.*', type, id, NOW);
    expect(bob('model', 'any')).toBeDefined();
    expect(bob('dataset', 'any')).toBeUndefined();
    const carol = (type: string, id: string) => roles.grantFor(principal('carol'), 'datasets.read', 'datasets.*', type, id, NOW);
    expect(carol('dataset', 'ds-1')).toBeDefined();
    expect(carol('dataset', 'ds-2')).toBeUndefined();
    expect(carol('model', 'ds-1')).toBeUndefined();
  });

  it('never grants through an expired binding: it grants strictly before expires', () => {
    const roles = seedRoles();
    roles.bind('alice', 'ml_engineer', { expires: '2026-12-01T00:00:00Z' });
    const at = (iso: string) => roles.grantFor(principal('alice'), 'models.train', 'models.*', 'model', 'm', Date.parse(iso));
    expect(at('2026-11-30T23:59:59.999Z')).toBeDefined();
    expect(at('2026-12-01T00:00:00Z')).toBeUndefined();
    expect(at('2027-01-01T00:00:00Z')).toBeUndefined();
    expect(roles.listBindings({ principal: 'alice' })).toHaveLength(1); // listed, never granting
  });

  it('grants through group bindings and request-asserted roles, bindings first', () => {
    const roles = seedRoles();
    roles.bind('group:research', 'ml_engineer');
    roles.bind('dave', 'admin', { resource: 'model' });
    const dave = principal('dave', { groups: ['research'], roles: ['data_scientist'] });
    expect(roles.grantFor(dave, 'models.train', 'models.*', 'model', 'm', NOW)).toMatchObject({ role: 'admin', binding: { principal: 'dave' } });
    expect(roles.grantFor(dave, 'datasets.read', 'datasets.*', 'dataset', 'd', NOW)).toMatchObject({ role: 'ml_engineer', binding: { principal: 'group:research' } });
    expect(roles.grantFor(dave, 'datasets.create', 'datasets.*', 'dataset', 'd', NOW)).toEqual({ kind: 'grant', role: 'data_scientist', binding: 'request', permission: 'datasets.create' });
    // A group binding does not apply to someone outside the group; an unknown asserted role grants nothing.
    expect(roles.grantFor(principal('erin', { roles: ['ghost'] }), 'datasets.read', 'datasets.*', 'dataset', 'd', NOW)).toBeUndefined();
  });

  it('lists the roles held on a resource, inherited ones included, for user.roles', () => {
    const roles = seedRoles();
    roles.bind('alice', 'data_scientist', { resource: 'dataset:ds-1' });
    roles.bind('alice', 'admin', { expires: '2026-01-01T00:00:00Z' });
    expect(roles.rolesHeld(principal('alice'), 'dataset', 'ds-1', NOW)).toEqual(['data_scientist', 'ml_engineer']);
    expect(roles.rolesHeld(principal('alice'), 'dataset', 'ds-2', NOW)).toEqual([]);
    expect(roles.rolesHeld(principal('alice', { roles: ['admin'] }), 'dataset', 'ds-1', NOW)).toEqual(['data_scientist', 'ml_engineer', 'admin']);
  });

  it('sees role changes in later grants', () => {
    const roles = seedRoles();
    roles.bind('alice', 'ml_engineer');
    expect(roles.grantFor(principal('alice'), 'models.deploy', 'models.*', 'model', 'm', NOW)).toBeUndefined();
    roles.updateRole('ml_engineer', { permissions: ['models.*'] });
    expect(roles.grantFor(principal('alice'), 'models.deploy', 'models.*', 'model', 'm', NOW)).toMatchObject({ permission: 'models.*' });
  });
});

describe('RoleManager: an unknown field is refused, never ignored', () => {
  const unsupported = (message: string) => expect.objectContaining({ code: 'ERR_CONFIG_UNSUPPORTED_OPTION', message: expect.stringContaining(message) });

  it('bind refuses a misspelt expires or resource, binding nothing (it would have bound forever, or on every resource)', () => {
    const roles = seedRoles();
    expect(() => roles.bind('bob', 'data_scientist', { resource: 'dataset:ds-1', expiry: '2020-12-01T00:00:00Z' } as never)).toThrow(
      invalid('RoleManager.bind(bob → data_scientist): unknown option expiry (supported: resource, expires)', 'expiry'),
    );
    expect(() => roles.bind('carol', 'data_scientist', { resouce: 'dataset:ds-1' } as never)).toThrow(invalid('unknown option resouce (supported: resource, expires)', 'resouce'));
    expect(roles.listBindings()).toEqual([]);
    expect(roles.grantFor(principal('bob'), 'datasets.read', 'datasets.*', 'dataset', 'ds-1', NOW)).toBeUndefined();
    expect(roles.grantFor(principal('carol'), 'datasets.read', 'datasets.*', 'dataset', 'ds-2', NOW)).toBeUndefined();
    expect(() => roles.bind('bob', 'data_scientist', null as never)).toThrow(invalid('bind options', 'options'));
  });

  it('createRole and updateRole refuse a misspelt inherits (and any other unknown field), changing nothing', () => {
    const roles = seedRoles();
    expect(() => roles.createRole('lead', { permissions: ['experiments.manage'], inherit: ['data_scientist'] } as never)).toThrow(
      invalid('RoleManager.createRole("lead"): unknown option inherit (supported: permissions, inherits, description)', 'inherit'),
    );
    expect(roles.getRole('lead')).toBeUndefined();
    expect(() => roles.updateRole('data_scientist', { permissions: ['models.deploy'], inherits: ['ml_engineer'], descripton: 'typo' } as never)).toThrow(
      invalid('RoleManager.updateRole("data_scientist"): unknown option descripton', 'descripton'),
    );
    expect(roles.getRole('data_scientist')).toEqual({ name: 'data_scientist', permissions: ['models.deploy', 'datasets.create'], inherits: ['ml_engineer'] });
    // The name goes in the first argument, not in the spec.
    expect(() => roles.createRole('x', { name: 'x', permissions: ['models.train'] } as never)).toThrow(invalid('unknown option name', 'name'));
  });

  it('unbind and listBindings refuse unknown options (a misspelt resource would unbind the unscoped binding)', () => {
    const roles = seedRoles();
    roles.bind('alice', 'ml_engineer');
    roles.bind('alice', 'ml_engineer', { resource: 'dataset:ds-1' });
    expect(() => roles.unbind('alice', 'ml_engineer', { resouce: 'dataset:ds-1' } as never)).toThrow(unsupported('RoleManager.unbind: unknown option resouce (supported: resource)'));
    expect(() => roles.listBindings({ principle: 'alice' } as never)).toThrow(unsupported('RoleManager.listBindings: unknown option principle (supported: principal, role)'));
    expect(roles.listBindings({ principal: 'alice' })).toHaveLength(2);
  });
});
