import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPolicyDocument, parsePolicyDocument } from '../../src/access/policy-document.js';
import { loadPolicyFile } from '../../src/access/policy-file.js';
import type { AuthorizationRequest } from '../../src/access/model.js';
import { ISSUE_POLICY_FILE } from '../support/issue-policy-file.js';


const DS1 = { type: 'dataset', id: 'ds-1', attributes: { classification_level: 2 } };
const at = (time: string, id: string, action: string, resource: AuthorizationRequest['resource'] = DS1, clearance = 3): AuthorizationRequest => ({
  principal: { id, attributes: { clearance_level: clearance } },
  action,
  resource,
  context: { time },
});

function refusal(text: string, file = 'policies.yaml') {
  try {
    parsePolicyDocument(text, file);
  } catch (err) {
    return err as { code: string; message: string; details: { file: string; problems: Array<Record<string, unknown>> } };
  }
  throw new Error('expected the document to be refused');
}

describe('parsePolicyDocument: the issue example', () => {
  const authz = parsePolicyDocument(ISSUE_POLICY_FILE, 'policies.yaml');

  it('defines the roles, bindings and policies', () => {
    expect(authz.roles.listRoles().map((r) => r.name)).toEqual(['ml_engineer', 'data_scientist', 'admin']);
    expect(authz.roles.listBindings()).toHaveLength(3);
    expect(authz.policies.listPolicies()).toEqual([
      { name: 'sensitive_data_access', effect: 'allow', actions: ['datasets.*'], resources: ['dataset'], condition: 'user.clearance_level >= dataset.classification_level' },
    ]);
  });

  it('decides as the file says', () => {
    const before = '2026-11-25T10:00:00Z';
    expect(authz.decide(at(before, 'user123', 'datasets.read')).allowed).toBe(true);
    expect(authz.decide(at(before, 'user123', 'datasets.read', DS1, 1)).allowed).toBe(false);
    expect(authz.decide(at(before, 'alice', 'datasets.create')).allowed).toBe(true);
    expect(authz.decide(at('2026-12-01T00:00:00Z', 'alice', 'datasets.create')).allowed).toBe(false);
    expect(authz.decide(at(before, 'alice', 'datasets.create', { ...DS1, id: 'ds-2' })).allowed).toBe(false);
    expect(authz.decide(at(before, 'bob', 'models.train', { type: 'model', id: 'm1' })).allowed).toBe(true);
    expect(authz.decide(at(before, 'bob', 'datasets.read')).allowed).toBe(false);
  });

  it('reads the same document as JSON', () => {
    const json = JSON.stringify({
      roles: [{ name: 'reader', permissions: ['datasets.read'] }],
      bindings: [{ principal: 'u1', role: 'reader' }],
      policies: [{ name: 'level', effect: 'allow', resources: ['dataset'], condition: 'user.clearance_level >= dataset.classification_level' }],
    });
    const fromJson = parsePolicyDocument(json, 'policies.json');
    expect(fromJson.decide(at('2026-11-25T10:00:00Z', 'u1', 'datasets.read')).allowed).toBe(true);
    expect(fromJson.decide(at('2026-11-25T10:00:00Z', 'u1', 'datasets.read', DS1, 1)).allowed).toBe(false);
  });

  it('takes roles in any order: a parent may come after its heir', () => {
    const authz2 = parsePolicyDocument('roles:\n  - { name: b, permissions: [x.y], inherits: [a] }\n  - { name: a, permissions: [x.z] }\nbindings:\n  - { principal: u, role: b }\n', 'p.yaml');
    expect(authz2.decide({ principal: { id: 'u' }, action: 'x.z', resource: { type: 'thing', id: '1' } }).reasons[0]).toMatchObject({ role: 'b', via: 'a' });
  });
});

