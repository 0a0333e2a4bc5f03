import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLogger } from '../../../src/audit/audit-logger.js';
import type { AuditEventInput } from '../../../src/core/audit-sink.js';
import { openStore, type Store } from '../../../src/store/database.js';
import { migrate } from '../../../src/store/migrations.js';
import { threatMigrations } from '../../../src/threat/schema.js';
import { SecurityMonitor } from '../../../src/threat/monitor/security-monitor.js';
import { manualClock } from '../../support/recorded-events.js';
import { freePort, startRsyslog, type Rsyslog } from '../../support/rsyslog.js';
import { tempDir } from '../../support/services.js';
import { startSplunkHec } from './splunk-hec-stand-in.js';

const T0 = Date.UTC(2026, 10, 1, 9, 0, 0);
const failedLogin = (i: number, ip = '203.0.113.7'): AuditEventInput => ({ eventType: 'auth.login', timestamp: new Date(T0 + i * 1000).toISOString(), result: 'failure', additionalData: { reason: 'unknown_user', ip, attempt: i } });

/** The fields of a CEF line's extension, unescaped (the spec's rules, read back). */
function cefExtensions(line: string): Record<string, string> {
  const extension = line.split(/(?<!\\)\|/).slice(7).join('|');
  const out: Record<string, string> = {};
  for (const [, key, value] of extension.matchAll(/(\w+)=((?:\\.|[^\\])*?)(?=\s\w+=|$)/g)) {
    out[key!] = value!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c));
  }
  return out;
}

