/**
 * Security monitoring over the audit log, on the embedded SQLite default, beside baselines
 * doing the plain part of the same work in the same run:
 *
 * - `monitorEntriesPerSec`: the monitor catching up on a log of ENTRIES entries (reading pages,
 *   the alert rules, the window metrics, committing cursor and alerts, writing each alert's
 *   audit entry), against `readEntriesPerSec`, the same pages only read from the log.
 * - `restartMs`: a new monitor's start on that log, windows rebuilt from its last window.
 * - `siemEntriesPerSec`: the same entries sent as RFC 5424 + CEF over TCP to a loopback socket that
 *   only counts bytes (no receiver's parsing in the figure), against `cefLinesPerSec` and
 *   `jsonLinesPerSec`, the formatting alone and JSON.stringify of the same records.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLogger } from '../dist/audit/audit-logger.js';
import type { AuditEventInput } from '../dist/core/audit-sink.js';
import { openStore } from '../dist/store/database.js';
import { migrate } from '../dist/store/migrations.js';
import { SecurityMonitor } from '../dist/threat/monitor/security-monitor.js';
import { threatMigrations } from '../dist/threat/schema.js';
import { formatCef } from '../dist/threat/siem/cef.js';
import { siemRecord } from '../dist/threat/siem/siem-record.js';

const ENTRIES = Number(process.env.BENCH_THREAT_ENTRIES ?? 100_000);
const T0 = Date.UTC(2026, 10, 1);
const perSec = (count: number, ms: number) => Math.round((count / ms) * 1000);

/**
 * A busy deployment: sign-ins (1 in 10 failing, from 2,000 addresses), API reads, secret reads,
 * and every 997 entries a burst of 6 failed sign-ins from one address (an alert each).
 */
const event = (i: number): AuditEventInput => {
  const timestamp = new Date(T0 + i * 50).toISOString();
  if (i % 997 < 6) return { eventType: 'auth.login', userId: null, timestamp, result: 'failure', additionalData: { reason: 'unknown_user', ip: `198.51.100.${Math.floor(i / 997) % 250}` } };
  if (i % 3 === 0) return { eventType: 'auth.login', userId: `u${i % 500}`, timestamp, result: i % 10 === 0 ? 'failure' : 'success', additionalData: { ip: `10.${(i >> 8) & 7}.${i & 255}.${i % 2000 >> 8}`, userAgent: 'Mozilla/5.0' } };
  if (i % 3 === 1) return { eventType: 'api.request', userId: `api_key:k${i % 50}`, timestamp, result: 'success', level: 'detailed' as const, additionalData: { method: 'GET', route: '/v1/lineage/*', status: 200 } };
  return { eventType: 'secrets.read', userId: `svc-${i % 40}`, timestamp, result: 'success', additionalData: { name: 'db-password', version: 3 } };
};

const dir = mkdtempSync(join(tmpdir(), 'langtrain-bench-threat-'));
try {
  const store = await openStore(`sqlite:${join(dir, 'langtrain.db')}`);
  await migrate(store, 'threat', threatMigrations);
  const audit = new AuditLogger({ store, checkpointEvery: 100_000 });
  for (let i = 0; i < ENTRIES; i += 5_000) await audit.logEvents(Array.from({ length: Math.min(5_000, ENTRIES - i) }, (_, k) => event(i + k)));

  // baseline: the pages alone
  let start = performance.now();
  let read = 0;
  const records = [];
  for (let after = -1; ; ) {
    const page = await audit.query({ afterIndex: after, limit: 1_000 });
    if (page.length === 0) break;
    read += page.length;
    for (const e of page) records.push(siemRecord(e, false)!);
    after = page[page.length - 1]!.index;
  }
  const readEntriesPerSec = perSec(read, performance.now() - start);

  const options = { alertThresholds: { failedAuthAttempts: 5, unusualDataAccess: 200, modelPerformanceDrop: 0.1 } };
  const monitor = new SecurityMonitor({ store, audit, stream: audit });
  await monitor.startMonitoring(options, { background: false });
  start = performance.now();
  let alerts = 0;
  while (monitor.snapshot().cursor < ENTRIES - 1) alerts += (await monitor.poll()).length;
  const monitorEntriesPerSec = perSec(ENTRIES, performance.now() - start);
  await monitor.stopMonitoring();

  start = performance.now();
  const restarted = new SecurityMonitor({ store, audit, stream: audit });
  await restarted.startMonitoring(options, { background: false });
  const restartMs = Math.round(performance.now() - start);

  // formatting alone
  start = performance.now();
  for (const r of records) formatCef(r, '0.1.0');
  const cefLinesPerSec = perSec(records.length, performance.now() - start);
  start = performance.now();
  for (const r of records) JSON.stringify(r);
  const jsonLinesPerSec = perSec(records.length, performance.now() - start);

  // delivery to a socket that counts bytes
  let received = 0;
  const sink = createServer((socket) => socket.on('data', (chunk: Buffer) => (received += chunk.length)));
  sink.listen(0, '127.0.0.1');
  await once(sink, 'listening');
  const { port } = sink.address() as { port: number };
  restarted.configureSiemIntegration({ siemType: 'syslog', endpoint: `tcp://127.0.0.1:${port}`, format: 'cef', backfill: true });
  start = performance.now();
  while ((restarted.snapshot().siem?.cursor ?? -1) < ENTRIES - 1) {
    await restarted.poll();
    if (restarted.snapshot().siem?.lastError) throw new Error(restarted.snapshot().siem!.lastError!);
  }
  const siemEntriesPerSec = perSec(restarted.snapshot().siem!.sent, performance.now() - start);
  await restarted.stopMonitoring();
  sink.close();

  process.stdout.write(
    JSON.stringify({
      area: 'threat',
      entries: ENTRIES,
      monitorEntriesPerSec,
      readEntriesPerSec,
      monitorToReadRatio: Math.round((monitorEntriesPerSec / readEntriesPerSec) * 1000) / 1000,
      alertsRaised: alerts,
      restartMs,
      siemEntriesPerSec,
      siemBytes: received,
      cefLinesPerSec,
      jsonLinesPerSec,
      note: 'SQLite store; monitor = read + rules + metrics + commit + alert audit entries; read = the same pages only; SIEM = syslog/CEF over loopback TCP to a byte-counting socket, one connection per 500-entry batch',
    }) + '\n',
  );
  await audit.close();
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