describe('docs/access.md', () => {
  it("its policy file example loads, and its weekend freeze denies on a Sunday", async () => {
    const doc = await readFile(new URL('../../docs/access.md', import.meta.url), 'utf8');
    const yaml = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(yaml).toBeDefined();
    const authz = parsePolicyDocument(yaml as string, 'docs/access.md');
    // alice's data_scientist binding on dataset:ds-1 grants models.deploy there; the freeze decides.
    const deploy = (time: string) => authz.explain({ principal: { id: 'alice' }, action: 'models.deploy', resource: { type: 'dataset', id: 'ds-1' }, context: { time } });
    expect(deploy('2026-11-27T10:00:00Z').allowed).toBe(true); // a Friday
    const sunday = deploy('2026-11-29T10:00:00Z');
    expect(sunday.allowed).toBe(false);
    expect(sunday.reasons.at(-1)).toEqual({ kind: 'policy', policy: 'weekend_freeze', effect: 'deny', outcome: 'true' });
  });
});

describe('parsePolicyDocument: a bad file is refused with file, item, position and reason', () => {
  it('a CEL error in a plain condition: the exact line and column in the file', () => {
    const err = refusal(ISSUE_POLICY_FILE.replace('user.clearance_level >= dataset', 'user.clearance_level >= datset'));
    expect(err.code).toBe('ERR_POLICY_INVALID');
    expect(err.message).toBe('policies.yaml:14:40: policy "sensitive_data_access": condition: Unknown variable: datset');
    expect(err.details.file).toBe('policies.yaml');
    // `position` is inside the condition; line and column are in the file.
    expect(err.details.problems).toEqual([
      { line: 14, column: 40, item: 'policy "sensitive_data_access"', path: 'policies.0.condition', reason: 'Unknown variable: datset', position: { offset: 24, line: 1, column: 25 } },
    ]);
  });

  it('a CEL error in a | block: the line and column inside the block', () => {
    const text = `policies:
  - name: multi_line
    effect: deny
    condition: |
      user.clearance_level < 2 ||
        context.mfa = false
`;
    expect(refusal(text).message).toBe('policies.yaml:6:21: policy "multi_line": condition: Unexpected character: =');
  });

  it('a CEL error in a quoted condition with escapes: the condition, and the place within it', () => {
    const text = 'policies:\n  - name: quoted\n    effect: allow\n    condition: "user.name == \\"x\\" && foo"\n';
    expect(refusal(text).message).toBe('policies.yaml:4:16: policy "quoted": condition: Unknown variable: foo (line 1, column 21 of the condition)');
  });

  it('a condition that is not bool', () => {
    expect(refusal('policies:\n  - { name: p, effect: allow, condition: "1 + 1" }\n').message).toBe('policies.yaml:2:43: policy "p": condition: must be a bool expression, not int');
  });

  it('schema problems: unknown field (at the key), bad enum, missing field, wrong type — all of them at once', () => {
    const text = `roles:
  - { name: r, permissions: [x.y], inherit: [a] }
policies:
  - name: p1
    effect: permit
    condition: "true"
  - name: p2
    effect: allow
  - name: p3
    effect: deny
    condition: [true]
`;
    const err = refusal(text);
    expect(err.message.split('\n')).toEqual([
      'policies.yaml: 4 problems:',
      'policies.yaml:2:36: role "r": unknown field inherit',
      expect.stringMatching(/^policies\.yaml:5:13: policy "p1": effect: .*"allow"\|"deny"/),
      expect.stringMatching(/^policies\.yaml:7:5: policy "p2": condition: .*string/),
      expect.stringMatching(/^policies\.yaml:11:16: policy "p3": condition: .*string/),
    ]);
  });

  it('role problems: bad permission, unknown parent, cycle, duplicate; and what depends on them is not reported twice', () => {
    const text = `roles:
  - { name: a, permissions: ["models.*.x"] }
  - { name: b, permissions: [x.y], inherits: [ghost] }
  - { name: c, permissions: [x.y], inherits: [d] }
  - { name: d, permissions: [x.y], inherits: [c] }
  - { name: e, permissions: [x.y] }
  - { name: e, permissions: [x.z] }
bindings:
  - { principal: u, role: a }
  - { principal: u, role: nobody }
  - { principal: u, role: e, expires: tomorrow }
`;
    const lines = refusal(text).message.split('\n');
    expect(lines[0]).toBe('policies.yaml: 6 problems:');
    expect(lines.slice(1)).toEqual([
      'policies.yaml:7:13: role "e": name: role "e" is defined twice',
      expect.stringMatching(/^policies\.yaml:2:29: role "a": permissions: permission "models\.\*\.x" is not/),
      'policies.yaml:3:46: role "b": inherits: role "b" inherits unknown role "ghost"',
      'policies.yaml:5:46: role "d": inherits: inheritance cycle c → d → c',
      'policies.yaml:10:27: binding #2 (u → nobody): role: role "nobody" does not exist',
      expect.stringMatching(/^policies\.yaml:11:39: binding #3 \(u → e\): expires: expires "tomorrow" must be an ISO 8601 instant/),
    ]);
  });

  it('YAML syntax errors, with their position', () => {
    const err = refusal('roles:\n  - { name: r, permissions: [x.y]\npolicies: []\n');
    expect(err.message).toMatch(/^policies\.yaml:\d+:\d+: /);
    expect(err.details.problems[0]).toMatchObject({ line: expect.any(Number), column: expect.any(Number) });
    expect(refusal('a: 1\na: 2\n').message).toMatch(/^policies\.yaml:2:1: .*unique/);
  });

  it('a misspelt binding or policy field (expiry, resouce, action) is refused at its key, never ignored', () => {
    const text = `roles:
  - { name: r, permissions: [datasets.read] }
bindings:
  - { principal: bob, role: r, resource: "dataset:ds-1", expiry: "2020-12-01T00:00:00Z" }
  - { principal: carol, role: r, resouce: "dataset:ds-1" }
policies:
  - name: deny_delete
    effect: deny
    condition: "true"
    action: [datasets.delete]
`;
    expect(refusal(text).message.split('\n')).toEqual([
      'policies.yaml: 3 problems:',
      'policies.yaml:4:58: binding #1 (bob → r): unknown field expiry',
      'policies.yaml:5:34: binding #2 (carol → r): unknown field resouce',
      'policies.yaml:10:5: policy "deny_delete": unknown field action',
    ]);
  });

  it('a document that is not a mapping of the three sections', () => {
    expect(refusal('- just\n- a list\n').message).toMatch(/^policies\.yaml:1:1: /);
    expect(refusal('rules: []\n').message).toBe('policies.yaml:1:1: unknown field rules');
  });
});

describe('buildPolicyDocument: a document given as data points into its own fields, not into a serialization', () => {
  function refused(document: unknown) {
    try {
      buildPolicyDocument(document);
    } catch (err) {
      return err as { code: string; message: string; details: Record<string, unknown> };
    }
    throw new Error('expected the document to be refused');
  }

  it('one bad policy: its own error, at the line and column inside the condition', () => {
    const err = refused({ policies: [{ name: 'ok', effect: 'allow', condition: 'true' }, { name: 'bad', effect: 'allow', condition: 'user.x > 1 &&\n  usr.y' }] });
    expect(err.code).toBe('ERR_POLICY_INVALID');
    expect(err.message).toBe('policy "bad": condition at line 2, column 3: Unknown variable: usr');
    expect(err.details).toMatchObject({ policy: 'bad', field: 'condition', reason: 'Unknown variable: usr', position: { offset: 16, line: 2, column: 3 } });
  });

  it('escapes in the condition do not move the position (there is no serialized text to count in)', () => {
    const err = refused({ policies: [{ name: 'quoted', effect: 'allow', condition: 'user.name == "x\\"y" && foo' }] });
    expect(err.message).toBe('policy "quoted": condition at line 1, column 24: Unknown variable: foo');
  });

  it('one bad role or binding: ERR_INVALID_INPUT naming it and the field', () => {
    const role = refused({ roles: [{ name: 'heir', permissions: ['x.y'], inherits: ['ghost'] }] });
    expect(role).toMatchObject({ code: 'ERR_INVALID_INPUT', message: 'role "heir": inherits: role "heir" inherits unknown role "ghost"', details: { role: 'heir', field: 'inherits' } });
    const binding = refused({ roles: [{ name: 'r', permissions: ['x.y'] }], bindings: [{ principal: 'u', role: 'r', expires: 'tomorrow' }] });
    expect(binding).toMatchObject({ code: 'ERR_INVALID_INPUT', details: { binding: { principal: 'u', role: 'r' }, field: 'expires' } });
    expect(binding.message).toMatch(/^binding #1 \(u → r\): expires: /);
  });

  it('several problems: each listed by item and field, none with a line and column of a text', () => {
    const err = refused({ roles: [{ name: 'a', permissions: ['x.y'], inherits: ['ghost'] }], policies: [{ name: 'p', effect: 'deny', condition: '1 + 1' }] });
    expect(err.code).toBe('ERR_POLICY_INVALID');
    expect(err.message.split('\n')).toEqual([
      'the document has 2 problems:',
      'role "a": inherits: role "a" inherits unknown role "ghost"',
      'policy "p": condition at line 1, column 1: must be a bool expression, not int',
    ]);
    expect(err.details.problems).toEqual([
      { item: 'role "a"', path: 'roles.0.inherits', reason: 'role "a" inherits unknown role "ghost"' },
      { item: 'policy "p"', path: 'policies.0.condition', reason: 'must be a bool expression, not int', position: { offset: 0, line: 1, column: 1 } },
    ]);
  });
});

describe('loadPolicyFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'langtrain-access-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a file and names it in errors', async () => {
    const good = join(dir, 'good.yaml');
    await writeFile(good, ISSUE_POLICY_FILE);
    const authz = await loadPolicyFile(good);
    expect(authz.decide(at('2026-11-25T10:00:00Z', 'user123', 'models.train', { type: 'model', id: 'm' })).allowed).toBe(true);

    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, ISSUE_POLICY_FILE.replace('effect: allow', 'effect: maybe'));
    await expect(loadPolicyFile(bad)).rejects.toMatchObject({ code: 'ERR_POLICY_INVALID', message: expect.stringMatching(new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:11:13: policy "sensitive_data_access": effect: `)) });
    await expect(loadPolicyFile(join(dir, 'missing.yaml'))).rejects.toMatchObject({ code: 'ERR_POLICY_INVALID', message: expect.stringContaining('missing.yaml: cannot read the policy file (ENOENT)') });
  });
});

describe('document options: an unknown one is refused, never ignored', () => {
  const unsupported = (owner: string) =>
    expect.objectContaining({ code: 'ERR_CONFIG_UNSUPPORTED_OPTION', message: `${owner}: unknown option resourceType (supported: clock, actions, resourceTypes)` });

  it('parsePolicyDocument, buildPolicyDocument and loadPolicyFile (before reading the file) refuse them', async () => {
    expect(() => parsePolicyDocument(ISSUE_POLICY_FILE, 'policies.yaml', { resourceType: ['notebook'] } as never)).toThrow(unsupported('parsePolicyDocument'));
    expect(() => buildPolicyDocument({}, { resourceType: ['notebook'] } as never)).toThrow(unsupported('buildPolicyDocument'));
    await expect(loadPolicyFile('/nonexistent/policies.yaml', { resourceType: ['notebook'] } as never)).rejects.toEqual(unsupported('loadPolicyFile'));
    // The document gives the roles and policies: an option naming them is refused, not overridden.
    expect(() => buildPolicyDocument({}, { roles: {} } as never)).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_UNSUPPORTED_OPTION', message: expect.stringContaining('unknown option roles') }));
    // Spelt right, it works: the condition may name the extra type.
    const authz = buildPolicyDocument({ policies: [{ name: 'nb', effect: 'deny', condition: 'notebook.locked == true' }] }, { resourceTypes: ['notebook'] });
    expect(authz.policies.resourceTypes).toContain('notebook');
  });
});
