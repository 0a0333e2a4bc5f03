import { describe, expect, it } from 'vitest';
import { ConditionCompiler } from '../../src/access/condition-compiler.js';
import { PolicyEngine } from '../../src/access/policy-engine.js';
import type { Policy } from '../../src/access/model.js';

const SEED: Policy = { name: 'sensitive_data_access', effect: 'allow', actions: ['datasets.*'], resources: ['dataset'], condition: 'user.clearance_level >= dataset.classification_level' };

function refusal(engine: PolicyEngine, policy: Policy) {
  try {
    engine.addPolicy(policy);
  } catch (err) {
    return err as { code: string; message: string; details: Record<string, unknown> };
  }
  throw new Error('expected the policy to be refused');
}

describe('PolicyEngine: conditions are compiled and type-checked on add', () => {
  it('accepts the seed conditions and keeps the policy as given, frozen', () => {
    const engine = new PolicyEngine();
    const added = engine.addPolicy(SEED);
    expect(added).toEqual(SEED);
    expect(Object.isFrozen(added)).toBe(true);
    engine.addPolicy({ name: 'geographic_restriction', effect: 'allow', resources: ['dataset'], condition: 'user.location in dataset.allowed_regions' });
    expect(engine.listPolicies().map((p) => p.name)).toEqual(['sensitive_data_access', 'geographic_restriction']);
  });

  it('refuses a syntax error with the policy, position and reason', () => {
    const err = refusal(new PolicyEngine(), { ...SEED, condition: 'user.clearance_level >= ' });
    expect(err.code).toBe('ERR_POLICY_INVALID');
    expect(err.message).toMatch(/^policy "sensitive_data_access": condition at line 1, column 25: Unexpected token: EOF$/);
    expect(err.details).toMatchObject({ policy: 'sensitive_data_access', field: 'condition', reason: 'Unexpected token: EOF', position: { offset: 24, line: 1, column: 25 } });
  });

  it('refuses an unknown variable, on the line and column where it is', () => {
    const err = refusal(new PolicyEngine(), { ...SEED, condition: 'user.clearance_level >= 2 &&\n  usr.location == "eu"' });
    expect(err.details).toMatchObject({ reason: 'Unknown variable: usr', position: { line: 2, column: 3 } });
  });

  it('refuses a type error: no such overload, or a non-bool result', () => {
    expect(refusal(new PolicyEngine(), { ...SEED, condition: 'action + 1 == 2' }).details).toMatchObject({ reason: expect.stringContaining('no such overload: string + int'), position: { column: 1 } });
    expect(refusal(new PolicyEngine(), { ...SEED, condition: 'size(action)' }).details.reason).toBe('must be a bool expression, not int');
    expect(refusal(new PolicyEngine(), { ...SEED, condition: '"yes"' }).details.reason).toBe('must be a bool expression, not string');
    expect(refusal(new PolicyEngine(), { ...SEED, condition: '  ' }).details.reason).toMatch(/non-empty/);
  });

  it('lets a policy name only its own resource types; one without resources, the catalogue', () => {
    const engine = new PolicyEngine({ resourceTypes: ['notebook'] });
    expect(refusal(engine, { ...SEED, condition: 'model.owner == user.id' }).details).toMatchObject({ reason: 'Unknown variable: model' });
    engine.addPolicy({ name: 'any_type', effect: 'deny', condition: 'model.frozen == true || notebook.locked == true || dataset.x == 1' });
    expect(refusal(engine, { name: 'unknown_type', effect: 'deny', condition: 'pipeline_run.x == 1' }).details).toMatchObject({ reason: 'Unknown variable: pipeline_run' });
    engine.addPolicy({ name: 'runs', effect: 'deny', resources: ['pipeline_run'], condition: 'pipeline_run.x == 1 && resource.type == "pipeline_run"' });
    expect(engine.resourceTypes).toContain('notebook');
  });

  it('refuses bad names, effects, actions and resources, naming the field', () => {
    const engine = new PolicyEngine();
    expect(refusal(engine, { ...SEED, name: '9lives' }).details).toMatchObject({ field: 'name' });
    expect(refusal(engine, { ...SEED, effect: 'permit' as never }).details).toMatchObject({ field: 'effect', reason: 'effect must be "allow" or "deny", not "permit"' });
    expect(refusal(engine, { ...SEED, actions: ['datasets'] }).details).toMatchObject({ field: 'actions' });
    expect(refusal(engine, { ...SEED, actions: [] }).details).toMatchObject({ field: 'actions' });
    expect(refusal(engine, { ...SEED, resources: ['user'] }).details).toMatchObject({ field: 'resources' });
    expect(refusal(engine, { ...SEED, resources: ['data-set'] }).details).toMatchObject({ field: 'resources' });
    expect(refusal(engine, { ...SEED, condition: 42 as never }).details).toMatchObject({ field: 'condition' });
    expect(engine.listPolicies()).toEqual([]);
  });

  it('refuses a duplicate name; updatePolicy replaces in place; removePolicy removes', () => {
    const engine = new PolicyEngine();
    engine.addPolicy(SEED);
    engine.addPolicy({ name: 'second', effect: 'deny', condition: 'context.mfa == false' });
    expect(refusal(engine, SEED).message).toContain('already exists');
    engine.updatePolicy({ ...SEED, condition: 'user.clearance_level > dataset.classification_level' });
    expect(engine.listPolicies().map((p) => [p.name, p.condition])).toEqual([
      ['sensitive_data_access', 'user.clearance_level > dataset.classification_level'],
      ['second', 'context.mfa == false'],
    ]);
    expect(() => engine.updatePolicy({ ...SEED, name: 'ghost' })).toThrow(expect.objectContaining({ code: 'ERR_POLICY_INVALID' }));
    // A refused update leaves the old policy in force.
    expect(() => engine.updatePolicy({ ...SEED, condition: 'nope(' })).toThrow(expect.objectContaining({ code: 'ERR_POLICY_INVALID' }));
    expect(engine.getPolicy('sensitive_data_access')?.condition).toBe('user.clearance_level > dataset.classification_level');
    expect(engine.removePolicy('sensitive_data_access')).toBe(true);
    expect(engine.removePolicy('sensitive_data_access')).toBe(false);
    expect(engine.listPolicies().map((p) => p.name)).toEqual(['second']);
  });
});

