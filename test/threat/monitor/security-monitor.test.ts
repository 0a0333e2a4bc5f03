import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLogger } from '../../../src/audit/audit-logger.js';
import type { AuditEventInput, AuditSink } from '../../../src/core/audit-sink.js';
import { openStore, type Store } from '../../../src/store/database.js';
import { migrate } from '../../../src/store/migrations.js';
import { threatMigrations } from '../../../src/threat/schema.js';
import { SecurityMonitor, type StartMonitoringOptions } from '../../../src/threat/monitor/security-monitor.js';
import { manualClock } from '../../support/recorded-events.js';
import { storeUrls } from '../../support/services.js';

const T0 = Date.UTC(2026, 10, 1, 9, 0, 0);
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
const failedLogin = (seconds: number, ip: string, userId: string | null = null): AuditEventInput => ({
  eventType: 'auth.login',
  userId,
  timestamp: at(seconds),
  result: 'failure',
  additionalData: { reason: userId === null ? 'unknown_user' : 'wrong_password', ip, userAgent: 'curl/8' },
});
const SEED_OPTIONS: StartMonitoringOptions = {
  components: ['api_endpoints', 'training_jobs', 'data_pipelines'],
  metrics: ['request_patterns', 'resource_usage', 'error_rates'],
  alertThresholds: { failedAuthAttempts: 5, unusualDataAccess: 10, modelPerformanceDrop: 0.1 },
};

