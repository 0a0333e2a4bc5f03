import { afterEach, describe, expect, it } from 'vitest';
import { killChildren, libraryWorkspace, parseJson } from './run-cli.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  await killChildren();
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('langtrain incidents', { timeout: 120_000 }, () => {
  it('saves a playbook that the monitor runs on its alerts; lists the incident and the block, lifts it, acknowledges', async () => {
    const { cli, security } = await libraryWorkspace('incidents', cleanups);
    const saved = await cli('incidents', 'playbook-save', 'brute_force_detected', '--triggers', 'failed_auth_attempts', '--actions', 'block_source_ip', '--escalation-time', '15m', '--block-for', '1h');
    expect(saved.code, saved.stderr).toBe(0);
    expect(saved.stdout).toContain('saved brute_force_detected: on failed_auth_attempts -> block_source_ip, escalate after 15 min');
    const refused = await cli('incidents', 'playbook-save', 'x', '--triggers', 'adversarial_input_confirmed', '--actions', 'update_defense_models');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('trigger adversarial_input_confirmed is not supported yet');

    await security.audit.logEvents([0, 1, 2, 3, 4].map((i) => ({ eventType: 'auth.login', result: 'failure', additionalData: { reason: 'unknown_user', ip: '203.0.113.5', attempt: i } })));
    expect((await cli('monitor', 'run', '--once')).code).toBe(0);

    const listed = parseJson(await cli('incidents', 'list', '--json'));
    expect(listed.incidents).toEqual([expect.objectContaining({ playbook: 'brute_force_detected', key: 'ip:203.0.113.5', status: 'open', actions: [expect.objectContaining({ action: 'block_source_ip', status: 'done' })] })]);
    const human = await cli('incidents', 'list');
    expect(human.stdout).toMatch(/open\s+brute_force_detected\s+failed_auth_attempts ip:203\.0\.113\.5\n\s+block_source_ip done \(blocked 203\.0\.113\.5 until /);
    expect((await cli('incidents', 'blocked')).stdout).toContain('203.0.113.5  until');
    expect((await cli('incidents', 'unblock', '203.0.113.5')).stdout).toContain('203.0.113.5 is no longer blocked');
    const again = await cli('incidents', 'unblock', '203.0.113.5');
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('203.0.113.5 is not blocked');
    expect((await cli('incidents', 'ack', listed.incidents[0].id)).stdout).toContain('is acknowledged');
    expect(parseJson(await cli('incidents', 'playbooks', '--json')).playbooks.map((p: { name: string }) => p.name)).toEqual(['brute_force_detected']);
    expect((await cli('incidents', 'playbook-delete', 'brute_force_detected')).code).toBe(0);
    expect((await cli('incidents', 'playbooks')).stdout).toContain('no playbooks');
  });
});