describe('PolicyEngine: an unknown field or option is refused, never ignored', () => {
  const SUPPORTED = '(supported: name, effect, condition, actions, resources, description)';

  it('addPolicy refuses a misspelt actions (it would have applied to every action, denying everything), naming the policy and field', () => {
    const engine = new PolicyEngine();
    const err = refusal(engine, { name: 'deny_delete', condition: 'true', effect: 'deny', action: ['datasets.delete'] } as never);
    expect(err.code).toBe('ERR_POLICY_INVALID');
    expect(err.message).toBe(`policy "deny_delete": unknown option action ${SUPPORTED}`);
    expect(err.details).toMatchObject({ policy: 'deny_delete', field: 'action', reason: `unknown option action ${SUPPORTED}` });
    expect(refusal(engine, { ...SEED, resource_types: ['dataset'] } as never).details).toMatchObject({ policy: 'sensitive_data_access', field: 'resource_types' });
    expect(engine.listPolicies()).toEqual([]);
    expect(engine.applicable('dataset', 'datasets.read', 'datasets.*')).toMatchObject({ deny: [], allow: [] });
  });

  it('updatePolicy refuses an unknown field and keeps the policy in force', () => {
    const engine = new PolicyEngine();
    engine.addPolicy(SEED);
    expect(() => engine.updatePolicy({ ...SEED, condition: 'false', actons: ['models.*'] } as never)).toThrow(
      expect.objectContaining({ code: 'ERR_POLICY_INVALID', message: `policy "sensitive_data_access": unknown option actons ${SUPPORTED}` }),
    );
    expect(engine.getPolicy('sensitive_data_access')).toEqual(SEED);
  });

  it('the constructor refuses an unknown option, listing resourceTypes', () => {
    expect(() => new PolicyEngine({ resourceType: ['notebook'] } as never)).toThrow(
      expect.objectContaining({ code: 'ERR_CONFIG_UNSUPPORTED_OPTION', message: 'PolicyEngine: unknown option resourceType (supported: resourceTypes)' }),
    );
    expect(() => new PolicyEngine({ resourceTypes: 'notebook' } as never)).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_UNSUPPORTED_OPTION', message: expect.stringContaining('resourceTypes') }));
  });
});