describe('SIEM export', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: Store;
  let audit: AuditLogger;
  const clock = manualClock(T0);
  const closers: Array<() => Promise<unknown> | unknown> = [];
  const monitor = async (options = {}) => {
    const m = new SecurityMonitor({ store, audit, stream: audit, clock: clock.clock });
    await m.startMonitoring({ alertThresholds: { failedAuthAttempts: 5 }, ...options }, { background: false });
    closers.push(() => m.stopMonitoring());
    return m;
  };

  beforeEach(async () => {
    dir = tempDir('siem');
    store = await openStore(`sqlite:${join(dir.path, 'langtrain.db')}`);
    await migrate(store, 'threat', threatMigrations);
    audit = new AuditLogger({ store, encryption: true, encryptionKey: `file:${join(dir.path, 'audit.key')}` });
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await audit.close();
    await store.close();
    dir.cleanup();
  });

  describe('to a syslog receiver (rsyslog)', () => {
    let rsyslog: Rsyslog;
    beforeEach(async () => {
      rsyslog = await startRsyslog();
      closers.push(() => rsyslog.stop());
    });

    it('streams every entry as RFC 5424 over TCP with a CEF message, the alert at severity alert, and only what was not sealed', async () => {
      await audit.logEvent({ eventType: 'before.integration', result: 'success' }); // the log's history: not sent without backfill
      const m = await monitor();
      expect(m.configureSiemIntegration({ siemType: 'syslog', endpoint: `tcp://127.0.0.1:${rsyslog.port}`, format: 'cef', realTimeStreaming: true })).toMatchObject({ destination: `tcp://127.0.0.1:${rsyslog.port}`, format: 'cef', events: 'all' });
      await m.poll(); // places the cursor at the log's end
      for (let i = 0; i < 5; i++) await audit.logEvent(failedLogin(i));
      await audit.logEvent({ eventType: 'consent.recorded', userId: 'subject-42', sensitive: ['userId'], result: 'success', additionalData: { purposes: ['model_training'] } });
      await audit.logEvent({ eventType: 'training.started', result: 'success', additionalData: { note: 'a=b\\c\nnext line', run: 7 } });
      const [alert] = await m.poll();
      expect(alert).toBeDefined();
      await m.poll(); // nothing new: each entry goes once
      const lines = await rsyslog.waitForLines(8);
      expect(lines).toHaveLength(8);
      const fields = lines.map((l) => {
        const [pri, timestamp, host, app, procid, msgid, ...msg] = l.split('|');
        return { pri: Number(pri), timestamp, host, app, procid, msgid, msg: msg.join('|') };
      });
      // the alert's own entry, written in the poll that raised it, goes with the entries that raised it
      expect(fields.map((f) => f.msgid)).toEqual(['auth.login', 'auth.login', 'auth.login', 'auth.login', 'auth.login', 'consent.recorded', 'training.started', 'threat.alert']);
      expect(fields.every((f) => f.app === 'langtrain' && f.procid === String(process.pid))).toBe(true);
      // facility 13 (log audit): warning for a failure, informational otherwise, alert for an alert
      expect(fields[0]!.pri).toBe(13 * 8 + 4);
      expect(fields[6]!.pri).toBe(13 * 8 + 6);
      expect(fields[7]!.pri).toBe(13 * 8 + 1);
      expect(fields[0]!.msg).toMatch(/^CEF:0\|LangTrain\|LangTrain Security\|\d+\.\d+\.\d+\|auth\.login\|auth\.login failure\|5\|/);
      expect(cefExtensions(fields[0]!.msg)).toMatchObject({ externalId: '1', outcome: 'failure', src: '203.0.113.7', rt: String(T0) });
      // sealed: neither the subject's id nor the payload leaves the log
      expect(fields[5]!.msg).not.toContain('subject-42');
      expect(fields[5]!.msg).not.toContain('model_training');
      expect(cefExtensions(fields[5]!.msg).msg).toBe('payload withheld: sealed for erasure; open it in the audit log by externalId');
      // escaped values come back as they were
      expect(JSON.parse(cefExtensions(fields[6]!.msg).msg!)).toEqual({ note: 'a=b\\c\nnext line', run: 7 });
      expect(cefExtensions(fields[7]!.msg)).toMatchObject({ cs1Label: 'alertId', cs1: alert!.id, cs2: 'failed_auth_attempts', cs3: 'ip:203.0.113.7' });
      expect(m.snapshot().siem).toMatchObject({ sent: 8, lastError: null });
    });

    it('keeps what a receiver that is down missed, and sends it once the receiver is back', async () => {
      const port = await freePort();
      const m = await monitor();
      m.configureSiemIntegration({ siemType: 'syslog', endpoint: `tcp://127.0.0.1:${port}`, format: 'json', backfill: true });
      await audit.logEvent(failedLogin(0));
      expect(await m.poll()).toEqual([]); // the monitor goes on
      expect(m.snapshot().siem!.lastError).toMatch(/ECONNREFUSED/);
      const back = await startRsyslog(port);
      closers.push(() => back.stop());
      await audit.logEvent(failedLogin(1));
      await m.poll(); // still backing off: nothing is tried
      expect(back.lines()).toEqual([]);
      clock.advance(60_000);
      await m.poll();
      const lines = await back.waitForLines(2);
      expect(lines.map((l) => JSON.parse(l.split('|').slice(6).join('|')).data.attempt)).toEqual([0, 1]);
      expect(m.snapshot().siem).toMatchObject({ sent: 2, lastError: null });
    });
  });

  describe('to Splunk HTTP Event Collector', () => {
    const TOKEN = 'b6c0f3e2-7c1a-4e5b-9d2f-0a1b2c3d4e5f';

    it('posts batches of events with the token from a reference, and says why Splunk refused one without the token', async () => {
      const { hec, events } = await startSplunkHec(TOKEN);
      closers.push(() => hec.close());
      process.env.TEST_HEC_TOKEN = TOKEN;
      closers.push(() => delete process.env.TEST_HEC_TOKEN);
      const m = await monitor();
      m.configureSiemIntegration({ siemType: 'splunk', endpoint: hec.url, format: 'json', token: 'env:TEST_HEC_TOKEN', backfill: true, events: 'alerts' });
      for (let i = 0; i < 5; i++) await audit.logEvent(failedLogin(i));
      await m.poll();
      await m.poll();
      expect(events()).toHaveLength(1); // events: alerts
      expect(events()[0]).toMatchObject({ source: 'langtrain', sourcetype: '_json', event: { eventType: 'threat.alert', data: { rule: 'failed_auth_attempts', key: 'ip:203.0.113.7' } } });
      expect(hec.requests[0]!.path).toBe('/services/collector/event');

      const wrong = join(dir.path, 'wrong-token');
      (await import('node:fs')).writeFileSync(wrong, 'not-the-token');
      const refused = await monitor();
      // the same endpoint, so the same cursor: it goes on from where the first one got to
      refused.configureSiemIntegration({ siemType: 'splunk', endpoint: `${hec.url}/services/collector/event`, format: 'cef', token: `file:${wrong}` });
      await audit.logEvent({ eventType: 'threat.alert_resolved', userId: 'soc', result: 'success', additionalData: {} });
      await refused.poll();
      const { lastError } = refused.snapshot().siem!;
      expect(lastError).toBe(`Splunk HEC ${hec.url}/services/collector/event: HTTP 403: Invalid token (check the HEC token)`);
      expect(lastError).not.toContain('not-the-token');
    });
  });

  it('refuses what it does not support, naming the option, and never takes a token in clear', () => {
    const m = new SecurityMonitor({ store, audit, stream: audit });
    const configure = (options: object) => () => m.configureSiemIntegration(options as never);
    expect(configure({ siemType: 'qradar', endpoint: 'tls://siem:6514' })).toThrow(/siemType qradar is not supported \(supported: splunk, syslog/);
    expect(configure({ siemType: 'syslog', endpoint: 'tls://siem:6514', format: 'leef' })).toThrow(/format leef is not supported \(supported: cef, json\)/);
    expect(configure({ siemType: 'syslog', endpoint: 'udp://siem:514' })).toThrow(/UDP drops events/);
    expect(configure({ siemType: 'syslog', endpoint: 'tls://siem:6514', realTimeStreaming: false })).toThrow(/realTimeStreaming false is not supported/);
    expect(configure({ siemType: 'splunk', endpoint: 'http://splunk.example.com:8088', token: 'env:X' })).toThrow(/Splunk HEC takes https:/);
    const inline = () => m.configureSiemIntegration({ siemType: 'splunk', endpoint: 'https://splunk.example.com:8088', token: 'b6c0f3e2-secret' });
    expect(inline).toThrow(/token: must be a credential reference/);
    expect(() => inline()).not.toThrow(/b6c0f3e2/);
    expect(configure({ siemType: 'splunk', endpoint: 'https://splunk.example.com:8088' })).toThrow(/token: Splunk HEC needs its token/);
    expect(configure({ siemType: 'syslog', endpoint: 'tls://siem:6514', caFile: join(dir.path, 'missing.pem') })).toThrow(/caFile: cannot read/);
    expect(configure({ siemType: 'syslog', endpoint: 'tls://siem:6514', batch: true })).toThrow(/unknown option batch/);
  });
});