describe.each(storeUrls('threat-monitor'))('SecurityMonitor on $dialect', ({ make }) => {
  let cleanup: () => Promise<void>;
  let store: Store;
  let audit: AuditLogger;
  const monitors: SecurityMonitor[] = [];
  const clock = manualClock(T0);
  const monitor = (sink: AuditSink = audit) => {
    const m = new SecurityMonitor({ store, audit: sink, stream: audit, clock: clock.clock });
    monitors.push(m);
    return m;
  };
  const started = async (options: StartMonitoringOptions = SEED_OPTIONS, sink?: AuditSink) => {
    const m = monitor(sink);
    await m.startMonitoring(options, { background: false });
    return m;
  };
  const log = async (...events: AuditEventInput[]) => {
    for (const e of events) await audit.logEvent(e);
  };

  beforeEach(async () => {
    let url: string;
    ({ url, cleanup } = make());
    store = await openStore(url);
    await migrate(store, 'threat', threatMigrations);
    audit = new AuditLogger({ store });
  });
  afterEach(async () => {
    for (const m of monitors.splice(0)) await m.stopMonitoring();
    await audit.close();
    await store.close();
    await cleanup();
  });

  it('raises one alert when five failed sign-ins from one address fall within the window, and records it in the audit log', async () => {
    const m = await started();
    await log(...[0, 10, 20, 30].map((s) => failedLogin(s, '203.0.113.7')));
    expect(await m.poll()).toEqual([]);
    await log(failedLogin(40, '203.0.113.7'), failedLogin(41, '198.51.100.1'));
    const [alert, ...more] = await m.poll();
    expect(more).toEqual([]);
    expect(alert).toMatchObject({ rule: 'failed_auth_attempts', key: 'ip:203.0.113.7', value: 5, threshold: 5, firstIndex: 0, lastIndex: 4, firstAt: at(0), lastAt: at(40), status: 'open' });
    const recorded = await audit.query({ eventType: 'threat.alert' });
    expect(recorded).toHaveLength(1);
    expect(recorded[0]!.additionalData).toMatchObject({ alertId: alert!.id, rule: 'failed_auth_attempts', key: 'ip:203.0.113.7', value: 5, firstIndex: 0, lastIndex: 4 });
    expect((await m.alerts())[0]!.auditIndex).toBe(recorded[0]!.index);
    // the monitor reads its own entry and raises nothing from it
    expect(await m.poll()).toEqual([]);
  });

  it('counts an account and an address apart, and only failures within the window', async () => {
    const m = await started();
    // five failures against one account from five addresses: the account is the target
    await log(...[0, 1, 2, 3, 4].map((s) => failedLogin(s, `192.0.2.${s}`, 'u-alice')));
    // four from one address, then the fifth after the five-minute window has passed
    await log(...[10, 20, 30, 40].map((s) => failedLogin(s, '203.0.113.9')), failedLogin(10 + 301, '203.0.113.9'));
    // a success in between is no failure
    await log({ eventType: 'auth.login', userId: 'u-bob', timestamp: at(50), result: 'success', additionalData: { ip: '203.0.113.9' } });
    // nor is a signed-in caller refused a permission: their sign-in worked
    await log(...[60, 61, 62, 63, 64].map((s): AuditEventInput => ({ eventType: 'api.authentication', userId: 'u-carol', timestamp: at(s), result: 'denied', additionalData: { ip: '192.0.2.77', reason: 'forbidden', permission: 'audit.read' } })));
    const alerts = await m.poll();
    expect(alerts.map((a) => a.key)).toEqual(['user:u-alice']);
  });

  it('is not stopped by an entry whose address it cannot read', async () => {
    const m = await started();
    await log(failedLogin(0, 'fe80::1%eth0%x'), ...[1, 2, 3, 4, 5].map((s) => failedLogin(s, '203.0.113.7')));
    expect((await m.poll()).map((a) => a.key)).toEqual(['ip:203.0.113.7']);
  });

  it('restarts from the last window, not from a failure hours old that nothing followed', async () => {
    const m = await started();
    await log(failedLogin(0, '203.0.113.7'));
    await log(...Array.from({ length: 40 }, (_, i): AuditEventInput => ({ eventType: 'auth.login', userId: 'u-ok', timestamp: at(60 * (i + 1)), result: 'success', additionalData: { ip: '192.0.2.1' } })));
    await m.poll();
    const row = await store.db.selectFrom('threat_monitor_cursor').select(['last_index', 'replay_from']).executeTakeFirstOrThrow();
    // the failure at 0 s can count nothing more 40 minutes on: the restart point has moved past it
    expect(Number(row.replay_from)).toBeGreaterThan(0);
    expect(Number(row.last_index)).toBe(40);
  });

  it('starts counting again after an alert: the next five raise the next one', async () => {
    const m = await started();
    await log(...Array.from({ length: 9 }, (_, i) => failedLogin(i, '203.0.113.7')));
    expect((await m.poll()).map((a) => [a.firstIndex, a.lastIndex])).toEqual([[0, 4]]);
    await log(failedLogin(9, '203.0.113.7')); // index 10: the first alert's threat.alert entry is 9
    expect((await m.poll()).map((a) => [a.firstIndex, a.lastIndex])).toEqual([[5, 10]]);
  });

  it('raises each alert once across a restart, and counts the window from before it', async () => {
    const first = await started();
    await log(...[0, 1, 2, 3, 4].map((s) => failedLogin(s, '203.0.113.7')), failedLogin(5, '198.51.100.1'), failedLogin(6, '198.51.100.1'));
    expect(await first.poll()).toHaveLength(1);
    await first.stopMonitoring();
    // a new process: it reads on from the stored cursor, with the two failures of 198.51.100.1 still counted
    const second = await started();
    expect(await second.poll()).toEqual([]);
    await log(failedLogin(7, '198.51.100.1'), failedLogin(8, '198.51.100.1'));
    expect(await second.poll()).toEqual([]);
    await log(failedLogin(9, '198.51.100.1'));
    expect((await second.poll()).map((a) => [a.key, a.firstIndex])).toEqual([['ip:198.51.100.1', 5]]);
    expect(await second.alerts()).toHaveLength(2);
    expect(await audit.query({ eventType: 'threat.alert' })).toHaveLength(2);
  });

  it('raises the same alerts with a restart after any entry as without one, whatever times writers gave their events', async () => {
    const IP = '203.0.113.7';
    const app = (seconds: number): AuditEventInput => ({ eventType: 'training.started', userId: 'ml', timestamp: at(seconds), result: 'success', additionalData: {} });
    const other = (seconds: number): AuditEventInput => ({ eventType: 'auth.login', userId: 'u-ok', timestamp: at(seconds), result: 'success', additionalData: { ip: '192.0.2.200' } });
    // a burst, one more, a future-dated and a backdated application event, the next burst split by
    // another event half a window later, and the third burst's events out of time order
    const script = [0, 1, 2, 3, 4, 4.5].map((t) => failedLogin(t, IP));
    script.push(app(86_400), failedLogin(100, IP), app(-86_400), failedLogin(101, IP), failedLogin(102, IP), other(302));
    script.push(...[302.5, 303, 302.8, 302.9, 303.5, 304, 305].map((t) => failedLogin(t, IP)));
    const run = async (restartAfter: number | null) => {
      const { url, cleanup: drop } = make();
      const own = await openStore(url);
      await migrate(own, 'threat', threatMigrations);
      const ownLog = new AuditLogger({ store: own });
      const startedHere = async () => {
        const m = new SecurityMonitor({ store: own, audit: ownLog, stream: ownLog, clock: clock.clock });
        await m.startMonitoring(SEED_OPTIONS, { background: false });
        return m;
      };
      let m = await startedHere();
      const raised: string[] = [];
      for (const [i, event] of script.entries()) {
        await ownLog.logEvent(event);
        for (const a of await m.poll()) raised.push(`${a.key} ${a.firstAt}..${a.lastAt} ${a.value}`);
        if (i === restartAfter) {
          await m.stopMonitoring();
          m = await startedHere();
        }
      }
      await m.stopMonitoring();
      await ownLog.close();
      await own.close();
      await drop();
      return raised;
    };
    const reference = await run(null);
    expect(reference).toHaveLength(3);
    for (let k = 0; k < script.length; k++) expect(await run(k), `restart after entry ${k}`).toEqual(reference);
  });

  it('raises an alert once when two monitors share the store', async () => {
    const a = await started();
    const b = await started();
    await log(...[0, 1, 2, 3, 4].map((s) => failedLogin(s, '203.0.113.7')));
    const raised = [...(await a.poll()), ...(await b.poll()), ...(await a.poll()), ...(await b.poll())];
    expect(raised).toHaveLength(1);
    expect(await a.alerts()).toHaveLength(1);
  });

  it("writes an alert's audit entry once when a second monitor polls while the first is still writing it", async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const slow: AuditSink = { record: async (event) => (event.eventType === 'threat.alert' ? held.then(() => audit.record(event)) : audit.record(event)) };
    const a = await started(SEED_OPTIONS, slow);
    const b = await started();
    await log(...[0, 1, 2, 3, 4].map((s) => failedLogin(s, '203.0.113.7')));
    const first = a.poll();
    await new Promise((r) => setTimeout(r, 100)); // a has stored the alert and is writing its entry
    await b.poll();
    await b.poll();
    release();
    await first;
    expect(await audit.query({ eventType: 'threat.alert' })).toHaveLength(1);
    expect((await a.alerts())[0]!.auditIndex).not.toBeNull();
  });

  it('keeps an alert whose audit entry could not be written, and writes it at the next poll', async () => {
    let refuse = true;
    const flaky: AuditSink = {
      record: (event) => (refuse && event.eventType === 'threat.alert' ? Promise.reject(new Error('log unavailable')) : audit.record(event)),
    };
    const m = await started(SEED_OPTIONS, flaky);
    await log(...[0, 1, 2, 3, 4].map((s) => failedLogin(s, '203.0.113.7')));
    await expect(m.poll()).rejects.toThrow('log unavailable');
    const [stored] = await m.alerts();
    expect(stored).toMatchObject({ key: 'ip:203.0.113.7', auditIndex: null });
    refuse = false;
    expect(await m.poll()).toEqual([]); // not raised again
    expect((await audit.query({ eventType: 'threat.alert' })).map((e) => e.additionalData?.alertId)).toEqual([stored!.id]);
    expect((await m.alerts())[0]!.auditIndex).not.toBeNull();
  });

  it('alerts on every grant of the all-permissions role, to an account or through a binding, and on no other role change', async () => {
    const m = await started({ alertThresholds: { privilegeEscalation: 1 } });
    const roles = (s: number, userId: string, before: string[], after: string[]): AuditEventInput => ({ eventType: 'auth.roles_changed', userId, timestamp: at(s), result: 'success', additionalData: { before, after, ip: '192.0.2.9' } });
    await log(roles(0, 'u-1', ['analyst'], ['analyst', 'admin']), roles(1, 'u-2', [], ['analyst']), roles(2, 'u-3', ['admin'], ['admin', 'analyst']), roles(3, 'u-4', ['admin'], []));
    await log({ eventType: 'access.binding_added', userId: 'admin-jo', timestamp: at(4), result: 'success', additionalData: { bindingId: 'b1', principal: 'svc-batch', role: 'admin', resource: null, expires: null, revision: 3 } });
    await log({ eventType: 'access.binding_added', userId: 'admin-jo', timestamp: at(5), result: 'success', additionalData: { bindingId: 'b2', principal: 'svc-batch', role: 'reader', resource: null, expires: null, revision: 4 } });
    expect((await m.poll()).map((a) => [a.rule, a.key])).toEqual([
      ['privilege_escalation', 'user:u-1'],
      ['privilege_escalation', 'principal:svc-batch'],
    ]);
  });

  it('alerts on ten data reads by one actor within the window', async () => {
    const m = await started();
    const read = (s: number, userId: string): AuditEventInput => ({ eventType: 'secrets.read', userId, timestamp: at(s), result: 'success', additionalData: { name: 'db-password' } });
    await log(...Array.from({ length: 9 }, (_, i) => read(i, 'svc-etl')), ...Array.from({ length: 9 }, (_, i) => read(i, 'svc-report')));
    expect(await m.poll()).toEqual([]);
    await log({ eventType: 'privacy.subject_exported', userId: 'svc-etl', timestamp: at(20), result: 'success', additionalData: {} });
    expect((await m.poll()).map((a) => [a.rule, a.key, a.value])).toEqual([['unusual_data_access', 'svc-etl', 10]]);
  });

  it('alerts when a model trains to a test accuracy 0.1 or more below its previous training, remembered across restarts', async () => {
    const trained = (s: number, model: string, testAccuracy: number): AuditEventInput => ({ eventType: 'model.trained', userId: 'ml-ops', timestamp: at(s), result: 'success', additionalData: { model, testAccuracy } });
    const first = await started();
    await log(trained(0, '/models/a.json', 0.9), trained(1, '/models/b.json', 0.7), trained(2, '/models/a.json', 0.85));
    expect(await first.poll()).toEqual([]);
    await first.stopMonitoring();
    const second = await started();
    await log(trained(3600 * 24, '/models/a.json', 0.75), trained(3600 * 24 + 1, '/models/b.json', 0.72));
    const [alert, ...more] = await second.poll();
    expect(more).toEqual([]);
    expect(alert).toMatchObject({ rule: 'model_performance_drop', key: 'model:/models/a.json', threshold: 0.1, detail: { previousAccuracy: 0.85, accuracy: 0.75 } });
    expect(alert!.value).toBeCloseTo(0.1, 9);
  });

  it('watches only the components it is given', async () => {
    const m = await started({ components: ['training_jobs'], alertThresholds: { modelPerformanceDrop: 0.1 } });
    await log(...[0, 1, 2, 3, 4].map((s) => failedLogin(s, '203.0.113.7')));
    expect(await m.poll()).toEqual([]);
    expect(m.snapshot().errorRates).toEqual({ training_jobs: { events: 0, failures: 0, rate: 0 } });
  });

  it('measures error rates per component and the busiest callers over the window', async () => {
    const m = await started();
    await log(failedLogin(0, '203.0.113.7'), { eventType: 'auth.login', userId: 'u1', timestamp: at(1), result: 'success', additionalData: { ip: '192.0.2.1' } });
    await log({ eventType: 'pii.dataset_redaction_failed', userId: 'etl', timestamp: at(2), result: 'failure', additionalData: {} });
    await log({ eventType: 'pii.dataset_redacted', userId: 'etl', timestamp: at(3), result: 'success', additionalData: {} });
    await log({ eventType: 'pii.dataset_redacted', userId: 'etl', timestamp: at(4), result: 'success', additionalData: {} });
    await log({ eventType: 'api.authentication', userId: 'api_key:k1', timestamp: at(5), result: 'success', additionalData: {} }, { eventType: 'api.authentication', userId: 'api_key:k1', timestamp: at(6), result: 'success', additionalData: {} });
    await log({ eventType: 'api.authentication', userId: 'api_key:k2', timestamp: at(7), result: 'success', additionalData: {} });
    await m.poll();
    clock.advance(10_000);
    const snapshot = m.snapshot();
    expect(snapshot.errorRates).toEqual({
      api_endpoints: { events: 5, failures: 1, rate: 0.2 },
      training_jobs: { events: 0, failures: 0, rate: 0 },
      data_pipelines: { events: 3, failures: 1, rate: 1 / 3 },
    });
    expect(snapshot.requestPatterns).toEqual({ requests: 3, callers: 2, top: [{ caller: 'api_key:k1', requests: 2 }, { caller: 'api_key:k2', requests: 1 }] });
    expect(snapshot.resourceUsage!.rssBytes).toBeGreaterThan(0);
    expect(snapshot.cursor).toBe(7);
    // once the window has passed, nothing is left in it
    clock.advance(10 * 60_000);
    expect(m.snapshot().errorRates!.api_endpoints).toEqual({ events: 0, failures: 0, rate: 0 });
  });

  it('moves an alert from open to acknowledged to resolved, recording who did it', async () => {
    const m = await started();
    await log(...[0, 1, 2, 3, 4].map((s) => failedLogin(s, '203.0.113.7')));
    const [alert] = await m.poll();
    await expect(m.setAlertStatus('nope', 'acknowledged', 'sec-oncall')).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    expect(await m.setAlertStatus(alert!.id, 'acknowledged', 'sec-oncall')).toMatchObject({ status: 'acknowledged', statusChangedBy: 'sec-oncall' });
    await expect(m.setAlertStatus(alert!.id, 'acknowledged', 'sec-oncall')).rejects.toMatchObject({ code: 'ERR_CONFLICT' });
    await m.setAlertStatus(alert!.id, 'resolved', 'sec-lead');
    await expect(m.setAlertStatus(alert!.id, 'acknowledged', 'sec-oncall')).rejects.toMatchObject({ code: 'ERR_CONFLICT' });
    expect(await m.alerts({ status: 'resolved' })).toHaveLength(1);
    expect(await m.alerts({ status: 'open' })).toEqual([]);
    expect((await audit.query({ eventType: 'threat.alert_resolved' }))[0]).toMatchObject({ userId: 'sec-lead', additionalData: { alertId: alert!.id } });
  });

  it('polls in the background until stopped', async () => {
    const m = monitor();
    await m.startMonitoring({ ...SEED_OPTIONS, pollInterval: '100ms' });
    expect(m.running).toBe(true);
    await log(...[0, 1, 2, 3, 4].map((s) => failedLogin(s, '203.0.113.7')));
    for (let i = 0; i < 100 && (await m.alerts()).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await m.alerts()).toHaveLength(1);
    await expect(m.startMonitoring(SEED_OPTIONS)).rejects.toMatchObject({ code: 'ERR_CONFLICT' });
    await m.stopMonitoring();
    expect(m.running).toBe(false);
  });
});
