import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEventInput } from '../../src/core/audit-sink.js';
import { startRsyslog } from '../support/rsyslog.js';
import { killChildren, libraryWorkspace, parseJson, runCli, spawnCli, workspace } from './run-cli.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  await killChildren();
  for (const c of cleanups.splice(0).reverse()) await c();
});

const failedLogin = (ip: string, i: number): AuditEventInput => ({ eventType: 'auth.login', result: 'failure', additionalData: { reason: 'unknown_user', ip, attempt: i } });

describe('langtrain monitor', { timeout: 120_000 }, () => {
  it('run --once reads the log, raises its alerts once, and alerts / ack / resolve handle them', async () => {
    const { cli, security } = await libraryWorkspace('monitor-once', cleanups);
    await security.audit.logEvents([0, 1, 2, 3, 4].map((i) => failedLogin('203.0.113.7', i)));
    await security.audit.logEvents([0, 1].map((i) => failedLogin('198.51.100.1', i)));

    const once = await cli('monitor', 'run', '--once', '--json');
    expect(once.code, once.stderr).toBe(0);
    const result = parseJson(once);
    expect(result.entriesRead).toBe((await security.audit.size())); // all of it, its own threat.alert entry included
    expect(result.alerts.map((a: { key: string }) => a.key)).toEqual(['ip:203.0.113.7']);
    // a lower threshold from the flag; entries already read are not read again
    const lower = await cli('monitor', 'run', '--once', '--failed-auth-attempts', '2', '--json');
    expect(parseJson(lower).alerts).toEqual([]);

    const listed = parseJson(await cli('monitor', 'alerts', '--status', 'open', '--json'));
    expect(listed.alerts).toHaveLength(1);
    const id = listed.alerts[0].id as string;
    const acked = await cli('monitor', 'ack', id);
    expect(acked.code, acked.stderr).toBe(0);
    expect(acked.stdout).toContain(`${id} is acknowledged`);
    expect((await cli('monitor', 'resolve', id)).code).toBe(0);
    const again = await cli('monitor', 'resolve', id);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`alert ${id} is already resolved`);
    expect(parseJson(await cli('monitor', 'alerts', '--status', 'open', '--json')).alerts).toEqual([]);
    const human = await cli('monitor', 'alerts');
    expect(human.stdout).toMatch(/resolved\s+failed_auth_attempts\s+ip:203\.0\.113\.7\s+5 events \(threshold 5\)/);
  });

  it('refuses bad flags, naming them', async () => {
    const { cli } = await libraryWorkspace('monitor-flags', cleanups);
    const zero = await cli('monitor', 'run', '--once', '--failed-auth-attempts', '0');
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('--failed-auth-attempts must be a whole number ≥ 1');
    const component = await cli('monitor', 'run', '--once', '--components', 'api_endpoints,gpus');
    expect(component.code).toBe(2);
    expect(component.stderr).toContain('component "gpus" is not supported (supported: api_endpoints, training_jobs, data_pipelines)');
    const status = await cli('monitor', 'alerts', '--status', 'closed');
    expect(status.code).toBe(2);
    expect(status.stderr).toContain('open, acknowledged, resolved');
  });

  it('run prints each alert as it is raised until stopped', async () => {
    const { security } = await libraryWorkspace('monitor-live', cleanups);
    const dir = (await import('node:path')).dirname(security.store.displayUrl.replace(/^sqlite:/, ''));
    const live = spawnCli(['monitor', 'run', '--poll-interval', '200ms', '--json', '--db', security.store.displayUrl, '--config', join(dir, 'langtrain.test.yaml')], { cwd: dir });
    await security.audit.logEvents([0, 1, 2, 3, 4].map((i) => failedLogin('192.0.2.44', i)));
    const [line] = await live.waitFor(/\{.*"key":"ip:192\.0\.2\.44".*\}\n/);
    expect(JSON.parse(line)).toMatchObject({ rule: 'failed_auth_attempts', value: 5 });
    live.child.kill('SIGINT');
    expect((await live.exited).code).toBe(0);
    expect(live.stderr()).toContain('Ctrl-C to stop');
  });

  it('run --once streams the log to the SIEM of the configuration', async () => {
    const rsyslog = await startRsyslog();
    cleanups.push(() => rsyslog.stop());
    const w = workspace('monitor-siem');
    cleanups.push(w.cleanup);
    const config = w.file('langtrain.test.yaml', `crypto:\n  kek: file:${join(w.dir, 'kek.key')}\nmonitoring:\n  siem:\n    siemType: syslog\n    endpoint: tcp://127.0.0.1:${rsyslog.port}\n    format: json\n    backfill: true\n`);
    const cli = (...args: string[]) => runCli([...args, '--db', w.db, '--config', config], { cwd: w.dir });
    for (let i = 0; i < 3; i++) expect((await cli('audit', 'log', '--type', 'training.started', '--result', 'success', '--data', `{"run":${i}}`)).code).toBe(0);
    const once = await cli('monitor', 'run', '--once');
    expect(once.code, once.stderr).toBe(0);
    const lines = await rsyslog.waitForLines(3);
    expect(lines.map((l) => JSON.parse(l.split('|').slice(6).join('|')).data.run)).toEqual([0, 1, 2]);
    // the next run sends only what is new
    expect((await cli('monitor', 'run', '--once')).code).toBe(0);
    expect(rsyslog.lines()).toHaveLength(3);
  });
});