describe('PolicyEngine: which policies apply', () => {
  const names = (engine: PolicyEngine, type: string, action: string) => {
    const found = engine.applicable(type, action, `${action.split('.')[0]}.*`);
    return { deny: found.deny.map((p) => p.policy.name), allow: found.allow.map((p) => p.policy.name) };
  };

  it('matches actions (exact, resource.*, * or omitted) and resource types (listed or omitted), in order', () => {
    const engine = new PolicyEngine();
    engine.addPolicy({ name: 'exact', effect: 'allow', actions: ['datasets.read'], condition: 'true' });
    engine.addPolicy({ name: 'family', effect: 'deny', actions: ['datasets.*'], resources: ['dataset'], condition: 'false' });
    engine.addPolicy({ name: 'everything', effect: 'allow', condition: 'true' });
    engine.addPolicy({ name: 'star', effect: 'deny', actions: ['*'], resources: ['model'], condition: 'false' });
    engine.addPolicy({ name: 'both', effect: 'allow', actions: ['datasets.read', 'datasets.*'], condition: 'true' });
    expect(names(engine, 'dataset', 'datasets.read')).toEqual({ deny: ['family'], allow: ['exact', 'everything', 'both'] });
    expect(names(engine, 'dataset', 'datasets.write')).toEqual({ deny: ['family'], allow: ['everything', 'both'] });
    expect(names(engine, 'model', 'datasets.read')).toEqual({ deny: ['star'], allow: ['exact', 'everything', 'both'] });
    expect(names(engine, 'model', 'models.train')).toEqual({ deny: ['star'], allow: ['everything'] });
    expect(names(engine, 'experiment', 'models.train')).toEqual({ deny: [], allow: ['everything'] });
  });

  it('reflects changes at once (the memo is dropped)', () => {
    const engine = new PolicyEngine();
    expect(names(engine, 'dataset', 'datasets.read')).toEqual({ deny: [], allow: [] });
    engine.addPolicy(SEED);
    expect(names(engine, 'dataset', 'datasets.read')).toEqual({ deny: [], allow: ['sensitive_data_access'] });
    engine.updatePolicy({ ...SEED, resources: ['model'], condition: 'true' });
    expect(names(engine, 'dataset', 'datasets.read')).toEqual({ deny: [], allow: [] });
    expect(names(engine, 'model', 'datasets.read')).toEqual({ deny: [], allow: ['sensitive_data_access'] });
    engine.removePolicy('sensitive_data_access');
    expect(names(engine, 'model', 'datasets.read')).toEqual({ deny: [], allow: [] });
  });

  it('looks at the few policies that apply, not at all 20,000', () => {
    const engine = new PolicyEngine();
    for (let i = 0; i < 20_000; i++) engine.addPolicy({ name: `p${i}`, effect: 'allow', actions: [`models.a${i}`], resources: ['model'], condition: `user.level >= ${i % 7}` });
    expect(names(engine, 'model', 'models.a123')).toEqual({ deny: [], allow: ['p123'] });
    expect(names(engine, 'dataset', 'models.a123')).toEqual({ deny: [], allow: [] });
  }, 60_000);
});

describe('ConditionCompiler: what a condition may read', () => {
  const compiler = new ConditionCompiler();
  it.each([
    ['user.clearance_level >= dataset.classification_level', false, false],
    ['user.location in dataset.allowed_regions && action == "datasets.read"', false, false],
    ['context.mfa == true', true, false],
    ['"admin" in user.roles', false, true],
    ['has(user.roles)', false, true],
    ['user["roles"].size() > 0', false, true],
    ['cel.bind(u, user, u.id == "x")', false, true],
    ['[user].exists(u, u.level > 1) && context.time > timestamp("2026-01-01T00:00:00Z")', true, true],
  ])('%s', (condition, readsContext, readsRoles) => {
    expect(compiler.compile('p', condition)).toMatchObject({ readsContext, readsRoles });
  });
});
