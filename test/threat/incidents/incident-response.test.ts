import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLogger } from '../../../src/audit/audit-logger.js';
import { verifyBundle } from '../../../src/audit/bundle.js';
import { storedVerifiers } from '../../../src/audit/checkpoint-signer.js';
import type { AuditEventInput } from '../../../src/core/audit-sink.js';
import { openStore, type Store } from '../../../src/store/database.js';
import { migrate } from '../../../src/store/migrations.js';
import { IncidentResponse } from '../../../src/threat/incidents/incident-response.js';
import { WebhookNotifier } from '../../../src/threat/incidents/webhook-notifier.js';
import { SecurityMonitor } from '../../../src/threat/monitor/security-monitor.js';
import { threatMigrations } from '../../../src/threat/schema.js';
import { HttpStandIn } from '../../secrets/stand-ins/http-stand-in.js';
import { manualClock } from '../../support/recorded-events.js';
import { storeUrls, tempDir } from '../../support/services.js';

const T0 = Date.UTC(2026, 10, 1, 9, 0, 0);
const failedLogin = (i: number, ip = '203.0.113.7', userId: string | null = null): AuditEventInput => ({
  eventType: 'auth.login',
  userId,
  timestamp: new Date(T0 + i * 1000).toISOString(),
  result: 'failure',
  additionalData: { reason: userId === null ? 'unknown_user' : 'wrong_password', ip },
});
const SECRET = 'whsec-test-0123456789abcdef';

