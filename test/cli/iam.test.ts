import { afterEach, describe, expect, it } from 'vitest';
import { ISSUE_POLICY_FILE } from '../support/issue-policy-file.js';
import { jsonl, runCli, workspace } from './run-cli.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const POLICY = ISSUE_POLICY_FILE;

const request = (principal: string, action: string, resource: { type: string; id: string; attributes?: object }, clearance = 3, time = '2026-11-25T10:00:00Z') => ({
  principal: { id: principal, attributes: { clearance_level: clearance } },
  action,
  resource,
  context: { time },
});

function setup() {
  const w = workspace('iam');
  cleanups.push(w.cleanup);
  const policy = w.file('policy.yaml', POLICY);
  return { w, policy, cli: (...args: string[]) => runCli(args, { cwd: w.dir }) };
}

describe('langtrain iam', { timeout: 60_000 }, () => {
  it('check writes one decision per request line, in order, with reasons', async () => {
    const { w, policy, cli } = setup();
    const ds1 = { type: 'dataset', id: 'ds-1', attributes: { classification_level: 2 } };
    const input = w.file(
      'requests.jsonl',
      jsonl([
        request('user123', 'datasets.read', ds1), // role grant + policy true
        request('user123', 'datasets.read', ds1, 1), // policy false
        request('user123', 'models.deploy', { type: 'model', id: 'm-1' }), // no grant
        request('alice', 'models.deploy', ds1), // scoped binding: only on dataset:ds-1 (inherited + own permission)
        request('alice', 'datasets.create', ds1, 3, '2026-12-02T00:00:00Z'), // expired binding
        request('bob', 'models.train', { type: 'model', id: 'm-7' }), // type-scoped binding
        request('bob', 'models.train', { type: 'dataset', id: 'ds-1', attributes: { classification_level: 1 } }), // not a model
      ]),
    );
    const r = await cli('iam', 'check', '--policy', policy, '--input', input);
    expect(r.code, r.stderr).toBe(0);
    const decisions = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { allowed: boolean; reasons: Array<{ kind: string; policy?: string; role?: string }> });
    expect(decisions.map((d) => d.allowed)).toEqual([true, false, false, true, false, true, false]);
    expect(decisions[0]!.reasons).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'grant', role: 'ml_engineer' }), expect.objectContaining({ kind: 'policy', policy: 'sensitive_data_access' })]));
    expect(decisions[2]!.reasons).toEqual([{ kind: 'no_grant' }]);
  });

  it('check refuses a malformed request line, naming the file and line', async () => {
    const { w, policy, cli } = setup();
    const input = w.file('bad.jsonl', `${JSON.stringify(request('user123', 'datasets.read', { type: 'dataset', id: 'd' }))}\n{"principal":{"id":"x"},"action":"datasets.read"}\n`);
    const r = await cli('iam', 'check', '--policy', policy, '--input', input);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.jsonl:2: resource/);
  });

  it('refuses a bad policy file with the file, the policy name, the position and the reason', async () => {
    const { w, cli } = setup();
    const bad = w.file('bad-policy.yaml', POLICY.replace('user.clearance_level >= dataset.classification_level', 'user.clearance_level >=* dataset.classification_level'));
    const input = w.file('one.jsonl', jsonl([request('user123', 'datasets.read', { type: 'dataset', id: 'd' })]));
    const r = await cli('iam', 'check', '--policy', bad, '--input', input);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bad-policy.yaml');
    expect(r.stderr).toContain('sensitive_data_access');
    expect(r.stderr).toMatch(/\d+:\d+|position|column/);
  });

  it('test runs a suite: exit 0 when every expectation holds, 1 naming each failure with its explanation', async () => {
    const { w, cli } = setup();
    w.file('policy.yaml', POLICY);
    const ds = { type: 'dataset', id: 'ds-9', attributes: { classification_level: 4 } };
    const suite = (expectLow: 'allow' | 'deny') =>
      [
        'policy: policy.yaml',
        'tests:',
        `  - { name: cleared engineer reads, expect: allow, request: ${JSON.stringify(request('user123', 'datasets.read', ds, 5))} }`,
        `  - { name: low clearance reads, expect: ${expectLow}, request: ${JSON.stringify(request('user123', 'datasets.read', ds, 1))} }`,
      ].join('\n');
    const good = await cli('iam', 'test', w.file('good.yaml', suite('deny')));
    expect(good.code, good.stdout + good.stderr).toBe(0);
    expect(good.stdout).toContain('2 passed, 0 failed');
    const failing = await cli('iam', 'test', w.file('failing.yaml', suite('allow')));
    expect(failing.code).toBe(1);
    expect(failing.stdout).toContain('FAIL low clearance reads: expected allow, got deny');
    expect(failing.stdout).toContain('sensitive_data_access');
    const json = await cli('iam', 'test', w.file('failing2.yaml', suite('allow')), '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ passed: 1, failed: 1 });
  });
});