describe.each(storeUrls('threat-incidents'))('IncidentResponse on $dialect', ({ make }) => {
  let cleanup: () => Promise<void>;
  let store: Store;
  let audit: AuditLogger;
  let dir: ReturnType<typeof tempDir>;
  let webhook: HttpStandIn;
  const clock = manualClock(T0);
  const closers: Array<() => unknown> = [];

  const world = (options: { notify?: boolean } = {}) => {
    const incidents = new IncidentResponse({
      store,
      audit,
      notifier: options.notify === false ? null : new WebhookNotifier({ url: `${webhook.url}/hooks/security`, secret: 'env:TEST_WEBHOOK_SECRET' }),
      evidence: audit,
      forensicsDir: join(dir.path, 'forensics'),
      clock: clock.clock,
    });
    const monitor = new SecurityMonitor({ store, audit, stream: audit, incidents, clock: clock.clock });
    closers.push(() => monitor.stopMonitoring());
    return { incidents, monitor };
  };

  beforeEach(async () => {
    let url: string;
    ({ url, cleanup } = make());
    store = await openStore(url);
    await migrate(store, 'threat', threatMigrations);
    dir = tempDir('incidents');
    audit = new AuditLogger({ store, encryptionKey: `file:${join(dir.path, 'audit.key')}` });
    webhook = await HttpStandIn.start(() => ({ status: 200, body: { ok: true } }));
    process.env.TEST_WEBHOOK_SECRET = SECRET;
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await webhook.close();
    await audit.close();
    await store.close();
    await cleanup();
    dir.cleanup();
    delete process.env.TEST_WEBHOOK_SECRET;
  });

  it('opens an incident for an alert of its trigger, notifies (signed), blocks the address and preserves the evidence, each recorded', async () => {
    const { incidents, monitor } = world();
    await incidents.createPlaybook({ name: 'brute_force_detected', triggers: ['failed_auth_attempts'], actions: ['notify_security_team', 'block_source_ip', 'initiate_forensic_analysis'], escalationTime: '15m', blockFor: '1h' }, 'sec-lead');
    await monitor.startMonitoring({ alertThresholds: { failedAuthAttempts: 5 } }, { background: false });
    for (let i = 0; i < 5; i++) await audit.logEvent(failedLogin(i));
    const [alert] = await monitor.poll();

    const [incident, ...others] = await incidents.incidents();
    expect(others).toEqual([]);
    expect(incident).toMatchObject({ playbook: 'brute_force_detected', alertId: alert!.id, rule: 'failed_auth_attempts', key: 'ip:203.0.113.7', status: 'open', escalateAt: new Date(T0 + 15 * 60_000).toISOString() });
    expect(incident!.actions.map((a) => [a.action, a.status])).toEqual([
      ['notify_security_team', 'done'],
      ['block_source_ip', 'done'],
      ['initiate_forensic_analysis', 'done'],
    ]);

    // the webhook got the incident, signed with the secret
    const [posted] = webhook.requests;
    expect(posted!.path).toBe('/hooks/security');
    expect(posted!.headers['x-langtrain-signature']).toBe(`sha256=${createHmac('sha256', SECRET).update(posted!.body).digest('hex')}`);
    expect(JSON.parse(posted!.body)).toMatchObject({ type: 'incident.opened', incident: { id: incident!.id }, alert: { rule: 'failed_auth_attempts', key: 'ip:203.0.113.7', value: 5 } });

    // the address is blocked for an hour, in any spelling
    expect(await incidents.blocked.blockedUntil('203.0.113.7')).toBe(new Date(T0 + 3_600_000).toISOString());
    expect(await incidents.blocked.blockedUntil('::ffff:203.0.113.7')).toBe(new Date(T0 + 3_600_000).toISOString());
    expect(await incidents.blocked.blockedUntil('198.51.100.1')).toBeNull();

    // the evidence is a bundle of the five entries, each with its proof, verifiable under the log's key
    const bundles = readdirSync(join(dir.path, 'forensics'));
    expect(bundles).toEqual([`incident-${incident!.id}.bundle.jsonl`]);
    const lines = readFileSync(join(dir.path, 'forensics', bundles[0]!), 'utf8').split('\n').filter(Boolean);
    const report = await verifyBundle((async function* () { yield* lines; })(), { verifiers: await storedVerifiers(store.db) });
    expect(report).toMatchObject({ ok: true });
    expect(lines.filter((l) => JSON.parse(l).type === 'entry')).toHaveLength(5);

    // and it is all in the audit log
    const recorded = async (eventType: string) => (await audit.query({ eventType })).map((e) => e.additionalData);
    expect(await recorded('threat.playbook_saved')).toEqual([expect.objectContaining({ name: 'brute_force_detected' })]);
    expect(await recorded('threat.incident_opened')).toEqual([expect.objectContaining({ incidentId: incident!.id, alertId: alert!.id })]);
    expect((await recorded('threat.incident_action')).map((d) => d!.action)).toEqual(['notify_security_team', 'block_source_ip', 'initiate_forensic_analysis']);

    // another poll opens nothing more
    await monitor.poll();
    expect(await incidents.incidents()).toHaveLength(1);
  });

  it('escalates an incident nobody acknowledged in time, once; an acknowledged one is not', async () => {
    const { incidents, monitor } = world();
    await incidents.createPlaybook({ name: 'brute_force_detected', triggers: ['failed_auth_attempts'], actions: ['notify_security_team'], escalationTime: '15m' });
    await monitor.startMonitoring({ alertThresholds: { failedAuthAttempts: 5 } }, { background: false });
    for (let i = 0; i < 5; i++) await audit.logEvent(failedLogin(i, '203.0.113.7'));
    for (let i = 0; i < 5; i++) await audit.logEvent(failedLogin(i, '198.51.100.1'));
    await monitor.poll();
    const opened = await incidents.incidents();
    expect(opened).toHaveLength(2);
    const acknowledged = opened.find((i) => i.key === 'ip:198.51.100.1')!;
    await incidents.setIncidentStatus(acknowledged.id, 'acknowledged', 'oncall');

    clock.advance(14 * 60_000);
    await monitor.poll();
    expect(webhook.requests).toHaveLength(2); // the two openings
    clock.advance(2 * 60_000);
    await monitor.poll();
    await monitor.poll();
    expect(webhook.requests.map((r) => JSON.parse(r.body).type)).toEqual(['incident.opened', 'incident.opened', 'incident.escalated']);
    const escalated = JSON.parse(webhook.requests[2]!.body);
    expect(escalated.incident.id).not.toBe(acknowledged.id);
    expect((await audit.query({ eventType: 'threat.incident_escalated' })).map((e) => e.additionalData?.incidentId)).toEqual([escalated.incident.id]);
    await expect(incidents.setIncidentStatus(acknowledged.id, 'acknowledged', 'oncall')).rejects.toMatchObject({ code: 'ERR_CONFLICT' });
  });

  it('records an action that failed and goes on with the next; skips what does not apply', async () => {
    const { incidents, monitor } = world();
    webhook.failWhen(() => true, () => ({ status: 503, body: 'busy' }));
    await incidents.createPlaybook({ name: 'account_attack', triggers: ['failed_auth_attempts'], actions: ['notify_security_team', 'block_source_ip'] });
    await monitor.startMonitoring({ alertThresholds: { failedAuthAttempts: 5 } }, { background: false });
    // five failures against one account from five addresses: the alert names the account
    for (let i = 0; i < 5; i++) await audit.logEvent(failedLogin(i, `192.0.2.${i}`, 'u-alice'));
    await monitor.poll();
    const [incident] = await incidents.incidents();
    expect(incident!.actions).toEqual([
      // the webhook named by scheme and host only: a chat webhook's path is its secret
      expect.objectContaining({ action: 'notify_security_team', status: 'failed', detail: expect.stringMatching(/^webhook http:\/\/127\.0\.0\.1:\d+ answered HTTP 503$/) }),
      expect.objectContaining({ action: 'block_source_ip', status: 'skipped', detail: 'the alert names no address' }),
    ]);
    expect(await incidents.blocked.list()).toEqual([]);
  });

  it("leaves alerts raised before any playbook alone, and acts only on its triggers' alerts", async () => {
    const { incidents, monitor } = world();
    await monitor.startMonitoring({ alertThresholds: { failedAuthAttempts: 5, unusualDataAccess: 3 } }, { background: false });
    for (let i = 0; i < 5; i++) await audit.logEvent(failedLogin(i));
    await monitor.poll();
    await incidents.createPlaybook({ name: 'data_theft', triggers: ['unusual_data_access'], actions: ['block_source_ip'] });
    await monitor.poll();
    expect(await incidents.incidents()).toEqual([]); // the earlier failed_auth_attempts alert is not data_theft's
    for (let i = 0; i < 3; i++) await audit.logEvent({ eventType: 'secrets.read', userId: 'svc-x', timestamp: new Date(T0 + i).toISOString(), result: 'success', additionalData: { name: 'db' } });
    await monitor.poll();
    expect((await incidents.incidents()).map((i) => [i.playbook, i.key])).toEqual([['data_theft', 'svc-x']]);
  });

  /**
   * Two processes on the store, the first with a playbook (notify, then block) and five failed
   * sign-ins to act on, behind a webhook that answers when `release` is called (`onRequest` runs first).
   */
  const twoResponders = async (onRequest: () => void = () => undefined) => {
    let release: () => void = () => undefined;
    const slow = new Promise<void>((resolve) => (release = resolve));
    await webhook.close();
    webhook = await HttpStandIn.start(async () => {
      onRequest();
      await slow;
      return { status: 200, body: { ok: true } };
    });
    const first = world();
    const second = world();
    await first.incidents.createPlaybook({ name: 'brute_force_detected', triggers: ['failed_auth_attempts'], actions: ['notify_security_team', 'block_source_ip'] });
    await first.monitor.startMonitoring({ alertThresholds: { failedAuthAttempts: 5 } }, { background: false });
    for (let i = 0; i < 5; i++) await audit.logEvent(failedLogin(i));
    return { first, second, release };
  };

  it("runs an incident's actions once when a second process responds while the first is still running them", async () => {
    const { first, second, release } = await twoResponders();
    const polling = first.monitor.poll();
    await new Promise((r) => setTimeout(r, 200)); // the first process is waiting on the webhook
    await second.incidents.respond();
    release();
    await polling;
    expect(webhook.requests).toHaveLength(1);
    expect((await audit.query({ eventType: 'threat.incident_action' })).map((e) => e.additionalData?.action)).toEqual(['notify_security_team', 'block_source_ip']);
  });

  it("hands an incident's actions over when one outlived the lease: the one under way may run twice, the rest run once", async () => {
    const { first, second, release } = await twoResponders(() => clock.advance(6 * 60_000)); // the notice takes longer than the 5-minute lease
    const polling = first.monitor.poll();
    for (let i = 0; i < 100 && webhook.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    // the lease has lapsed: the second process takes the incident over and runs what is left, the notice included
    const taking = second.incidents.respond();
    for (let i = 0; i < 100 && webhook.requests.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    release();
    await Promise.all([polling, taking]);
    const [incident] = await first.incidents.incidents();
    expect(incident!.actions.map((a) => a.status)).toEqual(['done', 'done']);
    // block_source_ip ran once: the first process stopped when it found its lease taken
    expect((await audit.query({ eventType: 'threat.incident_action' })).filter((e) => e.additionalData?.action === 'block_source_ip')).toHaveLength(1);
  });

  it('acts on no alert raised before the playbook was saved, even one a monitor without incident response left', async () => {
    const bare = new SecurityMonitor({ store, audit, stream: audit, clock: clock.clock }); // no incidents: its alerts stay unhandled
    closers.push(() => bare.stopMonitoring());
    await bare.startMonitoring({ alertThresholds: { failedAuthAttempts: 5 } }, { background: false });
    for (let i = 0; i < 5; i++) await audit.logEvent(failedLogin(i));
    expect(await bare.poll()).toHaveLength(1);
    clock.advance(60_000);
    const { incidents } = world();
    await incidents.createPlaybook({ name: 'brute_force_detected', triggers: ['failed_auth_attempts'], actions: ['block_source_ip'] });
    expect(await incidents.respond()).toEqual([]);
    expect(await incidents.blocked.list()).toEqual([]);
  });

  it('blocks an address in whatever spelling it arrives: mapped IPv4, a zoned link-local IPv6', async () => {
    const { incidents } = world({ notify: false });
    const until = T0 + 3_600_000;
    await incidents.blocked.block('0:0:0:0:0:ffff:1.2.3.4', until, null);
    await incidents.blocked.block('fe80::1%eth0', until, null);
    await incidents.blocked.block('2001:DB8:0:0::9', until, null);
    expect((await incidents.blocked.list()).map((b) => b.address).sort()).toEqual(['1.2.3.4', '2001:db8::9', 'fe80::1']);
    for (const spelling of ['1.2.3.4', '::ffff:1.2.3.4', '::ffff:102:304', '::FFFF:0102:0304', 'fe80::1%eth1', 'fe80:0::1', '2001:db8::9']) expect(await incidents.blocked.blockedUntil(spelling), spelling).not.toBeNull();
    expect(await incidents.blocked.blockedUntil('1.2.3.5')).toBeNull();
    expect(await incidents.blocked.blockedUntil('not an address')).toBeNull();
    await expect(incidents.blocked.block('not an address', until, null)).rejects.toMatchObject({ code: 'ERR_INVALID_INPUT' });
  });

  it("records an escalation whose notification failed as a failure; a process without the webhook says so in the action's outcome", async () => {
    const { incidents, monitor } = world();
    await incidents.createPlaybook({ name: 'brute_force_detected', triggers: ['failed_auth_attempts'], actions: ['notify_security_team'], escalationTime: '1m' });
    const elsewhere = world({ notify: false });
    await elsewhere.monitor.startMonitoring({ alertThresholds: { failedAuthAttempts: 5 } }, { background: false });
    for (let i = 0; i < 5; i++) await audit.logEvent(failedLogin(i));
    await elsewhere.monitor.poll(); // the process without a webhook opens it
    const [incident] = await incidents.incidents();
    expect(incident!.actions[0]).toMatchObject({ status: 'failed', detail: 'no webhook is configured in the process that ran it (monitoring.notify)' });
    webhook.failWhen(() => true, () => ({ status: 503, body: 'busy' }));
    clock.advance(2 * 60_000);
    await monitor.startMonitoring({ alertThresholds: { failedAuthAttempts: 5 } }, { background: false });
    await monitor.poll();
    const [escalation] = await audit.query({ eventType: 'threat.incident_escalated' });
    expect(escalation).toMatchObject({ result: 'failure', additionalData: { notified: expect.stringMatching(/^notification failed: webhook http:\/\/127\.0\.0\.1:\d+ answered HTTP 503$/) } });
  });

  it("refuses the seed's triggers and actions it cannot act on, naming what is supported", async () => {
    const { incidents } = world();
    await expect(
      incidents.createPlaybook({ name: 'model_poisoning_detected', triggers: ['high_confidence_poisoning_alert'], actions: ['isolate_affected_models', 'revert_to_previous_checkpoint', 'notify_security_team', 'initiate_forensic_analysis'], escalationTime: '15m' }),
    ).rejects.toMatchObject({ code: 'ERR_OPTION_NOT_SUPPORTED_YET', message: expect.stringMatching(/trigger high_confidence_poisoning_alert is not supported yet: .*ThreatDetector.*\(supported: failed_auth_attempts, unusual_data_access, model_performance_drop, privilege_escalation\)/) });
    await expect(incidents.createPlaybook({ name: 'x', triggers: ['model_performance_drop'], actions: ['isolate_affected_models'] })).rejects.toMatchObject({
      code: 'ERR_OPTION_NOT_SUPPORTED_YET',
      message: expect.stringContaining('action isolate_affected_models is not supported yet: there is no model registry'),
    });
    await expect(incidents.createPlaybook({ name: 'x', triggers: ['failed_auth_attempts'], actions: ['page_ceo'] })).rejects.toMatchObject({ code: 'ERR_CONFIG_UNSUPPORTED_OPTION', message: expect.stringContaining('(supported: notify_security_team, block_source_ip, initiate_forensic_analysis)') });
    await expect(incidents.createPlaybook({ name: 'Bad Name', triggers: ['failed_auth_attempts'], actions: ['block_source_ip'] })).rejects.toMatchObject({ message: expect.stringContaining('lower_snake_case') });
    await expect(incidents.createPlaybook({ name: 'x', triggers: ['failed_auth_attempts'], actions: ['block_source_ip'], escalationTime: '10s' })).rejects.toMatchObject({ message: expect.stringContaining('escalationTime: at least 1m') });
    const quiet = world({ notify: false }).incidents;
    await expect(quiet.createPlaybook({ name: 'x', triggers: ['failed_auth_attempts'], actions: ['notify_security_team'] })).rejects.toMatchObject({ message: expect.stringContaining('set monitoring.notify.url') });
    expect(await incidents.playbooks()).toEqual([]);
  });
});
